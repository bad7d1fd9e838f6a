"""When a campaign needs approval: the one rule the preview and the submission gate share."""

from __future__ import annotations

from decimal import Decimal

from bot.config import Settings


def approval_needed(settings: Settings, recipients: int, estimate: Decimal | None) -> bool:
    """At least APPROVAL_MIN_RECIPIENTS recipients, or an estimate of at least APPROVAL_MIN_COST
    (a type without a price has no estimate, never a guess)."""
    least, cost = settings.approval_min_recipients, settings.approval_min_cost
    if least is not None and recipients >= least:
        return True
    return cost is not None and estimate is not None and estimate >= cost
