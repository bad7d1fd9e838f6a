"""/members, /allow and /revoke: admins manage who may use the bot."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.access import ADMIN, for_command
from bot.members import cards, membership
from bot.members.cards import AccessGrant
from bot.members.membership import MembershipError
from bot.schedule.service import SchedulingService
from bot.telegram.presses import alert, settle
from storage.members import Member, Role
from storage.store import Store

log = logging.getLogger(__name__)


async def list_members(message: Message, store: Store) -> None:
    """Show every member with their role, as many as fit in one message."""
    await message.answer(cards.members_list(store.members.all()))


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
        await message.answer(cards.refusal_text(error))
        return
    told = change.previous is not None or await welcome(message, change.user_id, role)
    reply = cards.allowed(change.user_id, role, told)
    await answer_and_pause_schedules(message, scheduling, member, change.user_id, reply)


async def welcome(message: Message, user_id: int, role: Role) -> bool:
    """Tell a new member what they may now do; False when Telegram lets the bot not write first."""
    if message.bot is None:
        return False
    try:
        await message.bot.send_message(user_id, cards.welcome(role))
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
        await message.answer(cards.refusal_text(error))
        return
    done = cards.revoked(change.user_id)
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
        done += "\n" + cards.schedules_paused(len(paused))
    await message.answer(done)
    await scheduling.tell_admins(user_id)


async def grant_pressed(
    query: CallbackQuery,
    callback_data: AccessGrant,
    store: Store,
    member: Member,
    callback_answer: CallbackAnswer,
) -> None:
    """An admin lets in someone who asked: once; a second press says who decided."""
    existing = store.members.role_of(callback_data.user_id)
    if existing is not None:
        alert(callback_answer, cards.already_member(callback_data.user_id, existing))
        await settle(query, None)
        return
    role = callback_data.role
    membership.allow(store, actor_id=member.user_id, user_id=callback_data.user_id, role=role)
    if isinstance(query.message, Message):
        told = await welcome(query.message, callback_data.user_id, role)
        await settle(query, cards.let_in(store, role, member.user_id, told))


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="members")
    router.message.register(list_members, Command("members"), flags=for_command(ADMIN))
    router.message.register(allow, Command("allow"), flags=for_command(ADMIN))
    router.message.register(revoke, Command("revoke"), flags=for_command(ADMIN))
    router.callback_query.register(grant_pressed, AccessGrant.filter(), flags=ADMIN)
    return router
