"""The periodic digest (DIGEST_CRON): one card in the notify group with the period's campaigns,
recipients and share delivered, per type, its estimated spend when PULSE_PRICES is set, and one
chart of the messages handed over each day."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.compose.message_types import type_name
from bot.config import Settings
from bot.schedule.when import cron_trigger, format_day
from bot.statuses.cards import share
from bot.statuses.charts import PeriodWords, draw_period_chart
from bot.statuses.chats import notify_chat_id
from bot.statuses.spend import Spend, spend_of
from bot.texts import money, number
from storage.campaigns import PeriodRow
from storage.clock import from_iso, to_iso
from storage.store import Store

log = logging.getLogger(__name__)

LAST_DIGEST_KEY = "digest_last_at"
FIRST_PERIOD = timedelta(days=7)  # before the first digest: the week before it
TYPES_LISTED = 8  # a photo caption holds 1,024 characters
JOB_ID = "digest"


class DigestService:
    """Sends the digest on DIGEST_CRON in TIMEZONE; each covers the time since the previous one."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        settings: Settings,
        i18n: I18n,
        clock: Callable[[], datetime],
    ) -> None:
        self.bot, self.store, self.settings, self.i18n, self.clock = (
            bot,
            store,
            settings,
            i18n,
            clock,
        )

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
        offset = end.astimezone(self.settings.zone).utcoffset() or timedelta(0)
        read = self.store.campaigns.period_reader(
            to_iso(start), to_iso(end), int(offset.total_seconds() // 60)
        )
        rows = await asyncio.to_thread(read)
        spend = await self._spend(start, end)
        with self.i18n.context(), self.i18n.use_locale(self.settings.locale):
            text = self._card(rows, start, end, spend)
            chart = await self._chart(rows)
            try:
                if chart is None:
                    await self.bot.send_message(chat_id=chat, text=text)
                else:
                    photo = BufferedInputFile(chart, filename="digest.png")
                    await self.bot.send_photo(chat_id=chat, photo=photo, caption=text)
            except TelegramAPIError as error:
                log.warning("digest not sent: %s", error)
                return False
        self.store.kv.set(LAST_DIGEST_KEY, to_iso(end))
        log.info("digest sent: %s campaigns", sum(row.campaigns for row in rows))
        return True

    async def _spend(self, start: datetime, end: datetime) -> Spend | None:
        """The period's estimated spend, summed in a worker thread; None without prices."""
        prices = self.settings.pulse_prices
        if not prices:
            return None
        read = self.store.campaigns.accepted_reader(to_iso(start), to_iso(end))
        return await asyncio.to_thread(lambda: spend_of(read(), prices))

    def _card(
        self, rows: list[PeriodRow], start: datetime, end: datetime, spend: Spend | None = None
    ) -> str:
        locale, zone = self.settings.locale, self.settings.zone
        lines = [
            _("<b>Digest</b> · {start} – {end}").format(
                start=format_day(start, zone, locale), end=format_day(end, zone, locale)
            )
        ]
        if not rows:
            lines.append(_("No campaigns in this period."))
            return "\n".join(lines)
        by_type: dict[str, list[int]] = {}
        for row in rows:
            totals = by_type.setdefault(row.type, [0, 0, 0, 0])
            for index, value in enumerate((row.campaigns, row.recipients, row.accepted)):
                totals[index] += value
            totals[3] += row.delivered
        campaigns, recipients, accepted, delivered = (
            sum(totals[index] for totals in by_type.values()) for index in range(4)
        )
        lines.append(
            _("Campaigns: {campaigns} · recipients: {recipients}").format(
                campaigns=number(campaigns, locale), recipients=number(recipients, locale)
            )
        )
        lines.append(
            _("✅ Delivered: {delivered} of {accepted} taken by the platform ({share})").format(
                delivered=number(delivered, locale),
                accepted=number(accepted, locale),
                share=share(delivered, accepted, locale),
            )
        )
        if spend is not None:
            lines += self._spend_lines(spend)
        lines.append("")
        ranked = sorted(by_type.items(), key=lambda item: -item[1][1])
        for kind, (count, people, taken, got) in ranked[:TYPES_LISTED]:
            lines.append(
                _(
                    "{type}: campaigns {campaigns}, recipients {recipients}, delivered {share}"
                ).format(
                    type=html.escape(type_name(kind)),
                    campaigns=number(count, locale),
                    recipients=number(people, locale),
                    share=share(got, taken, locale),
                )
            )
        return "\n".join(lines)

    def _spend_lines(self, spend: Spend) -> list[str]:
        """💰 Estimated spend: ≈ 4,900.00 ₽ for 1,960 messages; types without a price are named
        with their count rather than guessed."""
        locale = self.settings.locale
        lines = []
        if spend.messages:
            lines.append(
                ngettext(
                    "💰 Estimated spend: ≈ {amount} for {count} accepted message",
                    "💰 Estimated spend: ≈ {amount} for {count} accepted messages",
                    spend.messages,
                ).format(
                    amount=money(spend.total, self.settings.currency, locale),
                    count=number(spend.messages, locale),
                )
            )
        if spend.unpriced:
            kinds = ", ".join(
                f"{html.escape(type_name(kind))} ({number(count, locale)})"
                for kind, count in sorted(spend.unpriced.items())
            )
            lines.append(_("No price set, not counted: {types}").format(types=kinds))
        return lines

    async def _chart(self, rows: list[PeriodRow]) -> bytes | None:
        days = sorted({row.day for row in rows})
        series = {key: [0] * len(days) for key in ("delivered", "failed", "pending")}
        for row in rows:
            at = days.index(row.day)
            series["delivered"][at] += row.delivered
            series["failed"][at] += row.failed
            series["pending"][at] += row.accepted - row.delivered - row.failed
        if not any(sum(values) for values in series.values()):
            return None
        words = PeriodWords(
            title=_("Messages taken by the platform per day"),
            delivered=_("delivered"),
            failed=_("failed"),
            pending=_("no final status"),
            axis=_("messages"),
        )
        labels = [day[8:10] + "." + day[5:7] for day in days]  # 30.11, read the same in both
        try:
            return await asyncio.to_thread(draw_period_chart, labels, series, words)
        except Exception:
            log.exception("digest chart could not be drawn")
            return None
