"""The dialog machinery every conversation with a card uses: one message edited in place.

What it gives:

- `Wizard`: a conversation's card, kept under the FSM key `CARD` and edited in place at every
  step. When the card cannot be edited (deleted, too old) a new one is sent and the old one
  loses its buttons. A redraw that changes nothing still gets a visible answer: the press's
  alert or a reply says why the card stayed as it was.
- `WizardMiddleware`: hands a router's handlers their conversation as the `wizard` parameter.
- `OnCurrentCard`: lets through only presses on the conversation's current card, so a button
  on an old card cannot act on today's conversation.
- `remove_buttons`, `close_card`: a card that is no longer current keeps its text and loses
  its buttons; `close_card` is how one conversation ends another's card without knowing where
  that card is kept.
- `download`, `download_recipient_file`: files sent to the bot, refused by name and declared
  size before anything is downloaded.
- `edit_pressed`: redraw the message a button was pressed on. Presses are answered once their
  handler is done (bot/telegram/presses.py), so a handler only says what the answer reads.

Conversations are moving onto aiogram-dialog (bot/telegram/dialog_kit.py holds what those
share); what is here serves the ones not moved yet and goes when they have.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Document, InlineKeyboardMarkup, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.compose.inputs import check_file_size, file_problem
from bot.compose.recipient_files import RecipientFileError, file_format
from bot.compose.rules import Problem, Reason
from bot.telegram.dialog_kit import NOT_COMMAND  # noqa: F401  (the composer takes it from here)
from bot.telegram.presses import alert

log = logging.getLogger(__name__)

CARD = "card_message_id"  # FSM data key: the message id of the conversation's card


class Wizard:
    """One person's conversation drawn on one card, its data in the FSM storage."""

    def __init__(self, chat_id: int, bot: Bot, state: FSMContext) -> None:
        self.chat_id, self.bot, self.state = chat_id, bot, state
        # What the person did, so a redraw that changes nothing still gets a visible answer.
        self.event: Message | CallbackQuery | None = None
        self.callback_answer: CallbackAnswer | None = None
        self.unchanged = False
        self.note = ""  # said once at the top of the next card drawn

    async def card_id(self) -> int | None:
        """The message id of the conversation's card, if it has one."""
        return current_card(await self.state.get_data())

    def why_unchanged(self) -> str | None:
        """The reason, in plain text, why a redraw asked the same question again (if it did)."""
        return None

    async def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Edit the card in place; when it cannot be edited (deleted, too old), send a new one."""
        if self.note:
            text, self.note = f"{self.note}\n\n{text}", ""
        card_id = (await self.state.get_data()).get(CARD)
        if card_id:
            try:
                edited = await self.bot.edit_message_text(
                    text=text, chat_id=self.chat_id, message_id=card_id, reply_markup=markup
                )
                # An edited chat message comes back as the message; the pacing layer answers
                # "message is not modified" with a bare True.
                self.unchanged = edited is True
                return
            except TelegramBadRequest as error:
                log.info("the card could not be edited (%s); sending a new one", error.message)
                await remove_buttons(self.bot, self.chat_id, card_id)
        sent = await self.bot.send_message(self.chat_id, text, reply_markup=markup)
        await self.state.update_data({CARD: sent.message_id})

    async def tell_unchanged(self) -> None:
        """The card already showed this: say why nothing moved, in the press's alert or a reply."""
        if not self.unchanged:
            return
        self.unchanged = False
        reason = self.why_unchanged()
        if reason is not None:
            text = _("The card stays as it is: {reason}").format(reason=reason)
        else:
            text = _("Nothing changed: the card already shows this.")
        answer = self.callback_answer
        if isinstance(self.event, CallbackQuery) and answer is not None:
            if not answer.answered and not answer.disabled and answer.text is None:
                alert(answer, text)
        elif isinstance(self.event, Message):
            await self.event.answer(html.escape(text))

    async def open(
        self, text: str, markup: InlineKeyboardMarkup | None = None, **data: Any
    ) -> None:
        """Start a conversation on a new card, with `data` as its FSM data.

        The card of a conversation open before loses its buttons."""
        await close_card(self.state, self.bot, self.chat_id)
        card = await self.bot.send_message(self.chat_id, text, reply_markup=markup)
        await self.state.set_data({CARD: card.message_id, **data})

    async def close_previous(self, card_id: int, text: str) -> None:
        """An old card says why it is no longer in use, without buttons."""
        try:
            await self.bot.edit_message_text(text, chat_id=self.chat_id, message_id=card_id)
        except TelegramAPIError as error:
            log.info("the old card could not be closed: %s", error.message)
            await remove_buttons(self.bot, self.chat_id, card_id)


