"""What messages cost: SMS parts counted over every recipient's own text, before sending (the
preview, the approval rule) and after (the campaign card, the report file, the digest).

`Parts` is the one place a rendered text is counted and `MessageCost` the one place it is
priced: SMS per part of that recipient's own text as it goes out, other types per message.
Prices come from PULSE_PRICES as exact decimals; a type without a price gets no money figure,
never a guess. Counting a 100,000-row list takes about a second of Python, so the counting is
pure and runs in worker threads.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.compose.list_process import BIG_LIST_ROWS, in_list_process
from bot.compose.placeholders import placeholders_in, render_text
from bot.compose.segments import (
    GSM_BASIC,
    GSM_EXTENSION,
    GSM_PART,
    GSM_SINGLE,
    is_sms_type,
    sms_segments,
)
from bot.compose.transliteration import transliterate_values
from storage.campaigns import Campaign, Draft
from storage.db import file_of
from storage.message_readers import accepted_fields_at
from storage.message_readers import fields_at as campaign_fields_at
from storage.recipient_lists import fields_at
from storage.store import Store

SHOWN_CULPRITS = 8  # characters named as making a text UCS-2
KNOWN_TEXTS = 50_000  # texts whose parts are remembered: many recipients share one


@dataclass(frozen=True)
class Estimate:
    """Counts over the whole list, and the money they cost when the type has a price."""

    recipients: int
    parts: int  # SMS parts over all recipients; for other types one per recipient
    fewest: int  # parts per recipient, smallest and largest (equal without placeholders)
    most: int
    sms: bool
    price: Decimal | None = None

    @property
    def total(self) -> Decimal | None:
        """Exact: a price times a whole number of parts or messages."""
        return None if self.price is None else self.price * self.parts


@dataclass(frozen=True)
class Encoding:
    """Why a text is sent as UCS-2: the characters outside GSM-7 and the parts it costs,
    against the parts it would take if those characters were GSM-7."""

    culprits: tuple[str, ...]
    cyrillic: bool  # Cyrillic letters are among them (named as a group, not one by one)
    parts: int
    gsm_parts: int


def price_for(message_type: str, prices: Mapping[str, Decimal]) -> Decimal | None:
    return prices.get(message_type.strip().lower())


class Parts:
    """What one recipient's message of a campaign counts for: the SMS parts of their own text as
    it goes out (their values in Latin letters when the text is transliterated; `as_sent` turns
    addresses into short links), or one message for other types."""

    def __init__(
        self,
        text: str,
        message_type: str,
        *,
        transliterated: bool = False,
        as_sent: Callable[[str], str] = str,
    ) -> None:
        self.text, self.transliterated, self.as_sent = text, transliterated, as_sent
        self.sms = is_sms_type(message_type)
        self.personal = self.sms and bool(placeholders_in(text))
        # Every recipient's count when the text has no placeholders (the template's otherwise).
        self.same = sms_segments(as_sent(text)).segments if self.sms else 1
        self._known: dict[str, int] = {}

    def of(self, fields: Mapping[str, str]) -> int:
        if not self.personal:
            return self.same
        values = transliterate_values(fields) if self.transliterated else fields
        rendered = self.as_sent(render_text(self.text, values))
        parts = self._known.get(rendered)
        if parts is None:
            if len(self._known) >= KNOWN_TEXTS:  # every text different: keep memory bounded
                self._known.clear()
            parts = self._known[rendered] = sms_segments(rendered).segments
        return parts


class MessageCost:
    """The cost of one message of a campaign, for the fields of its recipient: exact, the price
    times its parts."""

    def __init__(
        self, text: str, message_type: str, price: Decimal, transliterated: bool = False
    ) -> None:
        self.price = price
        self.parts = Parts(text, message_type, transliterated=transliterated)

    def of(self, fields: Mapping[str, str]) -> Decimal:
        return self.price * self.parts.of(fields)


def message_cost(
    text: str | None,
    message_type: str,
    prices: Mapping[str, Decimal],
    transliterated: bool = False,
) -> MessageCost | None:
    """How to price this campaign's messages (a transliterated text gets its recipients' values
    in Latin letters); None when its type has no price."""
    price = price_for(message_type, prices)
    if price is None:
        return None
    return MessageCost(text or "", message_type, price, transliterated)


def measure(
    text: str,
    message_type: str,
    size: int,
    rows: Iterable[Mapping[str, str]] | None,
    price: Decimal | None,
    as_sent: Callable[[str], str] = str,
    transliterated: bool = False,
) -> Estimate:
    """Count the parts every recipient's text takes; `rows` are their fields in list order
    (None or unused when the text has no placeholders, as every text is then the same).
    `as_sent` turns a text into what goes out (addresses as short links)."""
    parts = Parts(text, message_type, transliterated=transliterated, as_sent=as_sent)
    if rows is None or not parts.personal:
        return Estimate(size, parts.same * size, parts.same, parts.same, parts.sms, price)
    total, fewest, most, seen = 0, 0, 0, 0
    for fields in rows:
        count = parts.of(fields)
        total += count
        fewest = count if not seen else min(fewest, count)
        most = max(most, count)
        seen += 1
    return Estimate(seen, total, fewest, most, True, price)


def encoding_of(text: str) -> Encoding | None:
    """The characters that make an SMS text UCS-2, or None when it is GSM-7."""
    outside = [char for char in dict.fromkeys(text) if char not in GSM_ALL]
    if not outside:
        return None
    cyrillic = any(_is_cyrillic(char) for char in outside)
    named = tuple(char for char in outside if not _is_cyrillic(char))
    # As if every such character were one GSM-7 septet: what the text would cost without them.
    septets = sum(2 if char in GSM_EXTENSION else 1 for char in text)
    gsm_parts = _gsm_parts(septets)
    return Encoding(named[:SHOWN_CULPRITS], cyrillic, sms_segments(text).segments, gsm_parts)


GSM_ALL = GSM_BASIC | GSM_EXTENSION


def _is_cyrillic(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CYRILLIC")


def _gsm_parts(septets: int) -> int:
    if septets == 0:
        return 0
    if septets <= GSM_SINGLE:
        return 1
    return -(-septets // GSM_PART)


async def estimate_list(
    store: Store,
    list_id: int | None,
    draft: Draft,
    prices: Mapping[str, Decimal],
    as_sent: Callable[[str], str] = str,
) -> Estimate | None:
    """The draft's estimate over its stored list; None without a list."""
    if not list_id:
        return None
    return await _measured(
        store,
        list_id,
        fields_at,
        store.recipient_lists.fields_reader,
        draft.text,
        draft.type,
        store.recipient_lists.size(list_id),
        price_for(draft.type, prices),
        as_sent,
        draft.transliterate,
    )


