"""What the program hands the platform, and the four things an answer can mean.

Only answers that prove nothing was processed are `Unavailable`: no connection, HTTP 429 and
503. Every other failure after the request may have left (other 5xx, a timeout while waiting
for the answer, a body that is not the platform's JSON) is `Uncertain`, never sent again by
the program.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from bot.platform.reasons import Reason


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as the platform's `send-message` call takes it; None fields are not sent."""

    type: str
    sender: str
    sent_to: str
    sent_text: str
    html_text: str | None = None
    sent_date: str | None = None  # "YYYY-MM-DD HH:MM" in the platform's time zone
    charset: str | None = None
    ttl: int | None = None  # minutes
    button: str | None = None
    action: str | None = None
    image: str | None = None
    callback: str | None = None  # may hold the literal placeholders {id} and {status}
    find_token: bool = False


@dataclass(frozen=True)
class Accepted:
    """The platform created the message and gave it this id."""

    platform_id: str


@dataclass(frozen=True)
class Rejected:
    """The platform answered `{"type": "error"}`; `message` is its `msg`, verbatim.

    `whole_request` is False for one message's refusal inside a list answer.
    """

    message: str
    whole_request: bool = True


@dataclass(frozen=True)
class Unavailable:
    """The request certainly created no message (no connection, HTTP 429 or 503): safe to retry."""

    reason: Reason
    retry_after: float | None = None  # seconds, from a Retry-After header when present


@dataclass(frozen=True)
class Uncertain:
    """The message may or may not exist on the platform; it must never be re-sent blindly."""

    reason: Reason


SendResult: TypeAlias = Accepted | Rejected | Unavailable | Uncertain


def backoff_delays(max_tries: int = 5, base: float = 0.5, cap: float = 30.0) -> list[float]:
    """Return the waits between `max_tries` attempts: doubling from `base`, each at most `cap`."""
    return [min(cap, base * 2**attempt) for attempt in range(max(0, max_tries - 1))]
