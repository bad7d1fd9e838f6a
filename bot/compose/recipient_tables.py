"""Recipients from an uploaded table (.csv, .txt, .xlsx): which column holds the addresses,\nwhether the first row is a header, and the other columns as placeholder values.\n"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from itertools import chain, islice

from bot.compose.addresses import AddressKind, InvalidReason, normalise_address
from bot.compose.recipient_files import (
    MAX_FILE_BYTES,
    FileFormat,
    FileProblem,
    RecipientFileError,
    Row,
    check_size,
    csv_rows,
    decode_text,
    file_format,
    xlsx_rows,
)
from bot.compose.recipients import NO_FIELDS, Collector, RecipientList, parse_recipients_text
from bot.timing.zones import zone_column, zone_name

_PHONE_HEADERS = {
    "phone", "phones", "tel", "telephone", "mobile", "msisdn", "number", "phone number",
    "mobile phone", "cell", "телефон", "телефоны", "номер", "номер телефона", "мобильный",
    "мобильный телефон",
}  # fmt: skip


_EMAIL_HEADERS = {"email", "e-mail", "mail", "email address", "почта", "электронная почта"}


_PUSH_HEADERS = {"token", "push token", "device token", "токен"}


_GENERIC_HEADERS = {"адрес", "sent to", "recipient", "получатель"}


_HEADERS_BY_KIND = {
    AddressKind.PHONE: (_PHONE_HEADERS, _GENERIC_HEADERS),
    AddressKind.EMAIL: (_EMAIL_HEADERS, _GENERIC_HEADERS),
    AddressKind.PUSH: (_PUSH_HEADERS, _GENERIC_HEADERS),
    AddressKind.PHONE_OR_EMAIL: (_PHONE_HEADERS | _EMAIL_HEADERS, _GENERIC_HEADERS),
}


_ALL_HEADERS = _PHONE_HEADERS | _EMAIL_HEADERS | _PUSH_HEADERS | _GENERIC_HEADERS


_DETECTION_ROWS = 50


_DETECTION_COLUMNS = 50


_NAME_JUNK = re.compile(r"[^\w.\- ]+")


# Header matching ignores the difference between "sent_to" and "Sent to"; names keep "_".
_SPACES = re.compile(r"[\s_]+")


_WHITESPACE = re.compile(r"\s+")


def parse_recipients_file(
    filename: str,
    content: bytes,
    kind: AddressKind,
    *,
    region: str = "RU",
    stoplist: Collection[str] = (),
    max_bytes: int = MAX_FILE_BYTES,
    mobile_only: bool = False,
) -> RecipientList:
    """Parse an uploaded `.csv`, `.txt` or `.xlsx` file; raise RecipientFileError if unusable.

    This is CPU-bound (about a second for 100,000 rows): call it in a worker thread.
    """
    form = file_format(filename)
    check_size(content, max_bytes)
    if form is FileFormat.XLSX:
        rows: Iterable[Row] = xlsx_rows(content)
    else:
        text = decode_text(content)
        if form is FileFormat.TEXT and not _starts_with_header(text):
            return parse_recipients_text(
                text, kind, region=region, stoplist=stoplist, mobile_only=mobile_only
            )
        rows = csv_rows(text)
    return _parse_rows(rows, kind, region, stoplist, mobile_only)


def _header_key(cell: str) -> str:
    return _SPACES.sub(" ", cell.strip().lower())


def _starts_with_header(text: str) -> bool:
    """Whether a `.txt` file is really a table with a recognised header row."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return any(_header_key(cell) in _ALL_HEADERS for cell in re.split(r"[,;\t]", first_line))


def _non_empty(rows: Iterable[Row]) -> Iterator[Row]:
    return (row for row in rows if any(cell.strip() for cell in row[1]))


