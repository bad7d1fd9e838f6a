"""A stranger who writes to the bot in private is asking for access: the admins hear of it once a
day per person, with buttons that let them in."""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, User
from aiogram.utils.i18n import gettext as _

from bot.texts import shorten
from storage.members import Role
from storage.store import Store

log = logging.getLogger(__name__)
REQUEST_WINDOW = timedelta(days=1)
SHOWN_CHARS = 200  # of what the stranger wrote


class AccessGrant(CallbackData, prefix="grant"):
    """An admin's answer to an access request: give `user_id` this role."""

    user_id: int
    role: str


def person_label(user: User) -> str:
    """A Telegram user as an admin recognises them, escaped: name, @username and id."""
    parts = [html.escape(shorten(user.full_name, 64))]
    if user.username:
        parts.append(f"@{html.escape(user.username)}")
    parts.append(f"(<code>{user.id}</code>)")
    return " ".join(parts)


async def tell_admins(bot: Bot, store: Store, user: User, text: str, now: datetime) -> bool:
    """Tell every admin that `user` asked, once a day per user; True when they were told."""
    if not store.audit.record_unless_recent(
        user.id, "access_asked", within=REQUEST_WINDOW, now=now, what=shorten(text, SHOWN_CHARS)
    ):
        return False
    notice = _("{person} is not a member and wrote to the bot: «{text}». Let them in?").format(
        person=person_label(user), text=html.escape(shorten(text, SHOWN_CHARS))
    )
    buttons = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Allow as operator"),
                    callback_data=AccessGrant(user_id=user.id, role=Role.OPERATOR.value).pack(),
                ),
                InlineKeyboardButton(
                    text=_("Allow as viewer"),
                    callback_data=AccessGrant(user_id=user.id, role=Role.VIEWER.value).pack(),
                ),
            ]
        ]
    )
    for admin in store.members.all():
        if admin.role is not Role.ADMIN:
            continue
        try:
            await bot.send_message(admin.user_id, notice, reply_markup=buttons)
        except TelegramAPIError as error:
            log.info("could not tell admin %s about a request: %s", admin.user_id, error.message)
    return True
