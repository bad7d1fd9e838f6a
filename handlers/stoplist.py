"""/stoplist: show, add to and remove from the addresses that never receive messages."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.access import OPERATOR, for_command
from bot.compose.addresses import AddressKind
from bot.compose.lists import recipients_from_file, recipients_from_text
from bot.compose.problem_texts import problem_text
from bot.compose.recipients import RecipientList
from bot.compose.rules import Problem, Reason
from bot.config import Settings
from bot.stoplist.cards import (
    StopListAction,
    StopListMove,
    change_prompt,
    change_report,
    invalid_lines,
    nothing_valid,
    only_admins_remove,
    stoplist_card,
)
from bot.telegram.dialogs import NOT_COMMAND, close_card, download_recipient_file, remove_buttons
from bot.texts import paragraphs
from storage.members import Member, Role
from storage.store import Store


class StopListEdit(StatesGroup):
    adding = State()
    removing = State()


async def show_stoplist(message: Message, store: Store, member: Member, settings: Settings) -> None:
    """Show the stop-list with buttons to change it."""
    text, markup = stoplist_card(store, member, settings.zone)
    await message.answer(text, reply_markup=markup)


async def change_pressed(
    query: CallbackQuery, callback_data: StopListAction, bot: Bot, state: FSMContext
) -> None:
    """Ask for the addresses to add or remove (typed, or a file); an open composing is left."""
    assert isinstance(query.message, Message)
    await close_card(state, bot, query.message.chat.id)
    await state.clear()
    removing = callback_data.action is StopListMove.REMOVE
    await state.set_state(StopListEdit.removing if removing else StopListEdit.adding)
    prompt, markup = change_prompt(removing)
    await query.message.edit_text(prompt, reply_markup=markup)
    await state.update_data(prompt_id=query.message.message_id)


async def done_pressed(
    query: CallbackQuery, state: FSMContext, store: Store, member: Member, settings: Settings
) -> None:
    """Stop changing the list; show it again."""
    await state.clear()
    assert isinstance(query.message, Message)
    text, markup = stoplist_card(store, member, settings.zone)
    await query.message.edit_text(text, reply_markup=markup)


async def addresses_typed(
    message: Message, state: FSMContext, store: Store, member: Member, settings: Settings
) -> None:
    """Add or remove the typed addresses."""
    parsed = await recipients_from_text(
        store, message.text or "", AddressKind.PHONE_OR_EMAIL, leave_out_stopped=False
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
    parsed = await recipients_from_file(
        store,
        message.document.file_name or "",
        content,
        AddressKind.PHONE_OR_EMAIL,
        leave_out_stopped=False,
    )
    if isinstance(parsed, Problem):
        await message.answer(problem_text(parsed))
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
        await message.answer(only_admins_remove())
        return
    addresses = [recipient.address for recipient in parsed.valid]
    if not addresses:
        await message.answer(nothing_valid(parsed))
        return
    if adding:
        changed = store.stoplist.add(addresses, member.user_id)
    else:
        changed = store.stoplist.remove(addresses, member.user_id)
    prompt_id = (await state.get_data()).get("prompt_id")
    await state.clear()
    if prompt_id and message.bot is not None:
        # The question is answered: its Cancel button would only bring back an old list.
        await remove_buttons(message.bot, message.chat.id, prompt_id)
    summary = change_report(adding, changed, len(addresses) - changed)
    text, markup = stoplist_card(store, member, zone)
    await message.answer(paragraphs(summary, invalid_lines(parsed), text), reply_markup=markup)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="stoplist")
    router.message.register(show_stoplist, Command("stoplist"), flags=for_command(OPERATOR))
    router.callback_query.register(
        change_pressed,
        StopListAction.filter(F.action.in_({StopListMove.ADD, StopListMove.UPLOAD})),
        flags=OPERATOR,
    )
    # Removing needs an admin (no role flag means admin).
    router.callback_query.register(
        change_pressed, StopListAction.filter(F.action == StopListMove.REMOVE)
    )
    router.callback_query.register(
        done_pressed, StopListAction.filter(F.action == StopListMove.DONE), flags=OPERATOR
    )
    router.message.register(
        addresses_typed, StateFilter(StopListEdit), F.text, NOT_COMMAND, flags=OPERATOR
    )
    router.message.register(addresses_file, StateFilter(StopListEdit), F.document, flags=OPERATOR)
    router.message.register(
        addresses_invalid, StateFilter(StopListEdit), NOT_COMMAND, flags=OPERATOR
    )
    return router
