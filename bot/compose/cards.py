"""The composing card's buttons and the pieces every composing card shares.

Every user-supplied string is escaped here; long texts are cut so a card never exceeds
Telegram's 4096 characters.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.compose.conversation import ListSummary
from bot.compose.list_checks import SHOWN_ADDRESSES
from bot.compose.message_types import type_name
from bot.compose.placeholders import placeholders_in, render_text
from bot.compose.problem_texts import problem_text
from bot.compose.rules import Problem, sms_figures
from bot.compose.segments import is_sms_type
from bot.telegram.button_data import Index
from bot.texts import ELLIPSIS, clip, number, units
from storage.campaigns import Draft

CARD_LIMIT = 4000  # Telegram allows 4096; the rest is a margin for what is measured loosely
SHOWN_TEXT_CHARS = 200  # of secondary texts: HTML text, addresses of extras
SHOWN_HTML_CHARS = 600  # of the HTML text as the first recipient gets it


class ComposeMove(StrEnum):
    """What a button of the composing card does."""

    BACK = "back"
    CANCEL = "cancel"
    KEEP = "keep"
    FIND_TOKEN = "find_token"  # noqa: S105 (a button, not a secret)
    FALLBACK = "fallback"
    LEAVE_OUT = "leave_out"
    SEND = "send"
    SCHEDULE = "schedule"  # belongs to the scheduling dialogue
    TYPOGRAPHY = "typography"
    TYPOGRAPHY_UNDO = "typography_undo"
    TRANSLIT = "translit"
    TRANSLIT_UNDO = "translit_undo"
    LEFT_OUT_FILE = "left_out_file"
    EDIT = "edit"
    EXTRAS = "extras"
    TEMPLATE = "template"
    TEST_ME = "test_me"
    CONFIRM = "confirm"
    ADVANCED = "advanced"
    REMOVE = "remove"


class PickKind(StrEnum):
    """What a listed choice on the composing card chooses."""

    TYPE = "type"
    SENDER = "sender"
    EDIT = "edit"
    EXTRA = "extra"
    CHARSET = "charset"


class ComposeAction(CallbackData, prefix="compose"):
    """A button of the composing card."""

    action: ComposeMove


class ComposePick(CallbackData, prefix="compose_pick"):
    """A choice among listed values, by position (values may not fit in callback data)."""

    what: PickKind
    index: Index


# ---------------------------------------------------------------- small pieces


def button(text: str, callback: CallbackData) -> InlineKeyboardButton:
    """One button; rows of them are laid out by `markup` and `picks` with a keyboard builder."""
    return InlineKeyboardButton(text=text, callback_data=callback.pack())


def action(name: ComposeMove) -> ComposeAction:
    return ComposeAction(action=name)


def back_cancel() -> list[InlineKeyboardButton]:
    return [
        button(_("« Back"), action(ComposeMove.BACK)),
        button(_("Cancel"), action(ComposeMove.CANCEL)),
    ]


def markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """The keyboard of the rows given, empty rows left out."""
    builder = InlineKeyboardBuilder()
    for row in rows:
        if row:
            builder.row(*row)
    return builder.as_markup()


def picks(what: PickKind, labels: Sequence[str], width: int) -> list[list[InlineKeyboardButton]]:
    builder = InlineKeyboardBuilder()
    for index, label in enumerate(labels):
        builder.add(button(label, ComposePick(what=what, index=index)))
    builder.adjust(width)
    return builder.export()


def problem_line(problem: Problem | None) -> str:
    return f"⚠️ {problem_text(problem)}" if problem else ""


# ---------------------------------------------------------------- shared by the cards


def header(draft: Draft, summary: ListSummary) -> str:
    """The card's title and what has been chosen so far."""
    lines = [_("<b>New message</b>")]
    if draft.type:
        lines.append(_("Type: <b>{type}</b>").format(type=type_name(draft.type)))
    if draft.sender:
        lines.append(_("Sender: <b>{sender}</b>").format(sender=html.escape(draft.sender)))
    if summary.size:
        recipients = _("Recipients: <b>{count}</b>").format(count=number(summary.size))
        lines.append(recipients + first_addresses(summary))
    return "\n".join(lines)


def encoding_words(encoding: str) -> str:
    """What an SMS encoding means for the person writing: how much fits in one segment."""
    words = {
        "GSM-7": _("Latin letters: 160 characters per SMS"),
        "UCS-2": _("Cyrillic or emoji: 70 characters per SMS"),
    }
    return words.get(encoding, encoding)


def text_block(
    draft: Draft, summary: ListSummary, limit: int, as_sent: Callable[[str], str] = str
) -> str:
    """The text with its SMS figures, and how the first recipient gets it, in `limit` units."""
    lines = []
    personal = bool(placeholders_in(draft.text) and summary.sample_fields)
    if is_sms_type(draft.type):
        figures = sms_figures(draft.text, summary, as_sent)
        about = "" if figures.exact else "≈"
        if personal:  # lengths differ per recipient: say whose is measured
            measured = _(
                "The first recipient's text: {characters} characters, SMS segments: {segments} "
                "({encoding}); total for all recipients: {about}{total}"
            )
        else:
            measured = _(
                "Characters: {characters}, SMS segments: {segments} ({encoding}), "
                "total for all recipients: {about}{total}"
            )
        lines.append(
            measured.format(
                characters=number(figures.characters),
                segments=number(figures.segments),
                encoding=encoding_words(figures.encoding),
                about=about,
                total=number(figures.total),
            )
        )
    else:
        lines.append(_("Characters: {characters}").format(characters=number(len(draft.text))))
    labels = [_("Text:"), _("The first recipient gets:") if personal else ""]
    room = limit - units("\n".join(lines + labels)) - len("<blockquote></blockquote>\n") * 2
    share = room // 2 if personal else room
    lines += [labels[0], f"<blockquote>{clip(draft.text, share)}</blockquote>"]
    if personal:
        first = render_text(draft.text, summary.first_fields)
        lines += [labels[1], f"<blockquote>{clip(first, share)}</blockquote>"]
    return "\n".join(lines)


def first_addresses(summary: ListSummary) -> str:
    if not summary.first_addresses:
        return ""
    shown = ", ".join(html.escape(address) for address in summary.first_addresses)
    more = f", {ELLIPSIS}" if summary.size > SHOWN_ADDRESSES else ""
    return f": {shown}{more}"
