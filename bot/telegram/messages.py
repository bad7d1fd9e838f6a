"""What is left beside the dialogs (bot/telegram/dialog_kit.py): taking the buttons off a
message, redrawing a pressed message that is not a dialog's card, and files sent to the bot.

- `remove_buttons`: a message keeps its text and loses its buttons.
- `edit_pressed`: redraw the message a button was pressed on. Presses are answered once their
  handler is done (bot/telegram/presses.py), so a handler only says what the answer reads.
- `download`, `download_recipient_file`: files sent to the bot, refused by name and declared
  size before anything is downloaded.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, Document, InlineKeyboardMarkup, Message

from bot.compose.inputs import check_file_size, file_problem
from bot.compose.recipient_files import RecipientFileError, file_format
from bot.compose.rules import Problem, Reason

log = logging.getLogger(__name__)


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Best effort: a card that is no longer current keeps its text but loses its buttons."""
    with suppress(TelegramAPIError):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)


async def edit_card(
    bot: Bot,
    chat_id: int,
    message_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> bool:
    """Best effort: the card shows `text`, and `markup` or no buttons; whether it could."""
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except TelegramAPIError as error:  # deleted meanwhile, or too old to edit
        log.info("a card could not be edited (%s)", error.message)
        return False
    return True


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
