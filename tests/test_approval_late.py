"""Approval meeting time: a repeating send's one approval covers its runs, so a run due while
the series still waits does not go out nor ask for an approval of its own; a send by the
platform approved after its time goes now, never with a `sent_date` already gone."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from bot.schedule.when import platform_sent_date
from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, OPERATOR
from tests.fakes.telegram import FakeTelegram
from tests.test_approval import TWO, Clock, audit, press


async def schedule_by_platform(telegram: FakeTelegram) -> Composer:
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("By the platform", expect="sent_date")
    await composer.press("Confirm", expect="waiting for approval")
    return composer


async def platform_send_awaiting_approval(start_bot, telegram: FakeTelegram):
    """A send by the platform scheduled for tomorrow and waiting for approval: the program, its
    clock, the schedule and the approvers' card."""
    clock = Clock()
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    await schedule_by_platform(telegram)
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None
    return program, clock, schedule, card


async def test_a_platform_send_approved_after_its_time_goes_now_without_a_past_sent_date(
    start_bot, telegram, platform
):
    _program, clock, schedule, card = await platform_send_awaiting_approval(start_bot, telegram)
    clock.now = schedule.run_at_time + timedelta(minutes=5)  # within the grace period

    await press(telegram, ADMIN, card, "Approve")

    told = await telegram.wait_message(OPERATOR, contains="was approved by")
    assert "It is going out now" in told["text"]
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert [request.params.get("sent_date") for request in platform.requests] == [None, None]


async def test_approved_long_after_its_time_its_owner_is_asked_and_send_now_means_now(
    start_bot, telegram, platform
):
    _program, clock, schedule, card = await platform_send_awaiting_approval(start_bot, telegram)
    clock.now = schedule.run_at_time + timedelta(minutes=45)

    await press(telegram, ADMIN, card, "Approve")

    question = await telegram.wait_message(OPERATOR, contains="45 min after its time")
    assert platform.requests == []
    await press(telegram, OPERATOR, question, "Send now")
    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert [request.params.get("sent_date") for request in platform.requests] == [None, None]


async def test_a_platform_send_approved_before_its_time_keeps_its_sent_date(
    start_bot, telegram, platform
):
    program, _clock, schedule, card = await platform_send_awaiting_approval(start_bot, telegram)

    await press(telegram, ADMIN, card, "Approve")

    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    sent_date = platform_sent_date(schedule.run_at_time, program.app.settings.pulse_zone)
    assert {request.params.get("sent_date") for request in platform.requests} == {sent_date}


async def test_a_run_due_while_its_series_waits_for_approval_does_not_go_out_nor_ask_again(
    start_bot, bot_env, telegram, platform
):
    clock = Clock()
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Every day", expect="Next runs")
    await composer.press("Confirm", expect="waiting for approval")
    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None
    clock.now = schedule.run_at_time + timedelta(seconds=1)

    await program.app.scheduling.fire_due()

    told = await telegram.wait_message(OPERATOR, contains="did not go out")
    assert "still waits for approval" in told["text"]
    assert "every day at 10:00" in told["text"]
    assert platform.requests == []
    assert len(audit(bot_env, "approval_request")) == 1
    asked = [m for m in telegram.chat(ADMIN) if "Approval needed" in m.get("text", "")]
    assert len(asked) == 1
    # Send now from /scheduled does not slip a run past the approval either.
    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert "⏳ Waiting for approval." in listing["text"]
    await press(telegram, OPERATOR, listing, "Send now №1")
    confirm = await telegram.wait_for(
        lambda: next(
            (m for m in telegram.chat(OPERATOR) if "now? Recipients" in m.get("text", "")), None
        )
    )
    refused = await press(telegram, OPERATOR, confirm, "Yes, send now")
    assert "still waits for approval" in refused["text"]
    assert platform.requests == []

    await press(telegram, ADMIN, card, "Approve")
    await telegram.wait_message(OPERATOR, contains="It goes out at its time")
    clock.now = schedule.run_at_time + timedelta(days=1, seconds=1)
    await program.app.scheduling.fire_due()

    async with asyncio.timeout(20):
        await platform.wait_requests(2)
    assert len(audit(bot_env, "approval_request")) == 1
    assert not [m for m in telegram.chat(OPERATOR) if "is due, but it waits" in m.get("text", "")]


async def test_a_series_scheduled_before_approval_was_required_asks_once_for_the_series(
    start_bot, bot_env, telegram, platform
):
    clock = Clock()
    first = await start_bot(clock=clock, PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(TWO, expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Every day", expect="Next runs")
    await composer.press("Confirm", expect="Scheduled campaign №1")
    await first.stop()
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", APPROVAL_MIN_RECIPIENTS="2")
    assert program.app is not None
    schedule = program.app.store.schedules.get(1)
    assert schedule is not None

    clock.now = schedule.run_at_time + timedelta(seconds=1)
    await program.app.scheduling.fire_due()

    card = await telegram.wait_message(ADMIN, contains="Approval needed")
    assert "campaign №1 by" in card["text"]  # the series, not its run
    following = (schedule.run_at_time + timedelta(days=1)).astimezone(program.app.settings.zone)
    assert f"Scheduled for {following:%a} {following.day} {following:%b %Y, %H:%M}" in card["text"]
    await telegram.wait_message(OPERATOR, contains="did not go out")
    assert platform.requests == []
    await press(telegram, ADMIN, card, "Approve")
    for day in (1, 2):
        clock.now = schedule.run_at_time + timedelta(days=day, seconds=1)
        await program.app.scheduling.fire_due()
        async with asyncio.timeout(20):
            await platform.wait_requests(2 * day)
    [request] = audit(bot_env, "approval_request")
    assert json.loads(request["details"])["campaign_id"] == 1
