"""/stoplist: show, add to and remove from the addresses that never receive messages."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button

from bot.access import OPERATOR, for_command, role_refusal
from bot.compose.problem_texts import problem_text
from bot.compose.rules import Problem, Reason
from bot.compose.wizard import closed_by_command
from bot.stoplist.cards import (
    change_report,
    invalid_lines,
    listing_window,
    nothing_valid,
    only_admins_remove,
    prompt_window,
)
from bot.stoplist.changes import StopListChange, change_from_file, change_from_text
from bot.telegram.dialog_kit import alert_press, member_of, store_of
from bot.telegram.messages import download_recipient_file
from bot.telegram.unchanged import AnsweredCardDialog
from bot.texts import paragraphs
from handlers.compose import close_open_draft
from storage.members import Role


class StopListCard(StatesGroup):
    listing = State()
    adding = State()
    removing = State()


async def show_stoplist(message: Message, dialog_manager: DialogManager) -> None:
    """Show the stop-list with buttons to change it; a draft under way is closed, saying so."""
    await close_open_draft(dialog_manager, closed_by_command("/stoplist"))
    await dialog_manager.start(StopListCard.listing, mode=StartMode.RESET_STACK)


async def ask_addresses(manager: DialogManager, asking: State) -> None:
    """Ask for the addresses to add or remove (typed, or a file)."""
    manager.dialog_data["report"] = ""
    await manager.switch_to(asking)


async def add_pressed(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await ask_addresses(manager, StopListCard.adding)


async def remove_pressed(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Only an admin lifts an opt-out; the button is shown to admins only, a forged press is told."""
    role = member_of(manager).role
    if role is not Role.ADMIN:
        alert_press(manager, role_refusal(Role.ADMIN, role))
        return
    await ask_addresses(manager, StopListCard.removing)


async def done_pressed(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Stop changing the list; show it again."""
    manager.dialog_data["report"] = ""
    await manager.switch_to(StopListCard.listing)


async def addresses_sent(message: Message, _input: MessageInput, manager: DialogManager) -> None:
    """Typed addresses or a file: change the list, report it above the list sent anew.

    What cannot be used is answered on its own, and the question stays open."""
    manager.show_mode = ShowMode.NO_UPDATE
    adding = manager.current_context().state == StopListCard.adding
    member = member_of(manager)
    if not adding and member.role is not Role.ADMIN:
        # Asked while an admin, demoted since: the role at the moment of the change counts.
        await message.answer(only_admins_remove())
        await manager.done()
        return
    change = await change_addresses(message, manager, adding, member.user_id)
    if isinstance(change, Problem):
        await message.answer(problem_text(change))
        return
    if not change.report.valid:
        await message.answer(nothing_valid(change.report))
        return
    summary = change_report(adding, change.changed, change.report.valid - change.changed)
    manager.dialog_data["report"] = paragraphs(summary, invalid_lines(change.report))
    # The list comes as a new message; the answered question loses its Cancel button.
    await manager.switch_to(StopListCard.listing, show_mode=ShowMode.SEND)


async def change_addresses(
    message: Message, manager: DialogManager, adding: bool, user_id: int
) -> StopListChange | Problem:
    """The addresses typed or in the uploaded file added or removed, or why there are none."""
    store = store_of(manager)
    if message.text:
        return await change_from_text(store, message.text, adding=adding, user_id=user_id)
    if message.document is None:
        return Problem(Reason.EXPECTED_RECIPIENTS)
    content = await download_recipient_file(manager.middleware_data["bot"], message.document)
    if isinstance(content, Problem):
        return content
    filename = message.document.file_name or ""
    return await change_from_file(store, filename, content, adding=adding, user_id=user_id)


def build_dialog() -> AnsweredCardDialog:
    return AnsweredCardDialog(
        listing_window(StopListCard.listing, add=add_pressed, remove=remove_pressed),
        prompt_window(StopListCard.adding, removing=False, sent=addresses_sent, done=done_pressed),
        prompt_window(StopListCard.removing, removing=True, sent=addresses_sent, done=done_pressed),
        role=OPERATOR,
    )


def build_router() -> Router:
    """A fresh router with this module's command and dialog, so each Dispatcher gets its own."""
    router = Router(name="stoplist")
    router.message.register(show_stoplist, Command("stoplist"), flags=for_command(OPERATOR))
    router.include_router(build_dialog())
    return router
