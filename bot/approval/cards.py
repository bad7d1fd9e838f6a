"""How approvals read: the approvers' card, what the author is told, buttons and their data."""

from __future__ import annotations

import html
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.approval.deciding import Outcome
from bot.approval.notices import (
    ApprovalAsked,
    ApprovalDecided,
    ApprovalSettled,
    ApprovalWaiting,
    ApprovedLate,
    Figures,
    Follow,
)
from bot.compose.message_types import type_name
from bot.notices import Card, Notice, Render
from bot.schedule.when import format_moment
from bot.telegram.button_data import RowId
from bot.texts import money, number, reader_locale, shorten
from storage.approvals import Approval, ApprovalState
from storage.schedules import Schedule

REASON_CHARS = 500  # a rejection's reason as kept and shown


class ApprovalChoice(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SEND_LATE = "send_late"  # approved after its time: send it now
    DISCARD = "discard"  # approved after its time: do not send it
    WITHDRAW = "withdraw"  # the author takes it back while it waits


class ApprovalAction(CallbackData, prefix="approval"):
    action: ApprovalChoice
    approval_id: RowId


def decision_keyboard(approval_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Approve"),
        callback_data=ApprovalAction(action=ApprovalChoice.APPROVE, approval_id=approval_id),
    )
    builder.button(
        text=_("❌ Reject"),
        callback_data=ApprovalAction(action=ApprovalChoice.REJECT, approval_id=approval_id),
    )
    return builder.as_markup()


def withdraw_keyboard(approval_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Withdraw"),
        callback_data=ApprovalAction(action=ApprovalChoice.WITHDRAW, approval_id=approval_id),
    )
    return builder.as_markup()


def late_keyboard(approval_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Send now"),
        callback_data=ApprovalAction(action=ApprovalChoice.SEND_LATE, approval_id=approval_id),
    )
    builder.button(
        text=_("Discard"),
        callback_data=ApprovalAction(action=ApprovalChoice.DISCARD, approval_id=approval_id),
    )
    return builder.as_markup()


# -- texts ------------------------------------------------------------------------------------


def approvers_text(approvers: str) -> str:
    """Who may approve, as the author reads it."""
    if approvers == "operator":
        return _("another operator or an admin")
    return _("an admin")


def waiting_text(campaign_id: int, approvers: str) -> str:
    """On the author's card, after Send or Schedule."""
    return _(
        "⏳ Campaign №{id} is waiting for approval by {approvers}: nothing is sent before "
        "that. You will be told of the decision here."
    ).format(id=campaign_id, approvers=approvers_text(approvers))


def preview_note(approvers: str) -> str:
    """On the preview of a campaign above the thresholds, before Send or Schedule."""
    return _("🛂 This campaign needs approval by {approvers} before anything goes out.").format(
        approvers=approvers_text(approvers)
    )


def nobody_text(approvers: str) -> str:
    """When no member but the author could approve: say how to get out of the wait."""
    if approvers == "operator":
        return _(
            "⚠️ No other operator or admin can approve it now: add one with /allow, or withdraw it."
        )
    return _("⚠️ No other admin can approve it now: add one with /allow, or withdraw it.")


def after_approval_text(schedule: Schedule, zone: ZoneInfo, locale: str) -> str:
    """A platform-mode schedule waiting for approval: what happens once approved."""
    when = format_moment(schedule.run_at_time, zone, locale)
    return _("Campaign №{id} goes to the platform once approved, to go out on {when}.").format(
        id=schedule.campaign_id, when=when
    )


def figures_lines(figures: Figures, currency: str) -> list[str]:
    """The preview's figures: recipients, parts and the estimate (only with a price)."""
    lines = [_("Recipients: <b>{count}</b>").format(count=number(figures.recipients))]
    if figures.sms:
        lines.append(_("SMS parts: <b>{count}</b>").format(count=number(figures.parts)))
    if figures.estimate is not None:
        lines.append(
            _("Estimate: <b>≈ {total}</b>").format(total=money(figures.estimate, currency))
        )
    return lines


def moment(at: datetime, zone: str) -> str:
    return format_moment(at, ZoneInfo(zone), reader_locale())


def render_asked(notice: ApprovalAsked) -> Card:
    lines = [
        _("🛂 <b>Approval needed</b>: campaign №{id} by {author}").format(
            id=notice.campaign_id, author=html.escape(notice.author)
        ),
        _("Type: <b>{type}</b> · sender: <b>{sender}</b>").format(
            type=type_name(notice.type), sender=html.escape(notice.sender)
        ),
        *figures_lines(notice.figures, notice.currency),
    ]
    if notice.scheduled_for is not None:
        lines.append(
            _("Scheduled for {when}").format(when=moment(notice.scheduled_for, notice.zone))
        )
    text = "\n".join(lines)
    if notice.excerpt:
        text += f"\n\n<i>{html.escape(notice.excerpt)}</i>"
    text += "\n\n" + _("Nothing is sent until a member other than the author approves it.")
    return Card(text, decision_keyboard(notice.approval_id))


def render_waiting(notice: ApprovalWaiting) -> Card:
    if notice.at_its_time:
        text = _(
            "⏳ Campaign №{id} is due, but it waits for approval by {approvers}: nothing is "
            "sent before that. You will be told of the decision."
        )
    else:
        text = _("⏳ Campaign №{id} waits for approval by {approvers}.")
    return Card(text.format(id=notice.campaign_id, approvers=approvers_text(notice.approvers)))


def render_decided(notice: ApprovalDecided) -> Card:
    by = html.escape(notice.by)
    if not notice.approved:
        reason = html.escape(shorten(notice.reason or "", REASON_CHARS))
        return Card(
            _("❌ Campaign №{id} was rejected by {by}: {reason}\nNothing was sent.").format(
                id=notice.campaign_id, by=by, reason=reason
            )
        )
    head = _("✅ Campaign №{id} was approved by {by}.").format(id=notice.campaign_id, by=by)
    if notice.follows is Follow.AT_ITS_TIME and notice.scheduled_for is not None:
        tail = _("It goes out at its time, {when}.").format(
            when=moment(notice.scheduled_for, notice.zone)
        )
    elif notice.follows is Follow.OWNER_ASKED:
        tail = _("Its time has passed: decide below whether it still goes out.")
    else:
        tail = _("It is going out now.")
    return Card(f"{head} {tail}")


def render_late(notice: ApprovedLate) -> Card:
    text = _(
        "⏰ Campaign №{id} was approved by {by} {minutes} min after its time. "
        "Send it now or discard it?"
    ).format(id=notice.campaign_id, by=html.escape(notice.by), minutes=number(notice.minutes_late))
    return Card(text, late_keyboard(notice.approval_id))


def render_settled(notice: ApprovalSettled) -> Card:
    asked = render_asked(notice.asked).text
    return Card(f"{asked}\n\n{state_words(notice.state, notice.by, notice.reason)}")


RENDERERS: dict[type[Notice], Render] = {
    ApprovalAsked: render_asked,
    ApprovalSettled: render_settled,
    ApprovalWaiting: render_waiting,
    ApprovalDecided: render_decided,
    ApprovedLate: render_late,
}


# -- answers to presses -----------------------------------------------------------------------


def state_line(approval: Approval, by: str) -> str:
    """How a decided request reads on a card whose buttons are gone."""
    return state_words(approval.state, by, approval.reason)


def state_words(state: ApprovalState, by: str, reason: str | None) -> str:
    if state is ApprovalState.APPROVED:
        return _("✅ Approved by {by}.").format(by=html.escape(by))
    if state is ApprovalState.REJECTED:
        shown = html.escape(shorten(reason or "", REASON_CHARS))
        return _("❌ Rejected by {by}: {reason}").format(by=html.escape(by), reason=shown)
    if state is ApprovalState.WITHDRAWN:
        return _("↩️ Withdrawn by {by}: nothing was sent.").format(by=html.escape(by))
    return _("⏳ Waiting for approval.")


def refusal_text(outcome: Outcome, approval: Approval | None, by: str) -> str:
    """An alert for a press that changes nothing."""
    if outcome is Outcome.OWN:
        return _("You cannot approve or reject your own campaign: another member must.")
    if outcome is Outcome.NOT_ALLOWED:
        return _("You may not decide about this campaign.")
    if outcome is Outcome.AUTHOR_LEFT:
        return _(
            "Its author may no longer send, so it cannot go out on their behalf. An admin can "
            "take over a scheduled one on /scheduled."
        )
    if outcome is Outcome.DECIDED and approval is not None:
        return _("This card is outdated: {state}").format(
            state=html.unescape(state_line(approval, by))
        )
    return _("This card is outdated: the campaign was cancelled or has already gone out.")


def reason_prompt(campaign_id: int) -> str:
    return _(
        "Why is campaign №{id} rejected? Reply to this message with the reason: its author "
        "will read it. Until then the campaign keeps waiting."
    ).format(id=campaign_id)


def reason_problem() -> str:
    return _("Write the reason as text, in a reply to the question.")


def withdraw_answer(done: bool) -> str:
    if not done:
        return _("This card is outdated: the campaign is no longer waiting.")
    return _("Withdrawn: nothing was sent.")


def late_answer(send: bool, done: bool) -> str:
    if not done:
        return _("This card is outdated: the campaign is no longer waiting.")
    return _("Sending now.") if send else _("Discarded: nothing was sent.")
