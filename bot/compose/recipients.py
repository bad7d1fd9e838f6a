"""Recipient lists: addresses typed, pasted or uploaded, normalised, validated and de-duplicated.

E-mail addresses keep their local part as given (some servers treat it case-sensitively) with the
domain lower-cased, but two addresses differing only in case count as duplicates and match the
stop-list, because in practice they reach the same mailbox.
"""

import html
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, islice
from types import MappingProxyType

import email_validator
import phonenumbers

from bot.compose.recipient_files import (
    MAX_FILE_BYTES,
    FileFormat,
    FileProblem,
    RecipientFileError,
    Row,
    check_size,
    csv_rows,
    decode_text,
    file_format,
    xlsx_rows,
)
from bot.texts import shorten
from bot.timing.zones import recipient_zone, zone_column, zone_name

__all__ = [
    "MAX_FILE_BYTES",
    "TOKEN_TYPES",
    "AddressKind",
    "FileProblem",
    "InvalidEntry",
    "InvalidReason",
    "Lacking",
    "Recipient",
    "RecipientFileError",
    "RecipientList",
    "address_kind",
    "has_values",
    "is_mobile",
    "lacking_values",
    "missing_placeholders",
    "needs_mobile",
    "normalise_address",
    "parse_recipients_file",
    "parse_recipients_text",
    "placeholder_values",
    "placeholders_in",
    "render_html",
    "render_text",
    "required_columns",
    "required_placeholders",
    "unknown_columns",
    "used_columns",
    "with_fallback",
]


class AddressKind(StrEnum):
    """What an address must be for a message type."""

    PHONE = "phone"
    EMAIL = "email"
    PUSH = "push"
    PHONE_OR_EMAIL = "phone_or_email"


_KINDS_BY_TYPE = {
    "email": AddressKind.EMAIL,
    "push": AddressKind.PUSH,
    "bot": AddressKind.PUSH,
    "bulk": AddressKind.PHONE_OR_EMAIL,
}
# Types delivered to a mobile phone: a landline or an 8-800 number never gets them.
MOBILE_TYPES = frozenset({"sms", "viber", "whatsapp", "mms"})
_NOT_MOBILE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.PREMIUM_RATE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.UAN,
        phonenumbers.PhoneNumberType.VOICEMAIL,
        phonenumbers.PhoneNumberType.PAGER,
    }
)
# Types delivered to special tokens, which the platform can look up by phone or e-mail.
TOKEN_TYPES = frozenset({"push", "bot"})


def needs_mobile(message_type: str) -> bool:
    """Whether the type's messages reach only mobile phones."""
    return message_type.strip().lower() in MOBILE_TYPES


def is_mobile(address: str) -> bool:
    """Whether a normalised phone may be a mobile one (types phonenumbers cannot tell pass)."""
    russian = len(address) == _RU_NATIONAL_DIGITS + 1 and address[0] == "7"
    if russian and _RU_MOBILE.fullmatch(address[1:]):
        return True  # the common case, without phonenumbers' ~30 µs
    try:
        number = phonenumbers.parse("+" + address, None)
    except phonenumbers.NumberParseException:
        return True
    return phonenumbers.number_type(number) not in _NOT_MOBILE_TYPES


def address_kind(message_type: str, find_token: bool = False) -> AddressKind:
    """Return the address kind a platform message type sends to; unknown types take phones.

    With `find_token` the platform looks the tokens of push and bot messages up by the
    recipient's phone or e-mail, so those are what the list holds.
    """
    wanted = message_type.strip().lower()
    if find_token and wanted in TOKEN_TYPES:
        return AddressKind.PHONE_OR_EMAIL
    return _KINDS_BY_TYPE.get(wanted, AddressKind.PHONE)


