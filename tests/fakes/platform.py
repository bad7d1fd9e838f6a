"""A fake 1-pulse platform on 127.0.0.1: both send endpoints, scripted faults and status callbacks.

Shaped like aiohttp's examples/fake_server.py: one object owns the app and its runner.
"""

from __future__ import annotations

import asyncio
import collections
import json
from dataclasses import dataclass, field
from typing import Any, TypeAlias
from urllib.parse import quote, unquote_to_bytes

import aiohttp
import yarl
from aiohttp import web

# "success" | "non_json" | "hang" | "reset" | ("error", msg) | ("http", status[, body_text])
# | ("list_shape", "list" | "ids" | "id" | "messages" | "mismatch") | ("raw", body_text)
# | ("callback_first", status[, http_status]): store the messages, call their callbacks with
#   `status`, and answer only after `answer_late()`: success, or the HTTP status given (a stop
#   drops the connection instead)
# | ("stored_http", status): create the messages, then answer that HTTP status (a gateway that
#   failed after the platform stored them) | ("busy", status, retry_after): answer 429/503 with
#   that Retry-After header (seconds, or an HTTP date) and create nothing
Behaviour: TypeAlias = str | tuple[str, Any] | tuple[str, Any, Any]

_PLAIN_BEHAVIOURS = {"success", "non_json", "hang", "reset"}
_TAGGED_BEHAVIOURS = {"error", "http", "list_shape", "raw", "callback_first", "stored_http", "busy"}
_LIST_SHAPES = {"list", "ids", "id", "messages", "mismatch"}

# The platform's charset names, with dashes dropped and UCS-2 read as UTF-16.
_CODECS = {"UTF16BE": "utf-16-be", "UTF16LE": "utf-16-le", "CP1251": "cp1251", "UTF8": "utf-8"}

BAD_TOKEN_MESSAGE = "Неверный токен"


@dataclass(frozen=True)
class PlatformRequest:
    """One request as the fake received it; `raw` is the query string (GET) or body (POST)."""

    method: str
    endpoint: str  # "send-message" or "send-list-messages"
    params: dict[str, str]  # values decoded as UTF-8 with errors="replace"
    raw: bytes
    param_bytes: dict[str, bytes]  # values exactly as sent, after URL-decoding


@dataclass
class FakeMessage:
    """A message the fake created; `sent_text` is decoded with the request's charset."""

    platform_id: str
    type: str
    sender: str
    sent_to: str
    sent_text: str
    callback: str | None


@dataclass
class _Submission:
    """What one request asks the fake to create."""

    type: str
    sender: str
    items: list[dict[str, str]] = field(default_factory=list)


