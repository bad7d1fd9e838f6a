"""Decisions of composing a message: which step comes next, what input is acceptable, and why not.

Nothing here talks to Telegram: handlers pass in what the user sent and show what comes back.
A refusal is a `Problem` (a reason code and its details); `bot.compose.problem_texts` turns it into words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from bot.compose import message_types
from bot.compose.coverage import Coverage
from bot.compose.recipient_files import FileProblem, RecipientFileError
from bot.compose.recipients import (
    LACKING_VALUE,
    MAX_FILE_BYTES,
    TOKEN_TYPES,
    AddressKind,
    Recipient,
    RecipientList,
    address_kind,
    has_values,
    parse_recipients_file,
    placeholder_values,
    placeholders_in,
    render_text,
    required_columns,
    required_placeholders,
    split_leading_addresses,
    unknown_columns,
    used_columns,
    with_fallback,
)
from bot.compose.segments import is_sms_type, sms_segments
from bot.platform.charsets import PLATFORM_CHARSETS, CharsetError, codec_for, is_ucs2, outside_bmp
from storage.campaigns import Draft
from storage.store import Store

log = logging.getLogger(__name__)
_ERROR_LINE = re.compile(r"line (\d+)")  # where a CSV reader gave up

MAX_SMS_SEGMENTS = 10  # longer concatenated SMS are refused or split unpredictably by carriers
TEXT_LIMITS = {"viber": 1000}  # characters, where a channel has a documented limit
MAX_SENDER_CHARS = 64
FALLBACK_CHARS = 100
MAX_CAPTION_CHARS = 64
MAX_URL_CHARS = 2048
MAX_TEMPLATE_NAME_CHARS = 64
MAX_TTL_MINUTES = 525_600  # a year: anything longer is a typo
# HTML text is for e-mail and push; a cascade may reach e-mail, so it takes one too.
HTML_TYPES = frozenset({"email", "push", "bulk"})
# Types that send no text: an HLR request asks the network about a number.
TEXTLESS_TYPES = frozenset({"hlr"})
SAMPLE_SIZE = 1000  # recipients whose rendered texts are measured for the SMS total
SHOWN_ADDRESSES = 5
SHOWN_INVALID = 5
# The charset names the platform accepts, offered as buttons.
CHARSETS = tuple(PLATFORM_CHARSETS)

_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@\w+)?(?: \S.*)?")


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


# ---------------------------------------------------------------- conversation data


def draft_from_data(data: Mapping[str, Any]) -> Draft:
    """The draft kept in the conversation data (an empty one at the start)."""
    fields = dict(data.get("draft") or {})
    fields.setdefault("type", "")
    fields.setdefault("sender", "")
    fields.setdefault("text", "")
    return Draft(**fields)


def draft_data(draft: Draft) -> dict[str, Any]:
    """The draft as JSON-ready conversation data."""
    return asdict(draft)


@dataclass(frozen=True)
class RecipientsReport:
    """What parsing a recipient list found, kept to show it on the card until the next list."""

    valid: int
    invalid: int
    duplicates: int
    stopped: int
    examples: tuple[tuple[int, str, str], ...] = ()  # line, text as written, reason code
    columns: tuple[str, ...] = ()
    contacts: int = 0  # tokens that look like phones or e-mails

    @classmethod
    def of(cls, parsed: RecipientList) -> RecipientsReport:
        examples = tuple(
            (entry.line, entry.raw, entry.reason.value) for entry in parsed.invalid[:SHOWN_INVALID]
        )
        return cls(
            valid=len(parsed.valid),
            invalid=len(parsed.invalid),
            duplicates=parsed.duplicates,
            stopped=parsed.stopped,
            examples=examples,
            columns=tuple(parsed.columns),
            contacts=parsed.contacts,
        )

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> RecipientsReport | None:
        if not data:
            return None
        examples = tuple(tuple(example) for example in data.get("examples", ()))
        return cls(
            valid=data["valid"],
            invalid=data["invalid"],
            duplicates=data["duplicates"],
            stopped=data["stopped"],
            examples=examples,  # type: ignore[arg-type]
            columns=tuple(data.get("columns", ())),
            contacts=data.get("contacts", 0),
        )


@dataclass(frozen=True)
class ListSummary:
    """What the cards show of a stored recipient list: its size, first addresses and columns."""

    size: int = 0
    first_addresses: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    # The columns of the first recipients, for the per-recipient preview and the SMS total.
    sample_fields: tuple[Mapping[str, str], ...] = ()
    left_out: Mapping[str, int] = field(default_factory=dict)  # rows of the upload, by reason
    zones: Mapping[str | None, int] = field(default_factory=dict)  # recipients by time zone

    @property
    def first_fields(self) -> Mapping[str, str]:
        return self.sample_fields[0] if self.sample_fields else {}


def summarize_list(store: Store, list_id: int | None) -> ListSummary:
    """Read the summary of a stored list; an empty one when there is no list yet."""
    if not list_id:
        return ListSummary()
    sample = list(store.recipient_lists.items(list_id, limit=SAMPLE_SIZE))
    return ListSummary(
        size=store.recipient_lists.size(list_id),
        first_addresses=tuple(address for address, _ in sample[:SHOWN_ADDRESSES]),
        columns=tuple(store.recipient_lists.columns(list_id)),
        sample_fields=tuple(fields for _, fields in sample),
        left_out=store.recipient_lists.left_out_counts(list_id),
        zones=store.recipient_lists.zones(list_id),
    )


# ---------------------------------------------------------------- steps


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


def check_text(draft: Draft, summary: ListSummary) -> Problem | None:
    """Whether the text fits its type and charset, as rendered for the first recipients."""
    if not draft.text.strip():
        return Problem(Reason.TEXT_EMPTY)
    rendered = _rendered_sample(draft.text, summary)
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


def check_placeholders(draft: Draft, store: Store, list_id: int) -> Problem | None:
    """A field the text needs that the list has no column for, recipients lacking a value the
    text or HTML text uses (without a fallback), or a value the charset cannot carry.

    Answered from the list's coverage, computed when it was read: the rows are not read again,
    except the one row named when a value does not fit the charset."""
    columns = store.recipient_lists.columns(list_id)
    html_names = used_columns(draft.html_text or "", columns)
    names = list(dict.fromkeys([*placeholders_in(draft.text), *html_names]))
    if not names:
        return None
    required = _required_fields(draft, columns)
    unknown = unknown_columns(required, columns)
    if unknown:
        return Problem(Reason.PLACEHOLDER_UNKNOWN, {"names": unknown, "columns": columns})
    coverage = list_coverage(store, list_id)
    lacking = coverage.lacking(required)
    if lacking is not None:
        return Problem(
            Reason.PLACEHOLDER_MISSING,
            {
                "names": lacking.names,
                "count": lacking.count,
                "examples": lacking.examples,
                "total": coverage.size,
            },
        )
    return _value_charset_problem(names, coverage, store, list_id, draft.charset)


def list_coverage(store: Store, list_id: int) -> Coverage:
    """The list's coverage as stored with it; a list stored without one gets it now, once."""
    data = store.recipient_lists.coverage(list_id)
    if data is not None:
        return Coverage.from_data(data)
    log.info("recipient list %s has no coverage stored; reading it once", list_id)
    recipients = (
        Recipient(address, fields) for address, fields in store.recipient_lists.items(list_id)
    )
    coverage = Coverage.of(recipients, store.recipient_lists.columns(list_id))
    store.recipient_lists.set_coverage(list_id, coverage.to_data())
    return coverage


