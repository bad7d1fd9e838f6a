"""A list's own time zones, end to end: the upload's tz column wins over the number, a cell that
names no zone is left out with why, and the preview says who is inside quiet hours now."""

from __future__ import annotations

import asyncio

from storage.messages import SubmitState
from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR
from tests.test_quiet_hours import AFTERNOON, VLADIVOSTOK_NINE
from tests.test_schedule_world import FakeClock

MOSCOW_MOBILE = "79001234567"
BERLIN_MOBILE = "4915112345678"  # phonenumbers places it in Europe/Berlin: 13:00 there now
TABLE = "\n".join(
    [
        "phone;tz;name",
        f"{MOSCOW_MOBILE};;Anna",  # no zone of its own: TIMEZONE, 15:00
        f"+{BERLIN_MOBILE};Asia/Vladivostok;Hans",  # the column wins: 22:00 there
        "79161234567;europe/moscow;Vera",  # any letter case
        "79005556677;Mars/Olympus;Petr",  # names no zone: left out
    ]
).encode()


async def test_the_lists_zone_wins_over_the_number_and_quiet_hours_hold_it(
    start_bot, telegram, platform
) -> None:
    clock = FakeClock(AFTERNOON)
    program = await start_bot(clock=clock, PULSE_SENDERS="Shop", QUIET_HOURS="21:00-09:00")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE)
    card = await composer.say("Hello {name}", expect="Preview")

    assert "Recipients: 3 (1 invalid left out)" in card["text"]
    assert "1 recipient is inside them now" in card["text"]
    # 09:00 in Vladivostok is 02:00 the next day in Moscow, the team's zone.
    assert "1 in Asia/Vladivostok: at 09:00 their time, Tue 4 Mar 2031, 02:00" in card["text"]

    await composer.press("Send", expect="Sent to the platform")
    async with asyncio.timeout(10):
        await telegram.wait_for(lambda: len(platform.received) == 2)
    assert dict(platform.received) == {MOSCOW_MOBILE: 1, "79161234567": 1}
    store = program.app.store
    rows = {row.sent_to: row for row in store.messages.rows(1)}
    assert rows[BERLIN_MOBILE].state is SubmitState.WAITING
    assert rows[BERLIN_MOBILE].zone == "Asia/Vladivostok"
    assert rows["79161234567"].zone == "Europe/Moscow"
    assert rows[MOSCOW_MOBILE].zone is None
    card = await telegram.wait_message(OPERATOR, contains="Waiting for their local time: 1")

    clock.now = VLADIVOSTOK_NINE
    job = program.app.scheduler.get_job("release:1")
    assert job.next_run_time == VLADIVOSTOK_NINE
    await job.func(*job.args)
    async with asyncio.timeout(10):
        await telegram.wait_for(lambda: len(platform.received) == 3)
    await program.app.sender.wait(1)
    assert platform.received[BERLIN_MOBILE] == 1
    assert sum(platform.received.values()) == 3


async def test_a_zone_cell_naming_no_zone_is_in_the_file_of_rows_left_out(
    start_bot, telegram, platform
) -> None:
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE)
    await composer.say("Hello {name}", expect="Preview")
    assert "Quiet hours" not in composer.text  # off unless QUIET_HOURS is set

    data = telegram.find_button(composer.card, "Rows left out (CSV)")
    telegram.press(OPERATOR, composer.card, data, strict=True)
    sent = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(OPERATOR) if "document" in m), None)
    )
    content = sent["document"]["content"].decode("utf-8-sig")
    assert "79005556677" in content
    assert "the time zone is not a name such as Europe/Moscow" in content


async def test_the_schedule_card_says_who_will_be_inside_quiet_hours_at_that_time(
    start_bot, telegram, platform
) -> None:
    await start_bot(clock=FakeClock(AFTERNOON), PULSE_SENDERS="Shop", QUIET_HOURS="21:00-09:00")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE)
    await composer.say("Hello {name}", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")

    # 18:00 in Moscow tomorrow: 01:00 on the 5th in Vladivostok, inside the window there.
    await composer.say("2031-03-04 18:00", expect="Confirm?")
    assert "1 recipient will be inside them at that time" in composer.text
    assert "1 in Asia/Vladivostok: at 09:00 their time, Wed 5 Mar 2031, 02:00" in composer.text

    await composer.press("Change time", expect="When should it go out")
    await composer.say("2031-03-04 12:00", expect="Confirm?")  # 19:00 in Vladivostok
    assert "Quiet hours" not in composer.text
