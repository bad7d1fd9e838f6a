"""Recipient lists: what a parsed list holds, and addresses typed or pasted, validated and
de-duplicated (single addresses are normalised in `addresses`, tables read in `recipient_tables`).

E-mail addresses keep their local part as given (some servers treat it case-sensitively) with the
domain lower-cased, but two addresses differing only in case count as duplicates and match the
stop-list, because in practice they reach the same mailbox.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.compose.addresses import (
    MAX_PHONE_DIGITS,
    MIN_INTERNATIONAL_DIGITS,
    RAW_SHOWN,
    AddressKind,
    InvalidReason,
    dedupe_key,
    invalid_reason,
    is_mobile,
    looks_like_contact,
    normalise_address,
    normalise_email,
    normalise_phone,
    normalise_token,
)
from bot.texts import shorten
from bot.timing.zones import recipient_zone

# Shared by every recipient without other columns: one read-only object instead of 100,000 dicts.
NO_FIELDS: Mapping[str, str] = MappingProxyType({})


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


class Collector:
    """Accumulates a RecipientList: drops duplicates and stop-listed addresses, keeps order."""

    def __init__(
        self, kind: AddressKind, region: str, stoplist: Collection[str], mobile_only: bool = False
    ) -> None:
        self.kind = kind
        self.region = region
        self.mobile_only = mobile_only
        self.stop_keys = {dedupe_key(address) for address in stoplist}
        self.seen: set[str] = set()
        self.result = RecipientList()
        self.zone_column: str | None = None  # a table's column naming each row's zone

    def add(self, line: int, raw: str, fields: Mapping[str, str]) -> None:
        """Normalise one raw address and keep it, count it, or record it as invalid."""
        address = normalise_address(raw, self.kind, self.region)
        if address is None:
            self.reject(line, raw, invalid_reason(raw, self.kind))
            return
        accepted = len(self.result.valid)
        self.keep(line, raw, address, fields)
        if self.kind is AddressKind.PUSH and len(self.result.valid) > accepted:
            self.result.contacts += looks_like_contact(address, self.region)

    def keep(self, line: int, raw: str, address: str, fields: Mapping[str, str]) -> None:
        """Accept a valid address, unless the channel needs a mobile phone and it is not one."""
        if self.mobile_only and "@" not in address and not is_mobile(address):
            self.reject(line, raw, InvalidReason.NOT_MOBILE)
        else:
            self.accept(address, fields, line, raw)

    def accept(self, address: str, fields: Mapping[str, str], line: int, raw: str) -> None:
        key = dedupe_key(address)
        if key in self.seen:
            self.result.duplicates += 1
            self.result.dropped.append(LeftOut(line, shorten(raw, RAW_SHOWN), DUPLICATE))
        elif key in self.stop_keys:
            self.seen.add(key)
            self.result.stopped += 1
            self.result.dropped.append(LeftOut(line, shorten(raw, RAW_SHOWN), STOP_LISTED))
        else:
            self.seen.add(key)
            zone = recipient_zone(address, fields, self.zone_column)
            self.result.valid.append(Recipient(address, fields, zone))

    def reject(self, line: int, raw: str, reason: InvalidReason) -> None:
        self.result.invalid.append(InvalidEntry(line, shorten(raw, RAW_SHOWN), reason))


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
    collector = Collector(kind, region, stoplist, mobile_only)
    if kind is AddressKind.PUSH:
        for line_number, line in enumerate(text.splitlines(), start=1):
            for piece in line.split(","):
                if piece.strip():
                    collector.add(line_number, piece.strip(), NO_FIELDS)
        return collector.result
    for line_number, line in enumerate(text.splitlines(), start=1):
        for piece in _PIECE_SEPARATORS.split(line):
            words = piece.split()
            if kind is AddressKind.EMAIL:
                for word in words:
                    collector.add(line_number, word, NO_FIELDS)
            else:
                _add_phone_words(collector, line_number, words)
    return collector.result


def _add_phone_words(collector: Collector, line: int, words: list[str]) -> None:
    """Take the longest run of phone-like words that is a valid phone, word by word.

    Phone-like words that belong to no valid phone are reported together, as the person wrote
    them (`+7 900 123 45 6`), not as five separate mistakes.
    """
    stray: list[str] = []

    def report_stray() -> None:
        if stray:
            joined = " ".join(stray)
            collector.reject(line, joined, invalid_reason(joined, collector.kind))
            stray.clear()

    start = 0
    while start < len(words):
        word = words[start]
        found = _longest_phone_run(words, start, collector.region)
        if found is not None:
            report_stray()
            end, address = found
            collector.keep(line, " ".join(words[start:end]), address, NO_FIELDS)
            start = end
        elif _PHONE_TOKEN.fullmatch(word):
            stray.append(word)
            start += 1
        else:
            report_stray()
            collector.add(line, word, NO_FIELDS)
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
        if total > MAX_PHONE_DIGITS:
            break
        run_digits.append(total)
    for length in range(len(run_digits), 0, -1):
        if run_digits[length - 1] < MIN_INTERNATIONAL_DIGITS:
            break
        address = normalise_phone(" ".join(words[start : start + length]), region)
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
        return start + 1 if normalise_email(word) else None
    if kind is AddressKind.EMAIL:
        return None
    if kind is AddressKind.PUSH:
        return start + 1 if normalise_token(word) else None
    found = _longest_phone_run(words, start, region)
    return found[0] if found else None
