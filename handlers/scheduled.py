"""/scheduled: what is waiting, with Cancel, Send now and Reschedule, and the missed-send question.

Each button acts on one schedule, checked by the service (operators their own, admins all).
Reschedule opens a card of its own that asks for the new time as the Schedule card does
(bot/telegram/dialogs.py's `TimeQuestion`), echoes it and asks to confirm; its conversation is
`Rescheduling` and the list `Listing` (bot/schedule/dialogues.py).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.access import ADMIN, OPERATOR, for_command
from bot.schedule.cards import (
    Act,
    Origin,
    ScheduleAction,
    cancelled_note,
    missed_note,
    outcome_text,
    render_send_now,
    taken_over_note,
    without_buttons_of,
)
from bot.schedule.dialogues import Listing, RescheduleSteps, Rescheduling
from bot.schedule.service import Outcome
from bot.schedule.time_cards import ScheduleStep, StepAction, moved_text
from bot.telegram.dialogs import (
    NOT_COMMAND,
    OnCurrentCard,
    Wizard,
    ask_time_on,
    edit_pressed,
    provide,
    remove_buttons,
    use_dialogue,
)
from bot.telegram.presses import alert, tell
from storage.members import Member

log = logging.getLogger(__name__)


class Reschedule(StatesGroup):
    """The Reschedule card's steps."""

    when = State()  # choose or type the new time
    confirm = State()  # the echo with Confirm


STEPS = RescheduleSteps(when=Reschedule.when, confirm=Reschedule.confirm)


def rescheduling(wizard: Wizard, data: dict[str, Any]) -> Rescheduling:
    """The Reschedule card of the chat an update came from."""
    return Rescheduling(wizard, data["scheduling"], data["i18n"].current_locale, STEPS)


def card_of(chat_id: int, data: dict[str, Any]) -> Wizard:
    """The chat's card, kept where every conversation keeps it, so opening one closes another."""
    return Wizard(chat_id, data["bot"], data["state"])


def listing_of(data: dict[str, Any]) -> Listing:
    """The member's /scheduled."""
    locale = data["i18n"].current_locale
    return Listing(data["scheduling"], data["member"], locale, data.get("callback_answer"))


# ---------------------------------------------------------------- /scheduled


async def scheduled_list(message: Message, listing: Listing) -> None:
    """List what is waiting, with Cancel, Send now and Reschedule."""
    text, markup = listing.render()
    await message.answer(text, reply_markup=markup)


async def cancel_pressed(
    query: CallbackQuery, callback_data: ScheduleAction, listing: Listing
) -> None:
    """Cancel one schedule: its job is removed and its campaign cancelled."""
    schedule_id, member = callback_data.schedule_id, listing.member
    outcome = listing.scheduling.cancel(schedule_id, actor_id=member.user_id, role=member.role)
    done = cancelled_note(listing.scheduling.number_of(schedule_id))
    await listing.answer(query, outcome, done)


async def send_now_pressed(
    query: CallbackQuery, callback_data: ScheduleAction, listing: Listing
) -> None:
    """Send now costs money: ask once more, on the same message."""
    found = await listing.pending(query, callback_data)
    if found is not None:
        await edit_pressed(query, *render_send_now(*found, callback_data))


async def back_pressed(query: CallbackQuery, listing: Listing) -> None:
    """Back from the Send now question to the list."""
    await listing.redraw(query)


async def send_now_confirmed(
    query: CallbackQuery, callback_data: ScheduleAction, listing: Listing
) -> None:
    """Send the upcoming run now (once)."""
    member, pressed = listing.member, callback_data
    outcome = listing.scheduling.send_now(
        pressed.schedule_id, actor_id=member.user_id, role=member.role, stamp=pressed.stamp
    )
    shown = listing.scheduling.number_of(pressed.schedule_id)
    await listing.answer(query, outcome, _("Sending №{number} now.").format(number=shown))


