"""When a recipient's message may go out: the zone of each row, the rows held back (`waiting`)
until a moment, and the platform's `sent_date` of each row. On the `messages` table."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlite_utils import Database

from storage.db import reader_apart
from storage.messages import SubmitState

# Rows not yet sent: the condition of idx_messages_unsent_zone, repeated in a query's WHERE so
# that SQLite may use that index.
_UNSENT = "state IN ('new', 'waiting')"


class MessageTimes:
    def __init__(self, db: Database) -> None:
        self.db = db

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

    def first_release(self, campaign_id: int) -> str | None:
        """When the campaign's first waiting row goes out (UTC, ISO); None when none waits."""
        return self.db.execute(self._FIRST_RELEASE, [campaign_id]).fetchone()[0]

    def first_release_reader(self, campaign_id: int) -> Callable[[], str | None]:
        """`first_release`, read by a function to be called in a worker thread."""
        read = reader_apart(self.db, self._FIRST_RELEASE, [campaign_id])
        return lambda: next(iter(list(read())))[0]

    _FIRST_RELEASE = (
        "SELECT MIN(not_before) FROM messages WHERE campaign_id = ? AND state = 'waiting'"
    )
