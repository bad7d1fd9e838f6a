"""A claimed scheduled run is never lost (F13): claiming it makes its campaign due for submission
in the same transaction, so a stop, crash or error before the start is made good at the next
start, and only once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.schedule.service import Fired, Outcome
from storage.audit import AuditLog
from storage.campaigns import CampaignState, Draft
from storage.members import Role
from storage.schedules import Schedule, Schedules, ScheduleState
from tests.compose_user import Composer, make_operator
from tests.scheduled_sending import NINE, OPERATOR, Program, program
from tests.test_schedule_world import DAY, World, open_world

TEN = DAY.replace(hour=10)
TWO = ("79001112233", "79001112244")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


@pytest.fixture
async def running(tmp_path, telegram, platform) -> AsyncIterator[Program]:
    async with program(tmp_path, telegram, platform) as started:
        yield started


def campaign_state(store, campaign_id: int) -> CampaignState:
    campaign = store.campaigns.get(campaign_id)
    assert campaign is not None
    return campaign.state


async def test_the_claim_makes_the_campaign_due_even_if_starting_it_fails(world: World) -> None:
    schedule = await world.schedule(TEN)

    def broken_launch(campaign_id: int) -> None:
        raise sqlite3.OperationalError("database is locked")

    world.sender.launch = broken_launch  # type: ignore[method-assign]
    world.clock.now = TEN
    with pytest.raises(sqlite3.OperationalError):
        await world.service.fire(schedule.id)

    assert world.state_of(schedule.id) is ScheduleState.DONE
    assert campaign_state(world.store, schedule.campaign_id) is CampaignState.SUBMITTING


async def test_each_run_of_a_recurring_send_is_due_as_soon_as_it_is_claimed(world: World) -> None:
    schedule = await world.schedule(TEN, recurrence="daily")
    world.sender.accepting = False  # the program is stopping: nothing is started now

    world.clock.now = TEN
    assert await world.service.fire(schedule.id) is Fired.SENT

    assert world.sender.launched == []
    [run] = world.store.campaigns.with_state(CampaignState.SUBMITTING)
    assert run.id != schedule.campaign_id
    assert len(world.store.messages.rows(run.id)) == 2
    assert campaign_state(world.store, schedule.campaign_id) is CampaignState.SCHEDULED


async def test_a_run_claimed_during_a_stop_goes_out_once_at_the_next_start(
    running: Program, platform
) -> None:
    first = await running.start()
    schedule = await first.schedule(TEN, TWO)
    await first.harness.sender.drain()  # the program begins to stop

    running.clock.now = TEN
    assert await first.service.fire(schedule.id) is Fired.SENT
    assert platform.requests == []
    assert campaign_state(first.store, schedule.campaign_id) is CampaignState.SUBMITTING
    await first.stop()

    second = await running.start()
    await second.settle()
    assert dict(platform.received) == {TWO[0]: 1, TWO[1]: 1}
    assert campaign_state(second.store, schedule.campaign_id) is CampaignState.SUBMITTED

    third = await running.restart(second)
    await third.settle()
    assert await third.service.fire_due() == {}
    assert len(platform.requests) == 2


async def test_send_now_while_stopping_says_when_it_goes_out_and_then_sends_once(
    running: Program, platform
) -> None:
    first = await running.start()
    schedule = await first.schedule(TEN, TWO)
    await first.harness.sender.drain()

    running.clock.now = NINE + timedelta(minutes=5)
    outcome = first.service.send_now(
        schedule.id, actor_id=OPERATOR, role=Role.OPERATOR, stamp=int(TEN.timestamp())
    )
    assert outcome is Outcome.AT_NEXT_START
    assert platform.requests == []

    second = await running.restart(first)
    await second.settle()
    assert dict(platform.received) == {TWO[0]: 1, TWO[1]: 1}
    assert second.store.schedules.get(schedule.id).state is ScheduleState.DONE


async def test_send_pressed_on_the_preview_while_stopping_goes_out_once_at_the_next_start(
    start_bot, telegram, platform
) -> None:
    first = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 During a restart", expect="Preview")
    await first.app.sender.drain()  # the program begins to stop

    await composer.press("Send", expect="goes out as soon as it is running again")
    assert platform.requests == []
    await first.stop()

    await start_bot(PULSE_SENDERS="Shop")
    await telegram.wait_for(lambda: platform.received == {"79001234567": 1})


@pytest.mark.parametrize("failing", ["schedule row", "audit record"])
async def test_a_schedule_is_made_whole_or_not_at_all(
    running: Program, platform, monkeypatch, failing: str
) -> None:
    """The campaign, its claimed list, the schedule row and the audit record are made whole or
    not at all (the row and the records in the campaign's last write, a failure removing what
    came before): anything else would leave a waiting campaign that never fires and a list
    that cannot be sent again."""
    first = await running.start()
    store = first.store
    # The campaign's last transaction runs on a connection of its own in a worker thread, over
    # a Store of its own: the failure is set on the tables' classes, not on this Store.
    broken = (Schedules, "add") if failing == "schedule row" else (AuditLog, "record")
    real = getattr(*broken)

    def dies_here(*args, **kwargs):
        if broken[1] == "record" and args[2] != "schedule_create":
            return real(*args, **kwargs)  # the sender's own record, inside the same write
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(*broken, dies_here)
    list_id = store.recipient_lists.save(OPERATOR, [(address, {}) for address in TWO], [])
    with pytest.raises(sqlite3.OperationalError):
        await first.service.schedule_by_bot(
            Draft(type="sms", sender="Shop", text="Spring sale"),
            list_id,
            start=TEN,
            recurrence=None,
            owner_id=OPERATOR,
            owner_chat_id=OPERATOR,
        )
    monkeypatch.undo()

    assert store.campaigns.get(1) is None
    assert store.recipient_lists.claimed_by(list_id) is None
    assert store.schedules.with_state(ScheduleState.PENDING) == []
    assert store.audit.recent(action="schedule") == []
    assert store.audit.recent(action="schedule_create") == []
    assert first.scheduler.get_jobs() == []

    # Nothing half-made stands in the way: the same list is scheduled as if the first try
    # never happened, and it goes out once at its time.
    schedule = await first.service.schedule_by_bot(
        Draft(type="sms", sender="Shop", text="Spring sale"),
        list_id,
        start=TEN,
        recurrence=None,
        owner_id=OPERATOR,
        owner_chat_id=OPERATOR,
    )
    assert isinstance(schedule, Schedule)
    running.clock.now = TEN
    assert await first.service.fire(schedule.id) is Fired.SENT
    await first.settle()
    assert dict(platform.received) == {TWO[0]: 1, TWO[1]: 1}
