"""/new and /send: compose a message on one card, step by step, up to the preview and Send.

docs/compose-wizard.md draws the conversation. Each step is a short handler; input a step
cannot use has its own handler that asks again on the card, with the reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.access import OPERATOR, for_command
from bot.compose.addresses import address_kind, needs_mobile
from bot.compose.cards import ComposeAction, ComposeMove, ComposePick, PickKind
from bot.compose.inputs import default_sender, parse_send_command
from bot.compose.lists import KeptList, keep_list, keep_recipients_file, recipients_from_text
from bot.compose.menu_cards import (
    render_cancelled,
)
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
from bot.compose.wizard import ComposeWizard
from bot.config import Settings
from bot.telegram.dialogs import (
    NOT_COMMAND,
    OnCurrentCard,
    WizardMiddleware,
    download_recipient_file,
    remove_buttons,
)
from bot.telegram.presses import alert
from handlers import compose_extras, compose_preview, compose_test, compose_text, compose_translit
from handlers.compose_card import COMPOSE_STATES, Compose
from storage.campaigns import Draft
from storage.clock import utc_now
from storage.members import Member
from storage.store import Store

# Where Back leads from the questions around the preview.
BACK_TO_PREVIEW = {
    state.state
    for state in (Compose.confirm_send, Compose.edit, Compose.extras, Compose.template_name)
}


# ---------------------------------------------------------------- entry points


def composing(chat_id: int, data: dict[str, Any]) -> ComposeWizard:
    """The composing conversation of a chat, built from the handler data."""
    return ComposeWizard(
        chat_id,
        data["bot"],
        data["state"],
        data["store"],
        data["settings"],
        COMPOSE_STATES,
        clock=data.get("clock", utc_now),
    )


def wizard_for(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, store: Store, settings: Settings
) -> ComposeWizard:
    """The composing conversation of the chat an update came from."""
    message = event.message if isinstance(event, CallbackQuery) else event
    assert message is not None  # compose buttons are always on a message
    return ComposeWizard(message.chat.id, bot, state, store, settings, COMPOSE_STATES)


async def new(message: Message, wizard: ComposeWizard) -> None:
    """Start a message from scratch: a new card asking for the type."""
    await wizard.start(Draft(type="", sender="", text=""))


async def quick_send(
    message: Message,
    command: CommandObject,
    wizard: ComposeWizard,
    settings: Settings,
    member: Member,
) -> None:
    """Take type, recipients and text from one message and jump to the preview."""
    request = parse_send_command(command.args, settings.pulse_types)
    if isinstance(request, Problem):
        await message.answer(problem_text(request))
        return
    parsed = await recipients_from_text(
        wizard.store,
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
    kept = await keep_list(wizard.store, member.user_id, parsed)
    await wizard.start(draft, kept.list_id, kept.report)


# ---------------------------------------------------------------- buttons every step has


async def cancel_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Leave the conversation; the card says nothing was sent and loses its buttons."""
    await wizard.show(render_cancelled())
    await wizard.state.clear()


async def back_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Go one step back, keeping every answer given so far."""
    current = await wizard.state.get_state() or ""
    if COMPOSE_STATES.extra_of(current) is not None:
        await compose_extras.show_extras(wizard)
    elif current in BACK_TO_PREVIEW:
        await wizard.show_preview()
    elif current == Compose.fallback.state:
        await wizard.show_step(Step.TEXT)
    else:
        step = COMPOSE_STATES.step_of(current) or Step.TYPE
        draft, _list_id = await wizard.load()
        await wizard.show_step(previous_step(step, draft.type) or step)


async def keep_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Keep this step's answer and go on."""
    await wizard.advance()


# ---------------------------------------------------------------- type


async def type_chosen(
    query: CallbackQuery, callback_data: ComposePick, wizard: ComposeWizard, settings: Settings
) -> None:
    """Store the chosen type; ask for the sender next."""
    if callback_data.index < len(settings.pulse_types):
        await set_type(wizard, settings.pulse_types[callback_data.index])


