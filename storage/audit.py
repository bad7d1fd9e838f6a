"""The audit log: who did what, when."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import to_iso, utc_now_iso

migrations = Migrations("audit")


@migrations()
def m001_audit(db: Database) -> None:
    db["audit"].create(
        {"id": int, "at": str, "user_id": int, "action": str, "details": str},
        pk="id",
        not_null={"at", "action"},
    )
    db["audit"].create_index(["at"])


@migrations()
def m002_audit_by_user(db: Database) -> None:
    db["audit"].create_index(["user_id", "action", "at"])


class AuditLog:
    """Append-only record of sends, schedules, cancels, membership changes and refusals."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, actor_id: int | None, action: str, /, **details: Any) -> None:
        """Store one event by `actor_id`; `details` may name other users (e.g. `user_id=`)."""
        self.db["audit"].insert(
            {
                "at": utc_now_iso(),
                "user_id": actor_id,
                "action": action,
                "details": json.dumps(details, ensure_ascii=False, default=str),
            }
        )

    def record_unless_recent(
        self, actor_id: int, action: str, /, *, within: timedelta, now: datetime, **details: Any
    ) -> bool:
        """Store the event unless `actor_id` has one of this action within `within` before `now`.

        Returns whether it was stored, so a caller can act once per window too.
        """
        since = to_iso(now - within)
        with self.db.atomic():
            seen = self.db.execute(
                "SELECT 1 FROM audit WHERE user_id = ? AND action = ? AND at > ? LIMIT 1",
                [actor_id, action, since],
            ).fetchone()
            if seen:
                return False
            self.db["audit"].insert(
                {
                    "at": to_iso(now),
                    "user_id": actor_id,
                    "action": action,
                    "details": json.dumps(details, ensure_ascii=False, default=str),
                }
            )
        return True

    def recent(self, limit: int = 50, action: str | None = None) -> list[dict]:
        where, args = ("action = ?", [action]) if action else (None, [])
        rows = self.db["audit"].rows_where(where, args, order_by="id desc", limit=limit)
        return [{**row, "details": json.loads(row["details"] or "{}")} for row in rows]
