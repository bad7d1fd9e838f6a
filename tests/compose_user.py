"""A person composing a message through the fake Telegram: types, uploads, presses, reads the card."""

from __future__ import annotations

from typing import Any

from aiogram_dialog.utils import CB_SEP

from tests.conftest import ADMIN, OPERATOR
from tests.fakes.telegram import FakeTelegram


async def make_operator(telegram: FakeTelegram, user_id: int = OPERATOR) -> None:
    telegram.send_text(ADMIN, f"/allow {user_id} operator")
    await telegram.wait_message(ADMIN, contains=f"{user_id} is now")


def send_sticker(telegram: FakeTelegram, user_id: int) -> None:
    """The fake has no sticker method; a sticker is a message with a `sticker` object."""
    sender = {"id": user_id, "is_bot": False, "first_name": "User", "language_code": "en"}
    message = telegram._user_message(sender, None)
    sticker = {"file_id": "CAACAgIAAxkBAAIBsticker", "file_unique_id": "AgADsticker"}
    sticker |= {"type": "regular", "width": 512, "height": 512, "is_animated": False}
    telegram._queue_message(message | {"sticker": sticker | {"is_video": False}})


class Composer:
    """Drives the composing card of one user; every action waits for the card to change."""

    def __init__(
        self, telegram: FakeTelegram, user_id: int = OPERATOR, language_code: str = "en"
    ) -> None:
        """`language_code` is the language of the person's Telegram client."""
        self.telegram = telegram
        self.user_id = user_id
        self.language = language_code
        self.card_id = 0

    # -- reading ------------------------------------------------------------------------------

    @property
    def card(self) -> dict[str, Any]:
        """The card as it is now."""
        card = self.telegram.message(self.user_id, self.card_id)
        if card is None:
            raise AssertionError(f"card {self.card_id} is gone")
        return card

    @property
    def text(self) -> str:
        return self.card.get("text", "")

    def buttons(self) -> list[str]:
        return [label for label, _ in self.telegram.buttons(self.card)]

    def carried(self, data: str) -> str:
        """The data a button of this card would carry for a `ComposeAction`/`ComposePick` packed
        as `data` (inside the data of the card's dialog), as a forged or old client's press."""
        _label, shown = self.telegram.buttons(self.card)[0]
        dialog, _separator, _button = shown.partition(CB_SEP)
        return f"{dialog}{CB_SEP}card:{data}"

    def _touches(self) -> int:
        """Calls that edit the card or may replace it with a new one."""
        return sum(
            1
            for call in self.telegram.requests
            if (call.method == "editMessageText" and call.params.get("message_id") == self.card_id)
            or (call.method == "sendMessage" and call.params.get("chat_id") == self.user_id)
        )

    async def _changed(self, before: int, expect: str) -> dict[str, Any]:
        def ready() -> dict[str, Any] | None:
            if self._touches() <= before:
                return None
            # A card that could not be edited is sent again: follow it.
            latest = self.telegram.last(self.user_id)
            if latest and latest["message_id"] > self.card_id and latest.get("reply_markup"):
                self.card_id = latest["message_id"]
            card = self.card
            return card if expect in card.get("text", "") else None

        return await self.telegram.wait_for(ready)

    # -- acting -------------------------------------------------------------------------------

    async def start(self, command: str = "/new", expect: str = "New message") -> dict[str, Any]:
        """Send a command that opens a new card."""
        newest = self.telegram.last(self.user_id)
        after = newest["message_id"] if newest else 0
        self.telegram.send_text(self.user_id, command, language_code=self.language)
        card = await self.telegram.wait_message(self.user_id, contains=expect, after=after)
        self.card_id = card["message_id"]
        return card

    async def press(self, label: str, expect: str = "") -> dict[str, Any]:
        """Press the card's button whose label contains `label`."""
        before = self._touches()
        data = self.telegram.find_button(self.card, label)
        self.telegram.press(self.user_id, self.card, data, strict=True, language_code=self.language)
        return await self._changed(before, expect)

    async def say(self, text: str, expect: str = "") -> dict[str, Any]:
        before = self._touches()
        self.telegram.send_text(self.user_id, text, language_code=self.language)
        return await self._changed(before, expect)

    async def upload(self, filename: str, content: bytes, expect: str = "") -> dict[str, Any]:
        before = self._touches()
        self.telegram.send_document(self.user_id, filename, content, language_code=self.language)
        return await self._changed(before, expect)

    async def photo(self, content: bytes, expect: str = "") -> dict[str, Any]:
        before = self._touches()
        self.telegram.send_photo(self.user_id, content, language_code=self.language)
        return await self._changed(before, expect)

    async def sticker(self, expect: str = "") -> dict[str, Any]:
        before = self._touches()
        send_sticker(self.telegram, self.user_id)
        return await self._changed(before, expect)


async def new_message(telegram, chat_id: int, contains: str, after: int) -> dict[str, Any]:
    """The first message sent (not one edited) after message `after` that says `contains`."""
    return await telegram.wait_for(
        lambda: next(
            (
                message
                for message in telegram.chat(chat_id)
                if message["message_id"] > after and contains in message.get("text", "")
            ),
            None,
        )
    )
