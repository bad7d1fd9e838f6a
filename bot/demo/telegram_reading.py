"""Reading what the bot showed in the emulated Telegram, and waiting for it without sleeps."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from bot.demo.telegram_html import (
    flat_buttons,
)
from bot.demo.telegram_records import Call, StoredFile

T = TypeVar("T")
# How long a wait may take before it fails. Waits return as soon as the awaited thing happens,
# so this only matters on a machine busy with other work, where a reply can take many seconds.
WAIT = 30.0


class Reading:
    """What a person (or a test) sees, mixed into `FakeTelegram`."""

    @property
    def errors(self) -> list[Call]:
        """Failed calls, scripted ones included (marked scripted=True)."""
        return [call for call in self.requests if call.ok is False]

    def calls(self, method: str) -> list[Call]:
        return [call for call in self.requests if call.method.lower() == method.lower()]

    def chat(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of every bot message in the chat, oldest first; files carry `content`."""
        return [self._snapshot(stored) for stored in self._bot_messages(chat_id)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """Current state of one bot message, as `chat` shows it; None if there is none."""
        stored = self._messages.get((chat_id, message_id))
        if stored is None or stored["from"]["id"] != self.bot_id:
            return None
        return self._snapshot(stored)

    def _bot_messages(self, chat_id: int) -> Iterator[dict[str, Any]]:
        """The stored bot messages of a chat, oldest first: read them, never hand them out."""
        for (message_chat, _), stored in self._messages.items():
            if message_chat == chat_id and stored["from"]["id"] == self.bot_id:
                yield stored

    def _snapshot(self, stored: dict[str, Any]) -> dict[str, Any]:
        """A copy the reader may keep or change; waits read the stored messages and copy only
        what they return, as they look again after every call."""
        message = _copied(stored)
        for part in [message.get("document"), *message.get("photo", [])]:
            if part:
                part["content"] = self._files[part["file_id"]].content
        return message

    def transcript(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message in the chat, the people's and the bot's, oldest first, without file bytes."""
        return [
            _copied(message)
            for (message_chat, _), message in sorted(self._messages.items())
            if message_chat == chat_id
        ]

    def file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def last(self, chat_id: int) -> dict[str, Any] | None:
        stored = list(self._bot_messages(chat_id))
        return self._snapshot(stored[-1]) if stored else None

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
        """(text, callback_data or url) for every inline button, row by row."""
        return [
            (button["text"], button.get("callback_data") or button.get("url") or "")
            for button in flat_buttons(message)
        ]

    def find_button(self, message: dict[str, Any], text_substring: str) -> str:
        """callback_data of the first button whose text contains text_substring."""
        for button in flat_buttons(message):
            if text_substring in button["text"] and "callback_data" in button:
                return button["callback_data"]
        raise AssertionError(f"no button containing {text_substring!r}: {self.buttons(message)}")

    async def wait_for(self, predicate: Callable[[], T], timeout: float = WAIT) -> T:
        """Re-evaluate predicate after every recorded call; return its first truthy value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (value := predicate()):
            if loop.time() >= deadline:
                raise AssertionError(f"condition not met within {timeout}s\n{self.dump()}")
            await self._wait_change(deadline - loop.time())
        return value

    async def wait_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        after: int = 0,
        timeout: float = WAIT,
    ) -> dict[str, Any]:
        """First bot message with message_id > after (or edited) whose text/caption contains."""

        def find() -> dict[str, Any] | None:
            for stored in self._bot_messages(chat_id):
                body = stored.get("text") or stored.get("caption") or ""
                fresh = stored["message_id"] > after or "edit_date" in stored
                if fresh and (contains is None or contains in body):
                    return self._snapshot(stored)
            return None

        return await self.wait_for(find, timeout)

    async def wait_answer(self, callback_id: str, timeout: float = WAIT) -> dict[str, Any]:
        """The answerCallbackQuery parameters for this callback query, once answered."""
        return await self.wait_for(lambda: self.answers.get(callback_id), timeout)

    def dump(self, count: int = 10) -> str:
        """The last calls (long polls left out), for assertion messages."""
        calls = [call for call in self.requests if call.method.lower() != "getupdates"][-count:]
        lines = [
            f"  {call.method} {'ok' if call.ok else call.description} {str(call.params)[:300]}"
            for call in calls
        ]
        return "last calls:\n" + ("\n".join(lines) or "  (none)")


def _copied(value: T) -> T:
    """A deep copy of a message as the Bot API gives it: dicts and lists of plain values.

    Several times cheaper than `copy.deepcopy`, which waits pay for after every call.
    """
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [_copied(item) for item in value]  # type: ignore[return-value]
    return value
