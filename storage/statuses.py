"""Every status the platform reported (`status_events`), and its effect on a message's latest status.

A raw status is stored once per message (a retried callback changes nothing); a final class
(delivered, failed) is never replaced by a later pending one, so late intermediate statuses
cannot move a message backwards, and `delivered` is never replaced at all: a cascade's first
channel may report its failure after the fallback channel delivered. Such statuses stay in the
history. Any status proves the platform created the message: its row counts as accepted.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso
from storage.db import BUSY_TIMEOUT_MS, reader_apart
from storage.messages import SubmitState

log = logging.getLogger(__name__)


migrations = Migrations("statuses")


@migrations()
def m001_status_events(db: Database) -> None:
    db["status_events"].create(
        {
            "id": int,
            "message_id": int,
            "campaign_id": int,
            "raw": str,
            "status_class": str,
            "platform_id": str,
            "received_at": str,
        },
        pk="id",
        not_null={"message_id", "campaign_id", "raw", "status_class", "received_at"},
        foreign_keys=[("message_id", "messages", "id")],
    )
    db["status_events"].create_index(["message_id", "raw"], unique=True)
    db["status_events"].create_index(["campaign_id", "id"])
    # Card figures count a campaign's rows by state and class: one covering index scan.
    db["messages"].create_index(
        ["campaign_id", "state", "status_class"],
        index_name="idx_messages_campaign_state_class",
        if_not_exists=True,
    )


@migrations()
def m002_status_events_platform_id(db: Database) -> None:
    # `/status <id>` finds a message by an id only its statuses carried.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_status_events_platform_id "
        "ON status_events (platform_id) WHERE platform_id IS NOT NULL"
    )


# Rows the platform has answered for, or that will never go: nothing more happens to them
# except the statuses of the accepted ones.
HANDED_OVER = frozenset(
    {
        SubmitState.ACCEPTED,
        SubmitState.REJECTED,
        SubmitState.UNKNOWN,
        SubmitState.CANCELLED,
        SubmitState.SKIPPED,
    }
)


class Outcome(StrEnum):
    CHANGED = "changed"  # the message's latest status (or its platform id) changed
    RECORDED = "recorded"  # a new event, but the message keeps its final status
    DUPLICATE = "duplicate"  # this raw status was already stored for the message
    UNKNOWN_MESSAGE = "unknown_message"


@dataclass(frozen=True)
class IncomingStatus:
    message_id: int
    raw: str
    status_class: str
    platform_id: str | None = None


@dataclass(frozen=True)
class Applied:
    outcome: Outcome
    campaign_id: int | None = None


@dataclass(frozen=True)
class StatusEvent:
    id: int
    message_id: int
    campaign_id: int
    raw: str
    status_class: str
    platform_id: str | None
    received_at: str
    sent_to: str = ""


@dataclass(frozen=True)
class Undelivered:
    address: str
    state: str  # submission state: accepted, rejected or unknown
    status_raw: str | None
    status_class: str
    error: str | None


# A row still `submitting` becomes accepted when its answer is stored (or at the next start).
_PROVEN_BY_A_STATUS = frozenset({"new", "unknown", "rejected"})


@dataclass
class _Latest:
    """A message's latest status as a batch of statuses moves it along."""

    id: int
    campaign_id: int
    state: str
    platform_id: str | None
    status_class: str | None
    status_raw: str | None
    status_at: str | None
    changed: bool = False

    def take(self, status: IncomingStatus, received_at: str) -> bool:
        """Apply one new status; True when the message changed.

        A final class is never replaced by a later pending one, and `delivered` by nothing
        but another `delivered` (a cascade's first channel may fail after the fallback
        delivered); such statuses stay only in the history.
        """
        if status.platform_id and self.platform_id and status.platform_id != self.platform_id:
            log.warning(
                "message %s: a status came with platform id %s, the message has %s; "
                "kept in its history",
                self.id,
                status.platform_id,
                self.platform_id,
            )
        changed = False
        if self.status_class == "delivered":
            moves = status.status_class == "delivered"
        else:
            moves = not (status.status_class == "pending" and self.status_class == "failed")
        if moves:
            self.status_raw, self.status_class = status.raw, status.status_class
            self.status_at = received_at
            changed = True
        if status.platform_id and self.platform_id is None:
            self.platform_id = status.platform_id
            changed = True
        if self.state in _PROVEN_BY_A_STATUS:
            # A status proves the platform took the message: it must never be sent again.
            self.state = "accepted"
            changed = True
        self.changed = self.changed or changed
        return changed