def leave_out_lacking(draft: Draft, store: Store, list_id: int, owner_id: int) -> tuple[int, int]:
    """A copy of the list without the recipients lacking a value the text needs:
    (new list id, how many were left out)."""
    columns = store.recipient_lists.columns(list_id)
    required = _required_fields(draft, columns)
    kept: list[tuple[str, Mapping[str, str], str | None]] = []
    dropped = store.recipient_lists.left_out(list_id)
    left_out = 0
    for address, fields, zone in store.recipient_lists.items_with_zones(list_id):
        if has_values(fields, required):
            kept.append((address, fields, zone))
        else:
            left_out += 1
            dropped.append((None, address, LACKING_VALUE))
    coverage = Coverage.of((Recipient(address, fields) for address, fields, _zone in kept), columns)
    list_id = store.recipient_lists.save(owner_id, kept, columns, dropped, coverage.to_data())
    return list_id, left_out


def _required_fields(draft: Draft, columns: list[str]) -> list[str]:
    """The fields every recipient needs: used without a fallback in the text, or in the HTML
    text where they name a column."""
    html_required = required_columns(draft.html_text or "", columns)
    return list(dict.fromkeys([*required_placeholders(draft.text), *html_required]))


def add_fallback(draft: Draft, name: str, fallback: str) -> Draft:
    """The draft whose text (and HTML text) uses `fallback` where a recipient has no value for
    `name`."""
    html_text = with_fallback(draft.html_text, name, fallback) if draft.html_text else None
    return replace(draft, text=with_fallback(draft.text, name, fallback), html_text=html_text)


