"""Buttons under a campaign's status card."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.notify import CampaignAction, Notifier
from bot.texts import number
from storage.campaigns import CampaignState
from storage.store import Store

VIEWER = {"role": "viewer"}


async def full_report(
    query: CallbackQuery, callback_data: CampaignAction, store: Store, notifier: Notifier
) -> None:
    """Every recipient of a finished campaign, in one file sent to the chat of the card."""
    campaign = store.campaigns.get(callback_data.campaign_id)
    if callback_data.action != "full" or campaign is None or query.message is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if campaign.state is not CampaignState.FINISHED:
        await query.answer(_("The report is ready once the campaign is final."), show_alert=True)
        return
    await query.answer(_("Preparing the full report…"))
    document, count = await notifier.report_document(campaign, full=True)
    await query.message.answer_document(
        document,
        caption=_("Campaign №{id}: the full report, recipients: {count}.").format(
            id=campaign.id, count=number(count)
        ),
    )


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="campaign_card")
    router.callback_query.register(full_report, CampaignAction.filter(), flags=VIEWER)
    return router
