"""What people do in the emulated Telegram: write, upload, press buttons; and what happens to
their chats (migrations to supergroups, kicks, titles). Each action becomes an update the bot
receives by long polling."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.demo.telegram_html import (
    flat_buttons,
    utf16_len,
)
from bot.demo.telegram_records import _without_content

_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


def _user(user_id: int, first_name: str, username: str | None, language_code: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": first_name}
    return user | {"language_code": language_code} | ({"username": username} if username else {})


class People:
    """The actions of people, mixed into `FakeTelegram`."""

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Every later call to old_id fails with the supergroup-upgrade error."""
        self.chat_migrations[old_id] = new_id

    def kick_from(self, chat_id: int) -> None:
        """Every later call to chat_id fails with 403."""
        self.kicked.add(chat_id)

    def name_chat(self, chat_id: int, title: str) -> None:
        """Give a group its title, as its creator did."""
        self._chats[chat_id] = self._chat_object(chat_id) | {"title": title}

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "en",
        first_name: str = "User",
        username: str | None = None,
        thread_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from a user; a leading /command gets its bot_command entity.
        With `thread_id` it is written in that topic of a forum supergroup; with `reply_to` it
        answers that message (as a client does under a ForceReply)."""
        sender = _user(user_id, first_name, username, language_code)
        message = self._user_message(sender, chat_id, chat_type) | {"text": text}
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if thread_id is not None:
            message["chat"]["is_forum"] = True
            message |= {"message_thread_id": thread_id, "is_topic_message": True}
        if command := _COMMAND_RE.match(text):
            length = utf16_len(command.group())
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._queue_message(message)

    def send_document(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        chat_id: int | None = None,
        language_code: str = "en",
        first_name: str = "User",
    ) -> dict[str, Any]:
        """Queue a document from a user; getFile and the file URL return `content`."""
        stored = self._store_file(content, "documents", filename, mime_type)
        message = self._user_message(_user(user_id, first_name, None, language_code), chat_id)
        message["document"] = stored.describe() | {
            "file_name": filename,
            "mime_type": stored.mime_type,
        }
        return self._queue_message(message | ({"caption": caption} if caption else {}))

    def send_photo(
        self,
        user_id: int,
        content: bytes,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        language_code: str = "en",
        first_name: str = "User",
    ) -> dict[str, Any]:
        """Queue a photo from a user (a thumbnail and a full size, both retrievable)."""
        message = self._user_message(_user(user_id, first_name, None, language_code), chat_id)
        message["photo"] = [
            self._store_file(content, "photos", "photo.jpg").describe() | {"width": w, "height": w}
            for w in (90, 1280)
        ]
        return self._queue_message(message | ({"caption": caption} if caption else {}))

    def press(
        self,
        user_id: int,
        message: dict[str, Any],
        data: str,
        *,
        language_code: str = "en",
        strict: bool = False,
        first_name: str = "User",
    ) -> str:
        """Queue a press on a bot message; returns the callback query id.

        Any data may be sent, as a forged client would; with strict=True the message must still
        exist and show a button with this data, as it must for a real Telegram client.
        """
        key = (message["chat"]["id"], message["message_id"])
        current = self._messages.get(key)
        if current is None and strict:
            raise AssertionError(f"message {key} does not exist (deleted?)")
        current = current or _without_content(message)
        if strict and data not in [button.get("callback_data") for button in flat_buttons(current)]:
            raise AssertionError(f"no button with data {data!r}; buttons: {self.buttons(current)}")
        query_id = str(next(self._callback_ids))
        self._callbacks.add(query_id)
        query = {"id": query_id, "from": _user(user_id, first_name, None, language_code)}
        query |= {"message": current, "chat_instance": str(key[0]), "data": data}
        self._queue("callback_query", query)
        return query_id

    def _queue(self, kind: str, payload: dict[str, Any]) -> None:
        self._updates.append({"update_id": next(self._update_ids), kind: payload})
        self._notify()

    def _queue_message(self, message: dict[str, Any]) -> dict[str, Any]:
        self._queue("message", self._store(message))
        return message

    def _user_message(
        self, sender: dict[str, Any], chat_id: int | None, chat_type: str = "private"
    ) -> dict[str, Any]:
        chat_id = sender["id"] if chat_id is None else chat_id
        if chat_id not in self._chats:
            chat = self._chat_object(chat_id)
            if chat_type != "private" and chat_id < 0:
                chat["type"] = chat_type
            self._chats[chat_id] = chat | (
                {"first_name": sender["first_name"]} if chat_id > 0 else {}
            )
        return self._new_message(chat_id, sender)

    def _new_message(self, chat_id: int, sender: dict[str, Any]) -> dict[str, Any]:
        message_id = self._last_message_ids.get(chat_id, 0) + 1
        self._last_message_ids[chat_id] = message_id
        chat = self._chat_object(chat_id)
        return {"message_id": message_id, "from": sender, "date": int(time.time()), "chat": chat}
