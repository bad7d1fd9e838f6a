"""Timed sends: creating schedules, registering them with APScheduler, firing each run exactly once.

Design:
- The `schedules` table is the source of truth; APScheduler only holds one `DateTrigger` job per
  pending schedule (`schedule:<id>`), rebuilt from the table at every start.
- A schedule points at a source campaign in state `scheduled`, made by `Sender.create` with the
  composed draft and recipients. A one-off schedule launches that campaign. A recurring one keeps
  it as a template that is never submitted: each run copies it (fields and recipient rows, one
  INSERT ... SELECT each) into a new campaign and launches the copy.
- A run is claimed in the database (a conditional UPDATE on state `pending` and the expected
  `run_at`) in the same transaction that makes its campaign due for submission, so a second
  fire, a stale job or a restart finds the run taken, and a stop, crash or error between the
  claim and the start leaves a campaign that the next start resumes like any other: once.
- Jobs have `misfire_grace_time=None`: APScheduler runs a late job however late, and `fire`
  decides from the table. A run found less than SCHEDULE_GRACE_MINUTES late is sent; a later one
  becomes `missed` and its owner is asked (Send now / Discard). For a recurring schedule only the
  latest missed run is asked about; the series continues with its next run after now.
- A schedule whose owner may no longer send (revoked, or made a viewer) is `paused`, never
  fired: at the revocation, and again at its time if it was still pending then. Every admin gets
  a card to take it over (it then fires normally, on the admin's behalf) or cancel it.
- Platform mode submits at once with `sent_date` (the time in PULSE_TIMEZONE); its row is kept
  as `done` so /scheduled can show it until its time, but it cannot be cancelled from here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, Protocol

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.date import DateTrigger

from bot.config import Settings
from bot.notices import Notices
from bot.schedule.notices import MissedRun, OwnerLostAccess, ScheduleSummary
from bot.schedule.when import Recurrence, first_run, next_run, platform_sent_date, too_soon
from storage.campaigns import Campaign, Draft
from storage.clock import utc_now
from storage.members import Role
from storage.schedules import Schedule, ScheduleMode, ScheduleState
from storage.store import Store

log = logging.getLogger(__name__)

OWED_CARD = "paused_card:"  # kv: "<owner>:<admin>" -> ids of paused schedules to show that admin
PAUSED_LISTED = 20  # schedules on the admins' card about a member who lost access
EARLY_TOLERANCE = timedelta(seconds=1)  # a job woken this early still counts as on time


class CampaignSender(Protocol):
    """What scheduling needs from the sending engine (`bot.sending.engine.Sender`)."""

    def create(
        self,
        draft: Draft,
        list_id: int,
        *,
        author_id: int,
        author_chat_id: int,
        scheduled: bool = False,
    ) -> int: ...

    def launch(self, campaign_id: int) -> None: ...

    @property
    def accepting(self) -> bool:
        """False while the program stops: a launched campaign then waits for the next start."""
        ...

    def cancel_scheduled(self, campaign_id: int, *, actor_id: int | None = None) -> bool: ...


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


class Fired(StrEnum):
    SENT = "sent"
    MISSED = "missed"
    PAUSED = "paused"  # its owner may no longer send: admins were asked
    NOTHING = "nothing"


def job_id(schedule_id: int) -> str:
    return f"schedule:{schedule_id}"


def stamp_of(schedule: Schedule) -> int:
    return int(schedule.run_at_time.timestamp())


class SchedulingService:
    """Creates, fires and manages scheduled sends; `clock` returns the current UTC time."""

    def __init__(
        self,
        *,
        store: Store,
        scheduler: BaseScheduler,
        sender: CampaignSender,
        notices: Notices,
        settings: Settings,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.scheduler = scheduler
        self.sender = sender
        self.notices = notices
        self.settings = settings
        self.clock = clock
        self.owed_cards: asyncio.Task[None] | None = None  # cards a stop kept from admins

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.settings.schedule_grace_minutes)

    # -- creating -------------------------------------------------------------------------------

    def schedule(
        self,
        draft: Draft,
        list_id: int,
        *,
        start: datetime,
        mode: ScheduleMode,
        recurrence: Recurrence | None,
        owner_id: int,
        owner_chat_id: int,
        locale: str | None = None,
    ) -> Schedule | Outcome:
        """Schedule a draft in the chosen mode: by the bot, with its repeat, or by the platform
        (which takes no repeat). Raises the sender's AlreadyLaunched."""
        owner = {"owner_id": owner_id, "owner_chat_id": owner_chat_id, "locale": locale}
        if mode is ScheduleMode.PLATFORM:
            return self.schedule_by_platform(draft, list_id, at=start, **owner)
        return self.schedule_by_bot(draft, list_id, start=start, recurrence=recurrence, **owner)

    def schedule_by_bot(
        self,
        draft: Draft,
        list_id: int,
        *,
        start: datetime,
        recurrence: Recurrence | None,
        owner_id: int,
        owner_chat_id: int,
        locale: str | None = None,
    ) -> Schedule | Outcome:
        """Keep the campaign waiting and register its job; raises the sender's AlreadyLaunched."""
        run_at = first_run(recurrence, start, self.settings.zone)
        if run_at is None:
            return Outcome.NEVER
        if too_soon(run_at, self.clock()):
            return Outcome.TOO_SOON
        owner = Owner(owner_id, owner_chat_id, locale)
        repeat = recurrence.to_text() if recurrence else None
        with self.store.db.atomic():
            schedule = self._add(
                draft, list_id, owner, run_at=run_at, mode=ScheduleMode.BOT, recurrence=repeat
            )
            self.store.audit.record(
                owner_id,
                "schedule_create",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                run_at=schedule.run_at,
                mode=schedule.mode.value,
                recurrence=schedule.recurrence,
            )
        self._register(schedule)
        log.info(
            "schedule %s: campaign %s at %s", schedule.id, schedule.campaign_id, schedule.run_at
        )
        return schedule

    def schedule_by_platform(
        self,
        draft: Draft,
        list_id: int,
        *,
        at: datetime,
        owner_id: int,
        owner_chat_id: int,
        locale: str | None = None,
    ) -> Schedule | Outcome:
        """Submit now with `sent_date`; the platform holds the messages until `at`."""
        if too_soon(at, self.clock()):
            return Outcome.TOO_SOON
        owner = Owner(owner_id, owner_chat_id, locale)
        held = replace(draft, sent_date=platform_sent_date(at, self.settings.pulse_zone))
        with self.store.db.atomic():
            schedule = self._add(held, list_id, owner, run_at=at, mode=ScheduleMode.PLATFORM)
            self.store.audit.record(
                owner_id,
                "schedule_create",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                mode=ScheduleMode.PLATFORM.value,
                sent_date=held.sent_date,
            )
        self.sender.launch(schedule.campaign_id)
        return schedule

    def _add(
        self,
        draft: Draft,
        list_id: int,
        owner: Owner,
        *,
        run_at: datetime,
        mode: ScheduleMode,
        recurrence: str | None = None,
    ) -> Schedule:
        """The draft's campaign and its schedule row: waiting for the bot's job, or already handed
        to the platform (`done`). Raises the sender's AlreadyLaunched.

        Called inside the caller's transaction, with its audit record: a stop or an error
        between the sender's commit and the row would leave a waiting campaign, its list
        claimed, that no schedule ever fires."""
        by_bot = mode is ScheduleMode.BOT
        campaign_id = self.sender.create(
            draft, list_id, author_id=owner.user_id, author_chat_id=owner.chat_id, scheduled=by_bot
        )
        schedule_id = self.store.schedules.add(
            campaign_id,
            owner_id=owner.user_id,
            owner_chat_id=owner.chat_id,
            run_at=run_at,
            mode=mode,
            recurrence=recurrence,
            state=ScheduleState.PENDING if by_bot else ScheduleState.DONE,
            locale=owner.locale,
        )
        return self._get(schedule_id)

    # -- running --------------------------------------------------------------------------------

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
        if now - schedule.run_at_time > self.grace:
            return await self._miss(schedule, now)
        return Fired.SENT if self._run(schedule, now) else Fired.NOTHING

    async def _job(self, schedule_id: int) -> None:
        try:
            await self.fire(schedule_id)
        except Exception:
            log.exception("schedule %s: firing failed", schedule_id)

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

    async def _ask_owner(self, missed: Schedule, now: datetime) -> None:
        late = int((now - missed.run_at_time).total_seconds() // 60)
        question = MissedRun(self.summary(missed), minutes_late=late, locale=missed.locale)
        # Not told is not lost: /scheduled shows the missed send, so the owner can decide there.
        if not await self.notices.tell(missed.owner_chat_id, question):
            log.warning("schedule %s: could not ask the owner about the missed run", missed.id)

    # -- owners who lose access ---------------------------------------------------------------

    def may_send(self, user_id: int) -> bool:
        """Whether a member may still send: operators and admins."""
        role = self.store.members.role_of(user_id)
        return role is not None and role.allows(Role.OPERATOR)

    def pause_owner(self, owner_id: int, *, actor_id: int | None) -> list[Schedule]:
        """Pause every pending schedule of a member who may no longer send; returns them.

        Pausing and owing each admin the card about them is one step, so a stop before the
        cards went out is made good at the next start (`tell_owed`)."""
        with self.store.db.atomic():
            paused = self.store.schedules.pause_owned_by(owner_id)
            for schedule in paused:
                self.store.audit.record(
                    actor_id,
                    "schedule_paused",
                    schedule_id=schedule.id,
                    campaign_id=schedule.campaign_id,
                    owner_id=owner_id,
                )
            self._owe_cards(owner_id, paused)
        for schedule in paused:
            self._unregister(schedule.id)
        if paused:
            log.warning(
                "schedules of %s paused, the owner may no longer send: %s",
                owner_id,
                ", ".join(str(schedule.id) for schedule in paused),
            )
        return paused

    async def _pause_orphan(self, schedule: Schedule) -> Fired:
        with self.store.db.atomic():
            if not self.store.schedules.pause(schedule.id, schedule.run_at):
                return Fired.NOTHING
            self.store.audit.record(
                None,
                "schedule_paused",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                owner_id=schedule.owner_id,
            )
            self._owe_cards(schedule.owner_id, [schedule])
        self._unregister(schedule.id)
        log.warning("schedule %s paused at its time: its owner may no longer send", schedule.id)
        await self.tell_admins(schedule.owner_id)
        return Fired.PAUSED

    def _owe_cards(self, owner_id: int, paused: list[Schedule]) -> None:
        """Each admin is owed a card about these paused schedules (kept with any owed before)."""
        if not paused:
            return
        for admin in self.store.members.all():
            if admin.role is Role.ADMIN:
                key = f"{OWED_CARD}{owner_id}:{admin.user_id}"
                owed = json.loads(self.store.kv.get(key) or "[]")
                ids = list(dict.fromkeys([*owed, *(schedule.id for schedule in paused)]))
                self.store.kv.set(key, json.dumps(ids))

    async def tell_admins(self, owner_id: int) -> None:
        """Send each admin the card they are owed about the owner's paused schedules: one card
        listing them, with Take over and Cancel. Owed until Telegram took it."""
        for key, value in self.store.kv.with_prefix(f"{OWED_CARD}{owner_id}:"):
            admin_id = int(key.rsplit(":", 1)[1])
            found = [self.store.schedules.get(schedule_id) for schedule_id in json.loads(value)]
            paused = [s for s in found if s is not None and s.state is ScheduleState.PAUSED]
            if paused:
                card = OwnerLostAccess(
                    owner_id,
                    self._name_of(owner_id),
                    tuple(self.summary(schedule) for schedule in paused[:PAUSED_LISTED]),
                    total=len(paused),
                )
                if not await self.notices.tell(admin_id, card):
                    # Still owed: tried again at the next start, until they are taken care of.
                    log.warning("admin %s not told about paused schedules yet", admin_id)
                    continue
            if self.store.kv.get(key) == value:  # nothing newer was owed meanwhile
                self.store.kv.delete(key)

    async def tell_owed(self) -> None:
        """After a start: the cards about paused schedules that a stop kept from the admins."""
        owners = dict.fromkeys(
            int(key[len(OWED_CARD) :].split(":", 1)[0])
            for key, _value in self.store.kv.with_prefix(OWED_CARD)
        )
        for owner_id in owners:
            try:
                await self.tell_admins(owner_id)
            except Exception:
                log.exception("could not tell admins about the paused schedules of %s", owner_id)

    def take_over(
        self, schedule_id: int, *, actor_id: int, role: Role, chat_id: int, locale: str | None
    ) -> Outcome:
        """An admin becomes the owner of a paused schedule, which then goes out at its time."""
        if role is not Role.ADMIN:
            return Outcome.NOT_ALLOWED
        schedule = self.store.schedules.get(schedule_id)
        if schedule is None or schedule.state is not ScheduleState.PAUSED:
            return Outcome.GONE
        with self.store.db.atomic():
            if not self.store.schedules.take_over(
                schedule_id, owner_id=actor_id, owner_chat_id=chat_id, locale=locale
            ):
                return Outcome.GONE
            self.store.audit.record(
                actor_id,
                "schedule_take_over",
                schedule_id=schedule_id,
                campaign_id=schedule.campaign_id,
                previous_owner=schedule.owner_id,
            )
        # Due or overdue by now, it fires at once and `fire` judges it like any other run.
        self._register(self._get(schedule_id))
        log.info("schedule %s taken over by %s from %s", schedule_id, actor_id, schedule.owner_id)
        return Outcome.DONE

    # -- managing -------------------------------------------------------------------------------

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

    def send_now(self, schedule_id: int, *, actor_id: int, role: Role, stamp: int) -> Outcome:
        """Send the upcoming run now (a recurring schedule then continues with the one after)."""
        schedule = self._managed(schedule_id, actor_id, role)
        if isinstance(schedule, Outcome):
            return schedule
        if schedule.state is ScheduleState.MISSED:
            return self.resolve_missed(schedule_id, send=True, actor_id=actor_id, role=role)
        if schedule.mode is not ScheduleMode.BOT or stamp != stamp_of(schedule):
            return Outcome.GONE
        if not self._run(schedule, self.clock(), actor_id=actor_id):
            return Outcome.GONE
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
        run_at = first_run(recurrence, start, self.settings.zone)
        if run_at is None:
            return Outcome.NEVER
        if too_soon(run_at, self.clock()):
            return Outcome.TOO_SOON
        with self.store.db.atomic():
            if not self.store.schedules.move(
                schedule_id, schedule.run_at, run_at, schedule.recurrence
            ):
                return Outcome.GONE
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

    # -- showing --------------------------------------------------------------------------------

    def summary(self, schedule: Schedule) -> ScheduleSummary:
        """What lists and questions show of a schedule: its campaign, owner and time zone."""
        campaign = self.store.campaigns.get(schedule.campaign_id)
        owner = self._name_of(schedule.owner_id)
        return ScheduleSummary(schedule, campaign, owner, self.settings.zone)

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
