"""How button presses are answered: once, by the dispatcher's middleware after the handler, with
what the handler put in its `callback_answer`; and how a question a press decided is closed."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer, CallbackAnswerMiddleware

from bot.texts import shorten

log = logging.getLogger(__name__)

ALERT_CHARS = 200  # Telegram's limit for a press's answer


class AnswerPresses(CallbackAnswerMiddleware):
    """Answers every button press once its handler is done, with the `callback_answer` it was given.

    A handler that raises leaves the press unanswered, so the error handler can answer it with
    what went wrong (a press takes one answer only)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        async def run(event: TelegramObject, data: dict[str, Any]) -> Any:
            try:
                return await handler(event, data)
            except Exception:
                answer = data.get("callback_answer")
                if answer is not None and not answer.answered:
                    answer.disable()
                raise

        return await super().__call__(run, event, data)


def tell(answer: CallbackAnswer, text: str, *, as_alert: bool = False) -> None:
    """The press is answered with `text`: a passing note, or a box the person closes."""
    answer.text, answer.show_alert = shorten(text, ALERT_CHARS), as_alert


def alert(answer: CallbackAnswer, text: str) -> None:
    """The press is answered with `text` in a box the person closes."""
    tell(answer, text, as_alert=True)


async def answer_now(query: CallbackQuery, answer: CallbackAnswer, text: str) -> None:
    """Answers the press at once, before long work, so the spinner gives way to `text` now."""
    answer.disable()
    await query.answer(text)


async def settle(query: CallbackQuery, note: str | None) -> None:
    """The question a press answered loses its buttons, with what was decided (if given) under it."""
    message = query.message
    if not isinstance(message, Message):
        return
    try:
        if note:
            await message.edit_text(f"{message.html_text}\n\n{note}", reply_markup=None)
        else:
            await message.edit_reply_markup(reply_markup=None)
    except TelegramAPIError as error:  # deleted meanwhile, or too old to edit
        log.info("could not settle the question in chat %s: %s", message.chat.id, error.message)
