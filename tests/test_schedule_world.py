"""A scheduling service on a real database and a real APScheduler, with a clock the test sets.

Shared by the service-level scheduling tests (they import `world`). The sender stand-in keeps
the sending engine's contract: `prepare_off_loop` makes a campaign with its recipient rows (the
engine's own code, in pieces off the loop), `launch`
moves a scheduled campaign to `submitting`, `cancel_scheduled` cancels a waiting one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.i18n import make_i18n
from bot.notices import Card
from bot.schedule.cards import RENDERERS as SCHEDULE_CARDS
from bot.schedule.service import SchedulingService
from bot.schedule.when import Recurrence
from bot.sending.creation import NewCampaign, prepare_off_loop
from storage.campaigns import CampaignState, Draft
from storage.members import Role
from storage.schedules import Schedule, ScheduleState
from storage.store import Store
from tests.recording_notices import RecordingNotices

OWNER = 2002
OWNER_CHAT = 2002
OTHER_OPERATOR = 2003
ADMIN = 1001
# Far in the real future: APScheduler's own timer never reaches these runs during a test.
DAY = datetime(2031, 3, 3, tzinfo=ZoneInfo("Europe/Moscow"))  # a Monday

T = TypeVar("T")


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingSender:
    """The sending engine's contract over the real tables; remembers what it launched."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.launched: list[int] = []
        self.cancelled: list[int] = []
        self.accepting = True  # False: the program is stopping, nothing starts until a restart

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
    ) -> T:
        new = NewCampaign(
            draft, list_id, author_id, author_chat_id, scheduled, sandbox=False, callbacks=True
        )
        return await prepare_off_loop(self.store, new, then, shape=shape)

    def launch(self, campaign_id: int) -> None:
        if not self.accepting:
            return
        self.store.campaigns.move(campaign_id, (CampaignState.SCHEDULED,), CampaignState.SUBMITTING)
        self.launched.append(campaign_id)

    def cancel_scheduled(self, campaign_id: int, *, actor_id: int | None = None) -> bool:
        cancelled = self.store.campaigns.move(
            campaign_id, (CampaignState.SCHEDULED,), CampaignState.CANCELLED
        )
        if cancelled:
            self.cancelled.append(campaign_id)
        return cancelled


@dataclass(frozen=True)
class Told:
    chat_id: int
    card: Card

    @property
    def text(self) -> str:
        return self.card.text

    @property
    def reply_markup(self) -> Any:
        return self.card.markup


@dataclass
class World:
    path: Path
    settings: Settings
    clock: FakeClock
    store: Store
    scheduler: AsyncIOScheduler
    sender: RecordingSender
    notices: RecordingNotices
    service: SchedulingService
    i18n: I18n
    opened: list[World]  # every world built on this database, closed at the end of the test

    def recipients(self, *addresses: str, owner: int = OWNER) -> int:
        return self.store.recipient_lists.save(owner, [(a, {}) for a in addresses], [])

    def draft(self, text: str = "Hello from the schedule") -> Draft:
        return Draft(type="sms", sender="Shop", text=text)

    async def schedule(
        self,
        start: datetime,
        *,
        recurrence: str | None = None,
        owner: int = OWNER,
        text: str = "Hello from the schedule",
    ) -> Schedule:
        """Schedule a send by the bot to two recipients, as the Schedule card's Confirm does."""
        result = await self.service.schedule_by_bot(
            self.draft(text),
            self.recipients("79001112233", "79001112244", owner=owner),
            start=start,
            recurrence=Recurrence.from_text(recurrence) if recurrence else None,
            owner_id=owner,
            owner_chat_id=owner,
        )
        assert isinstance(result, Schedule), result
        return result

    def told(self) -> list[Told]:
        """Every notice told so far, with the card it reads as in English."""
        with self.i18n.context(), self.i18n.use_locale("en"):
            return [
                Told(chat_id, SCHEDULE_CARDS[type(notice)](notice))
                for chat_id, notice in self.notices.told
            ]

    def state_of(self, schedule_id: int) -> ScheduleState:
        schedule = self.store.schedules.get(schedule_id)
        assert schedule is not None
        return schedule.state

    def job(self, schedule_id: int) -> Any:
        return self.scheduler.get_job(f"schedule:{schedule_id}")

    def restart(self) -> World:
        """A new program on the same database: new store, scheduler and service."""
        self.close()
        return build_world(self.path, self.settings, self.clock, self.opened)

    def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.store.close()


def build_world(path: Path, settings: Settings, clock: FakeClock, opened: list[World]) -> World:
    """Start a program the way the application does: restore the schedules, then the scheduler."""
    store = Store.open(path)
    store.members.bootstrap_admins([ADMIN])
    for operator in (OWNER, OTHER_OPERATOR):  # schedules fire only for members who may send
        if store.members.role_of(operator) is None:
            store.members.set_role(operator, Role.OPERATOR, added_by=ADMIN)
    scheduler = AsyncIOScheduler(timezone=settings.zone)
    sender = RecordingSender(store)
    i18n = make_i18n("en", path.parent / f"locales-{len(opened)}")
    notices = RecordingNotices()
    service = SchedulingService(
        store=store,
        scheduler=scheduler,
        sender=sender,
        notices=notices,
        settings=settings,
        clock=clock,
    )
    service.restore()
    scheduler.start()
    world = World(path, settings, clock, store, scheduler, sender, notices, service, i18n, opened)
    opened.append(world)
    return world


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": "123456:TEST",
        "data_dir": tmp_path,
        "timezone": "Europe/Moscow",
        "pulse_timezone": "Europe/Moscow",
        "schedule_grace_minutes": 10,
        "locale": "en",
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@asynccontextmanager
async def open_world(tmp_path: Path, **settings: Any) -> AsyncIterator[World]:
    """Monday 3 March 2031, 09:00 in Moscow, on a fresh database; everything closed after."""
    opened: list[World] = []
    try:
        yield build_world(
            tmp_path / "pulse.db",
            make_settings(tmp_path, **settings),
            FakeClock(DAY.replace(hour=9)),
            opened,
        )
    finally:
        for each in opened:
            each.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


async def test_the_sender_stand_in_keeps_recipients_with_the_campaign(world: World) -> None:
    list_id = world.recipients("79001112233", "79001112244")
    campaign_id = await world.sender.prepare_off_loop(
        world.draft(),
        list_id,
        lambda _store, campaign_id: campaign_id,
        author_id=OWNER,
        author_chat_id=OWNER_CHAT,
        scheduled=True,
    )
    campaign = world.store.campaigns.get(campaign_id)
    assert campaign is not None
    assert campaign.state is CampaignState.SCHEDULED
    assert [row.sent_to for row in world.store.messages.rows(campaign_id)] == [
        "79001112233",
        "79001112244",
    ]
