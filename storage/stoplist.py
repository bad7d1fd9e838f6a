"""The stop-list: normalised addresses that never receive a message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.audit import AuditLog
from storage.clock import utc_now_iso
from storage.db import read_at, reader_apart

migrations = Migrations("stoplist")


@migrations()
def m001_stoplist(db: Database) -> None:
    db["stoplist"].create(
        {"address": str, "added_by": int, "added_at": str},
        pk="address",
        not_null={"added_at"},
    )


@migrations()
def m002_stoplist_ignoring_case(db: Database) -> None:
    # E-mail addresses are compared ignoring case when a campaign's rows are checked at submission.
    db.execute("CREATE INDEX IF NOT EXISTS idx_stoplist_lower ON stoplist (lower(address))")


@dataclass(frozen=True)
class StopEntry:
    address: str
    added_by: int | None
    added_at: str  # ISO 8601, UTC


_ADDRESSES = "SELECT address FROM stoplist"
AUDITED_ADDRESSES = 20  # of an addition, kept in its audit record (a removal keeps all)


class StopList:
    """Every change is recorded in the audit log in the same transaction."""

    def __init__(self, db: Database, audit: AuditLog) -> None:
        self.db = db
        self.audit = audit

    def add(self, addresses: list[str], added_by: int) -> int:
        """Add addresses (already normalised); returns how many were not there before."""
        now = utc_now_iso()
        with self.db.atomic():
            before = self.count()
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO stoplist (address, added_by, added_at) VALUES (?, ?, ?)",
                [(address, added_by, now) for address in addresses],
            )
            added = self.count() - before
            self._record(added_by, "stoplist_add", added, addresses)
        return added

    def remove(self, addresses: list[str], removed_by: int) -> int:
        """Remove addresses; returns how many were there.

        The audit entry names every address removed: each opt-out lifted is accounted for.
        """
        removed: list[str] = []
        with self.db.atomic():
            for address in dict.fromkeys(addresses):
                cursor = self.db.execute("DELETE FROM stoplist WHERE address = ?", [address])
                if cursor.rowcount:
                    removed.append(address)
            self.audit.record(removed_by, "stoplist_remove", count=len(removed), addresses=removed)
        return len(removed)

    def _record(self, actor_id: int, action: str, count: int, addresses: list[str]) -> None:
        self.audit.record(actor_id, action, count=count, addresses=addresses[:AUDITED_ADDRESSES])

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM stoplist").fetchone()[0]

    def first(self, limit: int) -> list[str]:
        """The earliest added addresses, oldest first."""
        cursor = self.db.execute(
            "SELECT address FROM stoplist ORDER BY added_at, rowid LIMIT ?", [limit]
        )
        return [row[0] for row in cursor]

    def entries(self, limit: int) -> list[StopEntry]:
        """The earliest added entries with who added them and when, oldest first."""
        cursor = self.db.execute(
            "SELECT address, added_by, added_at FROM stoplist ORDER BY added_at, rowid LIMIT ?",
            [limit],
        )
        return [StopEntry(*row) for row in cursor]

    def addresses(self) -> set[str]:
        return {row[0] for row in self.db.execute(_ADDRESSES)}

    def addresses_reader(self) -> Callable[[], set[str]]:
        """The stop-listed addresses, read by a function to be called in a worker thread."""
        read = reader_apart(self.db, _ADDRESSES, [])
        return lambda: {address for (address,) in read()}

    def holds(self, address: str) -> bool:
        """Whether one address is on the list, ignoring case as submission does."""
        row = self.db.execute(
            "SELECT 1 FROM stoplist WHERE lower(address) = lower(?) LIMIT 1", [address]
        ).fetchone()
        return row is not None


def stoplist_at(path: str) -> set[str]:
    """The stop-listed addresses, read over a connection of their own to the file at `path`
    (from another process: a 100,000-address list is tens of milliseconds to read and as many
    to hand over)."""
    return {address for (address,) in read_at(path, _ADDRESSES, [])}
