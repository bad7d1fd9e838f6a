"""Scheduling a composed message (Schedule on the preview), and /scheduled with its buttons.

The Schedule dialogue edits the composing card: choose or type a time, then a card echoes the
absolute date, time and zone, with the mode (by the bot / by the platform) and the repeat, and
asks to confirm. /scheduled lists what is waiting; Cancel, Send now and Reschedule act on one
schedule each, checked by the service (operators their own, admins all).
"""

from __future__ import annotations

import asyncio
import html
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.composing import Step, draft_from_data, next_step, summarize_list
from bot.config import Settings
from bot.preview import ComposeAction, number
from bot.scheduling import (
    Outcome,
    ScheduleAction,
    SchedulingService,
    describe_recurrence,
    stamp_of,
    weekday_names,
)
from bot.sending import AlreadyLaunched
from bot.when import (
    QUICK_CHOICES,
    Recurrence,
    cron_trigger,
    first_run,
    format_moment,
    parse_when,
    platform_sent_date,
    quick_choice,
    runs_after,
    too_soon,
)
from handlers.compose import CARD, Compose, OnCurrentCard, remove_buttons, wizard_for
from storage.members import Member
from storage.schedules import Schedule, ScheduleMode, ScheduleState
from storage.store import Store

router = Router(name="schedule")
OPERATOR = {"role": "operator"}
NOT_COMMAND = ~F.text.startswith("/")
PLAN = "schedule_plan"
LISTED = 10  # schedules shown by /scheduled; the rest are counted
LIST_LIMIT = 3800  # characters of the /scheduled message, under Telegram's 4096
SHOWN_INPUT = 50  # characters of a refused input echoed back
WEEK_FROM_MONDAY = (1, 2, 3, 4, 5, 6, 0)  # crontab day numbers in the order buttons show them


class ScheduleDialog(StatesGroup):
    when = State()  # choose or type the time
    card = State()  # the echo with mode, repeat and Confirm
    cron = State()  # type a cron expression
    move = State()  # /scheduled Reschedule: choose or type the new time
    move_confirm = State()


class ScheduleStep(CallbackData, prefix="sched_step"):
    """A button of the Schedule dialogue's card."""

    action: str  # quick | mode | repeat | day | confirm | change | back | cron_back | move_*
    value: str = ""


@dataclass
class Plan:
    """What the Schedule card has chosen so far; kept in the conversation data."""

    start: datetime
    mode: str = ScheduleMode.BOT.value
    repeat: str = ""  # "" (once) | daily | weekdays | weekly | cron
    days: list[int] = field(default_factory=list)  # crontab numbering, for weekly
    cron: str = ""

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
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Plan:
        return cls(
            start=datetime.fromisoformat(data["start"]),
            mode=data.get("mode", ScheduleMode.BOT.value),
            repeat=data.get("repeat", ""),
            days=list(data.get("days", [])),
            cron=data.get("cron", ""),
        )


# ---------------------------------------------------------------- the cards


def step_button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    data = ScheduleStep(action=action, value=value)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def checked(label: str, on: bool) -> str:
    return f"✓ {label}" if on else label


def shown_input(text: str) -> str:
    """A refused input, on one line, short and escaped."""
    flat = " ".join(text.split())
    return html.escape(flat if len(flat) <= SHOWN_INPUT else flat[: SHOWN_INPUT - 1] + "…")


