"""Quiet hours: a daily window of local time in which no recipient is sent anything.

Pure functions: `now` is always passed in (UTC), so tests control the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*")


@dataclass(frozen=True)
class QuietHours:
    """From `start` (inclusive) to `end` (exclusive), crossing midnight when start > end."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """`21:00-09:00` → the window; empty → None (off). Raise ValueError otherwise."""
        if not text.strip():
            return None
        found = _WINDOW.fullmatch(text)
        if found is None:
            raise ValueError(f"must be a window such as 21:00-09:00, got {text!r}")
        hour1, minute1, hour2, minute2 = (int(part) for part in found.groups())
        if hour1 > 23 or hour2 > 23 or minute1 > 59 or minute2 > 59:
            raise ValueError(f"must hold times from 00:00 to 23:59, got {text!r}")
        start, end = time(hour1, minute1), time(hour2, minute2)
        if start == end:
            raise ValueError(f"must start and end at different times, got {text!r}")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def contains(self, moment: time) -> bool:
        """Whether a local time of day is inside the window."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def ends_after(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When the window now open in `zone` ends (UTC), or None when it is not open there.

        A window end that a clock change skips (02:30 on a spring-forward night) is read as
        the first moment after the gap, as zoneinfo does.
        """
        local = now.astimezone(zone)
        if not self.contains(local.time().replace(tzinfo=None)):
            return None
        day = local.date()
        if self.start > self.end and local.time().replace(tzinfo=None) >= self.start:
            day += timedelta(days=1)  # opened this evening, ends tomorrow morning
        end = datetime.combine(day, self.end, tzinfo=zone)
        return end.astimezone(UTC)


def quiet_zones(
    window: QuietHours | None, now: datetime, zones: Iterable[str | None], default: ZoneInfo
) -> dict[str | None, datetime]:
    """Of the zones named (None: the default zone), those inside quiet hours now, with when
    the window ends in each (UTC)."""
    if window is None:
        return {}
    held: dict[str | None, datetime] = {}
    for name in zones:
        ends = window.ends_after(now, zone_of(name, default))
        if ends is not None:
            held[name] = ends
    return held


def zone_of(name: str | None, default: ZoneInfo) -> ZoneInfo:
    """The zone stored with a recipient; the default for none, or for one the system no
    longer knows (zone data updated since the list was read)."""
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default


@dataclass(frozen=True)
class HeldZone:
    """Recipients of one zone inside quiet hours now, and when the window ends there (UTC)."""

    zone: str | None
    count: int
    ends: datetime


def held_now(
    window: QuietHours | None, now: datetime, zones: Mapping[str | None, int], default: ZoneInfo
) -> list[HeldZone]:
    """Of a list's recipients by zone, those inside quiet hours now, the soonest released first."""
    quiet = quiet_zones(window, now, zones, default)
    held = [HeldZone(zone, zones[zone], ends) for zone, ends in quiet.items() if zones[zone]]
    return sorted(held, key=lambda item: (item.ends, -item.count))
