"""Every Bot API call passes here: paced to Telegram's limits, and retried where that is safe.

Limits: about 30 calls/s overall, about 1/s per private chat (short bursts allowed), at most
20 messages per rolling minute per group. A 429 stops everything to that chat for exactly
`retry_after`; 5xx and network errors are retried with capped backoff; a migrated group is
followed; a chat that refuses the bot (403) is left alone for a while and reported once.
Long polling (getUpdates) passes untouched: aiogram's polling has its own backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates, TelegramMethod

from bot.metrics import Metrics

log = logging.getLogger(__name__)

ChatKey = int | str
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[Any]]

NOT_MODIFIED = "message is not modified"


class SlidingWindow:
    """At most `limit` starts in any `period` seconds; slots are handed out in call order.

    A finished call's entry moves to its finishing time, so a slow request still counts
    from when the server may have recorded it.
    """

    def __init__(self, limit: int, period: float, clock: Clock) -> None:
        self.limit, self.period, self.clock = limit, period, clock
        self.entries: deque[list[float]] = deque(maxlen=limit)

    def reserve(self) -> tuple[float, list[float]]:
        """Return (seconds to wait, entry to pass to `finished`)."""
        now = self.clock()
        start = now
        if len(self.entries) == self.limit:
            start = max(now, self.entries[0][0] + self.period)
        if self.entries:
            start = max(start, self.entries[-1][0])
        entry = [start]
        self.entries.append(entry)
        return start - now, entry

    def finished(self, entry: list[float]) -> None:
        entry[0] = max(entry[0], self.clock())


@dataclass
class Lane:
    """One chat: calls to it go one at a time, in order, and share its pauses."""

    window: SlidingWindow
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    blocked_until: float = 0.0  # a 429's retry_after
    muted_until: float = 0.0  # the chat refused the bot (403)
    refusal: str = ""
    refusal_logged: bool = False


def chat_of(method: TelegramMethod[Any]) -> ChatKey | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int | str) and chat_id != "" else None


def is_group(chat: ChatKey) -> bool:
    """Groups, supergroups and channels have negative ids (or an @username)."""
    return isinstance(chat, str) or chat < 0


def puts_message(method: TelegramMethod[Any]) -> bool:
    """Calls that put something into a chat count against the group limit."""
    name = method.__api_method__
    return name.startswith(("send", "edit", "copy", "forward")) and name != "sendChatAction"


class TelegramPacing(BaseRequestMiddleware):
    """aiogram session middleware: `bot.session.middleware(TelegramPacing(metrics, ...))`."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        on_migrate: Callable[[ChatKey, int], None] | None = None,
        overall_per_second: int = 30,
        private_burst: int = 3,
        private_period: float = 3.0,
        group_per_minute: int = 20,
        group_period: float = 61.0,  # a second of margin over Telegram's minute
        attempts: int = 4,
        retry_after_limit: int = 10,
        backoff_base: float = 0.5,
        backoff_cap: float = 10.0,
        forbidden_pause: float = 600.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.metrics = metrics
        self.on_migrate = on_migrate
        self.clock, self.sleep = clock, sleep
        self.overall = SlidingWindow(overall_per_second, 1.0, clock)
        self.private_limit = (private_burst, private_period)
        self.group_limit = (group_per_minute, group_period)
        self.attempts, self.backoff_base, self.backoff_cap = attempts, backoff_base, backoff_cap
        self.retry_after_limit = retry_after_limit
        self.forbidden_pause = forbidden_pause
        self.lanes: dict[ChatKey, Lane] = {}
        self.migrated: dict[ChatKey, int] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
    ) -> Any:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        chat = chat_of(method)
        if chat in self.migrated:
            method = method.model_copy(update={"chat_id": self.migrated[chat]})
            chat = self.migrated[chat]
        if chat is None:
            return await self._call(make_request, bot, method, None)
        try:
            lane = self._lane(chat)
            async with lane.lock:
                return await self._call(make_request, bot, method, lane)
        except TelegramMigrateToChat as error:
            new_chat = error.migrate_to_chat_id
            self.migrated[chat] = new_chat
            log.warning("chat %s became supergroup %s; following it", chat, new_chat)
            if self.on_migrate is not None:
                try:
                    self.on_migrate(chat, new_chat)
                except Exception:  # remembering it is a nicety; following it is what matters
                    log.exception("could not remember that chat %s moved", chat)
            moved = method.model_copy(update={"chat_id": new_chat})
            lane = self._lane(new_chat)
            async with lane.lock:
                return await self._call(make_request, bot, moved, lane)

    def _lane(self, chat: ChatKey) -> Lane:
        lane = self.lanes.get(chat)
        if lane is None:
            limit, period = self.group_limit if is_group(chat) else self.private_limit
            lane = self.lanes[chat] = Lane(SlidingWindow(limit, period, self.clock))
        return lane

    async def _call(
        self,
        make_request: NextRequestMiddlewareType[Any],
        bot: Bot,
        method: TelegramMethod[Any],
        lane: Lane | None,
    ) -> Any:
        """One call with its waits and retries; the caller holds the lane's lock."""
        failures = throttles = 0
        while True:
            if lane is not None and lane.muted_until > self.clock():
                self._count(method, "dropped")
                raise TelegramForbiddenError(method=method, message=lane.refusal)
            if lane is not None and lane.blocked_until > self.clock():
                await self.sleep(lane.blocked_until - self.clock())
            entry = None
            if lane is not None and puts_message(method):
                delay, entry = lane.window.reserve()
                if delay > 0:
                    await self.sleep(delay)
            delay, _ = self.overall.reserve()
            if delay > 0:
                await self.sleep(delay)
            try:
                result = await make_request(bot, method)
            except TelegramRetryAfter as error:
                self.metrics.telegram_retry_after.inc()
                self._count(method, "retry_after")
                throttles += 1
                if throttles > self.retry_after_limit:
                    raise
                log.info("Telegram asks to wait %s s before %s", error.retry_after, _where(method))
                if lane is not None:
                    lane.blocked_until = self.clock() + error.retry_after
                else:
                    await self.sleep(error.retry_after)
                continue
            except TelegramBadRequest as error:
                if NOT_MODIFIED in error.message:
                    self._count(method, "not_modified")
                    return True
                self._count(method, "error")
                raise
            except TelegramForbiddenError as error:
                self._count(method, "forbidden")
                if lane is not None:
                    self._mute(lane, method, error.message)
                raise
            except (TelegramServerError, TelegramNetworkError) as error:
                failures += 1
                self._count(method, "retried" if failures < self.attempts else "failed")
                if failures >= self.attempts:
                    log.warning("%s failed %s times: %s", _where(method), failures, error.message)
                    raise
                await self.sleep(min(self.backoff_cap, self.backoff_base * 2 ** (failures - 1)))
                continue
            except TelegramMigrateToChat:
                self._count(method, "migrated")
                raise
            except TelegramAPIError:
                self._count(method, "error")
                raise
            finally:
                if entry is not None and lane is not None:
                    lane.window.finished(entry)
            self._count(method, "ok")
            if lane is not None:
                lane.refusal_logged = False
            return result

    def _mute(self, lane: Lane, method: TelegramMethod[Any], reason: str) -> None:
        """Leave a chat that refuses the bot alone for a while; say so once, not on every call."""
        lane.muted_until = self.clock() + self.forbidden_pause
        lane.refusal = reason
        if not lane.refusal_logged:
            lane.refusal_logged = True
            log.warning(
                "Telegram refuses %s (%s); calls to that chat are dropped for %.0f s",
                _where(method),
                reason,
                self.forbidden_pause,
            )

    def _count(self, method: TelegramMethod[Any], outcome: str) -> None:
        self.metrics.telegram_calls.labels(method=method.__api_method__, outcome=outcome).inc()


def _where(method: TelegramMethod[Any]) -> str:
    chat = chat_of(method)
    return method.__api_method__ + (f" to chat {chat}" if chat is not None else "")