class InvalidReason(StrEnum):
    """Why one entry was not accepted (codes; the UI translates them)."""

    NOT_A_PHONE = "not_a_phone"
    NOT_AN_EMAIL = "not_an_email"
    NOT_A_PHONE_OR_EMAIL = "not_a_phone_or_email"
    NOT_A_TOKEN = "not_a_token"  # noqa: S105 (a reason code, not a secret)
    # A table row with something in other columns but nothing in the address column.
    EMPTY_TOKEN = "empty_token"  # noqa: S105
    # A landline or a service number (8-800, premium) where the channel needs a mobile phone.
    NOT_MOBILE = "not_mobile"
    # The row's time zone cell names no IANA zone (`Europe/Moscow`): its local time is unknown.
    NOT_A_TIME_ZONE = "not_a_time_zone"


# Shared by every recipient without other columns: one read-only object instead of 100,000 dicts.
_NO_FIELDS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Recipient:
    """A normalised address, the other columns of its row by column name, and its zone."""

    address: str
    fields: Mapping[str, str]
    zone: str | None = None  # IANA name from its row or its number; None: the team's TIMEZONE


@dataclass(frozen=True, slots=True)
class InvalidEntry:
    """An entry that is not a valid address: its 1-based line, the text (shortened) and why."""

    line: int
    raw: str
    reason: InvalidReason


