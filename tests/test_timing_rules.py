"""The pure rules of recipients' local times: zones, quiet-hour windows, local-time moments."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from phonenumbers import timezone as phone_zones

from bot.timing.local_time import LocalSend, local_moments
from bot.timing.quiet_hours import QuietHours, held_now, quiet_zones
from bot.timing.zones import is_zone_header, number_zone, recipient_zone, zone_name
from tests.test_settings import start_with

MOSCOW = ZoneInfo("Europe/Moscow")
NIGHT = QuietHours(time(21), time(9))


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("21:00-09:00", NIGHT),
        (" 21:00 – 9:00 ", NIGHT),
        ("13:00-15:30", QuietHours(time(13), time(15, 30))),
        ("", None),
    ],
)
def test_a_window_is_read(text: str, window: QuietHours | None) -> None:
    assert QuietHours.parse(text) == window


@pytest.mark.parametrize("text", ["21-09", "25:00-09:00", "21:00-21:00", "night", "21:00-09:60"])
def test_a_malformed_window_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"21:00-09:00|00:00 to 23:59|different"):
        QuietHours.parse(text)


@pytest.mark.parametrize(
    ("local", "inside"),
    [
        (time(20, 59), False),
        (time(21), True),
        (time(3), True),
        (time(8, 59), True),
        (time(9), False),
    ],
)
def test_a_window_across_midnight(local: time, inside: bool) -> None:
    assert NIGHT.contains(local) is inside


def test_a_window_within_one_day() -> None:
    lunch = QuietHours(time(13), time(15))
    assert [lunch.contains(time(h)) for h in (12, 13, 14, 15)] == [False, True, True, False]


def test_the_window_ends_the_next_morning_when_it_opened_in_the_evening() -> None:
    vladivostok = ZoneInfo("Asia/Vladivostok")
    evening = datetime(2031, 3, 3, 12, 0, tzinfo=UTC)  # 22:00 there
    assert NIGHT.ends_after(evening, vladivostok) == datetime(2031, 3, 3, 23, 0, tzinfo=UTC)
    early = datetime(2031, 3, 3, 18, 0, tzinfo=UTC)  # 04:00 on the 4th there
    assert NIGHT.ends_after(early, vladivostok) == datetime(2031, 3, 3, 23, 0, tzinfo=UTC)
    assert NIGHT.ends_after(evening, MOSCOW) is None  # 15:00 in Moscow


def test_only_the_zones_inside_the_window_are_held_the_soonest_first() -> None:
    now = datetime(
        2031, 3, 3, 13, 0, tzinfo=UTC
    )  # Moscow 16:00, Vladivostok 23:00, Kamchatka 01:00
    zones = {None: 5, "Asia/Vladivostok": 2, "Asia/Kamchatka": 1, "Europe/Kaliningrad": 3}
    held = held_now(NIGHT, now, zones, MOSCOW)
    assert [(item.zone, item.count) for item in held] == [
        ("Asia/Kamchatka", 1),  # 09:00 there is 21:00 UTC
        ("Asia/Vladivostok", 2),  # 23:00 UTC
    ]
    assert quiet_zones(None, now, zones, MOSCOW) == {}


def test_a_zone_no_longer_known_falls_back_to_the_default() -> None:
    now = datetime(2031, 3, 3, 19, 0, tzinfo=UTC)  # 22:00 in Moscow
    assert set(quiet_zones(NIGHT, now, ["Mars/Olympus"], MOSCOW)) == {"Mars/Olympus"}


def test_zone_names_are_iana_names_in_any_case() -> None:
    assert zone_name("asia/VLADIVOSTOK") == "Asia/Vladivostok"
    assert zone_name(" Europe/Kaliningrad ") == "Europe/Kaliningrad"
    assert zone_name("MSK+7") is None
    assert zone_name("../etc/passwd") is None
    assert is_zone_header("Time zone")
    assert is_zone_header("TZ")
    assert is_zone_header("часовой пояс")
    assert not is_zone_header("name")


def test_a_number_names_its_zone_only_when_it_has_exactly_one() -> None:
    assert number_zone("74232123456") == "Asia/Vladivostok"  # a Vladivostok landline
    assert number_zone("4915112345678") == "Europe/Berlin"
    assert number_zone("79141234567") is None  # Russian mobiles: every Russian zone
    assert number_zone("12125551234") == "America/New_York"
    assert number_zone("anna@example.com") is None


def test_the_rows_zone_wins_over_the_number() -> None:
    fields = {"tz": "Europe/Moscow"}
    assert recipient_zone("74232123456", fields, "tz") == "Europe/Moscow"
    assert recipient_zone("74232123456", {"tz": ""}, "tz") == "Asia/Vladivostok"
    assert recipient_zone("79001234567", {}, None) is None


def test_ten_local_comes_earliest_in_the_east() -> None:
    wall = datetime(2031, 3, 4, 10, 0)
    moments = local_moments(wall, [None, "Asia/Vladivostok", "Europe/Kaliningrad"], MOSCOW)
    assert list(moments.items()) == [
        ("Asia/Vladivostok", datetime(2031, 3, 4, 0, 0, tzinfo=UTC)),
        (None, datetime(2031, 3, 4, 7, 0, tzinfo=UTC)),
        ("Europe/Kaliningrad", datetime(2031, 3, 4, 8, 0, tzinfo=UTC)),
    ]
    send = LocalSend.of(datetime(2031, 3, 4, 10, 0, tzinfo=MOSCOW), MOSCOW, {None: 3, "X/Y": 0})
    assert send.sent_dates(ZoneInfo("Asia/Yekaterinburg")) == {None: "2031-03-04 12:00"}


def test_a_malformed_quiet_hours_setting_stops_the_start(monkeypatch, capsys, tmp_path):
    code, stderr = start_with(
        monkeypatch, capsys, tmp_path, BOT_TOKEN="1:abc", QUIET_HOURS="after nine"
    )
    assert code == 2
    [line] = stderr.strip().splitlines()
    assert "QUIET_HOURS" in line
    assert "21:00-09:00" in line


def test_the_quick_country_answer_agrees_with_phonenumbers_everywhere() -> None:
    checked = 0
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            address = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)[1:]
            zones = phone_zones.time_zones_for_number(example)
            expected = zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None
            assert number_zone(address) == (zone_name(expected) if expected else None), address
            checked += 1
    assert checked > 400
