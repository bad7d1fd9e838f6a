"""/stoplist: show, add to and remove from the addresses that never receive messages."""

from __future__ import annotations

import asyncio
import html
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.cards import example_lines, problem_text
from bot.compose.recipient_files import RecipientFileError
from bot.compose.recipients import (
    AddressKind,
    RecipientList,
    parse_recipients_file,
    parse_recipients_text,
)
from bot.compose.rules import Problem, Reason, RecipientsReport, file_problem
from bot.config import Settings
from bot.dialogs import NOT_COMMAND, close_card, download_recipient_file, remove_buttons
from bot.members.membership import member_label
from bot.schedule.when import format_day
from bot.texts import number, paragraphs, reader_locale
from storage.clock import from_iso
from storage.members import Member, Role
from storage.stoplist import StopEntry
from storage.store import Store

OPERATOR = {"role": "operator"}
SHOWN_ADDRESSES = 50
UTC_ZONE = ZoneInfo("UTC")
CARD_CHARS = 3000  # of the list, leaving room for a report above it


class StopListEdit(StatesGroup):
    adding = State()
    removing = State()


class StopListAction(CallbackData, prefix="stoplist"):
    action: str  # "add", "remove", "upload", "done"


def _button(text: str, name: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StopListAction(action=name).pack())


def stoplist_card(
    store: Store, member: Member | None = None, zone: ZoneInfo = UTC_ZONE
) -> tuple[str, InlineKeyboardMarkup]:
    """The count, the first addresses with who added them, and buttons to change the list.

    Only an admin gets the Remove button: lifting someone's opt-out is an admin's decision.
    """
    count = store.stoplist.count()
    lines = [
        ngettext(
            "<b>Stop-list</b>: {count} address never receives messages.",
            "<b>Stop-list</b>: {count} addresses never receive messages.",
            count,
        ).format(count=number(count))
    ]
    shown = 0
    for entry in store.stoplist.entries(SHOWN_ADDRESSES):
        line = f"<code>{html.escape(entry.address)}</code> · {added_by(store, entry, zone)}"
        if sum(len(item) for item in lines) + len(line) > CARD_CHARS:
            break  # long e-mail addresses: the card stays within Telegram's limit
        lines.append(line)
        shown += 1
    if count > shown:
        lines.append(_("…and {count} more.").format(count=number(count - shown)))
    first_row = [_button(_("Add"), "add")]
    if member is not None and member.role is Role.ADMIN:
        first_row.append(_button(_("Remove"), "remove"))
    rows = [first_row, [_button(_("Upload a file"), "upload")]]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def added_by(store: Store, entry: StopEntry, zone: ZoneInfo) -> str:
    """ "added by Olga (1001), 30 Nov 2026", escaped for HTML."""
    day = format_day(from_iso(entry.added_at), zone, reader_locale())
    if entry.added_by is None:
        return _("added {date}").format(date=day)
    return _("added by {who}, {date}").format(who=member_label(store, entry.added_by), date=day)


async def show_stoplist(message: Message, store: Store, member: Member, settings: Settings) -> None:
    """Show the stop-list with buttons to change it."""
    text, markup = stoplist_card(store, member, settings.zone)
    await message.answer(text, reply_markup=markup)


async def change_pressed(
    query: CallbackQuery, callback_data: StopListAction, bot: Bot, state: FSMContext
) -> None:
    """Ask for the addresses to add or remove (typed, or a file); an open composing is left."""
    await query.answer()
    assert isinstance(query.message, Message)
    await close_card(state, bot, query.message.chat.id)
    await state.clear()
    if callback_data.action == "remove":
        await state.set_state(StopListEdit.removing)
        prompt = _("Send the addresses to remove from the stop-list (typed or as a file).")
    else:
        await state.set_state(StopListEdit.adding)
        prompt = _(
            "Send the phone numbers or e-mail addresses to add: typed, or a file (.csv, .txt, .xlsx)."
        )
    done = InlineKeyboardMarkup(inline_keyboard=[[_button(_("Cancel"), "done")]])
    await query.message.edit_text(prompt, reply_markup=done)
    await state.update_data(prompt_id=query.message.message_id)


