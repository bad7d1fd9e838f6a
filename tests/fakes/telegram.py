"""The tests' Telegram is the product's own emulator (the one `python -m bot demo` runs)."""

from bot.demo.telegram import (
    NOT_MODIFIED,
    WAIT,
    ApiError,
    Call,
    FakeTelegram,
    StoredFile,
    Throttle,
    Violation,
)

__all__ = [
    "NOT_MODIFIED",
    "WAIT",
    "ApiError",
    "Call",
    "FakeTelegram",
    "StoredFile",
    "Throttle",
    "Violation",
]
