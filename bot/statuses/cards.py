"""The texts and buttons of status cards: a one-recipient send's message card, a campaign's
summary card with its progress and figures, and the buttons under them."""

from __future__ import annotations

import html
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.compose.costs import Estimate
from bot.compose.message_types import type_name
from bot.compose.preview_card import cost_line
from bot.config import Settings
from bot.members.cards import member_label
from bot.notices import Notice, Render
from bot.platform.reasons import describe
from bot.platform.status_words import SAID_BY_THE_CLASS, kannel_code, kannel_words
from bot.schedule.when import format_moment
from bot.statuses.digest import DigestNotice
from bot.statuses.digest_card import render_digest
from bot.statuses.figures import Figures
from bot.statuses.report_file import error_words
from bot.telegram.button_data import RowId
from bot.texts import number, reader_locale, share, shorten
from storage.campaigns import Campaign, CampaignState
from storage.clock import from_iso
from storage.messages import MessageRow, SubmitState
from storage.store import Store

TEXT_PREVIEW_CHARS = {True: 1000, False: 300}  # single message card, campaign card
ERROR_CHARS = 200
REJECTION_GROUPS = 5
BAR_CELLS = 10
CLASS_ICONS = {"delivered": "✅", "failed": "❌", "pending": "⏳"}
ACTIVE_STATES = (CampaignState.SUBMITTING, CampaignState.SUBMITTED)


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
    if campaign.test:
        lines.append(test_mark())
    lines.append(
        _("From: <b>{sender}</b> · sent by {author}").format(
            sender=html.escape(shorten(campaign.sender or "-", 64)),
            author=member_label(store, campaign.author_id),
        )
    )
    return lines


def test_mark() -> str:
    return _("🎯 Test to the author's own address: counted in no figures")


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
            _("🌙 Waiting for the recipient's local time: goes out on {time}").format(time=at)
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
                _("🌙 Waiting for their local time: {count}; the first go out on {time}").format(
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


class CampaignStep(StrEnum):
    STOP = "stop"  # asked first, then STOP_YES or KEEP
    STOP_YES = "stop_yes"
    KEEP = "keep"
    FULL = "full"  # the full report of a finished campaign
    CHART = "chart"  # its delivery chart so far


class CampaignAction(CallbackData, prefix="campaign"):
    """A button about a campaign: stop a running one, its full report, its delivery chart."""

    action: CampaignStep
    campaign_id: RowId


def render_card(
    campaign: Campaign,
    figures: Figures,
    store: Store,
    settings: Settings,
    locale: str | None = None,
    estimate: Estimate | None = None,
) -> str:
    """A campaign's card: a one-recipient send reads as that message's card."""
    if figures.single:
        rows = store.messages.rows(campaign.id, limit=1)
        return render_message_card(campaign, rows[0] if rows else None, store, settings)
    return render_campaign_card(campaign, figures, store, settings, locale, estimate)


def card_markup(campaign: Campaign, figures: Figures) -> InlineKeyboardMarkup | None:
    """Stop while recipients are still being handed over; the full report once it is final."""
    if figures.single:
        return None
    if campaign.state is CampaignState.SUBMITTING:
        text, step = _("⏹ Stop campaign"), CampaignStep.STOP
    elif campaign.state is CampaignState.FINISHED:
        text, step = _("📄 Full report"), CampaignStep.FULL
    else:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(text=text, callback_data=CampaignAction(action=step, campaign_id=campaign.id))
    return builder.as_markup()


def chart_markup(campaign: Campaign, figures: Figures) -> InlineKeyboardMarkup | None:
    """📈 Chart under `/status` of a campaign (not a single message) being or already sent."""
    sent = campaign.state in (*ACTIVE_STATES, CampaignState.FINISHED)
    if not sent or figures.single:
        return None
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("📈 Chart"),
        callback_data=CampaignAction(action=CampaignStep.CHART, campaign_id=campaign.id),
    )
    return builder.as_markup()


def stop_question_markup(campaign_id: int) -> InlineKeyboardMarkup:
    """Under "Stop campaign №…?": stop for good, or keep sending."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("⏹ Yes, stop"),
        callback_data=CampaignAction(action=CampaignStep.STOP_YES, campaign_id=campaign_id),
    )
    builder.button(
        text=_("Keep sending"),
        callback_data=CampaignAction(action=CampaignStep.KEEP, campaign_id=campaign_id),
    )
    return builder.as_markup()


RENDERERS: dict[type[Notice], Render] = {DigestNotice: render_digest}