# Why a valid address was left out of the list (invalid entries have their InvalidReason).
DUPLICATE = "duplicate"
STOP_LISTED = "stop_listed"
LACKING_VALUE = "lacking_value"  # left out later, for having no value a placeholder needs


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A valid address that was left out: its 1-based line, the text (shortened) and why."""

    line: int
    raw: str
    reason: str  # DUPLICATE or STOP_LISTED


@dataclass(slots=True)
class RecipientList:
    """Accepted recipients in input order, rejected entries, and what was dropped silently."""

    valid: list[Recipient] = field(default_factory=list)
    invalid: list[InvalidEntry] = field(default_factory=list)
    duplicates: int = 0
    stopped: int = 0
    dropped: list[LeftOut] = field(default_factory=list)  # the duplicates and stop-listed
    columns: list[str] = field(default_factory=list)
    # Accepted tokens that look like a phone or an e-mail: the author may have meant find_token.
    contacts: int = 0


# ---------------------------------------------------------------- single addresses

_PHONE_CHARS = re.compile(r"[0-9+()\-.\s]+")
_NOT_DIGITS = re.compile(r"[^0-9]+")
# E.164 allows 15 digits; the shortest numbers in use (with country code) have 7.
_MIN_INTERNATIONAL_DIGITS = 7
_MAX_PHONE_DIGITS = 15
_RU_NATIONAL_DIGITS = 10
_RU_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("RU").mobile.national_number_pattern
)

# A subset of what email_validator accepts, checked without it because it costs ~25 µs a call;
# anything outside the subset goes through email_validator.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
_MAX_LOCAL_PART = 64
_MAX_DOMAIN = 253
_MAX_EMAIL = 254
_MAX_TOKEN = 4096
_RAW_SHOWN = 100


def normalise_address(raw: str, kind: AddressKind, region: str = "RU") -> str | None:
    """Return the platform form of one address of the given kind, or None if it is not valid."""
    raw = raw.strip()
    if kind is AddressKind.PHONE_OR_EMAIL:
        kind = AddressKind.EMAIL if "@" in raw else AddressKind.PHONE
    if kind is AddressKind.PHONE:
        return _normalise_phone(raw, region)
    if kind is AddressKind.EMAIL:
        return _normalise_email(raw)
    return _normalise_token(raw)


def _normalise_phone(raw: str, region: str) -> str | None:
    """International digits without "+", or None; letters and other text are never a phone."""
    if not _PHONE_CHARS.fullmatch(raw):
        return None
    digits = _NOT_DIGITS.sub("", raw)
    plus = raw.count("+")
    if plus > 1 or (plus and not raw.lstrip("( ").startswith("+")):
        return None
    international = bool(plus)
    if not international and digits.startswith("00"):
        digits, international = digits[2:], True
    if not _MIN_INTERNATIONAL_DIGITS <= len(digits) <= _MAX_PHONE_DIGITS:
        return None
    if not international and region == "RU" and len(digits) < _RU_NATIONAL_DIGITS:
        return None  # spares phonenumbers' ~30 µs on short numbers, which RU never has
    fast = _russian_mobile(digits, international, region)
    if fast:
        return fast
    candidates = ["+" + digits] if international else [digits]
    if not international and len(digits) > _RU_NATIONAL_DIGITS and raw.isdigit():
        # The platform's own format (and our exports): international digits without "+". Only a
        # bare digit string qualifies: "12.03.2026 100" must not become a US number.
        candidates.append("+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    return None


def _russian_mobile(digits: str, international: bool, region: str) -> str | None:
    """Recognise the common Russian mobile forms without phonenumbers, which is ~30x slower."""
    if len(digits) == _RU_NATIONAL_DIGITS + 1 and (
        digits[0] == "7" or (digits[0] == "8" and not international and region == "RU")
    ):
        national = digits[1:]
    elif len(digits) == _RU_NATIONAL_DIGITS and not international and region == "RU":
        national = digits
    else:
        return None
    return "7" + national if _RU_MOBILE.fullmatch(national) else None


def _normalise_email(raw: str) -> str | None:
    """The address with its domain lower-cased (and IDNA-decoded), or None."""
    raw = raw.strip("<>\"' ")
    if raw[:7].lower() == "mailto:":
        raw = raw[7:]
    if len(raw) > _MAX_EMAIL:
        return None
    plain = _PLAIN_EMAIL.fullmatch(raw)
    if plain:
        local, domain = plain["local"], plain["domain"].lower()
        if (
            len(local) <= _MAX_LOCAL_PART
            and len(domain) <= _MAX_DOMAIN
            and "--" not in domain
            and not _special_use(domain)
        ):
            return f"{local}@{domain}"
    try:
        return email_validator.validate_email(raw, check_deliverability=False).normalized
    except email_validator.EmailNotValidError:
        return None


def _special_use(domain: str) -> bool:
    return any(
        domain == reserved or domain.endswith("." + reserved)
        for reserved in email_validator.SPECIAL_USE_DOMAIN_NAMES
    )


def _normalise_token(raw: str) -> str | None:
    """A push token is used as given; it only has to be one printable word."""
    if not raw or len(raw) > _MAX_TOKEN or not raw.isprintable() or any(c.isspace() for c in raw):
        return None
    return raw


def _looks_like_contact(token: str, region: str) -> bool:
    """Whether a token is really a phone number or an e-mail address."""
    kind = AddressKind.EMAIL if "@" in token else AddressKind.PHONE
    return normalise_address(token, kind, region) is not None


def _dedupe_key(address: str) -> str:
    """Addresses equal under this key are the same recipient (e-mails ignore case)."""
    return address.lower() if "@" in address else address


def _reason(raw: str, kind: AddressKind) -> InvalidReason:
    if kind is AddressKind.PHONE:
        return InvalidReason.NOT_A_PHONE
    if kind is AddressKind.PUSH:
        return InvalidReason.NOT_A_TOKEN
    if kind is AddressKind.EMAIL or "@" in raw:
        return InvalidReason.NOT_AN_EMAIL
    return InvalidReason.NOT_A_PHONE_OR_EMAIL


# ---------------------------------------------------------------- collecting


class _Collector:
    """Accumulates a RecipientList: drops duplicates and stop-listed addresses, keeps order."""

    def __init__(
        self, kind: AddressKind, region: str, stoplist: Collection[str], mobile_only: bool = False
    ) -> None:
        self.kind = kind
        self.region = region
        self.mobile_only = mobile_only
        self.stop_keys = {_dedupe_key(address) for address in stoplist}
        self.seen: set[str] = set()
        self.result = RecipientList()
        self.zone_column: str | None = None  # a table's column naming each row's zone

    def add(self, line: int, raw: str, fields: Mapping[str, str]) -> None:
        """Normalise one raw address and keep it, count it, or record it as invalid."""
        address = normalise_address(raw, self.kind, self.region)
        if address is None:
            self.reject(line, raw, _reason(raw, self.kind))
            return
        accepted = len(self.result.valid)
        self.keep(line, raw, address, fields)
        if self.kind is AddressKind.PUSH and len(self.result.valid) > accepted:
            self.result.contacts += _looks_like_contact(address, self.region)

    def keep(self, line: int, raw: str, address: str, fields: Mapping[str, str]) -> None:
        """Accept a valid address, unless the channel needs a mobile phone and it is not one."""
        if self.mobile_only and "@" not in address and not is_mobile(address):
            self.reject(line, raw, InvalidReason.NOT_MOBILE)
        else:
            self.accept(address, fields, line, raw)

    def accept(self, address: str, fields: Mapping[str, str], line: int, raw: str) -> None:
        key = _dedupe_key(address)
        if key in self.seen:
            self.result.duplicates += 1
            self.result.dropped.append(LeftOut(line, shorten(raw, _RAW_SHOWN), DUPLICATE))
        elif key in self.stop_keys:
            self.seen.add(key)
            self.result.stopped += 1
            self.result.dropped.append(LeftOut(line, shorten(raw, _RAW_SHOWN), STOP_LISTED))
        else:
            self.seen.add(key)
            zone = recipient_zone(address, fields, self.zone_column)
            self.result.valid.append(Recipient(address, fields, zone))

    def reject(self, line: int, raw: str, reason: InvalidReason) -> None:
        self.result.invalid.append(InvalidEntry(line, shorten(raw, _RAW_SHOWN), reason))


# ---------------------------------------------------------------- typed or pasted text

_PIECE_SEPARATORS = re.compile(r"[,;]")
_PHONE_TOKEN = re.compile(r"[0-9+()\-.]*[0-9][0-9+()\-.]*")
# `+7 (900) 123-45-67` is 4 words and `8 9 0 0 1 2 3 4 5 6 7` is nobody's way of writing a phone.
_MAX_PHONE_WORDS = 6


def parse_recipients_text(
    text: str,
    kind: AddressKind,
    *,
    region: str = "RU",
    stoplist: Collection[str] = (),
    mobile_only: bool = False,
) -> RecipientList:
    """Parse addresses separated by new lines, commas, semicolons or spaces.

    Formatted phones contain spaces, so runs of phone-like words are first tried as one phone.
    Push tokens are separated by commas and new lines only, as the platform takes them: a
    piece with a space inside is not a token, never two.
    """
    collector = _Collector(kind, region, stoplist, mobile_only)
    if kind is AddressKind.PUSH:
        for line_number, line in enumerate(text.splitlines(), start=1):
            for piece in line.split(","):
                if piece.strip():
                    collector.add(line_number, piece.strip(), _NO_FIELDS)
        return collector.result
    for line_number, line in enumerate(text.splitlines(), start=1):
        for piece in _PIECE_SEPARATORS.split(line):
            words = piece.split()
            if kind is AddressKind.EMAIL:
                for word in words:
                    collector.add(line_number, word, _NO_FIELDS)
            else:
                _add_phone_words(collector, line_number, words)
    return collector.result


def _add_phone_words(collector: _Collector, line: int, words: list[str]) -> None:
    """Take the longest run of phone-like words that is a valid phone, word by word.

    Phone-like words that belong to no valid phone are reported together, as the person wrote
    them (`+7 900 123 45 6`), not as five separate mistakes.
    """
    stray: list[str] = []

    def report_stray() -> None:
        if stray:
            joined = " ".join(stray)
            collector.reject(line, joined, _reason(joined, collector.kind))
            stray.clear()

    start = 0
    while start < len(words):
        word = words[start]
        found = _longest_phone_run(words, start, collector.region)
        if found is not None:
            report_stray()
            end, address = found
            collector.keep(line, " ".join(words[start:end]), address, _NO_FIELDS)
            start = end
        elif _PHONE_TOKEN.fullmatch(word):
            stray.append(word)
            start += 1
        else:
            report_stray()
            collector.add(line, word, _NO_FIELDS)
            start += 1
    report_stray()


def _longest_phone_run(words: list[str], start: int, region: str) -> tuple[int, str] | None:
    """The end and normalised phone of the longest valid run of words from `start`, or None."""
    # Total digits of the runs words[start:start + 1], words[start:start + 2], ...
    run_digits: list[int] = []
    total = 0
    for word in words[start : start + _MAX_PHONE_WORDS]:
        if not _PHONE_TOKEN.fullmatch(word):
            break
        total += sum(char.isdigit() for char in word)
        if total > _MAX_PHONE_DIGITS:
            break
        run_digits.append(total)
    for length in range(len(run_digits), 0, -1):
        if run_digits[length - 1] < _MIN_INTERNATIONAL_DIGITS:
            break
        address = _normalise_phone(" ".join(words[start : start + length]), region)
        if address:
            return start + length, address
    return None


_WORD = re.compile(r"[^\s,;]+")
_LEADING_TOKENS = re.compile(r"\s*[^\s,]+(?:\s*,\s*[^\s,]+)*")


def split_leading_addresses(text: str, kind: AddressKind, region: str = "RU") -> tuple[str, str]:
    """Split "recipients then message text" typed on one line: the longest run of leading words
    that forms valid addresses is the recipient list, the rest is the text.

    `+7 916 555-44-33 Ваш заказ готов` gives the phone and "Ваш заказ готов". When no leading word
    is an address, the first word is taken as the recipient, so the person is told it is invalid.
    A push token can be any word, so only the first word is taken, with the tokens joined to
    it by commas (`tok1, tok2 Hello`): the platform's own way of listing tokens.
    """
    if kind is AddressKind.PUSH:
        tokens = _LEADING_TOKENS.match(text)
        if tokens is None:
            return "", text.strip()
        return tokens.group().strip(), text[tokens.end() :].lstrip(" \t,;").strip()
    words = list(_WORD.finditer(text))
    if not words:
        return "", text.strip()
    consumed = 0
    while consumed < len(words) and (kind is not AddressKind.PUSH or consumed == 0):
        end = _address_at([word.group() for word in words], consumed, kind, region)
        if end is None:
            break
        consumed = end
    taken = max(consumed, 1)
    cut = words[taken - 1].end()
    return text[:cut].strip(), text[cut:].lstrip(" \t,;").strip()


def _address_at(words: list[str], start: int, kind: AddressKind, region: str) -> int | None:
    """Where the valid address starting at `words[start]` ends, or None when none starts there."""
    word = words[start]
    if kind in (AddressKind.EMAIL, AddressKind.PHONE_OR_EMAIL) and "@" in word:
        return start + 1 if _normalise_email(word) else None
    if kind is AddressKind.EMAIL:
        return None
    if kind is AddressKind.PUSH:
        return start + 1 if _normalise_token(word) else None
    found = _longest_phone_run(words, start, region)
    return found[0] if found else None


# ---------------------------------------------------------------- files

_PHONE_HEADERS = {
    "phone", "phones", "tel", "telephone", "mobile", "msisdn", "number", "phone number",
    "mobile phone", "cell", "телефон", "телефоны", "номер", "номер телефона", "мобильный",
    "мобильный телефон",
}  # fmt: skip
_EMAIL_HEADERS = {"email", "e-mail", "mail", "email address", "почта", "электронная почта"}
_PUSH_HEADERS = {"token", "push token", "device token", "токен"}
_GENERIC_HEADERS = {"адрес", "sent to", "recipient", "получатель"}
_HEADERS_BY_KIND = {
    AddressKind.PHONE: (_PHONE_HEADERS, _GENERIC_HEADERS),
    AddressKind.EMAIL: (_EMAIL_HEADERS, _GENERIC_HEADERS),
    AddressKind.PUSH: (_PUSH_HEADERS, _GENERIC_HEADERS),
    AddressKind.PHONE_OR_EMAIL: (_PHONE_HEADERS | _EMAIL_HEADERS, _GENERIC_HEADERS),
}
_ALL_HEADERS = _PHONE_HEADERS | _EMAIL_HEADERS | _PUSH_HEADERS | _GENERIC_HEADERS
_DETECTION_ROWS = 50
_DETECTION_COLUMNS = 50
_NAME_JUNK = re.compile(r"[^\w.\- ]+")
# Header matching ignores the difference between "sent_to" and "Sent to"; names keep "_".
_SPACES = re.compile(r"[\s_]+")
_WHITESPACE = re.compile(r"\s+")


def parse_recipients_file(
    filename: str,
    content: bytes,
    kind: AddressKind,
    *,
    region: str = "RU",
    stoplist: Collection[str] = (),
    max_bytes: int = MAX_FILE_BYTES,
    mobile_only: bool = False,
) -> RecipientList:
    """Parse an uploaded `.csv`, `.txt` or `.xlsx` file; raise RecipientFileError if unusable.

    This is CPU-bound (about a second for 100,000 rows): call it in a worker thread.
    """
    form = file_format(filename)
    check_size(content, max_bytes)
    if form is FileFormat.XLSX:
        rows: Iterable[Row] = xlsx_rows(content)
    else:
        text = decode_text(content)
        if form is FileFormat.TEXT and not _starts_with_header(text):
            return parse_recipients_text(
                text, kind, region=region, stoplist=stoplist, mobile_only=mobile_only
            )
        rows = csv_rows(text)
    return _parse_rows(rows, kind, region, stoplist, mobile_only)


def _header_key(cell: str) -> str:
    return _SPACES.sub(" ", cell.strip().lower())


def _starts_with_header(text: str) -> bool:
    """Whether a `.txt` file is really a table with a recognised header row."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return any(_header_key(cell) in _ALL_HEADERS for cell in re.split(r"[,;\t]", first_line))


