"""Which Telegram message shows which campaign in which chat, and whether its final report went out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso

migrations = Migrations("cards")


@migrations()
def m001_status_cards(db: Database) -> None:
    db["status_cards"].create(
        {
            "campaign_id": int,
            "chat_id": int,
            "message_id": int,
            "report_sent": int,
            "updated_at": str,
        },
        pk=("campaign_id", "chat_id"),
        not_null={"campaign_id", "chat_id", "message_id"},
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )


@dataclass(frozen=True)
class StatusCard:
    campaign_id: int
    chat_id: int
    message_id: int
    report_sent: bool


class StatusCards:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, campaign_id: int, chat_id: int) -> StatusCard | None:
        row = self.db.execute(
            "SELECT campaign_id, chat_id, message_id, report_sent FROM status_cards "
            "WHERE campaign_id = ? AND chat_id = ?",
            [campaign_id, chat_id],
        ).fetchone()
        return StatusCard(row[0], row[1], row[2], bool(row[3])) if row else None

    def save(self, campaign_id: int, chat_id: int, message_id: int) -> None:
        """Remember the card's message (a new card replaces an old one; the report mark stays)."""
        self.db.execute(
            "INSERT INTO status_cards (campaign_id, chat_id, message_id, report_sent, updated_at) "
            "VALUES (?, ?, ?, 0, ?) ON CONFLICT (campaign_id, chat_id) DO UPDATE SET "
            "message_id = excluded.message_id, updated_at = excluded.updated_at",
            [campaign_id, chat_id, message_id, utc_now_iso()],
        )

    def forget(self, campaign_id: int, chat_id: int) -> None:
        self.db.execute(
            "DELETE FROM status_cards WHERE campaign_id = ? AND chat_id = ?",
            [campaign_id, chat_id],
        )

    def mark_report_sent(self, campaign_id: int, chat_id: int) -> None:
        self.db.execute(
            "UPDATE status_cards SET report_sent = 1, updated_at = ? "
            "WHERE campaign_id = ? AND chat_id = ?",
            [utc_now_iso(), campaign_id, chat_id],
        )

    def clear_report_sent(self, campaign_id: int, chat_id: int) -> None:
        self.db.execute(
            "UPDATE status_cards SET report_sent = 0 WHERE campaign_id = ? AND chat_id = ?",
            [campaign_id, chat_id],
        )
