"""Recipient lists being composed: parsed once, kept here (not in the conversation state), used once.

A list is consumed by exactly one campaign: `claim` marks it atomically, so a second press of
Send finds it taken and sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso
from storage.db import reader_apart

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


class RecipientLists:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(
        self,
        owner_id: int,
        recipients: Iterable[tuple[str, Mapping[str, str]]],
        columns: list[str],
        left_out: Iterable[tuple[int | None, str, str]] = (),
    ) -> int:
        """Store a parsed list and the rows left out of it (line, text, reason); returns its id."""
        with self.db.atomic():
            list_id = (
                self.db["recipient_lists"]
                .insert(
                    {
                        "owner_id": owner_id,
                        "created_at": utc_now_iso(),
                        "size": 0,
                        "columns": json.dumps(columns, ensure_ascii=False),
                    }
                )
                .last_pk
            )
            items = (
                {
                    "list_id": list_id,
                    "seq": seq,
                    "address": address,
                    "fields": json.dumps(dict(fields), ensure_ascii=False) if fields else None,
                }
                for seq, (address, fields) in enumerate(recipients, start=1)
            )
            self.db["recipient_list_items"].insert_all(items, batch_size=2000)
            dropped = (
                {"list_id": list_id, "seq": seq, "line": line, "raw": raw, "reason": reason}
                for seq, (line, raw, reason) in enumerate(left_out, start=1)
            )
            self.db["recipient_list_left_out"].insert_all(dropped, batch_size=2000)
            size = self.db["recipient_list_items"].count_where("list_id = ?", [list_id])
            self.db["recipient_lists"].update(list_id, {"size": size})
        return list_id  # type: ignore[return-value]

    def size(self, list_id: int) -> int:
        row = self.db.execute("SELECT size FROM recipient_lists WHERE id = ?", [list_id]).fetchone()
        return row[0] if row else 0

    def columns(self, list_id: int) -> list[str]:
        row = self.db.execute(
            "SELECT columns FROM recipient_lists WHERE id = ?", [list_id]
        ).fetchone()
        return json.loads(row[0]) if row and row[0] else []

    def items(self, list_id: int, limit: int = -1) -> Iterator[tuple[str, dict[str, str]]]:
        cursor = self.db.execute(
            "SELECT address, fields FROM recipient_list_items WHERE list_id = ? ORDER BY seq LIMIT ?",
            [list_id, limit],
        )
        for address, fields in cursor:
            yield address, json.loads(fields) if fields else {}

    def left_out_counts(self, list_id: int) -> dict[str, int]:
        """How many rows were left out, by reason."""
        cursor = self.db.execute(
            "SELECT reason, COUNT(*) FROM recipient_list_left_out WHERE list_id = ? GROUP BY reason",
            [list_id],
        )
        return dict(cursor.fetchall())

    def left_out(self, list_id: int) -> list[tuple[int | None, str, str]]:
        """The rows left out, in the order they were met: line, text as written, reason."""
        cursor = self.db.execute(
            "SELECT line, raw, reason FROM recipient_list_left_out WHERE list_id = ? ORDER BY seq",
            [list_id],
        )
        return [tuple(row) for row in cursor]  # type: ignore[misc]

    def fields_reader(self, list_id: int) -> Callable[[], Iterator[dict[str, str]]]:
        """A function reading the list's fields in order, to be called in a worker thread."""
        read = reader_apart(
            self.db,
            "SELECT fields FROM recipient_list_items WHERE list_id = ? ORDER BY seq",
            [list_id],
        )
        return lambda: (json.loads(fields) if fields else {} for (fields,) in read())

    def claim(self, list_id: int, campaign_id: int) -> bool:
        """Bind the list to a campaign; False when another campaign already took it."""
        cursor = self.db.execute(
            "UPDATE recipient_lists SET campaign_id = ? WHERE id = ? AND campaign_id IS NULL",
            [campaign_id, list_id],
        )
        return cursor.rowcount == 1

    def claimed_by(self, list_id: int) -> int | None:
        row = self.db.execute(
            "SELECT campaign_id FROM recipient_lists WHERE id = ?", [list_id]
        ).fetchone()
        return row[0] if row else None
