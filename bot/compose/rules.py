"""Decisions of composing a message: what a draft may hold, and why not.

Nothing here talks to Telegram or reads the store: handlers pass in what the user sent and show
what comes back. Reading what people type is in `inputs`, the conversation data in
`conversation`, decisions that read the stored list in `list_checks`.
A refusal is a `Problem` (a reason code and its details); `bot.compose.problem_texts` turns it into words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.compose import message_types
from bot.compose.addresses import TOKEN_TYPES, address_kind
from bot.compose.conversation import ListSummary
from bot.compose.placeholders import placeholders_in, render_text, with_fallback
from bot.compose.segments import is_sms_type, sms_segments
from bot.platform.charsets import PLATFORM_CHARSETS, CharsetError, codec_for, is_ucs2, outside_bmp
from storage.campaigns import Draft

MAX_SMS_SEGMENTS = 10  # longer concatenated SMS are refused or split unpredictably by carriers
TEXT_LIMITS = {"viber": 1000}  # characters, where a channel has a documented limit
MAX_SENDER_CHARS = 64
MAX_TEMPLATE_NAME_CHARS = 64
# HTML text is for e-mail and push; a cascade may reach e-mail, so it takes one too.
HTML_TYPES = frozenset({"email", "push", "bulk"})
# Types that send no text: an HLR request asks the network about a number.
TEXTLESS_TYPES = frozenset({"hlr"})
# The charset names the platform accepts, offered as buttons.
CHARSETS = tuple(PLATFORM_CHARSETS)


class Step(StrEnum):
    """The wizard's steps, in order."""

    TYPE = "type"
    SENDER = "sender"
    RECIPIENTS = "recipients"
    TEXT = "text"
    PREVIEW = "preview"


WIZARD_ORDER = (Step.TYPE, Step.SENDER, Step.RECIPIENTS, Step.TEXT, Step.PREVIEW)
EDITABLE_STEPS = (Step.TEXT, Step.RECIPIENTS, Step.SENDER, Step.TYPE)


def needs_text(message_type: str) -> bool:
    return message_type not in TEXTLESS_TYPES


def wizard_steps(message_type: str) -> tuple[Step, ...]:
    """The steps a type goes through, in order (a type without text has no text step)."""
    if needs_text(message_type):
        return WIZARD_ORDER
    return tuple(step for step in WIZARD_ORDER if step is not Step.TEXT)


def editable_steps(message_type: str) -> tuple[Step, ...]:
    """The steps the Edit menu offers for a type."""
    return tuple(step for step in EDITABLE_STEPS if step in wizard_steps(message_type))


def previous_step(step: Step, message_type: str = "") -> Step | None:
    """The step Back leads to; the first step has none."""
    order = wizard_steps(message_type)
    index = order.index(step) if step in order else WIZARD_ORDER.index(step)
    return order[index - 1] if index else None


class Extra(StrEnum):
    """Optional settings offered on the preview."""

    HTML = "html"
    BUTTON = "button"
    IMAGE = "image"
    TTL = "ttl"
    CHARSET = "charset"
    FIND_TOKEN = "find_token"  # noqa: S105 (a platform parameter name, not a secret)


# Settings few messages need; the Extras menu keeps them under "Advanced".
ADVANCED_EXTRAS = frozenset({Extra.CHARSET, Extra.FIND_TOKEN})
# A button is shown by messengers, push and chat bots; an MMS carries an image but no button;
# an SMS, an e-mail or a call has nowhere to put either.
WITHOUT_BUTTON = frozenset({"sms", "email", "voice", "mms"})
WITHOUT_IMAGE = frozenset({"sms", "email", "voice"})


def extras_for(message_type: str) -> list[Extra]:
    """The extras a type uses (HTML text only for e-mail, push and cascades; no button or image
    for SMS; find_token only where recipients are tokens)."""
    if not needs_text(message_type):
        return [Extra.TTL]  # nothing is shown to anyone: only how long to wait for the answer
    unused = {
        Extra.HTML: message_type not in HTML_TYPES,
        Extra.BUTTON: message_type in WITHOUT_BUTTON,
        Extra.IMAGE: message_type in WITHOUT_IMAGE,
        Extra.FIND_TOKEN: message_type not in TOKEN_TYPES,
    }
    return [extra for extra in Extra if not unused.get(extra, False)]


