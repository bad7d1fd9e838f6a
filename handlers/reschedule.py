"""Reschedule, from /scheduled: a card of its own asks for the new time as the Schedule card does,
echoes it with Confirm, and ends with what changed; the list it was opened from is redrawn.

The card is a dialog in the chat's own stack, so a typed time reaches it; opening it ends any
conversation under way there (its card loses its buttons), as every new card does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.widgets.input import MessageInput

from bot.access import OPERATOR
from bot.schedule.cards import outcome_text
from bot.schedule.service import Outcome
from bot.schedule.time_cards import (
    StepAction,
    move_title,
    moved_text,
    render_move_confirm,
)
from bot.telegram.dialog_kit import alert_press, member_of
from bot.telegram.unchanged import AnsweredCardDialog
from handlers.time_question import (
    TimeQuestion,
    card_window,
    finish,
    inactive,
    last_word_shown,
    locale_of,
    scheduling_of,
    step_pressed,
)

NEW_TIME, ROLLED = "new_time", "rolled"  # dialog data


class Reschedule(StatesGroup):
    """The Reschedule card's steps."""

    when = State()  # choose or type the new time
    confirm = State()  # the new time echoed, with Confirm
    done = State()  # what changed, without buttons


def opening(schedule_id: int, stamp: int, list_stack: str) -> dict[str, Any]:
    """The start data of a Reschedule card: the schedule it moves, the run its button meant
    (`stamp`) and the stack of the /scheduled list it was opened from."""
    return {"schedule_id": schedule_id, "stamp": stamp, "list_stack": list_stack}


def moving(manager: DialogManager) -> dict[str, Any]:
    start: dict[str, Any] = manager.start_data  # type: ignore[assignment]
    return start


async def new_time_chosen(manager: DialogManager, moment: datetime, rolled: bool) -> None:
    """Echo the new time and ask to confirm."""
    if scheduling_of(manager).store.schedules.get(moving(manager)["schedule_id"]) is None:
        await QUESTION.ask(manager)
        return
    manager.dialog_data.update({NEW_TIME: moment.isoformat(), ROLLED: rolled})
    await manager.switch_to(Reschedule.confirm)


QUESTION = TimeQuestion(Reschedule.when, new_time_chosen)


async def when_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    number = scheduling_of(dialog_manager).number_of(moving(dialog_manager)["schedule_id"])
    return QUESTION.shown(dialog_manager, title=move_title(number))


async def confirm_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    scheduling, data = scheduling_of(dialog_manager), dialog_manager.dialog_data
    schedule = scheduling.store.schedules.get(moving(dialog_manager)["schedule_id"])
    if schedule is None or NEW_TIME not in data:
        return {"text": outcome_text(Outcome.GONE), "markup": None}
    moment = datetime.fromisoformat(data[NEW_TIME])
    text, markup = render_move_confirm(
        schedule, moment, scheduling.settings, locale_of(dialog_manager), data.get(ROLLED, False)
    )
    return {"text": text, "markup": markup}


async def pressed(query: CallbackQuery, data: str, manager: DialogManager) -> None:
    """A button of the card: a quick time, Change time, Confirm, Cancel or Back."""
    step = step_pressed(data, manager)
    if step is None:
        return
    asking = manager.current_context().state == Reschedule.when
    if step.action is StepAction.QUICK and asking:
        await QUESTION.quick(manager, step.value)
    elif step.action is StepAction.MOVE_CHANGE:
        await QUESTION.ask(manager)
    elif step.action is StepAction.MOVE_YES:
        await confirmed(manager)
    elif step.action in (StepAction.MOVE_NO, StepAction.BACK):
        await finish(
            manager,
            Reschedule.done,
            moved_text(None, scheduling_of(manager).settings, locale_of(manager)),
        )
    else:
        inactive(manager)


async def confirmed(manager: DialogManager) -> None:
    """Move the schedule to the new time on the card, unless it went out or changed meanwhile."""
    scheduling, data, start = scheduling_of(manager), manager.dialog_data, moving(manager)
    if NEW_TIME not in data:
        await QUESTION.ask(manager)
        return
    member = member_of(manager)
    moved = scheduling.reschedule(
        start["schedule_id"],
        datetime.fromisoformat(data[NEW_TIME]),
        actor_id=member.user_id,
        role=member.role,
        stamp=start["stamp"],
    )
    if moved is Outcome.TOO_SOON or moved is Outcome.NEVER:
        await QUESTION.ask(manager, outcome_text(moved))
        return
    if isinstance(moved, Outcome):
        alert_press(manager, outcome_text(moved))
        text = outcome_text(moved)
    else:
        text = moved_text(moved, scheduling.settings, locale_of(manager))
    # The list Reschedule was pressed on shows what changed, never the old time.
    await manager.bg(stack_id=start["list_stack"]).update({})
    await finish(manager, Reschedule.done, text)


async def typed(message: Message, _input: MessageInput, manager: DialogManager) -> None:
    """A time typed while it is asked; anything else asks for it again."""
    if manager.current_context().state == Reschedule.when and message.text:
        await QUESTION.typed(message, manager)
    else:
        manager.show_mode = ShowMode.EDIT
        await QUESTION.ask(manager, _("Send the time as text."))


def cancelled_word(manager: DialogManager) -> str | None:
    """What /cancel leaves on an open Reschedule card: that nothing changed, as its own Cancel
    says ("Cancelled" there would read as if the send itself were); None when none is open."""
    if manager.has_context() and manager.current_context().state.group is Reschedule:
        return _("Nothing changed.")
    return None


def build_dialog() -> AnsweredCardDialog:
    """A fresh Reschedule dialog, so each Dispatcher gets its own."""
    return AnsweredCardDialog(
        card_window(Reschedule.when, when_shown, pressed, typed),
        card_window(Reschedule.confirm, confirm_shown, pressed, typed),
        card_window(Reschedule.done, last_word_shown, pressed, typed),
        role=OPERATOR,
    )
