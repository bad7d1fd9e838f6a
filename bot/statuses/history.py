"""Texts of `/status` and `/campaigns`: a message's or a campaign's history, the latest campaigns."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.costs import Estimate, accepted_estimate
from bot.compose.message_types import type_name
from bot.config import Settings
from bot.platform.status_classes import DELIVERED
from bot.platform.status_words import kannel_code, raw_in_words
from bot.schedule.when import format_moment
from bot.statuses.cards import (
    accepted_cost_line,
    class_name,
    local_time,
    pause_line,
    render_card,
    status_text,
    test_mark,
)
from bot.statuses.figures import Figures, read_figures
from bot.texts import number, shorten
from storage.campaigns import Campaign, CampaignState
from storage.clock import utc_now
from storage.messages import MessageRow
from storage.schedules import ScheduleMode, ScheduleState
from storage.statuses import StatusEvent
from storage.store import Store

HISTORY_SHOWN = 30  # with raw values of up to 64 characters, within 4096
CAMPAIGN_EVENTS_SHOWN = 10
ADDRESS_CHARS = 64


def state_name(state: CampaignState) -> str:
    names = {
        CampaignState.PREPARING: _("being prepared"),
        CampaignState.SCHEDULED: _("scheduled"),
        CampaignState.SUBMITTING: _("submitting"),
        CampaignState.SUBMITTED: _("waiting for statuses"),
        CampaignState.FINISHED: _("finished"),
        CampaignState.CANCELLED: _("cancelled"),
    }
    return names[state]


def campaign_state_name(campaign: Campaign, awaiting_approval: bool = False) -> str:
    """The state people see: a submission waiting for its author's Resume is "paused", one not
    approved yet is waiting for approval."""
    if awaiting_approval and campaign.state in (
        CampaignState.SCHEDULED,
        CampaignState.SUBMITTING,
    ):
        return _("⏳ waiting for approval")
    if campaign.state is CampaignState.SUBMITTING and campaign.pause_reason:
        return _("⏸ paused")
    return state_name(campaign.state)


def event_line(
    event: StatusEvent, settings: Settings, with_address: bool, notes: tuple[str, ...] = ()
) -> str:
    parts = [local_time(event.received_at, settings)]
    if with_address:
        parts.append(f"<code>{html.escape(shorten(event.sent_to, ADDRESS_CHARS))}</code>")
    if kannel_code(event.raw) is not None:
        parts.append(raw_in_words(event.raw))  # the code's words say more than its class
    else:
        parts += [f"<code>{html.escape(event.raw)}</code>", class_name(event.status_class)]
    parts += notes
    return "• " + " · ".join(parts)


def event_notes(events: list[StatusEvent], row: MessageRow) -> list[tuple[str, ...]]:
    """Why an event did not change the message: it came after delivery, or under another id."""
    notes: list[tuple[str, ...]] = []
    delivered = False
    for event in events:
        note: list[str] = []
        if delivered and event.status_class != DELIVERED:
            note.append(_("after delivery: the message stays delivered"))
        if event.platform_id and row.platform_id and event.platform_id != row.platform_id:
            note.append(
                _("reported for id <code>{platform_id}</code>").format(
                    platform_id=html.escape(event.platform_id)
                )
            )
        delivered = delivered or event.status_class == DELIVERED
        notes.append(tuple(note))
    return notes


def message_history(row: MessageRow, store: Store, settings: Settings) -> str:
    """Every status one message went through, with times, raw values and their classes."""
    events = store.statuses.history(row.id)
    lines = [
        _("<b>Message {platform_id}</b> · campaign №{campaign_id}").format(
            platform_id=html.escape(row.platform_id or "-"), campaign_id=row.campaign_id
        ),
        _("To: <code>{address}</code>").format(address=html.escape(row.sent_to)),
        _("Now: {status}").format(status=status_text(row.status_raw, row.status_class)),
        "",
    ]
    if row.answer_id:
        lines.insert(
            2,
            _("The platform's answer gave another id: <code>{answer_id}</code>").format(
                answer_id=html.escape(row.answer_id)
            ),
        )
    if not events:
        lines.append(_("No statuses have arrived yet."))
    else:
        lines.append(_("<b>History</b>:"))
        if len(events) > HISTORY_SHOWN:
            lines.append(_("… {count} earlier").format(count=len(events) - HISTORY_SHOWN))
        shown = list(zip(events, event_notes(events, row), strict=True))[-HISTORY_SHOWN:]
        lines += [event_line(event, settings, False, notes) for event, notes in shown]
    return "\n".join(lines)


def campaign_history(
    campaign: Campaign, figures: Figures, store: Store, settings: Settings, locale: str
) -> str:
    """The campaign's card as it stands, then its latest statuses."""
    card = render_card(campaign, figures, store, settings, locale)
    awaiting = campaign.id in store.approvals.pending_campaigns()
    state = campaign_state_name(campaign, awaiting)
    lines = [card, "", _("State: {state}").format(state=state)]
    lines += schedule_lines(campaign, store, settings, locale)
    events = store.statuses.recent_for_campaign(campaign.id, CAMPAIGN_EVENTS_SHOWN)
    if events:
        lines += ["", _("<b>Latest statuses</b>:")]
        lines += [event_line(event, settings, True) for event in events]
    return "\n".join(lines)


