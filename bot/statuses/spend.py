"""What a period's accepted messages cost, over many campaigns, each message priced by
bot/compose/costs.py. A type with no price costs nothing known: it is named with its count, never
guessed. Exact decimals throughout.

Pure computation over many rows: called in a worker thread by the digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.compose.costs import MessageCost, message_cost
from storage.campaigns import accepted_at


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


def spend_at(path: str, start: str, end: str, prices: Mapping[str, Decimal]) -> Spend:
    """`spend_of` the period's accepted messages, in the list process: it reads them itself."""
    return spend_of(accepted_at(path, start, end), prices)
