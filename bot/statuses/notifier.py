"""Status cards: one per campaign in the notify group and one in the author's chat, edited in place.

Changes only mark a card dirty; a worker per chat renders it from the database right before
each call, so edits coalesce (the latest state wins) and stay within Telegram's limits: one
card call per chat every few seconds. When every accepted message is final (or the TTL has
passed) the card says so and the recipients who did not get the message go out as a CSV file.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.numbers import format_decimal

from bot.button_data import RowId
from bot.compose.costs import Estimate, accepted_estimate
from bot.compose.message_types import type_name
from bot.compose.preview_card import cost_line
from bot.config import Settings
from bot.members.cards import member_label
from bot.metrics import Metrics
from bot.platform.reasons import describe
from bot.platform.status_words import SAID_BY_THE_CLASS, kannel_code, kannel_words
from bot.schedule.when import format_moment
from bot.statuses.charts import chart_filename, delivery_chart
from bot.statuses.chats import card_chats, notify_chat_id
from bot.statuses.report_file import ReportWords, error_words, report_csv, report_filename
from bot.texts import number, reader_locale, shorten
from bot.topics import about_type
from storage.campaigns import Campaign, CampaignState
from storage.clock import from_iso, utc_now
from storage.links import ClickCounts
from storage.messages import MessageRow, SubmitState
from storage.store import Store

log = logging.getLogger(__name__)

TEXT_PREVIEW_CHARS = {True: 1000, False: 300}  # single message card, campaign card
ERROR_CHARS = 200
REJECTION_GROUPS = 5
BAR_CELLS = 10
CLASS_ICONS = {"delivered": "✅", "failed": "❌", "pending": "⏳"}
ACTIVE_STATES = (CampaignState.SUBMITTING, CampaignState.SUBMITTED)


# -- figures and texts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """A campaign's counts, read in one go."""

    total: int
    by_state: dict[SubmitState, int]
    by_status: dict[str, int]
    rejections: dict[str, int]
    clicks: ClickCounts | None = None  # None: the campaign has no tracked links
    held_from: str | None = None  # when the first `waiting` row goes out (UTC, ISO)

    @classmethod
    def read(cls, store: Store, campaign: Campaign) -> Figures:
        counts = store.statuses.figures(campaign.id)
        by_state: dict[SubmitState, int] = {}
        by_status: dict[str, int] = {}
        for (state, status_class), count in counts.items():
            by_state[SubmitState(state)] = by_state.get(SubmitState(state), 0) + count
            if state == SubmitState.ACCEPTED.value:
                by_status[status_class] = by_status.get(status_class, 0) + count
        rejected = by_state.get(SubmitState.REJECTED, 0)
        held = store.messages.waiting_until(campaign.id) if SubmitState.WAITING in by_state else {}
        return cls(
            total=max(campaign.recipient_count, sum(by_state.values())),
            by_state=by_state,
            by_status=by_status,
            rejections=store.messages.rejections(campaign.id) if rejected else {},
            clicks=store.links.counts(campaign.id) if store.links.has_links(campaign.id) else None,
            held_from=next(iter(held), None),
        )

    @property
    def waiting(self) -> int:
        """Not handed to the platform yet (or being handed right now)."""
        return sum(self.by_state.get(state, 0) for state in _NOT_HANDED_OVER)

    @property
    def held(self) -> int:
        """Waiting for their local time: inside quiet hours, or a send at a local hour."""
        return self.by_state.get(SubmitState.WAITING, 0)

    @property
    def submitted(self) -> int:
        return max(0, sum(self.by_state.values()) - self.waiting)

    @property
    def accepted(self) -> int:
        return self.by_state.get(SubmitState.ACCEPTED, 0)

    @property
    def delivered(self) -> int:
        return self.by_status.get("delivered", 0)

    @property
    def failed(self) -> int:
        return self.by_status.get("failed", 0)

    @property
    def pending(self) -> int:
        return self.by_status.get("pending", 0)

    @property
    def rejected(self) -> int:
        return self.by_state.get(SubmitState.REJECTED, 0)

    @property
    def unknown(self) -> int:
        return self.by_state.get(SubmitState.UNKNOWN, 0)

    @property
    def skipped(self) -> int:
        """Not submitted: on the stop-list when their turn came."""
        return self.by_state.get(SubmitState.SKIPPED, 0)

    @property
    def cancelled(self) -> int:
        """Not submitted: the campaign was stopped before their turn."""
        return self.by_state.get(SubmitState.CANCELLED, 0)

    @property
    def settled(self) -> bool:
        """Every row submitted and every accepted message has a final status."""
        return self.submitted >= sum(self.by_state.values()) and self.pending == 0


