"""Times typed as people say them, in Russian or English: "завтра в 9", "в среду", "в 18:30",
"1 декабря в 9 утра", "послезавтра вечером", "tomorrow 9am", "next friday at 6 pm", "in 2 hours".

A phrase is read piece by piece: at most one day (a date, a weekday, today/tomorrow, "in 3 days")
and at most one time of day (or one "in 2 hours" on its own). Whatever is left must be filler such
as "в" or "at"; anything else makes the phrase unreadable rather than guessed at.
Everything here is pure: `now` is passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_HOUR = 10  # a day named without a time of day means 10:00

MONTHS = {
    **dict.fromkeys(("января", "январь", "янв", "january", "jan"), 1),
    **dict.fromkeys(("февраля", "февраль", "фев", "february", "feb"), 2),
    **dict.fromkeys(("марта", "март", "мар", "march", "mar"), 3),
    **dict.fromkeys(("апреля", "апрель", "апр", "april", "apr"), 4),
    **dict.fromkeys(("мая", "май", "may"), 5),
    **dict.fromkeys(("июня", "июнь", "июн", "june", "jun"), 6),
    **dict.fromkeys(("июля", "июль", "июл", "july", "jul"), 7),
    **dict.fromkeys(("августа", "август", "авг", "august", "aug"), 8),
    **dict.fromkeys(("сентября", "сентябрь", "сен", "сент", "september", "sep", "sept"), 9),
    **dict.fromkeys(("октября", "октябрь", "окт", "october", "oct"), 10),
    **dict.fromkeys(("ноября", "ноябрь", "ноя", "нояб", "november", "nov"), 11),
    **dict.fromkeys(("декабря", "декабрь", "дек", "december", "dec"), 12),
}
WEEKDAYS = {  # Monday = 0, as date.weekday()
    **dict.fromkeys(("понедельник", "пн", "monday", "mon"), 0),
    **dict.fromkeys(("вторник", "вт", "tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("среда", "среду", "ср", "wednesday", "wed"), 2),
    **dict.fromkeys(("четверг", "чт", "thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("пятница", "пятницу", "пт", "friday", "fri"), 4),
    **dict.fromkeys(("суббота", "субботу", "сб", "saturday", "sat"), 5),
    **dict.fromkeys(("воскресенье", "вс", "sunday", "sun"), 6),
}
DAY_WORDS = {
    "послезавтра": 2,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "завтра": 1,
    "tomorrow": 1,
    "сегодня": 0,
    "today": 0,
}
PARTS_OF_DAY = {  # "завтра утром", "tomorrow evening"
    **dict.fromkeys(("утром", "morning", "in the morning", "this morning"), 9),
    **dict.fromkeys(("днем", "afternoon", "in the afternoon", "this afternoon"), 14),
    **dict.fromkeys(("вечером", "evening", "in the evening", "this evening", "tonight"), 19),
}
NOON = {"полдень": 12, "noon": 12, "midday": 12, "полночь": 0, "midnight": 0}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "один": 1, "одну": 1, "два": 2, "две": 2, "три": 3}
FILLER = {"в", "во", "at", "on", "the", "г", "года", "год", "of", "около", "к"}


def _alternatives(words: object) -> str:
    """A regex alternation of words, longest first so that "среду" wins over "ср"."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))  # type: ignore[call-overload]


