"""Sends at a time of day in each recipient's own zone ("10:00 local time").

The person picks a moment in TIMEZONE; its date and time of day, as on a wall clock, are then
read in each recipient's zone. Pure functions: tests pass the moments in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.timing.quiet_hours import zone_of
from storage.clock import to_iso


def wall_clock(moment: datetime, zone: ZoneInfo) -> datetime:
    """The date and time of day a moment shows in `zone`, without a zone of its own."""
    return moment.astimezone(zone).replace(tzinfo=None)


def local_moments(
    wall: datetime, zones: Iterable[str | None], default: ZoneInfo
) -> dict[str | None, datetime]:
    """When (UTC) the wall-clock time comes in each zone (None: the default zone), earliest
    first. A time a clock change skips is read as the first moment after the gap."""
    moments = {zone: wall.replace(tzinfo=zone_of(zone, default)).astimezone(UTC) for zone in zones}
    return dict(sorted(moments.items(), key=lambda item: item[1]))


@dataclass(frozen=True)
class LocalSend:
    """A send at one wall-clock time in each recipient's zone: when each zone's turn comes."""

    wall: datetime  # date and time of day, no zone
    moments: dict[str | None, datetime]  # UTC, earliest first
    counts: dict[str | None, int]  # recipients per zone

    @classmethod
    def of(cls, start: datetime, zone: ZoneInfo, counts: Mapping[str | None, int]) -> LocalSend:
        """`start` read in `zone` (TIMEZONE) for its wall clock, applied to the zones counted."""
        wall = wall_clock(start, zone)
        present = {name: count for name, count in counts.items() if count}
        return cls(wall, local_moments(wall, present or {None: 0}, zone), present)

    @property
    def first(self) -> datetime:
        return next(iter(self.moments.values()))

    @property
    def wall_text(self) -> str:
        return self.wall.isoformat(timespec="minutes")

    def until(self) -> dict[str | None, str]:
        """Each zone's moment as stored (UTC, ISO)."""
        return {name: to_iso(moment) for name, moment in self.moments.items()}

    def sent_dates(self, pulse_zone: ZoneInfo) -> dict[str | None, str]:
        """Each zone's moment as the platform's `sent_date`, in the platform's zone."""
        return {
            name: moment.astimezone(pulse_zone).strftime("%Y-%m-%d %H:%M")
            for name, moment in self.moments.items()
        }
