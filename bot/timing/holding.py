"""Holding back, at submission time, the rows whose recipients are inside quiet hours.

A pass over a campaign first lets out the rows whose time has come, then, before each take,
looks at the campaign's zones: rows of a zone inside quiet hours now become `waiting` until the
window ends there. The zones are few (a dozen for all of Russia), so this costs a few writes
when a zone enters quiet hours, never a look at each row. A send the platform times is judged
at its `sent_date` instead, once per pass.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.timing.quiet_hours import QuietHours, quiet_zones, zone_of
from storage.clock import to_iso
from storage.message_times import MessageTimes

log = logging.getLogger(__name__)

HOLD_SLICE = 1000  # rows held per write: a few tens of milliseconds of the event loop
SENT_DATE_FORMAT = "%Y-%m-%d %H:%M"


@dataclass(frozen=True)
class PlatformTimes:
    """A campaign the platform sends at `sent_date` (in its own zone), not when submitted."""

    sent_date: str
    zone: ZoneInfo


class QuietHold:
    """One submission pass's view of quiet hours over one campaign."""

    def __init__(
        self,
        messages: MessageTimes,
        campaign_id: int,
        *,
        window: QuietHours | None,
        default_zone: ZoneInfo,
        clock: Callable[[], datetime],
        platform_times: PlatformTimes | None = None,
    ) -> None:
        self._messages = messages
        self._campaign_id = campaign_id
        self._window = window
        self._default = default_zone
        self._clock = clock
        self._platform = platform_times
        self._zones: list[str | None] = []
        self._held: frozenset[str | None] = frozenset()

    async def open(self) -> None:
        """At the start of a pass: waiting rows whose time has come become `new`; for a send
        the platform times, each zone's time is moved out of quiet hours there."""
        released = self._messages.release_due(self._campaign_id, to_iso(self._clock()))
        if released:
            log.info("campaign %s: %d waiting recipients are due now", self._campaign_id, released)
        if self._window is not None:
            self._zones = self._messages.zone_names(self._campaign_id)
            if self._platform is not None:
                await self._move_platform_times(self._window, self._platform)

    async def _move_platform_times(self, window: QuietHours, platform: PlatformTimes) -> None:
        """The platform sends at `sent_date`, so quiet hours are judged then (or now, if that
        has passed): a zone inside them gets the window's end there as its `sent_date`."""
        now = self._clock()
        for zone in self._zones:
            written = self._messages.sent_date_of(self._campaign_id, zone) or platform.sent_date
            try:
                planned = datetime.strptime(written, SENT_DATE_FORMAT)
            except ValueError:
                continue
            moment = max(planned.replace(tzinfo=platform.zone), now)
            ends = window.ends_after(moment, zone_of(zone, self._default))
            if ends is None:
                continue
            later = ends.astimezone(platform.zone).strftime(SENT_DATE_FORMAT)
            moved = 0
            while True:
                count = self._messages.date_some(self._campaign_id, zone, later, HOLD_SLICE)
                moved += count
                if count < HOLD_SLICE:
                    break
                await asyncio.sleep(0)
            log.info(
                "campaign %s: %d recipients in %s would get it inside quiet hours; sent_date %s",
                self._campaign_id,
                moved,
                zone or "TIMEZONE",
                later,
            )

    async def check(self) -> None:
        """Before rows are taken: those of zones inside quiet hours now wait for its end.

        A zone entering quiet hours may hold most of a big list: its rows are held a slice at
        a time, letting the event loop serve callbacks in between. A send the platform times
        was judged at its time by `open`."""
        if self._window is None or self._platform is not None:
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
