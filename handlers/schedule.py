"""Scheduling a composed message: Schedule on the preview, then its time, mode and repeat.

The dialogue edits the composing card: choose or type a time, then a card echoes the absolute
date, time and zone, with the mode (by the bot / by the platform) and the repeat, and asks to
confirm. The time question (`TimeCard`, `quick_pressed`, `time_typed`) is also the Reschedule
card's, in handlers/scheduled.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import replace
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.access import Handler
from bot.approval.service import ApprovalService
from bot.compose.cards import ComposeAction
from bot.compose.rules import Step, next_step, summarize_list
from bot.compose.wizard import ComposeWizard
from bot.dialogs import NOT_COMMAND, OnCurrentCard, WizardMiddleware, remove_buttons
from bot.schedule.cards import outcome_text
from bot.schedule.plan import Choice, Plan, Repeat
from bot.schedule.service import Outcome, SchedulingService
from bot.schedule.time_cards import (
    ScheduleStep,
    StepAction,
    cron_problem,
    render_card,
    render_cron_prompt,
    render_when,
    scheduled_text,
    time_problem,
)
from bot.schedule.time_phrases import read_phrase
from bot.schedule.when import quick_choice
from bot.sending.creation import AlreadyLaunched
from handlers.approval import ask_if_needed
from handlers.compose import composing
from handlers.compose_card import Compose
from storage.members import Member
from storage.schedules import Schedule

OPERATOR = {"role": "operator"}
PLAN = "schedule_plan"


class ScheduleDialog(StatesGroup):
    """The Schedule dialogue's steps; bot/schedule/cards.py draws their cards."""

    when = State()  # choose or type the time
    card = State()  # the echo with mode, repeat and Confirm
    cron = State()  # type a cron expression


# ---------------------------------------------------------------- the time question


class TimeCard(ABC):
    """A conversation on one card that asks for a time (chosen or typed), then goes on with it."""

    def __init__(self, wizard: ComposeWizard, scheduling: SchedulingService, locale: str) -> None:
        # The composing wizard owns the card; the scheduling dialogues draw on it the same way.
        self.wizard, self.scheduling, self.locale = wizard, scheduling, locale
        self.state, self.settings = wizard.state, wizard.settings
        self.rolled = False

    @abstractmethod
    async def ask_time(self, problem: str = "") -> None:
        """Draw the time question, with why the last answer was refused."""

    @abstractmethod
    async def use_time(self, moment: datetime) -> None:
        """Go on with a readable time ahead."""

    async def take_time(
        self, moment: datetime | None, typed: str | None, rolled: bool = False
    ) -> None:
        """Go on with a readable time ahead; otherwise ask again, saying why.

        `rolled`: a time of day alone had passed today, so it was taken as tomorrow's.
        """
        problem = time_problem(moment, typed, self.scheduling.clock(), self.settings, self.locale)
        self.rolled = rolled
        if moment is None or problem:
            await self.ask_time(problem)
        else:
            await self.use_time(moment)

    async def finish(self, text: str) -> None:
        """Leave the dialogue with a last word on the card (no buttons)."""
        await self.wizard.show(text)
        await self.state.clear()


