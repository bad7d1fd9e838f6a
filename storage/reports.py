"""Final reports owed to chats: recorded when a campaign finishes, removed once delivered.

Kept in the database so that a restart between a campaign's end and the delivery of its report
to every chat still delivers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso

migrations = Migrations("reports")


@migrations()
def m001_reports_owed(db: Database) -> None:
    db["reports_owed"].create(
        {"campaign_id": int, "chat_id": int, "owed_at": str},
        pk=("campaign_id", "chat_id"),
        not_null={"campaign_id", "chat_id", "owed_at"},
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )
    # Finished campaigns whose cards never got their report still owe it.
    db.execute(
        "INSERT OR IGNORE INTO reports_owed (campaign_id, chat_id, owed_at) "
        "SELECT c.campaign_id, c.chat_id, ? FROM status_cards c "
        "JOIN campaigns k ON k.id = c.campaign_id "
        "WHERE k.state = 'finished' AND NOT COALESCE(c.report_sent, 0)",
        [utc_now_iso()],
    )


@dataclass(frozen=True)
class OwedReport:
    campaign_id: int
    chat_id: int


class ReportsOwed:
    def __init__(self, db: Database) -> None:
        self.db = db

    def owe(self, campaign_id: int, chat_ids: Iterable[int]) -> None:
        """Each of these chats is owed the campaign's final report (once)."""
        now = utc_now_iso()
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO reports_owed (campaign_id, chat_id, owed_at) VALUES (?, ?, ?)",
            [(campaign_id, chat_id, now) for chat_id in chat_ids],
        )

    def is_owed(self, campaign_id: int, chat_id: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM reports_owed WHERE campaign_id = ? AND chat_id = ?",
            [campaign_id, chat_id],
        ).fetchone()
        return row is not None

    def all(self) -> list[OwedReport]:
        """Every report still owed, oldest first."""
        rows = self.db.execute(
            "SELECT campaign_id, chat_id FROM reports_owed ORDER BY owed_at, campaign_id, chat_id"
        ).fetchall()
        return [OwedReport(*row) for row in rows]

    def delivered(self, campaign_id: int, chat_id: int) -> None:
        self.db.execute(
            "DELETE FROM reports_owed WHERE campaign_id = ? AND chat_id = ?",
            [campaign_id, chat_id],
        )

    def move(self, campaign_id: int, old_chat_id: int, new_chat_id: int) -> None:
        """The chat became another (a group Telegram migrated): the report is owed there."""
        with self.db.atomic():
            if self.is_owed(campaign_id, old_chat_id):
                self.delivered(campaign_id, old_chat_id)
                self.owe(campaign_id, [new_chat_id])
