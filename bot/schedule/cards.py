"""How waiting sends read: each schedule described, the /scheduled list with its buttons, the
missed-run question to an owner and the admins' card about an owner who lost access.

The time cards of the Schedule and Reschedule dialogues are in `time_cards`. Every
user-supplied string (message texts, cron expressions) is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.dates import get_day_names
from babel.numbers import format_decimal

from bot.compose.message_types import type_name
from bot.members.cards import person_label
from bot.notices import Card, Notice, Render
from bot.schedule.notices import MissedRun, OwnerLostAccess, RunUnapproved, ScheduleSummary
from bot.schedule.service import Outcome, stamp_of
from bot.schedule.when import Recurrence, format_moment
from bot.telegram.button_data import RowId
from bot.texts import number, one_line
from storage.campaigns import Campaign
from storage.schedules import Schedule, ScheduleMode, ScheduleState

LISTED = 10  # schedules shown by /scheduled; the rest are counted
LIST_LIMIT = 3800  # characters of the /scheduled message or the admins' card, under 4096
TEXT_START_CHARS = 60  # of the message text shown in lists and questions

Kept = TypeVar("Kept")


class Act(StrEnum):
    """What a button about one schedule does."""

    CANCEL = "cancel"
    NOW = "now"  # Send now: asks once more
    NOW_YES = "now_yes"
    LIST = "list"  # back from the Send now question to the list
    MOVE = "move"  # Reschedule
    SEND_MISSED = "send_missed"
    DISCARD = "discard"
    TAKE_OVER = "take_over"


class Origin(StrEnum):
    """Which message a schedule's button is on."""

    LIST = "list"  # /scheduled
    QUESTION = "question"  # the missed-run question
    PAUSED = "paused"  # the admins' card about an owner who lost access


class ScheduleAction(CallbackData, prefix="sched"):
    """A button about one schedule; `stamp` pins the run it meant."""

    action: Act
    schedule_id: RowId
    stamp: RowId = 0
    origin: Origin = Origin.LIST


# ---------------------------------------------------------------- one schedule


def describe(shown: ScheduleSummary, locale: str) -> str:
    """One schedule for a list or a question: number, type, recipients, time, mode, owner, text."""
    schedule, campaign, zone = shown.schedule, shown.campaign, shown.zone
    when = format_moment(schedule.run_at_time, zone, locale)
    if schedule.local_time:  # the first zone's turn; the others follow at the same local time
        when = _("{time} in each recipient's zone, the first on {when}").format(
            time=schedule.local_time[-5:], when=when
        )
    if shown.still_to_come:  # the first zones went out; these still wait for their time
        when = _("{time} in each recipient's zone, still to come: {moments}").format(
            time=schedule.local_time[-5:] if schedule.local_time else "",
            moments="; ".join(
                ngettext("{when} — {count} recipient", "{when} — {count} recipients", count).format(
                    when=format_moment(moment, zone, locale), count=number(count)
                )
                for moment, count in shown.still_to_come
            ),
        )
    if schedule.state is ScheduleState.MISSED:
        when = _("{when} (missed)").format(when=when)
    elif schedule.state is ScheduleState.PAUSED:
        when = _("{when} (paused: its owner may no longer send)").format(when=when)
    mode = (
        _("by the bot")
        if schedule.mode is ScheduleMode.BOT
        else _("by the platform (cannot be cancelled here)")
    )
    repeat = describe_recurrence(schedule.recurrence, schedule.run_at_time, zone, locale)
    lines = [
        _("<b>№{number}</b> · {type} · recipients: {count}").format(
            number=schedule.campaign_id,
            type=type_name(campaign.type) if campaign else "?",
            count=format_decimal(campaign.recipient_count if campaign else 0, locale=locale),
        ),
        f"🕒 {when} · {mode}" + (f" · {repeat}" if repeat else ""),
        _("Owner: {owner}").format(owner=person_label(schedule.owner_id, shown.owner_name)),
    ]
    if shown.awaiting_approval:
        lines.append(_("⏳ Waiting for approval."))
    if campaign is not None:
        lines.append(f"<i>{html.escape(text_start(campaign))}</i>")
    return "\n".join(lines)


def text_start(campaign: Campaign) -> str:
    """The first words of a message text, on one line."""
    return one_line(campaign.text, TEXT_START_CHARS)


