"""The time question the Schedule card and the Reschedule card both ask, in a dialog window: a
quick button, or a time typed and read in TIMEZONE; a readable time ahead goes on, anything else
is asked again with the reason; and the windows and last word both cards are drawn with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.types import Message
from aiogram_dialog import DialogManager, ShowMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.text import Format

from bot.schedule.service import SchedulingService
from bot.schedule.time_cards import ScheduleStep, render_when, time_problem
from bot.schedule.time_phrases import read_phrase
from bot.schedule.when import quick_choice
from bot.telegram.card_keyboard import CardKeyboard
from bot.telegram.dialog_kit import alert_press, card_inactive

PROBLEM = "problem"  # dialog data: why the last answer was refused

UseTime = Callable[[DialogManager, datetime, bool], Awaitable[None]]


def step_pressed(data: str, manager: DialogManager) -> ScheduleStep | None:
    """The step a time card's button carries; None (answered, the card left as it is) for an
    action no card offers any more."""
    try:
        return ScheduleStep.unpack(data)
    except (ValueError, TypeError):
        inactive(manager)
        return None


def inactive(manager: DialogManager) -> None:
    """Answer a press the card no longer takes, and leave the card as it is."""
    alert_press(manager, card_inactive())


def scheduling_of(manager: DialogManager) -> SchedulingService:
    scheduling: SchedulingService = manager.middleware_data["scheduling"]
    return scheduling


def locale_of(manager: DialogManager) -> str:
    return str(manager.middleware_data["i18n"].current_locale)


@dataclass(frozen=True)
class TimeQuestion:
    """Asks in the window `asking`; `use_time(manager, moment, rolled)` goes on with a readable
    time ahead (`rolled`: a time of day alone that had passed today, taken as tomorrow's)."""

    asking: State
    use_time: UseTime

    def shown(self, manager: DialogManager, title: str = "") -> dict[str, Any]:
        """The window's text and buttons, with why the last answer was refused."""
        scheduling = scheduling_of(manager)
        problem = manager.dialog_data.get(PROBLEM, "")
        text, markup = render_when(
            scheduling.settings, scheduling.clock(), problem=problem, title=title
        )
        return {"text": text, "markup": markup}

    async def ask(self, manager: DialogManager, problem: str = "") -> None:
        """Ask for the time, saying why the last answer was refused (if it was)."""
        manager.dialog_data[PROBLEM] = problem
        await manager.switch_to(self.asking)

    async def take(
        self, manager: DialogManager, moment: datetime | None, typed: str | None, rolled: bool
    ) -> None:
        scheduling = scheduling_of(manager)
        settings, now = scheduling.settings, scheduling.clock()
        problem = time_problem(moment, typed, now, settings, locale_of(manager))
        if moment is None or problem:
            await self.ask(manager, problem)
        else:
            manager.dialog_data.pop(PROBLEM, None)
            await self.use_time(manager, moment, rolled)

    async def quick(self, manager: DialogManager, choice: str) -> None:
        """A quick button: the time it means now."""
        scheduling = scheduling_of(manager)
        now, zone = scheduling.clock(), scheduling.settings.zone
        await self.take(manager, quick_choice(choice, now, zone), None, False)

    async def typed(self, message: Message, manager: DialogManager) -> None:
        """A typed time, read in TIMEZONE; the card is edited in place."""
        manager.show_mode = ShowMode.EDIT
        scheduling = scheduling_of(manager)
        typed = message.text or ""
        reading = read_phrase(typed, scheduling.clock(), scheduling.settings.zone)
        if reading is None:
            await self.take(manager, None, typed, False)
        else:
            await self.take(manager, reading.moment, typed, reading.rolled_to_tomorrow)


LAST = "last"  # dialog data: the card's last word


def card_window(state: State, getter: Any, pressed: Any, typed: Any) -> Window:
    """A window of a time card: its text and buttons from `getter`, presses to `pressed`,
    messages to `typed`."""
    return Window(
        Format("{text}"), CardKeyboard(pressed), MessageInput(typed), state=state, getter=getter
    )


async def last_word_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return {"text": dialog_manager.dialog_data.get(LAST, ""), "markup": None}


async def finish(manager: DialogManager, done: State, text: str) -> None:
    """The card's last word (shown by `done`'s window), without buttons; the conversation ends
    with it."""
    manager.dialog_data[LAST] = text
    await manager.switch_to(done, show_mode=ShowMode.EDIT)  # even after an alert
    await manager.show()
    await manager.reset_stack(remove_keyboard=False)
