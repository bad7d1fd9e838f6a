"""Recipient lists being composed: parsed once, kept here (not in the conversation state), used once.

A list is consumed by exactly one campaign: `claim` marks it atomically, so a second press of
Send finds it taken and sends nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso
from storage.db import BUSY_TIMEOUT_MS, fields_of, file_of, read_at, reader_apart

migrations = Migrations("recipient_lists")


@migrations()
def m001_recipient_lists(db: Database) -> None:
    db["recipient_lists"].create(
        {
            "id": int,
            "owner_id": int,
            "created_at": str,
            "columns": str,
            "size": int,
            "campaign_id": int,
        },
        pk="id",
        not_null={"owner_id", "created_at", "size"},
    )
    db["recipient_list_items"].create(
        {"list_id": int, "seq": int, "address": str, "fields": str},
        pk=("list_id", "seq"),
        foreign_keys=[("list_id", "recipient_lists", "id")],
    )


@migrations()
def m002_left_out(db: Database) -> None:
    """The rows of an upload that did not make it into the list, with the reason for each."""
    db["recipient_list_left_out"].create(
        {"list_id": int, "seq": int, "line": int, "raw": str, "reason": str},
        pk=("list_id", "seq"),
        foreign_keys=[("list_id", "recipient_lists", "id")],
    )


@migrations()
def m003_zone(db: Database) -> None:
    """Each recipient's IANA zone as read with the list: from its row, or its number."""
    db.execute("ALTER TABLE recipient_list_items ADD COLUMN zone TEXT")


@migrations()
def m004_zone_counts(db: Database) -> None:
    """How many recipients each zone has, counted when the list is saved (JSON pairs)."""
    db.execute("ALTER TABLE recipient_lists ADD COLUMN zones TEXT")


@migrations()
def m005_coverage(db: Database) -> None:
    """Which rows have a value for which column, computed once when the list is read (JSON)."""
    db.execute("ALTER TABLE recipient_lists ADD COLUMN coverage TEXT")


# A recipient as saved: address, other columns, and optionally their zone (None: TIMEZONE).
Item = tuple[str, Mapping[str, str]] | tuple[str, Mapping[str, str], str | None]