class FakePlatform:
    """Serves `/api/v1/bulk/send-message` and `/api/v1/bulk/send-list-messages` on a free port.

    `received` counts the recipients of messages the fake created: every answer except an
    error, "http" and "busy" creates them, including "hang", "reset", "non_json" and
    "stored_http", where the client cannot know it.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        latency: float = 0.0,
        default: Behaviour = "success",
        busy_above: int | None = None,
    ) -> None:
        _check_behaviour(default)
        self.token = token  # None accepts any token
        self.latency = latency
        # A platform that answers 503 (creating nothing) to a request arriving while this many
        # are already in flight; `busy_answers` counts those answers, `peak_in_flight` the most
        # requests it was ever answering at once.
        self.busy_above = busy_above
        self.busy_answers = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.default: Behaviour = default
        self.requests: list[PlatformRequest] = []
        self.received: collections.Counter[str] = collections.Counter()
        self.messages: dict[str, FakeMessage] = {}
        # (platform id, HTTP status of the bot's answer, 0 when unreachable) of early callbacks
        self.early_callbacks: list[tuple[str, int]] = []
        self._late = asyncio.Event()
        self._script: collections.deque[Behaviour] = collections.deque()
        self._last_id = 0
        self._gate = asyncio.Event()
        self._gate.set()
        self._stopping = asyncio.Event()
        self._request_arrived = asyncio.Condition()
        self._app = web.Application()
        for endpoint in ("send-message", "send-list-messages"):
            self._app.router.add_route("*", f"/api/v1/bulk/{endpoint}", self._handle)
        # No access log: it would print the token of every GET request.
        self._runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=2.0)
        self._http: aiohttp.ClientSession | None = None
        self._port: int | None = None

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))

    async def stop(self) -> None:
        """Let hanging and held requests end, then shut the server down."""
        self._stopping.set()
        self._gate.set()
        self._late.set()
        if self._http is not None:
            await self._http.close()
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        """Base URL of the API, as the bot is configured with it."""
        if self._port is None:
            raise RuntimeError("the fake platform is not started")
        return f"http://127.0.0.1:{self._port}/api/v1"

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests, one each; then `default` applies again."""
        for behaviour in behaviours:
            _check_behaviour(behaviour)
        self._script.extend(behaviours)

    def hold(self) -> None:
        """Pause answering: requests are recorded but wait until `release()`."""
        self._gate.clear()

    def release(self) -> None:
        """Resume answering held and new requests."""
        self._gate.set()

    def answer_late(self) -> None:
        """Let the answers held by "callback_first" go out (theirs and any later ones)."""
        self._late.set()

    async def wait_early_callbacks(self, count: int) -> None:
        """Wait until `count` early callbacks were answered (wrap in asyncio.timeout to bound)."""
        async with self._request_arrived:
            await self._request_arrived.wait_for(lambda: len(self.early_callbacks) >= count)

    async def wait_requests(self, count: int) -> None:
        """Wait until at least `count` requests have arrived (wrap in asyncio.timeout to bound)."""
        async with self._request_arrived:
            await self._request_arrived.wait_for(lambda: len(self.requests) >= count)

    async def fire_callback(
        self, platform_id: str, status: str, *, method: str = "GET", form: bool = False
    ) -> int:
        """Call the message's callback URL with {id} and {status} filled in; return HTTP status.

        With `form=True` (POST only) the query string moves into a form body.
        """
        message = self.messages[platform_id]
        if not message.callback:
            raise LookupError(f"message {platform_id} has no callback URL")
        url = message.callback.replace("{id}", quote(platform_id, safe=""))
        url = url.replace("{status}", quote(status, safe=""))
        assert self._http is not None, "the fake platform is not started"
        request_args: dict[str, Any] = {"allow_redirects": False}
        if form:
            url, _, query = url.partition("?")
            request_args["data"] = query.encode()
            request_args["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
        # A URL the bot built is already percent-encoded; keep it byte for byte.
        target = yarl.URL(url, encoded=url.isascii() and " " not in url)
        async with self._http.request(method, target, **request_args) as response:
            await response.read()
            return response.status

    async def fire_many(
        self, updates: list[tuple[str, str]], concurrency: int = 50, *, method: str = "GET"
    ) -> list[int]:
        """Fire many (platform_id, status) callbacks, at most `concurrency` at once, in order."""
        limit = asyncio.Semaphore(concurrency)

        async def fire(platform_id: str, status: str) -> int:
            async with limit:
                return await self.fire_callback(platform_id, status, method=method)

        return await asyncio.gather(*(fire(pid, status) for pid, status in updates))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Record a send request, then answer it as the script says."""
        if self.busy_above is not None and self.in_flight >= self.busy_above:
            self.busy_answers += 1
            return web.Response(status=503, text="too many requests in flight")
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._handle_admitted(request)
        finally:
            self.in_flight -= 1

    async def _handle_admitted(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.path.rsplit("/", 1)[1]
        if request.method == "POST":
            raw = await request.read()
            param_bytes = _parse_form(request.rel_url.raw_query_string.encode()) | _parse_form(raw)
        else:
            raw = request.rel_url.raw_query_string.encode()
            param_bytes = _parse_form(raw)
        params = {name: value.decode("utf-8", "replace") for name, value in param_bytes.items()}
        async with self._request_arrived:
            self.requests.append(
                PlatformRequest(request.method, endpoint, params, raw, param_bytes)
            )
            self._request_arrived.notify_all()
        await self._gate.wait()
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.token is not None and params.get("token") != self.token:
            return _error(BAD_TOKEN_MESSAGE)
        behaviour = self._script.popleft() if self._script else self.default
        return await self._answer(request, endpoint, param_bytes, behaviour)

    async def _answer(
        self,
        request: web.Request,
        endpoint: str,
        param_bytes: dict[str, bytes],
        behaviour: Behaviour,
    ) -> web.StreamResponse:
        """Produce the scripted answer, creating messages where the platform would have."""
        kind, argument, *extra = (behaviour, None) if isinstance(behaviour, str) else behaviour
        if kind == "error":
            return _error(str(argument))
        if kind == "http":
            text = extra[0] if extra else "fake platform failure"
            headers = {"Retry-After": "1"} if argument == 429 else {}
            return web.Response(status=int(argument), text=text, headers=headers)
        if kind == "busy":
            headers = {"Retry-After": str(extra[0])}
            return web.Response(status=int(argument), text="busy, try later", headers=headers)
        submission = _read_submission(endpoint, param_bytes)
        if isinstance(submission, str):
            return _error(submission)
        outcomes = [self._create(submission, item) for item in submission.items]
        if kind == "callback_first":
            await self._call_back_early(outcomes, str(argument))
            await self._late.wait()
            if self._stopping.is_set() and request.transport is not None:
                request.transport.abort()
                return web.Response()
            if extra:
                return web.Response(status=int(extra[0]), text="fake platform failure")
        if kind == "raw":
            return web.Response(text=str(argument), content_type="application/json")
        if kind == "stored_http":
            return web.Response(
                status=int(argument),
                text=f"<html><body>{argument}</body></html>",
                content_type="text/html",
            )
        if kind == "non_json":
            return web.Response(
                text="<html><body>Bad Gateway</body></html>", content_type="text/html"
            )
        if kind in ("hang", "reset"):
            if kind == "hang":
                await self._stopping.wait()
            # Drop the connection with no answer at all, like a crashed proxy; a client that
            # gave up waiting has already closed it.
            if request.transport is not None:
                request.transport.abort()
            return web.Response()
        if endpoint == "send-message":
            return web.json_response(outcomes[0])
        return web.json_response(_list_answer(outcomes, argument or "list"))

    async def _call_back_early(self, outcomes: list[dict[str, str]], status: str) -> None:
        """Report a status on each created message before its request is answered."""
        for outcome in outcomes:
            platform_id = outcome.get("id")
            if platform_id is None or not self.messages[platform_id].callback:
                continue
            try:
                answer = await self.fire_callback(platform_id, status)
            except aiohttp.ClientError:
                answer = 0
            async with self._request_arrived:
                self.early_callbacks.append((platform_id, answer))
                self._request_arrived.notify_all()

    def _create(self, submission: _Submission, item: dict[str, str]) -> dict[str, str]:
        """Create one message, or refuse it the way the platform does: {type, id|msg}."""
        if not item.get("sent_to"):
            return {"type": "error", "msg": "Не указан получатель"}
        self._last_id += 1
        platform_id = f"p{self._last_id}"
        self.messages[platform_id] = FakeMessage(
            platform_id=platform_id,
            type=submission.type,
            sender=submission.sender,
            sent_to=item["sent_to"],
            sent_text=item.get("sent_text", ""),
            callback=item.get("callback") or None,
        )
        self.received[item["sent_to"]] += 1
        return {"type": "success", "id": platform_id}


def _check_behaviour(behaviour: Behaviour) -> None:
    """Refuse a behaviour the fake does not know, so a typo in a test fails loudly."""
    if isinstance(behaviour, str):
        valid = behaviour in _PLAIN_BEHAVIOURS
    else:
        sizes = {"http": (2, 3), "callback_first": (2, 3), "busy": (3,)}.get(behaviour[0], (2,))
        valid = len(behaviour) in sizes and behaviour[0] in _TAGGED_BEHAVIOURS
        if valid and behaviour[0] == "list_shape":
            valid = behaviour[1] in _LIST_SHAPES
    if not valid:
        raise ValueError(f"unknown fake platform behaviour: {behaviour!r}")


def _parse_form(raw: bytes) -> dict[str, bytes]:
    """Split an urlencoded string into names and raw byte values (the last of a repeated name)."""
    fields: dict[str, bytes] = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        fields[_unquote(name).decode("utf-8", "replace")] = _unquote(value)
    return fields


def _unquote(part: bytes) -> bytes:
    """URL-decode one form component, '+' meaning a space."""
    return unquote_to_bytes(part.replace(b"+", b" "))


def _read_submission(endpoint: str, param_bytes: dict[str, bytes]) -> _Submission | str:
    """Decode the messages of a request, or return the platform's error text."""
    charset = param_bytes.get("charset", b"UTF-8").decode("ascii", "replace").upper()
    codec = _CODECS.get(charset.replace("-", "").replace("UCS2", "UTF16"))
    if codec is None:
        return "Неизвестная кодировка"
    submission = _Submission(
        type=param_bytes.get("type", b"").decode("utf-8", "replace"),
        sender=param_bytes.get("sender", b"").decode("utf-8", "replace"),
    )
    if endpoint == "send-message":
        item = {name: value.decode("utf-8", "replace") for name, value in param_bytes.items()}
        item["sent_text"] = param_bytes.get("sent_text", b"").decode(codec, "replace")
        submission.items.append(item)
        return submission
    try:
        items = json.loads(param_bytes.get("messages", b""))
    except ValueError:
        return "Некорректный список сообщений"
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return "Некорректный список сообщений"
    submission.items.extend({name: str(value) for name, value in item.items()} for item in items)
    return submission


def _list_answer(outcomes: list[dict[str, str]], shape: str) -> object:
    """Shape the answer of the list endpoint; `mismatch` drops the last result."""
    ids = [outcome.get("id") for outcome in outcomes]
    if shape == "ids":
        return {"type": "success", "ids": ids}
    if shape == "id":
        return {"type": "success", "id": ids}
    if shape == "messages":
        return {"type": "success", "messages": outcomes}
    if shape == "mismatch":
        return outcomes[:-1]
    return outcomes


def _error(message: str) -> web.Response:
    """The platform's error answer (HTTP 200, as its documentation shows)."""
    return web.json_response({"type": "error", "msg": message})