class WizardMiddleware(BaseMiddleware):
    """Hands a router's handlers their conversation as the `wizard` parameter.

    `make(chat_id, data)` builds the conversation from the handler data (bot, state, services);
    after the handler, a redraw that changed nothing is answered."""

    def __init__(self, make: Callable[[int, dict[str, Any]], Wizard]) -> None:
        self.make = make

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat = data.get("event_chat")
        if chat is None:
            return await handler(event, data)
        wizard = data["wizard"] = self.make(chat.id, data)
        if isinstance(event, Message | CallbackQuery):
            wizard.event = event
        wizard.callback_answer = data.get("callback_answer")
        result = await handler(event, data)
        await wizard.tell_unchanged()
        return result


class OnCurrentCard(Filter):
    """True for a press on the conversation's current card, False for an old or foreign one."""

    async def __call__(self, query: CallbackQuery, state: FSMContext) -> bool:
        card_id = (await state.get_data()).get(CARD)
        return query.message is not None and query.message.message_id == card_id


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Best effort: a card that is no longer current keeps its text but loses its buttons."""
    with suppress(TelegramAPIError):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)


def current_card(data: dict[str, Any]) -> int | None:
    """The message id of the card of the conversation whose FSM data this is, if it has one."""
    card_id = data.get(CARD)
    return int(card_id) if card_id else None


async def close_card(state: FSMContext, bot: Bot, chat_id: int, text: str | None = None) -> bool:
    """End the buttons of the conversation's card, if it has one; with `text`, the card says so.

    Returns whether the card now shows `text` (False when there was no card, no text was given
    or the card could not be edited; its buttons are removed all the same)."""
    card_id = current_card(await state.get_data())
    if card_id is None:
        return False
    if text is not None:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=card_id)
            return True
        except TelegramAPIError as error:
            log.info("the card could not be closed (%s)", error.message)
    await remove_buttons(bot, chat_id, card_id)
    return False


async def download_recipient_file(bot: Bot, document: Document) -> bytes | Problem:
    """The file's bytes, refusing by name and declared size before anything is downloaded."""
    too_large = check_file_size(document.file_size)
    if too_large is not None:
        return too_large
    try:
        file_format(document.file_name or "")
    except RecipientFileError as error:
        return file_problem(error)
    return await download(bot, document)


async def download(bot: Bot, file: Any) -> bytes | Problem:
    """A file sent to the bot (through TELEGRAM_API_URL), or why it could not be had."""
    try:
        downloaded = await bot.download(file)
    except (TelegramAPIError, OSError, TimeoutError):
        log.warning("a file could not be downloaded", exc_info=True)
        return Problem(Reason.FILE_DOWNLOAD_FAILED)
    assert downloaded is not None
    return downloaded.read()


async def edit_pressed(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Redraw the message a button was pressed on, unless it already shows this."""
    shown = query.message
    if not isinstance(shown, Message):
        return
    if shown.html_text == text and shown.reply_markup == markup:
        return
    try:
        await shown.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:  # deleted meanwhile, or too old to edit
        log.info("the pressed message could not be redrawn: %s", error.message)
