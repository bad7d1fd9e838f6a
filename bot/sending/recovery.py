"""The author's answer to a question about rows whose fate is unknown, applied once.

After a crash, rows caught mid-submission are `unknown`, and so are rows whose answer could not
be read (a 5xx, a timeout after sending, an error page): the author decides once whether they
are sent again. The questions are kept in `storage.recovery_questions`; how one reads is in
`bot.sending.cards`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from storage.recovery_questions import RecoveryDecision, RecoveryQuestion
from storage.store import Store

__all__ = ["RecoveryDecision", "RecoveryOutcome", "RecoveryQuestion", "decide"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecoveryOutcome:
    """What pressing a recovery button did; `changed` is False for a repeated or stale press."""

    question: RecoveryQuestion
    changed: bool
    count: int  # rows sent again or left unknown by this press (0 when not changed)


def decide(
    store: Store, question_id: int, decision: RecoveryDecision, actor_id: int
) -> RecoveryOutcome | None:
    """Apply the author's answer once, in one transaction with its audit record: the rows go
    back to `new`, or stay unknown. None for a question that does not exist."""
    questions, messages = store.recovery_questions, store.messages
    with store.db.atomic():
        question = questions.get(question_id)
        if question is None:
            return None
        if not questions.decide(question, decision, actor_id):
            return RecoveryOutcome(question, changed=False, count=0)
        if decision is RecoveryDecision.SEND:
            count = messages.requeue_undecided(question.campaign_id)
        else:
            count = messages.leave_undecided(question.campaign_id)
        action = "resend_unknown" if decision is RecoveryDecision.SEND else "leave_unknown"
        store.audit.record(actor_id, action, campaign_id=question.campaign_id, count=count)
    log.info(
        "campaign %s: %s chose to %s %d interrupted recipients",
        question.campaign_id,
        actor_id,
        decision.value,
        count,
    )
    return RecoveryOutcome(question, changed=True, count=count)
