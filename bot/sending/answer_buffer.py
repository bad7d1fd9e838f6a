"""Answers of a submission pass kept in memory and written together, one transaction per batch.

A row stays `submitting` until its answer is written, so a crash before the write can only turn
it into `unknown` at the next start: never into a second send.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from storage.messages import SubmitState
from storage.store import Store

log = logging.getLogger(__name__)

Answer = tuple[int, SubmitState, str | None, str | None]  # row id, state, platform id, error


class AnswerBuffer:
    """Writes a campaign's answers at `flush_rows` buffered, or `flush_seconds` after the first."""

    def __init__(
        self,
        store: Store,
        campaign_id: int,
        *,
        flush_rows: int,
        flush_seconds: float,
        on_stored: Callable[[], None],
    ) -> None:
        self._store = store
        self._campaign_id = campaign_id
        self._flush_rows = flush_rows
        self._flush_seconds = flush_seconds
        self._on_stored = on_stored
        self._answers: list[Answer] = []
        self._back_to_new: list[int] = []
        self._timer: asyncio.TimerHandle | None = None

    def answered(
        self, row_id: int, state: SubmitState, platform_id: str | None, error: str | None
    ) -> None:
        self._answers.append((row_id, state, platform_id, error))
        self._schedule()

    def put_back(self, row_id: int) -> None:
        """The platform created nothing for this row: it waits as `new` for the next pass."""
        self._back_to_new.append(row_id)
        self._schedule()

    def _schedule(self) -> None:
        if len(self._answers) + len(self._back_to_new) >= self._flush_rows:
            self.flush()
        elif self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(self._flush_seconds, self.flush)

    def flush(self) -> None:
        """Write what is buffered in one transaction; on failure keep it for the next write."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._answers and not self._back_to_new:
            return
        answers, self._answers = self._answers, []
        back_to_new, self._back_to_new = self._back_to_new, []
        try:
            with self._store.db.atomic():
                if answers:
                    self._store.messages.finish_submissions(answers)
                if back_to_new:
                    self._store.messages.back_to_new(back_to_new)
        except sqlite3.Error:
            log.exception("campaign %s: could not store answers", self._campaign_id)
            self._answers[:0] = answers
            self._back_to_new[:0] = back_to_new
            return
        try:
            self._on_stored()
        except Exception:
            log.exception("campaign %s: change listener failed", self._campaign_id)
