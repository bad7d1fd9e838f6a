"""Numbers carried in button data. Anyone can forge a button press, so each number is bounded:
data outside the bounds matches no handler and is answered as an outdated button."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# A position in a list a card shows (types, senders, steps, extras, charsets).
Index = Annotated[int, Field(ge=0, le=10_000)]
# A row id or stamp stored in SQLite, whose integers are signed 64-bit.
ROW_ID_MAX = 2**63 - 1
RowId = Annotated[int, Field(ge=0, le=ROW_ID_MAX)]


def row_id(text: str) -> int | None:
    """A row id carried as text in a dialog's button data (a list item's id); None when it is
    none (forged: no ASCII digits, or beyond what SQLite stores)."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= ROW_ID_MAX else None
