"""Buttons under a campaign's status card: stop a running campaign, the full report of a final one."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.access import OPERATOR, VIEWER, is_author_or_admin
from bot.config import Settings
from bot.members.cards import member_label
from bot.sending.engine import Sender
from bot.statuses.cards import CampaignAction, CampaignStep, stop_question_markup
from bot.statuses.report import chart, report_document
from bot.telegram.presses import alert, answer_now
from bot.texts import number
from storage.campaigns import CampaignState
from storage.members import Member
from storage.messages import SubmitState
from storage.store import Store

log = logging.getLogger(__name__)


async def full_report(
    query: CallbackQuery,
    callback_data: CampaignAction,
    store: Store,
    settings: Settings,
    callback_answer: CallbackAnswer,
) -> None:
    """Every recipient of a finished campaign, in one file sent to the chat of the card."""
    campaign = store.campaigns.get(callback_data.campaign_id)
    if campaign is None or query.message is None:
        alert(callback_answer, _("This button is no longer valid."))
        return
    if campaign.state is not CampaignState.FINISHED:
        alert(callback_answer, _("The report is ready once the campaign is final."))
        return
    await answer_now(query, callback_answer, _("Preparing the full report…"))
    document, count = await report_document(store, settings, campaign, full=True)
    await query.message.answer_document(
        document,
        caption=_("Campaign №{id}: the full report, recipients: {count}.").format(
            id=campaign.id, count=number(count)
        ),
    )


async def chart_pressed(
    query: CallbackQuery,
    callback_data: CampaignAction,
    store: Store,
    callback_answer: CallbackAnswer,
) -> None:
    """The campaign's delivery chart so far, sent to the chat where the button was pressed."""
    campaign = store.campaigns.get(callback_data.campaign_id)
    if campaign is None or not isinstance(query.message, Message):
        alert(callback_answer, _("This button is no longer valid."))
        return
    # The first drawing loads the plotting library.
    await answer_now(query, callback_answer, _("Drawing the chart…"))
    drawn = await chart(store, campaign)
    if drawn is None:
        await query.message.answer(
            _("Campaign №{id}: nothing to draw yet, no message has reached the platform.").format(
                id=campaign.id
            )
        )
        return
    photo, caption = drawn
    await query.message.answer_photo(photo, caption=caption)


async def stop_pressed(
    query: CallbackQuery,
    callback_data: CampaignAction,
    store: Store,
    member: Member,
    callback_answer: CallbackAnswer,
) -> None:
    """Ask once more before stopping: what is not yet sent will never be."""
    campaign = store.campaigns.get(callback_data.campaign_id)
    if campaign is None or campaign.state is not CampaignState.SUBMITTING:
        alert(callback_answer, _("This campaign is no longer being sent."))
        return
    if not is_author_or_admin(member, campaign.author_id):
        alert(callback_answer, _("Only the campaign's author or an admin can stop it."))
        return
    if not isinstance(query.message, Message):
        return
    counts = store.messages.counts_by_state(campaign.id)
    waiting = counts.get(SubmitState.NEW, 0) + counts.get(SubmitState.WAITING, 0)
    question = ngettext(
        "Stop campaign №{id}? {count} recipient has not been sent the message yet and will "
        "not get it. Messages already handed to the platform keep going.",
        "Stop campaign №{id}? {count} recipients have not been sent the message yet and will "
        "not get it. Messages already handed to the platform keep going.",
        waiting,
    ).format(id=campaign.id, count=number(waiting))
    await query.message.answer(question, reply_markup=stop_question_markup(campaign.id))


async def stop_confirmed(
    query: CallbackQuery,
    callback_data: CampaignAction,
    store: Store,
    member: Member,
    sender: Sender,
    callback_answer: CallbackAnswer,
) -> None:
    """Cancel every row not yet submitted; the cards count them as cancelled."""
    campaign = store.campaigns.get(callback_data.campaign_id)
    if campaign is None or not is_author_or_admin(member, campaign.author_id):
        alert(callback_answer, _("Only the campaign's author or an admin can stop it."))
        return
    cancelled = await sender.stop_campaign(campaign.id, actor_id=member.user_id)
    if cancelled is None:
        note = _("Campaign №{id} is no longer being sent: nothing to stop.").format(id=campaign.id)
        alert(callback_answer, note)
    else:
        note = ngettext(
            "⏹ Campaign №{id} stopped by {who}: {count} recipient will not get the message.",
            "⏹ Campaign №{id} stopped by {who}: {count} recipients will not get the message.",
            cancelled,
        ).format(id=campaign.id, who=member_label(store, member.user_id), count=number(cancelled))
    await close_question(query, note)


async def stop_declined(query: CallbackQuery) -> None:
    """Nothing stopped: the question says so."""
    await close_question(query, _("Sending continues."))


async def close_question(query: CallbackQuery, note: str) -> None:
    """The question's text becomes what was decided, without buttons."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_text(note, reply_markup=None)
    except TelegramBadRequest as error:
        log.info("could not close the stop question: %s", error.message)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="campaign_card")
    router.callback_query.register(
        full_report, CampaignAction.filter(F.action == CampaignStep.FULL), flags=VIEWER
    )
    router.callback_query.register(
        chart_pressed, CampaignAction.filter(F.action == CampaignStep.CHART), flags=VIEWER
    )
    router.callback_query.register(
        stop_pressed, CampaignAction.filter(F.action == CampaignStep.STOP), flags=OPERATOR
    )
    router.callback_query.register(
        stop_confirmed, CampaignAction.filter(F.action == CampaignStep.STOP_YES), flags=OPERATOR
    )
    router.callback_query.register(
        stop_declined, CampaignAction.filter(F.action == CampaignStep.KEEP), flags=OPERATOR
    )
    return router
