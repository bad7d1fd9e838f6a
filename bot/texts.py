"""Small pieces of the texts people read: counts in their language, long texts cut short."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """Cut a text to `limit` characters, the last one an ellipsis; escape it for HTML afterwards."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def reader_locale() -> str:
    """The language of the person being answered ("en" outside any conversation)."""
    # Imported here: the recipient parser uses this module and should not load aiogram.
    from aiogram.utils.i18n import get_i18n

    try:
        return get_i18n().current_locale
    except LookupError:  # outside a handler and outside `i18n.context()`
        return "en"


def number(value: int | float, locale: str | None = None) -> str:
    """A count in `locale`, or else in the reader's language: 12,345 or 12 345."""
    return format_decimal(value, locale=locale or reader_locale())


def money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """An amount in `locale` with at least two decimals and no rounding: 4,900.00 ₽ or 4 900,00 ₽."""
    shown = format_decimal(amount, format="#,##0.00########", locale=locale or reader_locale())
    return f"{shown}\xa0{currency}"
