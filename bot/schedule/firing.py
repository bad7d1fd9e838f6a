"""Firing runs: each pending schedule's job claims its run in the database and launches it,
exactly once; a run found too late is missed and its owner asked; one whose owner may no longer
send is paused."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from bot.schedule.notices import MissedRun, RunUnapproved
from bot.schedule.pausing import OWED_CARD, PausingSchedules
from bot.schedule.timetable import Fired
from storage.schedules import Schedule, ScheduleMode, ScheduleState

log = logging.getLogger(__name__)

EARLY_TOLERANCE = timedelta(seconds=1)  # a job woken this early still counts as on time


class FiringRuns(PausingSchedules):
    """Registers pending schedules at start and fires their runs."""

    def restore(self) -> int:
        """Register every pending schedule (overdue ones too: their job runs as soon as the
        scheduler does, and `fire` decides). Returns how many were registered."""
        pending = [
            schedule
            for schedule in self.store.schedules.with_state(ScheduleState.PENDING)
            if schedule.mode is ScheduleMode.BOT
        ]
        for schedule in pending:
            self._register(schedule)
        log.info("scheduled sends registered: %s", len(pending))
        if self.store.kv.with_prefix(OWED_CARD):
            self.owed_cards = asyncio.get_running_loop().create_task(self.tell_owed())
        return len(pending)

    def due(self) -> list[Schedule]:
        """Pending schedules whose time has come."""
        now = self.clock()
        return [
            schedule
            for schedule in self.store.schedules.with_state(ScheduleState.PENDING)
            if schedule.mode is ScheduleMode.BOT and schedule.run_at_time <= now
        ]

    async def fire_due(self) -> dict[int, Fired]:
        """Fire every due schedule once (what the jobs do, all at once)."""
        return {schedule.id: await self.fire(schedule.id) for schedule in self.due()}

    async def fire(self, schedule_id: int) -> Fired:
        """Run a schedule's current run if it is due: send it, or ask its owner if it is too late."""
        schedule = self.store.schedules.get(schedule_id)
        if schedule is None or schedule.state is not ScheduleState.PENDING:
            return Fired.NOTHING
        now = self.clock()
        if schedule.run_at_time - now > EARLY_TOLERANCE:
            self._register(schedule)  # a stale job of a moved schedule: wait for the new time
            return Fired.NOTHING
        if not self.may_send(schedule.owner_id):
            # Revoked (or made a viewer) after scheduling: nothing goes out on their behalf.
            return await self._pause_orphan(schedule)
        if schedule.recurrence and not await self._series_may_run(schedule):
            return await self._pass_unapproved(schedule, now)
        if now - schedule.run_at_time > self.grace:
            return await self._miss(schedule, now)
        return Fired.SENT if self._run(schedule, now) else Fired.NOTHING

    def _run(self, schedule: Schedule, now: datetime, actor_id: int | None = None) -> bool:
        """Claim the current run in the database, then launch it; False if it was taken."""
        following = self._next(schedule, now) if schedule.recurrence else None
        if schedule.recurrence and following is None:
            return False
        with self.store.db.atomic():
            if following is None:
                claimed = self.store.schedules.fire_once(schedule.id, schedule.run_at, now)
                campaign_id: int | None = schedule.campaign_id if claimed else None
            else:
                campaign_id = self.store.schedules.fire_recurring(
                    schedule.id, schedule.run_at, following, now
                )
            if campaign_id is None:
                return False
            self.store.audit.record(
                actor_id,
                "schedule_fired" if actor_id is None else "schedule_send_now",
                schedule_id=schedule.id,
                campaign_id=campaign_id,
                run_at=schedule.run_at,
            )
        self._follow(schedule)
        log.info("schedule %s: launching campaign %s", schedule.id, campaign_id)
        self.sender.launch(campaign_id)
        return True

    async def _miss(self, schedule: Schedule, now: datetime) -> Fired:
        """Too late to send by itself: record the missed run and ask its owner."""
        following = self._next(schedule, now) if schedule.recurrence else None
        if schedule.recurrence and following is None:
            return Fired.NOTHING
        with self.store.db.atomic():
            if following is None:
                taken = self.store.schedules.miss_once(schedule.id, schedule.run_at)
                missed_id: int | None = schedule.id if taken else None
            else:
                missed_id = self.store.schedules.miss_recurring(
                    schedule.id, schedule.run_at, following, now
                )
            if missed_id is None:
                return Fired.NOTHING
            self.store.audit.record(
                None, "schedule_missed", schedule_id=missed_id, run_at=schedule.run_at
            )
        self._follow(schedule)
        log.warning("schedule %s: missed its time %s", missed_id, schedule.run_at)
        await self._ask_owner(self._get(missed_id), now)
        return Fired.MISSED

    async def _series_may_run(self, schedule: Schedule) -> bool:
        if self.awaits_approval(schedule):
            return False
        return self.series_approved is None or await self.series_approved(schedule.campaign_id)

    async def _pass_unapproved(self, schedule: Schedule, now: datetime) -> Fired:
        """A series' one approval covers all its runs, so while it is still awaited a run does
        not go out (nor asks for an approval of its own): the series moves on to its next run
        and its owner is told."""
        following = self._next(schedule, now)
        if following is None:
            return Fired.NOTHING
        with self.store.db.atomic():
            if not self.store.schedules.pass_run(schedule.id, schedule.run_at, following):
                return Fired.NOTHING
            self.store.audit.record(
                None,
                "schedule_run_unapproved",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                run_at=schedule.run_at,
            )
        self._follow(schedule)
        log.info("schedule %s: run %s not sent, awaiting approval", schedule.id, schedule.run_at)
        passed = RunUnapproved(self.summary(self._get(schedule.id)), schedule.run_at_time)
        if not await self.notices.tell(schedule.owner_chat_id, passed):
            log.warning("schedule %s: could not tell the owner about the run", schedule.id)
        return Fired.UNAPPROVED

    async def _ask_owner(self, missed: Schedule, now: datetime) -> None:
        late = int((now - missed.run_at_time).total_seconds() // 60)
        question = MissedRun(self.summary(missed), minutes_late=late, locale=missed.locale)
        # Not told is not lost: /scheduled shows the missed send, so the owner can decide there.
        if not await self.notices.tell(missed.owner_chat_id, question):
            log.warning("schedule %s: could not ask the owner about the missed run", missed.id)
