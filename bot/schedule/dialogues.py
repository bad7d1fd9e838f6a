"""The scheduling conversations on a card, as the handlers drive them (handlers/schedule.py,
handlers/scheduled.py own their states and hand them in):

- `PlanDialogue`: Schedule on the preview. It draws on the composing card: the time question,
  then the plan card (mode, repeat, Confirm) and the cron prompt; its plan is kept in the
  conversation data.
- `Rescheduling`: the Reschedule card, a card of its own: the same time question, then the new
  time echoed with Confirm.
- `Listing`: /scheduled as one member sees it, and the answers to presses on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.callback_answer import CallbackAnswer

from bot.approval.cards import after_approval_text
from bot.compose.list_checks import next_step, summarize_list
from bot.compose.rules import Step
from bot.compose.wizard import ComposeWizard
from bot.schedule.cards import ScheduleAction, outcome_text, render_list
from bot.schedule.plan import Plan
from bot.schedule.service import Outcome, SchedulingService
from bot.schedule.time_cards import (
    move_title,
    render_card,
    render_cron_prompt,
    render_move_confirm,
    render_when,
    scheduled_text,
)
from bot.telegram.dialogs import TimeQuestion, Wizard, edit_pressed
from bot.telegram.presses import alert, tell
from bot.timing.cards import quiet_at_send
from bot.timing.local_time import LocalSend
from storage.campaigns import Campaign
from storage.members import Member
from storage.schedules import Schedule, ScheduleMode

PLAN = "schedule_plan"  # conversation data: the plan as the card shows it


@dataclass(frozen=True)
class PlanSteps:
    """The Schedule conversation's states, as its handlers declare them."""

    when: State  # choose or type the time
    card: State  # the plan with mode, repeat and Confirm
    cron: State  # type a cron expression