def describe_recurrence(
    recurrence_text: str | None, first_run: datetime, zone: ZoneInfo, locale: str
) -> str:
    """ "every day at 10:00", "every week on Mon, Wed at 10:00", "cron 0 10 * * 1-5"; "" for once."""
    if not recurrence_text:
        return ""
    recurrence = Recurrence.from_text(recurrence_text)
    at = first_run.astimezone(zone).strftime("%H:%M")
    if recurrence.kind == "daily":
        return _("every day at {time}").format(time=at)
    if recurrence.kind == "weekdays":
        return _("every weekday at {time}").format(time=at)
    if recurrence.kind == "weekly":
        return _("every week on {days} at {time}").format(
            days=weekday_names(recurrence.days, locale), time=at
        )
    return _("cron <code>{expression}</code>").format(expression=html.escape(recurrence.cron))


def weekday_names(days: tuple[int, ...], locale: str) -> str:
    """Crontab-numbered days (0 = Sunday) as short names from Monday on: "Mon, Wed"."""
    names = get_day_names("abbreviated", locale=locale)  # babel: 0 = Monday
    ordered = sorted(days, key=lambda day: (day - 1) % 7)
    return ", ".join(names[(day - 1) % 7] for day in ordered)


def outcome_text(outcome: Outcome) -> str:
    texts = {
        Outcome.GONE: _("This send has already gone out, been cancelled or changed."),
        Outcome.NOT_ALLOWED: _("Only its owner or an admin can change this send."),
        Outcome.TOO_SOON: _("That time has passed or is less than a minute away."),
        Outcome.NEVER: _("This repeat never runs after that time."),
        Outcome.AT_NEXT_START: _(
            "The bot is restarting: this send goes out as soon as it is running again."
        ),
        Outcome.UNAPPROVED: _(
            "This repeating send still waits for approval: none of its runs goes out before "
            "another member approves it."
        ),
    }
    return texts.get(outcome, "")


def fitting(header: str, blocks: Iterable[tuple[str, Kept]]) -> tuple[list[str], list[Kept]]:
    """The header and as many described schedules as fit in one message, with what each brings."""
    shown: list[str] = [header]
    kept: list[Kept] = []
    for block, extra in blocks:
        if sum(len(part) + 2 for part in shown) + len(block) > LIST_LIMIT:
            break
        shown.append(block)
        kept.append(extra)
    return shown, kept


# ---------------------------------------------------------------- /scheduled