def parse_fallback(text: str) -> str | Problem:
    """A fallback value: one line, no braces or bar, at most FALLBACK_CHARS characters."""
    value = text.strip()
    if not value or "\n" in value or len(value) > FALLBACK_CHARS or set(value) & set("{}|"):
        return Problem(Reason.BAD_FALLBACK, {"limit": FALLBACK_CHARS})
    return value


def check_list_values(draft: Draft, store: Store, list_id: int | None) -> Problem | None:
    """Whether every recipient of the list has what the draft's placeholders need (none yet: yes)."""
    return check_placeholders(draft, store, list_id) if list_id else None


def _value_charset_problem(
    names: list[str], coverage: Coverage, store: Store, list_id: int, charset: str | None
) -> Problem | None:
    """The first recipient whose placeholder values the charset cannot carry."""
    if charset_problem("", charset) is not None or codec_for(charset) == "utf-8":
        return None  # UTF-8 carries every value; an unknown charset is reported for the text
    position = coverage.first_use(names, lambda char: charset_problem(char, charset) is not None)
    item = store.recipient_lists.item(list_id, position) if position is not None else None
    if item is None:
        return None
    address, fields = item
    problem = charset_problem("".join(placeholder_values(names, fields)), charset)
    if problem is None:
        return None
    return replace(problem, details={**problem.details, "position": position, "address": address})


def next_step(
    draft: Draft, list_id: int | None, store: Store, types: list[str]
) -> tuple[Step, Problem | None]:
    """The first step whose answer is missing or no longer valid, with the reason if invalid."""
    if draft.type not in types:
        return Step.TYPE, None
    sender_problem = check_sender(draft.type, draft.sender)
    if sender_problem is not None:
        return Step.SENDER, sender_problem if draft.sender else None
    if not list_id or not store.recipient_lists.size(list_id):
        return Step.RECIPIENTS, None
    if not needs_text(draft.type):
        return Step.PREVIEW, None
    if not draft.text:
        return Step.TEXT, None
    problem = check_text(draft, summarize_list(store, list_id)) or check_placeholders(
        draft, store, list_id
    )
    if problem is not None:
        return Step.TEXT, problem
    return Step.PREVIEW, None


# ---------------------------------------------------------------- recipients


def file_problem(error: RecipientFileError) -> Problem:
    """Why an uploaded file cannot be used, as a Problem."""
    reasons = {
        FileProblem.TOO_LARGE: Reason.FILE_TOO_LARGE,
        FileProblem.EMPTY: Reason.FILE_EMPTY,
        FileProblem.BINARY: Reason.FILE_BINARY,
        FileProblem.UNSUPPORTED: Reason.FILE_UNSUPPORTED,
        FileProblem.XLSX_UNREADABLE: Reason.FILE_NOT_A_TABLE,
        FileProblem.CSV_UNREADABLE: Reason.FILE_BAD_CSV,
        FileProblem.TOO_MANY_ROWS: Reason.FILE_TOO_MANY_ROWS,
        FileProblem.TOO_MANY_COLUMNS: Reason.FILE_TOO_MANY_COLUMNS,
        FileProblem.CELL_TOO_LONG: Reason.FILE_CELL_TOO_LONG,
        FileProblem.XLSX_UNPACKS_TOO_LARGE: Reason.FILE_UNPACKS_TOO_LARGE,
        FileProblem.TOO_SLOW: Reason.FILE_TOO_SLOW,
        FileProblem.NO_ADDRESS_COLUMN: Reason.FILE_NO_ADDRESS_COLUMN,
    }
    # The libraries' own words (English, technical) go to the log, never to the card.
    log.info("recipient file refused: %s", error)
    details: dict[str, Any] = {"limit_mb": _megabytes()}
    if line := _ERROR_LINE.match(error.detail):
        details["line"] = int(line[1])
    details.update(error.limits)
    return Problem(reasons[error.code], details)


