"""Platform requests in flight for every campaign together, bounded by the adaptive level."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.platform.concurrency import AdaptiveConcurrency


class RequestSlots:
    """Platform requests in flight, shared by every campaign, at most the adaptive level."""

    def __init__(
        self, limit: AdaptiveConcurrency, crowded: Callable[[], bool] = lambda: False
    ) -> None:
        """`crowded()`: whether the program's event loop runs late (bot/loop_lag.py)."""
        self.limit = limit
        self.crowded = crowded
        self.in_use = 0
        self._freed = asyncio.Event()

    @property
    def size(self) -> int:
        return self.limit.level

    async def acquire(self, most: int, halted: Callable[[], bool]) -> int:
        """Wait for at least one free slot and take up to `most`; 0 once `halted()` is true."""
        while not halted():
            free = self.limit.level - self.in_use
            if free > 0:
                taken = min(free, most)
                self.in_use += taken
                return taken
            self._freed.clear()
            await self._freed.wait()
        return 0

    def release(self, count: int = 1) -> None:
        self.in_use -= count
        self._freed.set()

    def answered(self, latency: float, ticket: int) -> None:
        before = self.limit.level
        self.limit.answered(latency, ticket, crowded=self.crowded())
        if self.limit.level > before:
            self._freed.set()

    def refused(self, ticket: int) -> None:
        self.limit.refused(ticket)

    def wake(self) -> None:
        """Let waiters re-check whether they were halted."""
        self._freed.set()
