"""Cancel stops a scheduled send for good; Reschedule moves it; only owners and admins may."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.schedule.service import Fired, Outcome, stamp_of
from storage.campaigns import CampaignState
from storage.members import Role
from storage.schedules import Schedule, ScheduleState
from tests.test_schedule_world import ADMIN, DAY, OTHER_OPERATOR, OWNER, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


async def test_cancel_prevents_the_send(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)

    assert world.service.cancel(schedule.id, actor_id=OWNER, role=Role.OPERATOR) is Outcome.DONE

    assert world.job(schedule.id) is None
    assert world.state_of(schedule.id) is ScheduleState.CANCELLED
    assert world.store.campaigns.get(schedule.campaign_id).state is CampaignState.CANCELLED
    world.clock.now = ten
    assert await world.service.fire(schedule.id) is Fired.NOTHING
    assert world.sender.launched == []
    assert world.service.cancel(schedule.id, actor_id=OWNER, role=Role.OPERATOR) is Outcome.GONE
    assert len(world.store.audit.recent(action="schedule_cancel")) == 1


async def test_reschedule_moves_the_job_and_the_send(world: World) -> None:
    ten, noon = DAY.replace(hour=10), DAY.replace(hour=12)
    schedule = await world.schedule(ten)

    moved = world.service.reschedule(
        schedule.id, noon, actor_id=OWNER, role=Role.OPERATOR, stamp=stamp_of(schedule)
    )

    assert isinstance(moved, Schedule)
    assert moved.run_at_time == noon
    assert world.job(schedule.id).next_run_time == noon
    world.clock.now = ten
    assert await world.service.fire(schedule.id) is Fired.NOTHING  # the old time is gone
    assert world.sender.launched == []
    world.clock.now = noon
    assert await world.service.fire(schedule.id) is Fired.SENT
    assert world.sender.launched == [schedule.campaign_id]
    audit = world.store.audit.recent(action="schedule_reschedule")
    assert audit[0]["details"]["previous"] == schedule.run_at


async def test_a_stale_reschedule_or_send_now_button_does_nothing(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10))
    old_stamp = stamp_of(schedule)
    world.service.reschedule(
        schedule.id, DAY.replace(hour=11), actor_id=OWNER, role=Role.OPERATOR, stamp=old_stamp
    )

    again = world.service.reschedule(
        schedule.id, DAY.replace(hour=12), actor_id=OWNER, role=Role.OPERATOR, stamp=old_stamp
    )
    now = world.service.send_now(schedule.id, actor_id=OWNER, role=Role.OPERATOR, stamp=old_stamp)

    assert again is Outcome.GONE
    assert now is Outcome.GONE
    assert world.store.schedules.get(schedule.id).run_at_time == DAY.replace(hour=11)
    assert world.sender.launched == []


async def test_a_time_in_the_past_is_refused_when_rescheduling(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10))
    past = world.clock.now + timedelta(seconds=30)

    result = world.service.reschedule(
        schedule.id, past, actor_id=OWNER, role=Role.OPERATOR, stamp=stamp_of(schedule)
    )

    assert result is Outcome.TOO_SOON
    assert world.job(schedule.id).next_run_time == DAY.replace(hour=10)


async def test_send_now_sends_once_before_the_time(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10))
    stamp = stamp_of(schedule)

    first = world.service.send_now(schedule.id, actor_id=OWNER, role=Role.OPERATOR, stamp=stamp)
    second = world.service.send_now(schedule.id, actor_id=OWNER, role=Role.OPERATOR, stamp=stamp)

    assert (first, second) == (Outcome.DONE, Outcome.GONE)
    assert world.sender.launched == [schedule.campaign_id]
    assert world.job(schedule.id) is None


async def test_operators_manage_only_their_own_and_admins_all(world: World) -> None:
    mine = await world.schedule(DAY.replace(hour=10), owner=OWNER)
    theirs = await world.schedule(DAY.replace(hour=11), owner=OTHER_OPERATOR)

    assert world.service.cancel(theirs.id, actor_id=OWNER, role=Role.OPERATOR) is (
        Outcome.NOT_ALLOWED
    )
    assert [s.id for s in world.service.visible_to(OWNER, Role.OPERATOR)] == [mine.id]
    assert [s.id for s in world.service.visible_to(ADMIN, Role.ADMIN)] == [mine.id, theirs.id]
    assert world.service.cancel(theirs.id, actor_id=ADMIN, role=Role.ADMIN) is Outcome.DONE
    assert world.state_of(theirs.id) is ScheduleState.CANCELLED


async def test_rescheduling_a_daily_send_moves_its_time_of_day(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10), recurrence="daily")
    half_past_eight_tomorrow = DAY.replace(hour=8, minute=30) + timedelta(days=1)

    world.service.reschedule(
        schedule.id,
        half_past_eight_tomorrow,
        actor_id=OWNER,
        role=Role.OPERATOR,
        stamp=stamp_of(schedule),
    )

    world.clock.now = half_past_eight_tomorrow
    assert await world.service.fire(schedule.id) is Fired.SENT
    assert world.job(schedule.id).next_run_time == half_past_eight_tomorrow + timedelta(days=1)
