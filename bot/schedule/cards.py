"""The scheduling cards: the plan the Schedule card edits, and the texts and buttons of the
Schedule dialogue, the Reschedule card and the /scheduled list.

Every user-supplied string (refused inputs, cron expressions, message types) is escaped here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.compose.message_types import type_name
from bot.config import Settings
from bot.schedule.service import (
    Outcome,
    ScheduleAction,
    SchedulingService,
    describe_recurrence,
    paused_buttons,
    stamp_of,
    weekday_names,
)
from bot.schedule.when import (
    QUICK_CHOICES,
    Recurrence,
    cron_trigger,
    first_run,
    format_moment,
    platform_sent_date,
    quick_choice,
    runs_after,
    too_soon,
)
from bot.texts import number, one_line
from storage.campaigns import Campaign
from storage.members import Member
from storage.schedules import Schedule, ScheduleMode, ScheduleState

LISTED = 10  # schedules shown by /scheduled; the rest are counted
LIST_LIMIT = 3800  # characters of the /scheduled message, under Telegram's 4096
SHOWN_INPUT = 50  # characters of a refused input echoed back
WEEK_FROM_MONDAY = (1, 2, 3, 4, 5, 6, 0)  # crontab day numbers in the order buttons show them


REPEATS = ("", "daily", "weekdays", "weekly", "cron")
WEEKDAYS = tuple(str(day) for day in range(7))  # crontab numbering, 0 = Sunday


class ScheduleStep(CallbackData, prefix="sched_step"):
    """A button of the Schedule dialogue's card or of the Reschedule card."""

    action: str  # quick | mode | repeat | day | confirm | change | back | cron_back | move_*
    value: str = ""

    @classmethod
    def pressed(cls, *actions: str) -> CallbackQueryFilter:
        """A filter for presses of the buttons with these actions."""
        return cls.filter(F.action.in_(set(actions)))