class PlanDialogue(TimeQuestion):
    """One person's Schedule conversation, drawn on the composing card."""

    wizard: ComposeWizard

    def __init__(
        self, wizard: ComposeWizard, scheduling: SchedulingService, locale: str, steps: PlanSteps
    ) -> None:
        super().__init__(wizard, scheduling, locale, steps.when)
        self.steps = steps

    async def plan(self) -> Plan | None:
        data = (await self.state.get_data()).get(PLAN)
        return Plan.from_data(data) if data else None

    async def start(self) -> None:
        """Forget any earlier plan and ask when."""
        await self.state.update_data({PLAN: None})
        await self.ask_time()

    async def use_time(self, moment: datetime) -> None:
        plan = Plan.at(moment, self.settings.zone, await self.plan())
        plan.rolled = self.rolled
        await self.show_card(plan)

    async def ask_cron(self, problem: str = "") -> None:
        await self.state.set_state(self.steps.cron)
        await self.wizard.show(*render_cron_prompt(problem))

    async def show_card(self, plan: Plan, problem: str = "") -> None:
        """Keep the plan and draw it, with Confirm."""
        draft, list_id = await self.wizard.load()
        summary = summarize_list(self.wizard.store, list_id)
        local = LocalSend.of(plan.start, self.settings.zone, summary.zones) if plan.local else None
        at = local.moments if local else {None: plan.start}
        quiet = quiet_at_send(self.settings, summary.zones, at)
        await self.state.update_data({PLAN: plan.to_data()})
        await self.state.set_state(self.steps.card)
        text, markup = render_card(
            plan,
            message_type=draft.type,
            count=summary.size,
            settings=self.settings,
            locale=self.locale,
            problem=problem,
            local=local,
            quiet=quiet,
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
        step, _problem = next_step(draft, list_id, self.wizard.store, self.settings)
        if step is not Step.PREVIEW or list_id is None:
            return None
        return await self.scheduling.schedule(
            draft,
            list_id,
            start=plan.start,
            mode=plan.mode,
            recurrence=plan.recurrence(),
            owner_id=owner_id,
            owner_chat_id=self.wizard.chat_id,
            locale=self.locale,
            local=plan.local,
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
            if waiting and result.mode is ScheduleMode.PLATFORM:
                # Not submitted yet: it is handed to the platform once approved.
                text = after_approval_text(result, self.settings.zone, self.locale)
            await self.finish(f"{text}\n\n{waiting}" if waiting else text)


@dataclass(frozen=True)
class RescheduleSteps:
    """The Reschedule card's states, as its handlers declare them."""

    when: State  # choose or type the new time
    confirm: State  # the new time echoed, with Confirm


class Rescheduling(TimeQuestion):
    """One person's Reschedule card: the schedule it moves and the new time, in the FSM data."""

    def __init__(
        self, wizard: Wizard, scheduling: SchedulingService, locale: str, steps: RescheduleSteps
    ) -> None:
        super().__init__(wizard, scheduling, locale, steps.when)
        self.steps = steps

    async def open(self, schedule_id: int, stamp: int, list_id: int | None = None) -> None:
        """A new card asking for the new time; an open conversation ends and its card loses its
        buttons. `list_id`: the /scheduled list it was opened from, redrawn after the move."""
        now, title = self.scheduling.clock(), move_title(self.scheduling.number_of(schedule_id))
        text, markup = render_when(self.settings, now, title=title)
        await self.wizard.open(text, markup, move_id=schedule_id, move_stamp=stamp, list=list_id)
        await self.state.set_state(self.asking)

    async def title(self) -> str:
        schedule_id = (await self.state.get_data()).get("move_id", 0)
        return move_title(self.scheduling.number_of(schedule_id))

    async def use_time(self, moment: datetime) -> None:
        """Echo the new time and ask to confirm."""
        data = await self.state.get_data()
        schedule = self.scheduling.store.schedules.get(data.get("move_id", 0))
        if schedule is None:
            await self.ask_time()
            return
        await self.state.update_data({"move_start": moment.isoformat()})
        await self.state.set_state(self.steps.confirm)
        await self.wizard.show(
            *render_move_confirm(schedule, moment, self.settings, self.locale, self.rolled)
        )

    async def move(self, member: Member) -> Schedule | Outcome | None:
        """Move the schedule to the new time on the card; None when no time was chosen."""
        data = await self.state.get_data()
        if "move_start" not in data:
            return None
        return self.scheduling.reschedule(
            data.get("move_id", 0),
            datetime.fromisoformat(data["move_start"]),
            actor_id=member.user_id,
            role=member.role,
            stamp=data.get("move_stamp", 0),
        )

    async def list_id(self) -> int | None:
        """The /scheduled list the card was opened from."""
        return (await self.state.get_data()).get("list")


class Listing:
    """/scheduled as one member sees it: the list, and the answers to presses on it."""

    def __init__(
        self,
        scheduling: SchedulingService,
        member: Member,
        locale: str,
        pressed: CallbackAnswer | None = None,
    ) -> None:
        self.scheduling, self.member, self.locale = scheduling, member, locale
        self.pressed = pressed  # how a press on the list is answered, after its handler

    def render(self) -> tuple[str, InlineKeyboardMarkup | None]:
        waiting = self.scheduling.visible_to(self.member.user_id, self.member.role)
        return render_list(waiting, self.scheduling.summary, self.locale)

    async def answer(self, query: CallbackQuery, outcome: Outcome, done: str) -> None:
        """Answer a press with what it did (or an alert saying why not), and redraw the list."""
        assert self.pressed is not None
        if outcome is Outcome.DONE:
            tell(self.pressed, done)
        else:
            alert(self.pressed, outcome_text(outcome))
        await self.redraw(query)

    async def redraw(self, query: CallbackQuery) -> None:
        await edit_pressed(query, *self.render())

    async def pending(
        self, query: CallbackQuery, pressed: ScheduleAction
    ) -> tuple[Schedule, Campaign] | None:
        """The pressed schedule and its campaign; None, with an alert saying why, when it
        cannot be acted on."""
        member = self.member
        found = self.scheduling.pending(
            pressed.schedule_id, actor_id=member.user_id, role=member.role
        )
        if isinstance(found, Outcome):
            assert self.pressed is not None
            alert(self.pressed, outcome_text(found))
            return None
        return found