_MONTH = _alternatives(MONTHS)
_WEEKDAY = _alternatives(WEEKDAYS)
_ORDINAL = r"(?:st|nd|rd|th|-?го|-?е)?"
_HOURS_WORD = r"(?:ч|час|часа|часов)"
_QUALIFIER = r"(am|pm|утра|дня|вечера|ночи)"

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DOTTED_DATE = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2}))?(?![\d:])")
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?({_MONTH})\b\.?(?:\s+(\d{{4}})\b)?", re.UNICODE
)
_MONTH_DAY = re.compile(rf"\b({_MONTH})\b\.?\s+(\d{{1,2}}){_ORDINAL}\b(?:\s+(\d{{4}})\b)?")
_WEEKDAY_NAME = re.compile(
    rf"\b(?:(?:next|this|следующ(?:ий|ую|ее)|ближайш(?:ий|ую|ее))\s+)?({_WEEKDAY})\b\.?"
)
_DAY_WORD = re.compile(rf"\b({_alternatives(DAY_WORDS)})\b")
_IN_DAYS = re.compile(
    r"\b(?:через|in)\s+(\d+|[a-zа-я]+)?\s*(дн(?:я|ей)|день|days?|недел[юиь]|weeks?)\b"
)
_IN_HOURS = re.compile(
    r"\b(?:через|in)\s+(?:(\d+|[a-zа-я]+)\s+)?"
    r"(полчаса|час(?:а|ов)?|hours?|hrs?|минут[уы]?|мин|minutes?|mins?)\b"
)
_CLOCK = re.compile(rf"(?<![\d.:])(\d{{1,2}}):(\d{{2}})(?![\d:])(?:\s*{_QUALIFIER}\b)?")
_DOTTED_CLOCK = re.compile(
    rf"\b(?:в|во|at|к)\s+(\d{{1,2}})\.(\d{{2}})(?![\d.])(?:\s*{_QUALIFIER}\b)?"
)
_HOUR = re.compile(
    rf"\b(?:(?:в|во|at|к)\s+(\d{{1,2}})(?![\d.:])(?:\s*{_HOURS_WORD}\b)?"
    rf"(?:\s+(\d{{1,2}})\s*(?:мин|минут|минуты|минуту)\b)?(?:\s*{_QUALIFIER}\b)?"
    rf"|(?<![\d.:])(\d{{1,2}})\s*(?:{_HOURS_WORD}\s*)?{_QUALIFIER}\b)"
)
_NOON = re.compile(rf"\b(?:(?:в|at)\s+)?({_alternatives(NOON)})\b")
_PART_OF_DAY = re.compile(rf"\b({_alternatives(PARTS_OF_DAY)})\b")


@dataclass(frozen=True)
class Reading:
    """A typed time as read: the moment, and whether a time of day that had already passed today
    was taken to mean tomorrow (the card says so)."""

    moment: datetime
    rolled_to_tomorrow: bool = False


class Unreadable(ValueError):
    """The phrase names no time, or names something impossible (31 February, 25:00)."""


def read_phrase(text: str, now: datetime, zone: ZoneInfo) -> Reading | None:
    """The moment a phrase means at `now` in `zone`, or None when it cannot be read."""
    phrase = _normalise(text)
    if not phrase:
        return None
    try:
        return _Reader(phrase, now.astimezone(zone), zone).read()
    except Unreadable:
        return None


def _normalise(text: str) -> str:
    phrase = text.strip().lower().replace("ё", "е")
    phrase = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", phrase)  # "9 p.m." → "9 pm"
    phrase = re.sub(r"(\d)t(\d)", r"\1 \2", phrase)  # ISO "2026-12-01T10:00"
    phrase = re.sub(r"[,;!?]", " ", phrase)
    return " ".join(phrase.split()).rstrip(".")