async def type_typed(message: Message, wizard: ComposeWizard, settings: Settings) -> None:
    """Store a typed type, if it is one of the configured ones."""
    message_type = parse_type(message.text or "", settings.pulse_types)
    if message_type is None:
        details = {"type": message.text or "", "types": settings.pulse_types}
        await wizard.re_ask(Problem(Reason.UNKNOWN_TYPE, details))
        return
    await set_type(wizard, message_type)


async def set_type(wizard: ComposeWizard, message_type: str) -> None:
    """A new type may invalidate the sender and the recipients; the wizard then asks again."""
    draft, list_id = await wizard.load()
    changed, keeps_list = change_type(draft, message_type)
    await wizard.save(changed, list_id=list_id if keeps_list else None)
    await wizard.advance()


# ---------------------------------------------------------------- sender


async def sender_chosen(
    query: CallbackQuery, callback_data: ComposePick, wizard: ComposeWizard, settings: Settings
) -> None:
    """Store the chosen sender; ask for the recipients next."""
    draft, _list_id = await wizard.load()
    senders = offered_senders(draft.type, settings.pulse_senders)
    if callback_data.index < len(senders):
        await wizard.save(replace(draft, sender=senders[callback_data.index]))
        await wizard.advance()


async def sender_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store a typed sender (digits only for a cascade); ask for the recipients next."""
    draft, _list_id = await wizard.load()
    sender = (message.text or "").strip()
    problem = check_sender(draft.type, sender)
    if problem is not None:
        await wizard.re_ask(problem)
        return
    await wizard.save(replace(draft, sender=sender))
    await wizard.advance()


# ---------------------------------------------------------------- recipients


async def recipients_typed(message: Message, wizard: ComposeWizard, member: Member) -> None:
    """Parse typed or pasted addresses; ask for the text next."""
    draft, _list_id = await wizard.load()
    kind = address_kind(draft.type, draft.find_token)
    parsed = await recipients_from_text(
        wizard.store, message.text or "", kind, mobile_only=needs_mobile(draft.type)
    )
    await use_recipients(wizard, await keep_list(wizard.store, member.user_id, parsed))


async def recipients_file(message: Message, wizard: ComposeWizard, member: Member) -> None:
    """Parse an uploaded .csv, .txt or .xlsx file; ask for the text next."""
    assert message.document is not None
    content = await download_recipient_file(wizard.bot, message.document)
    if isinstance(content, Problem):
        await wizard.re_ask(content)
        return
    draft, _list_id = await wizard.load()
    kept = await keep_recipients_file(
        wizard.store,
        member.user_id,
        message.document.file_name or "",
        content,
        address_kind(draft.type, draft.find_token),
        mobile_only=needs_mobile(draft.type),
    )
    if isinstance(kept, Problem):
        await wizard.re_ask(kept)
        return
    await use_recipients(wizard, kept)


async def recipients_invalid(message: Message, wizard: ComposeWizard) -> None:
    """Anything but text or a file: ask again."""
    await wizard.re_ask(Problem(Reason.EXPECTED_RECIPIENTS))


async def find_token_toggled(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Switch between tokens and phones or e-mails for push and bot; a list that no longer
    fits is asked for again."""
    await wizard.toggle_find_token()
    await wizard.show_step(Step.RECIPIENTS)


async def use_recipients(wizard: ComposeWizard, kept: KeptList) -> None:
    """Go on with a stored list; a list without one valid address is asked for again."""
    await wizard.state.update_data(recipients_report=kept.report.to_data())
    if kept.list_id is None:
        await wizard.show_step(Step.RECIPIENTS)  # the card says no address was valid
        return
    draft, _list_id = await wizard.load()
    await wizard.save(replace(draft, columns=list(kept.columns)), list_id=kept.list_id)
    await wizard.advance(notice=report_text(kept.report))


