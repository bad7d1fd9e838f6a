"""Numbers carried in button data. Anyone can forge a button press, so each number is bounded:
data outside the bounds matches no handler and is answered as an outdated button."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# A position in a list a card shows (types, senders, steps, extras, charsets).
Index = Annotated[int, Field(ge=0, le=10_000)]
# A row id or stamp stored in SQLite, whose integers are signed 64-bit.
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]