class Statuses:
    def __init__(self, db: Database, *, busy_timeout_ms: int = 250) -> None:
        """`busy_timeout_ms`: how long `apply` waits for the write lock before it gives up."""
        self.db = db
        self.busy_timeout_ms = busy_timeout_ms

    def apply(self, statuses: Sequence[IncomingStatus]) -> list[Applied]:
        """Store a batch in one transaction and return each one's outcome, in order.

        A short busy timeout keeps a locked database from stalling the event loop: the
        caller answers "try again" instead (raises sqlite3.OperationalError).

        The batch costs four statements whatever its size: its messages are read at once, the
        effect of each status is worked out here in order (a batch may hold several statuses of
        one message), and the new events and the messages' latest state are written at once.
        Each statement gives up the GIL, and taking it back can wait behind a worker thread
        that reads a big list in Python, so statements per status would hold the event loop.
        """
        received_at = utc_now_iso()
        with self._immediate():
            rows = self._messages_of(statuses)
            stored = self._stored_events(statuses)
            results: list[Applied] = []
            events: list[list[object]] = []
            for status in statuses:
                row = rows.get(status.message_id)
                if row is None:
                    results.append(Applied(Outcome.UNKNOWN_MESSAGE))
                    continue
                key = (status.message_id, status.raw)
                if key in stored:
                    results.append(Applied(Outcome.DUPLICATE, row.campaign_id))
                    continue
                stored.add(key)
                events.append(
                    [
                        status.message_id,
                        row.campaign_id,
                        status.raw,
                        status.status_class,
                        status.platform_id,
                        received_at,
                    ]
                )
                changed = row.take(status, received_at)
                results.append(
                    Applied(Outcome.CHANGED if changed else Outcome.RECORDED, row.campaign_id)
                )
            self._write(events, [row for row in rows.values() if row.changed])
        return results

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        conn = self.db.conn
        if conn.in_transaction:  # inside someone's transaction: a savepoint, their timeout
            with self.db.atomic():
                yield
            return
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _messages_of(self, statuses: Sequence[IncomingStatus]) -> dict[int, _Latest]:
        ids = json.dumps(sorted({status.message_id for status in statuses}))
        found = self.db.conn.execute(
            "SELECT json_group_array(json_array(id, campaign_id, state, platform_id, "
            "status_class, status_raw, status_at)) FROM messages "
            "WHERE id IN (SELECT value FROM json_each(?))",
            [ids],
        ).fetchone()[0]
        return {row[0]: _Latest(*row) for row in json.loads(found)}

    def _stored_events(self, statuses: Sequence[IncomingStatus]) -> set[tuple[int, str]]:
        keys = json.dumps([[status.message_id, status.raw] for status in statuses])
        found = self.db.conn.execute(
            "SELECT json_group_array(json_array(e.message_id, e.raw)) "
            "FROM json_each(?) AS k JOIN status_events AS e "
            "ON e.message_id = json_extract(k.value, '$[0]') "
            "AND e.raw = json_extract(k.value, '$[1]')",
            [keys],
        ).fetchone()[0]
        return {(message_id, raw) for message_id, raw in json.loads(found)}

    def _write(self, events: list[list[object]], changed: list[_Latest]) -> None:
        conn = self.db.conn
        if events:
            conn.execute(
                "INSERT INTO status_events "
                "(message_id, campaign_id, raw, status_class, platform_id, received_at) "
                "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), "
                "json_extract(value, '$[2]'), json_extract(value, '$[3]'), "
                "json_extract(value, '$[4]'), json_extract(value, '$[5]') FROM json_each(?)",
                [json.dumps(events)],
            )
        if changed:
            rows = [
                [
                    row.id,
                    row.state,
                    row.platform_id,
                    row.status_class,
                    row.status_raw,
                    row.status_at,
                ]
                for row in changed
            ]
            conn.execute(
                "UPDATE messages SET state = u.state, platform_id = u.platform_id, "
                "status_class = u.status_class, status_raw = u.status_raw, "
                "status_at = u.status_at FROM (SELECT json_extract(value, '$[0]') AS id, "
                "json_extract(value, '$[1]') AS state, json_extract(value, '$[2]') AS platform_id, "
                "json_extract(value, '$[3]') AS status_class, "
                "json_extract(value, '$[4]') AS status_raw, "
                "json_extract(value, '$[5]') AS status_at FROM json_each(?)) AS u "
                "WHERE messages.id = u.id",
                [json.dumps(rows)],
            )

    _FIGURES = (
        "SELECT state, status_class, COUNT(*) FROM messages WHERE campaign_id = ? "
        "GROUP BY state, status_class"
    )

    def figures(self, campaign_id: int) -> dict[tuple[str, str], int]:
        """Rows of a campaign counted by (submission state, delivery class); no status is pending."""
        return _figures(self.db.execute(self._FIGURES, [campaign_id]))

    def figures_reader(self, campaign_id: int) -> Callable[[], dict[tuple[str, str], int]]:
        """`figures`, read by a function to be called in a worker thread."""
        read = reader_apart(self.db, self._FIGURES, [campaign_id])
        return lambda: _figures(read())

    def handed_over(self, campaign_id: int) -> bool:
        """No row of the campaign is still to be handed to the platform (or waiting to be)."""
        # Named positively (not `NOT IN` the final ones) so each state is a seek, not a scan.
        waiting = [state.value for state in SubmitState if state not in HANDED_OVER]
        marks = ",".join("?" * len(waiting))
        row = self.db.execute(
            f"SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ? AND state IN ({marks}))",
            [campaign_id, *waiting],
        ).fetchone()
        return not row[0]

    def settled(self, campaign_id: int) -> bool:
        """Every row handed over and every accepted message final: seeks in the covering index,
        so it can be asked at each commit of statuses."""
        row = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ? AND state = 'accepted' "
            "AND (status_class IS NULL OR status_class = 'pending'))",
            [campaign_id],
        ).fetchone()
        return not row[0] and self.handed_over(campaign_id)

    def timeline_reader(
        self, campaign_id: int, start: str, step_seconds: int
    ) -> Callable[[], Iterator[tuple]]:
        """How many of a campaign's accepted messages were handed over (`accepted`) and became
        `delivered` or `failed` in each `step_seconds` slot since `start`: (slot, kind, count).

        A message counts as handed over at its submission (or its first status, which proves
        it exists), and as final at the first event of the class it has now: a cascade that
        failed on one channel and then delivered counts once, as delivered.
        """
        query = """
            WITH per_message AS (
                SELECT m.status_class AS cls,
                       COALESCE(m.submitted_at, MIN(e.received_at)) AS sent_at,
                       MIN(CASE WHEN e.status_class = m.status_class THEN e.received_at END)
                           AS final_at
                FROM messages m LEFT JOIN status_events e ON e.message_id = m.id
                WHERE m.campaign_id = ? AND m.state = 'accepted'
                GROUP BY m.id
            ), points AS (
                SELECT 'accepted' AS kind, sent_at AS at FROM per_message WHERE sent_at IS NOT NULL
                UNION ALL
                SELECT cls, final_at FROM per_message
                WHERE cls IN ('delivered', 'failed') AND final_at IS NOT NULL
            )
            SELECT MAX(0, CAST((julianday(at) - julianday(?)) * 86400 / ? AS INTEGER))
                       AS slot,
                   kind, COUNT(*)
            FROM points GROUP BY slot, kind ORDER BY slot
        """
        # A big campaign takes a second to sum up: read in a worker thread, not on the loop.
        return reader_apart(self.db, query, [campaign_id, start, step_seconds])

    def history(self, message_id: int) -> list[StatusEvent]:
        """Every status of one message, oldest first."""
        rows = self.db.execute(
            "SELECT e.*, m.sent_to FROM status_events e JOIN messages m ON m.id = e.message_id "
            "WHERE e.message_id = ? ORDER BY e.id",
            [message_id],
        )
        return _events(rows)

    def recent_for_campaign(self, campaign_id: int, limit: int = 10) -> list[StatusEvent]:
        """The campaign's latest events, newest first."""
        rows = self.db.execute(
            "SELECT e.*, m.sent_to FROM status_events e JOIN messages m ON m.id = e.message_id "
            "WHERE e.campaign_id = ? ORDER BY e.id DESC LIMIT ?",
            [campaign_id, limit],
        )
        return _events(rows)

    def count(self, campaign_id: int | None = None) -> int:
        if campaign_id is None:
            return self.db["status_events"].count
        return self.db["status_events"].count_where("campaign_id = ?", [campaign_id])

    def undelivered(self, campaign_id: int) -> list[Undelivered]:
        """Every recipient who did not get the message: delivery failed, no final status yet,
        rejected by the platform, or submission outcome unknown."""
        rows = self.db.execute(
            "SELECT sent_to, state, status_raw, COALESCE(status_class, 'pending'), error "
            "FROM messages WHERE campaign_id = ? AND (state IN ('rejected', 'unknown') OR "
            "(state = 'accepted' AND COALESCE(status_class, 'pending') != 'delivered')) "
            "ORDER BY seq",
            [campaign_id],
        ).fetchall()
        return [Undelivered(*row) for row in rows]


def _figures(rows: Iterable[tuple]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for state, status_class, count in rows:
        key = (state, status_class or "pending")
        counts[key] = counts.get(key, 0) + count
    return counts


def _events(cursor: sqlite3.Cursor) -> list[StatusEvent]:
    names = [column[0] for column in cursor.description]
    return [StatusEvent(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]