# ---------------------------------------------------------------- input a step cannot use


async def expected_text(message: Message, wizard: ComposeWizard) -> None:
    """A sticker, photo or file where a typed answer is expected: ask again."""
    await wizard.re_ask(Problem(Reason.EXPECTED_TEXT))


# ---------------------------------------------------------------- presses that match no step

COMPOSE_BUTTON = or_f(ComposeAction.filter(), ComposePick.filter())


async def stale_card(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A press on an old card does nothing but say so and clear that card's buttons."""
    alert(callback_answer, _("This card is no longer active."))
    message = query.message
    if isinstance(message, Message) and message.reply_markup and query.bot is not None:
        await remove_buttons(query.bot, message.chat.id, message.message_id)


async def out_of_step(query: CallbackQuery) -> None:
    """A button of another step (a quick double tap): nothing to do."""


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    steps = Router(name="compose-steps")  # the wizard's steps and the preview
    leftovers = Router(name="compose-leftovers")  # presses on old cards or of another step
    router = Router(name="compose")
    router.include_routers(
        steps,
        compose_text.build_router(),
        compose_preview.build_router(),
        compose_extras.build_router(),
        compose_test.build_router(),
        compose_translit.build_router(),
        leftovers,
    )
    router.message.middleware(WizardMiddleware(composing))
    router.callback_query.middleware(WizardMiddleware(composing))
    steps.callback_query.filter(OnCurrentCard())
    steps.message.register(new, Command("new"), flags=for_command(OPERATOR))
    steps.message.register(quick_send, Command("send"), flags=for_command(OPERATOR))
    steps.callback_query.register(
        cancel_pressed,
        StateFilter(Compose),
        ComposeAction.filter(F.action == ComposeMove.CANCEL),
        flags=OPERATOR,
    )
    steps.callback_query.register(
        back_pressed,
        StateFilter(Compose),
        ComposeAction.filter(F.action == ComposeMove.BACK),
        flags=OPERATOR,
    )
    steps.callback_query.register(
        keep_pressed,
        StateFilter(Compose.type, Compose.sender, Compose.recipients, Compose.text),
        ComposeAction.filter(F.action == ComposeMove.KEEP),
        flags=OPERATOR,
    )
    steps.callback_query.register(
        type_chosen, Compose.type, ComposePick.filter(F.what == PickKind.TYPE), flags=OPERATOR
    )
    steps.message.register(type_typed, Compose.type, F.text, NOT_COMMAND, flags=OPERATOR)
    steps.callback_query.register(
        sender_chosen, Compose.sender, ComposePick.filter(F.what == PickKind.SENDER), flags=OPERATOR
    )
    steps.message.register(sender_typed, Compose.sender, F.text, NOT_COMMAND, flags=OPERATOR)
    steps.message.register(
        recipients_typed, Compose.recipients, F.text, NOT_COMMAND, flags=OPERATOR
    )
    steps.message.register(recipients_file, Compose.recipients, F.document, flags=OPERATOR)
    steps.callback_query.register(
        find_token_toggled,
        Compose.recipients,
        ComposeAction.filter(F.action == ComposeMove.FIND_TOKEN),
        flags=OPERATOR,
    )
    steps.message.register(recipients_invalid, Compose.recipients, NOT_COMMAND, flags=OPERATOR)
    steps.message.register(
        expected_text,
        StateFilter(
            Compose.type, Compose.sender, Compose.text, Compose.template_name, Compose.fallback
        ),
        ~F.text,
        flags=OPERATOR,
    )
    leftovers.callback_query.register(stale_card, COMPOSE_BUTTON, ~OnCurrentCard(), flags=OPERATOR)
    # `compose:schedule` is left to the scheduling dialogue, which owns that button.
    leftovers.callback_query.register(
        out_of_step,
        or_f(ComposeAction.filter(F.action != ComposeMove.SCHEDULE), ComposePick.filter()),
        flags=OPERATOR,
    )
    return router
