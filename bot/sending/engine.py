"""The sending engine: turns a confirmed draft into a campaign and submits every recipient once.

`create` binds a recipient list to exactly one campaign (a second press of Send raises
`AlreadyLaunched`); `launch` submits in the background (see `bot.sending.submission`); `drain` lets
requests in flight finish at shutdown; `resume_after_restart` asks the author about rows a crash
left undecided and resumes what never left.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

import aiohttp

from bot.config import Settings
from bot.links.tracking import LinkShortener
from bot.metrics import Metrics
from bot.notices import Notice, Notices
from bot.platform.client import PulseClient
from bot.platform.concurrency import AdaptiveConcurrency
from bot.platform.reasons import decode
from bot.platform.sandbox import SandboxPlatform
from bot.sending.notices import CampaignPaused, UnknownRowsQuestion, pause_kind
from bot.sending.recovery import RecoveryDecision, RecoveryQuestion, RecoveryQuestions
from bot.sending.submission import (
    CampaignSubmission,
    PlatformClient,
    RequestSlots,
    RunEnd,
    RunReport,
    SubmissionOptions,
)
from bot.timing.holding import QuietHold
from bot.timing.quiet_hours import QuietHours
from bot.topics import about_type
from storage.campaigns import Campaign, CampaignState, Draft
from storage.clock import from_iso, utc_now, utc_now_iso
from storage.members import Role
from storage.messages import SubmitState
from storage.store import Store

log = logging.getLogger(__name__)


class SubmissionGate(Protocol):
    """Asked before a campaign is submitted (approval): False holds it, and the gate launches
    it again once it may go."""

    def admits(self, campaign_id: int) -> bool: ...


class AlreadyLaunched(Exception):
    """The recipient list was already used by a campaign: nothing new was created."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"the recipient list already belongs to campaign {campaign_id}")
        self.campaign_id = campaign_id


@dataclass(frozen=True)
class RecoveryOutcome:
    """What pressing a recovery button did; `changed` is False for a repeated or stale press."""

    question: RecoveryQuestion
    changed: bool
    count: int  # rows sent again or left unknown by this press (0 when not changed)


def make_platform(
    settings: Settings, session: aiohttp.ClientSession
) -> PulseClient | SandboxPlatform:
    """The real platform client, or the simulated platform when no token is set."""
    if settings.sandbox:
        return SandboxPlatform(
            session,
            fail_share=settings.sandbox_fail_share,
            kannel_status=settings.pulse_kannel_status,
            **status_spread(settings.sandbox_status_seconds),
        )
    return PulseClient(
        session,
        settings.pulse_api_url,
        settings.pulse_token.get_secret_value(),
        method=settings.pulse_http_method,
        timeout=settings.pulse_timeout,
        kannel_status=settings.pulse_kannel_status,
    )


def status_spread(seconds: float) -> dict[str, tuple[float, float]]:
    """When simulated statuses come: all final ones within `seconds` of acceptance.

    The default 2.5 s gives 0.3-1 s to "accepted" and 0.5-1.5 s more to the final status.
    """
    return {
        "accepted_after": (0.12 * seconds, 0.4 * seconds),
        "final_after": (0.2 * seconds, 0.6 * seconds),
    }


def submission_options(settings: Settings) -> SubmissionOptions:
    """How rows are handed over, as the settings say."""
    return SubmissionOptions(
        mode=settings.pulse_send_mode,
        list_chunk=settings.pulse_list_chunk,
        token_error=settings.pulse_token_error,
        account_errors=tuple(settings.pulse_account_errors),
    )


