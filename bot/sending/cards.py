"""How the sending engine's notices read in Telegram, the buttons that answer them, and what a press on them is told.

A paused campaign waits for its author's Resume; rows whose fate is unknown wait for the author
to decide once whether they are sent again.
"""

from __future__ import annotations

import html

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.notices import Card, Notice, Render
from bot.platform.reasons import describe, describe_reason
from bot.platform.rejections import explain_rejection
from bot.sending.notices import CampaignPaused, UnknownRowsQuestion
from bot.sending.recovery import RecoveryDecision
from bot.sending.run_report import PauseKind
from bot.telegram.button_data import RowId
from bot.texts import shorten
from storage.messages import INTERRUPTED

MAX_SHOWN_REASON = 1000  # characters of a platform error shown in one Telegram message
SHOWN_REASONS = 5  # groups of reasons listed on a question
REASON_CHARS = 200


class RecoveryChoice(CallbackData, prefix="rcv"):
    decision: RecoveryDecision
    question_id: RowId


class ResumeChoice(CallbackData, prefix="resume"):
    campaign_id: RowId


def question_text(campaign_id: int, count: int, reasons: dict[str, int] | None = None) -> str:
    """The question about unknown rows: how many, why (grouped), and what re-sending risks."""
    reasons = reasons or {INTERRUPTED: count}
    if set(reasons) == {INTERRUPTED}:
        return _(
            "⚠️ <b>Campaign №{campaign_id} was interrupted.</b>\n"
            "The bot stopped while messages were being handed to the platform. The platform may "
            "or may not have received them, so they are marked unknown and were not sent again.\n"
            "Messages concerned: <b>{count}</b>.\n\n"
            "Send them again? A recipient who did receive the message would get it twice."
        ).format(campaign_id=campaign_id, count=count)
    lines = [
        _(
            "⚠️ <b>Campaign №{campaign_id}: the platform's answer for some messages is unknown.</b>\n"
            "The platform may or may not have created them, so they are marked unknown and were "
            "not sent again.\n"
            "Messages concerned: <b>{count}</b>. Why:"
        ).format(campaign_id=campaign_id, count=count)
    ]
    for stored, how_many in list(reasons.items())[:SHOWN_REASONS]:
        words = _("interrupted by a stop of the bot") if stored == INTERRUPTED else describe(stored)
        lines.append(f"    {how_many} × {html.escape(shorten(words, REASON_CHARS))}")
    if len(reasons) > SHOWN_REASONS:
        lines.append("    …")
    lines.append("")
    lines.append(_("Send them again? A recipient who did receive the message would get it twice."))
    return "\n".join(lines)


def question_buttons(question_id: int, count: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Send these {count} again").format(count=count),
        callback_data=RecoveryChoice(decision=RecoveryDecision.SEND, question_id=question_id),
    )
    builder.button(
        text=_("Leave them"),
        callback_data=RecoveryChoice(decision=RecoveryDecision.LEAVE, question_id=question_id),
    )
    return builder.as_markup()


def render_question(notice: UnknownRowsQuestion) -> Card:
    return Card(
        question_text(notice.campaign_id, notice.count, dict(notice.reasons)),
        question_buttons(notice.question_id, notice.count),
    )


def pause_text(notice: CampaignPaused) -> str:
    """What the author reads when submission paused: the platform's words and what they mean."""
    campaign_id, reason, waiting = notice.campaign_id, notice.reason, notice.waiting
    lines = [_("⏸ <b>Campaign №{campaign_id} paused.</b>").format(campaign_id=campaign_id)]
    if notice.kind is PauseKind.REFUSED:
        message = str(reason.get("msg", ""))
        shown = html.escape(shorten(message, MAX_SHOWN_REASON))
        lines.append(_("The platform refused: «{message}»").format(message=shown))
        explanation = explain_rejection(message)
        if explanation:
            lines.append(explanation)
        lines.append(
            _(
                "This refusal is about the account, not the recipients: no message was created. "
                "Not sent yet and waiting, including the ones it answered: {waiting}. "
                "Press “Resume sending” once this is fixed."
            ).format(waiting=waiting)
        )
    elif notice.kind is PauseKind.UNKNOWN:
        words = html.escape(shorten(describe_reason(reason), MAX_SHOWN_REASON))
        lines.append(_("The platform's answers could not be read: {reason}").format(reason=words))
        lines.append(
            _(
                "This usually means PULSE_API_URL is wrong or a proxy answers instead of the "
                "platform. The messages concerned are marked unknown (you will be asked about "
                "them); the rest were not sent. Not sent yet and waiting: {waiting}. Press "
                "“Resume sending” once this is fixed."
            ).format(waiting=waiting)
        )
    else:
        words = html.escape(shorten(describe_reason(reason), MAX_SHOWN_REASON))
        lines.append(_("The platform is unavailable: {reason}").format(reason=words))
        lines.append(
            _(
                "The platform did not take the requests, so no message was created and nothing "
                "was marked as sent. Not sent yet and waiting: {waiting}. Press “Resume sending” "
                "when the platform works again."
            ).format(waiting=waiting)
        )
    return "\n".join(lines)


def resume_buttons(campaign_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Resume sending"), callback_data=ResumeChoice(campaign_id=campaign_id))
    return builder.as_markup()


def render_paused(notice: CampaignPaused) -> Card:
    return Card(pause_text(notice), resume_buttons(notice.campaign_id))


RENDERERS: dict[type[Notice], Render] = {
    CampaignPaused: render_paused,
    UnknownRowsQuestion: render_question,
}


# ---------------------------------------------------------------- answers to the questions' buttons


def question_closed() -> str:
    return _("This question is no longer open.")


def not_theirs() -> str:
    return _("Only the campaign's author or an admin can decide this.")


def already_decided(decision: RecoveryDecision | None) -> str | None:
    """What a second press on a decided question is told; None when it was never decided."""
    texts = {
        RecoveryDecision.SEND: _("Already decided: sent again."),
        RecoveryDecision.LEAVE: _("Already decided: left as unknown."),
        RecoveryDecision.SUPERSEDED: _("A newer question about this campaign replaced this one."),
    }
    return texts.get(decision) if decision is not None else None


def recovery_decided(decision: RecoveryDecision, count: int, reported: int) -> str:
    """Written under the question once decided; `reported` rows got a status meanwhile."""
    if decision is RecoveryDecision.SEND:
        note = _("✅ Sending them again: {count}.").format(count=count)
    else:
        note = _("Left as unknown: {count}. They will not be sent again.").format(count=count)
    if reported > 0:  # statuses arrived since the question was asked: those messages exist
        note += "\n" + ngettext(
            "Meanwhile {count} of them received a status: the platform has it, so it is not "
            "sent again.",
            "Meanwhile {count} of them received a status: the platform has them, so they are "
            "not sent again.",
            reported,
        ).format(count=reported)
    return note


def nothing_to_resume(campaign_id: int) -> str:
    return _("Nothing to resume: campaign №{campaign_id} is not paused.").format(
        campaign_id=campaign_id
    )


def resumed() -> str:
    return _("▶️ Resumed.")
