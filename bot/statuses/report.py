"""What a campaign's report consists of: the CSV file of its recipients and its delivery chart,
each with its caption in the reader's language.

Both are whole-campaign scans: the rows are read over a read-only connection of their own and
the file is written in a worker thread, or for a big campaign in the list process
(bot/statuses/big_report.py), so a campaign of 100,000 recipients holds no one's button.
"""

from __future__ import annotations

import asyncio
from functools import partial

from aiogram.types import BufferedInputFile
from aiogram.utils.i18n import gettext as _

from bot.compose.costs import message_cost
from bot.compose.list_process import BIG_LIST_ROWS, in_list_process
from bot.config import Settings
from bot.statuses.big_report import report_at
from bot.statuses.charts import chart_filename, delivery_chart
from bot.statuses.report_file import ReportWords, report_filename
from bot.texts import number, reader_locale, share
from storage.campaigns import Campaign
from storage.clock import utc_now
from storage.db import file_of
from storage.store import Store


async def report_document(
    store: Store, settings: Settings, campaign: Campaign, *, full: bool
) -> tuple[BufferedInputFile, int]:
    """A campaign's report file in the current language, and how many recipients it lists."""
    path = file_of(store.db)
    if path is None:
        raise ValueError("a report is read over connections of its own to the database's file")
    read_errors = store.message_readers.report_errors_reader(campaign.id, undelivered_only=not full)
    errors = await asyncio.to_thread(read_errors)
    build = partial(
        report_at,
        path,
        campaign,
        ReportWords.current(errors, settings.currency),  # gettext needs the loop's thread
        settings.zone,
        full=full,
        with_clicks=store.links.has_links(campaign.id),
        cost=message_cost(
            campaign.text, campaign.type, settings.pulse_prices, campaign.transliterate
        ),
        locale=reader_locale(),
    )
    if campaign.recipient_count >= BIG_LIST_ROWS:
        content, count = await in_list_process(build)
    else:
        content, count = await asyncio.to_thread(build)
    return BufferedInputFile(content, filename=report_filename(campaign.id, full)), count


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
