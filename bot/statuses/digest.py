"""The periodic digest (DIGEST_CRON): one card in the notify group with the period's campaigns,
recipients and share delivered, per type, its estimated spend when PULSE_PRICES is set, and one
chart of the messages handed over each day. This module gathers the figures; how they read is
bot/statuses/digest_card.py's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.compose.list_process import BIG_LIST_ROWS, in_list_process
from bot.config import Settings
from bot.notices import Notice, Notices
from bot.schedule.when import cron_trigger
from bot.statuses.chats import notify_chat_id
from bot.statuses.spend import Spend, spend_at, spend_of
from storage.campaigns import PeriodRow
from storage.clock import from_iso, to_iso
from storage.db import file_of
from storage.store import Store

log = logging.getLogger(__name__)

LAST_DIGEST_KEY = "digest_last_at"
FIRST_PERIOD = timedelta(days=7)  # before the first digest: the week before it
JOB_ID = "digest"


@dataclass(frozen=True)
class TypeFigures:
    """One message type's campaigns in the period."""

    type: str
    campaigns: int
    recipients: int
    accepted: int  # messages the platform took
    delivered: int


@dataclass(frozen=True)
class DayFigures:
    """The messages taken by the platform on one day (in TIMEZONE), by where they are now."""

    day: str  # YYYY-MM-DD
    delivered: int
    failed: int
    pending: int  # no final status yet


@dataclass(frozen=True)
class DigestNotice(Notice):
    """A period's figures for the notify group."""

    start: datetime
    end: datetime
    zone: tzinfo  # TIMEZONE, the one the days are counted in
    types: tuple[TypeFigures, ...]  # most recipients first
    days: tuple[DayFigures, ...]  # oldest first; empty when nothing was taken
    spend: Spend | None  # None without PULSE_PRICES
    currency: str


def digest_of(
    rows: list[PeriodRow],
    start: datetime,
    end: datetime,
    zone: tzinfo,
    spend: Spend | None = None,
    currency: str = "",
) -> DigestNotice:
    """The period's figures from its rows (one per day and type)."""
    by_type: dict[str, list[int]] = {}
    by_day: dict[str, list[int]] = {}
    for row in rows:
        totals = by_type.setdefault(row.type, [0, 0, 0, 0])
        for index, value in enumerate((row.campaigns, row.recipients, row.accepted, row.delivered)):
            totals[index] += value
        day = by_day.setdefault(row.day, [0, 0, 0])
        day[0] += row.delivered
        day[1] += row.failed
        day[2] += row.accepted - row.delivered - row.failed
    types = tuple(
        TypeFigures(kind, *totals)
        for kind, totals in sorted(by_type.items(), key=lambda item: -item[1][1])
    )
    days = tuple(DayFigures(day, *by_day[day]) for day in sorted(by_day))
    if not any(sum((day.delivered, day.failed, day.pending)) for day in days):
        days = ()
    return DigestNotice(start, end, zone, types, days, spend, currency)


class DigestService:
    """Sends the digest on DIGEST_CRON in TIMEZONE; each covers the time since the previous one."""

    def __init__(
        self,
        notices: Notices,
        store: Store,
        settings: Settings,
        clock: Callable[[], datetime],
    ) -> None:
        self.notices, self.store, self.settings, self.clock = notices, store, settings, clock

    def register(self, scheduler: AsyncIOScheduler) -> None:
        if not self.settings.digest_cron:
            return
        trigger = cron_trigger(self.settings.digest_cron, self.settings.zone)
        scheduler.add_job(
            self.send,
            trigger,
            id=JOB_ID,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=3600,  # a busy moment delays it, never drops it
        )

    async def send(self) -> bool:
        """Send the digest of the period since the last one; True once Telegram took it."""
        chat = notify_chat_id(self.settings, self.store.kv)
        if chat is None:
            return False
        end = self.clock()
        last = self.store.kv.get(LAST_DIGEST_KEY)
        start = from_iso(last) if last else end - FIRST_PERIOD
        zone = self.settings.zone
        offset = end.astimezone(zone).utcoffset() or timedelta(0)
        read = self.store.campaigns.period_reader(
            to_iso(start), to_iso(end), int(offset.total_seconds() // 60)
        )
        rows = await asyncio.to_thread(read)
        spend = await self._spend(start, end, sum(row.accepted for row in rows))
        notice = digest_of(rows, start, end, zone, spend, self.settings.currency)
        if not await self.notices.tell(chat, notice):
            log.warning("digest not sent; the next one covers this period too")
            return False
        self.store.kv.set(LAST_DIGEST_KEY, to_iso(end))
        log.info("digest sent: %s campaigns", sum(row.campaigns for row in rows))
        return True

    async def _spend(self, start: datetime, end: datetime, accepted: int) -> Spend | None:
        """The period's estimated spend over its `accepted` messages, summed in a worker thread,
        or for many in the list process; None without prices."""
        prices = self.settings.pulse_prices
        if not prices:
            return None
        path = file_of(self.store.db)
        if path is not None and accepted >= BIG_LIST_ROWS:
            return await in_list_process(spend_at, path, to_iso(start), to_iso(end), dict(prices))
        read = self.store.campaigns.accepted_reader(to_iso(start), to_iso(end))
        return await asyncio.to_thread(lambda: spend_of(read(), prices))
