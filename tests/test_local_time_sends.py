"""A send at 10:00 in each recipient's own zone: by the platform, each row carries its own
`sent_date` in the platform's zone; by the bot, each zone's rows go out at their time, once,
also across a restart. The clock is the test's; the platform is the fake over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.timing.releases import job_id
from storage.campaigns import CampaignState, Draft
from storage.members import Role
from storage.messages import SubmitState
from storage.schedules import Schedule, ScheduleMode
from tests.scheduled_sending import NINE, OPERATOR, Engine, Program, program

MOSCOW = "79001234567"  # no zone of its own: TIMEZONE
VLADIVOSTOK = "79141234567"  # the list's tz column says Asia/Vladivostok (UTC+10)
KALININGRAD = "79211234567"  # ... and Europe/Kaliningrad (UTC+2)
ZONES = {MOSCOW: None, VLADIVOSTOK: "Asia/Vladivostok", KALININGRAD: "Europe/Kaliningrad"}
TOMORROW_TEN = NINE.replace(day=4, hour=10)  # read in TIMEZONE (Moscow): 10:00 on 4 March
# 10:00 on 4 March in each zone, in UTC.
VLADIVOSTOK_TEN = datetime(2031, 3, 4, 0, 0, tzinfo=UTC)
MOSCOW_TEN = datetime(2031, 3, 4, 7, 0, tzinfo=UTC)
KALININGRAD_TEN = datetime(2031, 3, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
async def running(tmp_path, telegram, platform) -> AsyncIterator[Program]:
    async with program(tmp_path, telegram, platform) as started:
        yield started


async def schedule_local(engine: Engine, mode: ScheduleMode) -> Schedule:
    items = [(address, {}, zone) for address, zone in ZONES.items()]
    list_id = engine.store.recipient_lists.save(OPERATOR, items, [])
    result = await engine.service.schedule(
        Draft(type="sms", sender="Shop", text="Good morning"),
        list_id,
        start=TOMORROW_TEN,
        mode=mode,
        recurrence=None,
        owner_id=OPERATOR,
        owner_chat_id=OPERATOR,
        local=True,
    )
    assert isinstance(result, Schedule), result
    return result


async def test_by_the_platform_each_row_has_its_own_sent_date_in_the_platforms_zone(
    running: Program, platform
) -> None:
    engine = await running.start()
    schedule = await schedule_local(engine, ScheduleMode.PLATFORM)
    await engine.settle()

    sent_dates = {
        request.params["sent_to"]: request.params.get("sent_date") for request in platform.requests
    }
    # PULSE_TIMEZONE is Moscow: 10:00 in Vladivostok is 03:00 there, in Kaliningrad 11:00.
    assert sent_dates == {
        VLADIVOSTOK: "2031-03-04 03:00",
        MOSCOW: "2031-03-04 10:00",
        KALININGRAD: "2031-03-04 11:00",
    }
    assert dict(platform.received) == dict.fromkeys(ZONES, 1)  # all submitted at once
    campaign = engine.store.campaigns.get(schedule.campaign_id)
    assert campaign.sent_date == "2031-03-04 03:00"  # the first of them
    assert schedule.local_time == "2031-03-04T10:00"


async def test_by_the_bot_each_zone_goes_out_at_its_own_ten_once_across_a_restart(
    running: Program, platform
) -> None:
    engine = await running.start()
    schedule = await schedule_local(engine, ScheduleMode.BOT)
    assert schedule.run_at_time == VLADIVOSTOK_TEN  # the first zone's time

    running.clock.now = VLADIVOSTOK_TEN
    await engine.service.fire_due()
    await engine.settle()
    assert dict(platform.received) == {VLADIVOSTOK: 1}
    job = engine.scheduler.get_job(job_id(schedule.campaign_id))
    assert job.next_run_time == MOSCOW_TEN
    assert "sent_date" not in platform.requests[0].params  # the bot keeps the time itself

    engine = await running.restart(engine)
    job = engine.scheduler.get_job(job_id(schedule.campaign_id))
    assert job.next_run_time == MOSCOW_TEN
    running.clock.now = MOSCOW_TEN
    await job.func(*job.args)
    await engine.settle()
    assert dict(platform.received) == {VLADIVOSTOK: 1, MOSCOW: 1}

    job = engine.scheduler.get_job(job_id(schedule.campaign_id))
    assert job.next_run_time == KALININGRAD_TEN
    running.clock.now = KALININGRAD_TEN
    await job.func(*job.args)
    await job.func(*job.args)
    await engine.settle()
    assert dict(platform.received) == dict.fromkeys(ZONES, 1)
    rows = engine.harness.rows(schedule.campaign_id)
    assert {row.state for row in rows} == {SubmitState.ACCEPTED}
    campaign = engine.store.campaigns.get(schedule.campaign_id)
    assert campaign.state is not CampaignState.SUBMITTING


async def test_rescheduling_a_local_send_moves_every_zones_time(running: Program) -> None:
    engine = await running.start()
    schedule = await schedule_local(engine, ScheduleMode.BOT)

    moved = engine.service.reschedule(
        schedule.id,
        TOMORROW_TEN.replace(hour=12),
        actor_id=OPERATOR,
        role=Role.OPERATOR,
        stamp=int(schedule.run_at_time.timestamp()),
    )
    assert isinstance(moved, Schedule), moved
    assert moved.run_at_time == VLADIVOSTOK_TEN.replace(hour=2)
    assert moved.local_time == "2031-03-04T12:00"
    until = {row.sent_to: row.not_before for row in engine.harness.rows(schedule.campaign_id)}
    assert until == {
        VLADIVOSTOK: "2031-03-04T02:00:00.000+00:00",
        MOSCOW: "2031-03-04T09:00:00.000+00:00",
        KALININGRAD: "2031-03-04T10:00:00.000+00:00",
    }


async def test_the_platforms_time_is_moved_out_of_each_zones_quiet_hours(
    tmp_path, telegram, platform
) -> None:
    async with program(tmp_path, telegram, platform, quiet_hours="21:00-09:00") as running:
        running.clock.now = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)  # 22:00 in Vladivostok
        engine = await running.start()
        items = [(address, {}, zone) for address, zone in ZONES.items()]
        list_id = engine.store.recipient_lists.save(OPERATOR, items, [])
        result = await engine.service.schedule_by_platform(
            Draft(type="sms", sender="Shop", text="Good evening"),
            list_id,
            at=NINE.replace(hour=20),  # 20:00 in Moscow today
            owner_id=OPERATOR,
            owner_chat_id=OPERATOR,
        )
        assert isinstance(result, Schedule), result
        await engine.settle()

        # Everyone is submitted now, though Vladivostok is inside quiet hours now: the
        # platform sends at sent_date, so each zone's time is judged then.
        sent_dates = {r.params["sent_to"]: r.params["sent_date"] for r in platform.requests}
        assert sent_dates == {
            MOSCOW: "2031-03-03 20:00",  # outside the window in Moscow
            KALININGRAD: "2031-03-03 20:00",  # 19:00 there
            VLADIVOSTOK: "2031-03-04 02:00",  # 03:00 there: moved to 09:00 there
        }
        assert dict(platform.received) == dict.fromkeys(ZONES, 1)


async def test_cancelling_a_local_send_leaves_no_row_waiting(running: Program, platform) -> None:
    engine = await running.start()
    schedule = await schedule_local(engine, ScheduleMode.BOT)
    assert engine.service.cancel(schedule.id, actor_id=OPERATOR, role=Role.OPERATOR).value == "done"

    rows = engine.harness.rows(schedule.campaign_id)
    assert {row.state for row in rows} == {SubmitState.NEW}
    assert engine.store.campaigns.get(schedule.campaign_id).state is CampaignState.CANCELLED
    running.clock.now = KALININGRAD_TEN
    engine.harness.sender.release_waiting(schedule.campaign_id)
    await engine.settle()
    assert platform.requests == []
