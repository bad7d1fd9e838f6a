"""The sending engine: turns a confirmed draft into a campaign and submits every recipient once.

`create` binds a recipient list to exactly one campaign (a second press of Send raises
`AlreadyLaunched`); `launch` submits in the background (see `bot.sending.submission`); `drain` lets
requests in flight finish at shutdown; `resume_after_restart` asks the author about rows a crash
left undecided and resumes what never left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol, TypeVar

from bot.config import Settings
from bot.links.tracking import LinkShortener
from bot.metrics import Metrics
from bot.notices import Notices
from bot.platform.concurrency import AdaptiveConcurrency
from bot.schedule.when import platform_sent_date
from bot.sending.authors import AuthorMessages
from bot.sending.creation import (
    NewCampaign,
    create_campaign,
    create_off_loop,
    discard_unprepared,
    prepare_off_loop,
)
from bot.sending.from_settings import callback_base, submission_options
from bot.sending.pass_end import PassEnds
from bot.sending.recovery import RecoveryDecision, RecoveryOutcome, RecoveryQuestion, decide
from bot.sending.request_slots import RequestSlots
from bot.sending.submission import CampaignSubmission, PlatformClient, SubmissionOptions
from bot.timing.holding import PlatformTimes, QuietHold
from bot.timing.quiet_hours import QuietHours
from storage.campaigns import Campaign, CampaignState, Draft
from storage.clock import utc_now, utc_now_iso
from storage.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


class SubmissionGate(Protocol):
    """Asked before a campaign is submitted (approval): False holds it, and the gate launches
    it again once it may go."""

    def admits(self, campaign_id: int) -> bool: ...


class Sender:
    """Creates campaigns and submits their recipients; one instance per program."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        platform: PlatformClient,
        callback_secret: str,
        metrics: Metrics,
        notices: Notices,
        on_change: Callable[[int], None],
        *,
        options: SubmissionOptions | None = None,
        drain_timeout: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
        loop_crowded: Callable[[], bool] = lambda: False,
    ) -> None:
        """`loop_crowded()`: whether the event loop runs late lately; fewer requests are then
        kept in flight, so people and status callbacks are answered first."""
        self._store = store
        self._clock = clock
        self._quiet = QuietHours.parse(settings.quiet_hours)
        # Set by the program to wake a campaign whose rows wait (quiet hours, local times).
        self.wake_at: Callable[[int, datetime], None] | None = None
        self._settings = settings
        self._platform = platform
        self._callback_secret = callback_secret
        self._metrics = metrics
        self.authors = AuthorMessages(store, notices)
        self.on_change = on_change
        self.options = options or submission_options(settings)
        self.callback_base = callback_base(settings)
        self.questions = store.recovery_questions
        self.ends = PassEnds(
            store, self.authors, self.questions, self._changed, lambda: self.wake_at
        )
        self._links = (
            LinkShortener(store.links, settings.public_url) if settings.tracks_links else None
        )
        self._drain_timeout = drain_timeout
        self._slots = RequestSlots(
            AdaptiveConcurrency(settings.pulse_concurrency, settings.pulse_max_concurrency),
            loop_crowded,
        )
        metrics.submission_concurrency.set_function(lambda: self.concurrency)
        self._runs: dict[int, CampaignSubmission] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._closed = False
        self.gate: SubmissionGate | None = None

    # -- creating and starting ------------------------------------------------------------------

    def create(
        self,
        draft: Draft,
        list_id: int,
        *,
        author_id: int,
        author_chat_id: int,
        scheduled: bool = False,
        test: bool = False,
    ) -> int:
        """Create the campaign and its recipient rows in one transaction (joining the caller's);
        returns its id. Raises AlreadyLaunched when the list was already used, ValueError when it
        is missing or empty. A `test` campaign is the author's look at one message on their own
        address: its cards stay in the author's chat and it counts in no figures."""
        new = self._new_campaign(draft, list_id, author_id, author_chat_id, scheduled)
        return create_campaign(self._store, replace(new, test=test))

    async def create_off_loop(
        self,
        draft: Draft,
        list_id: int,
        *,
        author_id: int,
        author_chat_id: int,
        scheduled: bool = False,
    ) -> int:
        """`create` with the recipients copied in a worker thread: the loop goes on meanwhile."""
        new = self._new_campaign(draft, list_id, author_id, author_chat_id, scheduled)
        return await create_off_loop(self._store, new)

    async def prepare_off_loop(
        self,
        draft: Draft,
        list_id: int,
        then: Callable[[Store, int], T],
        *,
        author_id: int,
        author_chat_id: int,
        scheduled: bool = False,
        shape: Callable[[Store, int, tuple[int, int]], None] | None = None,
    ) -> T:
        """`create_off_loop` whose last transaction also runs `then(store, campaign_id)` in the
        worker thread, for what must exist with the campaign or not at all (a schedule's row);
        returns what `then` returns. `shape` sets what the rows carry, a piece at a time (see
        `bot.sending.creation.prepare_off_loop`)."""
        new = self._new_campaign(draft, list_id, author_id, author_chat_id, scheduled)
        return await prepare_off_loop(self._store, new, then, shape=shape)

    def _new_campaign(
        self, draft: Draft, list_id: int, author_id: int, author_chat_id: int, scheduled: bool
    ) -> NewCampaign:
        return NewCampaign(
            draft,
            list_id,
            author_id,
            author_chat_id,
            scheduled,
            sandbox=self._settings.sandbox,
            callbacks=self.callback_base is not None,
        )

    def launch(self, campaign_id: int) -> None:
        """Start submitting in the background; a campaign already being submitted is left alone."""
        if self._closed:
            log.warning(
                "campaign %s not launched: the program is stopping; the next start resumes it",
                campaign_id,
            )
            return
        if self.is_running(campaign_id):
            return
        if self.gate is not None and not self.gate.admits(campaign_id):
            log.info("campaign %s not launched: it waits for approval", campaign_id)
            return
        campaign = self._store.campaigns.get(campaign_id)
        if campaign is None:
            raise LookupError(f"no campaign {campaign_id}")
        if campaign.state is CampaignState.SCHEDULED:
            moved = self._store.campaigns.move(
                campaign_id, (CampaignState.SCHEDULED,), CampaignState.SUBMITTING
            )
        elif campaign.state in (CampaignState.SUBMITTED, CampaignState.FINISHED):
            # Rows put back to `new` by the author (recovery) reopen a finished submission.
            moved = self.ends.new_rows(campaign_id) > 0 and self._store.campaigns.move(
                campaign_id,
                (CampaignState.SUBMITTED, CampaignState.FINISHED),
                CampaignState.SUBMITTING,
                submitted_at=None,
                finished_at=None,
            )
        else:
            moved = campaign.state is CampaignState.SUBMITTING
        if not moved:
            log.info("campaign %s not launched: it is %s", campaign_id, campaign.state.value)
            return
        if campaign.pause_reason:
            with self._store.db.atomic():
                self._store.campaigns.set_pause(campaign_id, None)
                self.authors.forget_pause(campaign_id)
        task = asyncio.create_task(self._submit_campaign(campaign_id))
        self._tasks[campaign_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(campaign_id, None))
        self._changed(campaign_id)

    @property
    def concurrency(self) -> int:
        """Platform requests allowed in flight now, for every campaign together."""
        return self._slots.size

    @property
    def accepting(self) -> bool:
        """False once the program stops: campaigns due now are started at the next start."""
        return not self._closed

    def is_running(self, campaign_id: int) -> bool:
        return campaign_id in self._tasks

    async def wait(self, campaign_id: int) -> None:
        """Wait until the campaign's current submission pass ends (returns at once if none)."""
        task = self._tasks.get(campaign_id)
        if task is not None:
            await asyncio.shield(task)

    def cancel_scheduled(self, campaign_id: int, *, actor_id: int | None = None) -> bool:
        """Cancel a campaign still waiting for its time; False when it is not scheduled."""
        cancelled = self._store.campaigns.move(
            campaign_id,
            (CampaignState.SCHEDULED,),
            CampaignState.CANCELLED,
            finished_at=utc_now_iso(),
        )
        if cancelled:
            # Rows waiting for their local time read as never sent, like the campaign's others.
            self._store.message_times.release_all(campaign_id)
            self._store.audit.record(actor_id, "cancel", campaign_id=campaign_id)
            log.info("campaign %s cancelled by %s", campaign_id, actor_id)
            self._changed(campaign_id)
        return cancelled

    def waiting_cancelled(self, campaign_id: int) -> None:
        """The rows waiting for their time were cancelled: unless a pass is under way (whose end
        closes the submission), the submission closes now, and the campaign's card shows it."""
        if not self.is_running(campaign_id):
            self.ends.finish(campaign_id, "waiting recipients cancelled")
        self._changed(campaign_id)

    def resume(self, campaign_id: int, *, actor_id: int) -> bool:
        """Continue a paused campaign; False when it is not paused (or already running)."""
        campaign = self._store.campaigns.get(campaign_id)
        if (
            campaign is None
            or campaign.state is not CampaignState.SUBMITTING
            or not campaign.pause_reason
            or self.is_running(campaign_id)
            or self._closed
        ):
            return False
        self._store.audit.record(actor_id, "resume", campaign_id=campaign_id)
        log.info("campaign %s resumed by %s", campaign_id, actor_id)
        self.launch(campaign_id)
        return True

    async def stop_campaign(self, campaign_id: int, *, actor_id: int) -> int | None:
        """Cancel every row not yet submitted; requests in flight still get their answers.
        Returns how many rows were cancelled, or None when the campaign is not being submitted.

        The rows are cancelled in a worker thread: a stop of a 100,000-row campaign does not
        hold the event loop."""

        def cancel(store: Store) -> tuple[Campaign, int] | None:
            campaign = store.campaigns.get(campaign_id)
            if campaign is None or campaign.state is not CampaignState.SUBMITTING:
                return None
            cancelled = store.messages.cancel_new(campaign_id)
            store.audit.record(actor_id, "stop", campaign_id=campaign_id, cancelled=cancelled)
            return campaign, cancelled

        stopped = await self._store.write_off_loop(cancel)
        if stopped is None:
            return None
        campaign, cancelled = stopped
        log.info("campaign %s stopped by %s: %d rows cancelled", campaign_id, actor_id, cancelled)
        if not self.is_running(campaign_id):
            # Paused or waiting: no pass will end to close the submission, so close it here.
            if campaign.pause_reason:
                self._store.campaigns.set_pause(campaign_id, None)
            self.ends.finish(campaign_id, f"{cancelled} cancelled")
        self._changed(campaign_id)
        return cancelled

    # -- submission -----------------------------------------------------------------------------

    async def _submit_campaign(self, campaign_id: int) -> None:
        """Run submission passes until nothing is left, a pause, or a stop."""
        while not self._closed:  # a drain may come before this task's first step
            campaign = self._store.campaigns.get(campaign_id)
            if campaign is None or campaign.state is not CampaignState.SUBMITTING:
                return
            submission = CampaignSubmission(
                campaign,
                store=self._store,
                platform=self._platform,
                slots=self._slots,
                options=self.options,
                callback_base=self.callback_base,
                callback_secret=self._callback_secret,
                metrics=self._metrics,
                on_stored=lambda: self._changed(campaign_id),
                links=self._links,
                hold=QuietHold(
                    self._store.message_times,
                    campaign_id,
                    window=self._quiet,
                    default_zone=self._settings.zone,
                    clock=self._clock,
                    platform_times=(
                        PlatformTimes(campaign.sent_date, self._settings.pulse_zone)
                        if campaign.sent_date
                        else None
                    ),
                ),
                platform_minute=(
                    (lambda: platform_sent_date(self._clock(), self._settings.pulse_zone))
                    if campaign.sent_date
                    else None
                ),
            )
            self._runs[campaign_id] = submission
            log.info("campaign %s: submitting (%s mode)", campaign_id, self.options.mode)
            try:
                report = await submission.run()
            except Exception:
                log.exception("campaign %s: submission failed", campaign_id)
                return
            finally:
                self._runs.pop(campaign_id, None)
            if not self.ends.after(
                campaign, report, concurrency=self.concurrency, closed=self._closed
            ):
                return

    def release_waiting(self, campaign_id: int) -> None:
        """The time of a campaign's waiting rows came: submit them (a paused campaign waits for
        its author, whose Resume lets them out)."""
        campaign = self._store.campaigns.get(campaign_id)
        if campaign is None or campaign.state is not CampaignState.SUBMITTING:
            return
        if campaign.pause_reason:
            log.info("campaign %s: waiting recipients are due, but it is paused", campaign_id)
            return
        self.launch(campaign_id)

    def _changed(self, campaign_id: int) -> None:
        try:
            self.on_change(campaign_id)
        except Exception:
            log.exception("campaign %s: change listener failed", campaign_id)

    # -- restart and shutdown -------------------------------------------------------------------

    async def resume_after_restart(self) -> None:
        """Remove campaigns a stop left half-made; turn rows a stop left `submitting` into
        `unknown` and ask their authors; resume the rest."""
        await discard_unprepared(self._store)
        interrupted = self._store.messages.mark_interrupted()
        for campaign_id, count in sorted(interrupted.items()):
            log.warning(
                "campaign %s: %d recipients were mid-submission at the last stop; now unknown",
                campaign_id,
                count,
            )
            self.ask_about_unknown(campaign_id)
        for question in self.questions.undelivered():
            if question.campaign_id not in interrupted:
                log.info(
                    "campaign %s: asking again what a stop kept from its author",
                    question.campaign_id,
                )
                self.ask_about_unknown(question.campaign_id)
        for campaign in self._store.campaigns.with_state(CampaignState.SUBMITTING):
            if campaign.pause_reason:
                log.info("campaign %s stays paused until its author resumes it", campaign.id)
                owed = self.authors.owed_pause(
                    campaign, lambda c=campaign: self.ends.new_rows(c.id)
                )
                if owed is not None:  # the stop came before the author was told
                    self.authors.tell_pause(campaign, owed)
            elif self.ends.new_rows(campaign.id):
                log.info("campaign %s: resuming after restart", campaign.id)
                self.launch(campaign.id)
            else:
                self.ends.finish(campaign.id, "after restart")

    def ask_about_unknown(self, campaign_id: int) -> RecoveryQuestion | None:
        """Send the author one question about the campaign's undecided unknown rows (if any)."""
        return self.ends.ask_about_unknown(campaign_id)

    def decide_recovery(
        self, question_id: int, decision: RecoveryDecision, *, actor_id: int
    ) -> RecoveryOutcome | None:
        """Apply the author's answer once: send the interrupted rows again, or leave them."""
        outcome = decide(self._store, question_id, decision, actor_id)
        if outcome is None or not outcome.changed:
            return outcome
        if decision is RecoveryDecision.SEND and outcome.count:
            self.launch(outcome.question.campaign_id)
        self._changed(outcome.question.campaign_id)
        return outcome

    async def drain(self) -> None:
        """At shutdown: take no new rows, let requests in flight get their answers (bounded)."""
        self._closed = True
        for submission in list(self._runs.values()):
            submission.stop()
        pending = [*self._tasks.values(), *self.authors.pending]
        if not pending:
            return
        _, not_done = await asyncio.wait(pending, timeout=self._drain_timeout)
        for task in not_done:
            task.cancel()
        if not_done:
            await asyncio.wait(not_done)
            log.warning(
                "stopped %d tasks that did not finish in %.0f s; their rows become unknown",
                len(not_done),
                self._drain_timeout,
            )
        log.info("sending drained")
