"""How many platform requests may be in flight: additive increase, multiplicative decrease.

The level starts at `PULSE_CONCURRENCY` and grows by one per round trip (a round is as many
answers as the level) while answers come back about as fast as the best seen lately and nothing
is refused. A refusal (429, 503, a failed connection) halves it at once; a round whose answers
come back much slower than the best, or that ends while the program's own event loop runs late,
cuts it by a quarter. Only one cut per round trip: answers
to requests sent before a cut describe the old level, not the new one.

After a refusal the level that was refused is remembered and approached slowly (several clean
rounds per step just below it), so a platform with a hard limit on requests in flight is probed
rarely instead of once per sawtooth. The object is pure: no clock, no I/O; the caller measures.
"""

from __future__ import annotations

import math


class AdaptiveConcurrency:
    """The current level of concurrency, moved by the answers fed to it."""

    def __init__(
        self,
        start: int,
        ceiling: int,
        *,
        floor: int = 1,
        near: float = 1.5,
        rising: float = 2.0,
        slack: float = 0.005,
        refused_factor: float = 0.5,
        slow_factor: float = 0.75,
        careful_rounds: int = 4,
        best_rounds: int = 20,
    ) -> None:
        if not 1 <= floor <= ceiling:
            raise ValueError(f"need 1 <= floor ({floor}) <= ceiling ({ceiling})")
        self.floor = floor
        self.ceiling = ceiling
        self.level = min(max(start, floor), ceiling)
        self.refusals = 0
        # Latency "near its best" is at most near × best + slack; "rising" is above
        # rising × best + slack. The slack keeps loopback-fast platforms (a best of 1 ms) from
        # looking slow at every scheduling hiccup.
        self._near = near
        self._rising = rising
        self._slack = slack
        self._refused_factor = refused_factor
        self._slow_factor = slow_factor
        self._careful_rounds = careful_rounds
        self._best_rounds = best_rounds
        self._epoch = 0  # bumped at each cut; a request remembers the epoch it left in
        self._refused_at: int | None = None  # the level at which the platform last refused
        self._clean_rounds = 0  # clean rounds in a row at the current level
        self._round_count = 0
        self._round_total = 0.0
        # The best latency is the minimum over the last one or two windows of round trips, so a
        # platform that became slower for good gets a new baseline instead of a level of one.
        self._window_rounds = 0
        self._window_best = math.inf
        self._previous_best = math.inf

    @property
    def best(self) -> float | None:
        """The best latency seen lately, in seconds (None before the first answer)."""
        best = min(self._window_best, self._previous_best)
        return None if best == math.inf else best

    def ticket(self) -> int:
        """Taken when a request leaves; handed back with its answer."""
        return self._epoch

    def answered(self, latency: float, ticket: int, *, crowded: bool = False) -> None:
        """The platform answered a request (whatever the answer) after `latency` seconds.

        `crowded`: the program itself is running late (its event loop), so a round ending now
        is cut as a slow one would be: more requests in flight would only make it later."""
        self._note_best(latency)
        if ticket != self._epoch:
            return  # left before the last cut: it says nothing about the current level
        self._round_count += 1
        self._round_total += latency
        if self._round_count >= self.level:
            self._end_round(self._round_total / self._round_count, crowded)

    def refused(self, ticket: int) -> None:
        """The platform refused a request (429, 503) or could not be reached: created nothing."""
        self.refusals += 1
        if ticket != self._epoch:
            return  # the cut for this round trip was already made
        self._refused_at = self.level
        self._cut(self._refused_factor)

    def _end_round(self, average: float, crowded: bool) -> None:
        best = self.best if self.best is not None else average
        self._round_count = 0
        self._round_total = 0.0
        self._window_rounds += 1
        if self._window_rounds >= self._best_rounds:
            self._previous_best = self._window_best
            self._window_best = math.inf
            self._window_rounds = 0
        if crowded or average > self._rising * best + self._slack:
            self._cut(self._slow_factor)
            return
        if average > self._near * best + self._slack:
            self._clean_rounds = 0
            return  # not clearly slower, not near the best: hold
        self._clean_rounds += 1
        if self.level >= self.ceiling:
            return
        if self._refused_at is not None:
            if self.level >= self._refused_at:
                # A clean round at the level once refused: the platform's limit moved.
                self._refused_at = None
            elif self.level + 1 >= self._refused_at and self._clean_rounds < self._careful_rounds:
                return
        self._set(self.level + 1)

    def _cut(self, factor: float) -> None:
        self._epoch += 1
        self._round_count = 0
        self._round_total = 0.0
        self._set(max(self.floor, math.floor(self.level * factor)))

    def _set(self, level: int) -> None:
        self.level = level
        self._clean_rounds = 0

    def _note_best(self, latency: float) -> None:
        self._window_best = min(self._window_best, latency)
