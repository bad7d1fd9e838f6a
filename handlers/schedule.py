"""Scheduling a composed message: Schedule on the preview, then its time, mode and repeat.

The dialogue edits the composing card: choose or type a time, then a card echoes the absolute
date, time and zone, with the mode (by the bot / by the platform) and the repeat, and asks to
confirm. Its conversation is `PlanDialogue` (bot/schedule/dialogues.py); the time question is
bot/telegram/dialogs.py's `TimeQuestion`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.access import OPERATOR
from bot.approval.service import ApprovalService
from bot.compose.cards import ComposeAction, ComposeMove
from bot.compose.wizard import ComposeWizard
from bot.schedule.dialogues import PlanDialogue, PlanSteps
from bot.schedule.plan import Choice, Repeat
from bot.schedule.time_cards import ScheduleStep, StepAction, cron_problem
from bot.sending.creation import AlreadyLaunched
from bot.telegram.dialogs import (
    NOT_COMMAND,
    OnCurrentCard,
    Wizard,
    ask_time_on,
    current_card,
    remove_buttons,
    use_dialogue,
)
from bot.telegram.presses import alert
from handlers.approval import ask_if_needed
from handlers.compose import composing
from handlers.compose_card import Compose
from storage.members import Member
from storage.schedules import Schedule


class ScheduleDialog(StatesGroup):
    """The Schedule dialogue's steps; bot/schedule/time_cards.py draws their cards."""

    when = State()  # choose or type the time
    card = State()  # the echo with mode, repeat and Confirm
    cron = State()  # type a cron expression


STEPS = PlanSteps(when=ScheduleDialog.when, card=ScheduleDialog.card, cron=ScheduleDialog.cron)


def planning(wizard: Wizard, data: dict[str, Any]) -> PlanDialogue:
    """The Schedule conversation on the composing card."""
    assert isinstance(wizard, ComposeWizard)
    return PlanDialogue(wizard, data["scheduling"], data["i18n"].current_locale, STEPS)


async def schedule_pressed(query: CallbackQuery, dialogue: PlanDialogue) -> None:
    """Schedule on the preview: ask when."""
    await dialogue.start()


async def cron_typed(message: Message, dialogue: PlanDialogue) -> None:
    """A cron expression: checked, then back to the card with its next runs."""
    expression = " ".join((message.text or "").split())
    problem = cron_problem(expression, dialogue.settings.zone)
    plan = await dialogue.plan()
    if problem:
        await dialogue.ask_cron(problem)
    elif plan is None:
        await dialogue.ask_time()
    else:
        await dialogue.show_card(replace(plan, repeat=Repeat.CRON, cron=expression))


async def not_understood(message: Message, dialogue: PlanDialogue) -> None:
    """Anything else in the dialogue: ask again on the card."""
    step, plan = await dialogue.state.get_state(), await dialogue.plan()
    if step == ScheduleDialog.cron.state:
        await dialogue.ask_cron(_("Send the expression as text."))
    elif step == ScheduleDialog.card.state and plan is not None:
        await dialogue.show_card(plan, _("Use the buttons on the card."))
    else:
        await dialogue.ask_time(_("Send the time as text, or choose a button."))


async def card_option(
    query: CallbackQuery,
    callback_data: ScheduleStep,
    dialogue: PlanDialogue,
    callback_answer: CallbackAnswer,
) -> None:
    """Mode, repeat and weekday toggles: redraw the card (Cron asks for the expression)."""
    plan = await dialogue.plan()
    if plan is None:
        await dialogue.ask_time()
    elif callback_data.action is StepAction.REPEAT and callback_data.value == Repeat.CRON:
        await dialogue.ask_cron()
    else:
        try:
            chosen = plan.choose(Choice(callback_data.action), callback_data.value)
        except ValueError:  # data no button of this card carries
            alert(callback_answer, _("This button is no longer valid."))
            return
        if not chosen:
            alert(callback_answer, _("Keep at least one day."))
            return
        await dialogue.show_card(plan)


async def card_navigation(
    query: CallbackQuery, callback_data: ScheduleStep, dialogue: PlanDialogue
) -> None:
    """Change time; back from the cron prompt to the card; or Back to the preview."""
    plan = await dialogue.plan()
    if callback_data.action is StepAction.CRON_BACK and plan is not None:
        await dialogue.show_card(plan)
    elif callback_data.action is StepAction.CHANGE:
        await dialogue.ask_time()
    else:
        await dialogue.back_to_preview()


async def confirmed(
    query: CallbackQuery,
    member: Member,
    dialogue: PlanDialogue,
    approvals: ApprovalService,
    callback_answer: CallbackAnswer,
) -> None:
    """Create the schedule (by the bot), or submit with sent_date (by the platform)."""
    plan = await dialogue.plan()
    if plan is None:
        await dialogue.ask_time()
        return
    try:
        result = await dialogue.submit(plan, member.user_id)
    except AlreadyLaunched as already:
        text = _("Already sent or scheduled as campaign №{id}.").format(id=already.campaign_id)
        alert(callback_answer, text)
        return
    waiting = None
    if isinstance(result, Schedule):
        waiting = await ask_if_needed(approvals, dialogue.wizard, result.campaign_id)
    await dialogue.show_submitted(plan, result, waiting.text if waiting else "")


async def stale_step(
    query: CallbackQuery, bot: Bot, state: FSMContext, callback_answer: CallbackAnswer
) -> None:
    """A press on a card that is no longer current: say so and clear its buttons (the current
    card keeps them: only the press's data was not one of its buttons)."""
    alert(callback_answer, _("This card is no longer active."))
    card = query.message
    if isinstance(card, Message) and card.message_id != current_card(await state.get_data()):
        await remove_buttons(bot, card.chat.id, card.message_id)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="schedule")
    steps = Router(
        name="schedule-steps"
    )  # presses on the dialogue's current card, and its messages
    leftovers = Router(name="schedule-leftovers")  # presses on cards that are no longer current
    router.include_routers(steps, leftovers)
    steps.callback_query.filter(OnCurrentCard())
    use_dialogue(steps, composing, planning)
    steps.callback_query.register(
        schedule_pressed,
        Compose.preview,
        ComposeAction.filter(F.action == ComposeMove.SCHEDULE),
        flags=OPERATOR,
    )
    ask_time_on(steps, ScheduleDialog.when, OPERATOR)
    steps.message.register(cron_typed, ScheduleDialog.cron, F.text, NOT_COMMAND, flags=OPERATOR)
    steps.message.register(not_understood, StateFilter(ScheduleDialog), NOT_COMMAND, flags=OPERATOR)
    steps.callback_query.register(
        card_option,
        ScheduleDialog.card,
        ScheduleStep.pressed(StepAction.MODE, StepAction.REPEAT, StepAction.DAY, StepAction.LOCAL),
        flags=OPERATOR,
    )
    steps.callback_query.register(
        card_navigation,
        StateFilter(ScheduleDialog),
        ScheduleStep.pressed(StepAction.CHANGE, StepAction.BACK, StepAction.CRON_BACK),
        flags=OPERATOR,
    )
    steps.callback_query.register(
        confirmed, ScheduleDialog.card, ScheduleStep.pressed(StepAction.CONFIRM), flags=OPERATOR
    )
    # By prefix, so a press whose action no card offers any more is stale too.
    stale = F.data.startswith(f"{ScheduleStep.__prefix__}{ScheduleStep.__separator__}")
    leftovers.callback_query.register(stale_step, stale, flags=OPERATOR)
    return router