def schedule_lines(campaign: Campaign, store: Store, settings: Settings, locale: str) -> list[str]:
    """When a campaign that has not gone out yet will: by the bot, or held by the platform."""
    waiting = [s for s in store.schedules.waiting(utc_now()) if s.campaign_id == campaign.id]
    if not waiting:
        return []
    schedule = waiting[0]
    when = format_moment(schedule.run_at_time, settings.zone, locale)
    if schedule.state is ScheduleState.MISSED:
        return [
            _("⏰ Its time ({when}) passed while the bot was stopped: see /scheduled.").format(
                when=when
            )
        ]
    if schedule.mode is ScheduleMode.PLATFORM:
        return [_("⏰ Goes out on {when}: the platform holds it until then.").format(when=when)]
    return [_("⏰ Goes out on {when}.").format(when=when)]


async def latest_campaigns(store: Store, settings: Settings, locale: str, shown: int) -> str | None:
    """/campaigns: the latest `shown` campaigns with their figures, costs and states (counted
    off the event loop when big); None when there is none yet."""
    recent = store.campaigns.recent(shown)
    if not recent:
        return None
    estimates = {
        campaign.id: await accepted_estimate(store, campaign, settings.pulse_prices)
        for campaign in recent
    }
    figures = {campaign.id: await read_figures(store, campaign) for campaign in recent}
    awaiting = store.approvals.pending_campaigns()
    return recent_campaigns(recent, figures, locale, estimates, settings.currency, awaiting)


def recent_campaigns(
    campaigns: list[Campaign],
    figures_of: Mapping[int, Figures],
    locale: str,
    estimates: Mapping[int, Estimate | None] | None = None,
    currency: str = "",
    awaiting_approval: Collection[int] = (),
) -> str:
    """The given campaigns, one entry each with its figures (and the cost of the accepted
    messages when the type has a price), and how to see more."""
    lines = [_("<b>Latest campaigns</b>:")]
    for campaign in campaigns:
        figures = figures_of[campaign.id]
        lines.append(
            ngettext(
                "№{id} · {type} · {count} recipient · {state}\n"
                "    ✅ {delivered} · ❌ {failed} · ⏳ {pending} · 🚫 {rejected}",
                "№{id} · {type} · {count} recipients · {state}\n"
                "    ✅ {delivered} · ❌ {failed} · ⏳ {pending} · 🚫 {rejected}",
                figures.total,
            ).format(
                id=campaign.id,
                type=type_name(campaign.type),
                count=number(figures.total, locale),
                state=campaign_state_name(campaign, campaign.id in awaiting_approval),
                delivered=number(figures.delivered, locale),
                failed=number(figures.failed, locale),
                pending=number(figures.pending, locale),
                rejected=number(figures.rejected, locale),
            )
        )
        paused = pause_line(campaign)
        if paused:
            lines.append(f"    {paused}")
        if campaign.test:
            lines.append(f"    {test_mark()}")
        estimate = (estimates or {}).get(campaign.id)
        if estimate is not None and estimate.recipients:
            lines.append(f"    {accepted_cost_line(estimate, currency)}")
    lines.append(_("Details: <code>/status {number}</code>").format(number=f"№{campaigns[0].id}"))
    return "\n".join(lines)
