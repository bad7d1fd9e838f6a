"""A Telegram Bot API emulator on 127.0.0.1 that the real bot talks to over HTTP.

The demo (`python -m bot demo`) and the tests both put it in place of Telegram. People act
through it (`send_text`, `send_document`, `press`) and read what the bot showed (`chat`, `last`,
`wait_message`). Telegram's checks where bugs hide are applied: HTML entities, lengths,
"not modified" edits, group rate limits (429 with retry_after), chat migrations and kicks.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from aiohttp import web

from bot.demo.telegram_html import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    ContentError,
    flat_buttons,
    formatted,
    inline_markup,
    utf16_len,
)

T = TypeVar("T")
# How long a wait may take before it fails. Waits return as soon as the awaited thing happens,
# so this only matters on a machine busy with other work, where a reply can take many seconds.
WAIT = 30.0

# Methods that put something into a chat; Telegram counts them against the group limit.
GROUP_LIMITED = frozenset(
    {"sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto"}
)
JSON_FIELDS = frozenset(
    {"reply_markup", "entities", "caption_entities", "commands", "scope", "allowed_updates",
     "link_preview_options", "reply_parameters"}
)  # fmt: skip
INT_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "message_thread_id"}
)
BOOL_FIELDS = frozenset({"show_alert", "disable_notification", "drop_pending_updates"})
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a content and reply markup of the current message"
)
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


class ApiError(Exception):
    """A Telegram error answer; the HTTP status equals error_code."""

    def __init__(self, error_code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.error_code, self.description, self.parameters = error_code, description, parameters
        self.scripted = False

    def payload(self) -> dict[str, Any]:
        body = {"ok": False, "error_code": self.error_code, "description": self.description}
        return body | ({"parameters": self.parameters} if self.parameters else {})


def _too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass
class Call:
    """One API request, recorded on arrival; ok is None while it is in flight.

    params have JSON, int and bool fields decoded; uploads are {"filename", "content"}.
    """

    method: str
    params: dict[str, Any]
    time: float
    ok: bool | None = None
    status: int = 200
    description: str | None = None
    scripted: bool = False
    result: Any = None


@dataclass
class ScriptedFailure:
    method: str
    chat_id: int | None
    error_code: int
    description: str
    parameters: dict | None
    times: int

    def error(self) -> ApiError:
        error = ApiError(self.error_code, self.description, self.parameters)
        error.scripted = True
        return error


@dataclass
class Throttle:
    """A 429 answer: nothing may reach `chat_id` before `deadline` (on the fake's clock)."""

    chat_id: int
    method: str
    retry_after: int
    deadline: float
    scripted: bool


@dataclass
class Violation:
    """A call to a chat made while an earlier 429 for that chat was still in force."""

    chat_id: int
    method: str
    at: float
    deadline: float


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def describe(self) -> dict[str, Any]:
        size = len(self.content)
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": size}


class FakeTelegram:
    """Serves /bot{token}/{method} and /file/bot{token}/{path}; see the module docstring."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        username: str = "pulse_test_bot",
        *,
        clock: Callable[[], float] = time.monotonic,
        keep_requests: int | None = None,
    ) -> None:
        self.token, self.bot_id, self.username, self.clock = token, bot_id, username, clock
        # A long-running demo keeps only the latest calls; tests keep every one to inspect.
        self.keep_requests = keep_requests
        # Called with ("message", message) or ("deleted", chat_id, message_id) on every change.
        self.listeners: list[Callable[..., None]] = []
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Pulse", "username": username}
        self.group_per_minute = 20
        self.rate_window = 60.0
        self.requests: list[Call] = []
        self.answers: dict[str, dict[str, Any]] = {}
        self.throttles: list[Throttle] = []
        self.violations: list[Violation] = []
        self.chat_migrations: dict[int, int] = {}
        self.kicked: set[int] = set()
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        # Keyed by (scope type, plus ":chat_id" for chat scopes; language_code or "").
        self.my_commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._files: dict[str, StoredFile] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._callbacks: set[str] = set()
        self._failures: list[ScriptedFailure] = []
        self._sent_at: dict[int, deque[float]] = {}
        self._deadlines: dict[int, float] = {}
        self._update_ids, self._file_numbers = itertools.count(1001), itertools.count(1)
        self._callback_ids = itertools.count(7_000_000_001)
        self._last_message_ids: dict[int, int] = {}
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._port = 0
        self._runner: web.AppRunner | None = None
        self._app = web.Application(client_max_size=60 * 1024 * 1024)
        self._app.router.add_route("*", "/bot{token}/{method}", self._on_api)
        self._app.router.add_get("/file/bot{token}/{path:.+}", self._on_file)
        handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda params: self.bot_user | {"can_join_groups": True},
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._webhook_info,
            "setMyCommands": self._set_commands,
            "getMyCommands": lambda params: self.my_commands.get(_commands_key(params), []),
            "sendMessage": self._send_message,
            "editMessageText": self._edit_text,
            "editMessageReplyMarkup": self._edit_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback,
            "sendDocument": lambda params: self._send_file(params, "document"),
            "sendPhoto": lambda params: self._send_file(params, "photo"),
            "sendChatAction": lambda params: bool(self._chat_id(params)),
            "getFile": self._get_file,
            "getChat": lambda params: self._chat_object(self._chat_id(params)),
        }
        self._handlers = {name.lower(): handler for name, handler in handlers.items()}

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        # Cancelling handlers of dropped connections ends a killed bot's pending long poll.
        self._runner = web.AppRunner(
            self._app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Answer pending long polls and close the server."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        """Base URL for TELEGRAM_API_URL and TelegramAPIServer.from_base."""
        if not self._port:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self._port}"

    # -- fault injection ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        error_code: int,
        description: str,
        parameters: dict | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id`, if given) with this error."""
        failure = ScriptedFailure(
            method.lower(), chat_id, error_code, description, parameters, times
        )
        self._failures.append(failure)

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Every later call to old_id fails with the supergroup-upgrade error."""
        self.chat_migrations[old_id] = new_id

    def kick_from(self, chat_id: int) -> None:
        """Every later call to chat_id fails with 403."""
        self.kicked.add(chat_id)

    def name_chat(self, chat_id: int, title: str) -> None:
        """Give a group its title, as its creator did."""
        self._chats[chat_id] = self._chat_object(chat_id) | {"title": title}

    # -- acting as users ----------------------------------------------------------------------

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

    # -- reading what the bot did -------------------------------------------------------------

    @property
    def errors(self) -> list[Call]:
        """Failed calls, scripted ones included (marked scripted=True)."""
        return [call for call in self.requests if call.ok is False]

    def calls(self, method: str) -> list[Call]:
        return [call for call in self.requests if call.method.lower() == method.lower()]

    def chat(self, chat_id: int) -> list[dict[str, Any]]:
        """Current state of every bot message in the chat, oldest first; files carry `content`."""
        messages = []
        for (message_chat, _), stored in self._messages.items():
            if message_chat != chat_id or stored["from"]["id"] != self.bot_id:
                continue
            message = copy.deepcopy(stored)
            for part in [message.get("document"), *message.get("photo", [])]:
                if part:
                    part["content"] = self._files[part["file_id"]].content
            messages.append(message)
        return messages

    def transcript(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message in the chat, the people's and the bot's, oldest first, without file bytes."""
        return [
            copy.deepcopy(message)
            for (message_chat, _), message in sorted(self._messages.items())
            if message_chat == chat_id
        ]

    def file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def last(self, chat_id: int) -> dict[str, Any] | None:
        messages = self.chat(chat_id)
        return messages[-1] if messages else None

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
            for message in self.chat(chat_id):
                body = message.get("text") or message.get("caption") or ""
                fresh = message["message_id"] > after or "edit_date" in message
                if fresh and (contains is None or contains in body):
                    return message
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

    # -- HTTP and the checks every call passes --------------------------------------------------

    async def _on_api(self, request: web.Request) -> web.Response:
        call = Call(request.match_info["method"], await _read_params(request), self.clock())
        self.requests.append(call)
        if self.keep_requests is not None and len(self.requests) > 2 * self.keep_requests:
            del self.requests[: -self.keep_requests]
        self._notify()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            call.result = await self._dispatch(call.method, call.params)
        except ApiError as error:
            call.ok, call.status, call.scripted = False, error.error_code, error.scripted
            call.description, response = error.description, error.payload()
        else:
            call.ok, response = True, {"ok": True, "result": call.result}
        self._notify()
        return web.json_response(response, status=call.status)

    async def _on_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        stored = next((file for file in self._files.values() if file.file_path == path), None)
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=stored.content, content_type="application/octet-stream")

    async def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        name = method.lower()
        chat_id = params.get("chat_id") if isinstance(params.get("chat_id"), int) else None
        if chat_id is not None:
            self._check_deadline(method, chat_id)
        self._raise_scripted(method, chat_id)
        if chat_id in self.chat_migrations:
            migrated = {"migrate_to_chat_id": self.chat_migrations[chat_id]}
            raise ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat", migrated
            )
        if chat_id in self.kicked:
            raise ApiError(403, _kicked_description(chat_id))
        if name == "getupdates":
            return await self._get_updates(params)
        if name not in self._handlers:
            raise ApiError(404, "Not Found")
        limited = chat_id is not None and chat_id < 0 and name in GROUP_LIMITED
        if limited:
            self._check_group_rate(method, chat_id)
        try:
            result = self._handlers[name](params)
        except ContentError as error:
            raise ApiError(400, str(error)) from None
        if limited:
            self._sent_at[chat_id].append(self.clock())
        return result

    def _check_deadline(self, method: str, chat_id: int) -> None:
        now, deadline = self.clock(), self._deadlines.get(chat_id, 0.0)
        if now < deadline:
            self.violations.append(Violation(chat_id, method, now, deadline))
            retry_after = max(1, math.ceil(deadline - now))
            self.throttles.append(Throttle(chat_id, method, retry_after, deadline, False))
            raise _too_many_requests(retry_after)

    def _check_group_rate(self, method: str, chat_id: int) -> None:
        now, sent_at = self.clock(), self._sent_at.setdefault(chat_id, deque())
        while sent_at and sent_at[0] <= now - self.rate_window:
            sent_at.popleft()
        if len(sent_at) >= self.group_per_minute:
            retry_after = max(1, math.ceil(sent_at[0] + self.rate_window - now))
            self._throttle(chat_id, method, retry_after, scripted=False)
            raise _too_many_requests(retry_after)

    def _throttle(self, chat_id: int, method: str, retry_after: int, *, scripted: bool) -> None:
        deadline = self.clock() + retry_after
        self._deadlines[chat_id] = max(deadline, self._deadlines.get(chat_id, 0.0))
        self.throttles.append(Throttle(chat_id, method, retry_after, deadline, scripted))

    def _raise_scripted(self, method: str, chat_id: int | None) -> None:
        for failure in self._failures:
            if failure.method == method.lower() and failure.chat_id in (None, chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                retry_after = (failure.parameters or {}).get("retry_after")
                if failure.error_code == 429 and retry_after and chat_id is not None:
                    self._throttle(chat_id, method, retry_after, scripted=True)
                raise failure.error()

    def _notify(self) -> None:
        """Wake every waiter (long polls, wait_for) to re-check its condition."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    # -- updates and messages -----------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll learns it was superseded
        offset, loop = params.get("offset") or 0, asyncio.get_running_loop()
        # Updates below offset are confirmed: Telegram forgets them.
        self._updates = [update for update in self._updates if update["update_id"] >= offset]
        deadline = loop.time() + (params.get("timeout") or 0)
        while not self._updates and not self._closing and loop.time() < deadline:
            await self._wait_change(deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request;"
                    " make sure that only one bot instance is running",
                )
        return self._updates[: min(params.get("limit") or 100, 100)]

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

    def _chat_object(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": "Test group"}

    def _store(self, message: dict[str, Any]) -> dict[str, Any]:
        self._messages[(message["chat"]["id"], message["message_id"])] = message
        self._tell("message", message)
        return message

    def _tell(self, *event: Any) -> None:
        for listener in self.listeners:
            listener(*event)

    # -- files --------------------------------------------------------------------------------

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

    # -- bot methods --------------------------------------------------------------------------

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


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields Telegram includes in a message: empty ones are left out."""
    return {key: value for key, value in fields.items() if value}


def _topic(params: dict[str, Any]) -> dict[str, Any]:
    """A message sent to a forum topic says so, as Telegram's own messages do."""
    thread = params.get("message_thread_id")
    return {"message_thread_id": thread, "is_topic_message": True} if thread else {}


def _without_content(message: dict[str, Any]) -> dict[str, Any]:
    """A message from `chat()` as Telegram shows it: file bytes taken out."""
    message = copy.deepcopy(message)
    for part in [message.get("document"), *message.get("photo", [])]:
        if part:
            part.pop("content", None)
    return message


def _user(user_id: int, first_name: str, username: str | None, language_code: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": first_name}
    return user | {"language_code": language_code} | ({"username": username} if username else {})


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    scope_key = scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")
    return scope_key, str(params.get("language_code") or "")


def _kicked_description(chat_id: int) -> str:
    if chat_id > 0:
        return "Forbidden: bot was blocked by the user"
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return f"Forbidden: bot was kicked from the {kind} chat"


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query, JSON, urlencoded or multipart parameters; uploads become {filename, content}."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
    elif request.method == "POST":
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "content": value.file.read()}
            else:
                params[key] = value
    return {key: _decode(key, value) for key, value in params.items()}


def _decode(key: str, value: Any) -> Any:
    """Undo aiogram's form encoding: JSON for nested fields, strings for ints and bools."""
    if not isinstance(value, str):
        return value
    if key in JSON_FIELDS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    if key in INT_FIELDS and re.fullmatch(r"-?\d+", value):
        return int(value)
    if key in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value
