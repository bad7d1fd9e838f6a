"""What every conversation on aiogram-dialog shares: texts in the person's language, role checks,
presses answered once, old cards answered, state kept in SQLite.

How a conversation is built on it:

- Texts: `Tr("msgid with {fields}")` renders the msgid in the person's language and formats it with
  the window's data (its getter's dict). It is an extraction keyword of the catalogue checks
  (tests/test_catalogs.py), so its msgids need entries in locales/{en,ru}. Values a getter hands
  to a text are HTML already: escape user-supplied strings there.
- Dialogs: `CardDialog(*windows, role=OPERATOR)` is aiogram-dialog's Dialog whose presses and
  messages pass the same role check as every handler (`RoleCheck` reads the flag). It takes only
  presses on its own buttons (other cards' buttons reach their handlers while it is open), and
  messages only while its window has a `MessageInput`, never a command: commands typed
  mid-conversation reach their own handlers. A handler module builds its dialog in a factory
  and includes it in its own router (a Router can have one parent, and tests build several
  Applications in one process).
- Starting one from a handler: its `dialog_manager` parameter (given to every handler) starts it,
  `await dialog_manager.start(SomeStates.first, mode=StartMode.RESET_STACK)`; the new card is sent,
  the card of the dialog it replaces loses its buttons.
- What a dialog reaches: getters are called with the middleware data as keyword arguments
  (`store`, `settings`, `member`, `i18n`, `scheduling`, `sender`...); button handlers read it with
  `store_of(manager)`, `member_of(manager)`, or `manager.middleware_data`.
- Presses: answered once, after the handler, by `AnswerPresses` (bot/telegram/presses.py), so the
  dialogs' own answer is turned off; a button handler says what the answer reads with
  `tell_press` / `alert_press`.
- Old cards: a press on a card whose dialog has ended or was replaced raises aiogram-dialog's
  UnknownIntent/OutdatedIntent before any handler; `answer_old_card` (registered on the errors
  router) answers it with "This card is no longer active." and takes that card's buttons away.
  A card is drawn before its dialog is stored, at the end of its update: a press on it that
  comes in between waits for that person's earlier updates (`UpdatesInFlight`) and is taken
  again, once;
  a message written as a reply to such a card is handled as if written on its own. A press on
  another member's card in a group reaches no dialog; the catch-all answers it with
  `not_your_card` and the card keeps its buttons for its owner.
- /cancel ends the open dialogs with `end_dialogs`, the card saying why.
- Tests: whole journeys go through the fakes over HTTP; one dialog's edge cases through
  tests/dialog_client.py (aiogram-dialog's BotClient on a Dispatcher wired as the program's).
- Restart: stacks and contexts are kept by aiogram-dialog in the FSM storage under keys of their
  own (`aiogd:stack:...`, `aiogd:context:...`), which is the SQLite file (fsm_storage.py), so an
  open card keeps working after a restart.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import replace
from typing import Any

from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import CallbackQuery, ErrorEvent, LinkPreviewOptions, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, setup_dialogs
from aiogram_dialog.api.entities import NewMessage
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent, UnknownState
from aiogram_dialog.api.internal import CONTEXT_KEY, WindowProtocol
from aiogram_dialog.api.protocols import MessageManagerProtocol, MessageNotModified
from aiogram_dialog.context.intent_middleware import FORBIDDEN_STACK_KEY
from aiogram_dialog.manager.message_manager import MessageManager
from aiogram_dialog.utils import CB_SEP
from aiogram_dialog.widgets.common import WhenCondition
from aiogram_dialog.widgets.text import Text

from bot.telegram.in_flight import UpdatesInFlight
from bot.telegram.messages import edit_card
from bot.telegram.presses import alert, tell
from storage.members import Member
from storage.store import Store

log = logging.getLogger(__name__)

NOT_COMMAND = ~F.text.startswith("/")  # commands pass through a step to their own handlers
# A dialog's own button: its data starts with the id of the dialog it was drawn for. Any other
# press (a campaign card's, a question's) goes on to its own handler even while a dialog is open.
DIALOG_BUTTON = F.data.contains(CB_SEP)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


# ---------------------------------------------------------------- texts


class Tr(Text):
    """A msgid in the person's language, formatted with the window's data."""

    def __init__(self, msgid: str, when: WhenCondition = None) -> None:
        super().__init__(when=when)
        self.msgid = msgid

    async def _render_text(self, data: dict[str, Any], manager: DialogManager) -> str:
        return _(self.msgid).format_map(data)


# ---------------------------------------------------------------- dialogs


class CardDialog(Dialog):
    """A dialog whose handlers carry a role flag, which takes only its own buttons' presses, and
    typed messages only while its window asks for one (a `MessageInput`), never a command."""

    def __init__(self, *windows: WindowProtocol, role: dict[str, str], **options: Any) -> None:
        self.role_flags = role
        super().__init__(*windows, **options)

    def _register_handlers(self) -> None:
        self.callback_query.register(self._callback_handler, DIALOG_BUTTON, flags=self.role_flags)
        self.message.register(
            self._message_handler, NOT_COMMAND, self._asks_for_input, flags=self.role_flags
        )

    def _asks_for_input(self, _message: Message, **data: Any) -> bool:
        context = data.get(CONTEXT_KEY)
        window = self.windows.get(context.state) if context is not None else None
        return getattr(window, "on_message", None) is not None


class CardMessages(MessageManager):
    """aiogram-dialog's drawing of cards, fitted to this bot.

    - Presses are answered once by `AnswerPresses`, with what the handler asked for.
    - Cards show no link previews, as every other message of the bot.
    - The pacing layer answers an edit that changes nothing with a bare True."""

    async def answer_callback(self, bot: Any, callback_query: CallbackQuery) -> None:
        return None

    async def send_text(self, bot: Any, new_message: NewMessage) -> Message:
        return await super().send_text(bot, _without_preview(new_message))

    async def edit_text(self, bot: Any, new_message: NewMessage, old_message: Any) -> Message:
        edited = await super().edit_text(bot, _without_preview(new_message), old_message)
        if edited is True:
            raise MessageNotModified("the card already shows this")
        return edited


def _without_preview(message: NewMessage) -> NewMessage:
    if message.link_preview_options is not None:
        return message
    return replace(message, link_preview_options=NO_PREVIEW)


def install(dispatcher: Dispatcher, message_manager: MessageManagerProtocol | None = None) -> None:
    """Run the dispatcher's dialogs (wherever its routers include them), once per Dispatcher.

    Called after the access middlewares, so a stranger's update never loads a dialog. Updates
    are isolated as the dispatcher isolates its FSM (not at all): a lock per person would hold
    every update of theirs, dialog or not, behind a slow one (a press during a long send)."""
    setup_dialogs(
        dispatcher,
        message_manager=message_manager or CardMessages(),
        events_isolation=dispatcher.fsm.events_isolation,
    )


# ---------------------------------------------------------------- what a dialog reaches


def store_of(manager: DialogManager) -> Store:
    return manager.middleware_data["store"]


def member_of(manager: DialogManager) -> Member:
    return manager.middleware_data["member"]


def press_answer(manager: DialogManager) -> CallbackAnswer | None:
    """How the press being handled will be answered (None when the update is not a press)."""
    return manager.middleware_data.get("callback_answer")


def tell_press(manager: DialogManager, text: str) -> None:
    """The press is answered with a passing note."""
    answer = press_answer(manager)
    if answer is not None:
        tell(answer, text)


def alert_press(manager: DialogManager, text: str) -> None:
    """The press is refused with `text`, in a box the person closes; the card stays as it is
    (a handler that redraws it all the same says so: `switch_to(..., show_mode=ShowMode.EDIT)`)."""
    answer = press_answer(manager)
    if answer is not None:
        alert(answer, text)
    manager.show_mode = ShowMode.NO_UPDATE


# ---------------------------------------------------------------- ending and old cards


def card_inactive() -> str:
    return _("This card is no longer active.")


def another_members_card(data: dict[str, Any]) -> bool:
    """Whether the press was on a card of someone else's conversation (in a group, where every
    member's cards are in one chat): aiogram-dialog leaves it to the handlers after the dialogs."""
    return bool(data.get(FORBIDDEN_STACK_KEY))


