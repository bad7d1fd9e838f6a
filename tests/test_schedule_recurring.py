"""A recurring send fires once per run, each run a fresh copy of the message to the same people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.schedule.service import Fired, Outcome
from storage.campaigns import CampaignState
from storage.members import Role
from storage.schedules import ScheduleState
from tests.test_schedule_world import DAY, OWNER, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


async def test_a_daily_send_fires_once_on_each_of_consecutive_days(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10), recurrence="daily")
    days = [DAY.replace(hour=10) + timedelta(days=offset) for offset in range(3)]

    for day in days:
        assert world.job(schedule.id).next_run_time == day
        world.clock.now = day
        assert await world.service.fire(schedule.id) is Fired.SENT
        assert await world.service.fire(schedule.id) is Fired.NOTHING  # a second fire: nothing

    assert world.job(schedule.id).next_run_time == days[-1] + timedelta(days=1)
    assert len(world.sender.launched) == 3
    assert schedule.campaign_id not in world.sender.launched  # the source is never sent itself
    assert world.store.campaigns.get(schedule.campaign_id).state is CampaignState.SCHEDULED
    for copy_id in world.sender.launched:
        copy = world.store.campaigns.get(copy_id)
        assert copy.text == "Hello from the schedule"
        assert copy.recipient_count == 2
        rows = world.store.messages.rows(copy_id)
        assert [(row.sent_to, row.state.value) for row in rows] == [
            ("79001112233", "new"),
            ("79001112244", "new"),
        ]
    assert world.store.schedules.get(schedule.id).runs == 3


async def test_a_weekday_send_skips_the_weekend(world: World) -> None:
    friday = DAY.replace(hour=10) + timedelta(days=4)
    world.clock.now = friday - timedelta(hours=1)
    schedule = await world.schedule(friday, recurrence="weekdays")

    world.clock.now = friday
    assert await world.service.fire(schedule.id) is Fired.SENT

    monday = friday + timedelta(days=3)
    assert world.job(schedule.id).next_run_time == monday
    assert monday.strftime("%A") == "Monday"


async def test_a_weekly_send_starts_on_its_first_chosen_day(world: World) -> None:
    # Chosen on Monday 09:00 for 10:00, repeating on Wednesdays and Fridays (crontab 3 and 5).
    schedule = await world.schedule(DAY.replace(hour=10), recurrence="weekly:3,5")

    assert schedule.run_at_time == DAY.replace(hour=10) + timedelta(days=2)


async def test_cancelling_a_recurring_send_stops_every_later_run(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10), recurrence="daily")
    world.clock.now = DAY.replace(hour=10)
    await world.service.fire(schedule.id)

    assert world.service.cancel(schedule.id, actor_id=OWNER, role=Role.OPERATOR) is Outcome.DONE

    world.clock.now = DAY.replace(hour=10) + timedelta(days=1)
    assert await world.service.fire_due() == {}
    assert len(world.sender.launched) == 1
    assert world.job(schedule.id) is None
    assert world.state_of(schedule.id) is ScheduleState.CANCELLED
    assert world.store.campaigns.get(schedule.campaign_id).state is CampaignState.CANCELLED
