"""The Bot API methods the emulator implements, with Telegram's checks where bugs hide: HTML
entities, lengths, "not modified" edits, messages that can no longer be edited."""

from __future__ import annotations

import mimetypes
import re
import time
from typing import Any

from bot.demo.telegram_html import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    formatted,
    inline_markup,
)
from bot.demo.telegram_records import NOT_MODIFIED, ApiError, StoredFile


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields Telegram includes in a message: empty ones are left out."""
    return {key: value for key, value in fields.items() if value}


def _topic(params: dict[str, Any]) -> dict[str, Any]:
    """A message sent to a forum topic says so, as Telegram's own messages do."""
    thread = params.get("message_thread_id")
    return {"message_thread_id": thread, "is_topic_message": True} if thread else {}


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    scope_key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
    return scope_key, str(params.get("language_code") or "")


class Methods:
    """Bot API methods, mixed into `FakeTelegram`."""

    def _store_file(
        self, content: bytes, folder: str, file_name: str | None, mime_type: str | None = None
    ) -> StoredFile:
        number = next(self._file_numbers)
        suffix = "." + file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else ""
        guessed = mimetypes.guess_type(file_name or "")[0]
        stored = StoredFile(
            f"BQACAgIAAxkBAAI{number:06d}",
            f"AgAD{number:06d}",
            f"{folder}/file_{number}{suffix}",
            content,
            file_name,
            mime_type or guessed or "application/octet-stream",
        )
        self._files[stored.file_id] = stored
        return stored

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return stored.describe() | {"file_path": stored.file_path}

    def _upload(self, params: dict[str, Any], kind: str) -> StoredFile:
        """The file a send method refers to: an upload, attach://name, or a known file_id."""
        value = params.get(kind)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, dict) and "content" in value:
            return self._store_file(value["content"], kind + "s", value["filename"])
        if value is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        if str(value) not in self._files:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return self._files[str(value)]

    def _chat_id(self, params: dict[str, Any]) -> int:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text, entities = formatted(params, "text", MESSAGE_LIMIT)
        content = {"text": text, "entities": entities, "reply_markup": inline_markup(params)}
        content |= _topic(params)
        return self._store(self._new_message(chat_id, self.bot_user) | _present(content))

    def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        caption, entities = formatted(params, "caption", CAPTION_LIMIT)
        markup, stored = inline_markup(params), self._upload(params, kind)
        if kind == "document":
            names = {"file_name": stored.file_name or "document", "mime_type": stored.mime_type}
            content: dict[str, Any] = {"document": stored.describe() | names}
        else:
            content = {"photo": [stored.describe() | {"width": 1280, "height": 1280}]}
        content |= {"caption": caption, "caption_entities": entities, "reply_markup": markup}
        content |= _topic(params)
        return self._store(self._new_message(chat_id, self.bot_user) | _present(content))

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not supported by the fake")
        message = self._messages.get((self._chat_id(params), params.get("message_id")))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _edit_text(self, params: dict[str, Any]) -> dict[str, Any]:
        old = self._editable(params)
        if "text" not in old:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = formatted(params, "text", MESSAGE_LIMIT)
        return self._apply_edit(old, {"text": text, "entities": entities}, params)

    def _edit_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._apply_edit(self._editable(params), {}, params)

    def _apply_edit(
        self, old: dict[str, Any], changes: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, Any]:
        """Replace the stored message; an edit without reply_markup removes the keyboard."""
        unchanged = {key: value for key, value in old.items() if key != "edit_date"}
        replaced = changes | {"reply_markup": inline_markup(params)}
        new = {key: value for key, value in unchanged.items() if key not in replaced}
        new |= _present(replaced)
        if new == unchanged:
            raise ApiError(400, NOT_MODIFIED)
        return self._store(new | {"edit_date": int(time.time())})

    def _delete_message(self, params: dict[str, Any]) -> bool:
        chat_id, message_id = self._chat_id(params), params.get("message_id")
        if self._messages.pop((chat_id, message_id), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._tell("deleted", chat_id, message_id)
        return True

    def _answer_callback(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._callbacks or query_id in self.answers:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self.answers[query_id] = params
        self._tell("answer", params)
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params.get("url") or "", "secret_token": params.get("secret_token")}
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info = {"url": self.webhook["url"], "has_custom_certificate": False}
        return info | {"pending_update_count": len(self._updates)}

    def _set_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        if any(not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command"))) for c in commands):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.my_commands[_commands_key(params)] = commands
        return True
