"""Opening the SQLite file: PRAGMAs for a durable single-writer program, and migrations."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 3000


class ProgramDatabase(Database):
    """A `Database` whose transactions take the write lock when they begin.

    Statuses are stored by a thread of their own, and lists by other connections, while the
    loop's transactions run. A transaction begun as a reader that then writes fails at once
    (SQLITE_BUSY_SNAPSHOT, no waiting) when another connection committed after it read: with
    `BEGIN IMMEDIATE` it waits its turn instead, and reads what the others committed.
    """

    @contextmanager
    def atomic(self) -> Generator[Database, None, None]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.rollback()
            raise


def open_database(path: Path | str, migrations: Iterable[Migrations] = ()) -> Database:
    """Open (creating if needed) the database, set its PRAGMAs and apply pending migrations."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    db = ProgramDatabase(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if str(path) != ":memory:":
        db.enable_wal()
        # Migrations commit one by one (about fifty on a new file) without a sync each: each is
        # recorded in its own transaction, so one lost to a power cut is applied again at the
        # next start, and the first synced commit after them carries them all to the disk.
        db.execute("PRAGMA synchronous = NORMAL")
    for migration_set in migrations:
        migration_set.apply(db)
    if str(path) != ":memory:":
        # A status answered 200 is the platform's last copy of it: every commit reaches the disk
        # (WAL synced) before it returns, so a power loss cannot drop it. Grouped commits of
        # statuses keep the cost to one sync per group.
        db.execute("PRAGMA synchronous = FULL")
    return db


def is_healthy(db: Database) -> bool:
    """True when the database answers a trivial query."""
    try:
        db.execute("SELECT 1").fetchone()
    except sqlite3.Error:
        return False
    return True


def fields_of(rows: Iterable[tuple]) -> Iterator[dict[str, str]]:
    """Rows of one JSON `fields` column (a recipient's placeholder values) as dicts."""
    return (json.loads(fields) if fields else {} for (fields,) in rows)


def file_of(db: Database) -> str | None:
    """The database's file, or None for an in-memory database (no second connection to it)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else None


def open_apart(path: str) -> Database:
    """A connection of its own to the program's file, for one piece of work in a worker thread.

    The same durability as the program's connection, no migrations (they ran at start), and no
    implicit transactions: the work begins its own, `BEGIN IMMEDIATE` when it writes.
    """
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return ProgramDatabase(conn)


def reader_apart(db: Database, query: str, params: list[object]) -> Callable[[], Iterator[tuple]]:
    """A function yielding the query's rows, to be called in a worker thread.

    The program's connection belongs to the loop's thread, so the reader opens a read-only
    connection of its own (WAL lets it read beside the writer). An in-memory database has no
    file to open: it is read now.
    """
    path = file_of(db)
    if not path:
        rows = db.execute(query, params).fetchall()
        return lambda: iter(rows)
    return lambda: read_at(path, query, params)


def read_at(path: str, query: str, params: list[object]) -> Iterator[tuple]:
    """The query's rows over a read-only connection of their own to the file at `path`."""
    conn = sqlite3.connect(Path(path).as_uri() + "?mode=ro", uri=True)
    try:
        yield from conn.execute(query, params)
    finally:
        conn.close()
