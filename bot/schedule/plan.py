"""What the Schedule card has chosen so far: the time, the mode and the repeat.

Kept in the conversation data between presses (`to_data` / `from_data`); button data can be
forged, so every choice is checked against what the card offers.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.schedule.when import Recurrence
from storage.schedules import ScheduleMode


class Repeat(StrEnum):
    """How often a send by the bot goes out; the card's repeat buttons."""

    ONCE = ""
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    CRON = "cron"


class Choice(StrEnum):
    """What a toggle on the Schedule card changes."""

    MODE = "mode"
    REPEAT = "repeat"
    DAY = "day"
    LOCAL = "local"  # at the time of day in each recipient's zone: "1" on, "" off


WEEKDAYS = tuple(str(day) for day in range(7))  # crontab numbering, 0 = Sunday


@dataclass
class Plan:
    """What the Schedule card has chosen so far; kept in the conversation data."""

    start: datetime
    mode: ScheduleMode = ScheduleMode.BOT
    repeat: Repeat = Repeat.ONCE
    days: list[int] = field(default_factory=list)  # crontab numbering, for weekly
    cron: str = ""
    rolled: bool = False  # a time of day alone that had passed today, taken as tomorrow's
    local: bool = False  # at this time of day in each recipient's zone (a single send)

    @classmethod
    def at(cls, start: datetime, zone: ZoneInfo, previous: Plan | None = None) -> Plan:
        """A plan starting at `start`, keeping the earlier choices; Weekly defaults to its day."""
        plan = replace(previous, start=start) if previous else cls(start=start)
        if not plan.days:
            plan.days = [start.astimezone(zone).isoweekday() % 7]
        return plan

    def choose(self, option: Choice, value: str) -> bool:
        """Apply a mode, repeat or weekday press; False when it would leave Weekly without a day.

        Button data can be forged: a value no button offers raises ValueError.
        """
        if option is Choice.MODE:
            self.mode = ScheduleMode(value)
        elif option is Choice.REPEAT:
            self.repeat = Repeat(value)
            if self.repeat is not Repeat.ONCE:
                self.local = False  # a repeat runs at one moment for everyone
        elif option is Choice.LOCAL:
            if value not in ("", "1"):
                raise ValueError(f"unknown local-time choice {value!r}")
            self.local = value == "1"
            if self.local:
                self.repeat = Repeat.ONCE
        elif option is Choice.DAY:
            if value not in WEEKDAYS:
                raise ValueError(f"unknown weekday {value!r}")
            if self.days == [int(value)]:
                return False
            self.days = sorted(set(self.days) ^ {int(value)})
        else:
            raise ValueError(f"unknown option {option!r}")
        return True

    @property
    def by_bot(self) -> bool:
        return self.mode is ScheduleMode.BOT

    def recurrence(self) -> Recurrence | None:
        """The repeat of a send by the bot; None for a single send or one by the platform."""
        if not self.by_bot or self.repeat is Repeat.ONCE or self.local:
            return None
        if self.repeat is Repeat.WEEKLY:
            return Recurrence("weekly", days=tuple(sorted(self.days)))
        if self.repeat is Repeat.CRON:
            return Recurrence("cron", cron=self.cron)
        return Recurrence(self.repeat.value)

    def to_data(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "mode": self.mode.value,
            "repeat": self.repeat.value,
            "days": self.days,
            "cron": self.cron,
            "rolled": self.rolled,
            "local": self.local,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Plan:
        return cls(
            start=datetime.fromisoformat(data["start"]),
            mode=ScheduleMode(data.get("mode", ScheduleMode.BOT.value)),
            repeat=Repeat(data.get("repeat", "")),
            days=list(data.get("days", [])),
            cron=data.get("cron", ""),
            rolled=data.get("rolled", False),
            local=data.get("local", False),
        )
