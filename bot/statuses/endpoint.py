"""The platform's status callbacks: `/pulse/cb/{ref}/{sig}`, GET or POST, `id` and `status`.

A forged or malformed call is refused (4xx) before anything is stored. A valid status is stored
durably before the 200: calls arriving together share one transaction (group commit), and a
failed commit answers 503 so the platform tries again later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import time
import unicodedata
from collections.abc import Callable
from functools import partial
from urllib.parse import parse_qsl

from aiohttp import web

from bot.metrics import Metrics
from bot.platform.status_classes import StatusClassifier
from bot.statuses.signing import CALLBACK_PREFIX, SIGNATURE_HEX, verify
from storage.statuses import Applied, IncomingStatus, Outcome, Statuses
from storage.statuses_apart import StatusesApart
from storage.store import Store

log = logging.getLogger(__name__)

MAX_STATUS_CHARS = 64
MAX_ID_CHARS = 64
MAX_BODY_BYTES = 16 * 1024
_REF = re.compile(r"[1-9][0-9]{0,17}")
_SIGNATURE = re.compile(rf"[0-9a-f]{{{SIGNATURE_HEX}}}")
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class Refused(Exception):
    """A call answered with a client error; `reason` labels the refusal metric."""

    def __init__(self, status: int, reason: str, text: str) -> None:
        super().__init__(text)
        self.status, self.reason, self.text = status, reason, text


class Stopping(Exception):
    """The program is stopping: a status is no longer taken (the platform tries again later)."""


class StatusWriter:
    """Collects statuses for a moment and stores them in one transaction, then answers each caller.

    With `apart` the transactions run in its thread over its own connection, so the event loop
    never waits for the database's write lock (held for a moment by a list being stored or
    copied) nor for the commit's sync; statuses arriving meanwhile form the next batch. Without
    it (an in-memory database) they run on the loop.

    `on_campaign_changed` is told, after each commit, about campaigns whose messages changed.
    """

    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        on_campaign_changed: Callable[[int], None],
        *,
        apart: StatusesApart | None = None,
        linger: float = 0.002,
        max_batch: int = 500,
    ) -> None:
        self.store, self.metrics, self.apart = store, metrics, apart
        self.on_campaign_changed = on_campaign_changed
        self.linger, self.max_batch = linger, max_batch
        self._pending: list[tuple[IncomingStatus, asyncio.Future[Applied]]] = []
        self._timer: asyncio.Handle | None = None
        self._writing: asyncio.Task[None] | None = None
        self._closed = False

    async def record(self, status: IncomingStatus) -> Applied:
        """Store one status with the others of its moment; raises sqlite3.Error if that failed,
        Stopping once the writer is closed."""
        if self._closed:
            raise Stopping
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Applied] = loop.create_future()
        self._pending.append((status, future))
        if self._writing is None:
            if len(self._pending) >= self.max_batch:
                self._cancel_timer()
                self._start()
            elif self._timer is None:
                self._timer = loop.call_later(self.linger, self._start)
        return await future

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _start(self) -> None:
        self._timer = None
        if self._writing is None and self._pending:
            self._writing = asyncio.create_task(self._write_all(), name="status-writer")

    async def _write_all(self) -> None:
        try:
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                await self._commit(batch)
        finally:
            self._writing = None

    async def close(self) -> None:
        """Take no more statuses, store those already taken, then let the thread go."""
        self._closed = True
        self._cancel_timer()
        self._start()
        while self._writing is not None:
            await asyncio.shield(self._writing)
        if self.apart is not None:
            await asyncio.to_thread(self.apart.close)

    async def _commit(self, batch: list[tuple[IncomingStatus, asyncio.Future[Applied]]]) -> None:
        statuses = [status for status, _ in batch]
        try:
            if self.apart is None:
                results = _apply(self.store.statuses, statuses)
            else:
                results = await self.apart.run(partial(_apply, statuses=statuses))
        except sqlite3.Error as error:
            log.warning("could not store %d statuses: %s", len(batch), error)
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        self.metrics.status_commit_size.observe(len(statuses))
        changed: dict[int, None] = {}
        for (status, future), applied in zip(batch, results, strict=True):
            if applied.outcome in (Outcome.CHANGED, Outcome.RECORDED):
                self.metrics.statuses.labels(status_class=status.status_class).inc()
            if applied.outcome is Outcome.CHANGED and applied.campaign_id is not None:
                changed[applied.campaign_id] = None
            if not future.done():
                future.set_result(applied)
        for campaign_id in changed:
            try:
                self.on_campaign_changed(campaign_id)
            except Exception:  # a card problem must never turn a stored status into an error
                log.exception("could not schedule the card of campaign %s", campaign_id)


def _apply(store: Statuses, statuses: list[IncomingStatus]) -> list[Applied]:
    try:
        return store.apply(statuses)
    except sqlite3.IntegrityError:
        if len(statuses) == 1:
            raise
    # One bad row must not fail its neighbours: store them one by one.
    results: list[Applied] = []
    for status in statuses:
        try:
            results.extend(store.apply([status]))
        except sqlite3.IntegrityError:
            results.append(Applied(Outcome.UNKNOWN_MESSAGE))
    return results


class CallbackEndpoint:
    """The aiohttp handler; `register(app)` adds its route."""

    def __init__(
        self,
        secret: str,
        writer: StatusWriter,
        classifier: StatusClassifier,
        metrics: Metrics,
    ) -> None:
        self.secret, self.writer, self.classifier, self.metrics = (
            secret,
            writer,
            classifier,
            metrics,
        )

    def register(self, app: web.Application) -> None:
        app.router.add_route("*", CALLBACK_PREFIX + "/{ref}/{sig}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        started = time.perf_counter()
        try:
            response = await self._answer(request)
        except Refused as refusal:
            self.metrics.callbacks_refused.labels(reason=refusal.reason).inc()
            headers = {"Allow": "GET, POST"} if refusal.status == 405 else None
            response = web.Response(status=refusal.status, text=refusal.text, headers=headers)
        self.metrics.callback_latency.observe(time.perf_counter() - started)
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        if request.method not in ("GET", "POST"):
            raise Refused(405, "method", "GET or POST")
        ref, signature = request.match_info["ref"], request.match_info["sig"]
        if not (
            _REF.fullmatch(ref)
            and _SIGNATURE.fullmatch(signature)
            and verify(self.secret, ref, signature)
        ):
            raise Refused(403, "signature", "forbidden")
        params = await read_params(request)
        raw_status = status_value(params.get("status", []))
        platform_id = platform_id_value(params.get("id", []))
        status = IncomingStatus(
            message_id=int(ref),
            raw=raw_status,
            status_class=self.classifier.classify(raw_status),
            platform_id=platform_id,
        )
        try:
            applied = await self.writer.record(status)
        except (sqlite3.Error, Stopping) as error:
            reason = "stopping" if isinstance(error, Stopping) else "storage"
            self.metrics.callbacks_refused.labels(reason=reason).inc()
            return web.Response(status=503, text="try again later", headers={"Retry-After": "60"})
        if applied.outcome is Outcome.UNKNOWN_MESSAGE:
            raise Refused(404, "unknown_message", "unknown message")
        return web.Response(text="OK")


async def read_params(request: web.Request) -> dict[str, list[str]]:
    """Values of every parameter from the query and a form or JSON body, in arrival order."""
    params: dict[str, list[str]] = {}
    for key, value in request.query.items():
        params.setdefault(key, []).append(value)
    if request.method != "POST" or not request.can_read_body:
        return params
    if request.content_type.startswith("multipart/"):
        raise Refused(415, "body", "send a form or JSON body")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise Refused(413, "body", "body too large")
    body = await _whole_body(request)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body", "the body must be UTF-8") from None
    for key, value in _body_pairs(request.content_type, text):
        params.setdefault(key, []).append(value)
    return params


async def _whole_body(request: web.Request) -> bytes:
    """The body however many TCP pieces it came in; refused as soon as it outgrows the limit."""
    body = bytearray()
    while True:
        piece = await request.content.read(MAX_BODY_BYTES + 1 - len(body))
        if not piece:
            return bytes(body)
        body += piece
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "body", "body too large")


def _body_pairs(content_type: str, text: str) -> list[tuple[str, str]]:
    if content_type == "application/json" or text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError):  # deep nesting exhausts the parser's recursion
            raise Refused(400, "body", "the JSON body is malformed") from None
        if not isinstance(document, dict):
            raise Refused(400, "body", "the JSON body must be an object")
        pairs = []
        for key, value in document.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise Refused(400, "body", f"{key} must be a string or a number")
            pairs.append((key, str(value)))
        return pairs
    try:
        return parse_qsl(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "body", "the form body is malformed") from None


def _one(values: list[str], name: str) -> str:
    distinct = list(dict.fromkeys(value.strip() for value in values))
    if len(distinct) > 1:
        raise Refused(400, "ambiguous", f"{name} is given more than once with different values")
    return distinct[0] if distinct else ""


def _printable(value: str) -> bool:
    return "\ufffd" not in value and all(
        unicodedata.category(char) not in _UNPRINTABLE for char in value
    )


def status_value(values: list[str]) -> str:
    """The status as the platform sent it; refused when it cannot be a real one."""
    status = _one(values, "status")
    if not status:
        raise Refused(400, "status", "status is missing")
    if status == "{status}":
        raise Refused(400, "status", "status was not substituted")
    if len(status) > MAX_STATUS_CHARS:
        raise Refused(400, "status", "status is too long")
    if not _printable(status):
        raise Refused(400, "status", "status holds control or invalid characters")
    return status


def platform_id_value(values: list[str]) -> str | None:
    """The platform's message id, or None when missing or unusable (the signed path suffices)."""
    platform_id = _one(values, "id")
    usable = (
        platform_id
        and platform_id != "{id}"
        and len(platform_id) <= MAX_ID_CHARS
        and _printable(platform_id)
    )
    return platform_id if usable else None
