"""Delivery charts: a campaign's delivered, failed and still pending messages over time.

The figures come from the stored status history in one aggregate query; the picture is drawn
with matplotlib's Agg canvas in a worker thread. matplotlib is imported only there, the first
time a chart is drawn, so the program starts without it.
"""

from __future__ import annotations

import asyncio
import io
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.compose.message_types import type_name
from storage.campaigns import Campaign
from storage.clock import from_iso, to_iso
from storage.store import Store

MAX_SLOTS = 240  # points along the time axis, whatever the campaign's length
SIZE_INCHES, DPI = (9.0, 5.0), 100  # 900 x 500 pixels
COLOURS = {"delivered": "#2e9d47", "failed": "#d43c3c", "pending": "#e0a030", "share": "#3366cc"}
_drawing = threading.Lock()  # pyplot is not used, but font caches are shared between figures


@dataclass(frozen=True)
class Timeline:
    """Cumulative counts at the end of each time slot since submission (the first point is 0)."""

    hours: list[float]
    delivered: list[int]
    failed: list[int]
    pending: list[int]

    @property
    def accepted(self) -> int:
        return self.delivered[-1] + self.failed[-1] + self.pending[-1]

    @property
    def span_hours(self) -> float:
        return self.hours[-1]


@dataclass(frozen=True)
class Chart:
    png: bytes
    delivered: int
    accepted: int


@dataclass(frozen=True)
class ChartWords:
    """Every word on the picture, taken on the loop's thread where gettext has its context."""

    title: str
    axis: str
    delivered: str
    failed: str
    pending: str
    share: str
    unit_hours: float  # how many hours one unit of the time axis is
    locale: str  # for the decimal sign

    @classmethod
    def current(cls, campaign: Campaign, timeline: Timeline, locale: str) -> ChartWords:
        span = timeline.span_hours
        if span <= 3:
            axis, unit = _("minutes since submission"), 1 / 60
        elif span <= 72:
            axis, unit = _("hours since submission"), 1.0
        else:
            axis, unit = _("days since submission"), 24.0
        return cls(
            title=_("Campaign №{id} · {type}: delivery over time").format(
                id=campaign.id, type=type_name(campaign.type)
            ),
            axis=axis,
            delivered=_("delivered"),
            failed=_("failed"),
            pending=_("pending"),
            share=_("share delivered"),
            unit_hours=unit,
            locale=locale,
        )


def read_timeline(store: Store, campaign: Campaign, now: datetime) -> Callable[[], Timeline | None]:
    """A function giving the campaign's timeline (None while no message has been handed to the
    platform), to be called in a worker thread: it reads beside the program's connection."""
    start = from_iso(campaign.submitted_at or campaign.created_at)
    end = from_iso(campaign.finished_at) if campaign.finished_at else now
    step = max(1, math.ceil((end - start).total_seconds() / MAX_SLOTS))
    reader = store.statuses.timeline_reader(campaign.id, to_iso(start), step)
    return lambda: _timeline(list(reader()), step)


def _timeline(rows: list[tuple], step: int) -> Timeline | None:
    if not rows:
        return None
    per_slot: dict[int, dict[str, int]] = {}
    for slot, kind, count in rows:  # at most a few hundred slots, already summed by SQLite
        per_slot.setdefault(slot, {})[kind] = count
    hours, delivered, failed, pending = [0.0], [0], [0], [0]
    accepted = 0
    for slot in sorted(per_slot):
        counts = per_slot[slot]
        accepted += counts.get("accepted", 0)
        delivered.append(delivered[-1] + counts.get("delivered", 0))
        failed.append(failed[-1] + counts.get("failed", 0))
        pending.append(max(0, accepted - delivered[-1] - failed[-1]))
        hours.append((slot + 1) * step / 3600)
    return Timeline(hours, delivered, failed, pending)


def draw_delivery_chart(timeline: Timeline, words: ChartWords) -> bytes:
    """The PNG picture (blocking and CPU-bound: run it in a worker thread)."""
    # Imported here: loading matplotlib takes a while and most starts never draw a chart.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    x = [hours / words.unit_hours for hours in timeline.hours]
    accepted = max(1, timeline.accepted)
    share = [100.0 * delivered / accepted for delivered in timeline.delivered]
    with _drawing:
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
        FigureCanvasAgg(figure)
        counts = figure.add_subplot()
        for key, series in (
            ("delivered", timeline.delivered),
            ("failed", timeline.failed),
            ("pending", timeline.pending),
        ):
            label = getattr(words, key)
            counts.step(x, series, where="post", color=COLOURS[key], linewidth=2, label=label)
        counts.set_xlabel(words.axis)
        counts.set_xlim(left=0)
        counts.set_ylim(bottom=0)
        counts.yaxis.set_major_locator(MaxNLocator(integer=True))
        counts.grid(alpha=0.3)
        shares = counts.twinx()
        shares.step(
            x, share, where="post", color=COLOURS["share"], linestyle="--", label=words.share
        )
        shares.set_ylim(0, 100)
        shares.yaxis.set_major_formatter(PercentFormatter())
        final_share = format_decimal(round(share[-1], 1), format="0.#", locale=words.locale)
        figure.suptitle(f"{words.title} · {words.share}: {final_share}%")
        lines, labels = counts.get_legend_handles_labels()
        more_lines, more_labels = shares.get_legend_handles_labels()
        counts.legend(lines + more_lines, labels + more_labels, loc="center right")
        figure.tight_layout()
        picture = io.BytesIO()
        figure.savefig(picture, format="png")
    return picture.getvalue()


async def delivery_chart(
    store: Store, campaign: Campaign, now: datetime, locale: str
) -> Chart | None:
    """The campaign's chart, drawn off the event loop; None while nothing was handed over."""
    timeline = await asyncio.to_thread(read_timeline(store, campaign, now))
    if timeline is None:
        return None
    words = ChartWords.current(campaign, timeline, locale)
    png = await asyncio.to_thread(draw_delivery_chart, timeline, words)
    return Chart(png, timeline.delivered[-1], timeline.accepted)


def chart_filename(campaign_id: int) -> str:
    return f"campaign-{campaign_id}-delivery.png"


@dataclass(frozen=True)
class PeriodWords:
    title: str
    delivered: str
    failed: str
    pending: str
    axis: str


def draw_period_chart(days: list[str], series: dict[str, list[int]], words: PeriodWords) -> bytes:
    """Messages handed to the platform per day, stacked by delivered, failed and the rest
    (blocking and CPU-bound: run it in a worker thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with _drawing:
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        bottom = [0] * len(days)
        for key in ("delivered", "failed", "pending"):
            values = series[key]
            label = getattr(words, key)
            axes.bar(days, values, bottom=bottom, color=COLOURS[key], label=label)
            bottom = [below + value for below, value in zip(bottom, values, strict=True)]
        axes.set_ylabel(words.axis)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", alpha=0.3)
        axes.legend(loc="upper left")
        figure.suptitle(words.title)
        figure.tight_layout()
        picture = io.BytesIO()
        figure.savefig(picture, format="png")
    return picture.getvalue()
