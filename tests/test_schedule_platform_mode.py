"""Platform mode: submitted at once with `sent_date`, the time in the platform's zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.schedule.service import Outcome
from storage.campaigns import CampaignState
from storage.members import Role
from storage.schedules import Schedule, ScheduleMode, ScheduleState
from tests.test_schedule_world import OWNER, World, open_world

YEKATERINBURG = ZoneInfo("Asia/Yekaterinburg")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(
        tmp_path, timezone="Asia/Yekaterinburg", pulse_timezone="Europe/Moscow"
    ) as opened:
        opened.clock.now = datetime(2031, 3, 3, 9, 0, tzinfo=YEKATERINBURG)
        yield opened


async def schedule_by_platform(world: World, at: datetime) -> Schedule | Outcome:
    return await world.service.schedule_by_platform(
        world.draft(),
        world.recipients("79001112233"),
        at=at,
        owner_id=OWNER,
        owner_chat_id=OWNER,
    )


async def test_sent_date_is_the_local_time_in_the_platform_zone(world: World) -> None:
    ten_local = datetime(2031, 3, 3, 10, 0, tzinfo=YEKATERINBURG)

    schedule = await schedule_by_platform(world, ten_local)

    assert isinstance(schedule, Schedule)
    campaign = world.store.campaigns.get(schedule.campaign_id)
    assert campaign.sent_date == "2031-03-03 08:00"  # 10:00 in Yekaterinburg is 08:00 in Moscow
    assert world.sender.launched == [schedule.campaign_id]  # submitted at once
    assert campaign.state is CampaignState.SUBMITTING
    assert schedule.mode is ScheduleMode.PLATFORM
    assert schedule.state is ScheduleState.DONE
    assert world.job(schedule.id) is None  # the bot has nothing left to fire


async def test_a_platform_send_is_listed_until_its_time_and_cannot_be_cancelled(
    world: World,
) -> None:
    ten_local = datetime(2031, 3, 3, 10, 0, tzinfo=YEKATERINBURG)
    schedule = await schedule_by_platform(world, ten_local)

    assert [s.id for s in world.service.visible_to(OWNER, Role.OPERATOR)] == [schedule.id]
    assert world.service.cancel(schedule.id, actor_id=OWNER, role=Role.OPERATOR) is Outcome.GONE

    world.clock.now = ten_local + timedelta(minutes=1)
    assert world.service.visible_to(OWNER, Role.OPERATOR) == []


async def test_a_platform_send_in_the_past_is_refused(world: World) -> None:
    result = await schedule_by_platform(world, world.clock.now + timedelta(seconds=20))

    assert result is Outcome.TOO_SOON
    assert world.sender.launched == []
