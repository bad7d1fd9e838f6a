"""The questions asked about a campaign's rows whose fate is unknown, each decided once.

A new question about a campaign supersedes the older one still undecided, so only the latest
can be answered; a second press of the same button, or of an older question's, changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("recovery_questions")


@migrations()
def m001_recovery_questions(db: Database) -> None:
    db["recovery_questions"].create(
        {
            "id": int,
            "campaign_id": int,
            "count": int,
            "decision": str,
            "decided_by": int,
            "delivered": int,
        },
        pk="id",
        not_null={"campaign_id", "count", "delivered"},
    )
    db["recovery_questions"].create_index(["campaign_id"])
    # Earlier versions kept each question as a JSON record in kv: they move here, ids unchanged.
    if not db["kv"].exists():
        return
    for key, value in db.execute("SELECT key, value FROM kv WHERE key LIKE 'recovery:%'"):
        number = key.removeprefix("recovery:")
        if not number.isdigit():
            continue  # the sequence and the index of open questions: the table has both
        record = json.loads(value)
        db["recovery_questions"].insert(
            {
                "id": int(number),
                "campaign_id": record["campaign_id"],
                "count": record["count"],
                "decision": record.get("decision"),
                "decided_by": record.get("decided_by"),
                # Kept before delivery was recorded: it was asked.
                "delivered": int(record.get("delivered", True)),
            }
        )
    db.execute("DELETE FROM kv WHERE key LIKE 'recovery:%'")


class RecoveryDecision(StrEnum):
    SEND = "send"  # the interrupted rows go back to `new` and are submitted again
    LEAVE = "leave"  # they stay `unknown`
    SUPERSEDED = "superseded"  # a newer question about the same campaign replaced this one


@dataclass
class RecoveryQuestion:
    id: int
    campaign_id: int
    count: int
    decision: RecoveryDecision | None = None
    decided_by: int | None = None
    delivered: bool = False  # Telegram took the message asking it


class RecoveryQuestions:
    def __init__(self, db: Database) -> None:
        self.db = db

    def open(self, campaign_id: int, count: int) -> RecoveryQuestion:
        """Record a new question; an undecided older one about the campaign is superseded."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE recovery_questions SET decision = ? "
                "WHERE campaign_id = ? AND decision IS NULL",
                [RecoveryDecision.SUPERSEDED.value, campaign_id],
            )
            question_id = (
                self.db["recovery_questions"]
                .insert({"campaign_id": campaign_id, "count": count, "delivered": 0})
                .last_pk
            )
        return RecoveryQuestion(question_id, campaign_id, count)  # type: ignore[arg-type]

    def get(self, question_id: int) -> RecoveryQuestion | None:
        cursor = self.db.execute(
            "SELECT id, campaign_id, count, decision, decided_by, delivered "
            "FROM recovery_questions WHERE id = ?",
            [question_id],
        )
        row = cursor.fetchone()
        return _question(row) if row else None

    def mark_delivered(self, question_id: int) -> None:
        self.db.execute("UPDATE recovery_questions SET delivered = 1 WHERE id = ?", [question_id])

    def undelivered(self) -> list[RecoveryQuestion]:
        """Open questions whose message never reached their author (a stop came first)."""
        cursor = self.db.execute(
            "SELECT id, campaign_id, count, decision, decided_by, delivered "
            "FROM recovery_questions WHERE decision IS NULL AND delivered = 0 ORDER BY id"
        )
        return [_question(row) for row in cursor]

    def decide(self, question: RecoveryQuestion, decision: RecoveryDecision, actor_id: int) -> bool:
        """Record the answer (inside the caller's transaction); False when it was decided."""
        changed = self.db.execute(
            "UPDATE recovery_questions SET decision = ?, decided_by = ? "
            "WHERE id = ? AND decision IS NULL",
            [decision.value, actor_id, question.id],
        ).rowcount
        if changed:
            question.decision, question.decided_by = decision, actor_id
        return changed == 1


def _question(row: tuple[Any, ...]) -> RecoveryQuestion:
    question_id, campaign_id, count, decision, decided_by, delivered = row
    return RecoveryQuestion(
        question_id,
        campaign_id,
        count,
        RecoveryDecision(decision) if decision else None,
        decided_by,
        bool(delivered),
    )
