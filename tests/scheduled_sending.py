"""Scheduling on the real sending engine: a clock the test sets, the fake platform over HTTP, the
status cards on the fake Telegram. Restarting builds a new engine on the same database, as a new
start of the program does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.schedule.service import SchedulingService
from bot.schedule.when import Recurrence
from bot.statuses.notifier import Notifier
from bot.statuses.tracker import CampaignTracker
from bot.timing.releases import Releases
from storage.campaigns import Draft
from storage.members import Role
from storage.schedules import Schedule
from storage.store import Store
from tests.conftest import ADMIN, GROUP
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import Harness, make_harness
from tests.test_schedule_world import DAY, FakeClock

OPERATOR = 2002
SECOND_ADMIN = 1002
NINE = DAY.replace(hour=9)


@dataclass
class Engine:
    """One start of the program: sending engine, status cards and scheduling on one database."""

    harness: Harness
    notifier: Notifier
    scheduler: AsyncIOScheduler
    service: SchedulingService
    clock: FakeClock
    stopped: bool = False

    @property
    def store(self) -> Store:
        return self.harness.store

    async def schedule(
        self,
        start: datetime,
        addresses: tuple[str, ...],
        *,
        owner: int = OPERATOR,
        recurrence: str | None = None,
        text: str = "Spring sale",
    ) -> Schedule:
        """Schedule a send by the bot, as the Schedule card's Confirm does."""
        list_id = self.store.recipient_lists.save(owner, [(a, {}) for a in addresses], [])
        result = await self.service.schedule_by_bot(
            Draft(type="sms", sender="Shop", text=text),
            list_id,
            start=start,
            recurrence=Recurrence.from_text(recurrence) if recurrence else None,
            owner_id=owner,
            owner_chat_id=owner,
        )
        assert isinstance(result, Schedule), result
        return result

    async def settle(self) -> None:
        """Wait for every submission pass and every card redraw under way."""
        for campaign_id in list(self.harness.sender._tasks):
            await self.harness.sender.wait(campaign_id)
        await self.notifier.drawn()

    async def stop(self) -> None:
        """Stop as the program does: the scheduler, then sending, then the cards."""
        if self.stopped:
            return
        self.stopped = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.harness.sender.drain()
        await self.notifier.stop()
        await self.harness.close()


@dataclass
class Program:
    """Starts engines on one database and stops them all at the end."""

    tmp_path: Path
    telegram: FakeTelegram
    platform: FakePlatform
    clock: FakeClock
    settings: dict[str, Any] = field(default_factory=dict)
    started: list[Engine] = field(default_factory=list)

    async def start(self) -> Engine:
        """A start of the program: restore schedules, resume what a stop interrupted."""
        harness = await make_harness(
            self.tmp_path,
            self.telegram,
            self.platform,
            notify_chat_id=GROUP,
            timezone="Europe/Moscow",
            pulse_timezone="Europe/Moscow",
            schedule_grace_minutes=10,
            clock=self.clock,
            **self.settings,
        )
        assert harness.bot is not None  # the status cards and questions go to the fake Telegram
        harness.store.members.set_role(SECOND_ADMIN, Role.ADMIN, added_by=ADMIN)
        harness.store.members.set_role(OPERATOR, Role.OPERATOR, added_by=ADMIN)
        notifier = Notifier(
            harness.bot,
            harness.store,
            harness.settings,
            harness.i18n,
            harness.metrics,
            private_interval=0.0,
            group_interval=0.0,
        )
        tracker = CampaignTracker(harness.store, harness.settings, notifier.campaign_changed)
        harness.sender.on_change = tracker.campaign_changed
        scheduler = AsyncIOScheduler(timezone=harness.settings.zone)
        harness.sender.wake_at = Releases(scheduler, harness.sender.release_waiting).wake_at
        await harness.sender.resume_after_restart()
        notifier.start()
        service = SchedulingService(
            store=harness.store,
            scheduler=scheduler,
            sender=harness.sender,
            notices=harness.notices,
            settings=harness.settings,
            clock=self.clock,
        )
        service.restore()
        scheduler.start()
        engine = Engine(harness, notifier, scheduler, service, self.clock)
        self.started.append(engine)
        return engine

    async def restart(self, engine: Engine) -> Engine:
        await engine.stop()
        return await self.start()


@asynccontextmanager
async def program(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, **settings: Any
) -> AsyncIterator[Program]:
    """Monday 3 March 2031, 09:00 in Moscow, on a fresh database; every engine stopped after."""
    running = Program(tmp_path, telegram, platform, FakeClock(NINE), settings)
    try:
        yield running
    finally:
        for engine in running.started:
            await engine.stop()