_NOT_HANDED_OVER = (SubmitState.NEW, SubmitState.SUBMITTING, SubmitState.WAITING)


def share(part: int, whole: int, locale: str) -> str:
    """A percentage with at most one decimal: 48.5%."""
    value = 100.0 * part / whole if whole else 0.0
    return format_decimal(round(value, 1), format="0.#", locale=locale) + "%"


def progress_bar(part: int, whole: int) -> str:
    filled = min(BAR_CELLS, int(BAR_CELLS * part / whole)) if whole else 0
    return "▓" * filled + "░" * (BAR_CELLS - filled)


def local_time(iso: str | None, settings: Settings) -> str:
    if not iso:
        return ""
    return format_moment(from_iso(iso), settings.zone, reader_locale())


def class_name(status_class: str) -> str:
    names = {"delivered": _("delivered"), "failed": _("failed"), "pending": _("pending")}
    return names.get(status_class, status_class)


def error_text(error: str | None) -> str:
    """A row's error as people read it: the program's own in their language, others verbatim."""
    return error_words().get(error or "") or describe(error)


def pause_line(campaign: Campaign) -> str | None:
    """`⏸ Paused: <why>` while a campaign waits for its author's Resume, else None."""
    if campaign.state is not CampaignState.SUBMITTING or not campaign.pause_reason:
        return None
    reason = html.escape(shorten(describe(campaign.pause_reason), ERROR_CHARS))
    return _("⏸ Paused: {reason}").format(reason=reason)


def status_text(raw: str | None, status_class: str | None) -> str:
    """`❌ failed (rejected by the operator)`: the class in words, and what the raw status adds
    (a Kannel code in words, the platform's own word as sent)."""
    if not raw:
        return _("no status yet")
    status_class = status_class or "pending"
    shown = f"{CLASS_ICONS.get(status_class, '')} {class_name(status_class)}".strip()
    code = kannel_code(raw)
    if code is not None:
        if code not in SAID_BY_THE_CLASS:
            shown += f" ({kannel_words(code)})"
    elif raw.strip().lower() != status_class:
        shown += f" ({html.escape(raw)})"
    return shown


def _header(campaign: Campaign, store: Store, single: bool) -> list[str]:
    title = _("<b>Message №{id}</b>") if single else _("<b>Campaign №{id}</b>")
    lines = [f"{title.format(id=campaign.id)} · {type_name(shorten(campaign.type, 32))}"]
    if campaign.sandbox:
        lines.append(_("🧪 SANDBOX: simulated, nothing is really sent"))
    lines.append(
        _("From: <b>{sender}</b> · sent by {author}").format(
            sender=html.escape(shorten(campaign.sender or "-", 64)),
            author=member_label(store, campaign.author_id),
        )
    )
    return lines


def _footer(campaign: Campaign, still_pending: bool) -> list[str]:
    """Notes under a card: paused, no callbacks, cancelled, or final (by TTL when some never
    settled)."""
    paused = pause_line(campaign)
    lines = [paused] if paused else []
    if not campaign.callbacks:
        lines.append(_("⚠️ Statuses will not arrive: PUBLIC_URL is not set."))
    if campaign.state is CampaignState.CANCELLED:
        lines.append(_("Cancelled."))
    elif campaign.state is CampaignState.FINISHED:
        by_ttl = still_pending and campaign.callbacks
        lines.append(_("🏁 Final: the TTL has passed.") if by_ttl else _("🏁 Final."))
    return lines


