"""Creating schedules: a composed draft becomes a waiting campaign and its schedule, kept for the
bot's job or handed to the platform with `sent_date`.

The campaign's recipients are copied in a worker thread in short transactions
(`bot.sending.creation`), each piece with its rows' times (a send at local times); the
schedule's row and its audit record are written in the last of them, with the campaign's own:
a schedule is made whole or not at all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.schedule.timetable import Outcome, Owner, Timetable
from bot.schedule.when import Recurrence, first_run, platform_sent_date, too_soon
from bot.timing.local_time import LocalSend
from storage.campaigns import Draft
from storage.schedules import Schedule, ScheduleMode, ScheduleState
from storage.store import Store

log = logging.getLogger(__name__)


class CreatingSchedules(Timetable):
    """Makes new schedules."""

    async def schedule(
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
        local: bool = False,
    ) -> Schedule | Outcome:
        """Schedule a draft in the chosen mode: by the bot, with its repeat, or by the platform
        (which takes no repeat); `local`: at start's time of day in each recipient's zone.
        Raises the sender's AlreadyLaunched."""
        owner = {"owner_id": owner_id, "owner_chat_id": owner_chat_id, "locale": locale}
        if mode is ScheduleMode.PLATFORM:
            return await self.schedule_by_platform(draft, list_id, at=start, local=local, **owner)
        return await self.schedule_by_bot(
            draft, list_id, start=start, recurrence=recurrence, local=local, **owner
        )

    async def schedule_by_bot(
        self,
        draft: Draft,
        list_id: int,
        *,
        start: datetime,
        recurrence: Recurrence | None,
        owner_id: int,
        owner_chat_id: int,
        locale: str | None = None,
        local: bool = False,
    ) -> Schedule | Outcome:
        """Keep the campaign waiting and register its job; raises the sender's AlreadyLaunched.

        `local`: the job fires at the first zone's time; each zone's rows wait for their own."""
        if local and recurrence is not None:
            raise ValueError("a send at each recipient's local time does not repeat")
        zones = self.local_send(list_id, start) if local else None
        run_at = zones.first if zones else first_run(recurrence, start, self.settings.zone)
        if run_at is None:
            return Outcome.NEVER
        if too_soon(run_at, self.clock()):
            return Outcome.TOO_SOON
        owner = Owner(owner_id, owner_chat_id, locale)
        repeat = recurrence.to_text() if recurrence else None

        until = zones.until() if zones else None

        def hold(store: Store, campaign_id: int, seqs: tuple[int, int]) -> None:
            if until:
                store.message_times.wait_until(campaign_id, until, seqs)

        def complete(store: Store, schedule: Schedule) -> None:
            store.audit.record(
                owner_id,
                "schedule_create",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                run_at=schedule.run_at,
                mode=schedule.mode.value,
                recurrence=schedule.recurrence,
            )

        schedule = await self._add(
            draft,
            list_id,
            owner,
            complete,
            hold,
            run_at=run_at,
            mode=ScheduleMode.BOT,
            recurrence=repeat,
            local_time=zones.wall_text if zones else None,
        )
        self._register(schedule)
        log.info(
            "schedule %s: campaign %s at %s", schedule.id, schedule.campaign_id, schedule.run_at
        )
        return schedule

    async def schedule_by_platform(
        self,
        draft: Draft,
        list_id: int,
        *,
        at: datetime,
        owner_id: int,
        owner_chat_id: int,
        locale: str | None = None,
        local: bool = False,
    ) -> Schedule | Outcome:
        """Submit now with `sent_date`; the platform holds the messages until `at`.

        `local`: each row has its own `sent_date`, at's time of day in the recipient's zone;
        the campaign's is the first of them."""
        zones = self.local_send(list_id, at) if local else None
        if zones:
            at = zones.first
        if too_soon(at, self.clock()):
            return Outcome.TOO_SOON
        owner = Owner(owner_id, owner_chat_id, locale)
        held = replace(draft, sent_date=platform_sent_date(at, self.settings.pulse_zone))
        dates = zones.sent_dates(self.settings.pulse_zone) if zones else None

        def date(store: Store, campaign_id: int, seqs: tuple[int, int]) -> None:
            if dates:
                store.message_times.set_sent_dates(campaign_id, dates, seqs)

        def complete(store: Store, schedule: Schedule) -> None:
            store.audit.record(
                owner_id,
                "schedule_create",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                mode=ScheduleMode.PLATFORM.value,
                sent_date=held.sent_date,
            )

        schedule = await self._add(
            held,
            list_id,
            owner,
            complete,
            date,
            run_at=at,
            mode=ScheduleMode.PLATFORM,
            local_time=zones.wall_text if zones else None,
        )
        self.sender.launch(schedule.campaign_id)
        return schedule

    async def _add(
        self,
        draft: Draft,
        list_id: int,
        owner: Owner,
        complete: Callable[[Store, Schedule], None],
        shape: Callable[[Store, int, tuple[int, int]], None],
        *,
        run_at: datetime,
        mode: ScheduleMode,
        recurrence: str | None = None,
        local_time: str | None = None,
    ) -> Schedule:
        """The draft's campaign and its schedule row: waiting for the bot's job, or already handed
        to the platform (`done`). Raises the sender's AlreadyLaunched.

        `shape` sets the rows' own times with each piece of the copy; the row and
        `complete(store, schedule)` (the audit record) are written in the campaign's last
        transaction, in the worker thread that copies its recipients: a stop or an error before
        it leaves no waiting campaign, its list claimed, that no schedule ever fires."""
        by_bot = mode is ScheduleMode.BOT

        def made(store: Store, campaign_id: int) -> int:
            schedule_id = store.schedules.add(
                campaign_id,
                owner_id=owner.user_id,
                owner_chat_id=owner.chat_id,
                run_at=run_at,
                mode=mode,
                recurrence=recurrence,
                state=ScheduleState.PENDING if by_bot else ScheduleState.DONE,
                locale=owner.locale,
                local_time=local_time,
            )
            schedule = store.schedules.get(schedule_id)
            assert schedule is not None
            complete(store, schedule)
            return schedule_id

        schedule_id = await self.sender.prepare_off_loop(
            draft,
            list_id,
            made,
            author_id=owner.user_id,
            author_chat_id=owner.chat_id,
            scheduled=by_bot,
            shape=shape,
        )
        return self._get(schedule_id)

    def local_send(self, list_id: int, start: datetime) -> LocalSend:
        """When each zone of a list gets a send at start's time of day in its own zone."""
        return LocalSend.of(start, self.settings.zone, self.store.recipient_lists.zones(list_id))
