"""Scheduling "10:00 in each recipient's local time" from the preview like a user: the card lists
the list's zones with their counts and times, and Confirm makes the send in either mode."""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR
from tests.scheduled_sending import NINE
from tests.test_local_time_sends import KALININGRAD_TEN, MOSCOW_TEN, VLADIVOSTOK_TEN
from tests.test_schedule_world import FakeClock

TABLE = "\n".join(
    [
        "phone;tz",
        "79001234567;",  # TIMEZONE: Europe/Moscow
        "79141234567;Asia/Vladivostok",
        "79211234567;Europe/Kaliningrad",
        "79161234567;Asia/Vladivostok",
    ]
).encode()
LOCAL = "🌍 At this time in each recipient's zone"


def text_of(telegram, message_id: int) -> str:
    found = [m for m in telegram.chat(OPERATOR) if m["message_id"] == message_id]
    return found[0].get("text", "") if found else ""


async def scheduled_card(telegram) -> Composer:
    """Upload the list, write the text, Schedule for 10:00 tomorrow, each in their own zone."""
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE)
    await composer.say("Good morning", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.say("2031-03-04 10:00", expect="Confirm?")
    await composer.press(LOCAL, expect="in each recipient's own zone")
    return composer


async def test_the_card_lists_the_zones_and_the_platform_gets_each_rows_own_sent_date(
    start_bot, telegram, platform
) -> None:
    await start_bot(clock=FakeClock(NINE), PULSE_SENDERS="Shop")
    composer = await scheduled_card(telegram)

    text = composer.text
    assert f"✓ {LOCAL}" in composer.buttons()
    assert "Weekly" not in composer.buttons()  # one moment per zone, no repeat
    assert "• Asia/Vladivostok: 2 — Tue 4 Mar 2031, 03:00" in text
    assert "• Europe/Moscow: 1 — Tue 4 Mar 2031, 10:00" in text
    assert "• Europe/Kaliningrad: 1 — Tue 4 Mar 2031, 11:00" in text
    assert text.index("Vladivostok") < text.index("Europe/Moscow") < text.index("Kaliningrad")

    await composer.press("By the platform", expect="its own sent_date")
    card_id = composer.card_id
    await composer.press("Confirm")  # the campaign's own card may come first
    await telegram.wait_for(lambda: "Submitted to the platform" in text_of(telegram, card_id))
    assert "each recipient gets it at 10:00 their time" in text_of(telegram, card_id)
    async with asyncio.timeout(10):
        await platform.wait_requests(4)
    sent_dates = {r.params["sent_to"]: r.params["sent_date"] for r in platform.requests}
    assert sent_dates == {
        "79001234567": "2031-03-04 10:00",
        "79141234567": "2031-03-04 03:00",
        "79211234567": "2031-03-04 11:00",
        "79161234567": "2031-03-04 03:00",
    }


async def test_by_the_bot_the_first_zone_goes_at_its_time_and_the_list_says_so(
    start_bot, telegram, platform
) -> None:
    clock = FakeClock(NINE)
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop")
    composer = await scheduled_card(telegram)
    await composer.press("Confirm", expect="Scheduled campaign №1")
    assert "at 10:00 in each recipient's zone, by the bot" in composer.text

    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert "10:00 in each recipient's zone, the first on Tue 4 Mar 2031, 03:00" in listing["text"]

    clock.now = VLADIVOSTOK_TEN
    await program.app.scheduling.fire_due()
    async with asyncio.timeout(10):
        await telegram.wait_for(lambda: len(platform.received) == 2)
    await program.app.sender.wait(1)
    assert dict(platform.received) == {"79141234567": 1, "79161234567": 1}
    assert "sent_date" not in platform.requests[0].params


async def test_the_zones_still_to_come_stay_on_scheduled_and_cancel_stops_them(
    start_bot, telegram, platform
) -> None:
    clock = FakeClock(NINE)
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop")
    composer = await scheduled_card(telegram)
    await composer.press("Confirm", expect="Scheduled campaign №1")
    clock.now = VLADIVOSTOK_TEN
    await program.app.scheduling.fire_due()
    async with asyncio.timeout(10):
        await telegram.wait_for(lambda: len(platform.received) == 2)
    await program.app.sender.wait(1)

    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert (
        "10:00 in each recipient's zone, still to come: Tue 4 Mar 2031, 10:00 — 1 recipient; "
        "Tue 4 Mar 2031, 11:00 — 1 recipient" in listing["text"]
    )
    assert [label for label, _data in telegram.buttons(listing)] == ["Cancel №1"]

    query = telegram.press(OPERATOR, listing, telegram.find_button(listing, "Cancel №1"))
    answer = await telegram.wait_answer(query)
    assert "Cancelled №1. Nothing more of it will be sent." in answer["text"]
    await telegram.wait_for(
        lambda: "Nothing is waiting" in text_of(telegram, listing["message_id"])
    )

    clock.now = KALININGRAD_TEN
    program.app.sender.release_waiting(1)
    await program.app.sender.wait(1)
    assert dict(platform.received) == {"79141234567": 1, "79161234567": 1}
    states = {row.sent_to: row.state.value for row in program.app.store.messages.rows(1)}
    assert states["79001234567"] == states["79211234567"] == "cancelled"
    assert program.app.store.campaigns.get(1).state.value == "submitted"


async def test_a_local_send_leaves_scheduled_once_its_last_zone_is_released(
    start_bot, telegram, platform
) -> None:
    clock = FakeClock(NINE)
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop")
    composer = await scheduled_card(telegram)
    await composer.press("Confirm", expect="Scheduled campaign №1")
    for moment in (VLADIVOSTOK_TEN, MOSCOW_TEN):
        clock.now = moment
        await program.app.scheduling.fire_due()
        program.app.sender.release_waiting(1)
        await program.app.sender.wait(1)
    async with asyncio.timeout(10):
        await telegram.wait_for(lambda: len(platform.received) == 3)
    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert "still to come: Tue 4 Mar 2031, 11:00 — 1 recipient" in listing["text"]

    clock.now = KALININGRAD_TEN
    program.app.sender.release_waiting(1)
    await program.app.sender.wait(1)
    async with asyncio.timeout(10):
        await telegram.wait_for(lambda: len(platform.received) == 4)
    telegram.send_text(OPERATOR, "/scheduled")
    await telegram.wait_message(
        OPERATOR, contains="Nothing is waiting to be sent", after=listing["message_id"]
    )
