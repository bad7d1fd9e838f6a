"""Deciding on an approval: who may, approving, rejecting with a reason, withdrawing, and the
owner's choice after a late approval. Each decision and its audit record are one transaction;
only the first decision counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from bot.approval.notices import (
    ApprovalDecided,
    ApprovedLate,
    Follow,
)
from storage.approvals import Approval, ApprovalState
from storage.campaigns import Campaign, CampaignState
from storage.clock import utc_now_iso
from storage.members import Role
from storage.schedules import ScheduleState

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    OWN = "own"  # the author may never approve or reject their own campaign
    NOT_ALLOWED = "not_allowed"  # not (or no longer) an approver
    DECIDED = "decided"  # decided before this press: nothing changed
    GONE = "gone"  # the campaign was cancelled or already went out
    AUTHOR_LEFT = "author_left"  # its author may no longer send: it cannot go out as theirs


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    approval: Approval | None = None
    told: ApprovalDecided | None = None  # what the author was told, for their card too


class Deciding:
    """The decisions of `ApprovalService`, which it inherits."""

    def refusal(self, approval_id: int, actor_id: int) -> Decision | None:
        """Why this member may not decide this request now, or None when they may."""
        approval = self.store.approvals.get(approval_id)
        campaign = self.store.campaigns.get(approval.campaign_id) if approval else None
        if approval is None or campaign is None:
            return Decision(Outcome.GONE, approval)
        if actor_id in (approval.author_id, campaign.author_id):
            return Decision(Outcome.OWN, approval)
        if approval.state is not ApprovalState.PENDING:
            return Decision(Outcome.DECIDED, approval)
        if campaign.state is not CampaignState.SCHEDULED:
            return Decision(Outcome.GONE, approval)
        author_role = self.store.members.role_of(campaign.author_id)
        if author_role is None or not author_role.allows(Role.OPERATOR):
            return Decision(Outcome.AUTHOR_LEFT, approval)  # nothing goes out on their behalf
        refused = self._may_decide(actor_id, campaign)
        return None if refused is None else Decision(refused, approval)

    def _may_decide(self, actor_id: int, campaign: Campaign) -> Outcome | None:
        if actor_id == campaign.author_id:
            return Outcome.OWN
        role = self.store.members.role_of(actor_id)  # None once revoked
        if role is None:
            return Outcome.NOT_ALLOWED
        needed = Role.ADMIN if self.settings.approvers == "admin" else Role.OPERATOR
        return None if role.allows(needed) else Outcome.NOT_ALLOWED

    async def approve(self, approval_id: int, *, actor_id: int) -> Decision:
        """Approve once; then the campaign goes out now, at its time, or its owner is asked."""
        refused = self.refusal(approval_id, actor_id)
        if refused is not None:
            self._record_refusal(refused, approval_id, actor_id, "approve")
            return refused
        with self.store.db.atomic():
            if not self.store.approvals.decide(approval_id, ApprovalState.APPROVED, by=actor_id):
                return Decision(Outcome.DECIDED, self.store.approvals.get(approval_id))
            approval = self._get(approval_id)
            self.store.audit.record(actor_id, "approval_approve", campaign_id=approval.campaign_id)
        log.info("campaign %s approved by %s", approval.campaign_id, actor_id)
        told = await self._after_approval(approval, actor_id)
        await self._show_author(approval, told)
        await self.settle_cards(approval.id)
        return Decision(Outcome.APPROVED, approval, told)

    async def _show_author(self, approval: Approval, told: ApprovalDecided) -> None:
        """The author's card says what was decided, in place of "waiting"."""
        if approval.card_chat_id and approval.card_message_id:
            await self.notices.edit(approval.card_chat_id, approval.card_message_id, told)

    async def _after_approval(self, approval: Approval, actor_id: int) -> ApprovalDecided:
        campaign_id = approval.campaign_id
        schedule = self.store.schedules.for_campaign(campaign_id)
        by = self.name_of(actor_id)
        campaign = self.store.campaigns.get(campaign_id)
        assert campaign is not None
        if schedule is not None and schedule.state in (ScheduleState.PENDING, ScheduleState.PAUSED):
            follows = Follow.AT_ITS_TIME
        elif schedule is not None and self.clock() - schedule.run_at_time > self.grace:
            follows = Follow.OWNER_ASKED
        else:
            follows = Follow.LAUNCHED
        scheduled_for = schedule.run_at_time if schedule is not None else None
        decided = ApprovalDecided(
            campaign_id, True, by, None, follows, scheduled_for, self.settings.timezone
        )
        if follows is Follow.LAUNCHED:
            self.launcher.launch(campaign_id)  # before telling anyone: Telegram may be slow
        await self.notices.tell(campaign.author_chat_id, decided)
        if follows is Follow.OWNER_ASKED:
            assert schedule is not None
            late = int((self.clock() - schedule.run_at_time).total_seconds() // 60)
            question = ApprovedLate(approval.id, campaign_id, by, late)
            await self.notices.tell(campaign.author_chat_id, question)
        return decided

    async def reject(self, approval_id: int, *, actor_id: int, reason: str) -> Decision:
        """Reject once, with the reason: the campaign is cancelled and its author told why."""
        refused = self.refusal(approval_id, actor_id)
        if refused is not None:
            self._record_refusal(refused, approval_id, actor_id, "reject")
            return refused
        with self.store.db.atomic():
            if not self.store.approvals.decide(
                approval_id, ApprovalState.REJECTED, by=actor_id, reason=reason
            ):
                return Decision(Outcome.DECIDED, self.store.approvals.get(approval_id))
            approval = self._get(approval_id)
            campaign_id = approval.campaign_id
            self.store.campaigns.move(
                campaign_id,
                (CampaignState.SCHEDULED, CampaignState.SUBMITTING),
                CampaignState.CANCELLED,
                finished_at=utc_now_iso(),
            )
            self.store.schedules.cancel_for_campaign(campaign_id)
            self.store.audit.record(
                actor_id, "approval_reject", campaign_id=campaign_id, reason=reason
            )
        log.info("campaign %s rejected by %s", campaign_id, actor_id)
        campaign = self.store.campaigns.get(campaign_id)
        decided = ApprovalDecided(campaign_id, False, self.name_of(actor_id), reason)
        if campaign is not None:
            await self.notices.tell(campaign.author_chat_id, decided)
        await self._show_author(approval, decided)
        await self.settle_cards(approval.id)
        return Decision(Outcome.REJECTED, approval, decided)

    def withdraw(self, approval_id: int, *, actor_id: int) -> bool:
        """The author (or an admin) takes back a campaign still waiting: it is cancelled and
        no approval can send it any more. False when it was decided meanwhile."""
        approval = self.store.approvals.get(approval_id)
        campaign = self.store.campaigns.get(approval.campaign_id) if approval else None
        if approval is None or campaign is None:
            return False
        role = self.store.members.role_of(actor_id)
        if not (actor_id == campaign.author_id or role is Role.ADMIN):
            return False
        with self.store.db.atomic():
            if not self.store.approvals.decide(approval_id, ApprovalState.WITHDRAWN, by=actor_id):
                return False
            self.store.campaigns.move(
                campaign.id,
                (CampaignState.SCHEDULED, CampaignState.SUBMITTING),
                CampaignState.CANCELLED,
                finished_at=utc_now_iso(),
            )
            self.store.schedules.cancel_for_campaign(campaign.id)
            self.store.audit.record(actor_id, "approval_withdraw", campaign_id=campaign.id)
        log.info("campaign %s withdrawn from approval by %s", campaign.id, actor_id)
        return True

    def _record_refusal(
        self, refused: Decision, approval_id: int, actor_id: int, wanted: str
    ) -> None:
        if refused.outcome in (Outcome.OWN, Outcome.NOT_ALLOWED):
            self.store.audit.record(
                actor_id,
                "approval_refused",
                approval_id=approval_id,
                wanted=wanted,
                why=refused.outcome.value,
            )

    def late_choice(self, approval_id: int, *, actor_id: int, send: bool) -> bool:
        """The owner's answer about a late approval (an admin may answer too); only the first
        counts, as the campaign is then no longer waiting."""
        approval = self.store.approvals.get(approval_id)
        campaign = self.store.campaigns.get(approval.campaign_id) if approval else None
        if approval is None or campaign is None or approval.state is not ApprovalState.APPROVED:
            return False
        role = self.store.members.role_of(actor_id)
        owner = actor_id == campaign.author_id and role is not None and role.allows(Role.OPERATOR)
        if not (owner or role is Role.ADMIN) or campaign.state is not CampaignState.SCHEDULED:
            return False
        to_state = CampaignState.SUBMITTING if send else CampaignState.CANCELLED
        stamps = {} if send else {"finished_at": utc_now_iso()}
        with self.store.db.atomic():
            # Due for submission (a restart resumes it) or cancelled, with its record, at once.
            if not self.store.campaigns.move(
                campaign.id, (CampaignState.SCHEDULED,), to_state, **stamps
            ):
                return False
            if not send:
                self.store.schedules.cancel_for_campaign(campaign.id)
            action = "approval_late_send" if send else "approval_late_discard"
            self.store.audit.record(actor_id, action, campaign_id=campaign.id)
        if send:
            self.launcher.launch(campaign.id)
        return True
