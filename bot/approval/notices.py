"""What approval tells people, as facts: the approvers' card, the author's and owner's word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from bot.notices import Notice
from storage.approvals import ApprovalState


@dataclass(frozen=True)
class Figures:
    """What approvers see: the preview's counts and estimate."""

    recipients: int
    parts: int
    sms: bool
    estimate: Decimal | None


@dataclass(frozen=True)
class ApprovalAsked(Notice):
    """To the notify group and each approver: a campaign waits for their decision."""

    approval_id: int
    campaign_id: int
    type: str
    sender: str
    author: str
    figures: Figures
    currency: str
    excerpt: str
    scheduled_for: datetime | None  # a bot-mode or platform-mode schedule's time (UTC)
    zone: str  # where times are shown (TIMEZONE)


@dataclass(frozen=True)
class ApprovalSettled(Notice):
    """An approvers' card redrawn once decided: the request as it was, and what became of it."""

    asked: ApprovalAsked
    state: ApprovalState
    by: str
    reason: str | None


@dataclass(frozen=True)
class ApprovalWaiting(Notice):
    """To the owner: the campaign waits for approval (`at_its_time`: its time came meanwhile)."""

    campaign_id: int
    approvers: str  # "admin" or "operator"
    at_its_time: bool


@dataclass(frozen=True)
class ApprovalDecided(Notice):
    """To the author: approved (and what happens now) or rejected, by whom and why."""

    campaign_id: int
    approved: bool
    by: str
    reason: str | None
    follows: Follow | None = None
    scheduled_for: datetime | None = None
    zone: str = "UTC"


@dataclass(frozen=True)
class ApprovedLate(Notice):
    """To the owner: approved after its time and the grace period; send now or discard?"""

    approval_id: int
    campaign_id: int
    by: str
    minutes_late: int


class Follow(StrEnum):
    """What an approval sets going."""

    LAUNCHED = "launched"  # submitted now
    AT_ITS_TIME = "at_its_time"  # its schedule fires later
    OWNER_ASKED = "owner_asked"  # its time passed beyond the grace period
