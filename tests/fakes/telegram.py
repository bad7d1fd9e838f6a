"""The tests' Telegram is the product's own emulator (the one `python -m bot demo` runs)."""

from bot.demo.telegram import FakeTelegram
from bot.demo.telegram_reading import WAIT
from bot.demo.telegram_records import NOT_MODIFIED, ApiError, Call, StoredFile, Throttle, Violation

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
