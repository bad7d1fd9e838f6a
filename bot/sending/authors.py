"""Telling a campaign's author what the engine needs them to know: a pause, a question.

Each message goes out in the background through `Notices`; what must not be lost (a pause
notice, a question) is recorded as told only once Telegram took it, so a stop before that
leaves it owed and the next start tells it again.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from bot.notices import Notice, Notices
from bot.platform.reasons import decode
from bot.sending.notices import CampaignPaused, pause_kind
from bot.telegram.topics import about_type
from storage.campaigns import Campaign
from storage.members import Role
from storage.store import Store

log = logging.getLogger(__name__)


class AuthorMessages:
    """Messages to the people who decide about a campaign; `pending` are still being sent."""

    def __init__(self, store: Store, notices: Notices) -> None:
        self._store = store
        self._notices = notices
        self.pending: set[asyncio.Task[None]] = set()

    def deciders(self, campaign: Campaign) -> list[int]:
        """Where a question about a campaign goes: its author's chat, or every admin once the
        author may no longer send (their private chat gets nothing more)."""
        role = self._store.members.role_of(campaign.author_id)
        if campaign.author_chat_id < 0 or (role is not None and role.allows(Role.OPERATOR)):
            return [campaign.author_chat_id]
        return [m.user_id for m in self._store.members.all() if m.role is Role.ADMIN]

    def tell_deciders(
        self, campaign: Campaign, notice: Notice, on_sent: Callable[[], None] | None = None
    ) -> None:
        with about_type(campaign.type):  # in the notify group: the type's topic
            for chat in self.deciders(campaign):
                self.tell(chat, notice, on_sent)

    def tell_pause(self, campaign: Campaign, notice: CampaignPaused) -> None:
        """Tell about a pause, with Resume; owed in the database until Telegram took it."""
        key = _pause_notice_key(campaign.id)
        stored = notice.encode()
        self._store.kv.set(key, stored)

        def told() -> None:
            if self._store.kv.get(key) == stored:  # not a newer pause's notice
                self._store.kv.delete(key)

        self.tell_deciders(campaign, notice, on_sent=told)

    def owed_pause(self, campaign: Campaign, waiting: Callable[[], int]) -> CampaignPaused | None:
        """The pause notice a stop kept from the author, or None when they were told."""
        stored = self._store.kv.get(_pause_notice_key(campaign.id))
        if stored is None:
            return None
        notice = CampaignPaused.decode(campaign.id, stored)
        if notice is not None:
            return notice
        # Kept as text by an older version: told again from the facts the campaign still has.
        reason = decode(campaign.pause_reason)
        if reason is None:
            return None
        return CampaignPaused(campaign.id, pause_kind(reason), reason, waiting())

    def forget_pause(self, campaign_id: int) -> None:
        """The campaign goes on: a pause notice still owed is no longer worth telling."""
        self._store.kv.delete(_pause_notice_key(campaign_id))

    def tell(self, chat_id: int, notice: Notice, on_sent: Callable[[], None] | None = None) -> None:
        """Tell a chat in the background; `on_sent` records it once Telegram took it."""
        task = asyncio.create_task(self._deliver(chat_id, notice, on_sent))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _deliver(
        self, chat_id: int, notice: Notice, on_sent: Callable[[], None] | None
    ) -> None:
        if not await self._notices.tell(chat_id, notice) or on_sent is None:
            return
        try:
            on_sent()
        except sqlite3.Error as error:  # told anyway; the next start may tell once more
            log.warning("could not record the message to chat %s: %s", chat_id, error)


def _pause_notice_key(campaign_id: int) -> str:
    return f"pause_notice:{campaign_id}"
