"""/members, /allow and /revoke: admins manage who may use the bot."""

from __future__ import annotations

import html
import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.access import role_name
from bot.members import membership
from bot.members.membership import MembershipError, Refusal, member_label
from bot.members.requests import AccessGrant
from bot.schedule.service import SchedulingService
from bot.texts import shorten
from storage.members import Member, Role
from storage.store import Store

ADMIN = {"role": "admin"}
log = logging.getLogger(__name__)
NAME_CHARS = 64
LIST_CHARS = 3900


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


async def list_members(message: Message, store: Store) -> None:
    """Show every member with their role, as many as fit in one message."""
    members = store.members.all()
    lines = [_("<b>Members</b>:")]
    length = len(lines[0])
    for member in members:
        name = f" {html.escape(shorten(member.name, NAME_CHARS))}" if member.name else ""
        line = f"<code>{member.user_id}</code>{name} - {role_name(member.role)}"
        length += len(line) + 1
        if length > LIST_CHARS:
            break  # a large team: the reply stays within Telegram's 4096 characters
        lines.append(line)
    shown = len(lines) - 1
    if shown < len(members):
        lines.append(_("…and {count} more.").format(count=len(members) - shown))
    await message.answer("\n".join(lines))


async def allow(
    message: Message,
    command: CommandObject,
    store: Store,
    member: Member,
    scheduling: SchedulingService,
) -> None:
    """Give a user a role (operator unless another is named)."""
    try:
        user_id, role = membership.parse_allow_args(command.args)
        change = membership.allow(store, actor_id=member.user_id, user_id=user_id, role=role)
    except MembershipError as error:
        await message.answer(refusal_text(error))
        return
    reply = _("User <code>{user_id}</code> is now {role}.").format(
        user_id=change.user_id, role=role_name(role)
    )
    if change.previous is None and not await welcome(message, change.user_id, role):
        reply += "\n" + _(
            "They have not written to the bot yet, so it cannot tell them; "
            "/help shows them their commands once they do."
        )
    await answer_and_pause_schedules(message, scheduling, member, change.user_id, reply)


async def welcome(message: Message, user_id: int, role: Role) -> bool:
    """Tell a new member what they may now do; False when Telegram lets the bot not write first."""
    if message.bot is None:
        return False
    text = _("You now have access to this bot as {role}. /help lists your commands.").format(
        role=role_name(role)
    )
    try:
        await message.bot.send_message(user_id, text)
    except TelegramAPIError as error:  # the person never started the bot, or blocked it
        log.info("could not tell user %s about their access: %s", user_id, error.message)
        return False
    return True


async def revoke(
    message: Message,
    command: CommandObject,
    store: Store,
    member: Member,
    scheduling: SchedulingService,
) -> None:
    """Take a user's access away (never the last admin's)."""
    try:
        user_id = membership.parse_user_id(command.args)
        change = membership.revoke(store, actor_id=member.user_id, user_id=user_id)
    except MembershipError as error:
        await message.answer(refusal_text(error))
        return
    done = _("User <code>{user_id}</code> no longer has access.").format(user_id=change.user_id)
    await answer_and_pause_schedules(message, scheduling, member, change.user_id, done)


async def answer_and_pause_schedules(
    message: Message, scheduling: SchedulingService, member: Member, user_id: int, done: str
) -> None:
    """A member who may no longer send has their scheduled sends paused; every admin is told."""
    paused = (
        []
        if scheduling.may_send(user_id)
        else scheduling.pause_owner(user_id, actor_id=member.user_id)
    )
    if paused:
        done += "\n" + _(
            "Their scheduled sends are paused: {count}. Every admin got a card to take them "
            "over or cancel them."
        ).format(count=len(paused))
    await message.answer(done)
    await scheduling.tell_admins(user_id)


async def grant_pressed(
    query: CallbackQuery, callback_data: AccessGrant, store: Store, member: Member
) -> None:
    """An admin lets in someone who asked: once; a second press says who decided."""
    existing = store.members.role_of(callback_data.user_id)
    if existing is not None:
        await query.answer(
            _("User {user_id} is already {role}.").format(
                user_id=callback_data.user_id, role=role_name(existing)
            ),
            show_alert=True,
        )
    else:
        try:
            role = Role(callback_data.role)
        except ValueError:
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        membership.allow(store, actor_id=member.user_id, user_id=callback_data.user_id, role=role)
        await query.answer()
        if isinstance(query.message, Message):
            told = await welcome(query.message, callback_data.user_id, role)
            note = _("✅ Now {role}, let in by {admin}.").format(
                role=role_name(role), admin=member_label(store, member.user_id)
            )
            if not told:
                note += " " + _("They could not be told: /help shows their commands.")
            await close_request(query.message, note)
        return
    if isinstance(query.message, Message):
        await close_request(query.message, None)


async def close_request(message: Message, note: str | None) -> None:
    """The request loses its buttons, with what was decided under it."""
    try:
        if note:
            await message.edit_text(f"{message.html_text}\n\n{note}", reply_markup=None)
        else:
            await message.edit_reply_markup(reply_markup=None)
    except TelegramAPIError as error:
        log.info("could not close an access request: %s", error.message)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="members")
    router.message.register(list_members, Command("members"), flags=ADMIN)
    router.message.register(allow, Command("allow"), flags=ADMIN)
    router.message.register(revoke, Command("revoke"), flags=ADMIN)
    router.callback_query.register(grant_pressed, AccessGrant.filter(), flags=ADMIN)
    return router