async def missed_answered(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    bot: Bot,
    listing: Listing,
    callback_answer: CallbackAnswer,
) -> None:
    """A missed send: Send now or Discard, only once; the question or the list shows the answer."""
    schedule_id, send = callback_data.schedule_id, callback_data.action is Act.SEND_MISSED
    member = listing.member
    outcome = listing.scheduling.resolve_missed(
        schedule_id, send=send, actor_id=member.user_id, role=member.role
    )
    note = missed_note(listing.scheduling.number_of(schedule_id), send)
    if outcome is Outcome.AT_NEXT_START:
        note, outcome = outcome_text(outcome), Outcome.DONE
    question = query.message if callback_data.origin is Origin.QUESTION else None
    if outcome is not Outcome.DONE:
        alert(callback_answer, outcome_text(outcome))
        if outcome is Outcome.GONE and isinstance(question, Message):
            await remove_buttons(bot, question.chat.id, question.message_id)
    elif isinstance(question, Message):
        tell(callback_answer, note)
        await edit_pressed(query, f"{question.html_text}\n\n{note}", None)
    else:
        tell(callback_answer, note)
        await listing.redraw(query)


# ---------------------------------------------------------------- owners who lost access


def chat_of(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


async def take_over_pressed(
    query: CallbackQuery, callback_data: ScheduleAction, listing: Listing
) -> None:
    """Take over, on /scheduled, a send paused because its owner lost access."""
    schedule_id, member = callback_data.schedule_id, listing.member
    outcome = listing.scheduling.take_over(
        schedule_id,
        actor_id=member.user_id,
        role=member.role,
        chat_id=chat_of(query),
        locale=listing.locale,
    )
    number = listing.scheduling.number_of(schedule_id)
    await listing.answer(query, outcome, taken_over_note(number))


async def paused_card_pressed(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    listing: Listing,
    callback_answer: CallbackAnswer,
) -> None:
    """Take over or Cancel on the admins' card about a member who lost access; the card keeps
    the buttons of the other sends it lists."""
    schedule_id, member = callback_data.schedule_id, listing.member
    scheduling = listing.scheduling
    if callback_data.action is Act.TAKE_OVER:
        outcome = scheduling.take_over(
            schedule_id,
            actor_id=member.user_id,
            role=member.role,
            chat_id=chat_of(query),
            locale=listing.locale,
        )
        note = taken_over_note(scheduling.number_of(schedule_id))
    else:
        outcome = scheduling.cancel(schedule_id, actor_id=member.user_id, role=member.role)
        note = cancelled_note(scheduling.number_of(schedule_id))
    if outcome is Outcome.DONE:
        tell(callback_answer, note)
    else:
        alert(callback_answer, outcome_text(outcome))
    card = query.message
    if isinstance(card, Message):
        text = card.html_text + (f"\n\n{note}" if outcome is Outcome.DONE else "")
        await edit_pressed(query, text, without_buttons_of(card.reply_markup, schedule_id))


# ---------------------------------------------------------------- Reschedule


async def move_pressed(
    query: CallbackQuery, callback_data: ScheduleAction, listing: Listing, dialogue: Rescheduling
) -> None:
    """Reschedule: ask for the new time on a card of its own (it replaces any open dialogue)."""
    found = await listing.pending(query, callback_data)
    if found is not None and isinstance(query.message, Message):
        # The list it was pressed on is redrawn after the move, so it never shows the old time.
        await dialogue.open(
            callback_data.schedule_id, callback_data.stamp, query.message.message_id
        )


async def not_understood(message: Message, dialogue: Rescheduling) -> None:
    """Anything else on the Reschedule card: ask for the time again."""
    await dialogue.ask_time(_("Send the time as text."))


async def change_pressed(query: CallbackQuery, dialogue: Rescheduling) -> None:
    """Change time: ask for another."""
    await dialogue.ask_time()


async def move_answered(
    query: CallbackQuery,
    callback_data: ScheduleStep,
    member: Member,
    dialogue: Rescheduling,
    listing: Listing,
    callback_answer: CallbackAnswer,
) -> None:
    """Confirm the new time, or leave the schedule as it was (Cancel, Back)."""
    list_id = await dialogue.list_id()
    moved = await dialogue.move(member) if callback_data.action is StepAction.MOVE_YES else None
    if moved is Outcome.TOO_SOON or moved is Outcome.NEVER:
        await dialogue.ask_time(outcome_text(moved))
    elif isinstance(moved, Outcome):
        alert(callback_answer, outcome_text(moved))
        await dialogue.finish(outcome_text(moved))
    else:
        await dialogue.finish(moved_text(moved, dialogue.settings, dialogue.locale))
    if moved is not None and moved is not Outcome.TOO_SOON and moved is not Outcome.NEVER:
        await redraw_list(query, listing, list_id)


async def redraw_list(query: CallbackQuery, listing: Listing, list_id: int | None) -> None:
    """Bring the /scheduled list a Reschedule was opened from up to date."""
    if not list_id or query.bot is None or not isinstance(query.message, Message):
        return
    text, markup = listing.render()
    try:
        await query.bot.edit_message_text(
            text, chat_id=query.message.chat.id, message_id=list_id, reply_markup=markup
        )
    except TelegramBadRequest as error:  # the list was deleted meanwhile
        log.info("the /scheduled list could not be redrawn: %s", error.message)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="scheduled")  # /scheduled, its buttons and the missed-send question
    moving = Router(name="reschedule")  # presses on the current Reschedule card, and its messages
    router.include_router(moving)
    moving.callback_query.filter(OnCurrentCard())
    use_dialogue(router, card_of, rescheduling)
    provide(router, "listing", listing_of)
    router.message.register(scheduled_list, Command("scheduled"), flags=for_command(OPERATOR))
    router.callback_query.register(
        paused_card_pressed,
        ScheduleAction.filter(
            (F.origin == Origin.PAUSED) & F.action.in_({Act.TAKE_OVER, Act.CANCEL})
        ),
        flags=ADMIN,
    )
    router.callback_query.register(
        take_over_pressed, ScheduleAction.filter(F.action == Act.TAKE_OVER), flags=ADMIN
    )
    router.callback_query.register(
        cancel_pressed, ScheduleAction.filter(F.action == Act.CANCEL), flags=OPERATOR
    )
    router.callback_query.register(
        send_now_pressed, ScheduleAction.filter(F.action == Act.NOW), flags=OPERATOR
    )
    router.callback_query.register(
        back_pressed, ScheduleAction.filter(F.action == Act.LIST), flags=OPERATOR
    )
    router.callback_query.register(
        send_now_confirmed, ScheduleAction.filter(F.action == Act.NOW_YES), flags=OPERATOR
    )
    router.callback_query.register(
        missed_answered,
        ScheduleAction.filter(F.action.in_({Act.SEND_MISSED, Act.DISCARD})),
        flags=OPERATOR,
    )
    router.callback_query.register(
        move_pressed, ScheduleAction.filter(F.action == Act.MOVE), flags=OPERATOR
    )
    ask_time_on(moving, Reschedule.when, OPERATOR)  # as on the Schedule card
    moving.message.register(not_understood, StateFilter(Reschedule), NOT_COMMAND, flags=OPERATOR)
    moving.callback_query.register(
        change_pressed,
        StateFilter(Reschedule),
        ScheduleStep.pressed(StepAction.MOVE_CHANGE),
        flags=OPERATOR,
    )
    moving.callback_query.register(
        move_answered,
        StateFilter(Reschedule),
        ScheduleStep.pressed(StepAction.MOVE_YES, StepAction.MOVE_NO, StepAction.BACK),
        flags=OPERATOR,
    )
    return router
