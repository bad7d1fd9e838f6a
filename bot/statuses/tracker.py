"""A campaign's lifecycle after submission: it is finished once every row is final, or once its
TTL has passed, whether or not any chat shows its card.

Driven by what can end a campaign: each commit of statuses, the end of submission, and a look
once a minute (a TTL passes with nothing arriving). Finishing and owing each following chat its
final report is one transaction, so a stop in between loses no report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.config import Settings
from bot.statuses.chats import card_chats
from storage.campaigns import Campaign, CampaignState
from storage.clock import from_iso, to_iso, utc_now
from storage.store import Store

log = logging.getLogger(__name__)


class CampaignTracker:
    """`campaign_changed` finishes the campaign when it is due, then passes the change on."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        on_change: Callable[[int], None],
        *,
        watch_interval: float = 60.0,
        fallback_ttl: timedelta = timedelta(hours=72),
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store, self.settings, self.on_change = store, settings, on_change
        self.watch_interval, self.fallback_ttl, self.now = watch_interval, fallback_ttl, now
        self._watch: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Finish what became due while the program was stopped, then look once a minute."""
        self.look()
        self._watch = asyncio.create_task(self._watch_campaigns())

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None

    def campaign_changed(self, campaign_id: int) -> None:
        try:
            self.settle(campaign_id)
        except sqlite3.Error as error:  # the next change or the next look tries again
            log.warning("could not settle campaign %s: %s", campaign_id, error)
        self.on_change(campaign_id)

    def look(self) -> None:
        """Every campaign waiting for statuses: finish those whose time has come."""
        try:
            waiting = self.store.campaigns.with_state(CampaignState.SUBMITTED)
        except sqlite3.Error as error:
            log.warning("could not look at running campaigns: %s", error)
            return
        for campaign in waiting:
            try:
                finished = self.settle(campaign.id)
            except sqlite3.Error as error:
                log.warning("could not settle campaign %s: %s", campaign.id, error)
                continue
            if finished:
                self.on_change(campaign.id)

    def settle(self, campaign_id: int) -> bool:
        """Finish the campaign if every row is final, statuses will never come, or the TTL has
        passed; True when this call finished it."""
        campaign = self.store.campaigns.get(campaign_id)
        if campaign is None or campaign.state is not CampaignState.SUBMITTED:
            return False
        if not self.store.statuses.handed_over(campaign_id):
            return False  # the TTL counts for messages the platform has, not for waiting rows
        due = (
            not campaign.callbacks
            or self.ttl_passed(campaign)
            or self.store.statuses.settled(campaign_id)
        )
        if not due:
            return False
        chats = card_chats(self.store, self.settings, campaign)
        with self.store.db.atomic():
            finished = self.store.campaigns.move(
                campaign_id,
                (CampaignState.SUBMITTED,),
                CampaignState.FINISHED,
                finished_at=to_iso(self.now()),
            )
            if finished:
                self.store.reports.owe(campaign_id, chats)
        if finished:
            log.info("campaign %s finished", campaign_id)
        return finished

    def ttl_passed(self, campaign: Campaign) -> bool:
        """The TTL (minutes) counts from submission, or from `sent_date` when the platform waits
        (the latest, when recipients have their own: each at their local time)."""
        started = from_iso(campaign.submitted_at or campaign.created_at)
        if campaign.sent_date:
            own = self.store.message_times.latest_sent_date(campaign.id)
            with contextlib.suppress(ValueError):
                planned = datetime.strptime(max(campaign.sent_date, own or ""), "%Y-%m-%d %H:%M")
                started = max(started, planned.replace(tzinfo=self.settings.pulse_zone))
        ttl = timedelta(minutes=campaign.ttl) if campaign.ttl else self.fallback_ttl
        return self.now() > started + ttl

    async def _watch_campaigns(self) -> None:
        while True:
            await asyncio.sleep(self.watch_interval)
            self.look()
