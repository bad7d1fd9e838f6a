"""Questions the sending engine asks a campaign's author, and the buttons that answer them.

After a crash, rows caught mid-submission are `unknown`, and so are rows whose answer could not
be read (a 5xx, a timeout after sending, an error page): the author decides once whether they
are sent again. A paused campaign waits for its author's Resume. Each question is a record in
`kv`, so a second press of the same button, or of an older question's button, changes nothing.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.button_data import RowId
from bot.platform.reasons import describe, describe_reason
from bot.platform.rejections import explain_rejection
from bot.sending.submission import Pause, PauseKind
from bot.texts import shorten
from storage.messages import INTERRUPTED
from storage.store import Store

MAX_SHOWN_REASON = 1000  # characters of a platform error shown in one Telegram message
SHOWN_REASONS = 5  # groups of reasons listed on a question
REASON_CHARS = 200


class RecoveryDecision(StrEnum):
    SEND = "send"  # the interrupted rows go back to `new` and are submitted again
    LEAVE = "leave"  # they stay `unknown`
    SUPERSEDED = "superseded"  # a newer question about the same campaign replaced this one


class RecoveryChoice(CallbackData, prefix="rcv"):
    decision: RecoveryDecision
    question_id: RowId


class ResumeChoice(CallbackData, prefix="resume"):
    campaign_id: RowId


@dataclass
class RecoveryQuestion:
    id: int
    campaign_id: int
    count: int
    decision: RecoveryDecision | None = None
    decided_by: int | None = None
    delivered: bool = False  # Telegram took the message asking it


class RecoveryQuestions:
    """The questions about interrupted rows, kept in `kv` as `recovery:<id>` JSON records."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def open(self, campaign_id: int, count: int) -> RecoveryQuestion:
        """Record a new question; an undecided older one about the campaign is superseded."""
        kv = self._store.kv
        with self._store.db.atomic():
            question_id = int(kv.get("recovery:last") or 0) + 1
            kv.set("recovery:last", str(question_id))
            previous = kv.get(f"recovery:open:{campaign_id}")
            older = self.get(int(previous)) if previous else None
            if older is not None and older.decision is None:
                older.decision = RecoveryDecision.SUPERSEDED
                self._save(older)
            question = RecoveryQuestion(question_id, campaign_id, count)
            self._save(question)
            kv.set(f"recovery:open:{campaign_id}", str(question_id))
        return question

    def get(self, question_id: int) -> RecoveryQuestion | None:
        value = self._store.kv.get(f"recovery:{question_id}")
        if value is None:
            return None
        record = json.loads(value)
        decision = record.get("decision")
        record["decision"] = RecoveryDecision(decision) if decision else None
        record.setdefault("delivered", True)  # kept before delivery was recorded: it was asked
        return RecoveryQuestion(**record)

    def mark_delivered(self, question_id: int) -> None:
        with self._store.db.atomic():
            question = self.get(question_id)
            if question is not None and not question.delivered:
                question.delivered = True
                self._save(question)

    def undelivered(self) -> list[RecoveryQuestion]:
        """Open questions whose message never reached their author (a stop came first)."""
        found = []
        for _key, value in self._store.kv.with_prefix("recovery:open:"):
            question = self.get(int(value))
            if question is not None and question.decision is None and not question.delivered:
                found.append(question)
        return found

    def decide(self, question: RecoveryQuestion, decision: RecoveryDecision, actor_id: int) -> None:
        question.decision = decision
        question.decided_by = actor_id
        self._save(question)

    def _save(self, question: RecoveryQuestion) -> None:
        self._store.kv.set(f"recovery:{question.id}", json.dumps(asdict(question)))


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


def question_buttons(question: RecoveryQuestion) -> InlineKeyboardMarkup:
    send = RecoveryChoice(decision=RecoveryDecision.SEND, question_id=question.id)
    leave = RecoveryChoice(decision=RecoveryDecision.LEAVE, question_id=question.id)
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Send these {count} again").format(count=question.count),
                    callback_data=send.pack(),
                ),
                InlineKeyboardButton(text=_("Leave them"), callback_data=leave.pack()),
            ]
        ]
    )


def pause_text(campaign_id: int, pause: Pause, waiting: int) -> str:
    """What the author reads when submission paused: the platform's words and what they mean."""
    lines = [_("⏸ <b>Campaign №{campaign_id} paused.</b>").format(campaign_id=campaign_id)]
    if pause.kind is PauseKind.REFUSED:
        message = str(pause.reason.get("msg", ""))
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
    elif pause.kind is PauseKind.UNKNOWN:
        reason = html.escape(shorten(describe_reason(pause.reason), MAX_SHOWN_REASON))
        lines.append(_("The platform's answers could not be read: {reason}").format(reason=reason))
        lines.append(
            _(
                "This usually means PULSE_API_URL is wrong or a proxy answers instead of the "
                "platform. The messages concerned are marked unknown (you will be asked about "
                "them); the rest were not sent. Not sent yet and waiting: {waiting}. Press "
                "“Resume sending” once this is fixed."
            ).format(waiting=waiting)
        )
    else:
        reason = html.escape(shorten(describe_reason(pause.reason), MAX_SHOWN_REASON))
        lines.append(_("The platform is unavailable: {reason}").format(reason=reason))
        lines.append(
            _(
                "The platform did not take the requests, so no message was created and nothing "
                "was marked as sent. Not sent yet and waiting: {waiting}. Press “Resume sending” "
                "when the platform works again."
            ).format(waiting=waiting)
        )
    return "\n".join(lines)


def pause_reason_text(stored: str) -> str:
    """A campaign's stored pause reason in words, for lists and cards (not HTML-escaped)."""
    return describe(stored)


def resume_buttons(campaign_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Resume sending"),
                    callback_data=ResumeChoice(campaign_id=campaign_id).pack(),
                )
            ]
        ]
    )
