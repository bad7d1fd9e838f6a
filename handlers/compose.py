"""/new and /send: compose a message on one card, step by step, up to the preview and Send.

The conversation is an aiogram-dialog dialog (docs/compose-wizard.md draws it): one window per
question, all drawn by bot/compose/wizard.py with the composing cards' texts and buttons. Each
step is a short handler; input a step cannot use has its own handler that asks again on the
card, with the reason.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.api.protocols import DialogProtocol
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.text import Format

from bot.access import OPERATOR, for_command
from bot.compose.addresses import address_kind, needs_mobile
from bot.compose.cards import ComposeAction, ComposeMove, ComposePick
from bot.compose.conversation import RecipientsReport, draft_from_data
from bot.compose.inputs import default_sender, parse_send_command
from bot.compose.lists import keep_list, recipients_from_text
from bot.compose.menu_cards import render_cancelled
from bot.compose.problem_texts import problem_text
from bot.compose.rules import (
    Problem,
    Step,
    previous_step,
)
from bot.compose.step_cards import report_text
from bot.compose.wizard import REPORT, ComposeWizard, closing_texts, start_data
from bot.config import Settings
from bot.telegram.card_keyboard import CardKeyboard
from bot.telegram.dialog_kit import CardDialog, alert_press
from bot.telegram.messages import edit_card, remove_buttons
from bot.telegram.unchanged import AnsweredCardDialog, tell_unchanged
from handlers import (
    compose_extras,
    compose_preview,
    compose_steps,
    compose_test,
    compose_text,
    compose_translit,
)
from handlers.compose_card import (
    COMPOSE_STATES,
    CardHandlers,
    Compose,
)
from handlers.schedule import REDO
from storage.campaigns import Draft
from storage.members import Member
from storage.store import Store

log = logging.getLogger(__name__)

# Where Back leads from the questions around the preview.
BACK_TO_PREVIEW = {
    Compose.confirm_send,
    Compose.edit,
    Compose.extras,
    Compose.template_name,
    Compose.test_phone,
    Compose.test_email,
}


def composing(manager: DialogManager) -> ComposeWizard:
    """The composing conversation of this update."""
    return ComposeWizard.of(manager, COMPOSE_STATES)


# ---------------------------------------------------------------- entry points


async def start_composing(
    manager: DialogManager,
    draft: Draft,
    list_id: int | None = None,
    report: RecipientsReport | None = None,
) -> None:
    """Open a new card for a draft and go to its first unanswered step.

    A draft already under way is not dropped silently: its card says it was closed, and the
    new card says so too. Any other conversation ends, its card losing its buttons."""
    note = await close_open_draft(manager)
    if not manager.has_context():
        # The last card's dialog has ended, and that took its buttons: nothing to take again.
        manager.current_stack().last_message_id = None
    data = start_data(draft, list_id, report, note)
    await manager.start(Compose.type, data, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


async def close_open_draft(manager: DialogManager, closing: str | None = None) -> str:
    """Close the card of a draft under way in a dialog, if there is one, saying `closing` (by
    default: a new message was started); what a new composing card says about it."""
    if not manager.has_context():
        return ""
    current, stack = manager.current_context(), manager.current_stack()
    contexts = [current]
    for intent_id in stack.intents:
        if intent_id != current.id:
            contexts.append(await manager.storage().load_context(intent_id))
    composing_data = next((c.dialog_data for c in contexts if c.state.group is Compose), None)
    card_id = stack.last_message_id
    if composing_data is None or card_id is None or not has_answers(composing_data):
        return ""
    closed_new, note = closing_texts()
    closing = closing or closed_new
    bot, chat_id = manager.middleware_data["bot"], manager.middleware_data["event_chat"].id
    if not await edit_card(bot, chat_id, card_id, closing):
        await remove_buttons(bot, chat_id, card_id)
    stack.last_message_id = None  # closed: the new card leaves it alone
    return note


def has_answers(data: dict[str, Any]) -> bool:
    """Whether a conversation's data holds a draft someone would not want dropped silently."""
    draft = draft_from_data(data)
    return bool(draft.type or draft.text or data.get("list_id"))


async def new(message: Message, dialog_manager: DialogManager) -> None:
    """Start a message from scratch: a new card asking for the type."""
    await start_composing(dialog_manager, Draft(type="", sender="", text=""))


async def quick_send(
    message: Message,
    command: CommandObject,
    dialog_manager: DialogManager,
    member: Member,
    settings: Settings,
    store: Store,
) -> None:
    """Take type, recipients and text from one message and jump to the preview."""
    request = parse_send_command(command.args, settings.pulse_types)
    if isinstance(request, Problem):
        await message.answer(problem_text(request))
        return
    parsed = await recipients_from_text(
        store,
        request.recipients,
        address_kind(request.type),
        mobile_only=needs_mobile(request.type),
    )
    draft = Draft(
        type=request.type,
        sender=default_sender(request.type, settings.pulse_senders),
        text=request.text,
        columns=parsed.columns,
    )
    kept = await keep_list(store, member.user_id, parsed)
    await start_composing(dialog_manager, draft, kept.list_id, kept.report)


async def started(data: dict[str, Any], manager: DialogManager) -> None:
    """A new card: the draft it starts from, at its first unanswered step."""
    wizard = composing(manager)
    wizard.data.update({key: value for key, value in data.items() if key != "note"})
    wizard.note = data.get("note", "")
    report = RecipientsReport.from_data(data.get(REPORT))
    await wizard.advance(notice=report_text(report) if report else "")