def _non_empty(rows: Iterable[Row]) -> Iterator[Row]:
    return (row for row in rows if any(cell.strip() for cell in row[1]))


def _parse_rows(
    rows: Iterable[Row],
    kind: AddressKind,
    region: str,
    stoplist: Collection[str],
    mobile_only: bool = False,
) -> RecipientList:
    """Find the header and address column from the first rows, then collect every row."""
    non_empty_rows = _non_empty(rows)
    sample = list(islice(non_empty_rows, _DETECTION_ROWS))
    if not sample:
        raise RecipientFileError(FileProblem.EMPTY)
    address_column, has_header = _detect_layout(sample, kind, region)
    names = _ColumnNames(sample[0][1] if has_header else [])
    data = chain(sample[1:] if has_header else sample, non_empty_rows)
    collector = _Collector(kind, region, stoplist, mobile_only)
    collector.zone_column = zone_column(names) if has_header else None
    filled_columns: set[str] = set()
    rows_seen = 0
    for line, cells in data:
        rows_seen += 1
        names.widen(len(cells))
        raw = cells[address_column].strip() if address_column < len(cells) else ""
        fields = {
            names[index]: value
            for index, cell in enumerate(cells)
            if index != address_column and (value := cell.strip())
        } or _NO_FIELDS
        filled_columns.update(fields)
        zone_cell = fields.get(collector.zone_column) if collector.zone_column else None
        if raw and zone_cell and zone_name(zone_cell) is None:
            collector.reject(line, ",".join(cells), InvalidReason.NOT_A_TIME_ZONE)
        elif raw:
            collector.add(line, raw, fields)
        else:
            collector.reject(line, ",".join(cells), InvalidReason.EMPTY_TOKEN)
    if not rows_seen:
        raise RecipientFileError(FileProblem.EMPTY, "header only")
    # An unnamed column that never holds a value is a trailing separator, not a placeholder.
    collector.result.columns = [
        name
        for index, name in enumerate(names)
        if index != address_column and (name not in names.generated or name in filled_columns)
    ]
    return collector.result


