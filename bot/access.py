"""Who may do what: strangers are refused at the door, members are checked against each handler's role.

A handler declares the least role it needs with `flags=OPERATOR` (or `VIEWER`, `ADMIN`); a handler
without the flag needs an admin, so a forgotten flag can only be too strict.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.members.requests import AccessRequested, tell_admins
from bot.notices import Notices
from bot.texts import shorten
from storage.clock import utc_now
from storage.members import Member, Role
from storage.store import Store

log = logging.getLogger(__name__)

STRANGER_WINDOW = timedelta(hours=1)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# Handler flags: the least role a handler needs, read by RoleCheck.
ADMIN = {"role": Role.ADMIN.value}
OPERATOR = {"role": Role.OPERATOR.value}
VIEWER = {"role": Role.VIEWER.value}


def for_command(flags: dict[str, str]) -> dict[str, str]:
    """A command handler's own copy of a role flag: aiogram's Command filter appends itself to
    the "commands" list of the flags it is registered with, which must not gather in the shared
    dict each time routers are built."""
    return dict(flags)


def role_name(role: Role) -> str:
    names = {Role.ADMIN: _("admin"), Role.OPERATOR: _("operator"), Role.VIEWER: _("viewer")}
    return names[role]


def is_author_or_admin(member: Member, author_id: int) -> bool:
    """Whether the member may decide about something another member made: its author or an admin."""
    return member.role is Role.ADMIN or member.user_id == author_id


class StrangerGate(BaseMiddleware):
    """Outer middleware: a user without a role is refused, and nothing runs.

    The refusal names their id, in private, at most once an hour; in a group they get no reply at
    all, since the group's few messages a minute belong to status cards. The audit log keeps one
    entry per stranger an hour, so a flood cannot grow it.
    """

    def __init__(
        self, store: Store, notices: Notices, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.store, self.notices, self.clock = store, notices, clock
        self._refused_at: dict[int, datetime] = {}  # last private refusal sent, per user

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        if user is None or user.is_bot:
            return None
        member = self.store.members.get(user.id)
        if member is not None:
            if member.name != user.full_name:  # names change; cards show the current one
                self.store.members.remember_name(user.id, user.full_name)
            data["member"] = member
            data["role"] = member.role
            return await handler(event, data)
        if isinstance(event, Message):
            private = event.chat.type == "private"
            if not private and not (event.text or "").startswith("/"):
                return None  # chatter in a group is not addressed to the bot
            if self._note(user.id, _summary(event.text or "[non-text]")):
                log.info("refused a message from stranger %s", user.id)
            if private:
                asked = AccessRequested(user.id, user.full_name, user.username, event.text or "")
                await tell_admins(self.notices, self.store, asked, self.clock())
            if private and self._may_refuse(user.id):
                await event.answer(
                    _(
                        "Sorry, this bot is only for the team. Your Telegram user id is "
                        "<code>{user_id}</code>: an admin can add you with /allow {user_id}."
                    ).format(user_id=user.id)
                )
        elif isinstance(event, CallbackQuery):
            if self._note(user.id, f"button {_summary(event.data or '')}"):
                log.info("refused a button press from stranger %s", user.id)
            # Answering a button press costs no chat message, and stops the client's spinner.
            await event.answer(_("Not allowed."), show_alert=True)
        return None

    def _may_refuse(self, user_id: int) -> bool:
        """Whether this stranger gets the refusal now: at most once an hour each."""
        now = self.clock()
        last = self._refused_at.get(user_id)
        if last is not None and now - last < STRANGER_WINDOW:
            return False
        if len(self._refused_at) > 10_000:  # forget the hours gone by, so the map stays small
            self._refused_at = {
                user: at for user, at in self._refused_at.items() if now - at < STRANGER_WINDOW
            }
        self._refused_at[user_id] = now
        return True

    def _note(self, user_id: int, what: str) -> bool:
        """Audit a stranger's attempt once an hour; True when this is the first one this hour."""
        return self.store.audit.record_unless_recent(
            user_id, "refused", within=STRANGER_WINDOW, now=self.clock(), what=what
        )


class RoleCheck(BaseMiddleware):
    """Inner middleware: runs after a handler matched, refuses when its `role` flag is above the member's."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        needed = Role(get_flag(data, "role", default=Role.ADMIN.value))
        role: Role | None = data.get("role")
        if role is not None and role.allows(needed):
            return await handler(event, data)
        text = role_refusal(needed, role)
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text)
        return None


def role_refusal(needed: Role, role: Role | None) -> str:
    """Why a handler (or a dialog's button) refused this member."""
    return _("This needs the {needed} role; yours is {role}.").format(
        needed=role_name(needed), role=role_name(role) if role else "-"
    )


def _summary(text: str) -> str:
    return shorten(text, 64)
