"""Quiet hours in each recipient's zone: held at submission, released when the window ends there,
each once, also across a restart. The clock is the test's; the platform and Telegram are fakes
over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.timing.releases import Releases, job_id
from bot.timing.zones import number_zone
from storage.campaigns import CampaignState, Draft
from storage.messages import SubmitState
from tests.conftest import GROUP
from tests.scheduled_sending import OPERATOR, Engine, Program, program

MOSCOW = "79001234567"  # a mobile number: no zone of its own, so TIMEZONE (Moscow)
VLADIVOSTOK = "74232123456"  # a Vladivostok landline: phonenumbers names its zone
# 15:00 in Moscow is 22:00 in Vladivostok: inside 21:00-09:00 there, not in Moscow.
AFTERNOON = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)
# 09:00 on 4 March in Vladivostok (UTC+10).
VLADIVOSTOK_NINE = datetime(2031, 3, 3, 23, 0, tzinfo=UTC)


@pytest.fixture
async def running(tmp_path, telegram, platform) -> AsyncIterator[Program]:
    async with program(tmp_path, telegram, platform, quiet_hours="21:00-09:00") as started:
        started.clock.now = AFTERNOON
        yield started


def send_now(engine: Engine, addresses: tuple[str, ...]) -> int:
    """Press Send on a list whose zones were read with it, as an upload does."""
    store = engine.store
    items = [(address, {}, number_zone(address)) for address in addresses]
    list_id = store.recipient_lists.save(OPERATOR, items, [])
    campaign_id = engine.harness.sender.create(
        Draft(type="sms", sender="Shop", text="Spring sale"),
        list_id,
        author_id=OPERATOR,
        author_chat_id=OPERATOR,
    )
    engine.harness.sender.launch(campaign_id)
    return campaign_id


def states(engine: Engine, campaign_id: int) -> dict[str, SubmitState]:
    return {row.sent_to: row.state for row in engine.harness.rows(campaign_id)}


async def test_a_vladivostok_number_waits_for_nine_there_while_moscow_goes_out(
    running: Program, telegram, platform
) -> None:
    assert number_zone(VLADIVOSTOK) == "Asia/Vladivostok"
    engine = await running.start()
    campaign_id = send_now(engine, (MOSCOW, VLADIVOSTOK))
    await engine.settle()

    assert dict(platform.received) == {MOSCOW: 1}
    assert states(engine, campaign_id)[VLADIVOSTOK] is SubmitState.WAITING
    [held] = [row for row in engine.harness.rows(campaign_id) if row.sent_to == VLADIVOSTOK]
    assert held.not_before == "2031-03-03T23:00:00.000+00:00"
    assert engine.store.campaigns.get(campaign_id).state is CampaignState.SUBMITTING
    job = engine.scheduler.get_job(job_id(campaign_id))
    assert job.next_run_time == VLADIVOSTOK_NINE
    # The card counts the waiting one and says when it goes out (02:00 Moscow time).
    card = await telegram.wait_message(GROUP, contains="Waiting for their local time: 1")
    assert "02:00" in card["text"]

    # An early wake-up sends nothing and keeps the wait.
    running.clock.now = VLADIVOSTOK_NINE.replace(hour=22)
    await job.func(*job.args)
    await engine.settle()
    assert dict(platform.received) == {MOSCOW: 1}

    # The program stops and starts again before 09:00 in Vladivostok: the row still waits.
    engine = await running.restart(engine)
    await engine.settle()
    assert dict(platform.received) == {MOSCOW: 1}
    assert states(engine, campaign_id)[VLADIVOSTOK] is SubmitState.WAITING
    job = engine.scheduler.get_job(job_id(campaign_id))
    assert job.next_run_time == VLADIVOSTOK_NINE

    running.clock.now = VLADIVOSTOK_NINE
    await job.func(*job.args)
    await job.func(*job.args)  # a second wake-up finds nothing left
    await engine.settle()
    assert dict(platform.received) == {MOSCOW: 1, VLADIVOSTOK: 1}
    assert states(engine, campaign_id) == {
        MOSCOW: SubmitState.ACCEPTED,
        VLADIVOSTOK: SubmitState.ACCEPTED,
    }
    assert engine.store.campaigns.get(campaign_id).state is not CampaignState.SUBMITTING

    engine = await running.restart(engine)
    await engine.settle()
    assert dict(platform.received) == {MOSCOW: 1, VLADIVOSTOK: 1}


async def test_a_restart_after_the_window_ended_sends_the_waiting_row_once(
    running: Program, platform
) -> None:
    engine = await running.start()
    campaign_id = send_now(engine, (MOSCOW, VLADIVOSTOK))
    await engine.settle()
    await engine.stop()

    running.clock.now = VLADIVOSTOK_NINE.replace(minute=30)  # down while the window ended
    engine = await running.start()
    job = engine.scheduler.get_job(job_id(campaign_id))
    assert job.next_run_time == VLADIVOSTOK_NINE  # overdue: APScheduler runs it at once
    await job.func(*job.args)
    await engine.settle()
    assert dict(platform.received) == {MOSCOW: 1, VLADIVOSTOK: 1}


async def test_stopping_a_campaign_cancels_its_waiting_rows(running: Program, platform) -> None:
    engine = await running.start()
    campaign_id = send_now(engine, (MOSCOW, VLADIVOSTOK))
    await engine.settle()

    assert await engine.harness.sender.stop_campaign(campaign_id, actor_id=OPERATOR) == 1
    running.clock.now = VLADIVOSTOK_NINE
    engine.harness.sender.release_waiting(campaign_id)
    await engine.settle()
    assert dict(platform.received) == {MOSCOW: 1}
    assert states(engine, campaign_id)[VLADIVOSTOK] is SubmitState.CANCELLED


async def test_without_quiet_hours_everyone_goes_out_at_once(tmp_path, telegram, platform) -> None:
    async with program(tmp_path, telegram, platform) as running:
        running.clock.now = AFTERNOON
        engine = await running.start()
        send_now(engine, (MOSCOW, VLADIVOSTOK))
        await engine.settle()
        assert dict(platform.received) == {MOSCOW: 1, VLADIVOSTOK: 1}


async def test_a_due_wake_up_runs_on_the_event_loop_by_itself() -> None:
    """The job APScheduler runs by itself launches the campaign on the loop's own thread."""
    loop = asyncio.get_running_loop()
    launched: asyncio.Queue[tuple[int, bool]] = asyncio.Queue()

    def launch(campaign_id: int) -> None:
        launched.put_nowait((campaign_id, asyncio.get_running_loop() is loop))

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start()
    try:
        Releases(scheduler, launch).wake_at(7, datetime.now(UTC) - timedelta(seconds=1))
        async with asyncio.timeout(10):
            assert await launched.get() == (7, True)
        assert scheduler.get_job(job_id(7)) is None  # it ran once and is gone
    finally:
        scheduler.shutdown(wait=False)


async def test_a_one_recipient_card_says_when_its_message_goes_out(
    running: Program, telegram, platform
) -> None:
    engine = await running.start()
    send_now(engine, (VLADIVOSTOK,))
    await engine.settle()

    card = await telegram.wait_message(GROUP, contains="Waiting for the recipient's local time")
    assert "goes out on Tue 4 Mar 2031, 02:00" in card["text"]
    assert platform.requests == []
