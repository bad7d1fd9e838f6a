"""What scheduling tells people, as plain facts: a missed run to its owner, and to every admin
the sends paused because their owner may no longer send. `cards` says how they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.notices import Notice
from storage.campaigns import Campaign
from storage.schedules import Schedule


@dataclass(frozen=True)
class ScheduleSummary:
    """One schedule as lists and questions show it: the row, its campaign (None once it is
    gone), the name its owner was last seen with and the zone its times are read in."""

    schedule: Schedule
    campaign: Campaign | None
    owner_name: str | None
    zone: ZoneInfo
    awaiting_approval: bool = False  # nothing of it goes out before another member approves
    # A send at local times already under way: when its later zones go out (UTC), and to how many.
    still_to_come: tuple[tuple[datetime, int], ...] = ()


@dataclass(frozen=True)
class MissedRun(Notice):
    """A run whose time passed while the program was not running, `minutes_late` ago: send it
    now or discard it? Asked in the owner's language (`locale`, None for the configured one)."""

    missed: ScheduleSummary
    minutes_late: int
    locale: str | None = None


@dataclass(frozen=True)
class RunUnapproved(Notice):
    """A run of a repeating send came while the series still waits for approval: it did not go
    out, and the series goes on with its next run (`series`, as it is now)."""

    series: ScheduleSummary
    run_at: datetime


@dataclass(frozen=True)
class OwnerLostAccess(Notice):
    """The admins' card: `owner` may no longer send, so these schedules of theirs are paused
    until an admin takes each over or cancels it. `paused` lists the first few of `total`."""

    owner_id: int
    owner_name: str | None
    paused: tuple[ScheduleSummary, ...]
    total: int
