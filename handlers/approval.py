"""Approve and Reject on the approvers' card, the reason of a rejection, and the owner's answer
when an approval came after the campaign's time. Decisions are the approval service's."""

from __future__ import annotations

import html
import logging
from typing import Protocol

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.access import OPERATOR
from bot.approval.cards import (
    REASON_CHARS,
    ApprovalAction,
    ApprovalChoice,
    late_answer,
    nobody_text,
    reason_problem,
    reason_prompt,
    refusal_text,
    state_line,
    waiting_text,
    withdraw_answer,
    withdraw_keyboard,
)
from bot.approval.deciding import Decision, Outcome
from bot.approval.reasons import ReasonAsked
from bot.approval.service import ApprovalService
from bot.notices import Card
from bot.telegram.presses import alert, tell
from bot.texts import shorten
from storage.members import Member

log = logging.getLogger(__name__)


class AuthorCard(Protocol):
    """Where the author's card is: the chat, and the message once there is one."""

    chat_id: int

    async def card_id(self) -> int | None: ...


async def ask_if_needed(
    approvals: ApprovalService, wizard: AuthorCard, campaign_id: int
) -> Card | None:
    """After Send or Schedule: the campaign's approval request, if it needs one, tied to the
    author's card; returns what the card says about it, with Withdraw (None: not needed)."""
    card_id = await wizard.card_id()
    card = (wizard.chat_id, card_id) if card_id else None
    approval = await approvals.request(campaign_id, card=card)
    if approval is None:
        return None
    text = waiting_text(campaign_id, approvals.settings.approvers)
    if not approvals.anyone_may_approve(campaign_id):
        text += "\n" + nobody_text(approvals.settings.approvers)
    return Card(text, withdraw_keyboard(approval.id))


async def approve_pressed(
    query: CallbackQuery,
    callback_data: ApprovalAction,
    member: Member,
    approvals: ApprovalService,
    callback_answer: CallbackAnswer,
) -> None:
    decision = await approvals.approve(callback_data.approval_id, actor_id=member.user_id)
    await show_decision(query, callback_answer, decision, approvals)


async def reject_pressed(
    query: CallbackQuery,
    callback_data: ApprovalAction,
    member: Member,
    approvals: ApprovalService,
    callback_answer: CallbackAnswer,
) -> None:
    """Ask for the reason in the chat of the card; the reply rejects."""
    refused = approvals.refusal(callback_data.approval_id, member.user_id)
    if refused is not None:
        await show_decision(query, callback_answer, refused, approvals)
        return
    message = query.message
    approval = approvals.get(callback_data.approval_id)
    if not isinstance(message, Message) or approval is None:
        return
    # In a group, the mention is what points the selective reply field at this approver alone.
    name = html.escape(query.from_user.full_name or str(member.user_id))
    mention = f'<a href="tg://user?id={member.user_id}">{name}</a>'
    prompt = await message.answer(
        f"{mention}\n{reason_prompt(approval.campaign_id)}",
        reply_markup=ForceReply(selective=True),
        reply_to_message_id=message.message_id,
    )
    asked = ReasonAsked(approval.id, member.user_id, message.chat.id, message.message_id)
    approvals.reasons.expect(message.chat.id, prompt.message_id, asked)


async def reason_replied(message: Message, member: Member, approvals: ApprovalService) -> None:
    """The reply to a reason prompt: reject with it."""
    assert message.reply_to_message is not None
    chat_id, prompt_id = message.chat.id, message.reply_to_message.message_id
    asked = approvals.reasons.awaited(chat_id, prompt_id, member.user_id)
    if asked is None:
        return
    reason = shorten(" ".join((message.text or "").split()), REASON_CHARS)
    if not reason:
        await message.reply(reason_problem())
        return
    decision = await approvals.reject(asked.approval_id, actor_id=member.user_id, reason=reason)
    approvals.reasons.given(chat_id, prompt_id)
    approval = decision.approval
    if decision.outcome is not Outcome.REJECTED:
        by = approvals.name_of(approval.decided_by) if approval and approval.decided_by else ""
        await message.reply(refusal_text(decision.outcome, approval, by))
        return
    assert approval is not None
    await message.reply(state_line(approval, approvals.name_of(member.user_id)))


