"""Schedule from the preview like a user: a typed time echoed in full, confirmed, listed, cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.schedule.when import format_moment
from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR

MOSCOW = ZoneInfo("Europe/Moscow")


def tomorrow_at_ten(zone: ZoneInfo) -> datetime:
    today = datetime.now(zone)
    return (today + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


async def test_a_russian_time_is_echoed_confirmed_listed_and_cancelled(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Привет <b>всем</b>", expect="Preview")

    await composer.press("Schedule", expect="When should it go out")
    assert {"In 1 hour", "Tomorrow 10:00", "Monday 10:00"} <= set(composer.buttons())
    await composer.say("когда-нибудь потом", expect="Could not read")
    await composer.say("2020-01-01 10:00", expect="has passed")
    await composer.say("завтра 10:00", expect="Confirm?")

    echo = format_moment(tomorrow_at_ten(MOSCOW), MOSCOW, "en")  # e.g. Tue 1 Dec 2026, 10:00 (…)
    assert f"Time: {echo}" in composer.text
    assert "SMS, recipients: 1" in composer.text
    assert "✓ By the bot" in composer.buttons()
    await composer.press("Confirm", expect="Scheduled campaign №1")
    assert echo in composer.text
    assert not composer.card.get("reply_markup")

    telegram.send_text(OPERATOR, "/scheduled")
    listing = await telegram.wait_message(OPERATOR, contains="Waiting to be sent")
    assert "№1 · SMS · recipients: 1" in listing["text"]
    assert echo in listing["text"]
    assert "Привет <b>всем</b>" in listing["text"]  # the user's text, escaped, not formatted
    assert [label for label, _ in telegram.buttons(listing)] == [
        "Cancel №1",
        "Send now №1",
        "Reschedule №1",
    ]

    query = telegram.press(OPERATOR, listing, telegram.find_button(listing, "Cancel №1"))
    answer = await telegram.wait_answer(query)
    assert "Cancelled №1" in answer["text"]
    await telegram.wait_for(
        lambda: "Nothing is waiting" in telegram.chat(OPERATOR)[-1].get("text", "")
    )
    again = telegram.press(OPERATOR, listing, telegram.find_button(listing, "Cancel №1"))
    assert "already" in (await telegram.wait_answer(again))["text"]
    assert platform.requests == []
    assert not telegram.errors


async def test_platform_mode_sends_at_once_with_sent_date_in_the_platform_zone(
    start_bot, telegram, platform
):
    await start_bot(
        PULSE_SENDERS="Shop", TIMEZONE="Asia/Yekaterinburg", PULSE_TIMEZONE="Europe/Moscow"
    )
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")

    await composer.say("2030-12-01 10:00", expect="Confirm?")
    assert "Time: Sun 1 Dec 2030, 10:00\n" in composer.text
    await composer.press("By the platform", expect="sent_date 2030-12-01 08:00")
    assert "can no longer be cancelled" in composer.text
    assert "Weekly" not in composer.buttons()  # repeats are for the bot's mode only
    await composer.press("Confirm", expect="Submitted to the platform")

    await telegram.wait_for(lambda: platform.requests)
    [request] = platform.requests
    assert request.params["sent_date"] == "2030-12-01 08:00"
    assert request.params["sent_to"] == "79001234567"
