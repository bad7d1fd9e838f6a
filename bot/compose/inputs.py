"""Reading what people type or upload while composing: extras, fallbacks, /send, recipient files.

Each reader returns the value or the `Problem` that says why it was refused.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from bot.compose.addresses import AddressKind, address_kind
from bot.compose.recipient_files import MAX_FILE_BYTES, FileProblem, RecipientFileError
from bot.compose.recipient_tables import parse_recipients_file
from bot.compose.recipients import RecipientList, split_leading_addresses
from bot.compose.rules import Problem, Reason, needs_text, offered_senders, parse_type

_ERROR_LINE = re.compile(r"line (\d+)")  # where a CSV reader gave up
FALLBACK_CHARS = 100
MAX_CAPTION_CHARS = 64
MAX_URL_CHARS = 2048
MAX_TTL_MINUTES = 525_600  # a year: anything longer is a typo
_URL = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@\w+)?(?: \S.*)?")

log = logging.getLogger(__name__)


def parse_fallback(text: str) -> str | Problem:
    """A fallback value: one line, no braces or bar, at most FALLBACK_CHARS characters."""
    value = text.strip()
    if not value or "\n" in value or len(value) > FALLBACK_CHARS or set(value) & set("{}|"):
        return Problem(Reason.BAD_FALLBACK, {"limit": FALLBACK_CHARS})
    return value


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
