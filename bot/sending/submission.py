"""Hands one campaign's recipient rows to the platform: bounded concurrency, retries, batched writes.

A row is moved to `submitting` (committed) before its request leaves, so a crash can only leave
rows whose fate is truly unknown. Answers are written in batches. `Unavailable` answers (nothing
reached the platform, or it answered 429/503) are retried with capped backoff honouring
Retry-After; when they persist the rows go back to `new` and the run pauses. `Uncertain` answers
make rows `unknown` and are never retried by the program; several in a row pause the run.
A refusal about the whole account (token, balance, a blocked account) created nothing: its rows
go back to `new` and the run pauses until the author resumes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from bot.links.tracking import LinkShortener
from bot.logs import mask_phone
from bot.metrics import Metrics
from bot.platform.charsets import CharsetError
from bot.platform.reasons import Reason, ReasonCode
from bot.platform.rejections import (
    PLATFORM_ACCOUNT_ERRORS,
    PLATFORM_TOKEN_ERROR,
    RefusalScope,
    refusal_scope,
)
from bot.platform.results import (
    Accepted,
    OutgoingMessage,
    Rejected,
    SendResult,
    Unavailable,
    Uncertain,
    backoff_delays,
)
from bot.sending.answer_buffer import AnswerBuffer
from bot.sending.outgoing import build_message, check_encodable
from bot.sending.request_slots import RequestSlots
from bot.sending.run_report import Pause, PauseKind, RunEnd, RunReport
from bot.timing.holding import QuietHold
from storage.campaigns import Campaign
from storage.messages import MessageRow, SubmitState
from storage.store import Store

log = logging.getLogger(__name__)


class PlatformClient(Protocol):
    """What the engine needs from a platform: the real client and the sandbox both have it."""

    async def send_message(self, message: OutgoingMessage) -> SendResult: ...

    async def send_list(
        self, *, type: str, sender: str, charset: str | None, messages: list[OutgoingMessage]
    ) -> list[SendResult]: ...


@dataclass(frozen=True)
class SubmissionOptions:
    """How rows are handed over; the defaults suit the real platform, tests shorten the waits."""

    mode: Literal["single", "list"] = "single"
    list_chunk: int = 500
    retry_delays: tuple[float, ...] = tuple(backoff_delays(max_tries=5, base=0.5, cap=30.0))
    retry_after_cap: float = 120.0  # a longer Retry-After pauses the run instead of waiting
    flush_rows: int = 1000  # answers kept in memory before they are written at the latest
    flush_seconds: float = 0.25
    unknown_pause_after: int = 5  # unknown answers in a row that pause the run
    token_error: str = PLATFORM_TOKEN_ERROR
    account_errors: tuple[str, ...] = PLATFORM_ACCOUNT_ERRORS


class CampaignSubmission:
    """One pass over a campaign's `new` rows; `run()` returns why it ended."""

    def __init__(
        self,
        campaign: Campaign,
        *,
        store: Store,
        platform: PlatformClient,
        slots: RequestSlots,
        options: SubmissionOptions,
        callback_base: str | None,
        callback_secret: str,
        metrics: Metrics,
        on_stored: Callable[[], None],
        links: LinkShortener | None = None,
        hold: QuietHold | None = None,
        platform_minute: Callable[[], str] | None = None,
    ) -> None:
        self.campaign = campaign
        self._hold = hold
        # For a campaign the platform times: its current minute, before which no sent_date goes.
        self._platform_minute = platform_minute
        self._links = links
        self._prepared: dict[int, OutgoingMessage] = {}
        self._store = store
        self._platform = platform
        self._slots = slots
        self._options = options
        self._callback_base = callback_base
        self._callback_secret = callback_secret
        self._metrics = metrics
        self._halt = asyncio.Event()
        self._stopping = False
        self._pause: Pause | None = None
        self._answers = AnswerBuffer(
            store,
            campaign.id,
            flush_rows=options.flush_rows,
            flush_seconds=options.flush_seconds,
            on_stored=on_stored,
        )
        self._counts: Counter[str] = Counter()
        self._counters: dict[str, Any] = {}  # prometheus children by endpoint or outcome
        self._unknown_streak = 0  # answers in a row that left their rows unknown
        self._refused = 0
        self._levels = (slots.size, slots.size)

    def stop(self) -> None:
        """Take no more rows; requests in flight still get their answers stored."""
        self._stopping = True
        self._halt.set()
        self._slots.wake()

    def _halted(self) -> bool:
        return self._halt.is_set()

    async def run(self) -> RunReport:
        unit = self._options.list_chunk if self._options.mode == "list" else 1
        in_flight: set[asyncio.Task[None]] = set()

        def finished(task: asyncio.Task[None]) -> None:
            in_flight.discard(task)
            self._slots.release()
            if not task.cancelled() and task.exception() is not None:
                # A defect: its rows stay `submitting` and become `unknown` at the next start.
                log.error(
                    "campaign %s: a submission failed", self.campaign.id, exc_info=task.exception()
                )

        if self._hold is not None:
            await self._hold.open()
        try:
            while not self._halted():
                units = await self._slots.acquire(self._slots.size, self._halted)
                if units == 0:
                    break
                level = self._slots.size
                self._levels = (min(self._levels[0], level), max(self._levels[1], level))
                if self._hold is not None:  # quiet hours, judged at each take
                    await self._hold.check()
                rows = [] if self._halted() else self._take(units * unit)
                self._prepare(rows)
                groups = [rows[start : start + unit] for start in range(0, len(rows), unit)]
                self._slots.release(units - len(groups))
                if not groups:
                    break
                for group in groups:
                    task = asyncio.create_task(self._submit(group))
                    in_flight.add(task)
                    task.add_done_callback(finished)
            if in_flight:
                await asyncio.wait(set(in_flight))
        except asyncio.CancelledError:
            # A bounded drain gave up waiting: those rows stay `submitting`, unknown at next start.
            for task in in_flight:
                task.cancel()
            raise
        finally:
            self._answers.flush()
        if self._pause is not None:
            end = RunEnd.PAUSED
        else:
            end = RunEnd.STOPPED if self._stopping else RunEnd.DONE
        return RunReport(end, self._pause, self._counts, self._refused, self._levels)

    def _take(self, limit: int) -> list[MessageRow]:
        """Move rows to `submitting` in the database; only then may their requests leave."""
        return self._store.messages.take_new(self.campaign.id, limit, on_skipped=self._skipped)

    def _prepare(self, rows: list[MessageRow]) -> None:
        """Build the taken rows' messages, their short links stored in one write for all."""
        messages = [(row.id, self._message(row)) for row in rows]
        if self._links is not None and messages:
            try:
                shortened = self._links.shorten(self.campaign.id, messages)
            except sqlite3.Error:
                # The rows are already `submitting`: they go with their own addresses rather
                # than wait, since holding them would turn them into unknowns at a restart.
                log.exception("campaign %s: could not store short links", self.campaign.id)
            else:
                messages = list(zip((row_id for row_id, _ in messages), shortened, strict=True))
        self._prepared.update(messages)

    def _message(self, row: MessageRow) -> OutgoingMessage:
        passed = self._platform_minute() if self._platform_minute else None
        return build_message(
            self.campaign, row, self._callback_base, self._callback_secret, passed=passed
        )

    def _skipped(self, count: int) -> None:
        """Rows on the stop-list when their turn came: never sent, counted like an outcome."""
        self._counts[SubmitState.SKIPPED.value] += count
        self._metrics.submissions.labels(outcome=SubmitState.SKIPPED.value).inc(count)

    async def _submit(self, rows: list[MessageRow]) -> None:
        """Send one group (one row, or one list chunk) and record what became of each row."""
        ready: list[tuple[MessageRow, OutgoingMessage]] = []
        for row in rows:
            message = self._prepared.pop(row.id, None) or self._message(row)
            try:
                check_encodable(message)
            except CharsetError as error:
                # Refused here, before any request: certainly not sent.
                self._record(row, SubmitState.REJECTED, None, error.reason.encode())
                continue
            ready.append((row, message))
        if not ready:
            return
        results = await self._send_with_retries(
            [message for _, message in ready], [row.id for row, _ in ready]
        )
        for (row, _), result in zip(ready, results, strict=True):
            self._record_result(row, result)
        unknown = [
            (row, result.reason)
            for (row, _), result in zip(ready, results, strict=True)
            if isinstance(result, Uncertain)
        ]
        if unknown:
            row, reason = unknown[0]
            log.warning(
                "campaign %s: %d unknown (never re-sent automatically), first %s: %s",
                self.campaign.id,
                len(unknown),
                mask_phone(row.sent_to),
                reason,
            )
        self._count_streak(results)

    def _count_streak(self, results: list[SendResult]) -> None:
        """Pause after several answers in a row that could not be read (a wrong URL, a proxy)."""
        if any(isinstance(result, Accepted | Rejected) for result in results):
            self._unknown_streak = 0
            return
        last = next((r for r in reversed(results) if isinstance(r, Uncertain)), None)
        if last is None:
            return
        self._unknown_streak += 1
        if self._unknown_streak >= self._options.unknown_pause_after:
            reason = Reason.of(
                ReasonCode.UNKNOWN_IN_A_ROW, count=self._unknown_streak, last=last.reason.encode()
            )
            self._pause_with(Pause(PauseKind.UNKNOWN, reason))

    async def _send_with_retries(
        self, messages: list[OutgoingMessage], row_ids: list[int]
    ) -> list[SendResult]:
        """Send, and re-send only what was certainly not created (Unavailable), with backoff.

        A row whose status arrived meanwhile exists on the platform whatever its answer said:
        it is never sent again.
        """
        results: list[SendResult] = [Unavailable(Reason.of(ReasonCode.BUSY))] * len(messages)
        pending = list(range(len(messages)))
        delays = self._options.retry_delays
        for attempt in range(len(delays) + 1):
            answers = await self._send([messages[index] for index in pending])
            for index, answer in zip(pending, answers, strict=True):
                results[index] = answer
            pending = [index for index in pending if isinstance(results[index], Unavailable)]
            if not pending or attempt == len(delays) or self._halted():
                break
            retry_after = max(
                (results[index].retry_after or 0.0 for index in pending),  # type: ignore[union-attr]
                default=0.0,
            )
            if retry_after > self._options.retry_after_cap:
                break  # the platform asks for a long wait: the run pauses and says so
            wait = max(delays[attempt], retry_after)
            log.info(
                "campaign %s: platform unavailable (%s), retry %d in %.1f s",
                self.campaign.id,
                results[pending[0]].reason,  # type: ignore[union-attr]
                attempt + 1,
                wait,
            )
            # A stop or pause ends the wait early; the rows then go back to `new`.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._halt.wait(), timeout=wait)
            if self._halted():
                break
            reported = self._store.messages.reported([row_ids[index] for index in pending])
            for index in pending:
                if row_ids[index] in reported:
                    results[index] = Accepted(reported[row_ids[index]] or "")
            pending = [index for index in pending if row_ids[index] not in reported]
            if not pending:
                break
        return results

    async def _send(self, messages: Sequence[OutgoingMessage]) -> list[SendResult]:
        """One request: `send-message` for one message, `send-list-messages` for more.

        How long it took, or that it was refused, moves the concurrency of every campaign.
        """
        loop = asyncio.get_running_loop()
        ticket = self._slots.limit.ticket()
        started = loop.time()
        try:
            if len(messages) == 1:
                self._count("send-message")
                results = [await self._platform.send_message(messages[0])]
            else:
                self._count("send-list-messages")
                first = messages[0]
                results = await self._platform.send_list(
                    type=first.type,
                    sender=first.sender,
                    charset=first.charset,
                    messages=list(messages),
                )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # A defect, not an answer: the request may have left, so nothing is re-sent.
            log.exception("campaign %s: sending failed unexpectedly", self.campaign.id)
            reason = Reason.of(ReasonCode.INTERNAL_ERROR, name=type(error).__name__)
            return [Uncertain(reason)] * len(messages)
        refusal = _refusal(results)
        if refusal is not None:
            self._refused += 1
            self._metrics.platform_refusals.labels(reason=refusal).inc()
            self._slots.refused(ticket)
        else:
            self._slots.answered(loop.time() - started, ticket)
        if len(results) != len(messages):
            reason = Reason.of(ReasonCode.LIST_MISMATCH, found=len(results), expected=len(messages))
            return [Uncertain(reason)] * len(messages)
        return results

    def _record_result(self, row: MessageRow, result: SendResult) -> None:
        if isinstance(result, Accepted):
            self._record(row, SubmitState.ACCEPTED, result.platform_id, None)
        elif isinstance(result, Rejected):
            scope = refusal_scope(
                result.message,
                whole_request=result.whole_request,
                token_error=self._options.token_error,
                account_errors=self._options.account_errors,
            )
            if scope is RefusalScope.RECIPIENT:
                self._record(row, SubmitState.REJECTED, None, result.message)
                return
            # The account was refused, not this recipient: nothing was created, it waits.
            self._put_back(row, "refused")
            reason = Reason.of(ReasonCode.REFUSED, msg=result.message, kind=scope.value)
            self._pause_with(Pause(PauseKind.REFUSED, reason))
        elif isinstance(result, Uncertain):
            self._record(row, SubmitState.UNKNOWN, None, result.reason.encode())
        else:
            self._put_back(row, "unavailable")
            if not self._stopping:  # a stop cut the retries short: the next start goes on
                self._pause_with(Pause(PauseKind.UNAVAILABLE, result.reason))

    def _put_back(self, row: MessageRow, outcome: str) -> None:
        """The platform created nothing for this row: it waits as `new` for the next pass."""
        self._answers.put_back(row.id)
        self._counts["back to new"] += 1
        self._count(outcome)

    def _record(
        self, row: MessageRow, state: SubmitState, platform_id: str | None, error: str | None
    ) -> None:
        self._answers.answered(row.id, state, platform_id, error)
        self._counts[state.value] += 1
        self._count(state.value)

    def _count(self, name: str) -> None:
        """Count a request (by endpoint name) or an outcome; label lookups are cached."""
        counter = self._counters.get(name)
        if counter is None:
            if name.startswith("send-"):
                counter = self._metrics.platform_requests.labels(endpoint=name)
            else:
                counter = self._metrics.submissions.labels(outcome=name)
            self._counters[name] = counter
        counter.inc()

    def _pause_with(self, pause: Pause) -> None:
        if self._pause is None:
            self._pause = pause
            log.warning("campaign %s: pausing: %s", self.campaign.id, pause.reason)
        self._halt.set()
        self._slots.wake()


def _refusal(results: Sequence[SendResult]) -> str | None:
    """Why the platform took nothing from this request ("429", "503", "connect"), or None."""
    if not results or not all(isinstance(result, Unavailable) for result in results):
        return None
    reason = results[0].reason  # type: ignore[union-attr]
    if reason.code is ReasonCode.BUSY:
        return str(reason.get("status", "busy"))
    return "connect"
