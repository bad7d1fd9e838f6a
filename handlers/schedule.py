"""Scheduling a composed message: Schedule on the preview, then its time, mode and repeat.

The Schedule dialog is started by the composer on top of itself, so it draws on the composing
card: choose or type a time, then a card echoes the absolute date, time and zone, with the mode
(by the bot / by the platform) and the repeat, and asks to confirm. Back returns to the preview;
Confirm makes the schedule and the card's last word ends the whole conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from aiogram import Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput

from bot.access import OPERATOR
from bot.approval.cards import after_approval_text
from bot.approval.service import ApprovalService
from bot.compose.conversation import draft_data, draft_from_data
from bot.compose.list_checks import next_step, summarize_list
from bot.compose.rules import Step
from bot.schedule.cards import outcome_text
from bot.schedule.plan import Choice, Plan, Repeat
from bot.schedule.service import Outcome
from bot.schedule.time_cards import (
    ScheduleStep,
    StepAction,
    cron_problem,
    render_card,
    render_cron_prompt,
    scheduled_text,
)
from bot.sending.creation import AlreadyLaunched
from bot.telegram.dialog_kit import alert_press, member_of
from bot.telegram.unchanged import AnsweredCardDialog
from bot.timing.cards import quiet_at_send
from bot.timing.local_time import LocalSend
from handlers.approval import ask_if_needed
from handlers.time_question import (
    PROBLEM,
    TimeQuestion,
    card_window,
    finish,
    inactive,
    last_word_shown,
    locale_of,
    scheduling_of,
    step_pressed,
)
from storage.campaigns import Draft
from storage.schedules import Schedule, ScheduleMode

PLAN = "plan"  # dialog data: the plan as the card shows it
REDO = "redo"  # in the result: Confirm found the draft no longer complete


class Scheduling(StatesGroup):
    """The Schedule dialog's steps; bot/schedule/time_cards.py draws their cards."""

    when = State()  # choose or type the time
    card = State()  # the echo with mode, repeat and Confirm
    cron = State()  # type a cron expression
    done = State()  # the last word, without buttons


def planning(draft: Draft, list_id: int | None) -> dict[str, Any]:
    """The start data of the Schedule dialog: the draft on the preview and its list."""
    return {"draft": draft_data(draft), "list_id": list_id}


def draft_of(manager: DialogManager) -> tuple[Draft, int | None]:
    start: dict[str, Any] = manager.start_data  # type: ignore[assignment]
    return draft_from_data(start), start.get("list_id")


def plan_of(manager: DialogManager) -> Plan | None:
    data = manager.dialog_data.get(PLAN)
    return Plan.from_data(data) if data else None


async def time_chosen(manager: DialogManager, moment: datetime, rolled: bool) -> None:
    """A readable time ahead: the card with it, keeping the earlier choices."""
    plan = Plan.at(moment, scheduling_of(manager).settings.zone, plan_of(manager))
    plan.rolled = rolled
    await show_card(manager, plan)


QUESTION = TimeQuestion(Scheduling.when, time_chosen)


async def show_card(manager: DialogManager, plan: Plan, problem: str = "") -> None:
    """Keep the plan and draw it, with Confirm (and why the last press did nothing, if so)."""
    manager.dialog_data.update({PLAN: plan.to_data(), PROBLEM: problem})
    await manager.switch_to(Scheduling.card)


async def when_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return QUESTION.shown(dialog_manager)


async def card_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    """The plan with who it goes to, their zones and who is inside quiet hours then."""
    plan = plan_of(dialog_manager)
    if plan is None:
        return QUESTION.shown(dialog_manager)
    scheduling = scheduling_of(dialog_manager)
    settings, (draft, list_id) = scheduling.settings, draft_of(dialog_manager)
    summary = summarize_list(scheduling.store, list_id)
    local = LocalSend.of(plan.start, settings.zone, summary.zones) if plan.local else None
    quiet = quiet_at_send(settings, summary.zones, local.moments if local else {None: plan.start})
    text, markup = render_card(
        plan,
        message_type=draft.type,
        count=summary.size,
        settings=settings,
        locale=locale_of(dialog_manager),
        problem=dialog_manager.dialog_data.get(PROBLEM, ""),
        local=local,
        quiet=quiet,
    )
    return {"text": text, "markup": markup}


async def cron_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    text, markup = render_cron_prompt(dialog_manager.dialog_data.get(PROBLEM, ""))
    return {"text": text, "markup": markup}


async def ask_cron(manager: DialogManager, problem: str = "") -> None:
    manager.dialog_data[PROBLEM] = problem
    await manager.switch_to(Scheduling.cron)


# ---------------------------------------------------------------- presses


async def pressed(query: CallbackQuery, data: str, manager: DialogManager) -> None:
    """A button of the time question, the card or the cron prompt."""
    step = step_pressed(data, manager)
    if step is None:
        return
    state, plan = manager.current_context().state, plan_of(manager)
    if step.action is StepAction.QUICK and state == Scheduling.when:
        await QUESTION.quick(manager, step.value)
    elif step.action is StepAction.CHANGE:
        await QUESTION.ask(manager)
    elif step.action is StepAction.CRON_BACK and plan is not None:
        await show_card(manager, plan)
    elif step.action in (StepAction.BACK, StepAction.CRON_BACK):
        await back_to_composer(manager)
    elif state != Scheduling.card:
        inactive(manager)
    elif plan is None:
        await QUESTION.ask(manager)
    elif step.action is StepAction.CONFIRM:
        await confirmed(query, manager, plan)
    else:
        await option_chosen(manager, plan, step)


