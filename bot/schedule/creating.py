"""Creating schedules: a composed draft becomes a waiting campaign and its schedule, in one write,
kept for the bot's job or handed to the platform with `sent_date`."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.schedule.timetable import Outcome, Owner, Timetable
from bot.schedule.when import Recurrence, first_run, platform_sent_date, too_soon
from storage.campaigns import Draft
from storage.schedules import Schedule, ScheduleMode, ScheduleState

log = logging.getLogger(__name__)


class CreatingSchedules(Timetable):
    """Makes new schedules."""

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