class Reason(StrEnum):
    """Why input was refused (codes; `bot.compose.problem_texts.problem_text` says it in words)."""

    UNKNOWN_TYPE = "unknown_type"
    SENDER_EMPTY = "sender_empty"
    SENDER_TOO_LONG = "sender_too_long"
    SENDER_NOT_DIGITS = "sender_not_digits"
    EXPECTED_TEXT = "expected_text"
    EXPECTED_RECIPIENTS = "expected_recipients"
    NO_VALID_RECIPIENTS = "no_valid_recipients"
    FILE_TOO_LARGE = "file_too_large"
    FILE_EMPTY = "file_empty"
    FILE_BINARY = "file_binary"
    FILE_UNSUPPORTED = "file_unsupported"
    FILE_NOT_A_TABLE = "file_not_a_table"  # neither a workbook nor a text table
    FILE_BAD_CSV = "file_bad_csv"
    FILE_DOWNLOAD_FAILED = "file_download_failed"
    FILE_TOO_MANY_ROWS = "file_too_many_rows"
    FILE_TOO_MANY_COLUMNS = "file_too_many_columns"
    FILE_CELL_TOO_LONG = "file_cell_too_long"
    FILE_UNPACKS_TOO_LARGE = "file_unpacks_too_large"
    FILE_TOO_SLOW = "file_too_slow"
    FILE_NO_ADDRESS_COLUMN = "file_no_address_column"
    TEXT_EMPTY = "text_empty"
    SMS_TOO_LONG = "sms_too_long"
    TEXT_TOO_LONG = "text_too_long"
    PLACEHOLDER_MISSING = "placeholder_missing"
    PLACEHOLDER_UNKNOWN = "placeholder_unknown"  # no column of the list has this name
    BAD_FALLBACK = "bad_fallback"
    CHARSET_MISMATCH = "charset_mismatch"
    OUTSIDE_UCS2 = "outside_ucs2"
    BAD_CAPTION = "bad_caption"
    BAD_ACTION = "bad_action"
    BAD_IMAGE_URL = "bad_image_url"
    EXPECTED_IMAGE = "expected_image"
    NEED_PUBLIC_URL = "need_public_url"
    BAD_TTL = "bad_ttl"
    BAD_TEMPLATE_NAME = "bad_template_name"
    TEMPLATE_NAME_TAKEN = "template_name_taken"
    SEND_USAGE = "send_usage"


@dataclass(frozen=True)
class Problem:
    """A refusal: its reason and the values its explanation mentions."""

    reason: Reason
    details: Mapping[str, Any] = field(default_factory=dict)


def parse_type(text: str, types: list[str]) -> str | None:
    """The configured type the user typed (its code, its name or a common word for it), or None."""
    return message_types.parse_type(text, types)


def check_sender(message_type: str, sender: str) -> Problem | None:
    """A sender is one line; for a cascade (`bulk`) it is the number of the scenario mailing."""
    if not sender.strip():
        return Problem(Reason.SENDER_EMPTY)
    if len(sender) > MAX_SENDER_CHARS or "\n" in sender:
        return Problem(Reason.SENDER_TOO_LONG, {"limit": MAX_SENDER_CHARS})
    if message_type == "bulk" and not (sender.isascii() and sender.isdigit()):
        return Problem(Reason.SENDER_NOT_DIGITS)
    return None


def offered_senders(message_type: str, senders: list[str]) -> list[str]:
    """The configured senders that are valid for this type, for the sender buttons."""
    return [sender for sender in senders if check_sender(message_type, sender) is None]


def change_type(draft: Draft, new_type: str) -> tuple[Draft, bool]:
    """The draft with another type, and whether its recipient list still fits the new type.

    Fields the new type cannot use are dropped, so the wizard asks for them again.
    """
    keeps_list = address_kind(draft.type, draft.find_token) is address_kind(
        new_type, draft.find_token
    )
    changed = replace(draft, type=new_type)
    if check_sender(new_type, draft.sender) is not None:
        changed = replace(changed, sender="")
    if new_type not in HTML_TYPES:
        changed = replace(changed, html_text=None)
    if new_type in WITHOUT_BUTTON:
        changed = replace(changed, button=None, action=None)
    if new_type in WITHOUT_IMAGE:
        changed = replace(changed, image=None)
    if new_type not in TOKEN_TYPES:
        changed = replace(changed, find_token=False)
    if not needs_text(new_type):
        changed = replace(
            changed, text="", button=None, action=None, image=None, charset=None, find_token=False
        )
    if not keeps_list:
        changed = replace(changed, columns=[])
    return changed, keeps_list


