"""Conversation states, so a half-composed message survives a restart."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("fsm")


@migrations()
def m001_fsm(db: Database) -> None:
    db["fsm"].create({"key": str, "state": str, "data": str}, pk="key")


@migrations()
def m002_conversations_before_dialogs(db: Database) -> None:
    # Conversations ran on the bot's own card machinery until they moved to aiogram-dialog,
    # which keeps a stack of dialogs beside the state. A state left from before names a step no
    # dialog is open for: the person would type into silence. Every row at this point is from
    # before the move, so they go; a half-made draft is composed again, its old card's buttons
    # answer that they are no longer valid.
    db.execute("DELETE FROM fsm")


class ConversationStates:
    """Rows keyed by the bot/chat/user key aiogram builds."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get_state(self, key: str) -> str | None:
        row = self.db.execute("SELECT state FROM fsm WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, state: str | None) -> None:
        self.db.execute(
            "INSERT INTO fsm (key, state, data) VALUES (?, ?, '{}') "
            "ON CONFLICT(key) DO UPDATE SET state = excluded.state",
            [key, state],
        )

    def get_data(self, key: str) -> dict[str, Any]:
        row = self.db.execute("SELECT data FROM fsm WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def set_data(self, key: str, data: dict[str, Any]) -> None:
        if not data:
            # An ended conversation (or a dialog's closed context) leaves no row behind.
            with self.db.atomic():  # one commit, not two
                self.db.execute("DELETE FROM fsm WHERE key = ? AND state IS NULL", [key])
                self.db.execute("UPDATE fsm SET data = '{}' WHERE key = ?", [key])
            return
        self.db.execute(
            "INSERT INTO fsm (key, state, data) VALUES (?, NULL, ?) "
            "ON CONFLICT(key) DO UPDATE SET data = excluded.data",
            [key, json.dumps(data, ensure_ascii=False)],
        )