# ---------------------------------------------------------------- buttons every step has


async def cancel_pressed(wizard: ComposeWizard) -> None:
    """Leave the conversation; the card says nothing was sent and loses its buttons."""
    await wizard.finish(render_cancelled())


async def back_pressed(wizard: ComposeWizard) -> None:
    """Go one step back, keeping every answer given so far."""
    current = wizard.state
    if COMPOSE_STATES.extra_of(current) is not None:
        await compose_extras.show_extras(wizard)
    elif current in BACK_TO_PREVIEW:
        await wizard.show_preview()
    elif current == Compose.fallback:
        await wizard.show_step(Step.TEXT)
    else:
        step = COMPOSE_STATES.step_of(current) or Step.TYPE
        draft, _list_id = wizard.load()
        await wizard.show_step(previous_step(step, draft.type) or step)


async def keep_pressed(wizard: ComposeWizard) -> None:
    """Keep this step's answer and go on."""
    await wizard.advance()


# ---------------------------------------------------------------- the card's buttons and inputs


def card_handlers() -> CardHandlers:
    """Every window's handlers, this module's and those of the questions around the preview."""
    card = CardHandlers()
    card.press(Compose.__states__, ComposeMove.CANCEL, cancel_pressed)
    card.press(Compose.__states__, ComposeMove.BACK, back_pressed)
    steps = (Compose.type, Compose.sender, Compose.recipients, Compose.text)
    card.press(steps, ComposeMove.KEEP, keep_pressed)
    modules = (compose_steps, compose_text, compose_preview, compose_extras, compose_test)
    for module in (*modules, compose_translit):
        module.register(card)
    return card


class CardRoutes:
    """Hands a press or a message on the card to the handler of the window it is in."""

    def __init__(self, card: CardHandlers) -> None:
        self.card = card

    async def pressed(self, query: CallbackQuery, data: str, manager: DialogManager) -> None:
        wizard = composing(manager)
        try:
            if data.startswith(ComposeAction.__prefix__ + ComposeAction.__separator__):
                action = ComposeAction.unpack(data).action
                handler = self.card.presses.get((wizard.state, action))
                if handler is not None:
                    await handler(wizard)
                    return
            elif data.startswith(ComposePick.__prefix__ + ComposePick.__separator__):
                pick = ComposePick.unpack(data)
                chosen = self.card.picks.get((wizard.state, pick.what))
                if chosen is not None:
                    await chosen(wizard, pick.index)
                    return
            else:
                raise ValueError(data)
        except ValueError:  # data no button of this card carries
            alert_press(manager, _("This button is no longer valid."))
            return
        # A button of another step (a quick double tap): nothing to do. The card is drawn as it
        # is, and a card that did not change is answered with that (ComposeDialog.render).

    async def sent(self, message: Message, widget: Any, manager: DialogManager) -> None:
        manager.show_mode = ShowMode.EDIT  # the card is edited in place, not sent again
        wizard = composing(manager)
        for accepts, handler in self.card.inputs.get(wizard.state, []):
            if accepts(message):
                await handler(message, wizard)
                return
        manager.show_mode = ShowMode.NO_UPDATE  # this question takes buttons only


class ComposeKeyboard(CardKeyboard):
    """The composing card's buttons; data none of them carries (forged) is answered too."""

    async def _process_other_callback(
        self, callback: CallbackQuery, dialog: DialogProtocol, manager: DialogManager
    ) -> bool:
        await self.on_press(callback, callback.data or "", manager)
        return True


async def card_data(dialog_manager: DialogManager, **_: Any) -> dict[str, Any]:
    text, markup = await composing(dialog_manager).card()
    return {"text": text, "markup": markup}


async def planned(start_data: Any, result: Any, manager: DialogManager) -> None:
    """Back from the Schedule card: the preview again, or the step a draft no longer complete
    needs answered again."""
    wizard = composing(manager)
    if isinstance(result, dict) and result.get(REDO):
        await wizard.advance()
    else:
        await wizard.show_preview()


class ComposeDialog(AnsweredCardDialog):
    """The composing dialog: a redraw that changes nothing is answered with why, when the card
    asked again for a reason."""

    async def render(self, manager: DialogManager) -> Any:
        drawn = await CardDialog.render(self, manager)
        await tell_unchanged(manager, drawn, composing(manager).why_unchanged)
        return drawn


def build_dialog() -> ComposeDialog:
    """One window per question; those that take a typed answer or a file have an input."""
    card = card_handlers()
    routes = CardRoutes(card)
    windows = [
        Window(
            Format("{text}"),
            ComposeKeyboard(routes.pressed),
            *([MessageInput(routes.sent)] if state in card.inputs else []),
            state=state,
            getter=card_data,
        )
        for state in Compose.__states__
    ]
    return ComposeDialog(*windows, role=OPERATOR, on_start=started, on_process_result=planned)


def build_router() -> Router:
    """A fresh router with the commands and the dialog, so each Dispatcher gets its own."""
    router = Router(name="compose")
    router.message.register(new, Command("new"), flags=for_command(OPERATOR))
    router.message.register(quick_send, Command("send"), flags=for_command(OPERATOR))
    router.include_router(build_dialog())
    return router
