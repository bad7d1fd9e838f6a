"""Campaigns: one composed message, its settings and author, sent to one or many recipients."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso
from storage.db import read_at, reader_apart

migrations = Migrations("campaigns")


@dataclass(frozen=True)
class PeriodRow:
    """One local day's campaigns of one type (see `Campaigns.period_figures`)."""

    day: str
    type: str
    campaigns: int
    recipients: int
    accepted: int
    delivered: int
    failed: int


class CampaignState(StrEnum):
    # Its recipients are still being copied from the list: never submitted, shown or counted.
    PREPARING = "preparing"
    SCHEDULED = "scheduled"  # waiting for its time (the bot fires it)
    SUBMITTING = "submitting"  # recipients are being handed to the platform
    SUBMITTED = "submitted"  # every recipient has an answer; statuses may still arrive
    FINISHED = "finished"  # every status final, or TTL passed; final report sent
    CANCELLED = "cancelled"


@dataclass
class Draft:
    """What the composer hands to sending: everything but the recipients."""

    type: str
    sender: str
    text: str
    html_text: str | None = None
    charset: str | None = None
    ttl: int | None = None
    button: str | None = None
    action: str | None = None
    image: str | None = None
    find_token: bool = False
    # The platform holds the message until then: "YYYY-MM-DD HH:MM" in the platform's zone.
    sent_date: str | None = None
    columns: list[str] = field(default_factory=list)
    # An SMS text put in Latin letters: placeholder values are transliterated when sent too.
    transliterate: bool = False


@dataclass
class Campaign(Draft):
    id: int = 0
    author_id: int = 0
    author_chat_id: int = 0
    state: CampaignState = CampaignState.SUBMITTING
    sandbox: bool = False
    callbacks: bool = False
    recipient_count: int = 0
    created_at: str = ""
    submitted_at: str | None = None
    finished_at: str | None = None
    pause_reason: str | None = None  # set while submission waits for the operator
    test: bool = False  # one message to the author's own address, outside every figure


@migrations()
def m001_campaigns(db: Database) -> None:
    db["campaigns"].create(
        {
            "id": int,
            "author_id": int,
            "author_chat_id": int,
            "type": str,
            "sender": str,
            "text": str,
            "html_text": str,
            "charset": str,
            "ttl": int,
            "button": str,
            "action": str,
            "image": str,
            "find_token": int,
            "sent_date": str,
            "columns": str,
            "state": str,
            "sandbox": int,
            "callbacks": int,
            "recipient_count": int,
            "created_at": str,
            "submitted_at": str,
            "finished_at": str,
        },
        pk="id",
        not_null={"author_id", "type", "text", "state", "created_at"},
    )
    db["campaigns"].create_index(["state"])


@migrations()
def m002_campaign_pause(db: Database) -> None:
    db["campaigns"].add_column("pause_reason", str)


@migrations()
def m003_test_campaigns(db: Database) -> None:
    db["campaigns"].add_column("test", int, not_null_default=0)


@migrations()
def m004_transliterated_campaigns(db: Database) -> None:
    db["campaigns"].add_column("transliterate", int, not_null_default=0)


