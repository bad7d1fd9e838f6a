"""The cards that ask for a time and echo it: the Schedule card (time, mode, repeat, Confirm)
and the Reschedule card (a new time for a waiting send, Confirm).

Every user-supplied string (refused inputs, cron expressions) is escaped here.
"""

from __future__ import annotations

import html
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.compose.message_types import type_name
from bot.config import Settings
from bot.schedule.cards import describe_recurrence, weekday_names
from bot.schedule.plan import Choice, Plan, Repeat
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
from bot.timing.cards import local_send_text, scheduled_local_text
from bot.timing.local_time import LocalSend
from storage.schedules import Schedule, ScheduleMode

SHOWN_INPUT = 50  # characters of a refused input echoed back
WEEK_FROM_MONDAY = (1, 2, 3, 4, 5, 6, 0)  # crontab day numbers in the order buttons show them


class StepAction(StrEnum):
    """A button on a time card: the toggles of `Choice`, and these."""

    QUICK = "quick"  # a quick time choice; value: one of QUICK_CHOICES
    MODE = Choice.MODE.value
    REPEAT = Choice.REPEAT.value
    DAY = Choice.DAY.value
    LOCAL = Choice.LOCAL.value
    CONFIRM = "confirm"
    CHANGE = "change"  # ask for the time again
    BACK = "back"  # the Schedule card: back to the preview; the Reschedule card: leave it
    CRON_BACK = "cron_back"  # from the cron prompt back to the card
    MOVE_YES = "move_yes"
    MOVE_NO = "move_no"
    MOVE_CHANGE = "move_change"


class ScheduleStep(CallbackData, prefix="sched_step"):
    """A button of the Schedule dialogue's card or of the Reschedule card."""

    action: StepAction
    value: str = ""

    @classmethod
    def pressed(cls, *actions: StepAction) -> CallbackQueryFilter:
        """A filter for presses of the buttons with these actions."""
        return cls.filter(F.action.in_(set(actions)))


# ---------------------------------------------------------------- small pieces