def render_message_card(
    campaign: Campaign, row: MessageRow | None, store: Store, settings: Settings
) -> str:
    """The card of a one-recipient send: who sent what to whom, and its status with its time."""
    lines = _header(campaign, store, single=True)
    if row is not None:
        lines.append(_("To: <code>{address}</code>").format(address=html.escape(row.sent_to)))
    if campaign.text:  # an HLR request has none
        text = shorten(campaign.text, TEXT_PREVIEW_CHARS[True])
        lines.append(_("Text: {text}").format(text=html.escape(text)))
    if row is not None and row.platform_id:
        lines.append(
            _("Platform id: <code>{platform_id}</code>").format(
                platform_id=html.escape(row.platform_id)
            )
        )
    if row is None or (
        row.state in (SubmitState.NEW, SubmitState.SUBMITTING) and not row.status_raw
    ):  # a status shows the platform has the message even before its answer came
        lines.append(_("Status: being handed to the platform…"))
    elif row.state is SubmitState.REJECTED:
        error = html.escape(shorten(error_text(row.error), ERROR_CHARS))
        lines.append(_("🚫 Rejected by the platform: {error}").format(error=error))
    elif row.state is SubmitState.UNKNOWN:
        error = html.escape(shorten(error_text(row.error), ERROR_CHARS))
        lines.append(_("❔ Submission outcome unknown: {error}").format(error=error))
    elif row.state is SubmitState.SKIPPED:
        lines.append(_("⛔ Not sent: the address is on the stop-list."))
    elif row.state is SubmitState.WAITING:
        at = local_time(row.not_before, settings)
        lines.append(
            _("🌙 Waiting for the recipient's local time: goes out at {time}").format(time=at)
        )
    else:
        status = status_text(row.status_raw, row.status_class)
        at = local_time(row.status_at, settings)
        lines.append(_("Status: {status}").format(status=status) + (f" · {at}" if at else ""))
    if row is not None and store.links.has_links(campaign.id):
        lines.append(
            _("🔗 Clicks: {count}").format(count=number(store.links.counts(campaign.id).clicks))
        )
    still_pending = (
        row is not None
        and row.state is SubmitState.ACCEPTED
        and ((row.status_class or "pending") == "pending")
    )
    return "\n".join(lines + _footer(campaign, still_pending))