def render_list(
    waiting: Sequence[Schedule], summary: Callable[[Schedule], ScheduleSummary], locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """What is waiting, soonest first, with the buttons of each schedule."""
    if not waiting:
        return _("Nothing is waiting to be sent."), None
    header = _("<b>Waiting to be sent</b>: {count}").format(count=len(waiting))
    blocks, listed = fitting(header, ((describe(summary(s), locale), s) for s in waiting[:LISTED]))
    builder = InlineKeyboardBuilder()
    for schedule in listed:
        builder.attach(list_buttons(schedule))
    hidden = len(waiting) - len(listed)
    if hidden:
        blocks.append(_("…and {count} more.").format(count=hidden))
    markup = builder.as_markup() if listed else None
    return "\n\n".join(blocks), markup if markup and markup.inline_keyboard else None


def list_buttons(schedule: Schedule) -> InlineKeyboardBuilder:
    """The buttons of one schedule on /scheduled, by its state."""
    builder = InlineKeyboardBuilder()

    def press(text: str, action: Act) -> None:
        data = ScheduleAction(action=action, schedule_id=schedule.id, stamp=stamp_of(schedule))
        builder.button(text=text.format(number=schedule.campaign_id), callback_data=data)

    if schedule.state is ScheduleState.MISSED:
        press(_("Send now №{number}"), Act.SEND_MISSED)
        press(_("Discard №{number}"), Act.DISCARD)
        builder.adjust(2)
    elif schedule.state is ScheduleState.PAUSED:
        return paused_buttons(schedule, Origin.LIST)
    elif schedule.state is ScheduleState.PENDING:
        press(_("Cancel №{number}"), Act.CANCEL)
        press(_("Send now №{number}"), Act.NOW)
        press(_("Reschedule №{number}"), Act.MOVE)
        builder.adjust(2, 1)
    elif schedule.mode is ScheduleMode.BOT and schedule.local_time:
        press(_("Cancel №{number}"), Act.CANCEL)  # its zones still waiting
    return builder  # held by the platform: nothing to press


def render_send_now(
    schedule: Schedule, campaign: Campaign, pressed: ScheduleAction
) -> tuple[str, InlineKeyboardMarkup]:
    """Send now costs money: the question asked once more, with Yes and Back to the list."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, send now"), callback_data=pressed.model_copy(update={"action": Act.NOW_YES})
    )
    builder.button(text=_("« Back"), callback_data=pressed.model_copy(update={"action": Act.LIST}))
    text = _("Send №{number} now? Recipients: {count}.").format(
        number=schedule.campaign_id, count=number(campaign.recipient_count)
    )
    return text, builder.as_markup()


def without_buttons_of(
    markup: InlineKeyboardMarkup | None, schedule_id: int
) -> InlineKeyboardMarkup | None:
    """A card's buttons less the rows about one schedule (the others stay pressable)."""
    rows = [
        row
        for row in (markup.inline_keyboard if markup else [])
        if not any(
            button.callback_data
            and ScheduleAction.unpack(button.callback_data).schedule_id == schedule_id
            for button in row
        )
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def missed_note(number: int, send: bool) -> str:
    """What a Send now or Discard answer to a missed send (campaign №`number`) did."""
    note = (
        _("✅ Sending №{number} now.") if send else _("Discarded №{number}: it will not be sent.")
    )
    return note.format(number=number)


def cancelled_note(number: int) -> str:
    return _("Cancelled №{number}. Nothing more of it will be sent.").format(number=number)


def taken_over_note(number: int) -> str:
    return _("№{number} is yours now and goes out at its time.").format(number=number)


# ---------------------------------------------------------------- what scheduling tells people


@contextmanager
def read_in(locale: str | None) -> Iterator[str]:
    """The reader's language for a notice: theirs when it is known, else the configured one."""
    i18n = get_i18n()  # set by whoever renders the notice
    if locale is None or locale not in i18n.available_locales:
        yield i18n.current_locale
        return
    with i18n.use_locale(locale):
        yield locale


def render_missed(notice: MissedRun) -> Card:
    """The owner's question about a missed run: how late, which send, Send now or Discard."""
    with read_in(notice.locale) as locale:
        text = "\n\n".join(
            [
                _(
                    "⏰ A scheduled send was missed while the bot was not running "
                    "({minutes} min late). Send it now or discard it?"
                ).format(minutes=notice.minutes_late),
                describe(notice.missed, locale),
            ]
        )
        return Card(text, missed_keyboard(notice.missed.schedule))


def render_run_unapproved(notice: RunUnapproved) -> Card:
    """The owner's word that a run of a series still waiting for approval did not go out."""
    series = notice.series
    with read_in(series.schedule.locale) as locale:
        when = format_moment(notice.run_at, series.zone, locale)
        text = "\n\n".join(
            [
                _(
                    "⏳ The run of {when} did not go out: this repeating send still waits for "
                    "approval. Once another member approves it, it goes out from its next run."
                ).format(when=when),
                describe(series, locale),
            ]
        )
        return Card(text)


def missed_keyboard(missed: Schedule) -> InlineKeyboardMarkup:
    """Send now / Discard under the question about a missed send."""
    builder = InlineKeyboardBuilder()
    for text, action in ((_("Send now"), Act.SEND_MISSED), (_("Discard"), Act.DISCARD)):
        data = ScheduleAction(action=action, schedule_id=missed.id, origin=Origin.QUESTION)
        builder.button(text=text, callback_data=data)
    return builder.as_markup()


def render_owner_lost_access(notice: OwnerLostAccess) -> Card:
    """The admins' card: whose sends are paused, each described, with its two buttons."""
    locale = get_i18n().current_locale
    header = _(
        "⏸ {owner} may no longer send, so their scheduled sends are paused and will "
        "not go out. Take one over to have it go out at its time on your behalf, or "
        "cancel it."
    ).format(owner=person_label(notice.owner_id, notice.owner_name))
    blocks, listed = fitting(
        header, ((describe(shown, locale), shown.schedule) for shown in notice.paused)
    )
    builder = InlineKeyboardBuilder()
    for schedule in listed:
        builder.attach(paused_buttons(schedule, Origin.PAUSED))
    hidden = notice.total - len(listed)
    if hidden:
        blocks.append(_("…and {count} more on /scheduled.").format(count=hidden))
    return Card("\n\n".join(blocks), builder.as_markup())


def paused_buttons(schedule: Schedule, origin: Origin) -> InlineKeyboardBuilder:
    """Take over / Cancel for a schedule paused because its owner lost access."""
    builder = InlineKeyboardBuilder()
    for text, action in (
        (_("Take over №{number}"), Act.TAKE_OVER),
        (_("Cancel №{number}"), Act.CANCEL),
    ):
        data = ScheduleAction(action=action, schedule_id=schedule.id, origin=origin)
        builder.button(text=text.format(number=schedule.campaign_id), callback_data=data)
    builder.adjust(2)
    return builder


RENDERERS: dict[type[Notice], Render] = {
    MissedRun: render_missed,
    RunUnapproved: render_run_unapproved,
    OwnerLostAccess: render_owner_lost_access,
}