async def late_pressed(
    query: CallbackQuery,
    callback_data: ApprovalAction,
    member: Member,
    approvals: ApprovalService,
    callback_answer: CallbackAnswer,
) -> None:
    """Send now or discard a campaign approved after its time: only the first answer counts."""
    send = callback_data.action is ApprovalChoice.SEND_LATE
    done = approvals.late_choice(callback_data.approval_id, actor_id=member.user_id, send=send)
    text = late_answer(send, done)
    tell(callback_answer, text, as_alert=not done)
    message = query.message
    if isinstance(message, Message) and query.bot is not None:
        note = text if done else None
        await close_card(query.bot, message.chat.id, message.message_id, note, message.html_text)


async def withdraw_pressed(
    query: CallbackQuery,
    callback_data: ApprovalAction,
    member: Member,
    approvals: ApprovalService,
    callback_answer: CallbackAnswer,
) -> None:
    """The author takes the campaign back while it waits."""
    done = approvals.withdraw(callback_data.approval_id, actor_id=member.user_id)
    text = withdraw_answer(done)
    tell(callback_answer, text, as_alert=not done)
    message = query.message
    if isinstance(message, Message) and query.bot is not None:
        note = text if done else None
        await close_card(query.bot, message.chat.id, message.message_id, note, message.html_text)
    if done:
        await approvals.settle_cards(callback_data.approval_id)


async def show_decision(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    decision: Decision,
    approvals: ApprovalService,
) -> None:
    """Answer a press: the card shows the state without buttons, a refusal comes as an alert."""
    approval = decision.approval
    by = approvals.name_of(approval.decided_by) if approval and approval.decided_by else ""
    message, bot = query.message, query.bot
    if decision.outcome is Outcome.APPROVED and approval is not None:
        tell(callback_answer, state_line(approval, by))  # every card was redrawn with it
        return
    alert(callback_answer, refusal_text(decision.outcome, approval, by))
    closed = decision.outcome in (Outcome.DECIDED, Outcome.GONE)
    if closed and isinstance(message, Message) and bot is not None:
        note = (
            state_line(approval, by) if decision.outcome is Outcome.DECIDED and approval else None
        )
        await close_card(bot, message.chat.id, message.message_id, note, message.html_text)


async def close_card(
    bot: Bot, chat_id: int, message_id: int, note: str | None, text: str | None = None
) -> None:
    """The card loses its buttons and, when given, says what was decided: under its `text`
    when that is known, else in a reply to it."""
    try:
        if note and text:
            await bot.edit_message_text(
                f"{text}\n\n{note}", chat_id=chat_id, message_id=message_id, reply_markup=None
            )
            return
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)
        if note:
            await bot.send_message(chat_id, note, reply_to_message_id=message_id)
    except TelegramAPIError as error:
        log.info("could not close the approval card in chat %s: %s", chat_id, error)


def build_router() -> Router:
    router = Router(name="approval")
    router.callback_query.register(
        approve_pressed,
        ApprovalAction.filter(F.action == ApprovalChoice.APPROVE),
        flags=OPERATOR,
    )
    router.callback_query.register(
        reject_pressed, ApprovalAction.filter(F.action == ApprovalChoice.REJECT), flags=OPERATOR
    )
    router.callback_query.register(
        late_pressed,
        ApprovalAction.filter(F.action.in_({ApprovalChoice.SEND_LATE, ApprovalChoice.DISCARD})),
        flags=OPERATOR,
    )
    router.callback_query.register(
        withdraw_pressed,
        ApprovalAction.filter(F.action == ApprovalChoice.WITHDRAW),
        flags=OPERATOR,
    )
    router.message.register(
        reason_replied,
        F.reply_to_message.from_user.is_bot,
        F.text,
        ReasonPrompt(),
        flags=OPERATOR,
    )
    return router


class ReasonPrompt(Filter):
    """Matches a reply to one of the reason prompts (so other replies go their usual way)."""

    async def __call__(self, message: Message, approvals: ApprovalService) -> bool:
        reply = message.reply_to_message
        if reply is None or message.from_user is None:
            return False
        found = approvals.reasons.awaited(message.chat.id, reply.message_id, message.from_user.id)
        return found is not None
