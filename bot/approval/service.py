"""Decisions about approvals: when a campaign needs one, who may give it, and what follows.

Every decision and its audit record are one transaction. Submission asks the gate before a
campaign leaves (Send now, a schedule's run, a platform-mode schedule, a resume), so nothing of
a campaign above the thresholds is submitted until another member approved it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.approval.notices import (
    ApprovalAsked,
    ApprovalDecided,
    ApprovalSettled,
    ApprovalWaiting,
    ApprovedLate,
    Figures,
    Follow,
)
from bot.approval.reasons import ReasonPrompts
from bot.approval.rule import approval_needed
from bot.compose.costs import measure, price_for
from bot.compose.placeholders import placeholders_in
from bot.compose.segments import is_sms_type
from bot.config import Settings
from bot.links.tracking import as_sent
from bot.notices import Notice, Notices
from bot.telegram.topics import about_type
from storage.approvals import Approval, ApprovalState
from storage.campaigns import Campaign, CampaignState
from storage.clock import utc_now, utc_now_iso
from storage.members import Role
from storage.messages import SubmitState
from storage.schedules import ScheduleMode, ScheduleState
from storage.store import Store

log = logging.getLogger(__name__)

EXCERPT_CHARS = 300  # of the message text shown to approvers


class CardNotices(Notices, Protocol):
    """Notices whose cards can be redrawn: approvers' cards lose their buttons once decided."""

    async def post(self, chat_id: int, notice: Notice) -> int | None: ...

    async def edit(self, chat_id: int, message_id: int, notice: Notice) -> bool: ...


class Launcher(Protocol):
    """What approval needs from sending (`bot.sending.engine.Sender`)."""

    def launch(self, campaign_id: int) -> None: ...


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


# -- the service ---------------------------------------------------------------------------------