def _detect_layout(sample: list[Row], kind: AddressKind, region: str) -> tuple[int, bool]:
    """Return the address column and whether the first row is a header."""
    first_cells = [_header_key(cell) for cell in sample[0][1]]
    for wanted in (*_HEADERS_BY_KIND[kind], _ALL_HEADERS):
        for index, cell in enumerate(first_cells):
            if cell in wanted:
                return index, True
    rest = [cells for _, cells in sample[1:]] or [sample[0][1]]
    width = min(max(len(cells) for cells in rest), _DETECTION_COLUMNS)

    def valid_count(column: int) -> int:
        return sum(
            column < len(cells) and normalise_address(cells[column], kind, region) is not None
            for cells in rest
        )

    counts = [valid_count(column) for column in range(width)]
    if width > 1 and not any(counts) and not _has_address(sample[0][1], kind, region):
        # A table with no address column at all: not one invalid entry per row.
        raise RecipientFileError(FileProblem.NO_ADDRESS_COLUMN, rows=len(rest), columns=width)
    address_column = max(range(width), key=lambda column: (counts[column], -column), default=0)
    first = sample[0][1]
    first_is_address = address_column < len(first) and normalise_address(
        first[address_column], kind, region
    )
    looks_like_header = (
        len(sample) > 1
        and not first_is_address
        and counts[address_column] * 2 >= len(rest)
        and counts[address_column] > 0
    )
    return address_column, looks_like_header