def _parse_rows(
    rows: Iterable[Row],
    kind: AddressKind,
    region: str,
    stoplist: Collection[str],
    mobile_only: bool = False,
) -> RecipientList:
    """Find the header and address column from the first rows, then collect every row."""
    non_empty_rows = _non_empty(rows)
    sample = list(islice(non_empty_rows, _DETECTION_ROWS))
    if not sample:
        raise RecipientFileError(FileProblem.EMPTY)
    address_column, has_header = _detect_layout(sample, kind, region)
    names = _ColumnNames(sample[0][1] if has_header else [])
    data = chain(sample[1:] if has_header else sample, non_empty_rows)
    collector = Collector(kind, region, stoplist, mobile_only)
    collector.zone_column = zone_column(names) if has_header else None
    filled_columns: set[str] = set()
    rows_seen = 0
    for line, cells in data:
        rows_seen += 1
        names.widen(len(cells))
        raw = cells[address_column].strip() if address_column < len(cells) else ""
        fields = {
            names[index]: value
            for index, cell in enumerate(cells)
            if index != address_column and (value := cell.strip())
        } or NO_FIELDS
        filled_columns.update(fields)
        zone_cell = fields.get(collector.zone_column) if collector.zone_column else None
        if raw and zone_cell and zone_name(zone_cell) is None:
            collector.reject(line, ",".join(cells), InvalidReason.NOT_A_TIME_ZONE)
        elif raw:
            collector.add(line, raw, fields)
        else:
            collector.reject(line, ",".join(cells), InvalidReason.EMPTY_TOKEN)
    if not rows_seen:
        raise RecipientFileError(FileProblem.EMPTY, "header only")
    # An unnamed column that never holds a value is a trailing separator, not a placeholder.
    collector.result.columns = [
        name
        for index, name in enumerate(names)
        if index != address_column and (name not in names.generated or name in filled_columns)
    ]
    return collector.result


def _detect_layout(sample: list[Row], kind: AddressKind, region: str) -> tuple[int, bool]:
    """Return the address column and whether the first row is a header."""
    first_cells = [_header_key(cell) for cell in sample[0][1]]
    for wanted in (*_HEADERS_BY_KIND[kind], _ALL_HEADERS):
        for index, cell in enumerate(first_cells):
            if cell in wanted:
                return index, True
    rest = [cells for _, cells in sample[1:]] or [sample[0][1]]
    width = min(max(len(cells) for cells in rest), _DETECTION_COLUMNS)

    def valid_count(column: int) -> int:
        return sum(
            column < len(cells) and normalise_address(cells[column], kind, region) is not None
            for cells in rest
        )

    counts = [valid_count(column) for column in range(width)]
    if width > 1 and not any(counts) and not _has_address(sample[0][1], kind, region):
        # A table with no address column at all: not one invalid entry per row.
        raise RecipientFileError(FileProblem.NO_ADDRESS_COLUMN, rows=len(rest), columns=width)
    address_column = max(range(width), key=lambda column: (counts[column], -column), default=0)
    first = sample[0][1]
    first_is_address = address_column < len(first) and normalise_address(
        first[address_column], kind, region
    )
    looks_like_header = (
        len(sample) > 1
        and not first_is_address
        and counts[address_column] * 2 >= len(rest)
        and counts[address_column] > 0
    )
    return address_column, looks_like_header


def _has_address(cells: list[str], kind: AddressKind, region: str) -> bool:
    return any(normalise_address(cell, kind, region) is not None for cell in cells)


class _ColumnNames(list[str]):
    """Placeholder names of a table's columns: header text made usable in `{...}`, or `colN`."""

    def __init__(self, header_cells: list[str]) -> None:
        super().__init__()
        self._taken: set[str] = set()
        self.generated: set[str] = set()
        for cell in header_cells:
            self._append_unique(_WHITESPACE.sub(" ", _NAME_JUNK.sub(" ", cell)).strip(" .-"))

    def widen(self, width: int) -> None:
        """Name the columns a row has beyond the header."""
        while len(self) < width:
            self._append_unique("")

    def _append_unique(self, name: str) -> None:
        if not name or name.casefold() in self._taken:
            name = f"col{len(self) + 1}"
            while name.casefold() in self._taken:
                name += "_"
            self.generated.add(name)
        self._taken.add(name.casefold())
        self.append(name)