def callback_base(settings: Settings) -> str | None:
    """Where the platform reports statuses; None when it cannot reach us (no callbacks asked)."""
    if settings.public_url:
        return settings.public_url
    if settings.sandbox:
        # The sandbox runs in this process and reaches our own endpoint directly.
        host = settings.web_host if settings.web_host not in ("", "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
        return f"http://{host}:{settings.web_port}"
    return None


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
    ) -> None:
        self._store = store
        self._clock = clock
        self._quiet = QuietHours.parse(settings.quiet_hours)
        # Set by the program to wake a campaign whose rows wait (quiet hours, local times).
        self.wake_at: Callable[[int, datetime], None] | None = None
        self._settings = settings
        self._platform = platform
        self._callback_secret = callback_secret
        self._metrics = metrics
        self._notices = notices
        self.on_change = on_change
        self.options = options or submission_options(settings)
        self.callback_base = callback_base(settings)
        self.questions = RecoveryQuestions(store)
        self._links = (
            LinkShortener(store.links, settings.public_url) if settings.tracks_links else None
        )
        self._drain_timeout = drain_timeout
        self._slots = RequestSlots(
            AdaptiveConcurrency(settings.pulse_concurrency, settings.pulse_max_concurrency)
        )
        metrics.submission_concurrency.set_function(lambda: self.concurrency)
        self._runs: dict[int, CampaignSubmission] = {}
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._telling: set[asyncio.Task[None]] = set()
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
    ) -> int:
        """Create the campaign and its recipient rows in one transaction; returns its id.

        Raises AlreadyLaunched when the list was already used, ValueError when it is missing or
        empty.
        """
        lists = self._store.recipient_lists
        owner = lists.claimed_by(list_id)
        if owner is not None:
            raise AlreadyLaunched(owner)
        size = lists.size(list_id)
        if size == 0:
            raise ValueError(f"recipient list {list_id} is missing or empty")
        if not draft.columns:
            draft = replace(draft, columns=lists.columns(list_id))
        state = CampaignState.SCHEDULED if scheduled else CampaignState.SUBMITTING
        with self._store.db.atomic():
            campaign_id = self._store.campaigns.create(
                draft,
                author_id=author_id,
                author_chat_id=author_chat_id,
                state=state,
                sandbox=self._settings.sandbox,
                callbacks=self.callback_base is not None,
                recipient_count=size,
            )
            if not lists.claim(list_id, campaign_id):
                raise AlreadyLaunched(lists.claimed_by(list_id) or 0)  # rolls everything back
            count = self._store.messages.copy_from_list(campaign_id, list_id)
            if count != size:
                self._store.campaigns.set_recipient_count(campaign_id, count)
            self._store.audit.record(
                author_id,
                "schedule" if scheduled else "send",
                campaign_id=campaign_id,
                type=draft.type,
                sender=draft.sender,
                recipients=count,
                sandbox=self._settings.sandbox,
            )
        log.info(
            "campaign %s created by %s: %s, %d recipients%s",
            campaign_id,
            author_id,
            draft.type,
            count,
            ", scheduled" if scheduled else "",
        )
        return campaign_id

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
            moved = self._new_rows(campaign_id) > 0 and self._store.campaigns.move(
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
                self._store.kv.delete(_pause_notice_key(campaign_id))
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
            self._store.audit.record(actor_id, "cancel", campaign_id=campaign_id)
            log.info("campaign %s cancelled by %s", campaign_id, actor_id)
            self._changed(campaign_id)
        return cancelled

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

    def stop_campaign(self, campaign_id: int, *, actor_id: int) -> int | None:
        """Cancel every row not yet submitted; requests in flight still get their answers.
        Returns how many rows were cancelled, or None when the campaign is not being submitted."""
        campaign = self._store.campaigns.get(campaign_id)
        if campaign is None or campaign.state is not CampaignState.SUBMITTING:
            return None
        with self._store.db.atomic():
            cancelled = self._store.messages.cancel_new(campaign_id)
            self._store.audit.record(actor_id, "stop", campaign_id=campaign_id, cancelled=cancelled)
        log.info("campaign %s stopped by %s: %d rows cancelled", campaign_id, actor_id, cancelled)
        if not self.is_running(campaign_id):
            # Paused or waiting: no pass will end to close the submission, so close it here.
            if campaign.pause_reason:
                self._store.campaigns.set_pause(campaign_id, None)
            self._finish_submission(campaign_id, f"{cancelled} cancelled")
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
                    self._store.messages,
                    campaign_id,
                    window=self._quiet,
                    default_zone=self._settings.zone,
                    clock=self._clock,
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
            if not self._after_pass(campaign, report):
                return

    def _after_pass(self, campaign: Campaign, report: RunReport) -> bool:
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
            self.concurrency,
            report.refused,
        )
        if report.outcomes.get(SubmitState.UNKNOWN.value):
            self.ask_about_unknown(campaign.id)
        if report.end is RunEnd.PAUSED and report.pause is not None:
            waiting = self._new_rows(campaign.id)
            self._store.campaigns.set_pause(campaign.id, report.pause.reason.encode())
            log.warning(
                "campaign %s paused with %d waiting (%s): %s",
                campaign.id,
                waiting,
                summary or "nothing stored",
                report.pause.reason,
            )
            notice = CampaignPaused(campaign.id, report.pause.kind, report.pause.reason, waiting)
            self._tell_pause(campaign, notice)
            self._changed(campaign.id)
            return False
        if report.end is RunEnd.STOPPED:
            log.info(
                "campaign %s: stopped (%s); %d recipients wait for the next start",
                campaign.id,
                summary or "nothing stored",
                self._new_rows(campaign.id),
            )
            return False
        if self._new_rows(campaign.id) and not self._closed:
            return True  # rows were put back to `new` while this pass was finishing
        self._finish_submission(campaign.id, summary)
        return False

    def _finish_submission(self, campaign_id: int, summary: str = "") -> None:
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
        waiting = self._store.messages.waiting_until(campaign_id)
        if not waiting:
            return
        earliest = from_iso(next(iter(waiting)))
        log.info(
            "campaign %s: %d recipients wait, the first until %s",
            campaign_id,
            sum(waiting.values()),
            earliest.isoformat(),
        )
        if self.wake_at is None:
            log.warning("campaign %s: nothing will wake the waiting recipients", campaign_id)
            return
        self.wake_at(campaign_id, earliest)
        self._changed(campaign_id)

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

    def _new_rows(self, campaign_id: int) -> int:
        return self._store.messages.counts_by_state(campaign_id).get(SubmitState.NEW, 0)

    def _changed(self, campaign_id: int) -> None:
        try:
            self.on_change(campaign_id)
        except Exception:
            log.exception("campaign %s: change listener failed", campaign_id)

    # -- restart and shutdown -------------------------------------------------------------------

    async def resume_after_restart(self) -> None:
        """Turn rows a stop left `submitting` into `unknown` and ask their authors; resume the rest."""
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
                owed = self._owed_pause_notice(campaign)
                if owed is not None:  # the stop came before the author was told
                    self._tell_pause(campaign, owed)
            elif self._new_rows(campaign.id):
                log.info("campaign %s: resuming after restart", campaign.id)
                self.launch(campaign.id)
            else:
                self._finish_submission(campaign.id, "after restart")

    def _tell_pause(self, campaign: Campaign, notice: CampaignPaused) -> None:
        """Tell the author about a pause, with Resume; owed in the database until Telegram took it."""
        key = _pause_notice_key(campaign.id)
        stored = notice.encode()
        self._store.kv.set(key, stored)

        def told() -> None:
            if self._store.kv.get(key) == stored:  # not a newer pause's notice
                self._store.kv.delete(key)

        with about_type(campaign.type):  # in the notify group: the type's topic
            for chat in self._deciders(campaign):
                self._tell(chat, notice, on_sent=told)

    def _owed_pause_notice(self, campaign: Campaign) -> CampaignPaused | None:
        """The pause notice a stop kept from the author, or None when they were told."""
        stored = self._store.kv.get(_pause_notice_key(campaign.id))
        if stored is None:
            return None
        notice = CampaignPaused.decode(campaign.id, stored)
        if notice is not None:
            return notice
        # Kept as text by an older version: told again from the facts the campaign still has.
        reason = decode(campaign.pause_reason)
        if reason is None:
            return None
        return CampaignPaused(campaign.id, pause_kind(reason), reason, self._new_rows(campaign.id))

    def _deciders(self, campaign: Campaign) -> list[int]:
        """Where a question about a campaign goes: its author's chat, or every admin once the
        author may no longer send (their private chat gets nothing more)."""
        role = self._store.members.role_of(campaign.author_id)
        if campaign.author_chat_id < 0 or (role is not None and role.allows(Role.OPERATOR)):
            return [campaign.author_chat_id]
        return [m.user_id for m in self._store.members.all() if m.role is Role.ADMIN]

    def ask_about_unknown(self, campaign_id: int) -> RecoveryQuestion | None:
        """Send the author one question about the campaign's undecided unknown rows (if any):
        those a stop interrupted and those whose answer could not be read."""
        campaign = self._store.campaigns.get(campaign_id)
        count = self._store.messages.count_undecided(campaign_id)
        if campaign is None or count == 0:
            return None
        reasons = self._store.messages.undecided_reasons(campaign_id)
        question = self.questions.open(campaign_id, count)
        notice = UnknownRowsQuestion(campaign_id, question.id, count, tuple(reasons.items()))
        with about_type(campaign.type):  # in the notify group: the type's topic
            for chat in self._deciders(campaign):
                self._tell(chat, notice, on_sent=lambda: self.questions.mark_delivered(question.id))
        self._changed(campaign_id)
        return question

    def decide_recovery(
        self, question_id: int, decision: RecoveryDecision, *, actor_id: int
    ) -> RecoveryOutcome | None:
        """Apply the author's answer once: send the interrupted rows again, or leave them."""
        question = self.questions.get(question_id)
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
            self.questions.decide(question, decision, actor_id)
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
        if decision is RecoveryDecision.SEND and count:
            self.launch(question.campaign_id)
        self._changed(question.campaign_id)
        return RecoveryOutcome(question, changed=True, count=count)

    async def drain(self) -> None:
        """At shutdown: take no new rows, let requests in flight get their answers (bounded)."""
        self._closed = True
        for submission in list(self._runs.values()):
            submission.stop()
        pending = [*self._tasks.values(), *self._telling]
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

    # -- messages to authors --------------------------------------------------------------------

    def _tell(
        self, chat_id: int, notice: Notice, on_sent: Callable[[], None] | None = None
    ) -> None:
        """Tell a chat in the background; `on_sent` records it once Telegram took it."""
        task = asyncio.create_task(self._deliver(chat_id, notice, on_sent))
        self._telling.add(task)
        task.add_done_callback(self._telling.discard)

    async def _deliver(
        self, chat_id: int, notice: Notice, on_sent: Callable[[], None] | None
    ) -> None:
        if not await self._notices.tell(chat_id, notice) or on_sent is None:
            return
        try:
            on_sent()
        except sqlite3.Error as error:  # told anyway; the next start may tell once more
            log.warning("could not record the message to chat %s: %s", chat_id, error)


def _pause_notice_key(campaign_id: int) -> str:
    return f"pause_notice:{campaign_id}"