class ApprovalService:
    """Requests, decisions and the submission gate; tells people through `Notices`."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        notices: CardNotices,
        launcher: Launcher,
        *,
        notify_chat: Callable[[], int | None] = lambda: None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store, self.settings, self.notices = store, settings, notices
        self.launcher = launcher
        self.notify_chat = notify_chat
        self.reasons = ReasonPrompts(store.kv)  # rejections waiting for their reason
        self.clock = clock

    @property
    def active(self) -> bool:
        settings = self.settings
        return (
            settings.approval_min_recipients is not None or settings.approval_min_cost is not None
        )

    def needs(self, figures: Figures) -> bool:
        return approval_needed(self.settings, figures.recipients, figures.estimate)

    async def figures(self, campaign: Campaign) -> Figures:
        """The preview's estimate over the campaign's own rows, counted in a worker thread."""
        price = price_for(campaign.type, self.settings.pulse_prices)
        needs_rows = is_sms_type(campaign.type) and bool(placeholders_in(campaign.text))
        reader = self.store.message_readers.fields_reader(campaign.id) if needs_rows else None
        measured_as = as_sent(self.settings.public_url, self.settings.tracks_links)
        size = campaign.recipient_count

        def count() -> Figures:
            rows = reader() if reader else None
            estimate = measure(
                campaign.text, campaign.type, size, rows, price, measured_as, campaign.transliterate
            )
            return Figures(estimate.recipients, estimate.parts, estimate.sms, estimate.total)

        return await asyncio.to_thread(count)

    # -- asking -------------------------------------------------------------------------------

    async def request(
        self, campaign_id: int, *, card: tuple[int, int] | None = None, tell_owner: bool = False
    ) -> Approval | None:
        """The campaign's approval request, made now if it is above a threshold and nothing of
        it left yet; None when it needs none. `card`: the author's card (chat, message)."""
        approval = self.store.approvals.for_campaign(campaign_id)
        campaign = self.store.campaigns.get(campaign_id)
        if approval is None and campaign is not None and self.active and self.fresh(campaign):
            figures = await self.figures(campaign)
            if self.needs(figures):
                approval = await self._open(campaign, figures, tell_owner=tell_owner)
        if approval is not None and card is not None:
            self.store.approvals.attach_card(approval.id, *card)
        return approval

    async def _open(self, campaign: Campaign, figures: Figures, *, tell_owner: bool) -> Approval:
        """Record the request and hold the campaign in one step, then tell the approvers."""
        with self.store.db.atomic():
            added = self.store.approvals.add(
                campaign.id,
                author_id=campaign.author_id,
                recipients=figures.recipients,
                parts=figures.parts,
                sms=figures.sms,
                estimate=figures.estimate,
            )
            if added is not None:
                self.hold(campaign.id)
                self.store.audit.record(
                    campaign.author_id,
                    "approval_request",
                    campaign_id=campaign.id,
                    recipients=figures.recipients,
                    parts=figures.parts,
                    estimate=figures.estimate,
                )
        if added is None:  # asked meanwhile by another path
            found = self.store.approvals.for_campaign(campaign.id)
            assert found is not None
            return found
        log.info(
            "campaign %s waits for approval: %d recipients, estimate %s",
            campaign.id,
            figures.recipients,
            figures.estimate,
        )
        await self._ask_approvers(added, campaign, figures)
        if tell_owner:
            time = self._time_of(campaign.id)
            due = time is None or time <= self.clock()
            await self.tell_owner(campaign, at_its_time=due)
        return added

    async def _ask_approvers(
        self, approval: Approval, campaign: Campaign, figures: Figures
    ) -> None:
        notice = self._asked(approval, campaign, figures)
        chats = [self.notify_chat(), *self.approvers(campaign)]
        cards: list[tuple[int, int]] = []
        with about_type(campaign.type):  # in the notify group: the type's topic
            for chat in dict.fromkeys(chat for chat in chats if chat is not None):
                message_id = await self.notices.post(chat, notice)
                if message_id is not None:
                    cards.append((chat, message_id))
        self.store.kv.set(_cards_key(approval.id), json.dumps(cards))

    def _asked(self, approval: Approval, campaign: Campaign, figures: Figures) -> ApprovalAsked:
        return ApprovalAsked(
            approval_id=approval.id,
            campaign_id=campaign.id,
            type=campaign.type,
            sender=campaign.sender,
            author=self.name_of(campaign.author_id),
            figures=figures,
            currency=self.settings.currency,
            excerpt=excerpt(campaign.text),
            scheduled_for=self._time_of(campaign.id),
            zone=self.settings.timezone,
        )

    async def settle_cards(self, approval_id: int) -> None:
        """Every approvers' card of a decided request shows the decision, without buttons."""
        approval = self.store.approvals.get(approval_id)
        campaign = self.store.campaigns.get(approval.campaign_id) if approval else None
        if approval is None or campaign is None or approval.state is ApprovalState.PENDING:
            return
        figures = Figures(approval.recipients, approval.parts, approval.sms, approval.estimate)
        by = self.name_of(approval.decided_by) if approval.decided_by else ""
        settled = ApprovalSettled(
            self._asked(approval, campaign, figures), approval.state, by, approval.reason
        )
        cards = json.loads(self.store.kv.get(_cards_key(approval_id)) or "[]")
        with about_type(campaign.type):
            for chat, message_id in cards:
                await self.notices.edit(chat, message_id, settled)
        self.store.kv.delete(_cards_key(approval_id))

    def approvers(self, campaign: Campaign) -> list[int]:
        """Members who may decide about this campaign (never its author)."""
        return [
            member.user_id
            for member in self.store.members.all()
            if self._may_decide(member.user_id, campaign) is None
        ]

    def anyone_may_approve(self, campaign_id: int) -> bool:
        """Whether some member other than the author may approve the campaign now."""
        campaign = self.store.campaigns.get(campaign_id)
        return campaign is not None and bool(self.approvers(campaign))

    async def tell_owner(self, campaign: Campaign, *, at_its_time: bool) -> None:
        notice = ApprovalWaiting(campaign.id, self.settings.approvers, at_its_time)
        await self.notices.tell(campaign.author_chat_id, notice)

    # -- held campaigns ---------------------------------------------------------------------

    def hold(self, campaign_id: int) -> bool:
        """A campaign due for submission goes back to waiting; True when it was due."""
        return self.store.campaigns.move(
            campaign_id, (CampaignState.SUBMITTING,), CampaignState.SCHEDULED
        )

    def fresh(self, campaign: Campaign) -> bool:
        """Nothing of it was submitted yet, and it may still be."""
        if campaign.state not in (CampaignState.SCHEDULED, CampaignState.SUBMITTING):
            return False
        counts = self.store.messages.counts_by_state(campaign.id)
        return not any(count for state, count in counts.items() if state is not SubmitState.NEW)

    # -- deciding -----------------------------------------------------------------------------

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

    # -- approved after its time ----------------------------------------------------------------

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

    # -- reading --------------------------------------------------------------------------------

    def get(self, approval_id: int) -> Approval | None:
        return self.store.approvals.get(approval_id)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.settings.schedule_grace_minutes)

    def name_of(self, user_id: int) -> str:
        """A member as people know them: their name, else their id (plain text)."""
        member = self.store.members.get(user_id)
        return member.name if member and member.name else str(user_id)

    def _time_of(self, campaign_id: int) -> datetime | None:
        schedule = self.store.schedules.for_campaign(campaign_id)
        if schedule is None or schedule.mode not in (ScheduleMode.BOT, ScheduleMode.PLATFORM):
            return None
        return schedule.run_at_time

    def _get(self, approval_id: int) -> Approval:
        approval = self.store.approvals.get(approval_id)
        assert approval is not None
        return approval


def _cards_key(approval_id: int) -> str:
    return f"approval_cards:{approval_id}"


def excerpt(text: str) -> str:
    """The start of a message text for the approvers' card (plain text; escaped when shown)."""
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"
