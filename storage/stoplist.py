"""The stop-list: normalised addresses that never receive a message."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso

migrations = Migrations("stoplist")


@migrations()
def m001_stoplist(db: Database) -> None:
    db["stoplist"].create(
        {"address": str, "added_by": int, "added_at": str},
        pk="address",
        not_null={"added_at"},
    )


class StopList:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, addresses: Iterable[str], added_by: int) -> int:
        """Add addresses (already normalised); returns how many were not there before."""
        now = utc_now_iso()
        with self.db.atomic():
            before = self.count()
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO stoplist (address, added_by, added_at) VALUES (?, ?, ?)",
                [(address, added_by, now) for address in addresses],
            )
            return self.count() - before

    def remove(self, addresses: Iterable[str]) -> int:
        """Remove addresses; returns how many were there."""
        with self.db.atomic():
            before = self.count()
            self.db.conn.executemany(
                "DELETE FROM stoplist WHERE address = ?", [(address,) for address in addresses]
            )
            return before - self.count()

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM stoplist").fetchone()[0]

    def first(self, limit: int) -> list[str]:
        """The earliest added addresses, oldest first."""
        cursor = self.db.execute(
            "SELECT address FROM stoplist ORDER BY added_at, rowid LIMIT ?", [limit]
        )
        return [row[0] for row in cursor]

    def addresses(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT address FROM stoplist")}