def _has_address(cells: list[str], kind: AddressKind, region: str) -> bool:
    return any(normalise_address(cell, kind, region) is not None for cell in cells)


class _ColumnNames(list[str]):
    """Placeholder names of a table's columns: header text made usable in `{...}`, or `colN`."""

    def __init__(self, header_cells: list[str]) -> None:
        super().__init__()
        self._taken: set[str] = set()
        self.generated: set[str] = set()
        for cell in header_cells:
            self._append_unique(_WHITESPACE.sub(" ", _NAME_JUNK.sub(" ", cell)).strip(" .-"))

    def widen(self, width: int) -> None:
        """Name the columns a row has beyond the header."""
        while len(self) < width:
            self._append_unique("")

    def _append_unique(self, name: str) -> None:
        if not name or name.casefold() in self._taken:
            name = f"col{len(self) + 1}"
            while name.casefold() in self._taken:
                name += "_"
            self.generated.add(name)
        self._taken.add(name.casefold())
        self.append(name)


# ---------------------------------------------------------------- placeholders

# `{name}`, or `{name|fallback}`: the fallback is used where a recipient has no value.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w(?:[\w.\- ]{0,62}\w)?)(?:\|([^{}|\n]{0,200}))?\}")
EXAMPLES_SHOWN = 5  # recipients named when some lack a value


