"""How the digest reads: the period, its totals, the estimated spend, a line per message type,
and the chart of the messages taken each day (drawn when the card is sent, off the event loop)."""

from __future__ import annotations

import html
from functools import partial

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.message_types import type_name
from bot.notices import Card, Photo
from bot.schedule.when import format_day
from bot.statuses.charts import PeriodWords, draw_period_chart
from bot.statuses.digest import DigestNotice
from bot.statuses.spend import Spend
from bot.texts import money, number, reader_locale, share

TYPES_LISTED = 8  # a photo caption holds 1,024 characters
CHART_FILENAME = "digest.png"


def render_digest(notice: DigestNotice) -> Card:
    return Card(digest_text(notice), photo=_chart(notice))


def digest_text(notice: DigestNotice) -> str:
    locale = reader_locale()
    lines = [
        _("<b>Digest</b> · {start} – {end}").format(
            start=format_day(notice.start, notice.zone, locale),
            end=format_day(notice.end, notice.zone, locale),
        )
    ]
    if not notice.types:
        lines.append(_("No campaigns in this period."))
        return "\n".join(lines)
    campaigns = sum(kind.campaigns for kind in notice.types)
    recipients = sum(kind.recipients for kind in notice.types)
    accepted = sum(kind.accepted for kind in notice.types)
    delivered = sum(kind.delivered for kind in notice.types)
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
    if notice.spend is not None:
        lines += _spend_lines(notice.spend, notice.currency, locale)
    lines.append("")
    for kind in notice.types[:TYPES_LISTED]:
        lines.append(
            _("{type}: campaigns {campaigns}, recipients {recipients}, delivered {share}").format(
                type=html.escape(type_name(kind.type)),
                campaigns=number(kind.campaigns, locale),
                recipients=number(kind.recipients, locale),
                share=share(kind.delivered, kind.accepted, locale),
            )
        )
    return "\n".join(lines)


def _spend_lines(spend: Spend, currency: str, locale: str) -> list[str]:
    """💰 Estimated spend: ≈ 4,900.00 ₽ for 1,960 messages; types without a price are named
    with their count rather than guessed."""
    lines = []
    if spend.messages:
        lines.append(
            ngettext(
                "💰 Estimated spend: ≈ {amount} for {count} accepted message",
                "💰 Estimated spend: ≈ {amount} for {count} accepted messages",
                spend.messages,
            ).format(
                amount=money(spend.total, currency, locale), count=number(spend.messages, locale)
            )
        )
    if spend.unpriced:
        kinds = ", ".join(
            f"{html.escape(type_name(kind))} ({number(count, locale)})"
            for kind, count in spend.unpriced
        )
        lines.append(_("No price set, not counted: {types}").format(types=kinds))
    return lines


def _chart(notice: DigestNotice) -> Photo | None:
    """The messages taken per day, stacked by where they are now; None when none were taken."""
    if not notice.days:
        return None
    series = {
        "delivered": [day.delivered for day in notice.days],
        "failed": [day.failed for day in notice.days],
        "pending": [day.pending for day in notice.days],
    }
    words = PeriodWords(
        title=_("Messages taken by the platform per day"),
        delivered=_("delivered"),
        failed=_("failed"),
        pending=_("no final status"),
        axis=_("messages"),
    )
    labels = [day.day[8:10] + "." + day.day[5:7] for day in notice.days]  # 30.11, read alike
    return Photo(CHART_FILENAME, partial(draw_period_chart, labels, series, words))
