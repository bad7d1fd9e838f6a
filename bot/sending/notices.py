"""What the sending engine tells a campaign's author, as plain facts (rendered by `cards`).

A pause notice is owed in the database until Telegram took it, so it is kept in a stored form
that a later start can read back and render in the language of that day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.notices import Notice
from bot.platform.reasons import Reason, ReasonCode, decode
from bot.sending.run_report import PauseKind


@dataclass(frozen=True)
class CampaignPaused(Notice):
    """Submission paused: why, and how many recipients wait for the author's Resume."""

    campaign_id: int
    kind: PauseKind
    reason: Reason
    waiting: int

    def encode(self) -> str:
        return json.dumps(
            {"kind": self.kind.value, "reason": self.reason.encode(), "waiting": self.waiting},
            sort_keys=True,
        )

    @classmethod
    def decode(cls, campaign_id: int, stored: str) -> CampaignPaused | None:
        """The stored form read back; None for anything else (a text kept by an older version)."""
        try:
            record = json.loads(stored)
            kind = PauseKind(record["kind"])
            reason = decode(record["reason"])
            waiting = int(record["waiting"])
        except (ValueError, TypeError, KeyError):
            return None
        if reason is None:
            return None
        return cls(campaign_id, kind, reason, waiting)


def pause_kind(reason: Reason) -> PauseKind:
    """Which kind of pause a stored pause reason stands for."""
    if reason.code is ReasonCode.REFUSED:
        return PauseKind.REFUSED
    if reason.code is ReasonCode.UNKNOWN_IN_A_ROW:
        return PauseKind.UNKNOWN
    return PauseKind.UNAVAILABLE


@dataclass(frozen=True)
class UnknownRowsQuestion(Notice):
    """Rows whose fate is unknown: send them again or leave them? Asked once per question id.

    `reasons` pairs each stored reason with its number of rows, most frequent first.
    """

    campaign_id: int
    question_id: int
    count: int
    reasons: tuple[tuple[str, int], ...]
