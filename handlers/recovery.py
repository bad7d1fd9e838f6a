"""Buttons of the sending engine's questions: send interrupted messages again, resume a pause.

Only the campaign's author or an admin decides; a second press changes nothing.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer

from bot.access import OPERATOR, is_author_or_admin
from bot.sending import cards
from bot.sending.cards import RecoveryChoice, ResumeChoice
from bot.sending.engine import Sender
from bot.sending.recovery import RecoveryDecision
from bot.telegram.presses import alert, settle
from storage.campaigns import Campaign
from storage.members import Member
from storage.store import Store


def may_decide(member: Member, campaign: Campaign | None) -> bool:
    return campaign is not None and is_author_or_admin(member, campaign.author_id)


async def recovery_choice(
    query: CallbackQuery,
    callback_data: RecoveryChoice,
    sender: Sender,
    store: Store,
    member: Member,
    callback_answer: CallbackAnswer,
) -> None:
    """Send the interrupted messages again, or leave them unknown: once."""
    question = sender.questions.get(callback_data.question_id)
    campaign = store.campaigns.get(question.campaign_id) if question else None
    if question is None or callback_data.decision is RecoveryDecision.SUPERSEDED:
        alert(callback_answer, cards.question_closed())
        return
    if not may_decide(member, campaign):
        alert(callback_answer, cards.not_theirs())
        return
    outcome = sender.decide_recovery(question.id, callback_data.decision, actor_id=member.user_id)
    if outcome is None or not outcome.changed:
        decided = cards.already_decided(outcome.question.decision if outcome else None)
        alert(callback_answer, decided or cards.question_closed())
        await settle(query, decided)
        return
    reported = question.count - outcome.count
    note = cards.recovery_decided(callback_data.decision, outcome.count, reported)
    await settle(query, note)


async def resume_choice(
    query: CallbackQuery,
    callback_data: ResumeChoice,
    sender: Sender,
    store: Store,
    member: Member,
    callback_answer: CallbackAnswer,
) -> None:
    """Continue a paused campaign."""
    campaign = store.campaigns.get(callback_data.campaign_id)
    if not may_decide(member, campaign):
        alert(callback_answer, cards.not_theirs())
        return
    if not sender.resume(callback_data.campaign_id, actor_id=member.user_id):
        alert(callback_answer, cards.nothing_to_resume(callback_data.campaign_id))
        await settle(query, None)
        return
    await settle(query, cards.resumed())


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="recovery")
    router.callback_query.register(recovery_choice, RecoveryChoice.filter(), flags=OPERATOR)
    router.callback_query.register(resume_choice, ResumeChoice.filter(), flags=OPERATOR)
    return router