class Campaigns:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        draft: Draft,
        *,
        author_id: int,
        author_chat_id: int,
        state: CampaignState,
        sandbox: bool,
        callbacks: bool,
        recipient_count: int,
        test: bool = False,
    ) -> int:
        row = asdict(draft)
        row["columns"] = json.dumps(draft.columns, ensure_ascii=False)
        row["find_token"] = int(draft.find_token)
        row["transliterate"] = int(draft.transliterate)
        row.update(
            author_id=author_id,
            author_chat_id=author_chat_id,
            state=state.value,
            sandbox=int(sandbox),
            callbacks=int(callbacks),
            recipient_count=recipient_count,
            created_at=utc_now_iso(),
            test=int(test),
        )
        return self.db["campaigns"].insert(row).last_pk  # type: ignore[return-value]

    def get(self, campaign_id: int) -> Campaign | None:
        cursor = self.db.execute("SELECT * FROM campaigns WHERE id = ?", [campaign_id])
        row = cursor.fetchone()
        if row is None:
            return None
        names = [column[0] for column in cursor.description]
        return campaign_from_row(dict(zip(names, row, strict=True)))

    def with_state(self, *states: CampaignState) -> list[Campaign]:
        marks = ",".join("?" * len(states))
        rows = self.db["campaigns"].rows_where(
            f"state IN ({marks})", [s.value for s in states], order_by="id"
        )
        return [campaign_from_row(row) for row in rows]

    def move(
        self,
        campaign_id: int,
        from_states: tuple[CampaignState, ...],
        to_state: CampaignState,
        **stamps: Any,
    ) -> bool:
        """Change the state only if it is one of `from_states`; False when it was not."""
        marks = ",".join("?" * len(from_states))
        assignments = "".join(f", {name} = ?" for name in stamps)
        cursor = self.db.execute(
            f"UPDATE campaigns SET state = ?{assignments} WHERE id = ? AND state IN ({marks})",
            [to_state.value, *stamps.values(), campaign_id, *(s.value for s in from_states)],
        )
        return cursor.rowcount == 1

    def set_recipient_count(self, campaign_id: int, count: int) -> None:
        self.db.execute(
            "UPDATE campaigns SET recipient_count = ? WHERE id = ?", [count, campaign_id]
        )

    def discard(self, campaign_id: int) -> None:
        """Remove a campaign that never became one (still preparing) with its recipient rows."""
        self.db.execute("DELETE FROM messages WHERE campaign_id = ?", [campaign_id])
        self.db.execute(
            "DELETE FROM campaigns WHERE id = ? AND state = ?",
            [campaign_id, CampaignState.PREPARING.value],
        )

    def set_pause(self, campaign_id: int, reason: str | None) -> None:
        """Mark submission as paused (with the reason shown to people) or running again (None)."""
        self.db.execute("UPDATE campaigns SET pause_reason = ? WHERE id = ?", [reason, campaign_id])

    def period_reader(
        self, start: str, end: str, utc_offset_minutes: int
    ) -> Callable[[], list[PeriodRow]]:
        """Campaigns sent in [start, end), counted per (local day, type): campaigns, recipients,
        messages the platform took, and how many of those were delivered or failed; the function
        returned is to be called in a worker thread."""
        query = """
            SELECT date(COALESCE(c.submitted_at, c.created_at), ?) AS day, c.type,
                   COUNT(DISTINCT c.id), COUNT(m.id),
                   COALESCE(SUM(m.state = 'accepted'), 0),
                   COALESCE(SUM(m.state = 'accepted' AND m.status_class = 'delivered'), 0),
                   COALESCE(SUM(m.state = 'accepted' AND m.status_class = 'failed'), 0)
            FROM campaigns c LEFT JOIN messages m ON m.campaign_id = c.id
            WHERE c.state NOT IN ('scheduled', 'preparing') AND NOT c.test
              AND COALESCE(c.submitted_at, c.created_at) >= ?
              AND COALESCE(c.submitted_at, c.created_at) < ?
            GROUP BY day, c.type ORDER BY day, c.type
        """
        # A busy week is many rows to sum up: read in a worker thread, not on the loop.
        read = reader_apart(self.db, query, [f"{utc_offset_minutes:+d} minutes", start, end])
        return lambda: [PeriodRow(*row) for row in read()]

    def accepted_reader(
        self, start: str, end: str
    ) -> Callable[[], Iterator[tuple[int, str, str | None, bool, dict[str, str]]]]:
        """The messages the platform took from campaigns sent in [start, end), as (campaign id,
        type, text, whether the text was transliterated, recipient fields) in campaign order, for
        the period's spend; the function returned is to be called in a worker thread."""
        read = reader_apart(self.db, _ACCEPTED_IN_PERIOD, [start, end])
        return lambda: _accepted_of(read())

    def count_since(self, author_id: int, since: str) -> tuple[int, int]:
        """How many campaigns a member started since `since` (UTC ISO): (campaigns, tests)."""
        row = self.db.execute(
            "SELECT COALESCE(SUM(NOT test), 0), COALESCE(SUM(test), 0) FROM campaigns "
            "WHERE author_id = ? AND created_at >= ? AND state != 'cancelled'",
            [author_id, since],
        ).fetchone()
        return int(row[0]), int(row[1])

    def recent(self, limit: int = 10, author_id: int | None = None) -> list[Campaign]:
        where, args = "state != ?", [CampaignState.PREPARING.value]
        if author_id is not None:
            where, args = f"{where} AND author_id = ?", [*args, author_id]
        rows = self.db["campaigns"].rows_where(where, args, order_by="id desc", limit=limit)
        return [campaign_from_row(row) for row in rows]


def campaign_from_row(row: dict[str, Any]) -> Campaign:
    values = dict(row)
    values["columns"] = json.loads(values.get("columns") or "[]")
    values["state"] = CampaignState(values["state"])
    for flag in ("find_token", "sandbox", "callbacks", "test", "transliterate"):
        values[flag] = bool(values.get(flag))
    return Campaign(**values)


_ACCEPTED_IN_PERIOD = """
    SELECT c.id, c.type, c.text, c.transliterate, m.fields
    FROM campaigns c JOIN messages m ON m.campaign_id = c.id AND m.state = 'accepted'
    WHERE c.state NOT IN ('scheduled', 'preparing') AND NOT c.test
      AND COALESCE(c.submitted_at, c.created_at) >= ?
      AND COALESCE(c.submitted_at, c.created_at) < ?
    ORDER BY c.id
"""


def accepted_at(
    path: str, start: str, end: str
) -> Iterator[tuple[int, str, str | None, bool, dict[str, str]]]:
    """What `accepted_reader` reads, over a connection of its own to the file at `path` (from
    another process)."""
    return _accepted_of(read_at(path, _ACCEPTED_IN_PERIOD, [start, end]))


def _accepted_of(
    rows: Iterable[tuple],
) -> Iterator[tuple[int, str, str | None, bool, dict[str, str]]]:
    return (
        (campaign_id, kind, text, bool(latin), json.loads(fields) if fields else {})
        for campaign_id, kind, text, latin, fields in rows
    )
