"""Reading a report file as a spreadsheet would: UTF-8 with a BOM, `;` between cells."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Report:
    cells: list[list[str]]  # every row as Excel shows it
    head: dict[str, str]  # the first rows: title -> value
    header: list[str]  # the column titles of the recipients' table
    rows: list[dict[str, str]]  # one per recipient, by column title


def read_report(content: bytes) -> Report:
    assert content.startswith(BOM), "no BOM: Excel would not read the file as UTF-8"
    cells = list(csv.reader(io.StringIO(content[len(BOM) :].decode("utf-8")), delimiter=";"))
    blank = cells.index([])  # the head ends with an empty row
    head = {row[0]: row[1] for row in cells[:blank]}
    header = cells[blank + 1]
    rows = [dict(zip(header, row, strict=True)) for row in cells[blank + 2 :]]
    return Report(cells, head, header, rows)