def render_when(
    settings: Settings, now: datetime, *, problem: str = "", title: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for the time: quick choices, or a typed time in TIMEZONE."""
    ask = _(
        "When should it go out? Choose below or type a time ({zone}), for example "
        "<code>2026-12-01 10:00</code>, <code>01.12 10:00</code>, <code>10:00</code>, "
        "<code>завтра 10:00</code>, <code>tomorrow 9am</code>."
    ).format(zone=html.escape(settings.timezone))
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
        _("{type}, recipients: {count}").format(
            type=html.escape(message_type), count=number(count)
        ),
        _("Time: <b>{when}</b>").format(when=format_moment(plan.start, zone, locale)),
    ]
    if bot_mode:
        lines.append(
            _(
                "By the bot: it can be cancelled, rescheduled or sent now with /scheduled "
                "until it goes out."
            )
        )
    else:
        lines.append(
            _(
                "By the platform: it is submitted now with sent_date {sent_date} (platform "
                "time, {zone}) and can no longer be cancelled from here."
            ).format(
                sent_date=platform_sent_date(plan.start, settings.pulse_zone),
                zone=html.escape(settings.pulse_timezone),
            )
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


def move_title(schedule_id: int) -> str:
    return _("<b>Reschedule #{id}</b>").format(id=schedule_id)


def render_move_confirm(
    schedule: Schedule, start: datetime, settings: Settings, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Echo the new time of a schedule being moved and ask to confirm."""
    zone = settings.zone
    recurrence = Recurrence.from_text(schedule.recurrence) if schedule.recurrence else None
    first = first_run(recurrence, start, zone) or start
    lines = [
        move_title(schedule.id),
        _("New time: <b>{when}</b>").format(when=format_moment(first, zone, locale)),
    ]
    repeat = describe_recurrence(schedule.recurrence, first, zone, locale)
    if repeat:
        lines.append(_("Then it repeats {repeat}.").format(repeat=repeat))
    lines.append(_("Confirm?"))
    rows = [
        [step_button(_("✅ Confirm"), "move_yes")],
        [step_button(_("Change time"), "move_change"), step_button(_("Cancel"), "move_no")],
    ]
    return "\n\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def outcome_text(outcome: Outcome) -> str:
    texts = {
        Outcome.GONE: _("This send has already gone out, been cancelled or changed."),
        Outcome.NOT_ALLOWED: _("Only its owner or an admin can change this send."),
        Outcome.TOO_SOON: _("That time has passed or is less than a minute away."),
        Outcome.NEVER: _("This repeat never runs after that time."),
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


# ---------------------------------------------------------------- the Schedule dialogue


class Dialogue:
    """One person's scheduling conversation: its plan in the FSM data and the card it edits."""

    def __init__(
        self,
        event: Message | CallbackQuery,
        bot: Bot,
        state: FSMContext,
        store: Store,
        settings: Settings,
        scheduling: SchedulingService,
        i18n: I18n,
    ) -> None:
        # The composing wizard owns the card; this dialogue draws on it the same way.
        self.wizard = wizard_for(event, bot, state, store, settings)
        self.state, self.store, self.settings = state, store, settings
        self.scheduling = scheduling
        self.locale = i18n.current_locale

    async def plan(self) -> Plan | None:
        data = (await self.state.get_data()).get(PLAN)
        return Plan.from_data(data) if data else None

    async def ask_time(self, problem: str = "") -> None:
        await self.state.set_state(ScheduleDialog.when)
        now = self.scheduling.clock()
        await self.wizard.show(*render_when(self.settings, now, problem=problem))

    async def show_card(self, plan: Plan, problem: str = "") -> None:
        data = await self.state.get_data()
        count = summarize_list(self.store, data.get("list_id")).size
        await self.state.update_data({PLAN: plan.to_data()})
        await self.state.set_state(ScheduleDialog.card)
        text, markup = render_card(
            plan,
            message_type=draft_from_data(data).type,
            count=count,
            settings=self.settings,
            locale=self.locale,
            problem=problem,
        )
        await self.wizard.show(text, markup)

    async def take_time(self, moment: datetime | None, typed: str | None) -> None:
        """Show the card for a readable time ahead; otherwise ask again, saying why."""
        problem = time_problem(moment, typed, self.scheduling.clock(), self.settings, self.locale)
        if moment is None or problem:
            await self.ask_time(problem)
            return
        previous = await self.plan()
        plan = replace(previous, start=moment) if previous else Plan(start=moment)
        if not plan.days:
            plan.days = [moment.astimezone(self.settings.zone).isoweekday() % 7]
        await self.show_card(plan)

    async def take_new_time(self, moment: datetime | None, typed: str | None) -> None:
        """Reschedule: echo the new time and ask to confirm; refuse unreadable or past times."""
        data = await self.state.get_data()
        schedule = self.store.schedules.get(data.get("move_id", 0))
        now = self.scheduling.clock()
        problem = time_problem(moment, typed, now, self.settings, self.locale)
        if schedule is None or moment is None or problem:
            title = move_title(data.get("move_id", 0))
            await self.wizard.show(*render_when(self.settings, now, problem=problem, title=title))
            return
        await self.state.update_data({"move_start": moment.isoformat()})
        await self.state.set_state(ScheduleDialog.move_confirm)
        await self.wizard.show(*render_move_confirm(schedule, moment, self.settings, self.locale))

    async def ask_new_time(self, schedule_id: int, problem: str = "") -> None:
        await self.state.set_state(ScheduleDialog.move)
        now = self.scheduling.clock()
        title = move_title(schedule_id)
        await self.wizard.show(*render_when(self.settings, now, problem=problem, title=title))

    async def finish(self, text: str) -> None:
        """Leave the dialogue with a last word on the card (no buttons)."""
        await self.wizard.show(text)
        await self.state.clear()


@router.callback_query(
    Compose.preview, ComposeAction.filter(F.action == "schedule"), OnCurrentCard(), flags=OPERATOR
)
async def schedule_pressed(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Schedule on the preview: ask when."""
    await query.answer()
    await state.update_data({PLAN: None})
    await Dialogue(query, bot, state, store, settings, scheduling, i18n).ask_time()


@router.callback_query(
    StateFilter(ScheduleDialog.when, ScheduleDialog.move),
    ScheduleStep.filter(F.action == "quick"),
    OnCurrentCard(),
    flags=OPERATOR,
)
async def quick_pressed(
    query: CallbackQuery,
    callback_data: ScheduleStep,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """A quick choice: the time it means now."""
    await query.answer()
    dialogue = Dialogue(query, bot, state, store, settings, scheduling, i18n)
    moment = quick_choice(callback_data.value, scheduling.clock(), settings.zone)
    if await state.get_state() == ScheduleDialog.move.state:
        await dialogue.take_new_time(moment, None)
    else:
        await dialogue.take_time(moment, None)


@router.message(
    StateFilter(ScheduleDialog.when, ScheduleDialog.move), F.text, NOT_COMMAND, flags=OPERATOR
)
async def time_typed(
    message: Message,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """A typed time, read in TIMEZONE."""
    dialogue = Dialogue(message, bot, state, store, settings, scheduling, i18n)
    typed = message.text or ""
    # dateparser may take a moment on first use: keep the event loop free meanwhile.
    moment = await asyncio.to_thread(parse_when, typed, scheduling.clock(), settings.zone)
    if await state.get_state() == ScheduleDialog.move.state:
        await dialogue.take_new_time(moment, typed)
    else:
        await dialogue.take_time(moment, typed)


@router.message(ScheduleDialog.cron, F.text, NOT_COMMAND, flags=OPERATOR)
async def cron_typed(
    message: Message,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """A cron expression: checked, then back to the card with its next runs."""
    dialogue = Dialogue(message, bot, state, store, settings, scheduling, i18n)
    expression = " ".join((message.text or "").split())
    try:
        cron_trigger(expression, settings.zone)
    except ValueError as error:
        problem = _("«{text}» is not a cron expression: {reason}").format(
            text=shown_input(expression), reason=html.escape(str(error))
        )
        await dialogue.wizard.show(*render_cron_prompt(problem))
        return
    plan = await dialogue.plan()
    if plan is None:
        await dialogue.ask_time()
        return
    await dialogue.show_card(replace(plan, repeat="cron", cron=expression))


@router.message(StateFilter(ScheduleDialog), NOT_COMMAND, flags=OPERATOR)
async def not_understood(
    message: Message,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Anything else in the dialogue: ask again on the card."""
    dialogue = Dialogue(message, bot, state, store, settings, scheduling, i18n)
    step = await state.get_state()
    plan = await dialogue.plan()
    if step == ScheduleDialog.cron.state:
        await dialogue.wizard.show(*render_cron_prompt(_("Send the expression as text.")))
    elif step == ScheduleDialog.card.state and plan is not None:
        await dialogue.show_card(plan, _("Use the buttons on the card."))
    elif step in (ScheduleDialog.move.state, ScheduleDialog.move_confirm.state):
        data = await state.get_data()
        await dialogue.ask_new_time(data.get("move_id", 0), _("Send the time as text."))
    else:
        await dialogue.ask_time(_("Send the time as text, or choose a button."))


@router.callback_query(
    ScheduleDialog.card,
    ScheduleStep.filter(F.action.in_({"mode", "repeat", "day"})),
    OnCurrentCard(),
    flags=OPERATOR,
)
async def card_option(
    query: CallbackQuery,
    callback_data: ScheduleStep,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Mode, repeat and weekday toggles: redraw the card (Cron asks for the expression)."""
    dialogue = Dialogue(query, bot, state, store, settings, scheduling, i18n)
    plan = await dialogue.plan()
    value = callback_data.value
    if plan is None:
        await query.answer()
        await dialogue.ask_time()
        return
    if callback_data.action == "repeat" and value == "cron":
        await query.answer()
        await state.set_state(ScheduleDialog.cron)
        await dialogue.wizard.show(*render_cron_prompt())
        return
    if callback_data.action == "day" and plan.days == [int(value)]:
        await query.answer(_("Keep at least one day."), show_alert=True)
        return
    if callback_data.action == "mode":
        plan.mode = value
    elif callback_data.action == "repeat":
        plan.repeat = value
    else:
        plan.days = sorted(set(plan.days) ^ {int(value)})
    await query.answer()
    await dialogue.show_card(plan)


@router.callback_query(
    StateFilter(ScheduleDialog.when, ScheduleDialog.card, ScheduleDialog.cron),
    ScheduleStep.filter(F.action.in_({"change", "back", "cron_back"})),
    OnCurrentCard(),
    flags=OPERATOR,
)
async def card_navigation(
    query: CallbackQuery,
    callback_data: ScheduleStep,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Change time; back from the cron prompt to the card; or Back to the preview."""
    await query.answer()
    dialogue = Dialogue(query, bot, state, store, settings, scheduling, i18n)
    plan = await dialogue.plan()
    if callback_data.action == "cron_back" and plan is not None:
        await dialogue.show_card(plan)
    elif callback_data.action == "change":
        await dialogue.ask_time()
    else:
        await state.update_data({PLAN: None})
        await dialogue.wizard.show_preview()


@router.callback_query(
    ScheduleDialog.card, ScheduleStep.filter(F.action == "confirm"), OnCurrentCard(), flags=OPERATOR
)
async def confirmed(
    query: CallbackQuery,
    member: Member,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Create the schedule (by the bot), or submit with sent_date (by the platform)."""
    dialogue = Dialogue(query, bot, state, store, settings, scheduling, i18n)
    plan = await dialogue.plan()
    data = await state.get_data()
    draft, list_id = draft_from_data(data), data.get("list_id")
    if plan is None:
        await query.answer()
        await dialogue.ask_time()
        return
    step, _problem = next_step(draft, list_id, store, settings.pulse_types)
    if step is not Step.PREVIEW or list_id is None:
        await query.answer()  # the draft is no longer complete (e.g. the list is gone)
        await dialogue.wizard.advance()
        return
    owner = {
        "owner_id": member.user_id,
        "owner_chat_id": dialogue.wizard.chat_id,
        "locale": dialogue.locale,
    }
    try:
        if plan.mode == ScheduleMode.PLATFORM.value:
            result = scheduling.schedule_by_platform(draft, list_id, at=plan.start, **owner)
        else:
            result = scheduling.schedule_by_bot(
                draft, list_id, start=plan.start, recurrence=plan.recurrence(), **owner
            )
    except AlreadyLaunched as already:
        await query.answer(
            _("Already sent or scheduled as campaign #{id}.").format(id=already.campaign_id),
            show_alert=True,
        )
        return
    if isinstance(result, Outcome):
        await query.answer()
        await dialogue.show_card(plan, outcome_text(result))
        return
    await query.answer()
    await dialogue.finish(scheduled_text(result, settings, dialogue.locale))


def scheduled_text(schedule: Schedule, settings: Settings, locale: str) -> str:
    when = format_moment(schedule.run_at_time, settings.zone, locale)
    if schedule.mode is ScheduleMode.PLATFORM:
        return _(
            "✅ Submitted to the platform as campaign #{campaign}: it goes out on {when}. "
            "It can no longer be cancelled from here."
        ).format(campaign=schedule.campaign_id, when=when)
    text = _("✅ Scheduled #{id}: {when}, by the bot.").format(id=schedule.id, when=when)
    repeat = describe_recurrence(schedule.recurrence, schedule.run_at_time, settings.zone, locale)
    if repeat:
        text += " " + _("Then it repeats {repeat}.").format(repeat=repeat)
    return text + "\n" + _("See or change it with /scheduled.")


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
        return InlineKeyboardButton(text=text.format(id=schedule.id), callback_data=data.pack())

    if schedule.state is ScheduleState.MISSED:
        return [[press(_("Send now #{id}"), "send_missed"), press(_("Discard #{id}"), "discard")]]
    if schedule.state is ScheduleState.PENDING:
        return [
            [press(_("Cancel #{id}"), "cancel"), press(_("Send now #{id}"), "now")],
            [press(_("Reschedule #{id}"), "move")],
        ]
    return []  # held by the platform: nothing to press


async def redraw(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Redraw the pressed message in place."""
    if isinstance(query.message, Message):
        with suppress(TelegramBadRequest):  # "not modified": nothing to redraw
            await query.message.edit_text(text, reply_markup=markup)


async def redraw_list(
    query: CallbackQuery, scheduling: SchedulingService, member: Member, i18n: I18n
) -> None:
    await redraw(query, *render_list(scheduling, member, i18n.current_locale))


@router.message(Command("scheduled"), flags=OPERATOR)
async def scheduled_list(
    message: Message, member: Member, scheduling: SchedulingService, i18n: I18n
) -> None:
    """List what is waiting, with Cancel, Send now and Reschedule."""
    text, markup = render_list(scheduling, member, i18n.current_locale)
    await message.answer(text, reply_markup=markup)


@router.callback_query(ScheduleAction.filter(F.action == "cancel"), flags=OPERATOR)
async def cancel_pressed(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    member: Member,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Cancel one schedule: its job is removed and its campaign cancelled."""
    schedule_id = callback_data.schedule_id
    outcome = scheduling.cancel(schedule_id, actor_id=member.user_id, role=member.role)
    if outcome is Outcome.DONE:
        await query.answer(_("Cancelled #{id}. Nothing will be sent.").format(id=schedule_id))
    else:
        await query.answer(outcome_text(outcome), show_alert=True)
    await redraw_list(query, scheduling, member, i18n)


@router.callback_query(ScheduleAction.filter(F.action == "now"), flags=OPERATOR)
async def send_now_pressed(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    member: Member,
    scheduling: SchedulingService,
) -> None:
    """Send now costs money: ask once more, on the same message."""
    schedule = scheduling.store.schedules.get(callback_data.schedule_id)
    campaign = scheduling.store.campaigns.get(schedule.campaign_id) if schedule else None
    if schedule is None or campaign is None or schedule.state is not ScheduleState.PENDING:
        await query.answer(outcome_text(Outcome.GONE), show_alert=True)
        return
    if not scheduling.may_manage(schedule, member.user_id, member.role):
        await query.answer(outcome_text(Outcome.NOT_ALLOWED), show_alert=True)
        return
    await query.answer()
    yes = callback_data.model_copy(update={"action": "now_yes"})
    back = callback_data.model_copy(update={"action": "list"})
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=_("Yes, send now"), callback_data=yes.pack()),
                InlineKeyboardButton(text=_("« Back"), callback_data=back.pack()),
            ]
        ]
    )
    text = _("Send #{id} now? Recipients: {count}.").format(
        id=schedule.id, count=number(campaign.recipient_count)
    )
    await redraw(query, text, markup)


@router.callback_query(ScheduleAction.filter(F.action.in_({"now_yes", "list"})), flags=OPERATOR)
async def send_now_answered(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    member: Member,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Send the upcoming run now (once), or go back to the list."""
    if callback_data.action == "list":
        await query.answer()
    else:
        outcome = scheduling.send_now(
            callback_data.schedule_id,
            actor_id=member.user_id,
            role=member.role,
            stamp=callback_data.stamp,
        )
        if outcome is Outcome.DONE:
            await query.answer(_("Sending #{id} now.").format(id=callback_data.schedule_id))
        else:
            await query.answer(outcome_text(outcome), show_alert=True)
    await redraw_list(query, scheduling, member, i18n)


@router.callback_query(
    ScheduleAction.filter(F.action.in_({"send_missed", "discard"})), flags=OPERATOR
)
async def missed_answered(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    member: Member,
    bot: Bot,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """A missed send: Send now or Discard, only once; the question or the list shows the answer."""
    schedule_id, send = callback_data.schedule_id, callback_data.action == "send_missed"
    outcome = scheduling.resolve_missed(
        schedule_id, send=send, actor_id=member.user_id, role=member.role
    )
    question = callback_data.origin == "question" and isinstance(query.message, Message)
    if outcome is not Outcome.DONE:
        await query.answer(outcome_text(outcome), show_alert=True)
        if outcome is Outcome.GONE and question and query.message is not None:
            await remove_buttons(bot, query.message.chat.id, query.message.message_id)
        return
    note = (
        _("✅ Sending #{id} now.") if send else _("Discarded #{id}: it will not be sent.")
    ).format(id=schedule_id)
    await query.answer(note)
    if question and isinstance(query.message, Message):
        await redraw(query, f"{query.message.html_text}\n\n{note}", None)
    else:
        await redraw_list(query, scheduling, member, i18n)


# ---------------------------------------------------------------- Reschedule


@router.callback_query(ScheduleAction.filter(F.action == "move"), flags=OPERATOR)
async def move_pressed(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    member: Member,
    bot: Bot,
    state: FSMContext,
    scheduling: SchedulingService,
) -> None:
    """Reschedule: ask for the new time on a card of its own (it replaces any open dialogue)."""
    schedule = scheduling.store.schedules.get(callback_data.schedule_id)
    if schedule is None or schedule.state is not ScheduleState.PENDING:
        await query.answer(outcome_text(Outcome.GONE), show_alert=True)
        return
    if not scheduling.may_manage(schedule, member.user_id, member.role):
        await query.answer(outcome_text(Outcome.NOT_ALLOWED), show_alert=True)
        return
    if not isinstance(query.message, Message):
        await query.answer()
        return
    await query.answer()
    chat_id = query.message.chat.id
    previous_card = (await state.get_data()).get(CARD)
    if previous_card:
        await remove_buttons(bot, chat_id, previous_card)
    now = scheduling.clock()
    text, markup = render_when(scheduling.settings, now, title=move_title(schedule.id))
    card = await bot.send_message(chat_id, text, reply_markup=markup)
    await state.set_data(
        {CARD: card.message_id, "move_id": schedule.id, "move_stamp": callback_data.stamp}
    )
    await state.set_state(ScheduleDialog.move)


@router.callback_query(
    StateFilter(ScheduleDialog.move, ScheduleDialog.move_confirm),
    ScheduleStep.filter(F.action.in_({"move_yes", "move_no", "move_change", "back"})),
    OnCurrentCard(),
    flags=OPERATOR,
)
async def move_answered(
    query: CallbackQuery,
    callback_data: ScheduleStep,
    member: Member,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
    scheduling: SchedulingService,
    i18n: I18n,
) -> None:
    """Confirm the new time, choose another, or leave the schedule as it was."""
    dialogue = Dialogue(query, bot, state, store, settings, scheduling, i18n)
    data = await state.get_data()
    schedule_id = data.get("move_id", 0)
    if callback_data.action == "move_change":
        await query.answer()
        await dialogue.ask_new_time(schedule_id)
        return
    if callback_data.action in ("move_no", "back") or "move_start" not in data:
        await query.answer()
        await dialogue.finish(_("Nothing changed."))
        return
    result = scheduling.reschedule(
        schedule_id,
        datetime.fromisoformat(data["move_start"]),
        actor_id=member.user_id,
        role=member.role,
        stamp=data.get("move_stamp", 0),
    )
    if result is Outcome.TOO_SOON or result is Outcome.NEVER:
        await query.answer()
        await dialogue.ask_new_time(schedule_id, outcome_text(result))
    elif isinstance(result, Outcome):
        await query.answer(outcome_text(result), show_alert=True)
        await dialogue.finish(outcome_text(result))
    else:
        await query.answer()
        when = format_moment(result.run_at_time, settings.zone, dialogue.locale)
        await dialogue.finish(_("✅ #{id} now goes out on {when}.").format(id=result.id, when=when))


@router.callback_query(ScheduleStep.filter(), flags=OPERATOR)
async def stale_step(query: CallbackQuery, bot: Bot) -> None:
    """A press on a card that is no longer current: say so and clear its buttons."""
    await query.answer(_("This card is no longer active."), show_alert=True)
    if isinstance(query.message, Message):
        await remove_buttons(bot, query.message.chat.id, query.message.message_id)