def placeholders_in(text: str) -> list[str]:
    """The `{name}` fields a text uses, in order of first use; `{{` and `}}` are literal braces."""
    names = (match[1] for match in _PLACEHOLDER.finditer(text) if match[1])
    return list(dict.fromkeys(names))


def required_placeholders(text: str) -> list[str]:
    """The fields a text uses at least once without a fallback: every recipient needs them."""
    names = (match[1] for match in _PLACEHOLDER.finditer(text) if match[1] and match[2] is None)
    return list(dict.fromkeys(names))


def with_fallback(text: str, name: str, fallback: str) -> str:
    """The text with every `{name}` that has no fallback given this one."""

    def substitute(match: re.Match[str]) -> str:
        if match[1] and match[2] is None and match[1].casefold() == name.casefold():
            return f"{{{match[1]}|{fallback}}}"
        return match[0]

    return _PLACEHOLDER.sub(substitute, text)


def unknown_columns(names: Iterable[str], columns: Collection[str]) -> list[str]:
    """The names that match no column of the list (compared ignoring case)."""
    known = {column.casefold() for column in columns}
    return [name for name in names if name.casefold() not in known]


@dataclass(frozen=True)
class Lacking:
    """Recipients without a value for a field the text needs."""

    names: list[str]  # the fields some recipients lack, in order of first use
    count: int
    examples: list[tuple[int, str]]  # (1-based position, address) of the first few


