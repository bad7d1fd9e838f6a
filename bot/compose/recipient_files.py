"""Turning an uploaded recipient file into text or rows of cells, refusing what cannot be read.

This module knows about encodings, CSV dialects and workbooks, nothing about addresses.
"""

import codecs
import csv
import datetime
import io
import re
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from pathlib import PurePath

MAX_FILE_BYTES = 20 * 1024 * 1024  # the most a bot may download from Telegram
MAX_ROWS = 1_000_000
MAX_COLUMNS = 50
MAX_CELL_CHARS = 1000
# A workbook is a zip: refuse one that unpacks far beyond its size (a zip bomb) before opening it.
MAX_XLSX_RATIO = 50
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_PARSE_SECONDS = 60.0
CSV_DELIMITERS = ",;\t"

# How much of a file the delimiter guess and the binary check look at.
_SNIFF_LINES = 20
_SNIFF_CHARS = 8192
_BINARY_SAMPLE_CHARS = 65536
_MAX_CONTROL_SHARE = 0.01
# Line and page breaks and tabs are control characters that real text files do contain.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")

Row = tuple[int, list[str]]
"""A 1-based line (or sheet row) number and the row's cells as text."""


class FileProblem(StrEnum):
    """Why a recipient file was refused as a whole (codes; the UI translates them)."""

    TOO_LARGE = "too_large"
    EMPTY = "empty"
    BINARY = "binary"
    UNSUPPORTED = "unsupported"
    XLSX_UNREADABLE = "xlsx_unreadable"
    CSV_UNREADABLE = "csv_unreadable"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    CELL_TOO_LONG = "cell_too_long"
    NO_ADDRESS_COLUMN = "no_address_column"  # no column holds a single valid address
    XLSX_UNPACKS_TOO_LARGE = "xlsx_unpacks_too_large"
    TOO_SLOW = "too_slow"


class FileFormat(StrEnum):
    """How a file is read, decided by its extension."""

    TEXT = "text"
    CSV = "csv"
    XLSX = "xlsx"


_FORMATS_BY_SUFFIX = {
    ".txt": FileFormat.TEXT,
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX,
}


class RecipientFileError(Exception):
    """A recipient file that cannot be used at all; `code` says why, `detail` adds specifics.

    `limits` holds the figures a person needs to fix the file (the limit, where it was passed).
    """

    def __init__(self, code: FileProblem, detail: str = "", **limits: int) -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail
        self.limits = limits


class _Limits:
    """Counts rows as they are read and refuses a table past a limit or the time allowed."""

    def __init__(self) -> None:
        self.rows = 0
        self.deadline = time.monotonic() + MAX_PARSE_SECONDS

    def check(self, line: int, cells: list[str]) -> list[str]:
        """The row's cells, unchanged; raises when a limit is passed.

        Trailing empty cells (separators at the end of a line) count for nothing.
        """
        used = len(cells)
        while used and not cells[used - 1]:
            used -= 1
        if not used:
            return cells
        self.rows += 1
        if self.rows > MAX_ROWS + 1:  # one more for a header row
            raise RecipientFileError(FileProblem.TOO_MANY_ROWS, limit=MAX_ROWS)
        if used > MAX_COLUMNS:
            raise RecipientFileError(
                FileProblem.TOO_MANY_COLUMNS, line=line, count=used, limit=MAX_COLUMNS
            )
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise RecipientFileError(
                    FileProblem.CELL_TOO_LONG, line=line, length=len(cell), limit=MAX_CELL_CHARS
                )
        if self.rows % 4096 == 0 and time.monotonic() > self.deadline:
            raise RecipientFileError(FileProblem.TOO_SLOW, seconds=int(MAX_PARSE_SECONDS))
        return cells


def file_format(filename: str) -> FileFormat:
    """Return how a file with this name is read, or refuse an extension we do not read."""
    suffix = PurePath(filename).suffix.lower()
    try:
        return _FORMATS_BY_SUFFIX[suffix]
    except KeyError:
        raise RecipientFileError(FileProblem.UNSUPPORTED, suffix or "no extension") from None


def check_size(content: bytes, max_bytes: int) -> None:
    """Refuse an oversized or empty file before any decoding work is spent on it."""
    if len(content) > max_bytes:
        raise RecipientFileError(FileProblem.TOO_LARGE, f"{len(content)} > {max_bytes} bytes")
    if not content:
        raise RecipientFileError(FileProblem.EMPTY)


