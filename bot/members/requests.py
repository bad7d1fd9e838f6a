"""A stranger who writes to the bot in private is asking for access: the admins hear of it once a
day per person, with buttons that let them in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.notices import Notice, Notices
from bot.texts import shorten
from storage.members import Role
from storage.store import Store

log = logging.getLogger(__name__)
REQUEST_WINDOW = timedelta(days=1)
SHOWN_CHARS = 200  # of what the stranger wrote


@dataclass(frozen=True)
class AccessRequested(Notice):
    """Someone who is not a member wrote to the bot in private; `text` is what they wrote, cut
    short."""

    user_id: int
    name: str | None
    username: str | None
    text: str


async def tell_admins(
    notices: Notices,
    store: Store,
    stranger: AccessRequested,
    now: datetime,
) -> bool:
    """Tell every admin that a stranger asked, once a day per stranger; True when they were
    told (even if some admin could not be reached)."""
    asked = AccessRequested(
        stranger.user_id, stranger.name, stranger.username, shorten(stranger.text, SHOWN_CHARS)
    )
    if not store.audit.record_unless_recent(
        asked.user_id, "access_asked", within=REQUEST_WINDOW, now=now, what=asked.text
    ):
        return False
    for admin in store.members.all():
        if admin.role is Role.ADMIN and not await notices.tell(admin.user_id, asked):
            log.info("could not tell admin %s about %s's request", admin.user_id, asked.user_id)
    return True