async def campaign_estimate(
    store: Store,
    campaign: Campaign,
    prices: Mapping[str, Decimal],
    as_sent: Callable[[str], str] = str,
) -> Estimate:
    """The estimate over a campaign's own rows, as its preview showed it (for its approval)."""
    return await _measured(
        store,
        campaign.id,
        campaign_fields_at,
        store.message_readers.fields_reader,
        campaign.text,
        campaign.type,
        campaign.recipient_count,
        price_for(campaign.type, prices),
        as_sent,
        campaign.transliterate,
    )


async def _measured(
    store: Store,
    owner_id: int,
    rows_at: Callable[[str, int], Iterable[Mapping[str, str]]],
    reader_of: Callable[[int], Callable[[], Iterable[Mapping[str, str]]]],
    text: str,
    message_type: str,
    size: int,
    price: Decimal | None,
    as_sent: Callable[[str], str],
    transliterated: bool,
) -> Estimate:
    """`measure` over the rows of a list or a campaign (`owner_id`): in a worker thread, with
    their fields read by `reader_of(owner_id)` when the text has placeholders; in the list
    process, which reads them with `rows_at`, when there are many."""
    needs_rows = is_sms_type(message_type) and bool(placeholders_in(text))
    path = file_of(store.db)
    if needs_rows and path is not None and size >= BIG_LIST_ROWS:
        return await in_list_process(
            measure_at,
            rows_at,
            path,
            owner_id,
            text,
            message_type,
            size,
            price,
            as_sent,
            transliterated,
        )
    reader = reader_of(owner_id) if needs_rows else None

    def count() -> Estimate:
        rows = reader() if reader else None
        return measure(text, message_type, size, rows, price, as_sent, transliterated)

    return await asyncio.to_thread(count)


def measure_at(
    rows_at: Callable[[str, int], Iterable[Mapping[str, str]]],
    path: str,
    owner_id: int,
    text: str,
    message_type: str,
    size: int,
    price: Decimal | None,
    as_sent: Callable[[str], str],
    transliterated: bool,
) -> Estimate:
    """`measure` in the list process over rows it reads itself: `rows_at(path, owner_id)` is
    a list's fields (`storage.recipient_lists.fields_at`), a campaign's
    (`storage.message_readers.fields_at`) or its accepted rows' (`accepted_fields_at`)."""
    rows = rows_at(path, owner_id)
    return measure(text, message_type, size, rows, price, as_sent, transliterated)


async def accepted_estimate(
    store: Store, campaign: Campaign, prices: Mapping[str, Decimal]
) -> Estimate | None:
    """What the messages the platform accepted cost, counted in a worker thread, or for a big
    campaign in the list process; None when the campaign's type has no price."""
    price = price_for(campaign.type, prices)
    if price is None:
        return None
    return await _measured(
        store,
        campaign.id,
        accepted_fields_at,
        store.message_readers.accepted_fields_reader,
        campaign.text or "",
        campaign.type,
        store.messages.accepted_count(campaign.id),
        price,
        str,
        campaign.transliterate,
    )
