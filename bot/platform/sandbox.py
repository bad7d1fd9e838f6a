"""A simulated platform inside the program, used when no platform token is set (sandbox mode).

It answers like the real client (`Accepted("sbx-...")`), then reports each message's statuses
by calling its callback URL over real HTTP, exactly as the platform would: "accepted by the
SMSC" soon after, then "delivered" or, for a configurable share of recipients, "not delivered".
Nothing leaves the machine and nothing costs money. `sent_date` and `ttl` are not simulated.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import itertools
import logging
import random
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote

import aiohttp
import yarl

from bot.platform.charsets import codec_for, encode_text
from bot.platform.results import Accepted, OutgoingMessage, Rejected, SendResult

log = logging.getLogger(__name__)

# Kannel DLR codes, and the words used when Kannel statuses are not asked for.
KANNEL_STATUSES = {"accepted": "8", "delivered": "1", "failed": "2"}
NATIVE_STATUSES = {"accepted": "queued", "delivered": "delivered", "failed": "undelivered"}
NO_RECIPIENT = "Не указан получатель"


@dataclass(order=True)
class _Call:
    """One status callback, due at `due` on the loop's clock."""

    due: float
    order: int
    url: str = field(compare=False)
    attempt: int = field(compare=False, default=0)


class SandboxPlatform:
    """Same `send_message` / `send_list` interface as `PulseClient`; see the module docstring."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        fail_share: float = 0.05,
        kannel_status: bool = True,
        accepted_after: tuple[float, float] = (0.3, 1.0),
        final_after: tuple[float, float] = (0.5, 1.5),
        retry_delays: tuple[float, ...] = (1.0, 5.0),
        concurrency: int = 16,
        seed: int | None = None,
    ) -> None:
        self._session = session
        self.fail_share = fail_share
        self._statuses = KANNEL_STATUSES if kannel_status else NATIVE_STATUSES
        self._accepted_after = accepted_after
        self._final_after = final_after
        self._retry_delays = retry_delays
        self._concurrency = concurrency
        self._random = random.Random(seed)  # noqa: S311 - simulated delays, not secrets
        self._id_prefix = f"sbx-{secrets.token_hex(3)}-"
        self._ids = itertools.count(1)
        self._order = itertools.count()
        self._due: list[_Call] = []
        self._queue: asyncio.Queue[_Call] = asyncio.Queue()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False
        self.calls_made = 0  # callback requests sent, answered or not

    async def send_message(self, message: OutgoingMessage) -> SendResult:
        """Accept one message (checking it as the real client does) and plan its statuses."""
        encode_text(message.sent_text, message.charset)
        if message.html_text:
            encode_text(message.html_text, message.charset)
        return self._accept(message)

    async def send_list(
        self, *, type: str, sender: str, charset: str | None, messages: list[OutgoingMessage]
    ) -> list[SendResult]:
        """Accept a group; one result per message, in order."""
        codec_for(charset)
        for message in messages:
            if (message.type, message.sender) != (type, sender):
                raise ValueError("every message of a list must have the list's type and sender")
            encode_text(message.sent_text, charset)
        return [self._accept(message) for message in messages]

    def fails(self, sent_to: str) -> bool:
        """Whether this recipient's messages end "not delivered": fixed per recipient."""
        digest = hashlib.sha256(sent_to.encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64 < self.fail_share

    @property
    def pending(self) -> int:
        """Status callbacks not yet made (planned, queued or being retried)."""
        return len(self._due) + self._queue.qsize()

    async def close(self) -> None:
        """Stop calling back; planned statuses are dropped."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._due.clear()

    def _accept(self, message: OutgoingMessage) -> SendResult:
        if not message.sent_to.strip():
            return Rejected(NO_RECIPIENT)
        platform_id = f"{self._id_prefix}{next(self._ids)}"
        if message.callback and not self._closed:
            self._start()
            url = message.callback.replace("{id}", quote(platform_id, safe=""))
            accepted_at = asyncio.get_running_loop().time() + self._random.uniform(
                *self._accepted_after
            )
            final = "failed" if self.fails(message.sent_to) else "delivered"
            self._plan(url, self._statuses["accepted"], accepted_at)
            final_at = accepted_at + self._random.uniform(*self._final_after)
            self._plan(url, self._statuses[final], final_at)
        return Accepted(platform_id)

    def _plan(self, url: str, status: str, due: float, attempt: int = 0) -> None:
        url = url.replace("{status}", quote(status, safe=""))
        heapq.heappush(self._due, _Call(due, next(self._order), url, attempt))
        self._wake.set()

    def _start(self) -> None:
        """Start the timer and the callers on first use (they need the running loop)."""
        if self._tasks:
            return
        self._tasks.append(asyncio.create_task(self._timer()))
        self._tasks += [asyncio.create_task(self._caller()) for _ in range(self._concurrency)]

    async def _timer(self) -> None:
        """Move calls whose time has come to the callers' queue."""
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            if not self._due:
                await self._wake.wait()
                continue
            delay = self._due[0].due - loop.time()
            if delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
                continue
            while self._due and self._due[0].due <= loop.time():
                self._queue.put_nowait(heapq.heappop(self._due))

    async def _caller(self) -> None:
        """Make callback requests; a call not answered 200 is tried again later, a few times."""
        while True:
            call = await self._queue.get()
            status = await self._call(call.url)
            self.calls_made += 1
            if status == 200:
                continue
            if call.attempt < len(self._retry_delays):
                due = asyncio.get_running_loop().time() + self._retry_delays[call.attempt]
                heapq.heappush(self._due, _Call(due, next(self._order), call.url, call.attempt + 1))
                self._wake.set()
            log.debug("sandbox callback answered %s (attempt %d)", status, call.attempt + 1)

    async def _call(self, url: str) -> int | None:
        """GET the callback URL; its HTTP status, or None when there was no answer."""
        try:
            target = yarl.URL(url, encoded=True)
            async with self._session.get(
                target, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            log.debug("sandbox callback failed: %s", type(error).__name__)
            return None
