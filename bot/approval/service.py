"""Decisions about approvals: when a campaign needs one, who may give it, and what follows.

Every decision and its audit record are one transaction. Submission asks the gate before a
campaign leaves (Send now, a schedule's run, a platform-mode schedule, a resume), so nothing of
a campaign above the thresholds is submitted until another member approved it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.approval.deciding import Deciding
from bot.approval.notices import (
    ApprovalAsked,
    ApprovalSettled,
    ApprovalWaiting,
    Figures,
)
from bot.approval.reasons import ReasonPrompts
from bot.approval.rule import approval_needed
from bot.compose.costs import campaign_estimate
from bot.config import Settings
from bot.links.tracking import as_sent
from bot.notices import Notice, Notices
from bot.schedule.when import Recurrence, next_run
from bot.telegram.topics import about_type
from storage.approvals import Approval, ApprovalState
from storage.campaigns import Campaign, CampaignState
from storage.clock import utc_now
from storage.messages import SubmitState
from storage.schedules import ScheduleMode
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


# -- the service ---------------------------------------------------------------------------------


class ApprovalService(Deciding):
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
        """The preview's estimate over the campaign's own rows, counted in a worker thread, or
        for a big campaign in the list process."""
        measured_as = as_sent(self.settings.public_url, self.settings.tracks_links)
        estimate = await campaign_estimate(
            self.store, campaign, self.settings.pulse_prices, measured_as
        )
        return Figures(estimate.recipients, estimate.parts, estimate.sms, estimate.total)

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

    async def series_may_run(self, campaign_id: int) -> bool:
        """Whether a repeating send's runs may go out now. Its one approval covers every run, so
        a series scheduled before approval was required is checked when a run comes and, when
        it needs approval, the series is put to the approvers (never the run: each run would
        ask again)."""
        approval = await self.request(campaign_id)
        return approval is None or approval.state is ApprovalState.APPROVED

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

    # -- approved after its time ----------------------------------------------------------------

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
        now = self.clock()
        if schedule.recurrence and schedule.run_at_time <= now:
            # A series put to the approvers as a run came: that run does not go out, the next does.
            recurrence = Recurrence.from_text(schedule.recurrence)
            following = next_run(recurrence, schedule.run_at_time, now, self.settings.zone)
            return following or schedule.run_at_time
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
