"""A campaign's report file, built whole over connections of its own to the database's file:
in a worker thread, or for a big campaign in the list process (bot/compose/list_process.py).

For 100,000 recipients reading the rows, pricing each accepted message and writing the CSV is
seconds of Python; in a worker thread it takes turns on the GIL with the event loop. The list
process sends back only the file's bytes and how many recipients it lists. The words come in
chosen, as gettext needs the loop's thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.compose.costs import MessageCost
from bot.statuses.report_file import ReportWords, report_csv
from storage.campaigns import Campaign
from storage.links import first_clicks_at
from storage.message_readers import accepted_fields_at, report_rows_at
from storage.messages import SubmitState


def report_at(
    path: str,
    campaign: Campaign,
    words: ReportWords,
    zone: ZoneInfo,
    *,
    full: bool,
    with_clicks: bool,
    cost: MessageCost | None,
    locale: str,
) -> tuple[bytes, int]:
    """The report file's bytes and how many recipients it lists."""
    rows = report_rows_at(path, campaign.id, undelivered_only=not full)
    clicks = first_clicks_at(path, campaign.id) if with_clicks else None
    total = None
    if cost is not None:
        # The file may list only some recipients; the head gives what all accepted ones cost.
        accepted = (
            (row.fields for row in rows if row.state is SubmitState.ACCEPTED)
            if full
            else accepted_fields_at(path, campaign.id)
        )
        total = accepted_cost(cost, accepted)
    content = report_csv(
        campaign,
        rows,
        words,
        zone,
        full=full,
        clicks=clicks,
        cost=cost,
        total_cost=total,
        locale=locale,
    )
    return content, len(rows)


def accepted_cost(cost: MessageCost, accepted: Iterable[Mapping[str, str]]) -> Decimal:
    """What the accepted messages cost, each priced by its recipient's own text."""
    return sum((cost.of(fields) for fields in accepted), Decimal(0))
