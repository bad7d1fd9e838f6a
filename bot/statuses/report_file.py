"""The report file a team opens in a spreadsheet: who got the message, who did not, and why.

Russian Excel reads `;` as the separator and needs the BOM to see UTF-8, so the file is written
that way. The first rows say which campaign it is; then one row per recipient with every column
of the uploaded list, the status in words, the platform's own status and reason, when the
last status came, and, when the type has a price, what each accepted message is estimated to
cost.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from bot.compose.costs import MessageCost
from bot.platform.reasons import decode, describe
from storage.campaigns import Campaign
from storage.clock import from_iso
from storage.messages import (
    INTERRUPTED,
    INTERRUPTED_LEFT,
    STOP_LISTED,
    MessageRow,
    SubmitState,
)

SEPARATOR = ";"
# OWASP "CSV injection": a cell starting with one of these may run as a formula (or, for tab
# and CR, lets the next character do so) in Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "%d.%m.%Y %H:%M"


def safe_cell(value: str | None) -> str:
    """A cell no spreadsheet runs as a formula: a leading quote makes it text. Empty stays empty."""
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class ReportWords:
    """Every word of the file in the reader's language, taken on the loop's thread (gettext
    needs the context there) so the file can be built in a worker thread."""

    campaign: str
    text: str
    sent_at: str
    contents: str
    undelivered_only: str
    everyone: str
    header: tuple[str, ...]  # address, then (after the uploaded columns) status columns
    clicked: str  # the column of a campaign with tracked links: when the recipient first clicked
    cost: str  # the column of a priced type: each accepted message's estimated cost
    total_cost: str  # the head row: what all the campaign's accepted messages cost
    statuses: dict[str, str]  # delivery class or submission state -> words
    errors: dict[str, str]  # the program's own row errors and stored reason codes -> words

    @classmethod
    def current(cls, stored_errors: Iterable[str] = (), currency: str = "") -> ReportWords:
        """The words now; `stored_errors` are the rows' errors, so their reason codes are put
        into words too (the platform's own texts stay verbatim)."""
        # Imported here, not at the top: the list process writes big campaigns' files with this
        # module and must not pay for importing aiogram.
        from aiogram.utils.i18n import gettext as _

        reasons = {error: describe(error) for error in stored_errors if decode(error)}
        return cls(
            campaign=_("Campaign"),
            text=_("Text"),
            sent_at=_("Sent"),
            contents=_("Recipients in this file"),
            undelivered_only=_("those who did not get the message"),
            everyone=_("all recipients"),
            header=(
                _("Address"),
                _("Status"),
                _("Platform status"),
                _("Reason"),
                _("Time of the last status"),
            ),
            clicked=_("Clicked"),
            cost=_("Estimated cost, {currency}").format(currency=currency).strip(" ,"),
            total_cost=_("Estimated cost of the accepted messages, {currency}")
            .format(currency=currency)
            .strip(" ,"),
            statuses={
                "delivered": _("delivered"),
                "failed": _("failed"),
                "pending": _("pending"),
                SubmitState.REJECTED.value: _("rejected"),
                SubmitState.UNKNOWN.value: _("unknown"),
                SubmitState.NEW.value: _("not sent yet"),
                SubmitState.SUBMITTING.value: _("being sent"),
                SubmitState.CANCELLED.value: _("cancelled, not sent"),
                SubmitState.SKIPPED.value: _("skipped, not sent"),
                SubmitState.WAITING.value: _("waiting for the recipient's local time"),
            },
            errors=error_words() | reasons,
        )


def error_words() -> dict[str, str]:
    """The errors the program itself writes on rows, in the current language."""
    from aiogram.utils.i18n import gettext as _

    return {
        INTERRUPTED: _("interrupted by a stop of the bot"),
        INTERRUPTED_LEFT: _("interrupted by a stop of the bot, left as unknown"),
        STOP_LISTED: _("on the stop-list"),
    }


def spreadsheet_csv(rows: Iterable[Sequence[str | None]]) -> bytes:
    """Rows as a file spreadsheets open right: `;`, UTF-8 with a BOM, no cell run as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=SEPARATOR, lineterminator="\r\n")
    for cells in rows:
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")


def report_filename(campaign_id: int, full: bool) -> str:
    """`campaign-12-undelivered.csv`, or its translation (Telegram keeps UTF-8 names)."""
    from aiogram.utils.i18n import gettext as _

    if full:
        return _("campaign-{id}-all-recipients.csv").format(id=campaign_id)
    return _("campaign-{id}-undelivered.csv").format(id=campaign_id)


def report_csv(
    campaign: Campaign,
    rows: Sequence[MessageRow],
    words: ReportWords,
    zone: ZoneInfo,
    *,
    full: bool,
    clicks: Mapping[int, str] | None = None,
    cost: MessageCost | None = None,
    total_cost: Decimal | None = None,
    locale: str = "en",
) -> bytes:
    """The file's bytes; `clicks` (row id -> first click) adds the "clicked" column, `cost`
    (the campaign's type has a price) the estimated cost of each accepted message, written as
    a number in `locale` so the reader's spreadsheet sums it; `total_cost` heads the file with
    what every accepted message of the campaign costs (the file may list only some).

    Pure computation (a fraction of a second per 100,000 rows, too long for
    the event loop): run it in a worker thread."""
    table: list[Sequence[str | None]] = []
    write = table.append
    sent_at = campaign.submitted_at or campaign.created_at
    write([words.campaign, f"№{campaign.id}"])
    write([words.text, campaign.text or ""])
    write([words.sent_at, _local(sent_at, zone)])
    write([words.contents, words.everyone if full else words.undelivered_only])
    if total_cost is not None:
        write([words.total_cost, _number(total_cost, locale)])
    write([])
    columns = _columns(campaign, rows)
    clicked = [words.clicked] if clicks is not None else []
    costed = [words.cost] if cost is not None else []
    write([words.header[0], *columns, *words.header[1:], *clicked, *costed])
    for row in rows:
        if row.state is SubmitState.ACCEPTED:
            status = row.status_class or "pending"
        else:
            status = row.state.value
        reason = words.errors.get(row.error or "", row.error or "")
        write(
            [
                row.sent_to,
                *(row.fields.get(column, "") for column in columns),
                words.statuses.get(status, status),
                row.status_raw or "",
                reason,
                _local(row.status_at or row.submitted_at, zone),
                *([_local(clicks.get(row.id), zone)] if clicks is not None else []),
                *([_amount(row, cost, locale)] if cost is not None else []),
            ]
        )
    return spreadsheet_csv(table)


def _columns(campaign: Campaign, rows: Sequence[MessageRow]) -> list[str]:
    """The uploaded list's columns in their order, plus any a row has beyond them."""
    columns = dict.fromkeys(campaign.columns)
    for row in rows:
        for name in row.fields:
            columns.setdefault(name)
    return list(columns)


def _amount(row: MessageRow, cost: MessageCost, locale: str) -> str:
    """An accepted message's cost with at least two decimals and no rounding, no grouping (a
    spreadsheet reads `1234,5` as a number, not `1 234,50`); empty for messages not taken."""
    if row.state is not SubmitState.ACCEPTED:
        return ""
    return _number(cost.of(row.fields), locale)


def _number(amount: Decimal, locale: str) -> str:
    return format_decimal(amount, format="0.00########", locale=locale)


def _local(iso: str | None, zone: ZoneInfo) -> str:
    return from_iso(iso).astimezone(zone).strftime(TIME_FORMAT) if iso else ""