def decode_text(content: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM or CP1251; refuse binary content."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a BOM, the only text that carries NUL bytes.
        text = _decode_or_binary(content, "utf-16")
    elif b"\x00" in content:
        raise RecipientFileError(FileProblem.BINARY, "NUL bytes")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_or_binary(content, "cp1251")
    sample = text[:_BINARY_SAMPLE_CHARS]
    controls = sum(1 for char in sample if char < " " and char not in _TEXT_CONTROLS)
    if controls > len(sample) * _MAX_CONTROL_SHARE:
        raise RecipientFileError(FileProblem.BINARY, "control characters")
    if not text.strip():
        raise RecipientFileError(FileProblem.EMPTY)
    check_text_limits(text)
    return text


# What separates one entry of a typed or .txt list from the next.
_ENTRY_SEPARATORS = re.compile(r"[,;\t\r\n]+")
_LONG_ENTRY = re.compile(rf"[^,;\t\r\n]{{{MAX_CELL_CHARS + 1},}}")


def check_text_limits(text: str) -> None:
    """Refuse a text with more entries than a list may have, or an entry longer than a cell."""
    if (long_entry := _LONG_ENTRY.search(text)) is not None:
        line = text.count("\n", 0, long_entry.start()) + 1
        raise RecipientFileError(
            FileProblem.CELL_TOO_LONG,
            line=line,
            length=len(long_entry.group()),
            limit=MAX_CELL_CHARS,
        )
    # Cheap upper bound first: only a text with that many separators is counted exactly.
    if sum(text.count(separator) for separator in ",;\t\n") > MAX_ROWS:
        entries = sum(1 for entry in _ENTRY_SEPARATORS.split(text) if entry.strip())
        if entries > MAX_ROWS + 1:  # one more for a header row
            raise RecipientFileError(FileProblem.TOO_MANY_ROWS, limit=MAX_ROWS)


def _decode_or_binary(content: bytes, encoding: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        raise RecipientFileError(FileProblem.BINARY, f"not {encoding}") from error


def detect_delimiter(text: str) -> str:
    """Guess the CSV delimiter (`,` `;` or tab) from the first lines of a file."""
    lines = text[:_SNIFF_CHARS].splitlines()[:_SNIFF_LINES]
    if len(lines) > 1 and not text[:_SNIFF_CHARS].endswith(("\n", "\r")):
        lines.pop()  # probably cut in the middle
    lines = [line for line in lines if line.strip()]
    sample = "\n".join(lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    if delimiter and delimiter in sample:
        return delimiter
    return _delimiter_by_counting(lines)


def _delimiter_by_counting(lines: list[str]) -> str:
    """Pick the delimiter that occurs the same non-zero number of times on the most lines."""
    best, best_score = ",", 0
    # On a tie ";" wins: Russian Excel writes it, and names or sums may carry commas.
    for delimiter in ";\t,":
        counts = [line.count(delimiter) for line in lines]
        usual = Counter(count for count in counts if count).most_common(1)
        score = sum(count == usual[0][0] for count in counts) if usual else 0
        if score > best_score:
            best, best_score = delimiter, score
    return best


def csv_rows(text: str) -> Iterator[Row]:
    """Yield each CSV record with the line it starts on; raise RecipientFileError if malformed."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    limits = _Limits()
    next_line = 1
    try:
        for cells in reader:
            yield next_line, limits.check(next_line, cells)
            next_line = reader.line_num + 1
    except csv.Error as error:
        raise RecipientFileError(
            FileProblem.CSV_UNREADABLE, f"line {reader.line_num}: {error}"
        ) from error


def xlsx_rows(content: bytes) -> Iterator[Row]:
    """Yield the rows of the workbook's active sheet as text cells, numbered as in Excel."""
    check_unpacked_size(content)
    limits = _Limits()
    # Imported here: openpyxl costs about 8 MB that an idle bot with no workbook need not hold.
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl and zipfile raise many unrelated types on bad input
        raise RecipientFileError(FileProblem.XLSX_UNREADABLE, str(error)) from error
    try:
        if not workbook.worksheets:
            raise RecipientFileError(FileProblem.EMPTY, "no worksheets")
        sheet = workbook.active
        if sheet not in workbook.worksheets:
            sheet = workbook.worksheets[0]
        # The stored dimensions are often wrong in files written by other programs.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS and any(
                value is not None for value in values[MAX_COLUMNS:]
            ):
                count = max(i for i, value in enumerate(values, 1) if value is not None)
                raise RecipientFileError(
                    FileProblem.TOO_MANY_COLUMNS, line=number, count=count, limit=MAX_COLUMNS
                )
            cells = [cell_text(value) for value in values[:MAX_COLUMNS]]
            yield number, limits.check(number, cells)
    except RecipientFileError:
        raise
    except Exception as error:
        raise RecipientFileError(FileProblem.XLSX_UNREADABLE, str(error)) from error
    finally:
        workbook.close()


def check_unpacked_size(content: bytes) -> None:
    """Refuse a workbook whose members declare more than 50 times its size, or over 200 MB."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise RecipientFileError(FileProblem.XLSX_UNREADABLE, str(error)) from error
    limit = min(MAX_XLSX_RATIO * len(content), MAX_XLSX_UNPACKED_BYTES)
    if unpacked > limit:
        raise RecipientFileError(
            FileProblem.XLSX_UNPACKS_TOO_LARGE,
            f"{unpacked} bytes unpacked from {len(content)}",
            unpacked_mb=max(1, unpacked // (1024 * 1024)),
            ratio=MAX_XLSX_RATIO,
            limit_mb=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024),
        )


def cell_text(value: object) -> str:
    """Show a spreadsheet value as text, without the `.0` Excel adds to numbers typed as phones."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
