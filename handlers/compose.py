"""/new and /send: compose a message on one card, step by step, up to the preview and Send.

The conversation is an aiogram-dialog dialog (docs/compose-wizard.md draws it): one window per
question, all drawn by bot/compose/wizard.py with the composing cards' texts and buttons. Each
step is a short handler; input a step cannot use has its own handler that asks again on the
card, with the reason.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.api.protocols import DialogProtocol
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.text import Format

from bot.access import OPERATOR, for_command
from bot.compose.addresses import address_kind, needs_mobile
from bot.compose.cards import ComposeAction, ComposeMove, ComposePick, PickKind
from bot.compose.conversation import RecipientsReport, draft_from_data
from bot.compose.inputs import default_sender, parse_send_command
from bot.compose.lists import KeptList, keep_list, keep_recipients_file, recipients_from_text
from bot.compose.menu_cards import render_cancelled
from bot.compose.problem_texts import problem_text
from bot.compose.rules import (
    Problem,
    Reason,
    Step,
    change_type,
    check_sender,
    offered_senders,
    parse_type,
    previous_step,
)
from bot.compose.step_cards import report_text
from bot.compose.wizard import REPORT, ComposeWizard, closing_texts, start_data
from bot.config import Settings
from bot.telegram.card_keyboard import CardKeyboard
from bot.telegram.dialog_kit import CardDialog, alert_press, member_of
from bot.telegram.messages import download_recipient_file, remove_buttons
from bot.telegram.unchanged import AnsweredCardDialog, tell_unchanged
from handlers import compose_extras, compose_preview, compose_test, compose_text, compose_translit
from handlers.compose_card import (
    COMPOSE_STATES,
    CardHandlers,
    Compose,
    anything,
    document,
    not_text,
    text,
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


async def close_open_draft(manager: DialogManager) -> str:
    """Close the card of a draft under way in a dialog, if there is one; what the new card says
    about it."""
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
    closing, note = closing_texts()
    bot, chat_id = manager.middleware_data["bot"], manager.middleware_data["event_chat"].id
    try:
        await bot.edit_message_text(closing, chat_id=chat_id, message_id=card_id)
    except TelegramAPIError as error:
        log.info("the old card could not be closed: %s", error.message)
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


# ---------------------------------------------------------------- type


async def type_chosen(wizard: ComposeWizard, index: int) -> None:
    """Store the chosen type; ask for the sender next."""
    if index < len(wizard.settings.pulse_types):
        await set_type(wizard, wizard.settings.pulse_types[index])


async def type_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store a typed type, if it is one of the configured ones."""
    types = wizard.settings.pulse_types
    message_type = parse_type(message.text or "", types)
    if message_type is None:
        wizard.re_ask(Problem(Reason.UNKNOWN_TYPE, {"type": message.text or "", "types": types}))
        return
    await set_type(wizard, message_type)


async def set_type(wizard: ComposeWizard, message_type: str) -> None:
    """A new type may invalidate the sender and the recipients; the wizard then asks again."""
    draft, list_id = wizard.load()
    changed, keeps_list = change_type(draft, message_type)
    wizard.save(changed, list_id=list_id if keeps_list else None)
    await wizard.advance()


# ---------------------------------------------------------------- sender


async def sender_chosen(wizard: ComposeWizard, index: int) -> None:
    """Store the chosen sender; ask for the recipients next."""
    draft, _list_id = wizard.load()
    senders = offered_senders(draft.type, wizard.settings.pulse_senders)
    if index < len(senders):
        wizard.save(replace(draft, sender=senders[index]))
        await wizard.advance()


