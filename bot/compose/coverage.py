"""Which recipients of a list have a value for which column, computed once when the list is read.

The composer asks at every step, at Send and at Confirm whether every recipient has what the
text's placeholders need and whether the charset carries their values. Reading a 100,000-row list
for that each time would hold the event loop for about a second; the answers come from this
summary instead, stored with the list. Per column it keeps the rows without a value (as runs of
positions, so a column empty everywhere is one run) with the first few of them named, and each
character its values use with the first row using it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.compose.placeholders import EXAMPLES_SHOWN, Lacking
from bot.compose.recipients import Recipient

Runs = list[tuple[int, int]]  # inclusive (first, last) 1-based positions, ascending


@dataclass
class ColumnCoverage:
    """One column: the rows without a value, and where each character first appears."""

    lacking: Runs = field(default_factory=list)
    examples: list[tuple[int, str]] = field(default_factory=list)  # first rows lacking a value
    characters: dict[str, int] = field(default_factory=dict)  # character -> first row using it

    def lack(self, position: int, address: str) -> None:
        if self.lacking and self.lacking[-1][1] == position - 1:
            self.lacking[-1] = (self.lacking[-1][0], position)
        else:
            self.lacking.append((position, position))
        if len(self.examples) < EXAMPLES_SHOWN:
            self.examples.append((position, address))


@dataclass
class Coverage:
    """The coverage of every column of a list of `size` recipients."""

    size: int = 0
    columns: dict[str, ColumnCoverage] = field(default_factory=dict)
    first: list[str] = field(default_factory=list)  # the first few addresses of the list

    @classmethod
    def of(cls, recipients: Iterable[Recipient], columns: Sequence[str]) -> Coverage:
        """Read a list once (in a worker thread for a large one)."""
        coverage = cls(columns={column: ColumnCoverage() for column in columns})
        position = 0
        for position, recipient in enumerate(recipients, start=1):
            fields = recipient.fields
            if position <= EXAMPLES_SHOWN:
                coverage.first.append(recipient.address)
            for column, seen in coverage.columns.items():
                value = fields.get(column)
                if not value:
                    seen.lack(position, recipient.address)
                    continue
                for character in value:
                    seen.characters.setdefault(character, position)
        coverage.size = position
        return coverage

    def column_of(self, name: str) -> str | None:
        """The column a placeholder names: by exact name, else ignoring case."""
        if name in self.columns:
            return name
        folded = name.casefold()
        return next((column for column in self.columns if column.casefold() == folded), None)

    def lacking(self, names: Sequence[str]) -> Lacking | None:
        """Who has no value for one of `names`: how many, and the first few (as a scan would say)."""
        first: dict[str, int] = {}
        runs: Runs = []
        examples: dict[int, str] = {}
        for name in names:
            column = self.column_of(name)
            seen = self.columns[column] if column is not None else None
            if seen is None:  # no such column: every recipient lacks it
                column_runs: Runs = [(1, self.size)] if self.size else []
                column_examples = list(enumerate(self.first, start=1))
            else:
                column_runs, column_examples = seen.lacking, seen.examples
            if column_runs:
                first.setdefault(name, column_runs[0][0])
                runs.extend(column_runs)
                examples.update(column_examples)
        if not runs:
            return None
        order = sorted(first, key=lambda name: (first[name], names.index(name)))
        shown = sorted(examples.items())[:EXAMPLES_SHOWN]
        return Lacking(order, _count(runs), shown)

    def first_use(self, names: Sequence[str], unfit: Any) -> int | None:
        """The first row whose values for `names` use a character `unfit(character)` refuses."""
        rows = [
            position
            for name in names
            if (column := self.column_of(name)) is not None
            for character, position in self.columns[column].characters.items()
            if unfit(character)
        ]
        return min(rows, default=None)

    def to_data(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "first": self.first,
            "columns": {
                column: {
                    "lacking": seen.lacking,
                    "examples": seen.examples,
                    "characters": seen.characters,
                }
                for column, seen in self.columns.items()
            },
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Coverage:
        return cls(
            size=data["size"],
            first=list(data["first"]),
            columns={
                column: ColumnCoverage(
                    lacking=[(first, last) for first, last in seen["lacking"]],
                    examples=[(position, address) for position, address in seen["examples"]],
                    characters=dict(seen["characters"]),
                )
                for column, seen in data["columns"].items()
            },
        )


def _count(runs: Runs) -> int:
    """How many positions the runs cover together (they may overlap)."""
    total, end = 0, 0
    for first, last in sorted(runs):
        if last <= end:
            continue
        total += last - max(first, end + 1) + 1
        end = last
    return total
