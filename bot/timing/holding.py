"""Holding back, at submission time, the rows whose recipients are inside quiet hours.

A pass over a campaign first lets out the rows whose time has come, then, before each take,
looks at the campaign's zones: rows of a zone inside quiet hours now become `waiting` until the
window ends there. The zones are few (a dozen for all of Russia), so this costs one UPDATE when
a zone enters quiet hours, never a look at each row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.timing.quiet_hours import QuietHours, quiet_zones
from storage.clock import to_iso
from storage.messages import Messages

log = logging.getLogger(__name__)

HOLD_SLICE = 1000  # rows held per write: a few tens of milliseconds of the event loop


class QuietHold:
    """One submission pass's view of quiet hours over one campaign."""

    def __init__(
        self,
        messages: Messages,
        campaign_id: int,
        *,
        window: QuietHours | None,
        default_zone: ZoneInfo,
        clock: Callable[[], datetime],
    ) -> None:
        self._messages = messages
        self._campaign_id = campaign_id
        self._window = window
        self._default = default_zone
        self._clock = clock
        self._zones: list[str | None] = []
        self._held: frozenset[str | None] = frozenset()

    def open(self) -> None:
        """At the start of a pass: waiting rows whose time has come become `new`."""
        released = self._messages.release_due(self._campaign_id, to_iso(self._clock()))
        if released:
            log.info("campaign %s: %d waiting recipients are due now", self._campaign_id, released)
        if self._window is not None:
            self._zones = self._messages.zone_names(self._campaign_id)

    async def check(self) -> None:
        """Before rows are taken: those of zones inside quiet hours now wait for its end.

        A zone entering quiet hours may hold most of a big list: its rows are held a slice at
        a time, letting the event loop serve callbacks in between."""
        if self._window is None:
            return
        quiet = quiet_zones(self._window, self._clock(), self._zones, self._default)
        if frozenset(quiet) == self._held:
            return
        held = 0
        for zone, ends in quiet.items():
            while True:
                count = self._messages.hold(self._campaign_id, zone, to_iso(ends), HOLD_SLICE)
                held += count
                if count < HOLD_SLICE:
                    break
                await asyncio.sleep(0)
        self._held = frozenset(quiet)
        if held:
            log.info(
                "campaign %s: %d recipients inside quiet hours (%s) wait: %s",
                self._campaign_id,
                held,
                self._window,
                ", ".join(
                    f"{zone or 'TIMEZONE'} until {to_iso(end)}" for zone, end in quiet.items()
                ),
            )
