"""The questions the sending engine asks a campaign's author about rows whose fate is unknown.

After a crash, rows caught mid-submission are `unknown`, and so are rows whose answer could not
be read (a 5xx, a timeout after sending, an error page): the author decides once whether they
are sent again. Each question is a record in `kv`, so a second press of the same button, or of
an older question's button, changes nothing. How a question reads is in `bot.sending.cards`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from enum import StrEnum

from storage.store import Store

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class RecoveryOutcome:
    """What pressing a recovery button did; `changed` is False for a repeated or stale press."""

    question: RecoveryQuestion
    changed: bool
    count: int  # rows sent again or left unknown by this press (0 when not changed)


class RecoveryQuestions:
    """The questions about interrupted rows, kept in `kv` as `recovery:<id>` JSON records."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def open(self, campaign_id: int, count: int) -> RecoveryQuestion:
        """Record a new question; an undecided older one about the campaign is superseded."""
        kv = self._store.kv
        with self._store.db.atomic():
            question_id = int(kv.get("recovery:last") or 0) + 1
            kv.set("recovery:last", str(question_id))
            previous = kv.get(f"recovery:open:{campaign_id}")
            older = self.get(int(previous)) if previous else None
            if older is not None and older.decision is None:
                older.decision = RecoveryDecision.SUPERSEDED
                self._save(older)
            question = RecoveryQuestion(question_id, campaign_id, count)
            self._save(question)
            kv.set(f"recovery:open:{campaign_id}", str(question_id))
        return question

    def get(self, question_id: int) -> RecoveryQuestion | None:
        value = self._store.kv.get(f"recovery:{question_id}")
        if value is None:
            return None
        record = json.loads(value)
        decision = record.get("decision")
        record["decision"] = RecoveryDecision(decision) if decision else None
        record.setdefault("delivered", True)  # kept before delivery was recorded: it was asked
        return RecoveryQuestion(**record)

    def mark_delivered(self, question_id: int) -> None:
        with self._store.db.atomic():
            question = self.get(question_id)
            if question is not None and not question.delivered:
                question.delivered = True
                self._save(question)

    def undelivered(self) -> list[RecoveryQuestion]:
        """Open questions whose message never reached their author (a stop came first)."""
        found = []
        for _key, value in self._store.kv.with_prefix("recovery:open:"):
            question = self.get(int(value))
            if question is not None and question.decision is None and not question.delivered:
                found.append(question)
        return found

    def decide(
        self, question_id: int, decision: RecoveryDecision, actor_id: int
    ) -> RecoveryOutcome | None:
        """Apply the author's answer once, in one transaction with its audit record: the rows
        go back to `new`, or stay unknown. None for a question that does not exist."""
        question = self.get(question_id)
        if question is None:
            return None
        if question.decision is not None:
            return RecoveryOutcome(question, changed=False, count=0)
        messages = self._store.messages
        with self._store.db.atomic():
            if decision is RecoveryDecision.SEND:
                count = messages.requeue_undecided(question.campaign_id)
            else:
                count = messages.leave_undecided(question.campaign_id)
            question.decision = decision
            question.decided_by = actor_id
            self._save(question)
            action = "resend_unknown" if decision is RecoveryDecision.SEND else "leave_unknown"
            self._store.audit.record(
                actor_id, action, campaign_id=question.campaign_id, count=count
            )
        log.info(
            "campaign %s: %s chose to %s %d interrupted recipients",
            question.campaign_id,
            actor_id,
            decision.value,
            count,
        )
        return RecoveryOutcome(question, changed=True, count=count)

    def _save(self, question: RecoveryQuestion) -> None:
        self._store.kv.set(f"recovery:{question.id}", json.dumps(asdict(question)))
