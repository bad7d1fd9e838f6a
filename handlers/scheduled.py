"""/scheduled: what is waiting, with Cancel, Send now and Reschedule, and the missed-send question.

The list is a dialog on a stack of its own, so it lives beside whatever conversation is under
way; a new list replaces the person's last one, whose buttons go. Each button acts on one schedule, checked by the service
(operators their own, admins all); Send now asks once more on the same message. Reschedule opens
a card of its own (handlers/reschedule.py). The missed-run question and the admins' card about an
owner who lost access are notices, not dialogs: their buttons have handlers of their own here.
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DEFAULT_STACK_ID, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.api.entities import AccessSettings
from aiogram_dialog.api.internal import STORAGE_KEY
from aiogram_dialog.widgets.text import Format

from bot.access import ADMIN, OPERATOR, for_command, role_refusal
from bot.schedule.cards import (
    Act,
    Origin,
    ScheduleAction,
    cancelled_note,
    missed_note,
    outcome_text,
    render_list,
    render_send_now,
    taken_over_note,
    without_buttons_of,
)
from bot.schedule.service import Outcome, SchedulingService
from bot.telegram.card_keyboard import CardKeyboard
from bot.telegram.dialog_kit import alert_press, member_of, tell_press
from bot.telegram.messages import edit_pressed, remove_buttons
from bot.telegram.presses import alert, tell
from bot.telegram.unchanged import AnsweredCardDialog
from handlers import reschedule
from handlers.reschedule import Reschedule, opening
from handlers.time_question import locale_of, scheduling_of
from storage.members import Member, Role

log = logging.getLogger(__name__)

ASKING = "asking"  # dialog data: the Send now button whose question the list shows instead


class ScheduledList(StatesGroup):
    """/scheduled: one window, the list or the Send now question about one of its sends."""

    shown = State()


# ---------------------------------------------------------------- /scheduled


def list_stack(user_id: int) -> str:
    """The stack a person's /scheduled list lives on: one each, beside the conversation's own."""
    return f"scheduled:{user_id}"


async def scheduled_list(message: Message, dialog_manager: DialogManager) -> None:
    """List what is waiting, with Cancel, Send now and Reschedule; the last list loses its
    buttons (one list per person is kept)."""
    user_id = message.from_user.id if message.from_user else message.chat.id
    # A stack of its own is anyone's by default: in a group, only the member it was sent to
    # may press it (another member's press is told so).
    await dialog_manager.bg(stack_id=list_stack(user_id)).start(
        ScheduledList.shown,
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
        access_settings=AccessSettings(user_ids=[user_id]),
    )


def reader_of(manager: DialogManager) -> Member | None:
    """Who the list is for (a redraw after a Reschedule comes without the member's update)."""
    member: Member | None = manager.middleware_data.get("member")
    if member is None:
        member = scheduling_of(manager).store.members.get(manager.event.from_user.id)
    return member


async def list_shown(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return list_view(dialog_manager)


def list_view(dialog_manager: DialogManager) -> dict[str, Any]:
    """The list, or the Send now question while it is asked about a send still waiting."""
    scheduling, member = scheduling_of(dialog_manager), reader_of(dialog_manager)
    asking = dialog_manager.dialog_data.get(ASKING)
    if asking and member is not None:
        pressed = ScheduleAction.unpack(asking)
        found = scheduling.pending(pressed.schedule_id, actor_id=member.user_id, role=member.role)
        if not isinstance(found, Outcome):
            text, markup = render_send_now(*found, pressed)
            return {"text": text, "markup": markup}
    waiting = scheduling.visible_to(member.user_id, member.role) if member else []
    text, markup = render_list(waiting, scheduling.summary, locale_of(dialog_manager))
    return {"text": text, "markup": markup}


def answer(manager: DialogManager, outcome: Outcome, done: str) -> None:
    """Answer the press with what it did, or in an alert with why not; the list is redrawn
    either way (what it shows may have changed meanwhile)."""
    if outcome is Outcome.DONE:
        tell_press(manager, done)
    else:
        alert_press(manager, outcome_text(outcome))
        manager.show_mode = ShowMode.EDIT


async def list_pressed(query: CallbackQuery, data: str, manager: DialogManager) -> None:
    """A button of the list or of its Send now question; the list is redrawn after it."""
    manager.show_mode = ShowMode.EDIT  # redrawn even after an alert: things change meanwhile
    try:
        pressed = ScheduleAction.unpack(data)
    except (ValueError, TypeError):
        alert_press(manager, _("This button is no longer valid."))
        manager.show_mode = ShowMode.EDIT
    else:
        await act_on(query, manager, pressed, data)


async def act_on(
    query: CallbackQuery, manager: DialogManager, pressed: ScheduleAction, data: str
) -> None:
    """What a button about one schedule does, checked by the service."""
    scheduling: SchedulingService = scheduling_of(manager)
    member = member_of(manager)
    number = scheduling.number_of(pressed.schedule_id)
    mine = {"actor_id": member.user_id, "role": member.role}
    if pressed.action is Act.CANCEL:
        outcome = scheduling.cancel(pressed.schedule_id, **mine)
        answer(manager, outcome, cancelled_note(number))
    elif pressed.action is Act.NOW:  # Send now costs money: ask once more
        if await still_pending(manager, pressed, member):
            manager.dialog_data[ASKING] = data
    elif pressed.action is Act.LIST:
        manager.dialog_data.pop(ASKING, None)
    elif pressed.action is Act.NOW_YES and not asked_about(manager, pressed):
        # The question was answered with Back or closed by /cancel: its Yes sends nothing.
        alert_press(manager, _("This button is no longer valid."))
        manager.show_mode = ShowMode.EDIT
    elif pressed.action is Act.NOW_YES:
        manager.dialog_data.pop(ASKING, None)
        outcome = scheduling.send_now(pressed.schedule_id, **mine, stamp=pressed.stamp)
        answer(manager, outcome, _("Sending №{number} now.").format(number=number))
    elif pressed.action in (Act.SEND_MISSED, Act.DISCARD):
        send = pressed.action is Act.SEND_MISSED
        outcome = scheduling.resolve_missed(pressed.schedule_id, send=send, **mine)
        note = missed_note(number, send)
        if outcome is Outcome.AT_NEXT_START:
            note, outcome = outcome_text(outcome), Outcome.DONE
        answer(manager, outcome, note)
    elif pressed.action is Act.TAKE_OVER:
        if admitted(manager, member, Role.ADMIN):
            chat_id = query.message.chat.id if query.message else member.user_id
            outcome = scheduling.take_over(
                pressed.schedule_id, **mine, chat_id=chat_id, locale=locale_of(manager)
            )
            answer(manager, outcome, taken_over_note(number))
    elif pressed.action is Act.MOVE and await still_pending(manager, pressed, member):
        await open_reschedule(query, manager, pressed)
        manager.show_mode = ShowMode.NO_UPDATE  # the list stays as it is until the move


def asked_about(manager: DialogManager, pressed: ScheduleAction) -> bool:
    """Whether the list asks its Send now question about the pressed send right now."""
    asking = manager.dialog_data.get(ASKING)
    return bool(asking) and ScheduleAction.unpack(asking).schedule_id == pressed.schedule_id


async def withdraw_send_now(manager: DialogManager, user_id: int) -> bool:
    """/cancel: the Send now question open on the person's list goes, and the list shows again;
    False when no question was open."""
    storage, stack_id = manager.middleware_data.get(STORAGE_KEY), list_stack(user_id)
    if storage is None:  # written as a reply to another member's card: no stacks of theirs read
        return False
    stack = await storage.load_stack(stack_id)
    if stack.empty():
        return False
    context = await storage.load_context(stack.last_intent_id())
    if not context.dialog_data.get(ASKING):
        return False
    await manager.bg(stack_id=stack_id).update({ASKING: None}, show_mode=ShowMode.EDIT)
    return True


def admitted(manager: DialogManager, member: Member, needed: Role) -> bool:
    """Whether the member's role allows the press; if not, the alert says which role it needs."""
    if member.role.allows(needed):
        return True
    alert_press(manager, role_refusal(needed, member.role))
    return False


async def still_pending(manager: DialogManager, pressed: ScheduleAction, member: Member) -> bool:
    """Whether the pressed schedule can still be acted on; if not, an alert says why."""
    found = scheduling_of(manager).pending(
        pressed.schedule_id, actor_id=member.user_id, role=member.role
    )
    if isinstance(found, Outcome):
        alert_press(manager, outcome_text(found))
        manager.show_mode = ShowMode.EDIT  # the list shows it no longer waits
        return False
    return True


async def open_reschedule(
    query: CallbackQuery, manager: DialogManager, pressed: ScheduleAction
) -> None:
    """A Reschedule card of its own, in the chat's stack, where a typed time reaches it; the
    conversation open there ends and its card loses its buttons."""
    await manager.bg(stack_id=DEFAULT_STACK_ID).start(
        Reschedule.when,
        data=opening(pressed.schedule_id, pressed.stamp, manager.current_stack().id),
        mode=StartMode.RESET_STACK,
        show_mode=ShowMode.SEND,
    )


# ---------------------------------------------------------------- the notices' buttons


async def missed_answered(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    bot: Bot,
    member: Member,
    scheduling: SchedulingService,
    callback_answer: CallbackAnswer,
) -> None:
    """A missed send: Send now or Discard, only once; the question shows the answer."""
    schedule_id, send = callback_data.schedule_id, callback_data.action is Act.SEND_MISSED
    outcome = scheduling.resolve_missed(
        schedule_id, send=send, actor_id=member.user_id, role=member.role
    )
    note = missed_note(scheduling.number_of(schedule_id), send)
    if outcome is Outcome.AT_NEXT_START:
        note, outcome = outcome_text(outcome), Outcome.DONE
    question = query.message
    if outcome is not Outcome.DONE:
        alert(callback_answer, outcome_text(outcome))
        if outcome is Outcome.GONE and isinstance(question, Message):
            await remove_buttons(bot, question.chat.id, question.message_id)
    elif isinstance(question, Message):
        tell(callback_answer, note)
        await edit_pressed(query, f"{question.html_text}\n\n{note}", None)


async def paused_card_pressed(
    query: CallbackQuery,
    callback_data: ScheduleAction,
    member: Member,
    scheduling: SchedulingService,
    i18n: I18n,
    callback_answer: CallbackAnswer,
) -> None:
    """Take over or Cancel on the admins' card about a member who lost access; the card keeps
    the buttons of the other sends it lists."""
    schedule_id, number = callback_data.schedule_id, scheduling.number_of(callback_data.schedule_id)
    if callback_data.action is Act.TAKE_OVER:
        chat_id = query.message.chat.id if query.message else query.from_user.id
        outcome = scheduling.take_over(
            schedule_id,
            actor_id=member.user_id,
            role=member.role,
            chat_id=chat_id,
            locale=i18n.current_locale,
        )
        note = taken_over_note(number)
    else:
        outcome = scheduling.cancel(schedule_id, actor_id=member.user_id, role=member.role)
        note = cancelled_note(number)
    if outcome is Outcome.DONE:
        tell(callback_answer, note)
    else:
        alert(callback_answer, outcome_text(outcome))
    card = query.message
    if isinstance(card, Message):
        text = card.html_text + (f"\n\n{note}" if outcome is Outcome.DONE else "")
        await edit_pressed(query, text, without_buttons_of(card.reply_markup, schedule_id))


def build_dialog() -> AnsweredCardDialog:
    """A fresh /scheduled dialog, so each Dispatcher gets its own."""
    window = Window(
        Format("{text}"), CardKeyboard(list_pressed), state=ScheduledList.shown, getter=list_shown
    )
    return AnsweredCardDialog(window, role=OPERATOR)


def build_router() -> Router:
    """A fresh router with /scheduled and the notices' buttons, so each Dispatcher gets its own."""
    router = Router(name="scheduled")
    router.include_routers(build_dialog(), reschedule.build_dialog())
    router.message.register(scheduled_list, Command("scheduled"), flags=for_command(OPERATOR))
    router.callback_query.register(
        paused_card_pressed,
        ScheduleAction.filter(
            (F.origin == Origin.PAUSED) & F.action.in_({Act.TAKE_OVER, Act.CANCEL})
        ),
        flags=ADMIN,
    )
    router.callback_query.register(
        missed_answered,
        ScheduleAction.filter(
            (F.origin == Origin.QUESTION) & F.action.in_({Act.SEND_MISSED, Act.DISCARD})
        ),
        flags=OPERATOR,
    )
    return router