async def done_pressed(
    query: CallbackQuery, state: FSMContext, store: Store, member: Member, settings: Settings
) -> None:
    """Stop changing the list; show it again."""
    await query.answer()
    await state.clear()
    assert isinstance(query.message, Message)
    text, markup = stoplist_card(store, member, settings.zone)
    await query.message.edit_text(text, reply_markup=markup)


async def addresses_typed(
    message: Message, state: FSMContext, store: Store, member: Member, settings: Settings
) -> None:
    """Add or remove the typed addresses."""
    parsed = await asyncio.to_thread(
        parse_recipients_text, message.text or "", AddressKind.PHONE_OR_EMAIL
    )
    await apply_change(message, state, store, member, parsed, settings.zone)


async def addresses_file(
    message: Message, bot: Bot, state: FSMContext, store: Store, member: Member, settings: Settings
) -> None:
    """Add or remove the addresses of an uploaded file."""
    assert message.document is not None
    content = await download_recipient_file(bot, message.document)
    if isinstance(content, Problem):
        await message.answer(problem_text(content))
        return
    try:
        parsed = await asyncio.to_thread(
            parse_recipients_file,
            message.document.file_name or "",
            content,
            AddressKind.PHONE_OR_EMAIL,
        )
    except RecipientFileError as error:
        await message.answer(problem_text(file_problem(error)))
        return
    await apply_change(message, state, store, member, parsed, settings.zone)


async def addresses_invalid(message: Message) -> None:
    """Neither text nor a file: ask again."""
    await message.answer(problem_text(Problem(Reason.EXPECTED_RECIPIENTS)))


async def apply_change(
    message: Message,
    state: FSMContext,
    store: Store,
    member: Member,
    parsed: RecipientList,
    zone: ZoneInfo,
) -> None:
    """Change the list, record it in the audit log, report what happened and show the list."""
    adding = await state.get_state() == StopListEdit.adding.state
    if not adding and member.role is not Role.ADMIN:
        # Asked while an admin, demoted since: the role at the moment of the change counts.
        await state.clear()
        await message.answer(_("Only an admin can remove addresses from the stop-list."))
        return
    addresses = [recipient.address for recipient in parsed.valid]
    if not addresses:
        await message.answer(
            paragraphs(problem_text(Problem(Reason.NO_VALID_RECIPIENTS)), invalid_lines(parsed))
        )
        return
    if adding:
        changed = store.stoplist.add(addresses, member.user_id)
    else:
        changed = store.stoplist.remove(addresses, member.user_id)
    if adding:
        report = _("Added to the stop-list: {changed} (already there: {same}).")
    else:
        report = _("Removed from the stop-list: {changed} (not on it: {same}).")
    prompt_id = (await state.get_data()).get("prompt_id")
    await state.clear()
    if prompt_id and message.bot is not None:
        # The question is answered: its Cancel button would only bring back an old list.
        await remove_buttons(message.bot, message.chat.id, prompt_id)
    summary = report.format(changed=number(changed), same=number(len(addresses) - changed))
    text, markup = stoplist_card(store, member, zone)
    await message.answer(paragraphs(summary, invalid_lines(parsed), text), reply_markup=markup)


def invalid_lines(parsed: RecipientList) -> str:
    """The invalid entries, the first few with their reason."""
    if not parsed.invalid:
        return ""
    count = _("Invalid: {count}").format(count=number(len(parsed.invalid)))
    return "\n".join([count, *example_lines(RecipientsReport.of(parsed))])


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="stoplist")
    router.message.register(show_stoplist, Command("stoplist"), flags=OPERATOR)
    router.callback_query.register(
        change_pressed, StopListAction.filter(F.action.in_({"add", "upload"})), flags=OPERATOR
    )
    # Removing needs an admin (no role flag means admin).
    router.callback_query.register(change_pressed, StopListAction.filter(F.action == "remove"))
    router.callback_query.register(
        done_pressed, StopListAction.filter(F.action == "done"), flags=OPERATOR
    )
    router.message.register(
        addresses_typed, StateFilter(StopListEdit), F.text, NOT_COMMAND, flags=OPERATOR
    )
    router.message.register(addresses_file, StateFilter(StopListEdit), F.document, flags=OPERATOR)
    router.message.register(
        addresses_invalid, StateFilter(StopListEdit), NOT_COMMAND, flags=OPERATOR
    )
    return router
