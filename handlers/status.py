"""/status <id> (one message's or one campaign's history) and /campaigns (the latest ones)."""

from __future__ import annotations

import html
import re

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.notify import (
    Figures,
    class_name,
    clip,
    local_time,
    number,
    render_campaign_card,
    render_message_card,
    status_text,
)
from storage.campaigns import Campaign, CampaignState
from storage.messages import MessageRow
from storage.statuses import StatusEvent
from storage.store import Store

router = Router(name="status")
VIEWER = {"role": "viewer"}
HISTORY_SHOWN = 30  # with raw values of up to 64 characters, within 4096
CAMPAIGN_EVENTS_SHOWN = 10
CAMPAIGNS_SHOWN = 10
MAX_ID_CHARS = 64
ADDRESS_CHARS = 64
_CAMPAIGN_REF = re.compile(r"(?:#|№|c)(\d{1,18})", re.IGNORECASE)


def state_name(state: CampaignState) -> str:
    names = {
        CampaignState.SCHEDULED: _("scheduled"),
        CampaignState.SUBMITTING: _("submitting"),
        CampaignState.SUBMITTED: _("waiting for statuses"),
        CampaignState.FINISHED: _("finished"),
        CampaignState.CANCELLED: _("cancelled"),
    }
    return names[state]


def event_line(event: StatusEvent, settings: Settings, with_address: bool) -> str:
    parts = [local_time(event.received_at, settings)]
    if with_address:
        parts.append(f"<code>{html.escape(clip(event.sent_to, ADDRESS_CHARS))}</code>")
    parts += [f"<code>{html.escape(event.raw)}</code>", class_name(event.status_class)]
    return "• " + " · ".join(parts)


def message_history(row: MessageRow, store: Store, settings: Settings) -> str:
    """Every status one message went through, with times, raw values and their classes."""
    events = store.statuses.history(row.id)
    lines = [
        _("<b>Message {platform_id}</b> · campaign #{campaign_id}").format(
            platform_id=html.escape(row.platform_id or "-"), campaign_id=row.campaign_id
        ),
        _("To: <code>{address}</code>").format(address=html.escape(row.sent_to)),
        _("Now: {status}").format(status=status_text(row.status_raw, row.status_class)),
        "",
    ]
    if not events:
        lines.append(_("No statuses have arrived yet."))
    else:
        lines.append(_("<b>History</b>:"))
        if len(events) > HISTORY_SHOWN:
            lines.append(_("… {count} earlier").format(count=len(events) - HISTORY_SHOWN))
        lines += [event_line(event, settings, False) for event in events[-HISTORY_SHOWN:]]
    return "\n".join(lines)


def campaign_history(campaign: Campaign, store: Store, settings: Settings, locale: str) -> str:
    """The campaign's card as it stands, then its latest statuses."""
    figures = Figures.read(store, campaign)
    if figures.total <= 1:
        rows = store.messages.rows(campaign.id, limit=1)
        card = render_message_card(campaign, rows[0] if rows else None, store, settings)
    else:
        card = render_campaign_card(campaign, figures, store, settings, locale)
    lines = [card, "", _("State: {state}").format(state=state_name(campaign.state))]
    events = store.statuses.recent_for_campaign(campaign.id, CAMPAIGN_EVENTS_SHOWN)
    if events:
        lines += ["", _("<b>Latest statuses</b>:")]
        lines += [event_line(event, settings, True) for event in events]
    return "\n".join(lines)


@router.message(Command("status"), flags=VIEWER)
async def status(
    message: Message, command: CommandObject, store: Store, settings: Settings, i18n: I18n
) -> None:
    """Show the history of a message (by platform id) or a campaign (by its number)."""
    wanted = (command.args or "").strip()
    if not wanted or len(wanted) > MAX_ID_CHARS or len(wanted.split()) > 1:
        await message.answer(
            _(
                "Send <code>/status id</code>: a platform message id, or a campaign number "
                "(<code>/status #12</code>)."
            )
        )
        return
    campaign_ref = _CAMPAIGN_REF.fullmatch(wanted)
    rows = [] if campaign_ref else store.messages.by_platform_id(wanted)
    if rows:
        await message.answer(message_history(rows[0], store, settings))
        return
    number_text = campaign_ref.group(1) if campaign_ref else wanted
    campaign = store.campaigns.get(int(number_text)) if number_text.isdigit() else None
    if campaign is None:
        await message.answer(
            _("Nothing found for <code>{id}</code>: no message or campaign has this id.").format(
                id=html.escape(wanted)
            )
        )
        return
    await message.answer(campaign_history(campaign, store, settings, i18n.current_locale))


@router.message(Command("campaigns"), flags=VIEWER)
async def campaigns(message: Message, store: Store, settings: Settings, i18n: I18n) -> None:
    """The latest campaigns, newest first, each with its figures."""
    recent = store.campaigns.recent(CAMPAIGNS_SHOWN)
    if not recent:
        await message.answer(_("No campaigns yet."))
        return
    locale = i18n.current_locale
    lines = [_("<b>Latest campaigns</b>:")]
    for campaign in recent:
        figures = Figures.read(store, campaign)
        lines.append(
            _(
                "#{id} · {type} · {count} recipients · {state}\n"
                "    ✅ {delivered} · ❌ {failed} · ⏳ {pending} · 🚫 {rejected}"
            ).format(
                id=campaign.id,
                type=html.escape(campaign.type),
                count=number(figures.total, locale),
                state=state_name(campaign.state),
                delivered=number(figures.delivered, locale),
                failed=number(figures.failed, locale),
                pending=number(figures.pending, locale),
                rejected=number(figures.rejected, locale),
            )
        )
    lines.append(_("Details: <code>/status #id</code>"))
    await message.answer("\n".join(lines))
