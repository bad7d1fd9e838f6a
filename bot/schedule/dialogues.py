"""The Schedule conversation on the composing card, as handlers/schedule.py drives it (it owns
the states and hands them in): `PlanDialogue` draws the time question, then the plan card (mode,
repeat, Confirm) and the cron prompt; its plan is kept in the conversation data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.fsm.state import State

from bot.approval.cards import after_approval_text
from bot.compose.list_checks import next_step, summarize_list
from bot.compose.rules import Step
from bot.compose.wizard import ComposeWizard
from bot.schedule.cards import outcome_text
from bot.schedule.plan import Plan
from bot.schedule.service import Outcome, SchedulingService
from bot.schedule.time_cards import (
    render_card,
    render_cron_prompt,
    scheduled_text,
)
from bot.telegram.dialogs import TimeQuestion
from bot.timing.cards import quiet_at_send
from bot.timing.local_time import LocalSend
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
