"""The ground every part of scheduling stands on: the schedules table, the APScheduler job that
mirrors each pending schedule, the clock, and what a schedule looks like in lists and questions.

`SchedulingService` (service.py) is this plus its parts: creating, firing, pausing and managing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Protocol, TypeVar

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from bot.config import Settings
from bot.notices import Notices
from bot.schedule.notices import ScheduleSummary
from bot.schedule.when import Recurrence, next_run
from storage.approvals import ApprovalState
from storage.campaigns import Draft
from storage.clock import from_iso, utc_now
from storage.members import Role
from storage.schedules import Schedule, ScheduleState
from storage.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


class CampaignSender(Protocol):
    """What scheduling needs from the sending engine (`bot.sending.engine.Sender`)."""

    async def prepare_off_loop(
        self,
        draft: Draft,
        list_id: int,
        then: Callable[[Store, int], T],
        *,
        author_id: int,
        author_chat_id: int,
        scheduled: bool = False,
        shape: Callable[[Store, int, tuple[int, int]], None] | None = None,
    ) -> T: ...

    def launch(self, campaign_id: int) -> None: ...

    @property
    def accepting(self) -> bool:
        """False while the program stops: a launched campaign then waits for the next start."""
        ...

    def cancel_scheduled(self, campaign_id: int, *, actor_id: int | None = None) -> bool: ...

    def waiting_cancelled(self, campaign_id: int) -> None: ...


class Owner(NamedTuple):
    """Who a new schedule belongs to: the member, their chat and their language."""

    user_id: int
    chat_id: int
    locale: str | None


class Outcome(StrEnum):
    DONE = "done"
    GONE = "gone"  # fired, cancelled or changed meanwhile: the button was stale
    NOT_ALLOWED = "not_allowed"
    TOO_SOON = "too_soon"
    NEVER = "never"  # a repeat that never fires after the chosen time
    # Claimed while the program stops: it goes out at the next start.
    AT_NEXT_START = "at_next_start"
    UNAPPROVED = "unapproved"  # a series waiting for approval: none of its runs goes out yet


class Fired(StrEnum):
    SENT = "sent"
    MISSED = "missed"
    UNAPPROVED = "unapproved"  # its series still waits for approval: this run did not go out
    PAUSED = "paused"  # its owner may no longer send: admins were asked
    NOTHING = "nothing"


def job_id(schedule_id: int) -> str:
    return f"schedule:{schedule_id}"


def stamp_of(schedule: Schedule) -> int:
    return int(schedule.run_at_time.timestamp())


class Timetable:
    """The schedules, their jobs and the clock; `clock` returns the current UTC time."""

    def __init__(
        self,
        *,
        store: Store,
        scheduler: BaseScheduler,
        sender: CampaignSender,
        notices: Notices,
        settings: Settings,
        clock: Callable[[], datetime] = utc_now,
        series_approved: Callable[[int], Awaitable[bool]] | None = None,
    ) -> None:
        self.store = store
        self.scheduler = scheduler
        self.sender = sender
        self.notices = notices
        self.settings = settings
        self.clock = clock
        # Whether a repeating send (by its campaign) may run now; it asks for the series' one
        # approval when that is needed and was never asked (`ApprovalService.series_may_run`).
        self.series_approved = series_approved

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.settings.schedule_grace_minutes)

    async def fire(self, schedule_id: int) -> Fired:
        """Run a schedule's current run if it is due (firing.py)."""
        raise NotImplementedError

    async def _job(self, schedule_id: int) -> None:
        try:
            await self.fire(schedule_id)
        except Exception:
            log.exception("schedule %s: firing failed", schedule_id)

    def may_send(self, user_id: int) -> bool:
        """Whether a member may still send: operators and admins."""
        role = self.store.members.role_of(user_id)
        return role is not None and role.allows(Role.OPERATOR)

    # -- showing --------------------------------------------------------------------------------

    def summary(self, schedule: Schedule) -> ScheduleSummary:
        """What lists and questions show of a schedule: its campaign, owner and time zone."""
        campaign = self.store.campaigns.get(schedule.campaign_id)
        owner = self._name_of(schedule.owner_id)
        waiting = self.awaits_approval(schedule)
        to_come: tuple[tuple[datetime, int], ...] = ()
        if schedule.local_time and schedule.state is ScheduleState.DONE:
            rows = self.store.message_times.waiting_until(schedule.campaign_id)
            to_come = tuple((from_iso(moment), count) for moment, count in rows.items())
        return ScheduleSummary(schedule, campaign, owner, self.settings.zone, waiting, to_come)

    def awaits_approval(self, schedule: Schedule) -> bool:
        """Whether the schedule's campaign (a series: the one approval that covers every run)
        still waits for another member's approval."""
        approval = self.store.approvals.for_campaign(schedule.campaign_id)
        return approval is not None and approval.state is ApprovalState.PENDING

    def _name_of(self, user_id: int) -> str | None:
        member = self.store.members.get(user_id)
        return member.name if member else None

    def number_of(self, schedule_id: int) -> int:
        """The number people know a schedule by: its campaign's (0 when it is gone)."""
        schedule = self.store.schedules.get(schedule_id)
        return schedule.campaign_id if schedule else 0

    # -- jobs -----------------------------------------------------------------------------------

    def _register(self, schedule: Schedule) -> None:
        self.scheduler.add_job(
            self._job,
            DateTrigger(run_date=schedule.run_at_time, timezone=self.settings.zone),
            args=[schedule.id],
            id=job_id(schedule.id),
            name=f"scheduled send {schedule.id}",
            replace_existing=True,
            # Never dropped or merged by APScheduler: `fire` judges lateness from the table.
            misfire_grace_time=None,
            coalesce=True,
            # Exactly-once comes from the database claim, so an overlapping run is harmless.
            max_instances=10,
        )

    def _follow(self, schedule: Schedule) -> None:
        """After a run was claimed or missed: a one-off's job goes, a series waits for its next."""
        if schedule.recurrence is None:
            self._unregister(schedule.id)
        else:
            self._register(self._get(schedule.id))

    def _unregister(self, schedule_id: int) -> None:
        if self.scheduler.get_job(job_id(schedule_id)) is not None:
            self.scheduler.remove_job(job_id(schedule_id))

    def _next(self, schedule: Schedule, now: datetime) -> datetime | None:
        assert schedule.recurrence is not None
        recurrence = Recurrence.from_text(schedule.recurrence)
        return next_run(recurrence, schedule.run_at_time, now, self.settings.zone)

    def _get(self, schedule_id: int) -> Schedule:
        schedule = self.store.schedules.get(schedule_id)
        assert schedule is not None
        return schedule