def render_campaign_card(
    campaign: Campaign,
    figures: Figures,
    store: Store,
    settings: Settings,
    locale: str | None = None,
    estimate: Estimate | None = None,
) -> str:
    """The summary card: progress, counts by status, rejections grouped by the platform's message;
    once finished, what the accepted messages cost when the type has a price."""
    locale = locale or settings.locale
    lines = _header(campaign, store, single=False)
    if campaign.text:  # an HLR request has none
        text = shorten(campaign.text, TEXT_PREVIEW_CHARS[False])
        lines.append(_("Text: {text}").format(text=html.escape(text)))
    lines.append(_("Recipients: {count}").format(count=number(figures.total, locale)))
    lines.append("")
    if campaign.state is CampaignState.SUBMITTING or figures.submitted < figures.total:
        # Answers are counted apart: a campaign the platform refused is not "100% submitted".
        lines.append(
            _("📤 Accepted: {accepted} · refused: {refused} · waiting: {waiting}").format(
                accepted=number(figures.accepted, locale),
                refused=number(figures.rejected, locale),
                waiting=number(figures.waiting, locale),
            )
        )
        if figures.held:
            lines.append(
                _("🌙 Waiting for their local time: {count}; the first go out at {time}").format(
                    count=number(figures.held, locale),
                    time=local_time(figures.held_from, settings),
                )
            )
        done, whole = figures.accepted, figures.total
        progress = _("{bar} {share} accepted by the platform")
    else:
        done, whole = figures.delivered + figures.failed, figures.accepted
        progress = _("{bar} {share} with a final status")
    lines.append(progress.format(bar=progress_bar(done, whole), share=share(done, whole, locale)))
    lines.append(
        _("✅ Delivered: {count} ({share})").format(
            count=number(figures.delivered, locale),
            share=share(figures.delivered, figures.accepted, locale),
        )
    )
    lines.append(_("❌ Failed: {count}").format(count=number(figures.failed, locale)))
    if campaign.state is CampaignState.FINISHED and figures.pending:
        # Closed by the TTL: these will not change any more, they are not "on the way".
        lines.append(
            _("⌛ No final status by the end of the TTL: {count}").format(
                count=number(figures.pending, locale)
            )
        )
    else:
        lines.append(_("⏳ Pending: {count}").format(count=number(figures.pending, locale)))
    if figures.clicks is not None:
        # Of those who got the message, how many opened a link in it.
        lines.append(
            _("🔗 Clicks: {count} · clicked: {share} of delivered").format(
                count=number(figures.clicks.clicks, locale),
                share=share(figures.clicks.delivered_recipients, figures.delivered, locale),
            )
        )
    if figures.rejected:
        lines.append(_("🚫 Rejected: {count}").format(count=number(figures.rejected, locale)))
        for error, count in list(figures.rejections.items())[:REJECTION_GROUPS]:
            reason = html.escape(shorten(error_text(error), ERROR_CHARS)) or "-"
            lines.append(f"    {number(count, locale)} × {reason}")
    if figures.unknown:
        lines.append(
            _("❔ Submission outcome unknown: {count}").format(
                count=number(figures.unknown, locale)
            )
        )
    if figures.skipped:
        lines.append(
            _("⛔ Skipped, on the stop-list: {count}").format(count=number(figures.skipped, locale))
        )
    if figures.cancelled:
        lines.append(
            _("⏹ Cancelled by a stop, not sent: {count}").format(
                count=number(figures.cancelled, locale)
            )
        )
    if campaign.state is CampaignState.FINISHED and estimate is not None:
        lines.append(accepted_cost_line(estimate, settings.currency))
    footer = _footer(campaign, figures.pending > 0)
    return "\n".join(lines + (["", *footer] if footer else []))


def accepted_cost_line(estimate: Estimate, currency: str) -> str:
    """💰 For accepted messages ≈ 4,900.00 ₽: 980 recipients, 1,960 SMS parts at 2.50 ₽"""
    return _("💰 For accepted messages {estimate}").format(estimate=cost_line(estimate, currency))


class CampaignAction(CallbackData, prefix="campaign"):
    """A button about a campaign: `stop` a running one (asked, then `stop_yes` or `keep`), the
    `full` report of a finished one, or its delivery `chart`."""

    action: str
    campaign_id: RowId


def card_markup(campaign: Campaign, single: bool) -> InlineKeyboardMarkup | None:
    """Stop while recipients are still being handed over; the full report once it is final."""
    if single:
        return None
    if campaign.state is CampaignState.SUBMITTING:
        text, action = _("⏹ Stop campaign"), "stop"
    elif campaign.state is CampaignState.FINISHED:
        text, action = _("📄 Full report"), "full"
    else:
        return None
    data = CampaignAction(action=action, campaign_id=campaign.id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)]]
    )


def chart_markup(campaign: Campaign) -> InlineKeyboardMarkup | None:
    """📈 Chart under `/status` of a campaign (not a single message) being or already sent."""
    sent = campaign.state in (*ACTIVE_STATES, CampaignState.FINISHED)
    if not sent or campaign.recipient_count <= 1:
        return None
    data = CampaignAction(action="chart", campaign_id=campaign.id).pack()
    button = InlineKeyboardButton(text=_("📈 Chart"), callback_data=data)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def _looks(text: str, markup: InlineKeyboardMarkup | None) -> tuple[str, str]:
    """What a card shows, to compare with what is on screen."""
    return text, markup.model_dump_json() if markup else ""


# -- the notifier --------------------------------------------------------------------------------