@dataclass
class Plan:
    """What the Schedule card has chosen so far; kept in the conversation data."""

    start: datetime
    mode: str = ScheduleMode.BOT.value
    repeat: str = ""  # "" (once) | daily | weekdays | weekly | cron
    days: list[int] = field(default_factory=list)  # crontab numbering, for weekly
    cron: str = ""
    rolled: bool = False  # a time of day alone that had passed today, taken as tomorrow's

    @classmethod
    def at(cls, start: datetime, zone: ZoneInfo, previous: Plan | None = None) -> Plan:
        """A plan starting at `start`, keeping the earlier choices; Weekly defaults to its day."""
        plan = replace(previous, start=start) if previous else cls(start=start)
        if not plan.days:
            plan.days = [start.astimezone(zone).isoweekday() % 7]
        return plan

    def choose(self, option: str, value: str) -> bool:
        """Apply a mode, repeat or weekday press; False when it would leave Weekly without a day.

        Button data can be forged: a value no button offers raises ValueError.
        """
        if option == "mode":
            if value not in {mode.value for mode in ScheduleMode}:
                raise ValueError(f"unknown mode {value!r}")
            self.mode = value
        elif option == "repeat":
            if value not in REPEATS:
                raise ValueError(f"unknown repeat {value!r}")
            self.repeat = value
        elif option == "day":
            if value not in WEEKDAYS:
                raise ValueError(f"unknown weekday {value!r}")
            if self.days == [int(value)]:
                return False
            self.days = sorted(set(self.days) ^ {int(value)})
        else:
            raise ValueError(f"unknown option {option!r}")
        return True

    def schedule_mode(self) -> ScheduleMode:
        """The mode to schedule with: the platform's when chosen, otherwise the bot's."""
        by_platform = self.mode == ScheduleMode.PLATFORM.value
        return ScheduleMode.PLATFORM if by_platform else ScheduleMode.BOT

    def recurrence(self) -> Recurrence | None:
        if self.mode != ScheduleMode.BOT.value or not self.repeat:
            return None
        if self.repeat == "weekly":
            return Recurrence("weekly", days=tuple(sorted(self.days)))
        if self.repeat == "cron":
            return Recurrence("cron", cron=self.cron)
        return Recurrence(self.repeat)

    def to_data(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "mode": self.mode,
            "repeat": self.repeat,
            "days": self.days,
            "cron": self.cron,
            "rolled": self.rolled,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Plan:
        return cls(
            start=datetime.fromisoformat(data["start"]),
            mode=data.get("mode", ScheduleMode.BOT.value),
            repeat=data.get("repeat", ""),
            days=list(data.get("days", [])),
            cron=data.get("cron", ""),
            rolled=data.get("rolled", False),
        )


# ---------------------------------------------------------------- small pieces


def step_button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    data = ScheduleStep(action=action, value=value)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def checked(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


def shown_input(text: str) -> str:
    """A refused input, on one line, short and escaped."""
    return html.escape(one_line(text, SHOWN_INPUT))


def outcome_text(outcome: Outcome) -> str:
    texts = {
        Outcome.GONE: _("This send has already gone out, been cancelled or changed."),
        Outcome.NOT_ALLOWED: _("Only its owner or an admin can change this send."),
        Outcome.TOO_SOON: _("That time has passed or is less than a minute away."),
        Outcome.NEVER: _("This repeat never runs after that time."),
        Outcome.AT_NEXT_START: _(
            "The bot is restarting: this send goes out as soon as it is running again."
        ),
    }
    return texts.get(outcome, "")


def time_problem(
    moment: datetime | None, typed: str | None, now: datetime, settings: Settings, locale: str
) -> str:
    """Why a chosen or typed time cannot be used; "" when it can."""
    if moment is None:
        return _("Could not read «{text}» as a time.").format(text=shown_input(typed or ""))
    if too_soon(moment, now):
        return _("{when} has passed or is less than a minute away.").format(
            when=format_moment(moment, settings.zone, locale)
        )
    return ""


def cron_problem(expression: str, zone: ZoneInfo) -> str:
    """Why a typed cron expression cannot be used; "" when it can."""
    try:
        cron_trigger(expression, zone)
    except ValueError as error:
        return _("«{text}» is not a cron expression: {reason}").format(
            text=shown_input(expression), reason=html.escape(str(error))
        )
    return ""


# ---------------------------------------------------------------- the Schedule card


def render_when(
    settings: Settings, now: datetime, *, problem: str = "", title: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for the time: quick choices, or a typed time in TIMEZONE."""
    ask = _(
        "When should it go out? Choose below or type a time, for example "
        "<code>tomorrow at 9</code>, <code>at 18:30</code>, <code>wednesday</code>, "
        "<code>1 December 9am</code>, <code>01.12 10:00</code>."
    )
    labels = {
        "hour": _("In 1 hour"),
        "today": _("Today 10:00"),
        "tomorrow": _("Tomorrow 10:00"),
        "monday": _("Monday 10:00"),
    }
    offered = [c for c in QUICK_CHOICES if quick_choice(c, now, settings.zone) is not None]
    buttons = [step_button(labels[choice], "quick", choice) for choice in offered]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    rows.append([step_button(_("« Back"), "back")])
    parts = [title or _("<b>Schedule</b>"), ask, f"⚠️ {problem}" if problem else ""]
    return "\n\n".join(part for part in parts if part), InlineKeyboardMarkup(inline_keyboard=rows)


def render_card(
    plan: Plan, *, message_type: str, count: int, settings: Settings, locale: str, problem: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The echo of the chosen time (date, time and zone) with the mode and repeat, and Confirm."""
    zone = settings.zone
    bot_mode = plan.mode == ScheduleMode.BOT.value
    lines = [
        _("<b>Schedule</b>"),
        _("{type}, recipients: {count}").format(type=type_name(message_type), count=number(count)),
        _("Time: <b>{when}</b>").format(when=format_moment(plan.start, zone, locale)),
    ]
    if plan.rolled:
        lines.append(rolled_note())
    if bot_mode:
        lines.append(
            _(
                "By the bot: it can be cancelled, rescheduled or sent now with /scheduled "
                "until it goes out."
            )
        )
    elif settings.pulse_zone.key != zone.key:  # the platform's clock is not the reader's
        lines.append(
            _(
                "By the platform: it is submitted now with sent_date {sent_date} (platform "
                "time, {zone}) and can no longer be cancelled from here."
            ).format(
                sent_date=platform_sent_date(plan.start, settings.pulse_zone),
                zone=html.escape(settings.pulse_timezone),
            )
        )
    else:
        lines.append(
            _(
                "By the platform: it is submitted now with sent_date {sent_date} and can no "
                "longer be cancelled from here."
            ).format(sent_date=platform_sent_date(plan.start, settings.pulse_zone))
        )
    recurrence = plan.recurrence()
    if recurrence is not None:
        runs = runs_after(recurrence.trigger(plan.start, zone), plan.start, 3)
        shown = "\n".join(f"• {format_moment(run, zone, locale)}" for run in runs)
        lines.append(
            _("Next runs:\n{runs}").format(runs=shown) if runs else _("This repeat never runs.")
        )
    if problem:
        lines.append(f"⚠️ {problem}")
    lines.append(_("Confirm?"))
    rows = [
        [
            step_button(checked(_("By the bot"), bot_mode), "mode", ScheduleMode.BOT.value),
            step_button(
                checked(_("By the platform"), not bot_mode), "mode", ScheduleMode.PLATFORM.value
            ),
        ]
    ]
    if bot_mode:
        rows += repeat_rows(plan, locale)
    rows.append([step_button(_("✅ Confirm"), "confirm")])
    rows.append([step_button(_("Change time"), "change"), step_button(_("« Back"), "back")])
    return "\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def repeat_rows(plan: Plan, locale: str) -> list[list[InlineKeyboardButton]]:
    """Once / Every day / Weekdays / Weekly / Cron, and the day toggles of Weekly."""
    repeats = [
        ("", _("Once")),
        ("daily", _("Every day")),
        ("weekdays", _("Weekdays")),
        ("weekly", _("Weekly")),
        ("cron", _("Cron")),
    ]
    buttons = [
        step_button(checked(label, plan.repeat == key), "repeat", key) for key, label in repeats
    ]
    rows = [buttons[:3], buttons[3:]]
    if plan.repeat == "weekly":
        rows.append(
            [
                step_button(
                    checked(weekday_names((day,), locale), day in plan.days), "day", str(day)
                )
                for day in WEEK_FROM_MONDAY
            ]
        )
    return rows


def render_cron_prompt(problem: str = "") -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "Send a cron expression: minute hour day month weekday, for example "
        "<code>0 10 * * 1-5</code> (weekdays at 10:00). Weekdays are 0-7 (0 and 7 are "
        "Sunday) or mon-sun."
    )
    if problem:
        text += f"\n\n⚠️ {problem}"
    markup = InlineKeyboardMarkup(inline_keyboard=[[step_button(_("« Back"), "cron_back")]])
    return text, markup


def scheduled_text(schedule: Schedule, settings: Settings, locale: str) -> str:
    """The card's last word once the schedule is made."""
    when = format_moment(schedule.run_at_time, settings.zone, locale)
    if schedule.mode is ScheduleMode.PLATFORM:
        return _(
            "✅ Submitted to the platform as campaign №{campaign}: it goes out on {when}. "
            "It can no longer be cancelled from here."
        ).format(campaign=schedule.campaign_id, when=when)
    text = _("✅ Scheduled campaign №{number}: {when}, by the bot.").format(
        number=schedule.campaign_id, when=when
    )
    repeat = describe_recurrence(schedule.recurrence, schedule.run_at_time, settings.zone, locale)
    if repeat:
        text += " " + _("Then it repeats {repeat}.").format(repeat=repeat)
    return text + "\n" + _("See or change it with /scheduled.")


# ---------------------------------------------------------------- the Reschedule card


def move_title(number: int) -> str:
    """`number`: the schedule's campaign number, the one people see."""
    return _("<b>Reschedule №{number}</b>").format(number=number)


def rolled_note() -> str:
    return _("That time has already passed today, so it is tomorrow.")


def render_move_confirm(
    schedule: Schedule, start: datetime, settings: Settings, locale: str, rolled: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """Echo the new time of a schedule being moved and ask to confirm."""
    zone = settings.zone
    recurrence = Recurrence.from_text(schedule.recurrence) if schedule.recurrence else None
    first = first_run(recurrence, start, zone) or start
    lines = [
        move_title(schedule.campaign_id),
        _("New time: <b>{when}</b>").format(when=format_moment(first, zone, locale)),
    ]
    if rolled:
        lines.append(rolled_note())
    repeat = describe_recurrence(schedule.recurrence, first, zone, locale)
    if repeat:
        lines.append(_("Then it repeats {repeat}.").format(repeat=repeat))
    lines.append(_("Confirm?"))
    rows = [
        [step_button(_("✅ Confirm"), "move_yes")],
        [step_button(_("Change time"), "move_change"), step_button(_("Cancel"), "move_no")],
    ]
    return "\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def moved_text(moved: Schedule | None, settings: Settings, locale: str) -> str:
    """The Reschedule card's last word: the new time, or that nothing changed (None)."""
    if moved is None:
        return _("Nothing changed.")
    when = format_moment(moved.run_at_time, settings.zone, locale)
    return _("✅ №{number} now goes out on {when}.").format(number=moved.campaign_id, when=when)


# ---------------------------------------------------------------- /scheduled


def render_list(
    scheduling: SchedulingService, member: Member, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What is waiting, soonest first, with the buttons of each schedule."""
    waiting = scheduling.visible_to(member.user_id, member.role)
    if not waiting:
        return _("Nothing is waiting to be sent."), None
    blocks = [_("<b>Waiting to be sent</b>: {count}").format(count=len(waiting))]
    rows: list[list[InlineKeyboardButton]] = []
    for schedule in waiting[:LISTED]:
        block = scheduling.describe(schedule, locale)
        if sum(len(shown) + 2 for shown in blocks) + len(block) > LIST_LIMIT:
            break
        blocks.append(block)
        rows += list_buttons(schedule)
    hidden = len(waiting) - (len(blocks) - 1)
    if hidden:
        blocks.append(_("…and {count} more.").format(count=hidden))
    return "\n\n".join(blocks), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def list_buttons(schedule: Schedule) -> list[list[InlineKeyboardButton]]:
    def press(text: str, action: str) -> InlineKeyboardButton:
        data = ScheduleAction(action=action, schedule_id=schedule.id, stamp=stamp_of(schedule))
        shown = text.format(number=schedule.campaign_id)
        return InlineKeyboardButton(text=shown, callback_data=data.pack())

    if schedule.state is ScheduleState.MISSED:
        return [
            [
                press(_("Send now №{number}"), "send_missed"),
                press(_("Discard №{number}"), "discard"),
            ]
        ]
    if schedule.state is ScheduleState.PAUSED:
        return [paused_buttons(schedule, origin="list")]
    if schedule.state is ScheduleState.PENDING:
        return [
            [press(_("Cancel №{number}"), "cancel"), press(_("Send now №{number}"), "now")],
            [press(_("Reschedule №{number}"), "move")],
        ]
    return []  # held by the platform: nothing to press


def render_send_now(
    schedule: Schedule, campaign: Campaign, pressed: ScheduleAction
) -> tuple[str, InlineKeyboardMarkup]:
    """Send now costs money: the question asked once more, with Yes and Back to the list."""
    yes = pressed.model_copy(update={"action": "now_yes"})
    back = pressed.model_copy(update={"action": "list"})
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=_("Yes, send now"), callback_data=yes.pack()),
                InlineKeyboardButton(text=_("« Back"), callback_data=back.pack()),
            ]
        ]
    )
    text = _("Send №{number} now? Recipients: {count}.").format(
        number=schedule.campaign_id, count=number(campaign.recipient_count)
    )
    return text, markup


def missed_note(number: int, send: bool) -> str:
    """What a Send now or Discard answer to a missed send (campaign №`number`) did."""
    note = (
        _("✅ Sending №{number} now.") if send else _("Discarded №{number}: it will not be sent.")
    )
    return note.format(number=number)
