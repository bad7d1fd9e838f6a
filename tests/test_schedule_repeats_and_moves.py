"""Repeats chosen on the card show their next runs; /scheduled moves and sends a schedule."""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR

WORKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")


def next_runs(text: str) -> list[str]:
    return [line.removeprefix("• ") for line in text.splitlines() if line.startswith("• ")]


async def test_weekly_and_cron_repeats_show_their_next_runs(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Every weekday", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")

    await composer.press("Weekly", expect="Next runs")
    first_day = next_runs(composer.text)[0][:3]  # tomorrow's weekday starts checked
    assert {"✓ Weekly", f"✓ {first_day}"} <= set(composer.buttons())
    other_day = "Mon" if first_day != "Mon" else "Tue"
    await composer.press(other_day, expect=f"• {other_day}")
    assert f"✓ {other_day}" in composer.buttons()
    assert {run[:3] for run in next_runs(composer.text)} == {first_day, other_day}

    await composer.press("Cron", expect="Send a cron expression")
    await composer.say("0 10 * *", expect="is not a cron expression")
    await composer.say("0 10 * * 1-5", expect="Next runs")
    runs = next_runs(composer.text)
    assert len(runs) == 3
    assert all(run.startswith(WORKDAYS) and run.endswith(", 10:00") for run in runs)
    assert "✓ Cron" in composer.buttons()

    await composer.press("Confirm", expect="Scheduled campaign №1")
    assert "Then it repeats cron 0 10 * * 1-5" in composer.text
    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert "cron 0 10 * * 1-5" in listing["text"]


async def test_reschedule_and_send_now_from_the_list(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Moved then sent", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    await composer.press("Confirm", expect="Scheduled campaign №1")

    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    telegram.press(OPERATOR, listing, telegram.find_button(listing, "Reschedule №1"), strict=True)
    card = await telegram.wait_message(
        OPERATOR, contains="Reschedule №1", after=listing["message_id"]
    )
    composer.card_id = card["message_id"]
    await composer.say("2030-06-03 12:30", expect="New time")
    assert "New time: Mon 3 Jun 2030, 12:30\n" in composer.text
    await composer.press("Confirm", expect="now goes out on Mon 3 Jun 2030, 12:30")
    # The list Reschedule was pressed on shows the new time too, not a stale one.
    await telegram.wait_for(
        lambda: (
            "Mon 3 Jun 2030, 12:30"
            in next(m for m in telegram.chat(OPERATOR) if m["message_id"] == listing["message_id"])[
                "text"
            ]
        )
    )

    newest = telegram.last(OPERATOR)["message_id"]
    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent", after=newest)
    assert "Mon 3 Jun 2030, 12:30" in listing["text"]
    telegram.press(OPERATOR, listing, telegram.find_button(listing, "Send now №1"), strict=True)
    question = await telegram.wait_for(
        lambda: next(
            (m for m in telegram.chat(OPERATOR) if "Send №1 now?" in m.get("text", "")), None
        )
    )
    assert "Recipients: 1." in question["text"]
    yes = telegram.find_button(question, "Yes, send now")
    first, second = telegram.press(OPERATOR, question, yes), telegram.press(OPERATOR, question, yes)
    await telegram.wait_answer(first)
    await telegram.wait_answer(second)

    async with asyncio.timeout(20):
        await platform.wait_requests(1)
    await telegram.wait_for(
        lambda: any("Nothing is waiting" in m.get("text", "") for m in telegram.chat(OPERATOR))
    )
    assert sum(platform.received.values()) == 1
    assert "already" in telegram.answers[second].get("text", "")
