"""What the engine does when a submission pass ends, and when a campaign's submission closes.

Unknown answers get one question to the author; a pause is recorded with its reason and told to
the author, with Resume; a pass that took every row closes the campaign's submission
(`submitted`), while rows waiting for their time (quiet hours) keep it open and wake it then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.sending.authors import AuthorMessages
from bot.sending.notices import CampaignPaused, UnknownRowsQuestion
from bot.sending.run_report import RunEnd, RunReport
from storage.campaigns import Campaign, CampaignState
from storage.clock import from_iso, utc_now_iso
from storage.messages import SubmitState
from storage.recovery_questions import RecoveryQuestion, RecoveryQuestions
from storage.store import Store

log = logging.getLogger(__name__)

WakeAt = Callable[[int, datetime], None]


class PassEnds:
    """Acts on how a pass ended; `changed` tells the cards, `wake_at` the program's scheduler."""

    def __init__(
        self,
        store: Store,
        authors: AuthorMessages,
        questions: RecoveryQuestions,
        changed: Callable[[int], None],
        wake_at: Callable[[], WakeAt | None],
    ) -> None:
        self._store = store
        self._authors = authors
        self._questions = questions
        self._changed = changed
        self._wake_at = wake_at

    def after(
        self, campaign: Campaign, report: RunReport, *, concurrency: int, closed: bool
    ) -> bool:
        """Record how a pass ended; True when another pass is needed (rows were put back)."""
        summary = ", ".join(f"{count} {name}" for name, count in sorted(report.outcomes.items()))
        lowest, highest = report.levels
        log.info(
            "campaign %s: pass ended (%s); concurrency %d to %d, now %d; "
            "%d requests refused by the platform or not connected",
            campaign.id,
            report.end.value,
            lowest,
            highest,
            concurrency,
            report.refused,
        )
        if report.outcomes.get(SubmitState.UNKNOWN.value):
            self.ask_about_unknown(campaign.id)
        if report.end is RunEnd.PAUSED and report.pause is not None:
            waiting = self.new_rows(campaign.id)
            self._store.campaigns.set_pause(campaign.id, report.pause.reason.encode())
            log.warning(
                "campaign %s paused with %d waiting (%s): %s",
                campaign.id,
                waiting,
                summary or "nothing stored",
                report.pause.reason,
            )
            notice = CampaignPaused(campaign.id, report.pause.kind, report.pause.reason, waiting)
            self._authors.tell_pause(campaign, notice)
            self._changed(campaign.id)
            return False
        if report.end is RunEnd.STOPPED:
            log.info(
                "campaign %s: stopped (%s); %d recipients wait for the next start",
                campaign.id,
                summary or "nothing stored",
                self.new_rows(campaign.id),
            )
            return False
        if self.new_rows(campaign.id) and not closed:
            return True  # rows were put back to `new` while this pass was finishing
        self.finish(campaign.id, summary)
        return False

    def finish(self, campaign_id: int, summary: str = "") -> None:
        counts = self._store.messages.counts_by_state(campaign_id)
        if counts.get(SubmitState.NEW) or counts.get(SubmitState.SUBMITTING):
            return
        if counts.get(SubmitState.WAITING):
            self._wake_for_waiting(campaign_id)
            return
        if self._store.campaigns.move(
            campaign_id,
            (CampaignState.SUBMITTING,),
            CampaignState.SUBMITTED,
            submitted_at=utc_now_iso(),
        ):
            totals = ", ".join(f"{count} {state.value}" for state, count in sorted(counts.items()))
            log.info("campaign %s submitted: %s (this pass: %s)", campaign_id, totals, summary)
            self._changed(campaign_id)

    def _wake_for_waiting(self, campaign_id: int) -> None:
        """The campaign stays being submitted; it is woken when its earliest waiting row is due."""
        waiting = self._store.message_times.waiting_until(campaign_id)
        if not waiting:
            return
        earliest = from_iso(next(iter(waiting)))
        log.info(
            "campaign %s: %d recipients wait, the first until %s",
            campaign_id,
            sum(waiting.values()),
            earliest.isoformat(),
        )
        wake_at = self._wake_at()
        if wake_at is None:
            log.warning("campaign %s: nothing will wake the waiting recipients", campaign_id)
            return
        wake_at(campaign_id, earliest)
        self._changed(campaign_id)

    def new_rows(self, campaign_id: int) -> int:
        return self._store.messages.count_in(campaign_id, SubmitState.NEW)

    def ask_about_unknown(self, campaign_id: int) -> RecoveryQuestion | None:
        """Send the author one question about the campaign's undecided unknown rows (if any):
        those a stop interrupted and those whose answer could not be read."""
        campaign = self._store.campaigns.get(campaign_id)
        count = self._store.messages.count_undecided(campaign_id)
        if campaign is None or count == 0:
            return None
        reasons = self._store.messages.undecided_reasons(campaign_id)
        question = self._questions.open(campaign_id, count)
        notice = UnknownRowsQuestion(campaign_id, question.id, count, tuple(reasons.items()))
        self._authors.tell_deciders(
            campaign, notice, on_sent=lambda: self._questions.mark_delivered(question.id)
        )
        self._changed(campaign_id)
        return question
