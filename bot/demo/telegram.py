"""A Telegram Bot API emulator on 127.0.0.1 that the real bot talks to over HTTP.

The demo (`python -m bot demo`) and the tests both put it in place of Telegram. People act
through it (`send_text`, `send_document`, `press`) and read what the bot showed (`chat`, `last`,
`wait_message`). Telegram's checks where bugs hide are applied: HTML entities, lengths,
"not modified" edits, group rate limits (429 with retry_after), chat migrations and kicks.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.demo.telegram_html import (
    ContentError,
)
from bot.demo.telegram_methods import Methods, _commands_key
from bot.demo.telegram_people import People
from bot.demo.telegram_reading import Reading
from bot.demo.telegram_records import (
    ApiError,
    Call,
    ScriptedFailure,
    StoredFile,
    Throttle,
    Violation,
    _kicked_description,
    _too_many_requests,
)

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


class FakeTelegram(People, Reading, Methods):
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

    # -- acting as users ----------------------------------------------------------------------

    # -- reading what the bot did -------------------------------------------------------------

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

    # -- bot methods --------------------------------------------------------------------------


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
