"""Watches the event loop for stalls: how late a callback due every 50 ms runs, and what ran.

Every 50 ms a callback notes how much later than asked it ran (the loop's lag) in a histogram.
The lag alone cannot say what held the loop, because it is measured after the loop is free
again; so a watchdog thread looks at the loop's thread while it is held, and once it has been
held longer than the warning threshold it notes the running task's name and where its code
was. When the loop is free again one warning names the stall's length and that culprit.

Garbage collection holds every thread at once, wherever an allocation happened to start it;
so the monitor also times each collection, and a warning says how much of a stall was one.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import Gauge, Histogram

log = logging.getLogger(__name__)

_PROJECT = str(Path(__file__).resolve().parents[1])
# "Lately" for `crowded`: the last ten samples, half a second at the usual interval.
RECENT_SAMPLES = 10
# Half the longest hold people should ever feel (quality.md L3: 100 ms).
CROWDED_LAG_S = 0.05


@dataclass(frozen=True)
class Stall:
    """One stall of the loop: how long it was held and what held it, as far as known."""

    seconds: float
    task: str | None  # the name of the task that ran, None for a plain callback or unknown
    where: str | None  # the code that ran when the watchdog looked, innermost last
    collecting: float = 0.0  # seconds of garbage collection since the sample before


def freeze_startup_objects() -> int:
    """Keep every object alive now out of all later garbage collections; returns how many.

    Called once the program is built. Importing aiogram builds every Bot API model: about
    220,000 objects that live as long as the program. Each full collection walked them all and
    held every thread for about 150 ms, several times in a big campaign's first seconds
    (docs/benchmarks.md, L3 extended); frozen, they are never walked again. Only objects made
    later are collected, as before.
    """
    gc.freeze()
    return gc.get_freeze_count()


class LoopLagMonitor:
    """Samples the loop's lag into `histogram`; warns about stalls over `warn_after` seconds."""

    def __init__(
        self,
        histogram: Histogram,
        *,
        longest: Gauge | None = None,
        collections: Histogram | None = None,
        interval: float = 0.05,
        warn_after: float = 0.25,
        on_stall: Callable[[Stall], None] | None = None,
    ) -> None:
        self._histogram = histogram
        self._longest = longest
        self._longest_seen = 0.0
        self._collections = collections
        # Appended by whichever thread collects (a deque's append needs no lock), read by _tick.
        self._pauses: deque[tuple[int, float]] = deque()
        self._collection_began = 0.0
        self._interval = interval
        self._warn_after = warn_after
        self._on_stall = on_stall
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._expected = 0.0
        # Written by the loop's thread, read by the watchdog: a beat in time.monotonic() seconds.
        self._beat = 0.0
        self._culprit: tuple[str | None, str | None] | None = None
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._recent: deque[float] = deque(maxlen=RECENT_SAMPLES)

    def start(self) -> None:
        """Start sampling in the running loop (and the watchdog thread beside it)."""
        self._loop = asyncio.get_running_loop()
        self._beat = time.monotonic()
        self._schedule()
        gc.callbacks.append(self._collecting)
        loop_thread = threading.get_ident()
        self._stop.clear()
        self._watchdog = threading.Thread(
            target=self._watch, args=(loop_thread,), name="loop-lag-watchdog", daemon=True
        )
        self._watchdog.start()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._collecting in gc.callbacks:
            gc.callbacks.remove(self._collecting)
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join(timeout=1.0)
            self._watchdog = None

    def _schedule(self) -> None:
        assert self._loop is not None
        self._expected = self._loop.time() + self._interval
        self._handle = self._loop.call_at(self._expected, self._tick)

    def _tick(self) -> None:
        assert self._loop is not None
        lag = max(0.0, self._loop.time() - self._expected)
        self._beat = time.monotonic()
        self._histogram.observe(lag)
        self._recent.append(lag)
        if lag > self._longest_seen:
            self._longest_seen = lag
            if self._longest is not None:
                self._longest.set(lag)
        culprit, self._culprit = self._culprit, None
        collecting = self._collected()
        if lag > self._warn_after:
            task, where = culprit if culprit is not None else (None, None)
            self._report(Stall(lag, task, where, collecting))
        self._schedule()

    def _collecting(self, phase: str, info: dict[str, int]) -> None:
        """gc's callback, in the collecting thread: no locks here, a collection may have begun
        inside any code, a lock's holder included."""
        if phase == "start":
            self._collection_began = time.perf_counter()
        else:
            self._pauses.append((info["generation"], time.perf_counter() - self._collection_began))

    def _collected(self) -> float:
        """The seconds collections took since the last sample, each one put in the histogram."""
        total = 0.0
        while self._pauses:
            generation, seconds = self._pauses.popleft()
            total += seconds
            if self._collections is not None:
                self._collections.labels(generation=str(generation)).observe(seconds)
        return total

    def crowded(self) -> bool:
        """Whether the loop ran late lately (the last half second): work that can wait, such as
        more platform requests in flight, should then give way to people and status callbacks."""
        return bool(self._recent) and max(self._recent) > CROWDED_LAG_S

    def _report(self, stall: Stall) -> None:
        log.warning(
            "event loop stalled for %.0f ms; ran: %s%s%s",
            stall.seconds * 1000,
            f"task {stall.task!r}" if stall.task else "a callback outside any task",
            f" at {stall.where}" if stall.where else "",
            f"; garbage collection took {stall.collecting * 1000:.0f} ms of it"
            if stall.collecting >= 0.001
            else "",
        )
        if self._on_stall is not None:
            self._on_stall(stall)

    def _watch(self, loop_thread: int) -> None:
        """In its own thread: look at the loop while it is held beyond the threshold, once."""
        looked_at = 0.0
        while not self._stop.wait(self._interval):
            beat = self._beat
            if beat == looked_at or time.monotonic() - beat < self._warn_after:
                continue
            looked_at = beat  # one look per stall: the first is the one that names it
            self._culprit = self._what_runs(loop_thread)

    def _what_runs(self, loop_thread: int) -> tuple[str | None, str | None]:
        task = None
        if self._loop is not None:
            try:
                running = asyncio.current_task(self._loop)
            except RuntimeError:
                running = None
            task = running.get_name() if running is not None else None
        frame = sys._current_frames().get(loop_thread)
        if frame is None:
            return task, None
        return task, _describe(traceback.extract_stack(frame))


def _describe(stack: traceback.StackSummary) -> str | None:
    """The innermost frames of the program's own code, and the innermost frame overall."""
    ours = [
        frame
        for frame in stack
        if frame.filename.startswith(_PROJECT) and "site-packages" not in frame.filename
    ]
    shown = ours[-2:]
    if stack and (not shown or stack[-1] is not shown[-1]):
        shown.append(stack[-1])
    return (
        " < ".join(
            f"{_short(frame.filename)}:{frame.lineno} {frame.name}" for frame in reversed(shown)
        )
        or None
    )


def _short(filename: str) -> str:
    return filename[len(_PROJECT) + 1 :] if filename.startswith(_PROJECT) else filename