def checked(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


def shown_input(text: str) -> str:
    """A refused input, on one line, short and escaped."""
    return html.escape(one_line(text, SHOWN_INPUT))


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


def rolled_note() -> str:
    return _("That time has already passed today, so it is tomorrow.")


# ---------------------------------------------------------------- the time question


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
    builder = InlineKeyboardBuilder()
    for choice in offered:
        builder.button(
            text=labels[choice], callback_data=ScheduleStep(action=StepAction.QUICK, value=choice)
        )
    builder.button(text=_("« Back"), callback_data=ScheduleStep(action=StepAction.BACK))
    builder.adjust(*[2] * (len(offered) // 2), *[1] * (len(offered) % 2), 1)
    parts = [title or _("<b>Schedule</b>"), ask, f"⚠️ {problem}" if problem else ""]
    return "\n\n".join(part for part in parts if part), builder.as_markup()


# ---------------------------------------------------------------- the Schedule card


def render_card(
    plan: Plan,
    *,
    message_type: str,
    count: int,
    settings: Settings,
    locale: str,
    problem: str = "",
    local: LocalSend | None = None,
    quiet: str = "",
) -> tuple[str, InlineKeyboardMarkup]:
    """The echo of the chosen time (date, time and zone) with the mode and repeat, and Confirm;
    `local`, for a send at each recipient's local time: its zones and their times."""
    zone = settings.zone
    lines = [
        _("<b>Schedule</b>"),
        _("{type}, recipients: {count}").format(type=type_name(message_type), count=number(count)),
        _("Time: <b>{when}</b>").format(when=format_moment(plan.start, zone, locale)),
    ]
    if plan.rolled:
        lines.append(rolled_note())
    if plan.local and local is not None:
        lines.append(local_send_text(local, settings, locale, by_bot=plan.by_bot))
    else:
        lines.append(mode_note(plan, settings))
    recurrence = plan.recurrence()
    if recurrence is not None:
        runs = runs_after(recurrence.trigger(plan.start, zone), plan.start, 3)
        shown = "\n".join(f"• {format_moment(run, zone, locale)}" for run in runs)
        lines.append(
            _("Next runs:\n{runs}").format(runs=shown) if runs else _("This repeat never runs.")
        )
    if quiet:  # who will be inside quiet hours at the chosen time
        lines.append(quiet)
    if problem:
        lines.append(f"⚠️ {problem}")
    lines.append(_("Confirm?"))
    return "\n\n".join(lines), plan_keyboard(plan, locale)


def mode_note(plan: Plan, settings: Settings) -> str:
    """What the chosen mode means: changeable until it goes out, or held by the platform."""
    if plan.by_bot:
        return _(
            "By the bot: it can be cancelled, rescheduled or sent now with /scheduled "
            "until it goes out."
        )
    sent_date = platform_sent_date(plan.start, settings.pulse_zone)
    if settings.pulse_zone.key != settings.zone.key:  # the platform's clock is not the reader's
        return _(
            "By the platform: it is submitted now with sent_date {sent_date} (platform "
            "time, {zone}) and can no longer be cancelled from here."
        ).format(sent_date=sent_date, zone=html.escape(settings.pulse_timezone))
    return _(
        "By the platform: it is submitted now with sent_date {sent_date} and can no "
        "longer be cancelled from here."
    ).format(sent_date=sent_date)


def plan_keyboard(plan: Plan, locale: str) -> InlineKeyboardMarkup:
    """Mode; for the bot, Once / Every day / Weekdays / Weekly / Cron and Weekly's days; Confirm."""
    builder = InlineKeyboardBuilder()
    for mode, label in (
        (ScheduleMode.BOT, _("By the bot")),
        (ScheduleMode.PLATFORM, _("By the platform")),
    ):
        builder.button(
            text=checked(label, plan.mode is mode),
            callback_data=ScheduleStep(action=StepAction.MODE, value=mode.value),
        )
    sizes = [2]
    builder.button(
        text=checked(_("🌍 At this time in each recipient's zone"), plan.local),
        callback_data=ScheduleStep(action=StepAction.LOCAL, value="" if plan.local else "1"),
    )
    sizes.append(1)
    if plan.by_bot and not plan.local:
        repeats = [
            (Repeat.ONCE, _("Once")),
            (Repeat.DAILY, _("Every day")),
            (Repeat.WEEKDAYS, _("Weekdays")),
            (Repeat.WEEKLY, _("Weekly")),
            (Repeat.CRON, _("Cron")),
        ]
        for repeat, label in repeats:
            builder.button(
                text=checked(label, plan.repeat is repeat),
                callback_data=ScheduleStep(action=StepAction.REPEAT, value=repeat.value),
            )
        sizes += [3, 2]
        if plan.repeat is Repeat.WEEKLY:
            for day in WEEK_FROM_MONDAY:
                builder.button(
                    text=checked(weekday_names((day,), locale), day in plan.days),
                    callback_data=ScheduleStep(action=StepAction.DAY, value=str(day)),
                )
            sizes.append(len(WEEK_FROM_MONDAY))
    builder.button(text=_("✅ Confirm"), callback_data=ScheduleStep(action=StepAction.CONFIRM))
    builder.button(text=_("Change time"), callback_data=ScheduleStep(action=StepAction.CHANGE))
    builder.button(text=_("« Back"), callback_data=ScheduleStep(action=StepAction.BACK))
    builder.adjust(*sizes, 1, 2)
    return builder.as_markup()


def render_cron_prompt(problem: str = "") -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "Send a cron expression: minute hour day month weekday, for example "
        "<code>0 10 * * 1-5</code> (weekdays at 10:00). Weekdays are 0-7 (0 and 7 are "
        "Sunday) or mon-sun."
    )
    if problem:
        text += f"\n\n⚠️ {problem}"
    builder = InlineKeyboardBuilder()
    builder.button(text=_("« Back"), callback_data=ScheduleStep(action=StepAction.CRON_BACK))
    return text, builder.as_markup()


def scheduled_text(schedule: Schedule, settings: Settings, locale: str) -> str:
    """The card's last word once the schedule is made."""
    when = format_moment(schedule.run_at_time, settings.zone, locale)
    if schedule.local_time:
        return scheduled_local_text(schedule, settings, locale)
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
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Confirm"), callback_data=ScheduleStep(action=StepAction.MOVE_YES))
    builder.button(text=_("Change time"), callback_data=ScheduleStep(action=StepAction.MOVE_CHANGE))
    builder.button(text=_("Cancel"), callback_data=ScheduleStep(action=StepAction.MOVE_NO))
    builder.adjust(1, 2)
    return "\n\n".join(lines), builder.as_markup()


def moved_text(moved: Schedule | None, settings: Settings, locale: str) -> str:
    """The Reschedule card's last word: the new time, or that nothing changed (None)."""
    if moved is None:
        return _("Nothing changed.")
    when = format_moment(moved.run_at_time, settings.zone, locale)
    return _("✅ №{number} now goes out on {when}.").format(number=moved.campaign_id, when=when)
