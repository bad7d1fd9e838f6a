"""Approvals: a campaign above the approval thresholds waits here for another member's decision."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso

migrations = Migrations("approvals")


class ApprovalState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by its author (or an admin) before anyone decided


@dataclass(frozen=True)
class Approval:
    """One campaign's request, with the figures its approvers were shown."""

    id: int
    campaign_id: int
    author_id: int
    state: ApprovalState
    recipients: int
    parts: int
    sms: bool
    estimate: Decimal | None  # None when the type has no price
    requested_at: str
    decided_by: int | None = None
    decided_at: str | None = None
    reason: str | None = None
    card_chat_id: int | None = None  # the author's composing card, edited as the state changes
    card_message_id: int | None = None


@migrations()
def m001_approvals(db: Database) -> None:
    db["approvals"].create(
        {
            "id": int,
            "campaign_id": int,
            "author_id": int,
            "state": str,
            "recipients": int,
            "parts": int,
            "sms": int,
            "estimate": str,  # exact decimal as text: money is never a float
            "requested_at": str,
            "decided_by": int,
            "decided_at": str,
            "reason": str,
            "card_chat_id": int,
            "card_message_id": int,
        },
        pk="id",
        not_null={"campaign_id", "author_id", "state", "requested_at"},
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )
    db["approvals"].create_index(["campaign_id"], unique=True)
    db["approvals"].create_index(["state"])


class Approvals:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self,
        campaign_id: int,
        *,
        author_id: int,
        recipients: int,
        parts: int,
        sms: bool,
        estimate: Decimal | None,
    ) -> Approval | None:
        """A pending request for the campaign; None when it already has one (any state)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO approvals (campaign_id, author_id, state, recipients, parts, "
            "sms, estimate, requested_at) VALUES (?, ?, 'pending', ?, ?, ?, ?, ?)",
            [
                campaign_id,
                author_id,
                recipients,
                parts,
                int(sms),
                None if estimate is None else str(estimate),
                utc_now_iso(),
            ],
        )
        return self.get(cursor.lastrowid) if cursor.rowcount == 1 else None  # type: ignore[arg-type]

    def get(self, approval_id: int) -> Approval | None:
        return self._one("SELECT * FROM approvals WHERE id = ?", [approval_id])

    def for_campaign(self, campaign_id: int) -> Approval | None:
        return self._one("SELECT * FROM approvals WHERE campaign_id = ?", [campaign_id])

    def pending_campaigns(self) -> set[int]:
        """The campaigns waiting for a decision."""
        rows = self.db.execute(
            "SELECT campaign_id FROM approvals WHERE state = ?", [ApprovalState.PENDING.value]
        )
        return {campaign_id for (campaign_id,) in rows}

    def pending(self) -> list[Approval]:
        cursor = self.db.execute("SELECT * FROM approvals WHERE state = 'pending' ORDER BY id")
        names = [column[0] for column in cursor.description]
        return [_approval(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def decide(
        self, approval_id: int, state: ApprovalState, *, by: int, reason: str | None = None
    ) -> bool:
        """Approve or reject a pending request; False when it was decided meanwhile."""
        cursor = self.db.execute(
            "UPDATE approvals SET state = ?, decided_by = ?, decided_at = ?, reason = ? "
            "WHERE id = ? AND state = 'pending'",
            [state.value, by, utc_now_iso(), reason, approval_id],
        )
        return cursor.rowcount == 1

    def attach_card(self, approval_id: int, chat_id: int, message_id: int) -> None:
        """Where the author's card is, so a decision can show on it."""
        self.db.execute(
            "UPDATE approvals SET card_chat_id = ?, card_message_id = ? WHERE id = ?",
            [chat_id, message_id, approval_id],
        )

    def _one(self, sql: str, parameters: list[object]) -> Approval | None:
        cursor = self.db.execute(sql, parameters)
        row = cursor.fetchone()
        if row is None:
            return None
        names = [column[0] for column in cursor.description]
        return _approval(dict(zip(names, row, strict=True)))


def _approval(row: dict) -> Approval:
    return Approval(
        id=row["id"],
        campaign_id=row["campaign_id"],
        author_id=row["author_id"],
        state=ApprovalState(row["state"]),
        recipients=row["recipients"] or 0,
        parts=row["parts"] or 0,
        sms=bool(row["sms"]),
        estimate=None if row["estimate"] is None else Decimal(row["estimate"]),
        requested_at=row["requested_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        reason=row["reason"],
        card_chat_id=row["card_chat_id"],
        card_message_id=row["card_message_id"],
    )


def inherit_approval(db: Database, source_id: int, copy_id: int) -> None:
    """A copy of an approved campaign (a repeating schedule's run) is approved as its source
    was, by the same member; within the caller's transaction."""
    db.execute(
        "INSERT OR IGNORE INTO approvals (campaign_id, author_id, state, recipients, parts, sms, "
        "estimate, requested_at, decided_by, decided_at) "
        "SELECT ?, author_id, state, recipients, parts, sms, estimate, requested_at, decided_by, "
        "decided_at FROM approvals WHERE campaign_id = ? AND state = 'approved'",
        [copy_id, source_id],
    )
