"""What a raw platform status means: pending, delivered or failed.

Kannel DLR codes are read bitwise (1 delivered; 2 or 16 failed; 4, 8, 32 in progress), native
words come from a built-in table that `PULSE_STATUS_MAP` extends or overrides, and anything
else is kept as it came and counts as pending (not final).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
FINAL_CLASSES = frozenset({DELIVERED, FAILED})

KANNEL_DELIVERED = 1
KANNEL_FAILED = 2 | 16

# Words seen from SMS gateways, SMPP (DELIVRD, UNDELIV ...) and messenger platforms.
NATIVE_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("delivered", "delivrd", "read", "seen", "viewed", "opened", "clicked", "success"),
        DELIVERED,
    ),
    **dict.fromkeys(
        (
            "failed",
            "fail",
            "failure",
            "undelivered",
            "undeliv",
            "undeliverable",
            "not_delivered",
            "rejected",
            "rejectd",
            "expired",
            "expird",
            "error",
            "deleted",
            "unknown",
            "blocked",
            "bounced",
            "invalid",
            "cancelled",
            "canceled",
        ),
        FAILED,
    ),
    **dict.fromkeys(
        (
            "sent",
            "queued",
            "pending",
            "accepted",
            "acceptd",
            "enroute",
            "buffered",
            "submitted",
            "processing",
            "scheduled",
            "sending",
            "new",
        ),
        PENDING,
    ),
}

_INTEGER = re.compile(r"[+-]?\d{1,19}")
_SEPARATORS = re.compile(r"[\s\-]+")


def kannel_class(code: int) -> str:
    """Class of a Kannel DLR code: bit 1 success, bit 2 or 16 failure, anything else in progress."""
    if code <= 0:
        return PENDING
    if code & KANNEL_DELIVERED:
        return DELIVERED
    if code & KANNEL_FAILED:
        return FAILED
    return PENDING


def normalise_word(raw: str) -> str:
    """`Not Delivered`, `not-delivered` and `NOT_DELIVERED` are one word."""
    return _SEPARATORS.sub("_", raw.strip().lower())


class StatusClassifier:
    """Classifies raw statuses; `overrides` maps words (as PULSE_STATUS_MAP does) to classes."""

    def __init__(self, overrides: Mapping[str, str] | None = None, *, kannel: bool = True) -> None:
        self.words = NATIVE_WORDS | {
            normalise_word(word): status_class for word, status_class in (overrides or {}).items()
        }
        self.kannel = kannel

    def classify(self, raw: str) -> str:
        word = normalise_word(raw)
        if word in self.words:
            return self.words[word]
        if self.kannel and _INTEGER.fullmatch(word):
            return kannel_class(int(word))
        return PENDING