class _Reader:
    def __init__(self, phrase: str, now: datetime, zone: ZoneInfo) -> None:
        self.rest, self.now, self.zone = phrase, now, zone

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """The first match of `pattern`, cut out of what is left to read."""
        match = pattern.search(self.rest)
        if match:
            self.rest = f"{self.rest[: match.start()]} {self.rest[match.end() :]}"
        return match

    def read(self) -> Reading | None:
        if match := self.take(_IN_HOURS):
            delta = _in_hours(match)
            self.finish()
            return Reading((self.now + delta).replace(second=0, microsecond=0))
        # "через 3 дня" first, before "3 дня" could be read as 15:00.
        in_days = self.take(_IN_DAYS)
        clock = self.time_of_day()
        day, year_given = self.day()
        if in_days is not None:
            if day is not None:
                raise Unreadable("two days named")
            day = self.now.date() + _in_days(in_days)
        self.finish()
        today = self.now.date()
        if day is None:
            if clock is None:
                return None
            moment = self.at(today, clock)
            if moment <= self.now:  # a time of day alone that has passed today: tomorrow's
                return Reading(self.at(today + timedelta(days=1), clock), True)
            return Reading(moment)
        if year_given is False and day < today:  # "1 марта" in April: next year's
            day = _same_day_next_year(day)
        return Reading(self.at(day, clock or time(DEFAULT_HOUR)))

    def finish(self) -> None:
        """Only filler may be left unread."""
        if any(word.strip(".-") not in FILLER | {""} for word in self.rest.split()):
            raise Unreadable(self.rest)

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.zone)

    # -- the day ------------------------------------------------------------------------------

    def day(self) -> tuple[date | None, bool | None]:
        """The day named, and whether its year was given (None: a day relative to today)."""
        today = self.now.date()
        found: list[tuple[date, bool | None]] = []
        if match := self.take(_ISO_DATE):
            found.append((_date(*map(int, match.groups())), True))
        if match := self.take(_DOTTED_DATE):
            day, month, year = match.groups()
            found.append(_calendar_day(today, int(day), int(month), year))
        if match := self.take(_DAY_MONTH):
            day, month, year = match.groups()
            found.append(_calendar_day(today, int(day), MONTHS[month], year))
        if match := self.take(_MONTH_DAY):
            month, day, year = match.groups()
            found.append(_calendar_day(today, int(day), MONTHS[month], year))
        if match := self.take(_WEEKDAY_NAME):
            ahead = (WEEKDAYS[match.group(1)] - today.weekday()) % 7 or 7  # never today
            found.append((today + timedelta(days=ahead), None))
        if match := self.take(_DAY_WORD):
            found.append((today + timedelta(days=DAY_WORDS[match.group(1)]), None))
        if len(found) > 1:
            raise Unreadable("two days named")
        return found[0] if found else (None, None)

    # -- the time of day ----------------------------------------------------------------------

    def time_of_day(self) -> time | None:
        found: list[time] = []
        if match := self.take(_CLOCK) or self.take(_DOTTED_CLOCK):
            hour, minute, qualifier = match.groups()
            found.append(_clock(int(hour), int(minute), qualifier))
        if match := self.take(_HOUR):
            hour, minute, qualifier, bare_hour, bare_qualifier = match.groups()
            if bare_hour is not None:
                found.append(_clock(int(bare_hour), 0, bare_qualifier))
            else:
                found.append(_clock(int(hour), int(minute or 0), qualifier))
        if match := self.take(_NOON):
            found.append(time(NOON[match.group(1)]))
        if match := self.take(_PART_OF_DAY):
            found.append(time(PARTS_OF_DAY[match.group(1)]))
        if len(found) > 1:
            raise Unreadable("two times of day named")
        return found[0] if found else None


def _clock(hour: int, minute: int, qualifier: str | None) -> time:
    """A time of day; "9 вечера" and "9 pm" are 21:00, "12 ночи" and "12 am" midnight."""
    if qualifier is not None:
        if not 1 <= hour <= 12:
            if hour > 12 and qualifier in ("дня", "вечера"):
                qualifier = None  # "18 вечера" is said, and means 18:00
            else:
                raise Unreadable(f"{hour} {qualifier}")
        if qualifier in ("am", "утра"):
            hour %= 12
        elif qualifier in ("pm", "вечера") or (qualifier == "дня" and hour < 12):
            hour = hour % 12 + 12
        elif qualifier == "ночи":
            hour = 0 if hour == 12 else hour + 12 if hour >= 6 else hour
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise Unreadable(f"{hour}:{minute}")
    return time(hour, minute)


def _date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Unreadable(f"{day}.{month}.{year}") from None


def _calendar_day(today: date, day: int, month: int, year_text: str | None) -> tuple[date, bool]:
    """A day of a month; without a year, this year's (the caller moves a passed one on a year)."""
    if year_text is None:
        for year in range(today.year, today.year + 8):
            try:  # 29 February outside a leap year: the next year that has it
                return date(year, month, day), False
            except ValueError:
                continue
        raise Unreadable(f"{day}.{month}")
    year = int(year_text)
    return _date(year + 2000 if year < 100 else year, month, day), True


def _same_day_next_year(day: date) -> date:
    year = day.year + 1
    while True:  # 29 February: the next leap year
        try:
            return date(year, day.month, day.day)
        except ValueError:
            year += 1


def _count(text: str | None) -> int:
    if text is None:
        return 1
    if text.isdigit():
        return int(text)
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    raise Unreadable(text)


def _in_hours(match: re.Match[str]) -> timedelta:
    amount, unit = match.groups()
    if unit == "полчаса":
        if amount is not None:
            raise Unreadable(match.group())
        return timedelta(minutes=30)
    count = _count(amount)
    if unit.startswith(("час", "h")):
        return timedelta(hours=count)
    return timedelta(minutes=count)


def _in_days(match: re.Match[str]) -> timedelta:
    amount, unit = match.groups()
    count = _count(amount)
    return timedelta(weeks=count) if unit.startswith(("недел", "week")) else timedelta(days=count)