async def sender_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store a typed sender (digits only for a cascade); ask for the recipients next."""
    draft, _list_id = wizard.load()
    sender = (message.text or "").strip()
    problem = check_sender(draft.type, sender)
    if problem is not None:
        wizard.re_ask(problem)
        return
    wizard.save(replace(draft, sender=sender))
    await wizard.advance()


# ---------------------------------------------------------------- recipients


async def recipients_typed(message: Message, wizard: ComposeWizard) -> None:
    """Parse typed or pasted addresses; ask for the text next."""
    draft, _list_id = wizard.load()
    kind = address_kind(draft.type, draft.find_token)
    parsed = await recipients_from_text(
        wizard.store, message.text or "", kind, mobile_only=needs_mobile(draft.type)
    )
    author = member_of(wizard.manager).user_id
    await use_recipients(wizard, await keep_list(wizard.store, author, parsed))


async def recipients_file(message: Message, wizard: ComposeWizard) -> None:
    """Parse an uploaded .csv, .txt or .xlsx file; ask for the text next."""
    assert message.document is not None
    content = await download_recipient_file(wizard.bot, message.document)
    if isinstance(content, Problem):
        wizard.re_ask(content)
        return
    draft, _list_id = wizard.load()
    kept = await keep_recipients_file(
        wizard.store,
        member_of(wizard.manager).user_id,
        message.document.file_name or "",
        content,
        address_kind(draft.type, draft.find_token),
        mobile_only=needs_mobile(draft.type),
    )
    if isinstance(kept, Problem):
        wizard.re_ask(kept)
        return
    await use_recipients(wizard, kept)


async def recipients_invalid(message: Message, wizard: ComposeWizard) -> None:
    """Anything but text or a file: ask again."""
    wizard.re_ask(Problem(Reason.EXPECTED_RECIPIENTS))


async def find_token_toggled(wizard: ComposeWizard) -> None:
    """Switch between tokens and phones or e-mails for push and bot; a list that no longer
    fits is asked for again."""
    wizard.toggle_find_token()
    await wizard.show_step(Step.RECIPIENTS)


async def use_recipients(wizard: ComposeWizard, kept: KeptList) -> None:
    """Go on with a stored list; a list without one valid address is asked for again."""
    wizard.data[REPORT] = kept.report.to_data()
    if kept.list_id is None:
        await wizard.show_step(Step.RECIPIENTS)  # the card says no address was valid
        return
    draft, _list_id = wizard.load()
    wizard.save(replace(draft, columns=list(kept.columns)), list_id=kept.list_id)
    await wizard.advance(notice=report_text(kept.report))


# ---------------------------------------------------------------- input a step cannot use


async def expected_text(message: Message, wizard: ComposeWizard) -> None:
    """A sticker, photo or file where a typed answer is expected: ask again."""
    wizard.re_ask(Problem(Reason.EXPECTED_TEXT))


# ---------------------------------------------------------------- the card's buttons and inputs


def card_handlers() -> CardHandlers:
    """Every window's handlers, this module's and those of the questions around the preview."""
    card = CardHandlers()
    card.press(Compose.__states__, ComposeMove.CANCEL, cancel_pressed)
    card.press(Compose.__states__, ComposeMove.BACK, back_pressed)
    steps = (Compose.type, Compose.sender, Compose.recipients, Compose.text)
    card.press(steps, ComposeMove.KEEP, keep_pressed)
    card.pick(Compose.type, PickKind.TYPE, type_chosen)
    card.typed([Compose.type], text, type_typed)
    card.pick(Compose.sender, PickKind.SENDER, sender_chosen)
    card.typed([Compose.sender], text, sender_typed)
    card.typed([Compose.recipients], text, recipients_typed)
    card.typed([Compose.recipients], document, recipients_file)
    card.press([Compose.recipients], ComposeMove.FIND_TOKEN, find_token_toggled)
    card.typed([Compose.recipients], anything, recipients_invalid)
    for module in (compose_text, compose_preview, compose_extras, compose_test, compose_translit):
        module.register(card)
    typed_answers = (
        Compose.type,
        Compose.sender,
        Compose.text,
        Compose.template_name,
        Compose.fallback,
        Compose.extra_html,
        Compose.extra_button,
        Compose.extra_ttl,
    )
    card.typed(typed_answers, not_text, expected_text)
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
        # A button of another step (a quick double tap): nothing to do.
        manager.show_mode = ShowMode.NO_UPDATE

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
