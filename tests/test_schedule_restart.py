"""Scheduled sends survive restarts (F8): kept if ahead, sent once if a little late, else asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.schedule.cards import ScheduleAction
from bot.schedule.service import Fired, Outcome
from storage.campaigns import CampaignState
from storage.members import Role
from storage.schedules import Schedule, ScheduleState
from tests.test_schedule_world import DAY, OWNER, OWNER_CHAT, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


def campaign_state(world: World, campaign_id: int) -> CampaignState:
    return world.store.campaigns.get(campaign_id).state


async def test_a_restart_before_the_time_keeps_the_schedule(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)
    world.clock.now = ten - timedelta(minutes=30)

    restarted = world.restart()

    assert restarted.job(schedule.id).next_run_time == ten
    restarted.clock.now = ten
    assert await restarted.service.fire(schedule.id) is Fired.SENT
    assert restarted.sender.launched == [schedule.campaign_id]


async def test_a_restart_a_little_late_sends_once(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)
    world.clock.now = ten + timedelta(minutes=5)  # the bot was down at 10:00

    restarted = world.restart()

    assert restarted.job(schedule.id) is not None  # registered; APScheduler runs it at once
    assert await restarted.service.fire_due() == {schedule.id: Fired.SENT}
    assert restarted.sender.launched == [schedule.campaign_id]
    assert restarted.told() == []

    again = restarted.restart()  # and one more restart right after: nothing more
    assert again.job(schedule.id) is None
    assert await again.service.fire_due() == {}
    assert again.sender.launched == []
    assert campaign_state(again, schedule.campaign_id) is CampaignState.SUBMITTING


async def test_a_restart_long_after_the_time_asks_the_owner(world: World) -> None:
    ten = DAY.replace(hour=10)
    schedule = await world.schedule(ten)
    world.clock.now = ten + timedelta(minutes=30)

    restarted = world.restart()
    assert await restarted.service.fire_due() == {schedule.id: Fired.MISSED}

    assert restarted.sender.launched == []
    assert restarted.state_of(schedule.id) is ScheduleState.MISSED
    [question] = restarted.told()
    assert question.chat_id == OWNER_CHAT
    assert "missed" in question.text
    assert "30 min late" in question.text
    buttons = [b.callback_data for row in question.reply_markup.inline_keyboard for b in row]
    assert buttons == [
        ScheduleAction(action="send_missed", schedule_id=schedule.id, origin="question").pack(),
        ScheduleAction(action="discard", schedule_id=schedule.id, origin="question").pack(),
    ]
    # A later restart neither sends it nor asks again.
    later = restarted.restart()
    assert await later.service.fire_due() == {}
    assert later.told() == []


async def test_send_now_on_a_missed_send_sends_it_once(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10))
    world.clock.now = DAY.replace(hour=11)
    restarted = world.restart()
    await restarted.service.fire_due()

    service = restarted.service
    first = service.resolve_missed(schedule.id, send=True, actor_id=OWNER, role=Role.OPERATOR)
    second = service.resolve_missed(schedule.id, send=True, actor_id=OWNER, role=Role.OPERATOR)
    discard = service.resolve_missed(schedule.id, send=False, actor_id=OWNER, role=Role.OPERATOR)

    assert (first, second, discard) == (Outcome.DONE, Outcome.GONE, Outcome.GONE)
    assert restarted.sender.launched == [schedule.campaign_id]
    assert restarted.state_of(schedule.id) is ScheduleState.DONE
    assert len(restarted.store.audit.recent(action="schedule_missed_send")) == 1


async def test_discarding_a_missed_send_cancels_it(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10))
    world.clock.now = DAY.replace(hour=11)
    restarted = world.restart()
    await restarted.service.fire_due()

    service = restarted.service
    first = service.resolve_missed(schedule.id, send=False, actor_id=OWNER, role=Role.OPERATOR)
    second = service.resolve_missed(schedule.id, send=True, actor_id=OWNER, role=Role.OPERATOR)

    assert (first, second) == (Outcome.DONE, Outcome.GONE)
    assert restarted.sender.launched == []
    assert campaign_state(restarted, schedule.campaign_id) is CampaignState.CANCELLED
    assert len(restarted.store.audit.recent(action="schedule_discard")) == 1


async def test_a_recurring_send_missed_for_days_asks_once_and_goes_on(world: World) -> None:
    schedule = await world.schedule(DAY.replace(hour=10), recurrence="daily")
    world.clock.now = DAY.replace(hour=11) + timedelta(days=2)  # down Monday to Wednesday

    restarted = world.restart()
    assert await restarted.service.fire_due() == {schedule.id: Fired.MISSED}

    assert restarted.sender.launched == []
    assert len(restarted.told()) == 1
    thursday = DAY.replace(hour=10) + timedelta(days=3)
    assert restarted.job(schedule.id).next_run_time == thursday
    assert restarted.state_of(schedule.id) is ScheduleState.PENDING
    [missed] = restarted.store.schedules.with_state(ScheduleState.MISSED)
    assert missed.parent_id == schedule.id
    assert missed.campaign_id != schedule.campaign_id
    outcome = restarted.service.resolve_missed(
        missed.id, send=True, actor_id=OWNER, role=Role.OPERATOR
    )
    assert outcome is Outcome.DONE
    assert restarted.sender.launched == [missed.campaign_id]
    assert len(restarted.store.messages.rows(missed.campaign_id)) == 2


async def test_a_missed_send_is_asked_in_its_owners_language(world: World) -> None:
    ten = DAY.replace(hour=10)
    scheduled = await world.service.schedule_by_bot(
        world.draft(),
        world.recipients("79001112233"),
        start=ten,
        recurrence=None,
        owner_id=OWNER,
        owner_chat_id=OWNER_CHAT,
        locale="ru",  # the owner's language, not the configured English
    )
    assert isinstance(scheduled, Schedule)
    world.clock.now = ten + timedelta(minutes=30)

    assert await world.service.fire(scheduled.id) is Fired.MISSED
    [question] = world.told()
    assert "Запланированная отправка пропущена" in question.text
    assert "опоздание 30 мин" in question.text
    buttons = [b.text for row in question.reply_markup.inline_keyboard for b in row]
    assert buttons == ["Отправить сейчас", "Отменить"]
