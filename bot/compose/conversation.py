"""What the composing conversation keeps between steps: the draft, the last list's report, and what the cards show of a list.

The codecs here turn them into JSON-ready conversation data (the FSM storage) and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from bot.compose.recipients import (
    RecipientList,
)
from storage.campaigns import Draft

SHOWN_INVALID = 5


def draft_from_data(data: Mapping[str, Any]) -> Draft:
    """The draft kept in the conversation data (an empty one at the start)."""
    fields = dict(data.get("draft") or {})
    fields.setdefault("type", "")
    fields.setdefault("sender", "")
    fields.setdefault("text", "")
    return Draft(**fields)


def draft_data(draft: Draft) -> dict[str, Any]:
    """The draft as JSON-ready conversation data."""
    return asdict(draft)


@dataclass(frozen=True)
class RecipientsReport:
    """What parsing a recipient list found, kept to show it on the card until the next list."""

    valid: int
    invalid: int
    duplicates: int
    stopped: int
    examples: tuple[tuple[int, str, str], ...] = ()  # line, text as written, reason code
    columns: tuple[str, ...] = ()
    contacts: int = 0  # tokens that look like phones or e-mails

    @classmethod
    def of(cls, parsed: RecipientList) -> RecipientsReport:
        examples = tuple(
            (entry.line, entry.raw, entry.reason.value) for entry in parsed.invalid[:SHOWN_INVALID]
        )
        return cls(
            valid=len(parsed.valid),
            invalid=len(parsed.invalid),
            duplicates=parsed.duplicates,
            stopped=parsed.stopped,
            examples=examples,
            columns=tuple(parsed.columns),
            contacts=parsed.contacts,
        )

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> RecipientsReport | None:
        if not data:
            return None
        examples = tuple(tuple(example) for example in data.get("examples", ()))
        return cls(
            valid=data["valid"],
            invalid=data["invalid"],
            duplicates=data["duplicates"],
            stopped=data["stopped"],
            examples=examples,  # type: ignore[arg-type]
            columns=tuple(data.get("columns", ())),
            contacts=data.get("contacts", 0),
        )


@dataclass(frozen=True)
class ListSummary:
    """What the cards show of a stored recipient list: its size, first addresses and columns."""

    size: int = 0
    first_addresses: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    # The columns of the first recipients, for the per-recipient preview and the SMS total.
    sample_fields: tuple[Mapping[str, str], ...] = ()
    left_out: Mapping[str, int] = field(default_factory=dict)  # rows of the upload, by reason
    zones: Mapping[str | None, int] = field(default_factory=dict)  # recipients by time zone

    @property
    def first_fields(self) -> Mapping[str, str]:
        return self.sample_fields[0] if self.sample_fields else {}
