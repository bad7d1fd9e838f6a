"""What accepted messages cost, message by message: the price per SMS part (PULSE_PRICES) times
the parts of that recipient's own text, or the price per message for other types. A type with no
price costs nothing known: no figure, never a guess. Exact decimals throughout.

Pure computation over many rows: called in worker threads by the report file and the digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.compose.costs import price_for
from bot.compose.placeholders import placeholders_in, render_text
from bot.compose.segments import is_sms_type, sms_segments
from bot.compose.transliteration import transliterate_values

KNOWN_TEXTS = 50_000  # texts whose parts are remembered: many recipients share one


class MessageCost:
    """The cost of one message of a campaign, for the fields of its recipient."""

    def __init__(
        self, text: str, message_type: str, price: Decimal, transliterated: bool = False
    ) -> None:
        self.text, self.price, self.transliterated = text, price, transliterated
        self.sms = is_sms_type(message_type)
        self.personal = self.sms and bool(placeholders_in(text))
        self._parts: dict[str, int] = {}
        if self.sms and not self.personal:
            self._same = price * sms_segments(text).segments

    def of(self, fields: Mapping[str, str]) -> Decimal:
        if not self.sms:
            return self.price
        if not self.personal:
            return self._same
        values = transliterate_values(fields) if self.transliterated else fields
        rendered = render_text(self.text, values)
        parts = self._parts.get(rendered)
        if parts is None:
            if len(self._parts) >= KNOWN_TEXTS:  # every text different: keep memory bounded
                self._parts.clear()
            parts = self._parts[rendered] = sms_segments(rendered).segments
        return self.price * parts


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


@dataclass(frozen=True)
class Spend:
    """Estimated spend over many campaigns: the total over the priced types, and the types
    whose messages could not be priced (they are named, not guessed)."""

    total: Decimal = Decimal(0)
    messages: int = 0
    unpriced: tuple[tuple[str, int], ...] = ()  # (type, accepted messages), by type


def spend_of(
    accepted: Iterable[tuple[int, str, str | None, bool, Mapping[str, str]]],
    prices: Mapping[str, Decimal],
) -> Spend:
    """Sum the cost of accepted messages given as (campaign id, type, text, whether the text
    was transliterated, recipient fields), in campaign order."""
    total, messages, unpriced = Decimal(0), 0, dict[str, int]()
    current: tuple[int, MessageCost | None] | None = None
    for campaign_id, message_type, text, transliterated, fields in accepted:
        if current is None or current[0] != campaign_id:
            cost = message_cost(text, message_type, prices, transliterated)
            current = (campaign_id, cost)
        cost = current[1]
        if cost is None:
            unpriced[message_type] = unpriced.get(message_type, 0) + 1
            continue
        total += cost.of(fields)
        messages += 1
    return Spend(total, messages, tuple(sorted(unpriced.items())))
