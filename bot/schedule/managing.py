"""Managing schedules from /scheduled and the questions: who may, Cancel, Send now, Reschedule,
and the answer to a missed run. Each change and its audit record are one write."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.schedule.firing import FiringRuns
from bot.schedule.timetable import Outcome, stamp_of
from bot.schedule.when import Recurrence, first_run, too_soon
from bot.timing.local_time import LocalSend
from storage.campaigns import Campaign
from storage.clock import to_iso
from storage.members import Role
from storage.messages import SubmitState
from storage.schedules import Schedule, ScheduleMode, ScheduleState

log = logging.getLogger(__name__)


class ManagingSchedules(FiringRuns):
    """Changes waiting schedules on behalf of the members allowed to."""

    def may_manage(self, schedule: Schedule, user_id: int, role: Role) -> bool:
        """Admins manage every schedule, operators their own."""
        return role is Role.ADMIN or (role is Role.OPERATOR and schedule.owner_id == user_id)

    def visible_to(self, user_id: int, role: Role) -> list[Schedule]:
        """What /scheduled lists for this member, soonest first."""
        owner = None if role is Role.ADMIN else user_id
        return self.store.schedules.waiting(self.clock(), owner_id=owner)

    def pending(
        self, schedule_id: int, *, actor_id: int, role: Role
    ) -> tuple[Schedule, Campaign] | Outcome:
        """A pending schedule and its campaign, before asking what to do with them; or why not."""
        schedule = self.store.schedules.get(schedule_id)
        campaign = self.store.campaigns.get(schedule.campaign_id) if schedule else None
        if schedule is None or campaign is None or schedule.state is not ScheduleState.PENDING:
            return Outcome.GONE
        if not self.may_manage(schedule, actor_id, role):
            return Outcome.NOT_ALLOWED
        return schedule, campaign

    def cancel(self, schedule_id: int, *, actor_id: int, role: Role) -> Outcome:
        """Cancel a pending bot-mode schedule (or discard a missed one): nothing will be sent."""
        schedule = self._managed(schedule_id, actor_id, role)
        if isinstance(schedule, Outcome):
            return schedule
        if schedule.state is ScheduleState.MISSED:
            return self.resolve_missed(schedule_id, send=False, actor_id=actor_id, role=role)
        if schedule.mode is not ScheduleMode.BOT:
            return Outcome.GONE
        if schedule.state is ScheduleState.DONE and schedule.local_time:
            return self._cancel_zones_to_come(schedule, actor_id)
        with self.store.db.atomic():
            if not self.store.schedules.cancel(schedule_id):
                return Outcome.GONE
            self.sender.cancel_scheduled(schedule.campaign_id, actor_id=actor_id)
            self.store.audit.record(
                actor_id,
                "schedule_cancel",
                schedule_id=schedule_id,
                campaign_id=schedule.campaign_id,
            )
        self._unregister(schedule_id)
        return Outcome.DONE

    def _cancel_zones_to_come(self, schedule: Schedule, actor_id: int) -> Outcome:
        """A send at local times under way: its zones still waiting never get it."""
        with self.store.db.atomic():
            cancelled = self.store.messages.cancel_waiting(schedule.campaign_id)
            if not cancelled:
                return Outcome.GONE  # the last zone went out meanwhile
            self.store.audit.record(
                actor_id,
                "schedule_cancel",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                waiting=cancelled,
            )
        log.info("schedule %s: %d recipients still waiting cancelled", schedule.id, cancelled)
        self.sender.waiting_cancelled(schedule.campaign_id)
        return Outcome.DONE

    def send_now(self, schedule_id: int, *, actor_id: int, role: Role, stamp: int) -> Outcome:
        """Send the upcoming run now (a recurring schedule then continues with the one after)."""
        schedule = self._managed(schedule_id, actor_id, role)
        if isinstance(schedule, Outcome):
            return schedule
        if schedule.state is ScheduleState.MISSED:
            return self.resolve_missed(schedule_id, send=True, actor_id=actor_id, role=role)
        if schedule.mode is not ScheduleMode.BOT or stamp != stamp_of(schedule):
            return Outcome.GONE
        if schedule.recurrence and self.awaits_approval(schedule):
            return Outcome.UNAPPROVED  # its one approval comes first, not one per run
        if not self._run(schedule, self.clock(), actor_id=actor_id):
            return Outcome.GONE
        if schedule.local_time:  # now means now for every zone, before the pass begins
            self.store.message_times.release_all(schedule.campaign_id)
        return Outcome.DONE if self.sender.accepting else Outcome.AT_NEXT_START

    def reschedule(
        self, schedule_id: int, start: datetime, *, actor_id: int, role: Role, stamp: int
    ) -> Schedule | Outcome:
        """Move a pending schedule (a recurring one: its series) to start at `start`."""
        schedule = self._managed(schedule_id, actor_id, role)
        if isinstance(schedule, Outcome):
            return schedule
        if schedule.state is not ScheduleState.PENDING or stamp != stamp_of(schedule):
            return Outcome.GONE
        recurrence = Recurrence.from_text(schedule.recurrence) if schedule.recurrence else None
        zones = self._local_again(schedule, start) if schedule.local_time else None
        run_at = zones.first if zones else first_run(recurrence, start, self.settings.zone)
        if run_at is None:
            return Outcome.NEVER
        if too_soon(run_at, self.clock()):
            return Outcome.TOO_SOON
        with self.store.db.atomic():
            if not self.store.schedules.move(
                schedule_id, schedule.run_at, run_at, schedule.recurrence
            ):
                return Outcome.GONE
            if zones:
                self.store.schedules.move_local(schedule_id, to_iso(run_at), zones.wall_text)
                self.store.message_times.wait_until(schedule.campaign_id, zones.until())
            moved = self._get(schedule_id)
            self.store.audit.record(
                actor_id,
                "schedule_reschedule",
                schedule_id=schedule_id,
                previous=schedule.run_at,
                run_at=moved.run_at,
            )
        self._register(moved)
        return moved

    def _local_again(self, schedule: Schedule, start: datetime) -> LocalSend:
        """A send at local times moved to start's time of day: each zone's new moment."""
        counts = self.store.message_times.zones(
            schedule.campaign_id, (SubmitState.NEW, SubmitState.WAITING)
        )
        return LocalSend.of(start, self.settings.zone, counts)

    def resolve_missed(self, schedule_id: int, *, send: bool, actor_id: int, role: Role) -> Outcome:
        """The owner's answer to a missed send: send it now, or discard it. Only the first counts."""
        schedule = self._managed(schedule_id, actor_id, role)
        if isinstance(schedule, Outcome):
            return schedule
        with self.store.db.atomic():
            if not self.store.schedules.resolve_missed(schedule_id, send=send, at=self.clock()):
                return Outcome.GONE
            self.store.audit.record(
                actor_id,
                "schedule_missed_send" if send else "schedule_discard",
                schedule_id=schedule_id,
                campaign_id=schedule.campaign_id,
            )
            if not send:
                self.sender.cancel_scheduled(schedule.campaign_id, actor_id=actor_id)
        if not send:
            return Outcome.DONE
        self.sender.launch(schedule.campaign_id)
        return Outcome.DONE if self.sender.accepting else Outcome.AT_NEXT_START

    def _managed(self, schedule_id: int, actor_id: int, role: Role) -> Schedule | Outcome:
        """The schedule, if it is there and this member may manage it; otherwise why not."""
        schedule = self.store.schedules.get(schedule_id)
        if schedule is None:
            return Outcome.GONE
        return schedule if self.may_manage(schedule, actor_id, role) else Outcome.NOT_ALLOWED
