"""/start, /help, /whoami and /cancel: the commands every member has."""

from __future__ import annotations

import html
import logging
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from bot.access import VIEWER, for_command, role_name
from bot.commands import commands_for
from bot.config import Settings
from bot.telegram.dialog_kit import another_members_card, end_dialogs, not_your_card
from bot.telegram.presses import alert
from handlers.reschedule import cancelled_word
from handlers.scheduled import withdraw_send_now
from storage.members import Member
from storage.store import Store

log = logging.getLogger(__name__)


async def cancel(message: Message, state: FSMContext, dialog_manager: DialogManager) -> None:
    """Leave whatever conversation is open; nothing is sent."""
    text = cancelled_word(dialog_manager) or _("Cancelled. Nothing was sent.")
    # The cards themselves say so, without buttons: no half-made preview is left on screen.
    dialog = await end_dialogs(dialog_manager, text)
    await state.clear()  # what a conversation of an earlier version may have left
    # The list's Send now question is closed too: its Yes would send.
    user_id = message.from_user.id if message.from_user else message.chat.id
    question = await withdraw_send_now(dialog_manager, user_id)
    if dialog is None and not question:
        await message.answer(_("Nothing to cancel."))
    elif not dialog:
        await message.answer(text)


async def start(message: Message, member: Member, settings: Settings, store: Store) -> None:
    """Greet a member, remember how they are called (cards name the sender), list their role."""
    if message.from_user is not None:
        store.members.remember_name(member.user_id, message.from_user.full_name)
    lines = [
        _(
            "Hello! This bot composes messages, sends them through 1-pulse and reports their delivery."
        ),
        _("Your role: <b>{role}</b>.").format(role=role_name(member.role)),
    ]
    if settings.sandbox:
        lines.append(
            _("SANDBOX mode: no platform token is set, sends are simulated and cost nothing.")
        )
    lines.append(_("Send /help to see your commands."))
    await message.answer("\n\n".join(lines))


async def help_(message: Message, member: Member) -> None:
    """List the commands this member's role may use, one line each."""
    lines = [_("<b>Your commands</b> ({role}):").format(role=role_name(member.role))]
    lines += [f"/{command.name} - {command.description}" for command in commands_for(member.role)]
    await message.answer("\n".join(lines))


async def whoami(message: Message, member: Member) -> None:
    """Show the member's id and role and the chat id, so a group can be configured."""
    chat_title = html.escape(message.chat.title or message.chat.full_name or "")
    await message.answer(
        _(
            "Your user id: <code>{user_id}</code>\nYour role: {role}\nThis chat: <code>{chat_id}</code> {title}"
        ).format(
            user_id=member.user_id,
            role=role_name(member.role),
            chat_id=message.chat.id,
            title=chat_title,
        )
    )


async def unknown_command(message: Message) -> None:
    """A command nobody handles gets a pointer to /help instead of silence."""
    await message.answer(_("Unknown command. Send /help to see what you can do."))


async def nothing_asked(message: Message) -> None:
    """A message in a private chat that no conversation waits for: say so, not silence."""
    await message.answer(
        _("I'm not waiting for anything from you now. Send /help to see what you can do.")
    )


async def outdated_button(
    query: CallbackQuery, callback_answer: CallbackAnswer, **data: Any
) -> None:
    """A press no handler takes: a button from an old card, another member's card, or forged data."""
    if another_members_card(data):
        alert(callback_answer, not_your_card())
    else:
        alert(callback_answer, _("This button is no longer valid."))


def build_cancel_router() -> Router:
    """A fresh router for /cancel, tried before every conversation."""
    router = Router(name="cancel")
    router.message.register(cancel, Command("cancel"), flags=for_command(VIEWER))
    return router


def build_router() -> Router:
    """A fresh router with the other commands; tried last, since it ends with the catch-all."""
    router = Router(name="common")
    router.message.register(start, CommandStart(), flags=for_command(VIEWER))
    router.message.register(help_, Command("help"), flags=for_command(VIEWER))
    router.message.register(whoami, Command("whoami"), flags=for_command(VIEWER))
    router.message.register(unknown_command, F.text.startswith("/"), flags=VIEWER)
    # Only where the bot is spoken to: in the group, members talk among themselves.
    router.message.register(nothing_asked, F.chat.type == "private", flags=VIEWER)
    router.callback_query.register(outdated_button, flags=VIEWER)
    return router