def lacking_values(recipients: Iterable[Recipient], names: Collection[str]) -> Lacking | None:
    """Who has no value for one of `names`: how many, and the first few."""
    if not names:
        return None
    lacking: dict[str, None] = {}
    count = 0
    examples: list[tuple[int, str]] = []
    for position, recipient in enumerate(recipients, start=1):
        missing = [name for name in names if _field_value(recipient.fields, name) is None]
        if missing:
            count += 1
            lacking.update(dict.fromkeys(missing))
            if len(examples) < EXAMPLES_SHOWN:
                examples.append((position, recipient.address))
    return Lacking(list(lacking), count, examples) if count else None


def has_values(fields: Mapping[str, str], names: Iterable[str]) -> bool:
    return all(_field_value(fields, name) is not None for name in names)


def _field_value(fields: Mapping[str, str], name: str) -> str | None:
    """A field by exact name, else ignoring case (headers are often capitalised)."""
    value = fields.get(name)
    if value is None:
        folded = name.casefold()
        value = next((v for key, v in fields.items() if key.casefold() == folded), None)
    return value or None


def placeholder_values(names: Iterable[str], fields: Mapping[str, str]) -> list[str]:
    """The values a recipient gives the named placeholders (those it has)."""
    return [value for name in names if (value := _field_value(fields, name)) is not None]


def used_columns(html_text: str, columns: Collection[str]) -> list[str]:
    """The `{name}` fields of an HTML text that name a column of the list.

    In HTML, braces are mostly CSS and scripts (`a{color:red}`): only a column's name is a
    placeholder there, anything else is text.
    """
    known = {column.casefold() for column in columns}
    return [name for name in placeholders_in(html_text) if name.casefold() in known]


def required_columns(html_text: str, columns: Collection[str]) -> list[str]:
    """The columns an HTML text uses at least once without a fallback."""
    known = {column.casefold() for column in columns}
    return [name for name in required_placeholders(html_text) if name.casefold() in known]


def missing_placeholders(
    text: str, recipients: RecipientList, *, also: Collection[str] = ()
) -> tuple[int, Recipient, list[str]] | None:
    """The first recipient (1-based position) with no value for a placeholder the text uses.

    `also` names more fields every recipient needs (those an HTML text uses).
    """
    names = list(dict.fromkeys([*required_placeholders(text), *also]))
    if not names:
        return None
    for position, recipient in enumerate(recipients.valid, start=1):
        missing = [name for name in names if _field_value(recipient.fields, name) is None]
        if missing:
            return position, recipient, missing
    return None


def render_text(text: str, fields: Mapping[str, str]) -> str:
    """Substitute `{name}` from fields (or its fallback); unknown names stay as written,
    nothing is evaluated."""

    def substitute(match: re.Match[str]) -> str:
        token = match[0]
        if token in ("{{", "}}"):
            return token[0]
        value = _field_value(fields, match[1])
        if value is None:
            return token if match[2] is None else match[2]
        return value

    return _PLACEHOLDER.sub(substitute, text)


def render_html(html_text: str, fields: Mapping[str, str]) -> str:
    """Substitute `{name}` in an HTML text with the recipient's value, HTML-escaped.

    Everything else stays exactly as written, `{{` and `}}` included: minified CSS is full of
    them, and the text is markup the author wrote, not a template to unescape.
    """
    if not placeholders_in(html_text):
        return html_text

    def substitute(match: re.Match[str]) -> str:
        if not match[1]:
            return match[0]
        value = _field_value(fields, match[1])
        if value is None:
            return match[0] if match[2] is None else match[2]
        return html.escape(value)

    return _PLACEHOLDER.sub(substitute, html_text)
