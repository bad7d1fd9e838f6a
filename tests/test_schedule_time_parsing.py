"""Typed times in Russian or English, read in TIMEZONE; quick choices; repeats; the echo."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.schedule.when import (
    Recurrence,
    cron_trigger,
    format_day,
    format_moment,
    parse_when,
    platform_sent_date,
    quick_choice,
    runs_after,
    too_soon,
)

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 10, 14, 30, tzinfo=MOSCOW)  # a Tuesday afternoon


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0)),
        ("01.12 10:00", datetime(2026, 12, 1, 10, 0)),
        ("01.12.2026 10:00", datetime(2026, 12, 1, 10, 0)),
        ("01.03 10:00", datetime(2027, 3, 1, 10, 0)),  # already passed this year
        ("18:00", datetime(2026, 3, 10, 18, 0)),
        ("10:00", datetime(2026, 3, 11, 10, 0)),  # passed today: tomorrow
        ("завтра 10:00", datetime(2026, 3, 11, 10, 0)),
        ("Завтра в 10:00", datetime(2026, 3, 11, 10, 0)),
        ("tomorrow 9am", datetime(2026, 3, 11, 9, 0)),
        ("сегодня в 18:00", datetime(2026, 3, 10, 18, 0)),
        ("в понедельник в 10:00", datetime(2026, 3, 16, 10, 0)),
        ("1 декабря 10:00", datetime(2026, 12, 1, 10, 0)),
        ("in 2 hours", datetime(2026, 3, 10, 16, 30)),
    ],
)
def test_typed_times_are_read_in_the_configured_zone(typed: str, expected: datetime) -> None:
    assert parse_when(typed, NOW, MOSCOW) == expected.replace(tzinfo=MOSCOW)


def test_the_zone_of_a_typed_time_is_timezone_not_the_servers() -> None:
    yekaterinburg = ZoneInfo("Asia/Yekaterinburg")
    moment = parse_when("2026-12-01 10:00", NOW, yekaterinburg)
    assert moment is not None
    assert moment.utcoffset().total_seconds() == 5 * 3600


@pytest.mark.parametrize("typed", ["", "soon-ish", "31.02 10:00", "25:00", "привет"])
def test_unreadable_times_give_nothing(typed: str) -> None:
    assert parse_when(typed, NOW, MOSCOW) is None


def test_times_in_the_past_or_within_a_minute_are_too_soon() -> None:
    past = parse_when("2020-01-01 10:00", NOW, MOSCOW)
    assert past is not None
    assert too_soon(past, NOW)
    assert too_soon(NOW.replace(second=30), NOW)
    assert not too_soon(NOW.replace(minute=32), NOW)


def test_quick_choices() -> None:
    morning = NOW.replace(hour=8)
    assert quick_choice("hour", NOW, MOSCOW) == NOW.replace(hour=15, minute=30)
    assert quick_choice("today", morning, MOSCOW) == NOW.replace(hour=10, minute=0)
    assert quick_choice("today", NOW, MOSCOW) is None  # 10:00 has passed
    assert quick_choice("tomorrow", NOW, MOSCOW) == datetime(2026, 3, 11, 10, 0, tzinfo=MOSCOW)
    assert quick_choice("monday", NOW, MOSCOW) == datetime(2026, 3, 16, 10, 0, tzinfo=MOSCOW)


def test_the_echo_names_the_date_and_time_in_one_format_per_language() -> None:
    moment = datetime(2026, 12, 1, 10, 0, tzinfo=MOSCOW)
    assert format_moment(moment, MOSCOW, "en") == "Tue 1 Dec 2026, 10:00"
    assert format_moment(moment, MOSCOW, "ru") == "вт, 1 декабря 2026, 10:00"
    assert format_moment(moment, MOSCOW, "ru", reader_zone=MOSCOW) == "вт, 1 декабря 2026, 10:00"


def test_the_zone_is_named_only_when_it_is_not_the_readers() -> None:
    moment = datetime(2026, 12, 1, 10, 0, tzinfo=MOSCOW)
    samara = ZoneInfo("Europe/Samara")
    shown = format_moment(moment, samara, "en", reader_zone=MOSCOW)
    assert shown == "Tue 1 Dec 2026, 11:00 (Europe/Samara)"


def test_sent_date_converts_to_the_platform_zone() -> None:
    local = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    assert platform_sent_date(local, MOSCOW) == "2026-12-01 08:00"


def test_cron_weekdays_are_numbered_as_in_crontab() -> None:
    # APScheduler 3 alone would read 1-5 as Tuesday to Saturday.
    runs = runs_after(cron_trigger("0 10 * * 1-5", MOSCOW), NOW, 5)
    assert [run.strftime("%a %d") for run in runs] == [
        "Wed 11",
        "Thu 12",
        "Fri 13",
        "Mon 16",
        "Tue 17",
    ]
    sundays = runs_after(cron_trigger("30 9 * * 0", MOSCOW), NOW, 2)
    assert [run.strftime("%a %d %H:%M") for run in sundays] == ["Sun 15 09:30", "Sun 22 09:30"]


@pytest.mark.parametrize("expression", ["0 10 * *", "61 10 * * *", "0 10 * * 9", "x y z w v"])
def test_bad_cron_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is shown to the user as is
        cron_trigger(expression, MOSCOW)


def test_repeats_keep_the_time_of_day_of_their_first_run() -> None:
    first = datetime(2026, 3, 10, 9, 15, tzinfo=MOSCOW)
    weekly = Recurrence.from_text("weekly:1,4")
    assert weekly.crontab(first) == "15 9 * * 1,4"
    assert Recurrence.from_text(weekly.to_text()) == weekly
    runs = runs_after(weekly.trigger(first, MOSCOW), first, 3)
    assert [run.strftime("%a %d %H:%M") for run in runs] == [
        "Thu 12 09:15",
        "Mon 16 09:15",
        "Thu 19 09:15",
    ]


def test_a_day_alone_is_written_as_in_a_moment() -> None:
    moment = datetime(2026, 11, 30, 12, 0, tzinfo=MOSCOW)
    assert format_day(moment, MOSCOW, "ru") == "30 ноября 2026"
    assert format_day(moment, MOSCOW, "en") == "30 Nov 2026"
    assert format_moment(moment, MOSCOW, "ru").endswith("30 ноября 2026, 12:00")
