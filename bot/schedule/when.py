"""Times as people type and read them: reading in TIMEZONE, quick choices, repeats, display.

Everything here is pure: `now` is always passed in, so tests control the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from babel.dates import format_datetime

from bot.schedule.time_phrases import DEFAULT_HOUR, read_phrase

MIN_LEAD = timedelta(minutes=1)  # a send closer than this cannot be scheduled
QUICK_HOUR = DEFAULT_HOUR  # "tomorrow 10:00" and the other quick choices
QUICK_CHOICES = ("hour", "today", "tomorrow", "monday")


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """A typed time read in `zone` (Russian or English), or None when it cannot be read."""
    reading = read_phrase(text, now, zone)
    return reading.moment if reading else None


def quick_choice(choice: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The time a quick button means at `now`; None for "today 10:00" once it has passed."""
    local_now = now.astimezone(zone)
    at_ten = local_now.replace(hour=QUICK_HOUR, minute=0, second=0, microsecond=0)
    if choice == "hour":
        return (local_now + timedelta(hours=1)).replace(second=0, microsecond=0)
    if choice == "today":
        return at_ten if at_ten - local_now >= MIN_LEAD else None
    if choice == "tomorrow":
        return _add_days(at_ten, 1)
    if choice == "monday":
        days_ahead = (7 - local_now.weekday()) or 7  # the next Monday, never today
        return _add_days(at_ten, days_ahead)
    return None


def too_soon(moment: datetime, now: datetime) -> bool:
    """True for times in the past or less than a minute ahead."""
    return moment - now < MIN_LEAD


def _add_days(moment: datetime, days: int) -> datetime:
    """Same wall-clock time `days` later in the moment's own zone (DST-safe)."""
    return (moment.replace(tzinfo=None) + timedelta(days=days)).replace(tzinfo=moment.tzinfo)


# One way of writing a moment (and a day) per language, everywhere a person reads one.
MOMENT_PATTERNS = {"en": "EEE d MMM y, HH:mm", "ru": "EEE, d MMMM y, HH:mm"}
DAY_PATTERNS = {"en": "d MMM y", "ru": "d MMMM y"}


def format_day(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    """ "30 Nov 2026" / "30 ноября 2026": the day of a moment, written as in `format_moment`."""
    pattern = DAY_PATTERNS.get(locale[:2], DAY_PATTERNS["en"])
    return format_datetime(moment, pattern, tzinfo=zone, locale=locale)


def format_moment(
    moment: datetime, zone: ZoneInfo, locale: str, *, reader_zone: ZoneInfo | None = None
) -> str:
    """ "Tue 1 Dec 2026, 10:00" / "вт, 1 декабря 2026, 10:00": absolute, never relative.

    The zone is named only when the moment is shown in a zone other than the reader's.
    """
    pattern = MOMENT_PATTERNS.get(locale[:2], MOMENT_PATTERNS["en"])
    shown = format_datetime(moment, pattern, tzinfo=zone, locale=locale)
    if reader_zone is not None and reader_zone.key != zone.key:
        return f"{shown} ({zone.key})"
    return shown


def platform_sent_date(moment: datetime, pulse_zone: ZoneInfo) -> str:
    """The platform's `sent_date`: the moment in the platform's zone, "YYYY-MM-DD HH:MM"."""
    return moment.astimezone(pulse_zone).strftime("%Y-%m-%d %H:%M")


# -- repeats ------------------------------------------------------------------------------------

CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 = Sunday
WORKDAYS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Recurrence:
    """How a send repeats; stored as text ("daily", "weekdays", "weekly:1,3", "cron:0 10 * * 1-5").

    Daily, weekday and weekly repeats run at the time of day of the schedule's first run; days are
    numbered as in crontab (0 = Sunday).
    """

    kind: str  # "daily" | "weekdays" | "weekly" | "cron"
    days: tuple[int, ...] = ()
    cron: str = ""

    def to_text(self) -> str:
        if self.kind == "weekly":
            return "weekly:" + ",".join(map(str, sorted(self.days)))
        if self.kind == "cron":
            return f"cron:{self.cron}"
        return self.kind

    @classmethod
    def from_text(cls, text: str) -> Recurrence:
        kind, _, rest = text.partition(":")
        if kind == "weekly":
            return cls("weekly", days=tuple(int(day) for day in rest.split(",") if day))
        if kind == "cron":
            return cls("cron", cron=rest)
        if kind in ("daily", "weekdays"):
            return cls(kind)
        raise ValueError(f"unknown recurrence {text!r}")

    def crontab(self, first_run: datetime) -> str:
        """The crontab expression of this repeat, at the local time of day of `first_run`."""
        if self.kind == "cron":
            return self.cron
        days = {"daily": "*", "weekdays": "1-5"}.get(self.kind) or ",".join(
            map(str, sorted(self.days))
        )
        return f"{first_run.minute} {first_run.hour} * * {days}"

    def trigger(self, first_run: datetime, zone: ZoneInfo) -> CronTrigger:
        return cron_trigger(self.crontab(first_run.astimezone(zone)), zone)


def cron_trigger(expression: str, zone: ZoneInfo) -> CronTrigger:
    """APScheduler's trigger for a standard crontab line; ValueError when it is not one.

    APScheduler 3 numbers weekdays from Monday = 0, unlike crontab (Sunday = 0), so numeric
    weekdays are rewritten as names first: "1-5" keeps meaning Monday to Friday.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError("a cron expression has 5 fields: minute hour day month weekday")
    fields[4] = _weekday_names(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=zone)


def _weekday_names(field: str) -> str:
    names: list[str] = []
    for part in field.lower().split(","):
        if not re.fullmatch(r"[\d*/-]+", part) or part == "*":
            names.append(part)  # names and "*" mean the same in both numberings
            continue
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first_text, _, last_text = span.partition("-")
            first, last = int(first_text), int(last_text)
        else:
            first = int(span)
            last = 6 if step_text else first
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step > 0):
            raise ValueError(f"bad weekday {part!r}: use 0-7 (0 and 7 are Sunday) or mon-sun")
        names += [CRON_WEEKDAYS[day % 7] for day in range(first, last + 1, step)]
    return ",".join(dict.fromkeys(names))


def runs_after(trigger: CronTrigger, moment: datetime, count: int) -> list[datetime]:
    """The next `count` run times at or after `moment`."""
    runs: list[datetime] = []
    cursor = moment
    while len(runs) < count:
        run = trigger.get_next_fire_time(None, cursor)
        if run is None:
            break
        runs.append(run)
        cursor = run + timedelta(seconds=1)
    return runs


def first_run(recurrence: Recurrence | None, start: datetime, zone: ZoneInfo) -> datetime | None:
    """When a schedule starting at `start` first fires: `start` itself, or the repeat's first
    run at or after it (None if a cron expression never fires)."""
    if recurrence is None:
        return start
    runs = runs_after(recurrence.trigger(start, zone), start, 1)
    return runs[0] if runs else None


def next_run(
    recurrence: Recurrence, run_at: datetime, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """The run after `run_at` that is also after `now` (runs missed meanwhile are skipped)."""
    after = max(run_at, now) + timedelta(seconds=1)
    runs = runs_after(recurrence.trigger(run_at, zone), after, 1)
    return runs[0] if runs else None
