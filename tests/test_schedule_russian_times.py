"""A Russian operator schedules with the words they use: "завтра в 9", "в среду в 18:30",
"послезавтра", "в 0:00"; the card echoes the date in Russian, and says when a time of day that has
passed today was taken as tomorrow's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.schedule.when import format_moment
from tests.compose_user import Composer, make_operator

MOSCOW = ZoneInfo("Europe/Moscow")
ROLLED = "Сегодня это время уже прошло, поэтому отправка — завтра."


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW)


def next_wednesday(today: date) -> date:
    return today + timedelta(days=(2 - today.weekday()) % 7 or 7)


async def test_russian_phrases_are_echoed_as_russian_dates(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/send sms 79001234567 Привет", expect="Предпросмотр")
    await composer.press("Запланировать", expect="Когда отправить?")
    assert "завтра в 9" in composer.text

    today = datetime.now(MOSCOW).date()
    phrases = [
        ("завтра в 9", moment(today + timedelta(days=1), 9), False),
        ("в среду в 18:30", moment(next_wednesday(today), 18, 30), False),
        ("послезавтра", moment(today + timedelta(days=2), 10), False),
        ("в 0:00", moment(today + timedelta(days=1), 0), True),  # always past today
    ]
    for typed, expected, rolled in phrases:
        await composer.say(typed, expect="Подтвердить?")
        echo = format_moment(expected, MOSCOW, "ru")
        assert f"Время: {echo}" in composer.text, typed
        assert "Europe/Moscow" not in composer.text
        assert (ROLLED in composer.text) is rolled, typed
        await composer.press("Изменить время", expect="Когда отправить?")

    await composer.say("в 9 в 10", expect="Не удалось понять")
    await composer.say("завтра в 9", expect="Подтвердить?")
    await composer.press("Подтвердить", expect="Рассылка №1 запланирована")
    assert format_moment(moment(today + timedelta(days=1), 9), MOSCOW, "ru") in composer.text