class RecipientLists:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        owner_id: int,
        recipients: Iterable[Item],
        columns: list[str],
        left_out: Iterable[tuple[int | None, str, str]] = (),
        coverage: Mapping[str, object] | None = None,
    ) -> int:
        """Store a parsed list and the rows left out of it (line, text, reason); returns its id.

        `coverage` is what the composer computed about the list's values, kept with it."""
        with self.db.atomic():
            return _insert_list(
                self.db, owner_id, recipients, columns, left_out, coverage, chunk=None
            )

    async def save_off_loop(
        self,
        owner_id: int,
        recipients: Iterable[Item],
        columns: list[str],
        left_out: Iterable[tuple[int | None, str, str]] = (),
        coverage: Mapping[str, object] | None = None,
    ) -> int:
        """`save` in a worker thread over a connection of its own, committing every few thousand
        rows, so a 100,000-row list neither holds the event loop nor keeps the program's own
        writes (statuses) waiting for more than one chunk.

        The list's id is handed out only when every row is stored; a stop in between leaves an
        unreferenced partial list behind, never a partial list in use.
        """
        path = file_of(self.db)
        if path is None:  # an in-memory database has no second connection
            return self.save(owner_id, recipients, columns, left_out, coverage)
        rows, dropped = list(recipients), list(left_out)
        return await asyncio.to_thread(save_at, path, owner_id, rows, columns, dropped, coverage)

    def size(self, list_id: int) -> int:
        row = self.db.execute("SELECT size FROM recipient_lists WHERE id = ?", [list_id]).fetchone()
        return row[0] if row else 0

    def columns(self, list_id: int) -> list[str]:
        row = self.db.execute(
            "SELECT columns FROM recipient_lists WHERE id = ?", [list_id]
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else []

    def coverage(self, list_id: int) -> dict[str, object] | None:
        """What was computed about the list's values when it was read (None: not computed)."""
        row = self.db.execute(
            "SELECT coverage FROM recipient_lists WHERE id = ?", [list_id]
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def set_coverage(self, list_id: int, coverage: Mapping[str, object]) -> None:
        with self.db.atomic():
            self.db["recipient_lists"].update(
                list_id, {"coverage": json.dumps(coverage, ensure_ascii=False)}
            )

    def item(self, list_id: int, position: int) -> tuple[str, dict[str, str]] | None:
        """The recipient at a 1-based position of the list (one indexed lookup)."""
        row = self.db.execute(
            "SELECT address, fields FROM recipient_list_items WHERE list_id = ? AND seq = ?",
            [list_id, position],
        ).fetchone()
        if row is None:
            return None
        return row[0], json.loads(row[1]) if row[1] else {}

    def items(self, list_id: int, limit: int = -1) -> Iterator[tuple[str, dict[str, str]]]:
        cursor = self.db.execute(
            "SELECT address, fields FROM recipient_list_items WHERE list_id = ? ORDER BY seq LIMIT ?",
            [list_id, limit],
        )
        for address, fields in cursor:
            yield address, json.loads(fields) if fields else {}

    def items_with_zones(self, list_id: int) -> Iterator[tuple[str, dict[str, str], str | None]]:
        """The list's recipients in order, each with the zone read with it."""
        cursor = self.db.execute(
            "SELECT address, fields, zone FROM recipient_list_items WHERE list_id = ? ORDER BY seq",
            [list_id],
        )
        for address, fields, zone in cursor:
            yield address, json.loads(fields) if fields else {}, zone

    def zones(self, list_id: int) -> dict[str | None, int]:
        """How many recipients each zone has (None: the team's TIMEZONE), as counted when the
        list was saved, so a preview never counts a big list again."""
        row = self.db.execute(
            "SELECT zones FROM recipient_lists WHERE id = ?", [list_id]
        ).fetchone()
        if row and row[0]:
            return dict(json.loads(row[0]))
        return _count_zones(self.db, list_id)

    def left_out_counts(self, list_id: int) -> dict[str, int]:
        """How many rows were left out, by reason."""
        cursor = self.db.execute(
            "SELECT reason, COUNT(*) FROM recipient_list_left_out WHERE list_id = ? GROUP BY reason",
            [list_id],
        )
        return dict(cursor.fetchall())

    def left_out(self, list_id: int) -> list[tuple[int | None, str, str]]:
        """The rows left out, in the order they were met: line, text as written, reason."""
        return [tuple(row) for row in self.db.execute(_LEFT_OUT, [list_id])]  # type: ignore[misc]

    def items_reader(
        self, list_id: int
    ) -> Callable[[], Iterator[tuple[str, dict[str, str], str | None]]]:
        """A function reading the list's recipients in order, each with its zone, to be called
        in a worker thread."""
        read = reader_apart(self.db, _ITEMS, [list_id])
        return lambda: _items_of(read())

    def fields_reader(self, list_id: int) -> Callable[[], Iterator[dict[str, str]]]:
        """A function reading the list's fields in order, to be called in a worker thread."""
        read = reader_apart(self.db, _FIELDS, [list_id])
        return lambda: fields_of(read())

    def claim(self, list_id: int, campaign_id: int) -> bool:
        """Bind the list to a campaign; False when another campaign already took it."""
        cursor = self.db.execute(
            "UPDATE recipient_lists SET campaign_id = ? WHERE id = ? AND campaign_id IS NULL",
            [campaign_id, list_id],
        )
        return cursor.rowcount == 1

    def release(self, campaign_id: int) -> None:
        """Free the list a campaign claimed but never became (see `Campaigns.discard`)."""
        self.db.execute(
            "UPDATE recipient_lists SET campaign_id = NULL WHERE campaign_id = ?", [campaign_id]
        )

    def seq_bounds(self, list_id: int) -> tuple[int, int] | None:
        """The list's first and last item numbers, or None when it has none."""
        row = self.db.execute(
            "SELECT MIN(seq), MAX(seq) FROM recipient_list_items WHERE list_id = ?", [list_id]
        ).fetchone()
        return None if row is None or row[0] is None else (row[0], row[1])

    def claimed_by(self, list_id: int) -> int | None:
        row = self.db.execute(
            "SELECT campaign_id FROM recipient_lists WHERE id = ?", [list_id]
        ).fetchone()
        return row[0] if row else None


_CHUNK_ROWS = 5000
_FIELDS = "SELECT fields FROM recipient_list_items WHERE list_id = ? ORDER BY seq"
_ITEMS = "SELECT address, fields, zone FROM recipient_list_items WHERE list_id = ? ORDER BY seq"
_LEFT_OUT = "SELECT line, raw, reason FROM recipient_list_left_out WHERE list_id = ? ORDER BY seq"


def fields_at(path: str, list_id: int) -> Iterator[dict[str, str]]:
    """The list's fields in order, read over a connection of their own to the file at `path`
    (from another process)."""
    return fields_of(read_at(path, _FIELDS, [list_id]))


def items_at(path: str, list_id: int) -> Iterator[tuple[str, dict[str, str], str | None]]:
    """The list's recipients in order, each with its zone, read over a connection of their own
    to the file at `path` (from another process)."""
    return _items_of(read_at(path, _ITEMS, [list_id]))


def left_out_at(path: str, list_id: int) -> list[tuple[int | None, str, str]]:
    """`left_out`, read over a connection of its own to the file at `path`."""
    return [tuple(row) for row in read_at(path, _LEFT_OUT, [list_id])]  # type: ignore[misc]


def _items_of(rows: Iterable[tuple]) -> Iterator[tuple[str, dict[str, str], str | None]]:
    return ((address, json.loads(fields) if fields else {}, zone) for address, fields, zone in rows)


@contextmanager
def _immediate(db: Database) -> Iterator[None]:
    """A write transaction that takes the write lock at once: a deferred one that read first
    cannot wait for a writer (SQLite answers "locked" at once), an immediate one waits."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def save_at(
    path: str,
    owner_id: int,
    recipients: list[Item],
    columns: list[str],
    left_out: list[tuple[int | None, str, str]],
    coverage: Mapping[str, object] | None,
) -> int:
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = FULL")
        db = Database(connection)
        return _insert_list(
            db, owner_id, recipients, columns, left_out, coverage, chunk=_CHUNK_ROWS
        )
    finally:
        connection.close()


def _insert_list(
    db: Database,
    owner_id: int,
    recipients: Iterable[Item],
    columns: list[str],
    left_out: Iterable[tuple[int | None, str, str]],
    coverage: Mapping[str, object] | None,
    *,
    chunk: int | None,
) -> int:
    """Insert the list, its items and its left-out rows; with `chunk`, one transaction per
    `chunk` rows (the caller's transaction otherwise). The size is written last."""

    def step() -> AbstractContextManager[object]:
        return nullcontext() if chunk is None else _immediate(db)

    def in_chunks(table: str, records: Iterator[dict[str, object]]) -> None:
        if chunk is None:
            db[table].insert_all(records, batch_size=2000)
            return
        while batch := list(itertools.islice(records, chunk)):
            with step():
                db[table].insert_all(batch, batch_size=2000)

    header = {
        "owner_id": owner_id,
        "created_at": utc_now_iso(),
        "size": 0,
        "columns": json.dumps(columns, ensure_ascii=False),
        "coverage": json.dumps(coverage, ensure_ascii=False) if coverage is not None else None,
    }
    with step():
        list_id = db["recipient_lists"].insert(header).last_pk
    in_chunks(
        "recipient_list_items",
        (_item_record(list_id, seq, item) for seq, item in enumerate(recipients, start=1)),
    )
    in_chunks(
        "recipient_list_left_out",
        (
            {"list_id": list_id, "seq": seq, "line": line, "raw": raw, "reason": reason}
            for seq, (line, raw, reason) in enumerate(left_out, start=1)
        ),
    )
    with step():
        size = db["recipient_list_items"].count_where("list_id = ?", [list_id])
        zones = json.dumps(list(_count_zones(db, list_id).items()), ensure_ascii=False)
        db["recipient_lists"].update(list_id, {"size": size, "zones": zones})
    return list_id  # type: ignore[return-value]


def _item_record(list_id: int, seq: int, item: Item) -> dict[str, object]:
    fields = item[1]
    return {
        "list_id": list_id,
        "seq": seq,
        "address": item[0],
        "fields": json.dumps(dict(fields), ensure_ascii=False) if fields else None,
        "zone": item[2] if len(item) > 2 else None,  # type: ignore[misc]
    }


def _count_zones(db: Database, list_id: int) -> dict[str | None, int]:
    cursor = db.execute(
        "SELECT zone, COUNT(*) FROM recipient_list_items WHERE list_id = ? GROUP BY zone",
        [list_id],
    )
    return dict(cursor.fetchall())
