"""One row per recipient of a campaign, with its submission state and latest delivery status."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso
from storage.db import reader_apart

log = logging.getLogger(__name__)

migrations = Migrations("messages")

# `error` of rows left in `submitting` by a stop, before and after the operator's decision.
INTERRUPTED = "interrupted"
INTERRUPTED_LEFT = "interrupted, left as unknown"
# `error` of rows not submitted because their address is on the stop-list when their turn came.
STOP_LISTED = "stop-listed"


class SubmitState(StrEnum):
    NEW = "new"
    SUBMITTING = "submitting"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    UNKNOWN = "unknown"  # the request may or may not have reached the platform
    CANCELLED = "cancelled"  # the campaign was stopped before this row was submitted
    SKIPPED = "skipped"  # on the stop-list when its turn came: never submitted
    # Not to be sent before `not_before`: inside quiet hours in the recipient's zone when its
    # turn came, or sent at a time of day in each recipient's zone. Becomes `new` at that time.
    WAITING = "waiting"


# A row that received any status exists on the platform, whatever its submission answer said:
# it counts as accepted and is never handed to the platform again.
HAS_STATUS = "status_class IS NOT NULL"


@dataclass(frozen=True)
class MessageRow:
    id: int
    campaign_id: int
    seq: int
    sent_to: str
    fields: dict[str, str]
    state: SubmitState
    platform_id: str | None
    error: str | None
    submitted_at: str | None
    status_raw: str | None
    status_class: str | None
    status_at: str | None
    answer_id: str | None = None  # the answer's id, when a status had already given another
    zone: str | None = None  # the recipient's IANA zone; None: the team's TIMEZONE
    not_before: str | None = None  # a `waiting` row goes out from this moment (UTC, ISO)
    sent_date: str | None = None  # the platform sends it then (its zone), when not the campaign's


@migrations()
def m001_messages(db: Database) -> None:
    db["messages"].create(
        {
            "id": int,
            "campaign_id": int,
            "seq": int,
            "sent_to": str,
            "fields": str,
            "state": str,
            "platform_id": str,
            "error": str,
            "submitted_at": str,
            "status_raw": str,
            "status_class": str,
            "status_at": str,
        },
        pk="id",
        not_null={"campaign_id", "seq", "sent_to", "state"},
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )
    db["messages"].create_index(["campaign_id", "sent_to"], unique=True)
    db["messages"].create_index(["campaign_id", "state"])
    db["messages"].create_index(["platform_id"])


@migrations()
def m002_messages_take_order(db: Database) -> None:
    # take_new picks new rows in seq order; without seq in the index every pick sorts the whole
    # campaign (20 ms per pick at 100,000 rows). The old (campaign_id, state) index is its prefix.
    db["messages"].create_index(["campaign_id", "state", "seq"])
    db.execute("DROP INDEX IF EXISTS idx_messages_campaign_id_state")


@migrations()
def m003_messages_answer_id(db: Database) -> None:
    # A late answer whose id differs from the one a status came with: kept beside it, findable.
    db.execute("ALTER TABLE messages ADD COLUMN answer_id TEXT")
    db.execute(
        "CREATE INDEX idx_messages_answer_id ON messages (answer_id) WHERE answer_id IS NOT NULL"
    )


@migrations()
def m004_messages_zone(db: Database) -> None:
    # The recipient's IANA zone as read with the list (NULL: the team's TIMEZONE), and the
    # moment (UTC) before which a `waiting` row is not sent.
    db.execute("ALTER TABLE messages ADD COLUMN zone TEXT")
    db.execute("ALTER TABLE messages ADD COLUMN not_before TEXT")


@migrations()
def m005_messages_sent_date(db: Database) -> None:
    # A row's own `sent_date`, when the platform sends each recipient at their local time.
    db.execute("ALTER TABLE messages ADD COLUMN sent_date TEXT")


@migrations()
def m006_messages_unsent_indexes(db: Database) -> None:
    # Only rows not yet sent are in these, so they stay small and cost nothing once a campaign
    # is submitted: a campaign's zones and a zone's rows to hold are found without reading the
    # campaign, and the waiting rows due by their moment.
    db.execute(
        "CREATE INDEX idx_messages_unsent_zone ON messages (campaign_id, zone) "
        "WHERE state IN ('new', 'waiting')"
    )
    db.execute(
        "CREATE INDEX idx_messages_waiting ON messages (campaign_id, not_before) "
        "WHERE state = 'waiting'"
    )


@migrations()
def m007_messages_own_sent_date(db: Database) -> None:
    # Only rows with a `sent_date` of their own (a send at each recipient's local time, or one
    # moved out of quiet hours): the latest of a campaign is found without reading it all.
    db.execute(
        "CREATE INDEX idx_messages_own_sent_date ON messages (campaign_id, sent_date) "
        "WHERE sent_date IS NOT NULL"
    )


# Rows not yet sent: the condition of idx_messages_unsent_zone, repeated in a query's WHERE so
# that SQLite may use that index.
_UNSENT = "state IN ('new', 'waiting')"


# A row's address is on the stop-list: the same text, or for e-mails the same ignoring case (as
# the recipient parser compares them). Both lookups use an index of the stop-list.
_STOP_LISTED = (
    "(sent_to IN (SELECT address FROM stoplist) OR (instr(sent_to, '@') > 0 AND EXISTS "
    "(SELECT 1 FROM stoplist WHERE lower(stoplist.address) = lower(messages.sent_to))))"
)


class Messages:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_recipients(
        self, campaign_id: int, recipients: Iterable[tuple[str, Mapping[str, str]]]
    ) -> int:
        """Insert the recipient rows of a campaign in state `new`; returns how many."""
        rows = (
            {
                "campaign_id": campaign_id,
                "seq": seq,
                "sent_to": address,
                "fields": json.dumps(dict(fields), ensure_ascii=False) if fields else None,
                "state": SubmitState.NEW.value,
            }
            for seq, (address, fields) in enumerate(recipients, start=1)
        )
        self.db["messages"].insert_all(rows, batch_size=1000)
        return self.db["messages"].count_where("campaign_id = ?", [campaign_id])

    def copy_from_list(
        self, campaign_id: int, list_id: int, seqs: tuple[int, int] | None = None
    ) -> int:
        """Insert one `new` row per item of a recipient list (those with `seqs[0] <= seq <=
        seqs[1]` when given) in one statement; returns how many. A row already copied is kept
        as it is, so copying a range again adds nothing."""
        # A range is an index seek, so each piece costs its own size, not the list's.
        within, bounds = (" AND seq BETWEEN ? AND ?", list(seqs)) if seqs else ("", [])
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO messages (campaign_id, seq, sent_to, fields, zone, state) "
            "SELECT ?, seq, address, fields, zone, 'new' FROM recipient_list_items "
            f"WHERE list_id = ?{within} ORDER BY seq",
            [campaign_id, list_id, *bounds],
        )
        return cursor.rowcount

    def count(self, campaign_id: int) -> int:
        """How many recipient rows the campaign has."""
        return self.db["messages"].count_where("campaign_id = ?", [campaign_id])

    def zones(
        self, campaign_id: int, states: tuple[SubmitState, ...] = (SubmitState.NEW,)
    ) -> dict[str | None, int]:
        """How many of the campaign's rows not yet sent, in these states (`new`, `waiting`),
        each zone has (None: TIMEZONE)."""
        marks = ",".join("?" * len(states))
        cursor = self.db.execute(
            f"SELECT zone, COUNT(*) FROM messages WHERE campaign_id = ? AND {_UNSENT} "
            f"AND state IN ({marks}) GROUP BY zone",
            [campaign_id, *(state.value for state in states)],
        )
        return dict(cursor.fetchall())

    def zone_names(self, campaign_id: int) -> list[str | None]:
        """The zones of the campaign's rows not yet sent, one index seek per zone (a dozen for
        all of Russia) rather than a read of every row."""
        found: list[str | None] = []
        unsent = f"FROM messages WHERE campaign_id = ? AND {_UNSENT}"
        if self.db.execute(f"SELECT 1 {unsent} AND zone IS NULL LIMIT 1", [campaign_id]).fetchone():
            found.append(None)
        after = ""
        while row := self.db.execute(
            f"SELECT zone {unsent} AND zone > ? ORDER BY zone LIMIT 1", [campaign_id, after]
        ).fetchone():
            after = row[0]
            found.append(after)
        return found

    def latest_sent_date(self, campaign_id: int) -> str | None:
        """The latest `sent_date` a row carries of its own (None: only the campaign's)."""
        row = self.db.execute(
            "SELECT MAX(sent_date) FROM messages WHERE campaign_id = ? AND sent_date IS NOT NULL",
            [campaign_id],
        ).fetchone()
        return row[0] if row else None

    def sent_date_of(self, campaign_id: int, zone: str | None) -> str | None:
        """The `sent_date` the zone's rows not yet sent carry (None: the campaign's)."""
        row = self.db.execute(
            f"SELECT sent_date FROM messages WHERE campaign_id = ? AND zone IS ? AND {_UNSENT} "
            "LIMIT 1",
            [campaign_id, zone],
        ).fetchone()
        return row[0] if row else None

    def date_some(self, campaign_id: int, zone: str | None, sent_date: str, limit: int) -> int:
        """Up to `limit` of the zone's rows not yet sent get this `sent_date`; returns how many."""
        return self.db.execute(
            "UPDATE messages SET sent_date = ? WHERE id IN (SELECT id FROM messages "
            f"WHERE campaign_id = ? AND zone IS ? AND {_UNSENT} AND sent_date IS NOT ? LIMIT ?)",
            [sent_date, campaign_id, zone, sent_date, limit],
        ).rowcount

    def hold(self, campaign_id: int, zone: str | None, until: str, limit: int) -> int:
        """Up to `limit` rows not yet taken of a zone wait until `until`; returns how many, so
        a caller may hold a big zone in slices and let other work run in between."""
        return self.db.execute(
            "UPDATE messages SET state = 'waiting', not_before = ? WHERE id IN (SELECT id FROM "
            f"messages WHERE campaign_id = ? AND zone IS ? AND {_UNSENT} AND state = 'new' "
            "LIMIT ?)",
            [until, campaign_id, zone, limit],
        ).rowcount

    def wait_until(
        self,
        campaign_id: int,
        until: Mapping[str | None, str],
        seqs: tuple[int, int] | None = None,
    ) -> int:
        """Rows not yet sent of each zone (those with `seqs[0] <= seq <= seqs[1]` when given)
        wait until the moment given for it (a send at each recipient's local time, made or
        moved); returns how many."""
        within, bounds = (" AND seq BETWEEN ? AND ?", list(seqs)) if seqs else ("", [])
        waiting = 0
        with self.db.atomic():
            for zone, moment in until.items():
                waiting += self.db.execute(
                    "UPDATE messages SET state = 'waiting', not_before = ? "
                    "WHERE campaign_id = ? AND state IN ('new', 'waiting') AND zone IS ?"
                    f"{within}",
                    [moment, campaign_id, zone, *bounds],
                ).rowcount
        return waiting

    def release_all(self, campaign_id: int) -> int:
        """Every waiting row is due now (Send now on a send at local times)."""
        return self.db.execute(
            "UPDATE messages SET state = 'new' WHERE campaign_id = ? AND state = 'waiting'",
            [campaign_id],
        ).rowcount

    def set_sent_dates(
        self,
        campaign_id: int,
        dates: Mapping[str | None, str],
        seqs: tuple[int, int] | None = None,
    ) -> None:
        """Each zone's rows (those with `seqs[0] <= seq <= seqs[1]` when given) get their own
        `sent_date` (the platform's zone, "YYYY-MM-DD HH:MM")."""
        within, bounds = (" AND seq BETWEEN ? AND ?", list(seqs)) if seqs else ("", [])
        with self.db.atomic():
            for zone, sent_date in dates.items():
                self.db.execute(
                    f"UPDATE messages SET sent_date = ? WHERE campaign_id = ? AND zone IS ?{within}",
                    [sent_date, campaign_id, zone, *bounds],
                )

    def release_due(self, campaign_id: int, now: str) -> int:
        """Waiting rows whose moment has come become `new`; returns how many."""
        return self.db.execute(
            "UPDATE messages SET state = 'new' WHERE campaign_id = ? AND state = 'waiting' "
            "AND not_before <= ?",
            [campaign_id, now],
        ).rowcount

    def waiting_until(self, campaign_id: int) -> dict[str, int]:
        """The campaign's waiting rows by the moment (UTC, ISO) they go out, earliest first."""
        cursor = self.db.execute(
            "SELECT not_before, COUNT(*) FROM messages WHERE campaign_id = ? "
            "AND state = 'waiting' GROUP BY not_before ORDER BY not_before",
            [campaign_id],
        )
        return dict(cursor.fetchall())

    _FIRST_RELEASE = (
        "SELECT MIN(not_before) FROM messages WHERE campaign_id = ? AND state = 'waiting'"
    )

    def first_release(self, campaign_id: int) -> str | None:
        """When the campaign's first waiting row goes out (UTC, ISO); None when none waits."""
        return self.db.execute(self._FIRST_RELEASE, [campaign_id]).fetchone()[0]

    def first_release_reader(self, campaign_id: int) -> Callable[[], str | None]:
        """`first_release`, read by a function to be called in a worker thread."""
        read = reader_apart(self.db, self._FIRST_RELEASE, [campaign_id])
        return lambda: next(iter(list(read())))[0]

    def get(self, message_id: int) -> MessageRow | None:
        rows = list(self.db["messages"].rows_where("id = ?", [message_id]))
        return _row(rows[0]) if rows else None

    def by_platform_id(self, platform_id: str) -> list[MessageRow]:
        """Rows with this platform id, or else those a status or a late answer gave it."""
        rows = self.db["messages"].rows_where("platform_id = ?", [platform_id])
        found = [_row(r) for r in rows]
        if found:
            return found
        rows = self.db["messages"].rows_where(
            "id IN (SELECT message_id FROM status_events WHERE platform_id = ?) OR answer_id = ?",
            [platform_id, platform_id],
            order_by="id",
        )
        return [_row(r) for r in rows]

    def take_new(
        self, campaign_id: int, limit: int, on_skipped: Callable[[int], None] | None = None
    ) -> list[MessageRow]:
        """Move up to `limit` new rows to `submitting` and return them (written before the request).

        The stop-list is checked here, whatever started the submission (sending now, a schedule,
        a resume, a re-send): rows whose address is on it when their turn comes become `skipped`
        in the same transaction and are never returned; `on_skipped` hears how many.
        """
        with self.db.atomic():
            while True:
                ids = [
                    row[0]
                    for row in self.db.execute(
                        "SELECT id FROM messages WHERE campaign_id = ? AND state = 'new' "
                        "ORDER BY seq LIMIT ?",
                        [campaign_id, limit],
                    )
                ]
                if not ids:
                    return []
                marks = ",".join("?" * len(ids))
                skipped = self.db.execute(
                    f"UPDATE messages SET state = 'skipped', error = ? WHERE id IN ({marks}) "
                    f"AND {_STOP_LISTED}",
                    [STOP_LISTED, *ids],
                ).rowcount
                if skipped and on_skipped is not None:
                    on_skipped(skipped)
                if skipped < len(ids):
                    break
            self.db.execute(
                f"UPDATE messages SET state = 'submitting', submitted_at = ? "
                f"WHERE id IN ({marks}) AND state = 'new'",
                [utc_now_iso(), *ids],
            )
            rows = self.db["messages"].rows_where(
                f"id IN ({marks}) AND state = 'submitting'", ids, order_by="seq"
            )
            return [_row(r) for r in rows]

    def finish_submissions(
        self, outcomes: Iterable[tuple[int, SubmitState, str | None, str | None]]
    ) -> None:
        """Store the answers: (row id, state, platform id, error) for rows now out of `submitting`.

        A row whose status arrived before its answer is accepted whatever the answer, and keeps
        the platform id its status came with; a different id in the answer is kept beside it
        (`answer_id`) and logged.
        """
        outcomes = list(outcomes)
        with self.db.atomic():
            self._log_other_ids(outcomes)
            self.db.conn.executemany(
                f"UPDATE messages SET state = CASE WHEN {HAS_STATUS} THEN 'accepted' ELSE ?1 END, "
                "answer_id = CASE WHEN platform_id != NULLIF(?2, '') THEN ?2 END, "
                "platform_id = COALESCE(platform_id, NULLIF(?2, '')), error = ?3 "
                "WHERE id = ?4 AND state = 'submitting'",
                [
                    (state.value, platform_id, error, row_id)
                    for row_id, state, platform_id, error in outcomes
                ],
            )

    def _log_other_ids(
        self, outcomes: list[tuple[int, SubmitState, str | None, str | None]]
    ) -> None:
        answered = {row_id: platform_id for row_id, _, platform_id, _ in outcomes if platform_id}
        ids = list(answered)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.db.execute(
                f"SELECT id, platform_id FROM messages WHERE id IN ({','.join('?' * len(chunk))}) "
                "AND state = 'submitting' AND platform_id IS NOT NULL",
                chunk,
            ).fetchall()
            for row_id, stored in rows:
                if stored != answered[row_id]:
                    log.warning(
                        "message %s: the platform answered id %s, its status came with id %s; "
                        "keeping %s",
                        row_id,
                        answered[row_id],
                        stored,
                        stored,
                    )

    def reported(self, row_ids: list[int]) -> dict[int, str | None]:
        """Of these rows, those that have a status, with the platform id it gave (if any)."""
        found: dict[int, str | None] = {}
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            found.update(
                self.db.execute(
                    f"SELECT id, platform_id FROM messages WHERE id IN ({','.join('?' * len(chunk))}) "
                    f"AND {HAS_STATUS}",
                    chunk,
                ).fetchall()
            )
        return found

    def back_to_new(self, row_ids: Iterable[int]) -> None:
        """Return rows the platform did not take to `new`; a row with a status exists: accepted."""
        with self.db.atomic():
            self.db.conn.executemany(
                f"UPDATE messages SET state = CASE WHEN {HAS_STATUS} THEN 'accepted' ELSE 'new' END, "
                f"submitted_at = CASE WHEN {HAS_STATUS} THEN submitted_at END "
                "WHERE id = ? AND state = 'submitting'",
                [(row_id,) for row_id in row_ids],
            )

    def mark_interrupted(self) -> dict[int, int]:
        """After a crash: rows left in `submitting` become `unknown`; returns count per campaign.

        Rows that received a status while awaiting their answer were created: they are accepted.
        """
        with self.db.atomic():
            created = self.db.execute(
                f"UPDATE messages SET state = 'accepted' WHERE state = 'submitting' AND {HAS_STATUS}"
            ).rowcount
            if created:
                log.info("%d rows caught mid-submission have a status: accepted", created)
            counts = dict(
                self.db.execute(
                    "SELECT campaign_id, COUNT(*) FROM messages WHERE state = 'submitting' "
                    "GROUP BY campaign_id"
                ).fetchall()
            )
            self.db.execute(
                "UPDATE messages SET state = 'unknown', error = ? WHERE state = 'submitting'",
                [INTERRUPTED],
            )
        return counts

    def settle_created(self, campaign_id: int) -> int:
        """Unknown or refused rows that have a status are accepted; returns how many changed.

        Called before any decision to send rows again, so such a decision never includes them.
        """
        return self.db.execute(
            "UPDATE messages SET state = 'accepted' WHERE campaign_id = ? "
            f"AND state IN ('unknown', 'rejected', 'new') AND {HAS_STATUS}",
            [campaign_id],
        ).rowcount

    def counts_by_state(self, campaign_id: int) -> dict[SubmitState, int]:
        rows = self.db.execute(
            "SELECT state, COUNT(*) FROM messages WHERE campaign_id = ? GROUP BY state",
            [campaign_id],
        ).fetchall()
        return {SubmitState(state): count for state, count in rows}

    def count_in(self, campaign_id: int, state: SubmitState) -> int:
        """How many of the campaign's rows are in one state: an index range, so asking how many
        wait (`new`) costs nothing once they are taken, however large the campaign."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND state = ?",
            [campaign_id, state.value],
        ).fetchone()
        return row[0]

    def accepted_count(self, campaign_id: int) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM messages WHERE campaign_id = ? AND state = ?",
            [campaign_id, SubmitState.ACCEPTED.value],
        ).fetchone()
        return row[0]

    def accepted_fields_reader(self, campaign_id: int) -> Callable[[], Iterable[dict[str, str]]]:
        """A function reading the fields of the accepted rows, to be called in a worker thread."""
        read = reader_apart(
            self.db,
            "SELECT fields FROM messages WHERE campaign_id = ? AND state = ? ORDER BY seq",
            [campaign_id, SubmitState.ACCEPTED.value],
        )
        return lambda: (json.loads(fields) if fields else {} for (fields,) in read())

    def fields_reader(self, campaign_id: int) -> Callable[[], Iterable[dict[str, str]]]:
        """A function reading the fields of every row of a campaign, in list order, to be called
        in a worker thread."""
        read = reader_apart(
            self.db, "SELECT fields FROM messages WHERE campaign_id = ? ORDER BY seq", [campaign_id]
        )
        return lambda: (json.loads(fields) if fields else {} for (fields,) in read())

    def rejections(self, campaign_id: int) -> dict[str, int]:
        """Rejected rows grouped by the platform's message."""
        rows = self.db.execute(
            "SELECT COALESCE(error, ''), COUNT(*) FROM messages WHERE campaign_id = ? "
            "AND state = 'rejected' GROUP BY 1 ORDER BY 2 DESC",
            [campaign_id],
        ).fetchall()
        return dict(rows)

    def cancel_new(self, campaign_id: int) -> int:
        """A stopped campaign: rows not yet taken for submission (or waiting for their time)
        are never sent; how many."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE messages SET state = 'cancelled' WHERE campaign_id = ? "
                "AND state IN ('new', 'waiting')",
                [campaign_id],
            )
        return cursor.rowcount

    def report_rows(self, campaign_id: int, *, undelivered_only: bool) -> list[MessageRow]:
        """The rows of a report file in recipient order: all, or those not (yet) delivered."""
        where = "campaign_id = ?"
        if undelivered_only:
            where += " AND NOT (state = 'accepted' AND COALESCE(status_class, '') = 'delivered')"
        cursor = self.db["messages"].rows_where(where, [campaign_id], order_by="seq")
        return [_row(r) for r in cursor]

    def report_rows_reader(
        self, campaign_id: int, *, undelivered_only: bool
    ) -> Callable[[], list[MessageRow]]:
        """`report_rows`, read by a function to be called in a worker thread."""
        where = "campaign_id = ?"
        if undelivered_only:
            where += " AND NOT (state = 'accepted' AND COALESCE(status_class, '') = 'delivered')"
        columns = [column.name for column in self.db["messages"].columns]
        read = reader_apart(
            self.db, f"SELECT * FROM messages WHERE {where} ORDER BY seq", [campaign_id]
        )
        return lambda: [_row(dict(zip(columns, values, strict=True))) for values in read()]

    def rejections_reader(self, campaign_id: int) -> Callable[[], dict[str, int]]:
        """`rejections`, read by a function to be called in a worker thread."""
        read = reader_apart(
            self.db,
            "SELECT COALESCE(error, ''), COUNT(*) FROM messages WHERE campaign_id = ? "
            "AND state = 'rejected' GROUP BY 1 ORDER BY 2 DESC",
            [campaign_id],
        )
        return lambda: dict(read())

    def rows(self, campaign_id: int, limit: int = -1) -> list[MessageRow]:
        """The campaign's rows in recipient order (the first `limit` of them, if given)."""
        cursor = self.db["messages"].rows_where(
            "campaign_id = ?", [campaign_id], order_by="seq", limit=limit
        )
        return [_row(r) for r in cursor]

    # Unknown rows awaiting the author's decision: caught by a stop, or answered unreadably
    # (a reason stored as a JSON code). A row with a status exists and is never among them.
    _UNDECIDED = (
        f"campaign_id = ? AND state = 'unknown' AND NOT {HAS_STATUS} AND (error = ? OR "
        "(json_valid(error) AND json_extract(error, '$.code') IS NOT NULL "
        "AND json_extract(error, '$.left') IS NULL))"
    )

    def count_undecided(self, campaign_id: int) -> int:
        """Unknown rows the author has not yet decided to send again or leave."""
        return self.db.execute(
            f"SELECT COUNT(*) FROM messages WHERE {self._UNDECIDED}", [campaign_id, INTERRUPTED]
        ).fetchone()[0]

    def undecided_reasons(self, campaign_id: int) -> dict[str, int]:
        """The undecided unknown rows grouped by their stored reason, most frequent first."""
        rows = self.db.execute(
            f"SELECT error, COUNT(*) FROM messages WHERE {self._UNDECIDED} "
            "GROUP BY error ORDER BY 2 DESC, 1",
            [campaign_id, INTERRUPTED],
        ).fetchall()
        return dict(rows)

    def requeue_undecided(self, campaign_id: int) -> int:
        """The author chose to send the undecided unknown rows again: they become `new`.

        A row that has a status was created: it is accepted, never sent again.
        """
        with self.db.atomic():
            self.settle_created(campaign_id)
            return self.db.execute(
                "UPDATE messages SET state = 'new', error = NULL, submitted_at = NULL "
                f"WHERE {self._UNDECIDED}",
                [campaign_id, INTERRUPTED],
            ).rowcount

    def leave_undecided(self, campaign_id: int) -> int:
        """The author chose not to send them again: they stay `unknown`, marked as decided."""
        return self.db.execute(
            "UPDATE messages SET error = CASE WHEN error = ? THEN ? "
            "ELSE json_set(error, '$.left', 1) END "
            f"WHERE {self._UNDECIDED}",
            [INTERRUPTED, INTERRUPTED_LEFT, campaign_id, INTERRUPTED],
        ).rowcount


def _row(row: dict) -> MessageRow:
    return MessageRow(
        id=row["id"],
        campaign_id=row["campaign_id"],
        seq=row["seq"],
        sent_to=row["sent_to"],
        fields=json.loads(row["fields"]) if row["fields"] else {},
        state=SubmitState(row["state"]),
        platform_id=row["platform_id"],
        error=row["error"],
        submitted_at=row["submitted_at"],
        status_raw=row["status_raw"],
        status_class=row["status_class"],
        status_at=row["status_at"],
        answer_id=row.get("answer_id"),
        zone=row.get("zone"),
        not_before=row.get("not_before"),
        sent_date=row.get("sent_date"),
    )
