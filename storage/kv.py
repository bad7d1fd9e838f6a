"""Small values the program keeps for itself (generated secrets, a migrated group id)."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("kv")


@migrations()
def m001_kv(db: Database) -> None:
    db["kv"].create({"key": str, "value": str}, pk="key")


class KeyValues:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        """(key, value) of every key starting with `prefix`, in key order."""
        return self.db.execute(
            "SELECT key, value FROM kv WHERE substr(key, 1, ?) = ? ORDER BY key",
            [len(prefix), prefix],
        ).fetchall()

    def set(self, key: str, value: str) -> None:
        self.db["kv"].upsert({"key": key, "value": value}, pk="key")

    def delete(self, key: str) -> None:
        self.db.execute("DELETE FROM kv WHERE key = ?", [key])

    def get_or_create(self, key: str, make: callable) -> str:  # type: ignore[valid-type]
        """Return the stored value, storing `make()` first if there is none."""
        with self.db.atomic():
            value = self.get(key)
            if value is None:
                value = make()
                self.db.execute("INSERT INTO kv (key, value) VALUES (?, ?)", [key, value])
        return value
