"""A stranger who writes to the bot in private is asking for access: the admins hear of it once a
day per person, with buttons that let them in."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import User

from bot.members.cards import access_request
from bot.texts import shorten
from storage.members import Role
from storage.store import Store

log = logging.getLogger(__name__)
REQUEST_WINDOW = timedelta(days=1)
SHOWN_CHARS = 200  # of what the stranger wrote


async def tell_admins(bot: Bot, store: Store, user: User, text: str, now: datetime) -> bool:
    """Tell every admin that `user` asked, once a day per user; True when they were told."""
    if not store.audit.record_unless_recent(
        user.id, "access_asked", within=REQUEST_WINDOW, now=now, what=shorten(text, SHOWN_CHARS)
    ):
        return False
    notice, buttons = access_request(user, shorten(text, SHOWN_CHARS))
    for admin in store.members.all():
        if admin.role is not Role.ADMIN:
            continue
        try:
            await bot.send_message(admin.user_id, notice, reply_markup=buttons)
        except TelegramAPIError as error:
            log.info("could not tell admin %s about a request: %s", admin.user_id, error.message)
    return True
