"""What a campaign's report consists of: the CSV file of its recipients and its delivery chart,
each with its caption in the reader's language.

Both are whole-campaign scans: the rows are read over a read-only connection of their own and
the file is written in a worker thread, or for a big campaign in the list process
(bot/statuses/big_report.py), so a campaign of 100,000 recipients holds no one's button.
"""

from __future__ import annotations

import asyncio

from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _

from bot.compose.costs import message_cost
from bot.compose.list_process import BIG_LIST_ROWS, in_list_process
from bot.config import Settings
from bot.statuses.big_report import accepted_cost, report_at
from bot.statuses.charts import chart_filename, delivery_chart
from bot.statuses.report_file import ReportWords, report_csv, report_filename
from bot.texts import number, reader_locale, share
from storage.campaigns import Campaign
from storage.clock import utc_now
from storage.db import file_of
from storage.messages import MessageRow, SubmitState
from storage.store import Store


async def report_document(
    store: Store, settings: Settings, campaign: Campaign, *, full: bool
) -> tuple[BufferedInputFile, int]:
    """A campaign's report file in the current language, and how many recipients it lists."""
    cost = message_cost(campaign.text, campaign.type, settings.pulse_prices, campaign.transliterate)
    locale = reader_locale()
    filename = report_filename(campaign.id, full)
    path = file_of(store.db)
    if path is not None and campaign.recipient_count >= BIG_LIST_ROWS:
        read_errors = store.message_readers.report_errors_reader(
            campaign.id, undelivered_only=not full
        )
        errors = await asyncio.to_thread(read_errors)
        words = ReportWords.current(errors, settings.currency)  # gettext needs the loop's thread
        content, count = await in_list_process(
            report_at,
            path,
            campaign,
            words,
            settings.zone,
            full=full,
            with_clicks=store.links.has_links(campaign.id),
            cost=cost,
            locale=locale,
        )
        return BufferedInputFile(content, filename=filename), count
    read_rows = store.message_readers.report_rows_reader(campaign.id, undelivered_only=not full)
    read_clicks = (
        store.links.first_clicks_reader(campaign.id) if store.links.has_links(campaign.id) else None
    )
    rows: list[MessageRow] = await asyncio.to_thread(read_rows)
    errors = {row.error for row in rows if row.error}
    words = ReportWords.current(errors, settings.currency)  # gettext needs the loop's thread

    # The file may list only some recipients; the head gives what all accepted ones cost.
    read_accepted = (
        store.message_readers.accepted_fields_reader(campaign.id) if cost and not full else None
    )

    def write() -> bytes:
        clicks = read_clicks() if read_clicks else None
        total = None
        if cost is not None:
            accepted = (
                read_accepted()
                if read_accepted
                else (row.fields for row in rows if row.state is SubmitState.ACCEPTED)
            )
            total = accepted_cost(cost, accepted)
        return report_csv(
            campaign,
            rows,
            words,
            settings.zone,
            full=full,
            clicks=clicks,
            cost=cost,
            total_cost=total,
            locale=locale,
        )

    content = await asyncio.to_thread(write)
    return BufferedInputFile(content, filename=filename), len(rows)


def undelivered_caption(campaign_id: int, count: int, locale: str) -> str:
    return _(
        "Campaign №{id}: recipients who did not get the message: {count} (failed, "
        "rejected, skipped, cancelled or without a final status). The button under "
        "the card gives the full report."
    ).format(id=campaign_id, count=number(count, locale))


async def chart(store: Store, campaign: Campaign) -> tuple[BufferedInputFile, str] | None:
    """A campaign's delivery chart with its caption in the current language, or None while
    no message has been handed to the platform."""
    locale = reader_locale()
    drawn = await delivery_chart(store, campaign, utc_now(), locale)
    if drawn is None:
        return None
    caption = _(
        "Campaign №{id}: delivery over time. Delivered: {delivered} of {accepted} ({share})."
    ).format(
        id=campaign.id,
        delivered=number(drawn.delivered, locale),
        accepted=number(drawn.accepted, locale),
        share=share(drawn.delivered, drawn.accepted, locale),
    )
    return BufferedInputFile(drawn.png, filename=chart_filename(campaign.id)), caption
