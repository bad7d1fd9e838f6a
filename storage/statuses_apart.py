"""The status writer's own thread and connection: `Statuses` off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlite_utils import Database

from storage.db import file_of, open_apart
from storage.statuses import Statuses

T = TypeVar("T")


class StatusesApart:
    """`Statuses` in a thread of its own over a connection of its own, for the status writer.

    The event loop hands batches over and awaits them: waiting for the write lock while a list
    is stored or copied, and the commit's sync, happen in this thread. One thread keeps the
    batches in the order they were handed over.
    """

    # Longer than on the loop: only the callers of this batch wait, and a list's piece being
    # stored beside it should delay statuses, not refuse them.
    BUSY_TIMEOUT_MS = 1000

    def __init__(self, path: str) -> None:
        self._path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="statuses")
        self._statuses: Statuses | None = None

    @classmethod
    def of(cls, db: Database) -> StatusesApart | None:
        """One for the program's database; None for an in-memory one (no second connection)."""
        path = file_of(db)
        return cls(path) if path else None

    async def run(self, work: Callable[[Statuses], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._run, work)

    def _run(self, work: Callable[[Statuses], T]) -> T:
        if self._statuses is None:
            # `apply` sets this wait for the write lock around each batch itself.
            self._statuses = Statuses(open_apart(self._path), busy_timeout_ms=self.BUSY_TIMEOUT_MS)
        return work(self._statuses)

    def close(self) -> None:
        """Close the connection in its thread, then let the thread go (at shutdown)."""
        self._thread.submit(self._close).result()
        self._thread.shutdown(wait=True)

    def _close(self) -> None:
        if self._statuses is not None:
            self._statuses.db.close()
            self._statuses = None
