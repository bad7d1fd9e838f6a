"""A dialog keyboard made of the buttons a capability's cards.py draws.

The cards keep owning their texts, keyboards and CallbackData (one place for what a card says and
offers); a window shows the card's markup (`markup` in its data) through `CardKeyboard`, and a
press comes back with the button's own data, which the handler unpacks and checks as before.
A press is handled whatever the window shows now, so a button of an earlier view of the same card
(a question already answered) still gets its answer, from the check of what it asks for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram_dialog import DialogManager
from aiogram_dialog.api.protocols import DialogProtocol
from aiogram_dialog.widgets.kbd import Keyboard

OnPress = Callable[[CallbackQuery, str, DialogManager], Awaitable[None]]


class CardKeyboard(Keyboard):
    """The markup in the window's data, each button's data carried inside the dialog's own;
    a press hands that data to `on_press`."""

    def __init__(self, on_press: OnPress, id: str = "card") -> None:
        super().__init__(id=id)
        self.on_press = on_press

    async def _render_keyboard(
        self, data: dict[str, Any], manager: DialogManager
    ) -> list[list[InlineKeyboardButton]]:
        markup: InlineKeyboardMarkup | None = data.get("markup")
        if markup is None:
            return []
        return [[self._carried(button) for button in row] for row in markup.inline_keyboard]

    def _carried(self, button: InlineKeyboardButton) -> InlineKeyboardButton:
        if button.callback_data is None:  # a link: nothing comes back
            return button
        return button.model_copy(
            update={"callback_data": self._item_callback_data(button.callback_data)}
        )

    async def _process_item_callback(
        self, callback: CallbackQuery, data: str, dialog: DialogProtocol, manager: DialogManager
    ) -> bool:
        await self.on_press(callback, data, manager)
        return True