def check_file_size(size: int | None) -> Problem | None:
    """Refuse a file by its declared size, before downloading it."""
    if size is not None and size > MAX_FILE_BYTES:
        return Problem(Reason.FILE_TOO_LARGE, {"limit_mb": _megabytes()})
    return None


def _megabytes() -> int:
    return MAX_FILE_BYTES // (1024 * 1024)


def parse_file(
    filename: str, content: bytes, kind: AddressKind, stoplist: set[str], mobile_only: bool = False
) -> RecipientList | Problem:
    """Parse an uploaded recipient file (CPU-bound: run it in a worker thread)."""
    try:
        return parse_recipients_file(
            filename, content, kind, stoplist=stoplist, mobile_only=mobile_only
        )
    except RecipientFileError as error:
        return file_problem(error)


# ---------------------------------------------------------------- SMS figures


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


# ---------------------------------------------------------------- extras


def parse_button(text: str) -> tuple[str, str] | Problem:
    """A button: its caption on the first line, on the second the address or bot command it opens."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) != 2 or len(lines[0]) > MAX_CAPTION_CHARS:
        return Problem(Reason.BAD_CAPTION, {"limit": MAX_CAPTION_CHARS})
    caption, action = lines
    if len(action) <= MAX_URL_CHARS and (_URL.fullmatch(action) or _BOT_COMMAND.fullmatch(action)):
        return caption, action
    return Problem(Reason.BAD_ACTION)


def parse_image_url(text: str) -> str | Problem:
    url = text.strip()
    if len(url) <= MAX_URL_CHARS and _URL.fullmatch(url):
        return url
    return Problem(Reason.BAD_IMAGE_URL)


def parse_ttl(text: str) -> int | Problem:
    """A lifetime in whole minutes."""
    value = text.strip()
    # ASCII digits only: "²" passes isdigit() but is no number int() reads.
    if value.isascii() and value.isdigit() and 0 < int(value) <= MAX_TTL_MINUTES:
        return int(value)
    return Problem(Reason.BAD_TTL, {"limit": MAX_TTL_MINUTES})


def parse_template_name(text: str, store: Store) -> str | Problem:
    name = " ".join(text.split())
    if not name or len(name) > MAX_TEMPLATE_NAME_CHARS:
        return Problem(Reason.BAD_TEMPLATE_NAME, {"limit": MAX_TEMPLATE_NAME_CHARS})
    if store.templates.named(name) is not None:
        return Problem(Reason.TEMPLATE_NAME_TAKEN, {"name": name})
    return name


# ---------------------------------------------------------------- /send


@dataclass(frozen=True)
class QuickSend:
    """What `/send` was given: a type, the recipients as typed, and the text."""

    type: str
    recipients: str
    text: str


def parse_send_command(args: str | None, types: list[str]) -> QuickSend | Problem:
    """Read `/send <type> <recipients>` + text lines, or `/send <type> <recipients> <text>` on
    one line, where the recipients are the longest run of leading words that are addresses."""
    first_line, _, following = (args or "").strip().partition("\n")
    words = first_line.split(maxsplit=1)
    if not words:
        return Problem(Reason.SEND_USAGE)
    message_type = parse_type(words[0], types)
    if message_type is None:
        return Problem(Reason.UNKNOWN_TYPE, {"type": words[0], "types": types})
    rest = words[1] if len(words) > 1 else ""
    if not needs_text(message_type):
        recipients = f"{rest}\n{following}".strip()
        return QuickSend(message_type, recipients, "") if recipients else Problem(Reason.SEND_USAGE)
    if following.strip():
        recipients, text = rest, following.strip()
    else:
        recipients, text = split_leading_addresses(rest, address_kind(message_type))
        if not text:
            return Problem(Reason.SEND_USAGE)
    if not recipients.strip():
        return Problem(Reason.SEND_USAGE)
    return QuickSend(message_type, recipients, text.strip())


def default_sender(message_type: str, senders: list[str]) -> str:
    """The first configured sender valid for the type; empty when the wizard must ask."""
    offered = offered_senders(message_type, senders)
    return offered[0] if offered else ""
