"""How members appear in the bot's texts: one label for a person, role names, the /members list,
the access request and its buttons, and what /allow and /revoke answer."""

from __future__ import annotations

import html

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup, User
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.button_data import RowId
from bot.members.membership import MembershipError, Refusal
from bot.texts import shorten
from storage.members import Member, Role
from storage.store import Store

NAME_CHARS = 64
LIST_CHARS = 3900  # of the /members reply, within Telegram's 4096


class AccessGrant(CallbackData, prefix="grant"):
    """An admin's answer to an access request: give `user_id` this role."""

    user_id: RowId
    role: Role


def person_label(user_id: int, name: str | None = None, username: str | None = None) -> str:
    """A person as every text shows them, escaped for HTML: name, @username and id, or the bare id."""
    parts = [html.escape(shorten(name, NAME_CHARS))] if name else []
    if username:
        parts.append(f"@{html.escape(username)}")
    if not parts:
        return f"<code>{user_id}</code>"
    return " ".join([*parts, f"(<code>{user_id}</code>)"])


def member_label(store: Store, user_id: int) -> str:
    """A member by the name they were last seen with, or the bare id when none is known."""
    member = store.members.get(user_id)
    return person_label(user_id, member.name if member else None)


def stranger_label(user: User) -> str:
    """Someone who is not a member yet, as an admin recognises them."""
    return person_label(user.id, user.full_name, user.username)


def role_name(role: Role) -> str:
    names = {Role.ADMIN: _("admin"), Role.OPERATOR: _("operator"), Role.VIEWER: _("viewer")}
    return names[role]


def members_list(members: list[Member]) -> str:
    """Every member with their role, as many as fit in one message."""
    lines = [_("<b>Members</b>:")]
    length = len(lines[0])
    for member in members:
        line = f"{person_label(member.user_id, member.name)} - {role_name(member.role)}"
        length += len(line) + 1
        if length > LIST_CHARS:
            break  # a large team: the reply stays within Telegram's 4096 characters
        lines.append(line)
    shown = len(lines) - 1
    if shown < len(members):
        lines.append(_("…and {count} more.").format(count=len(members) - shown))
    return "\n".join(lines)


def refusal_text(error: MembershipError) -> str:
    texts = {
        Refusal.LAST_ADMIN: _(
            "The last admin cannot lose the admin role: make someone else admin first."
        ),
        Refusal.NOT_A_MEMBER: _("That user is not a member."),
        Refusal.BAD_USER_ID: _(
            "Give a numeric Telegram user id, e.g. <code>/allow 123456789 operator</code>. "
            "The person can see theirs by writing to the bot."
        ),
        Refusal.BAD_ROLE: _("Unknown role «{role}». Roles: {roles}.").format(
            role=html.escape(error.detail), roles=", ".join(role_name(role) for role in Role)
        ),
    }
    return texts[error.refusal]


def access_request(user: User, text: str) -> tuple[str, InlineKeyboardMarkup]:
    """What admins read when a stranger writes to the bot, with the buttons that let them in."""
    notice = _("{person} is not a member and wrote to the bot: «{text}». Let them in?").format(
        person=stranger_label(user), text=html.escape(text)
    )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Allow as operator"), callback_data=AccessGrant(user_id=user.id, role=Role.OPERATOR)
    )
    builder.button(
        text=_("Allow as viewer"), callback_data=AccessGrant(user_id=user.id, role=Role.VIEWER)
    )
    return notice, builder.as_markup()


def allowed(user_id: int, role: Role, told: bool) -> str:
    """/allow's answer; `told` is False when the person could not be written to first."""
    reply = _("User <code>{user_id}</code> is now {role}.").format(
        user_id=user_id, role=role_name(role)
    )
    if not told:
        reply += "\n" + _(
            "They have not written to the bot yet, so it cannot tell them; "
            "/help shows them their commands once they do."
        )
    return reply


def revoked(user_id: int) -> str:
    return _("User <code>{user_id}</code> no longer has access.").format(user_id=user_id)


def schedules_paused(count: int) -> str:
    return _(
        "Their scheduled sends are paused: {count}. Every admin got a card to take them "
        "over or cancel them."
    ).format(count=count)


def welcome(role: Role) -> str:
    """What a new member is told."""
    return _("You now have access to this bot as {role}. /help lists your commands.").format(
        role=role_name(role)
    )


def already_member(user_id: int, role: Role) -> str:
    return _("User {user_id} is already {role}.").format(user_id=user_id, role=role_name(role))


def let_in(store: Store, role: Role, admin_id: int, told: bool) -> str:
    """Written under an access request once an admin decided it."""
    note = _("✅ Now {role}, let in by {admin}.").format(
        role=role_name(role), admin=member_label(store, admin_id)
    )
    if not told:
        note += " " + _("They could not be told: /help shows their commands.")
    return note
