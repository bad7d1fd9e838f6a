"""A recipient's time zone: named in their row, or told by their number, or the team's own.

Everything here is pure and runs where a list is parsed (a worker thread), so a big list's
zones are found once, never on the event loop.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from functools import cache, lru_cache

import phonenumbers
from phonenumbers import timezone as phone_zones

# Headers (compared lower-cased, with runs of spaces and "_" as one space) of a zone column.
ZONE_HEADERS = frozenset({"tz", "timezone", "time zone", "часовой пояс", "пояс"})
_SPACES = re.compile(r"[\s_]+")
# Russian mobile numbers are not tied to a region: phonenumbers names all eleven zones for them.
_RU_MOBILE = re.compile(
    "7" + phonenumbers.PhoneMetadata.metadata_for_region("RU").mobile.national_number_pattern
)
_LONGEST_PHONE = 15


def is_zone_header(name: str) -> bool:
    """Whether a column's name says it holds each row's time zone."""
    return _SPACES.sub(" ", name.strip().lower()) in ZONE_HEADERS


def zone_column(columns: list[str]) -> str | None:
    """The list's zone column, when it has one (the first, if several)."""
    return next((name for name in columns if is_zone_header(name)), None)


@cache
def _known_zones() -> Mapping[str, str]:
    """IANA zone names by their lower-cased spelling, so `europe/moscow` is understood too."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


@lru_cache(maxsize=1024)
def zone_name(text: str) -> str | None:
    """The IANA name written in a cell (`Asia/Vladivostok`), or None when it names no zone."""
    return _known_zones().get(text.strip().lower())


@lru_cache(maxsize=4096)
def _number_zone(address: str) -> str | None:
    try:
        number = phonenumbers.parse("+" + address, None)
    except phonenumbers.NumberParseException:
        return None
    zones = phone_zones.time_zones_for_number(number)
    if len(zones) != 1 or zones[0] == phone_zones.UNKNOWN_TIMEZONE:
        return None
    return zone_name(zones[0])


@cache
def _one_zone_countries() -> Mapping[str, str]:
    """Country codes all of whose numbers are in one zone (Germany, Belarus...), with it."""
    codes = {str(code) for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE}
    zones: dict[str, set[str]] = {}
    for key, names in phone_zones.TIMEZONE_DATA.items():
        code = next((key[:length] for length in (1, 2, 3) if key[:length] in codes), None)
        if code is not None:
            zones.setdefault(code, set()).update(names)
    return {
        code: named
        for code, names in zones.items()
        if len(names) == 1 and (named := zone_name(next(iter(names)))) is not None
    }


def number_zone(address: str) -> str | None:
    """The zone of a normalised phone (digits, with country code) when it names exactly one."""
    if not address.isdigit() or len(address) > _LONGEST_PHONE:
        return None  # an e-mail address or a push token says nothing about where one lives
    if _RU_MOBILE.fullmatch(address):
        return None  # the common case, without phonenumbers' ~25 µs
    countries = _one_zone_countries()
    for length in (1, 2, 3):  # country codes have one to three digits and none prefixes another
        if (zone := countries.get(address[:length])) is not None:
            return zone
    return _number_zone(address)


def recipient_zone(address: str, fields: Mapping[str, str], column: str | None) -> str | None:
    """The zone stored with a recipient: their row's zone cell, else their number's zone.

    None means "the team's TIMEZONE", decided when the message goes out, so that a change of
    TIMEZONE applies to lists already uploaded.
    """
    if column is not None and (cell := fields.get(column)):
        named = zone_name(cell)
        if named is not None:
            return named
    return number_zone(address)