class Notifier:
    """Keeps every campaign's cards current; `campaign_changed` is all other services call."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        settings: Settings,
        i18n: I18n,
        metrics: Metrics,
        *,
        private_interval: float = 3.0,
        group_interval: float = 4.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot, self.store, self.settings, self.i18n = bot, store, settings, i18n
        self.metrics = metrics
        self.private_interval, self.group_interval = private_interval, group_interval
        self.clock = clock
        self._dirty: dict[int, dict[int, None]] = {}  # chat -> campaigns whose card is stale
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._next_at: dict[int, float] = {}
        # (campaign, chat) -> text and buttons on screen
        self._shown: dict[tuple[int, int], tuple[str, str]] = {}
        self._estimates: dict[int, Estimate | None] = {}  # finished campaigns: counted once
        self._authors: dict[int, tuple[int, int]] = {}  # campaign -> (author, author's chat)
        self._errors_logged: dict[int, str] = {}
        self._drawing = 0  # redraws under way
        self._charted: set[tuple[int, int]] = set()  # (campaign, chat) whose final chart went

    def start(self) -> None:
        """Refresh the cards of campaigns still under way (they may be stale after a restart)."""
        for campaign in self.store.campaigns.with_state(*ACTIVE_STATES):
            self.campaign_changed(campaign.id)
        self._send_owed_reports()

    def _send_owed_reports(self) -> None:
        """Reports a stop kept from their chats go out now (to the group's new id if it moved)."""
        group = self.chat_id()
        for owed in self.store.reports.all():
            chat = owed.chat_id
            if chat == self.settings.notify_chat_id and group and group != chat:
                self.store.reports.move(owed.campaign_id, chat, group)
                chat = group
            if chat in self._chats(owed.campaign_id):
                self._mark(chat, owed.campaign_id)
            else:  # the chat no longer follows the campaign (another notify group)
                log.info("report of campaign %s no longer owed to chat %s", owed.campaign_id, chat)
                self.store.reports.delivered(owed.campaign_id, chat)

    async def stop(self) -> None:
        tasks = list(self._workers.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drawn(self) -> None:
        """Wait until every stale card has been drawn (or given up on)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    def chat_id(self) -> int | None:
        return notify_chat_id(self.settings, self.store.kv)

    def campaign_changed(self, campaign_id: int) -> None:
        """Mark the campaign's cards stale; they are redrawn within seconds, never more often."""
        for chat in self._chats(campaign_id):
            self._mark(chat, campaign_id)

    def _chats(self, campaign_id: int) -> list[int]:
        """Where the campaign's cards live (see `card_chats`); the author is looked up once."""
        author = self._authors.get(campaign_id)
        if author is None:
            campaign = self.store.campaigns.get(campaign_id)
            if campaign is None:
                return []
            author = (campaign.author_id, campaign.author_chat_id or 0)
            if campaign.state is not CampaignState.SCHEDULED:  # an admin may still take it over
                self._authors[campaign_id] = author
        return card_chats(self.store, self.settings, *author)

    def _mark(self, chat: int, campaign_id: int) -> None:
        self._dirty.setdefault(chat, {})[campaign_id] = None
        self._count_pending()
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat))

    def _count_pending(self) -> None:
        stale = sum(len(queue) for queue in self._dirty.values())
        self.metrics.card_updates_pending.set(stale + self._drawing)

    def _interval(self, chat: int) -> float:
        return self.group_interval if chat < 0 else self.private_interval

    async def _work(self, chat: int) -> None:
        """Redraw the chat's stale cards one at a time, oldest first, spaced by the chat's interval."""
        try:
            while queue := self._dirty.get(chat):
                wait = self._next_at.get(chat, 0.0) - self.clock()
                if wait > 0:
                    await asyncio.sleep(wait)  # meanwhile more changes coalesce into this redraw
                campaign_id = next(iter(queue))
                del queue[campaign_id]
                self._drawing += 1
                try:
                    calls = await self._redraw(chat, campaign_id)
                finally:
                    self._drawing -= 1
                    self._count_pending()
                if calls:
                    self._next_at[chat] = self.clock() + self._interval(chat) * calls
            self._dirty.pop(chat, None)
        finally:
            self._workers.pop(chat, None)

    async def _redraw(self, chat: int, campaign_id: int) -> int:
        """Bring one card up to date; returns how many Telegram calls that took."""
        calls = 0
        try:
            with self.i18n.context(), self.i18n.use_locale(self.settings.locale):
                calls = await self._update_card(chat, campaign_id)
        except TelegramForbiddenError:
            pass  # the pacing layer reported it once; statuses keep being stored
        except (
            TelegramServerError,
            TelegramNetworkError,
            TelegramRetryAfter,
            sqlite3.Error,
        ) as error:
            # Nothing is lost: the card stays stale and is drawn again after the interval.
            log.warning("card of campaign %s in chat %s not updated: %s", campaign_id, chat, error)
            self._dirty.setdefault(chat, {})[campaign_id] = None
            calls = max(calls, 1)
        except TelegramAPIError as error:
            if self._errors_logged.get(chat) != error.message:
                self._errors_logged[chat] = error.message
                log.warning("card of campaign %s in chat %s refused: %s", campaign_id, chat, error)
            calls = max(calls, 1)
        except Exception:
            log.exception("card of campaign %s in chat %s failed", campaign_id, chat)
        return calls

    async def _update_card(self, chat: int, campaign_id: int) -> int:
        campaign = self.store.campaigns.get(campaign_id)
        if campaign is None:
            return 0
        if chat > 0 and chat not in self._chats(campaign_id):
            # The author lost access after this was due: nothing more goes to their chat.
            self.store.reports.delivered(campaign_id, chat)
            return 0
        with about_type(campaign.type):  # the card and its report go to the type's topic
            return await self._update_campaign_card(chat, campaign)

    async def _update_campaign_card(self, chat: int, campaign: Campaign) -> int:
        campaign_id = campaign.id
        card = self.store.cards.get(campaign_id, chat)
        if card is None and campaign.state not in (*ACTIVE_STATES, CampaignState.FINISHED):
            return 0  # a scheduled or cancelled send that never started has no card
        figures = Figures.read(self.store, campaign)
        single = figures.total <= 1
        if single:
            rows = self.store.messages.rows(campaign_id, limit=1)
            text = render_message_card(
                campaign, rows[0] if rows else None, self.store, self.settings
            )
        else:
            estimate = await self._estimate(campaign)
            text = render_campaign_card(
                campaign, figures, self.store, self.settings, estimate=estimate
            )
        markup = card_markup(campaign, single)
        calls = 0
        if card is None or self._shown.get((campaign_id, chat)) != _looks(text, markup):
            message_id = card.message_id if card else None
            calls += await self._show(chat, campaign_id, message_id, text, markup)
        card = self.store.cards.get(campaign_id, chat)
        finished = campaign.state is CampaignState.FINISHED
        if card is not None and finished and self.store.reports.is_owed(campaign_id, chat):
            calls += await self._send_report(chat, campaign, single)
        elif card is not None and campaign.state is not CampaignState.FINISHED and card.report_sent:
            self.store.cards.clear_report_sent(campaign_id, chat)  # reopened: report again later
        return calls

    async def _estimate(self, campaign: Campaign) -> Estimate | None:
        """The cost of a finished campaign's accepted messages, counted once."""
        if campaign.state is not CampaignState.FINISHED:
            return None
        if campaign.id not in self._estimates:
            self._estimates[campaign.id] = await accepted_estimate(
                self.store, campaign, self.settings.pulse_prices
            )
        return self._estimates[campaign.id]

    async def _show(
        self,
        chat: int,
        campaign_id: int,
        message_id: int | None,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> int:
        """Edit the card in place, or send it when there is none (or it can no longer be edited)."""
        calls = 0
        if message_id is not None:
            calls += 1
            try:
                await self.bot.edit_message_text(
                    text=text, chat_id=chat, message_id=message_id, reply_markup=markup
                )
                self.metrics.card_updates.labels(kind="edited").inc()
                self._shown[(campaign_id, chat)] = _looks(text, markup)
                return calls
            except TelegramBadRequest as error:
                if "message to edit not found" not in error.message and "can't be edited" not in (
                    error.message
                ):
                    raise
        sent = await self.bot.send_message(chat_id=chat, text=text, reply_markup=markup)
        self.metrics.card_updates.labels(kind="sent").inc()
        self.store.cards.save(campaign_id, sent.chat.id, sent.message_id)
        self._shown[(campaign_id, sent.chat.id)] = _looks(text, markup)
        if sent.chat.id != chat:  # the group was migrated: the card lives in the new chat now
            with self.store.db.atomic():
                self.store.cards.forget(campaign_id, chat)
                self.store.reports.move(campaign_id, chat, sent.chat.id)
            self._mark(sent.chat.id, campaign_id)  # its final report, if due, goes there
        return calls + 1

    async def _send_report(self, chat: int, campaign: Campaign, single: bool) -> int:
        """The final report file, once per chat: every recipient who did not get the message.

        The report stays owed in the database until Telegram took it, so a restart sends it.
        """
        calls = 0
        if not single:
            if (campaign.id, chat) not in self._charted:  # a report tried again: chart once
                calls += await self._send_chart(chat, campaign)
            document, count = await self.report_document(campaign, full=False)
            if count:
                caption = _(
                    "Campaign №{id}: recipients who did not get the message: {count} (failed, "
                    "rejected, skipped, cancelled or without a final status). The button under "
                    "the card gives the full report."
                ).format(id=campaign.id, count=number(count, self.settings.locale))
                await self.bot.send_document(chat_id=chat, document=document, caption=caption)
                self.metrics.card_updates.labels(kind="report").inc()
                calls += 1
        with self.store.db.atomic():
            self.store.reports.delivered(campaign.id, chat)
            self.store.cards.mark_report_sent(campaign.id, chat)
        self._charted.discard((campaign.id, chat))  # a reopened campaign gets a new one
        self._shown.pop((campaign.id, chat), None)  # a finished card rarely changes again
        return calls

    async def _send_chart(self, chat: int, campaign: Campaign) -> int:
        """The delivery chart before the report file; a chart that cannot be drawn is left out
        rather than holding the report back."""
        try:
            chart = await self.chart(campaign)
        except Exception:
            log.exception("delivery chart of campaign %s could not be drawn", campaign.id)
            return 0
        if chart is None:
            return 0
        photo, caption = chart
        await self.bot.send_photo(chat_id=chat, photo=photo, caption=caption)
        self._charted.add((campaign.id, chat))
        return 1

    async def chart(self, campaign: Campaign) -> tuple[BufferedInputFile, str] | None:
        """A campaign's delivery chart with its caption in the current language, or None while
        no message has been handed to the platform."""
        locale = reader_locale()
        chart = await delivery_chart(self.store, campaign, utc_now(), locale)
        if chart is None:
            return None
        caption = _(
            "Campaign №{id}: delivery over time. Delivered: {delivered} of {accepted} ({share})."
        ).format(
            id=campaign.id,
            delivered=number(chart.delivered, locale),
            accepted=number(chart.accepted, locale),
            share=share(chart.delivered, chart.accepted, locale),
        )
        return BufferedInputFile(chart.png, filename=chart_filename(campaign.id)), caption

    async def report_document(
        self, campaign: Campaign, *, full: bool
    ) -> tuple[BufferedInputFile, int]:
        """A campaign's report file in the current language, and how many recipients it lists."""
        rows = self.store.messages.report_rows(campaign.id, undelivered_only=not full)
        tracked = self.store.links.has_links(campaign.id)
        content = await asyncio.to_thread(
            report_csv,
            campaign,
            rows,
            ReportWords.current({row.error for row in rows if row.error}),
            self.settings.zone,
            full=full,
            clicks=self.store.links.first_clicks(campaign.id) if tracked else None,
        )
        return BufferedInputFile(content, filename=report_filename(campaign.id, full)), len(rows)
