"""A card drawn again just as it was: a visible word why nothing moved (never silence), and no
edit of the card, which Telegram would refuse as not modified."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode
from aiogram_dialog.api.entities import NewMessage

from bot.telegram.dialog_kit import CardDialog, press_answer
from bot.telegram.presses import alert

SHOWN = "card_shown"  # dialog data: a fingerprint of what the card shows now


def fingerprint(drawn: NewMessage) -> str:
    markup = drawn.reply_markup
    keyboard = markup.model_dump_json() if markup is not None else ""
    return hashlib.sha1(f"{drawn.text}\x00{keyboard}".encode(), usedforsecurity=False).hexdigest()


def nothing_to_say() -> str | None:
    return None


async def tell_unchanged(
    manager: DialogManager, drawn: NewMessage, why: Callable[[], str | None] = nothing_to_say
) -> None:
    """The card is drawn for a press or a message: when it shows what it showed before, it is
    left as it is and the person is told why nothing moved, in the press's answer or a reply
    (`why` gives the reason, if there is one)."""
    data = manager.current_context().dialog_data
    shown, data[SHOWN] = data.get(SHOWN), fingerprint(drawn)
    event = manager.event
    if shown != data[SHOWN] or not isinstance(event, CallbackQuery | Message):
        return
    if manager.show_mode is ShowMode.EDIT or (
        manager.show_mode is ShowMode.AUTO and isinstance(event, CallbackQuery)
    ):
        manager.show_mode = ShowMode.NO_UPDATE  # the same card in the same place
    reason = why()
    if reason is not None:
        text = _("The card stays as it is: {reason}").format(reason=reason)
    else:
        text = _("Nothing changed: the card already shows this.")
    answer = press_answer(manager)
    if isinstance(event, Message):
        await event.answer(html.escape(text))
    elif answer is not None and not (answer.answered or answer.disabled or answer.text):
        alert(answer, text)  # unless the press is answered already with why


class AnsweredCardDialog(CardDialog):
    """A card dialog whose redraw that changes nothing is answered rather than sent."""

    async def process_result(self, start_data: Any, result: Any, manager: DialogManager) -> None:
        """Back from a dialog started on top of this one, which drew on the same card: what
        this dialog last drew there is no longer what the card shows."""
        manager.current_context().dialog_data.pop(SHOWN, None)
        await super().process_result(start_data, result, manager)

    async def render(self, manager: DialogManager) -> NewMessage:
        drawn = await super().render(manager)
        await tell_unchanged(manager, drawn)
        return drawn
