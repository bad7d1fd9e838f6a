"""Typed times as people say them, in Russian and English, read against a fixed "now":
Monday 30 November 2026, 14:30 in Moscow. A day without a time means 10:00; a time of day alone
that has passed today means tomorrow (marked, so the card can say so)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.schedule.time_phrases import read_phrase

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 30, 14, 30, tzinfo=MOSCOW)  # a Monday afternoon
ROLLED = "rolled"  # the time had passed today: tomorrow's


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


RUSSIAN = [
    ("завтра в 9", at(12, 1, 9)),
    ("завтра в 9:30", at(12, 1, 9, 30)),
    ("Завтра в 18:30", at(12, 1, 18, 30)),
    ("в 18", at(11, 30, 18)),
    ("в 18:30", at(11, 30, 18, 30)),
    ("в 18 часов", at(11, 30, 18)),
    ("в 9", (at(12, 1, 9), ROLLED)),
    ("в 9 утра", (at(12, 1, 9), ROLLED)),
    ("в 9 вечера", at(11, 30, 21)),
    ("в 6 вечера", at(11, 30, 18)),
    ("в 3 дня", at(11, 30, 15)),
    ("в 12 дня", (at(12, 1, 12), ROLLED)),
    ("в 2 ночи", (at(12, 1, 2), ROLLED)),
    ("в 11 ночи", at(11, 30, 23)),
    ("в 9 часов 30 минут", (at(12, 1, 9, 30), ROLLED)),
    ("в 10.30", (at(12, 1, 10, 30), ROLLED)),
    ("10:00", (at(12, 1, 10), ROLLED)),
    ("18:30", at(11, 30, 18, 30)),
    ("в полдень", (at(12, 1, 12), ROLLED)),
    ("в среду", at(12, 2, 10)),
    ("в среду в 9", at(12, 2, 9)),
    ("ср в 9", at(12, 2, 9)),
    ("в понедельник", at(12, 7, 10)),  # today is Monday: the next one
    ("в понедельник в 9", at(12, 7, 9)),
    ("во вторник в 18:30", at(12, 1, 18, 30)),
    ("в пятницу вечером", at(12, 4, 19)),
    ("в субботу в 11 утра", at(12, 5, 11)),
    ("в воскресенье в 12:00", at(12, 6, 12)),
    ("в следующую среду", at(12, 2, 10)),
    ("в следующий четверг в 10:15", at(12, 3, 10, 15)),
    ("в 20:00 в четверг", at(12, 3, 20)),
    ("послезавтра", at(12, 2, 10)),
    ("послезавтра в 9", at(12, 2, 9)),
    ("послезавтра в 7 вечера", at(12, 2, 19)),
    ("завтра", at(12, 1, 10)),
    ("завтра утром", at(12, 1, 9)),
    ("завтра вечером", at(12, 1, 19)),
    ("завтра в полдень", at(12, 1, 12)),
    ("сегодня в 18:00", at(11, 30, 18)),
    ("сегодня вечером", at(11, 30, 19)),
    ("1 декабря в 9 утра", at(12, 1, 9)),
    ("в 9 утра 1 декабря", at(12, 1, 9)),
    ("1 декабря", at(12, 1, 10)),
    ("1 декабря 10:00", at(12, 1, 10)),
    ("5 декабря в 18:30", at(12, 5, 18, 30)),
    ("3 дек. в 9:00", at(12, 3, 9)),
    ("31 декабря в 23:59", at(12, 31, 23, 59)),
    ("15 января в 10", at(1, 15, 10, year=2027)),
    ("1 марта 2027 г. в 9 утра", at(3, 1, 9, year=2027)),
    ("10 ноября", at(11, 10, 10, year=2027)),  # passed this year: next year's
    ("01.12 10:00", at(12, 1, 10)),
    ("01.12.2026 10:00", at(12, 1, 10)),
    ("2026-12-01 10:00", at(12, 1, 10)),
    ("через 2 часа", at(11, 30, 16, 30)),
    ("через час", at(11, 30, 15, 30)),
    ("через полчаса", at(11, 30, 15)),
    ("через 15 минут", at(11, 30, 14, 45)),
    ("через 3 дня", at(12, 3, 10)),
    ("через 3 дня в 9", at(12, 3, 9)),
    ("через неделю", at(12, 7, 10)),
]

ENGLISH = [
    ("tomorrow at 9", at(12, 1, 9)),
    ("tomorrow 9am", at(12, 1, 9)),
    ("Tomorrow at 9:30 am", at(12, 1, 9, 30)),
    ("tomorrow at 6 pm", at(12, 1, 18)),
    ("tomorrow 6:30pm", at(12, 1, 18, 30)),
    ("at 18", at(11, 30, 18)),
    ("at 18:30", at(11, 30, 18, 30)),
    ("at 9", (at(12, 1, 9), ROLLED)),
    ("9am", (at(12, 1, 9), ROLLED)),
    ("9 p.m.", at(11, 30, 21)),
    ("at 12 pm", (at(12, 1, 12), ROLLED)),
    ("at 12 am", (at(12, 1, 0), ROLLED)),
    ("midnight", (at(12, 1, 0), ROLLED)),
    ("18:30", at(11, 30, 18, 30)),
    ("wednesday", at(12, 2, 10)),
    ("on Wednesday", at(12, 2, 10)),
    ("on wednesday at 9", at(12, 2, 9)),
    ("next monday", at(12, 7, 10)),
    ("monday at 9am", at(12, 7, 9)),
    ("tuesday 18:30", at(12, 1, 18, 30)),
    ("fri 5pm", at(12, 4, 17)),
    ("saturday morning", at(12, 5, 9)),
    ("sunday evening", at(12, 6, 19)),
    ("at 8 pm on thursday", at(12, 3, 20)),
    ("the day after tomorrow", at(12, 2, 10)),
    ("day after tomorrow at 9", at(12, 2, 9)),
    ("tomorrow", at(12, 1, 10)),
    ("tomorrow morning", at(12, 1, 9)),
    ("tomorrow afternoon", at(12, 1, 14)),
    ("at noon tomorrow", at(12, 1, 12)),
    ("today at 6pm", at(11, 30, 18)),
    ("tonight", at(11, 30, 19)),
    ("December 1 at 9am", at(12, 1, 9)),
    ("1 December", at(12, 1, 10)),
    ("Dec 1st 10:00", at(12, 1, 10)),
    ("1st of December at 9", at(12, 1, 9)),
    ("December 5, 2026 6:30 pm", at(12, 5, 18, 30)),
    ("Dec. 31 at 23:59", at(12, 31, 23, 59)),
    ("Jan 15 at 10", at(1, 15, 10, year=2027)),
    ("March 1 2027 9am", at(3, 1, 9, year=2027)),
    ("November 10", at(11, 10, 10, year=2027)),
    ("2026-12-01T10:00", at(12, 1, 10)),
    ("in 2 hours", at(11, 30, 16, 30)),
    ("in an hour", at(11, 30, 15, 30)),
    ("in 30 minutes", at(11, 30, 15)),
    ("in 3 days", at(12, 3, 10)),
    ("in 3 days at 9am", at(12, 3, 9)),
    ("in a week", at(12, 7, 10)),
]


def expected_reading(expected: datetime | tuple[datetime, str]) -> tuple[datetime, bool]:
    if isinstance(expected, tuple):
        return expected[0], True
    return expected, False


@pytest.mark.parametrize(("typed", "expected"), RUSSIAN, ids=[typed for typed, _ in RUSSIAN])
def test_russian_phrases(typed, expected):
    reading = read_phrase(typed, NOW, MOSCOW)
    assert reading is not None, typed
    assert (reading.moment, reading.rolled_to_tomorrow) == expected_reading(expected)


@pytest.mark.parametrize(("typed", "expected"), ENGLISH, ids=[typed for typed, _ in ENGLISH])
def test_english_phrases(typed, expected):
    reading = read_phrase(typed, NOW, MOSCOW)
    assert reading is not None, typed
    assert (reading.moment, reading.rolled_to_tomorrow) == expected_reading(expected)


def test_each_language_has_at_least_forty_phrases():
    assert len(RUSSIAN) >= 40
    assert len(ENGLISH) >= 40


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "привет",
        "soon-ish",
        "31.02 10:00",
        "30 февраля",
        "25:00",
        "в 25",
        "в 9:75",
        "13 pm",
        "завтра послезавтра",
        "в среду завтра",
        "в 9 в 10",
        "завтра в 9 или в 10",
        "next week sometime",
    ],
)
def test_phrases_that_name_no_single_time_are_not_guessed(typed):
    assert read_phrase(typed, NOW, MOSCOW) is None


def test_a_phrase_is_read_in_the_given_zone_whatever_the_clocks_zone():
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")  # already 16:30 there
    reading = read_phrase("в 16", utc_now, yekaterinburg)
    assert reading is not None
    assert reading.moment == datetime(2026, 12, 1, 16, 0, tzinfo=yekaterinburg)
    assert reading.rolled_to_tomorrow


def test_a_weekday_named_on_that_day_means_next_week():
    wednesday = datetime(2026, 12, 2, 8, 0, tzinfo=MOSCOW)
    reading = read_phrase("в среду", wednesday, MOSCOW)
    assert reading is not None
    assert reading.moment == at(12, 9, 10)
