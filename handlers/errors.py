"""The last resort when a handler fails: the person hears of it with a reference the log keeps."""

from __future__ import annotations

import logging
import secrets
from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import gettext as _

from bot.telegram.dialog_kit import OLD_CARD, answer_old_card

log = logging.getLogger(__name__)


async def handler_failed(event: ErrorEvent) -> None:
    """Log the failure under a short reference and tell the person, quoting it."""
    ref = secrets.token_hex(3)  # what a person can read out to whoever looks into the log
    log.error("update %s failed (ref %s)", event.update.update_id, ref, exc_info=event.exception)
    text = _("Something went wrong with that (ref {ref}). Try again, or /cancel to start over.")
    text = text.format(ref=ref)
    with suppress(TelegramAPIError, OSError, TimeoutError):  # Telegram itself may be the problem
        if event.update.callback_query is not None:
            await event.update.callback_query.answer(text, show_alert=True)
        elif event.update.message is not None:
            await event.update.message.answer(text)


def build_router() -> Router:
    """A fresh router whose error handler catches what any handler lets escape."""
    router = Router(name="errors")
    router.errors.register(answer_old_card, OLD_CARD)  # a press on a dialog's old card
    router.errors.register(handler_failed)
    return router