async def option_chosen(manager: DialogManager, plan: Plan, step: ScheduleStep) -> None:
    """Mode, repeat and weekday toggles: redraw the card (Cron asks for the expression)."""
    if step.action is StepAction.REPEAT and step.value == Repeat.CRON:
        await ask_cron(manager)
        return
    try:
        chosen = plan.choose(Choice(step.action.value), step.value)
    except ValueError:  # data no button of this card carries
        alert_press(manager, _("This button is no longer valid."))
        return
    if not chosen:
        alert_press(manager, _("Keep at least one day."))
        return
    await show_card(manager, plan)


async def confirmed(query: CallbackQuery, manager: DialogManager, plan: Plan) -> None:
    """Create the schedule (by the bot), or submit with sent_date (by the platform)."""
    scheduling, member = scheduling_of(manager), member_of(manager)
    draft, list_id = draft_of(manager)
    step, _problem = next_step(draft, list_id, scheduling.store, scheduling.settings)
    if step is not Step.PREVIEW or list_id is None:
        await back_to_composer(manager, redo=True)  # e.g. the list is gone: the step to redo
        return
    chat_id = manager.middleware_data["event_chat"].id
    try:
        result = await scheduling.schedule(
            draft,
            list_id,
            start=plan.start,
            mode=plan.mode,
            recurrence=plan.recurrence(),
            owner_id=member.user_id,
            owner_chat_id=chat_id,
            locale=locale_of(manager),
            local=plan.local,
        )
    except AlreadyLaunched as already:
        text = _("Already sent or scheduled as campaign №{id}.").format(id=already.campaign_id)
        alert_press(manager, text)
        return
    if isinstance(result, Outcome):
        await show_card(manager, plan, outcome_text(result))
        return
    card = AuthorCard(chat_id, query.message.message_id if query.message else None)
    await finish(manager, Scheduling.done, await submitted_text(manager, result, card))


@dataclass(frozen=True)
class AuthorCard:
    """The card the schedule was confirmed on, where its approval request is answered."""

    chat_id: int
    message_id: int | None

    async def card_id(self) -> int | None:
        return self.message_id


async def submitted_text(manager: DialogManager, schedule: Schedule, card: AuthorCard) -> str:
    """The card's last word: the schedule made, and its approval request if it needs one."""
    scheduling, locale = scheduling_of(manager), locale_of(manager)
    approvals: ApprovalService = manager.middleware_data["approvals"]
    waiting = await ask_if_needed(approvals, card, schedule.campaign_id)
    text = scheduled_text(schedule, scheduling.settings, locale)
    if waiting is None:
        return text
    if schedule.mode is ScheduleMode.PLATFORM:
        # Not submitted yet: it is handed to the platform once approved.
        text = after_approval_text(schedule, scheduling.settings.zone, locale)
    return f"{text}\n\n{waiting.text}"


async def back_to_composer(manager: DialogManager, redo: bool = False) -> None:
    """Back to composing on the same card: the preview, or (`redo`) the step to answer again."""
    await manager.done({REDO: True} if redo else None)


async def start_planning(manager: DialogManager, draft: Draft, list_id: int | None) -> None:
    """Schedule on the composer's preview: this dialog on top of it, drawing on its card."""
    await manager.start(Scheduling.when, data=planning(draft, list_id))


# ---------------------------------------------------------------- typed


async def typed(message: Message, _input: MessageInput, manager: DialogManager) -> None:
    """A time or a cron expression where one is asked; anything else asks again on the card."""
    manager.show_mode = ShowMode.EDIT
    state, plan = manager.current_context().state, plan_of(manager)
    if state == Scheduling.when and message.text:
        await QUESTION.typed(message, manager)
    elif state == Scheduling.cron and message.text:
        await cron_typed(manager, " ".join(message.text.split()), plan)
    elif state == Scheduling.cron:
        await ask_cron(manager, _("Send the expression as text."))
    elif state == Scheduling.card and plan is not None:
        await show_card(manager, plan, _("Use the buttons on the card."))
    else:
        await QUESTION.ask(manager, _("Send the time as text, or choose a button."))


async def cron_typed(manager: DialogManager, expression: str, plan: Plan | None) -> None:
    """A cron expression: checked, then back to the card with its next runs."""
    problem = cron_problem(expression, scheduling_of(manager).settings.zone)
    if problem:
        await ask_cron(manager, problem)
    elif plan is None:
        await QUESTION.ask(manager)
    else:
        await show_card(manager, replace(plan, repeat=Repeat.CRON, cron=expression))


def build_dialog() -> AnsweredCardDialog:
    """A fresh Schedule dialog, so each Dispatcher gets its own."""
    return AnsweredCardDialog(
        card_window(Scheduling.when, when_shown, pressed, typed),
        card_window(Scheduling.card, card_shown, pressed, typed),
        card_window(Scheduling.cron, cron_shown, pressed, typed),
        card_window(Scheduling.done, last_word_shown, pressed, typed),
        role=OPERATOR,
    )


def build_router() -> Router:
    """A fresh router with the Schedule dialog, so each Dispatcher gets its own."""
    router = Router(name="schedule")
    router.include_router(build_dialog())
    return router
