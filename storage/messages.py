"""One row per recipient of a campaign, with its submission state and latest delivery status."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database

from storage.clock import utc_now_iso

log = logging.getLogger(__name__)


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

    def cancel_waiting(self, campaign_id: int) -> int:
        """Rows still waiting for their time (the later zones of a send at local times) are
        never sent; how many."""
        return self.db.execute(
            "UPDATE messages SET state = 'cancelled' WHERE campaign_id = ? AND state = 'waiting'",
            [campaign_id],
        ).rowcount

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