def toggle_find_token(draft: Draft) -> tuple[Draft, bool]:
    """The draft with find_token switched, and whether its recipient list still fits.

    For push and bot it decides what the list holds: tokens, or phones and e-mails whose
    tokens the platform looks up.
    """
    changed = replace(draft, find_token=not draft.find_token)
    keeps_list = address_kind(draft.type, draft.find_token) is address_kind(
        changed.type, changed.find_token
    )
    return (changed if keeps_list else replace(changed, columns=[])), keeps_list


def check_text(
    draft: Draft, summary: ListSummary, as_sent: Callable[[str], str] = str
) -> Problem | None:
    """Whether the text fits its type and charset, as rendered for the first recipients and
    measured by `as_sent` (tracked links count as long as their short links)."""
    if not draft.text.strip():
        return Problem(Reason.TEXT_EMPTY)
    rendered = [as_sent(text) for text in _rendered_sample(draft.text, summary)]
    if is_sms_type(draft.type):
        segments = max(sms_segments(text).segments for text in rendered)
        if segments > MAX_SMS_SEGMENTS:
            return Problem(Reason.SMS_TOO_LONG, {"segments": segments, "limit": MAX_SMS_SEGMENTS})
    limit = TEXT_LIMITS.get(draft.type)
    longest = max(len(text) for text in rendered)
    if limit and longest > limit:
        return Problem(
            Reason.TEXT_TOO_LONG, {"length": longest, "limit": limit, "type": draft.type}
        )
    return check_charset(draft, draft.charset)


def check_charset(draft: Draft, charset: str | None) -> Problem | None:
    """Whether the text and HTML text can be carried in the charset; names what does not fit."""
    problem = charset_problem(draft.text, charset)
    if problem is None and draft.html_text:
        problem = charset_problem(draft.html_text, charset)
        if problem is not None:
            return replace(problem, details={**problem.details, "in": "html"})
    return problem


def charset_problem(text: str, charset: str | None) -> Problem | None:
    """Why a text cannot be carried in the charset, naming the characters; None when it can."""
    try:
        codec = codec_for(charset)
    except CharsetError:
        return Problem(Reason.CHARSET_MISMATCH, {"charset": charset or "", "character": ""})
    beyond = outside_bmp(text) if is_ucs2(charset) else []
    if beyond:
        return Problem(Reason.OUTSIDE_UCS2, {"charset": charset, "characters": beyond})
    try:
        text.encode(codec)
    except UnicodeEncodeError as error:
        character = error.object[error.start : error.end]
        return Problem(Reason.CHARSET_MISMATCH, {"charset": charset or "", "character": character})
    return None


def add_fallback(draft: Draft, name: str, fallback: str) -> Draft:
    """The draft whose text (and HTML text) uses `fallback` where a recipient has no value for
    `name`."""
    html_text = with_fallback(draft.html_text, name, fallback) if draft.html_text else None
    return replace(draft, text=with_fallback(draft.text, name, fallback), html_text=html_text)


@dataclass(frozen=True)
class SmsFigures:
    """Length and segments of the first recipient's text, and segments over all recipients."""

    characters: int
    segments: int
    encoding: str
    total: int
    exact: bool


def sms_figures(text: str, summary: ListSummary, as_sent: Callable[[str], str] = str) -> SmsFigures:
    """Measure an SMS text as it goes out (`as_sent`: addresses as short links); with
    placeholders the total is counted (or estimated) per recipient."""
    rendered = [as_sent(item) for item in _rendered_sample(text, summary)]
    first = sms_segments(rendered[0])
    if not placeholders_in(text) or not summary.sample_fields:
        return SmsFigures(
            len(rendered[0]), first.segments, first.encoding, first.segments * summary.size, True
        )
    sample_total = sum(sms_segments(item).segments for item in rendered)
    exact = summary.size <= len(rendered)
    total = sample_total if exact else round(sample_total / len(rendered) * summary.size)
    return SmsFigures(len(rendered[0]), first.segments, first.encoding, total, exact)


def _rendered_sample(text: str, summary: ListSummary) -> list[str]:
    """The text as the first recipients will get it (the text itself without placeholders)."""
    if not placeholders_in(text) or not summary.sample_fields:
        return [text]
    return [render_text(text, fields) for fields in summary.sample_fields]


def needs_confirmation(size: int, threshold: int) -> bool:
    """Above the threshold, Send asks once more with the exact count."""
    return size > threshold
