"""A send scheduled by the bot fires once, at its time, and never again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.date import DateTrigger

from bot.schedule.service import Fired
from storage.campaigns import CampaignState
from storage.schedules import ScheduleState
from tests.test_schedule_world import DAY, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


async def test_a_bot_schedule_fires_once_at_its_time(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)

    job = world.job(schedule.id)
    assert isinstance(job.trigger, DateTrigger)
    assert job.trigger.run_date == ten
    assert job.next_run_time == ten
    assert job.misfire_grace_time is None  # APScheduler never drops it; the service judges

    world.clock.now = ten - timedelta(minutes=1)
    assert await world.service.fire(schedule.id) is Fired.NOTHING
    assert world.sender.launched == []

    world.clock.now = ten
    assert await world.service.fire(schedule.id) is Fired.SENT
    assert world.sender.launched == [schedule.campaign_id]
    assert world.store.campaigns.get(schedule.campaign_id).state is CampaignState.SUBMITTING
    assert world.state_of(schedule.id) is ScheduleState.DONE
    assert world.job(schedule.id) is None

    world.clock.now = ten + timedelta(seconds=30)
    assert await world.service.fire(schedule.id) is Fired.NOTHING
    assert await world.service.fire_due() == {}
    assert world.sender.launched == [schedule.campaign_id]


async def test_two_fires_at_the_same_moment_send_once(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)
    world.clock.now = ten

    results = await asyncio.gather(*(world.service.fire(schedule.id) for _ in range(3)))

    assert sorted(results) == sorted([Fired.SENT, Fired.NOTHING, Fired.NOTHING])
    assert world.sender.launched == [schedule.campaign_id]


async def test_the_fire_is_audited(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)
    world.clock.now = ten

    await world.service.fire(schedule.id)

    fired = world.store.audit.recent(action="schedule_fired")
    assert [entry["details"]["schedule_id"] for entry in fired] == [schedule.id]
    created = world.store.audit.recent(action="schedule_create")
    assert created[0]["user_id"] == schedule.owner_id
