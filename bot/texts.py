"""Small pieces of the texts people read: counts in their language, long texts cut short.

The one home for text helpers; cards of every capability use these rather than their own.
"""

from __future__ import annotations

import html
from decimal import Decimal

from babel.numbers import format_decimal

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """Cut a text to `limit` characters, the last one an ellipsis; escape it for HTML afterwards."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def one_line(text: str, limit: int) -> str:
    """A text on one line (runs of spaces and line breaks become one space), cut to `limit`."""
    return shorten(" ".join(text.split()), limit)


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """Escape a user text, cutting it (with an ellipsis) so the escaped form fits in `limit`.

    `limit` is in UTF-16 units, as Telegram measures a message."""
    escaped = html.escape(text)
    if units(escaped) <= limit:
        return escaped
    low, high = 0, len(text)
    while low < high:  # the longest prefix whose escaped form fits
        middle = (low + high + 1) // 2
        if units(html.escape(text[:middle])) + 1 <= limit:
            low = middle
        else:
            high = middle - 1
    return html.escape(text[:low]) + ELLIPSIS


def share(part: int, whole: int, locale: str) -> str:
    """A percentage with at most one decimal: 48.5%."""
    value = 100.0 * part / whole if whole else 0.0
    return format_decimal(round(value, 1), format="0.#", locale=locale) + "%"


def paragraphs(*parts: str) -> str:
    """The non-empty parts, a blank line between them."""
    return "\n\n".join(part for part in parts if part)


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