def use_dialogue(target: Router, kind: type[TimeCard]) -> None:
    """Hand the router's handlers their conversation, a `kind`, as the `dialogue` parameter."""

    async def with_dialogue(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if "wizard" in data:  # WizardMiddleware's, for an update from a chat
            locale = data["i18n"].current_locale
            data["dialogue"] = kind(data["wizard"], data["scheduling"], locale)
        return await handler(event, data)

    for observer in (target.message, target.callback_query):
        observer.middleware(WizardMiddleware(composing))
        observer.middleware(with_dialogue)


# ---------------------------------------------------------------- the Schedule dialogue


class Dialogue(TimeCard):
    """One person's Schedule dialogue: its plan in the FSM data, drawn on the composing card."""

    async def plan(self) -> Plan | None:
        data = (await self.state.get_data()).get(PLAN)
        return Plan.from_data(data) if data else None

    async def start(self) -> None:
        """Forget any earlier plan and ask when."""
        await self.state.update_data({PLAN: None})
        await self.ask_time()

    async def ask_time(self, problem: str = "") -> None:
        await self.state.set_state(ScheduleDialog.when)
        now = self.scheduling.clock()
        await self.wizard.show(*render_when(self.settings, now, problem=problem))

    async def use_time(self, moment: datetime) -> None:
        plan = Plan.at(moment, self.settings.zone, await self.plan())
        plan.rolled = self.rolled
        await self.show_card(plan)

    async def ask_cron(self, problem: str = "") -> None:
        await self.state.set_state(ScheduleDialog.cron)
        await self.wizard.show(*render_cron_prompt(problem))

    async def show_card(self, plan: Plan, problem: str = "") -> None:
        """Keep the plan and draw it, with Confirm."""
        draft, list_id = await self.wizard.load()
        count = summarize_list(self.wizard.store, list_id).size
        await self.state.update_data({PLAN: plan.to_data()})
        await self.state.set_state(ScheduleDialog.card)
        text, markup = render_card(
            plan,
            message_type=draft.type,
            count=count,
            settings=self.settings,
            locale=self.locale,
            problem=problem,
        )
        await self.wizard.show(text, markup)

    async def back_to_preview(self) -> None:
        await self.state.update_data({PLAN: None})
        await self.wizard.show_preview()

    async def submit(self, plan: Plan, owner_id: int) -> Schedule | Outcome | None:
        """Schedule the draft as planned; None when the draft is no longer complete.

        Raises the sender's AlreadyLaunched when the draft was sent or scheduled meanwhile.
        """
        draft, list_id = await self.wizard.load()
        step, _problem = next_step(draft, list_id, self.wizard.store, self.settings.pulse_types)
        if step is not Step.PREVIEW or list_id is None:
            return None
        return self.scheduling.schedule(
            draft,
            list_id,
            start=plan.start,
            mode=plan.mode,
            recurrence=plan.recurrence(),
            owner_id=owner_id,
            owner_chat_id=self.wizard.chat_id,
            locale=self.locale,
        )

    async def show_submitted(
        self, plan: Plan, result: Schedule | Outcome | None, waiting: str = ""
    ) -> None:
        """After Confirm: the schedule made, the card again with why not, or the step to redo."""
        if result is None:
            await self.wizard.advance()  # the draft is no longer complete (e.g. the list is gone)
        elif isinstance(result, Outcome):
            await self.show_card(plan, outcome_text(result))
        else:
            text = scheduled_text(result, self.settings, self.locale)
            await self.finish(f"{text}\n\n{waiting}" if waiting else text)


async def schedule_pressed(query: CallbackQuery, dialogue: Dialogue) -> None:
    """Schedule on the preview: ask when."""
    await query.answer()
    await dialogue.start()


async def quick_pressed(
    query: CallbackQuery, callback_data: ScheduleStep, dialogue: TimeCard
) -> None:
    """A quick choice: the time it means now."""
    await query.answer()
    now, zone = dialogue.scheduling.clock(), dialogue.settings.zone
    await dialogue.take_time(quick_choice(callback_data.value, now, zone), None)


async def time_typed(message: Message, dialogue: TimeCard) -> None:
    """A typed time, read in TIMEZONE."""
    typed = message.text or ""
    now, zone = dialogue.scheduling.clock(), dialogue.settings.zone
    reading = read_phrase(typed, now, zone)
    if reading is None:
        await dialogue.take_time(None, typed)
    else:
        await dialogue.take_time(reading.moment, typed, reading.rolled_to_tomorrow)


async def cron_typed(message: Message, dialogue: Dialogue) -> None:
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


async def not_understood(message: Message, dialogue: Dialogue) -> None:
    """Anything else in the dialogue: ask again on the card."""
    step, plan = await dialogue.state.get_state(), await dialogue.plan()
    if step == ScheduleDialog.cron.state:
        await dialogue.ask_cron(_("Send the expression as text."))
    elif step == ScheduleDialog.card.state and plan is not None:
        await dialogue.show_card(plan, _("Use the buttons on the card."))
    else:
        await dialogue.ask_time(_("Send the time as text, or choose a button."))


async def card_option(
    query: CallbackQuery, callback_data: ScheduleStep, dialogue: Dialogue
) -> None:
    """Mode, repeat and weekday toggles: redraw the card (Cron asks for the expression)."""
    plan = await dialogue.plan()
    if plan is None:
        await query.answer()
        await dialogue.ask_time()
    elif callback_data.action is StepAction.REPEAT and callback_data.value == Repeat.CRON:
        await query.answer()
        await dialogue.ask_cron()
    else:
        try:
            chosen = plan.choose(Choice(callback_data.action), callback_data.value)
        except ValueError:  # data no button of this card carries
            await query.answer(_("This button is no longer valid."), show_alert=True)
            return
        if not chosen:
            await query.answer(_("Keep at least one day."), show_alert=True)
            return
        await query.answer()
        await dialogue.show_card(plan)


async def card_navigation(
    query: CallbackQuery, callback_data: ScheduleStep, dialogue: Dialogue
) -> None:
    """Change time; back from the cron prompt to the card; or Back to the preview."""
    await query.answer()
    plan = await dialogue.plan()
    if callback_data.action is StepAction.CRON_BACK and plan is not None:
        await dialogue.show_card(plan)
    elif callback_data.action is StepAction.CHANGE:
        await dialogue.ask_time()
    else:
        await dialogue.back_to_preview()


async def confirmed(
    query: CallbackQuery, member: Member, dialogue: Dialogue, approvals: ApprovalService
) -> None:
    """Create the schedule (by the bot), or submit with sent_date (by the platform)."""
    plan = await dialogue.plan()
    if plan is None:
        await query.answer()
        await dialogue.ask_time()
        return
    try:
        result = await dialogue.submit(plan, member.user_id)
    except AlreadyLaunched as already:
        text = _("Already sent or scheduled as campaign №{id}.").format(id=already.campaign_id)
        await query.answer(text, show_alert=True)
        return
    await query.answer()
    waiting = ""
    if isinstance(result, Schedule):
        waiting = await ask_if_needed(approvals, dialogue.wizard, result.campaign_id)
    await dialogue.show_submitted(plan, result, waiting)


async def stale_step(query: CallbackQuery, bot: Bot) -> None:
    """A press on a card that is no longer current: say so and clear its buttons."""
    await query.answer(_("This card is no longer active."), show_alert=True)
    if isinstance(query.message, Message):
        await remove_buttons(bot, query.message.chat.id, query.message.message_id)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="schedule")
    steps = Router(
        name="schedule-steps"
    )  # presses on the dialogue's current card, and its messages
    leftovers = Router(name="schedule-leftovers")  # presses on cards that are no longer current
    router.include_routers(steps, leftovers)
    steps.callback_query.filter(OnCurrentCard())
    use_dialogue(steps, Dialogue)
    steps.callback_query.register(
        schedule_pressed,
        Compose.preview,
        ComposeAction.filter(F.action == "schedule"),
        flags=OPERATOR,
    )
    steps.callback_query.register(
        quick_pressed, ScheduleDialog.when, ScheduleStep.pressed(StepAction.QUICK), flags=OPERATOR
    )
    steps.message.register(time_typed, ScheduleDialog.when, F.text, NOT_COMMAND, flags=OPERATOR)
    steps.message.register(cron_typed, ScheduleDialog.cron, F.text, NOT_COMMAND, flags=OPERATOR)
    steps.message.register(not_understood, StateFilter(ScheduleDialog), NOT_COMMAND, flags=OPERATOR)
    steps.callback_query.register(
        card_option,
        ScheduleDialog.card,
        ScheduleStep.pressed(StepAction.MODE, StepAction.REPEAT, StepAction.DAY),
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
    # The Reschedule card's buttons are of the same kind: handlers/__init__.py puts the router of
    # handlers/scheduled.py before this one, so they reach their own handlers first.
    # By prefix, so a press whose action no card offers any more is stale too.
    stale = F.data.startswith(f"{ScheduleStep.__prefix__}{ScheduleStep.__separator__}")
    leftovers.callback_query.register(stale_step, stale, flags=OPERATOR)
    return router