def not_your_card() -> str:
    return _("This card is another member's: send the command yourself to get your own.")


async def end_dialogs(manager: DialogManager, text: str | None = None) -> bool | None:
    """End every open dialog of this person here; with `text`, their card says so.

    None when no dialog was open; otherwise whether the card now shows `text` (it loses its
    buttons either way)."""
    if not manager.has_context():
        return None
    card_id = manager.current_stack().last_message_id
    shown = False
    if card_id and text is not None:
        chat_id = manager.middleware_data["event_chat"].id
        shown = await edit_card(manager.middleware_data["bot"], chat_id, card_id, text)
    await manager.reset_stack(remove_keyboard=not shown)
    return shown


async def answer_old_card(
    event: ErrorEvent,
    bot: Bot,
    dispatcher: Dispatcher,
    dialog_manager: DialogManager | None = None,
    updates_in_flight: UpdatesInFlight | None = None,
) -> None:
    """A press on a card whose dialog is over: say so, and the card loses its buttons. A press
    on a card drawn by an update of the same person still being handled, whose dialog is not
    stored yet, waits for that update and is taken again, once.

    A message written as a reply to such a card is taken as if written on its own (aiogram-dialog
    would send it to the card's dialog): a command reaches its handler, text the open
    conversation. So is a message whose stack named a dialog no longer stored. When a stored
    dialog names a state this program no longer has, that stack is dropped too."""
    log.info("a dialog update found no current dialog: %s", event.exception)
    if isinstance(event.exception, UnknownState) and dialog_manager is not None:
        with suppress(Exception):  # best effort: the stack is unreadable anyway
            await dialog_manager.reset_stack(remove_keyboard=False)
    update = event.update
    query = update.callback_query
    if (
        query is not None
        and updates_in_flight is not None
        and not isinstance(event.exception, UnknownState)
        and not _fed_again.get()
        and await updates_in_flight.earlier_handled(query.from_user.id, update.update_id)
    ):
        token = _fed_again.set(True)
        try:
            await dispatcher.feed_update(bot, update)
        finally:
            _fed_again.reset(token)
        return
    message = update.message
    if message is not None and not _fed_again.get():
        # A reply to an old card, or a message whose stack named a dialog no longer stored
        # (aiogram-dialog has just emptied that stack): it goes on as if written on its own.
        unreplied = message.model_copy(update={"reply_to_message": None})
        token = _fed_again.set(True)
        try:
            await dispatcher.feed_update(bot, update.model_copy(update={"message": unreplied}))
        finally:
            _fed_again.reset(token)
        return
    with suppress(TelegramAPIError, OSError, TimeoutError):
        if update.callback_query is not None:
            query = update.callback_query
            await query.answer(card_inactive(), show_alert=True)
            if isinstance(query.message, Message) and query.message.reply_markup is not None:
                await query.message.edit_reply_markup(reply_markup=None)
        elif message is not None:
            await message.answer(card_inactive())


# Set while an update is fed again, so one that fails the same way is answered, not fed forever.
_fed_again: ContextVar[bool] = ContextVar("fed_again", default=False)

OLD_CARD = ExceptionTypeFilter(UnknownIntent, OutdatedIntent, UnknownState)
