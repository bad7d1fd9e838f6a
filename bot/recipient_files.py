"""Turning an uploaded recipient file into text or rows of cells, refusing what cannot be read.

This module knows about encodings, CSV dialects and workbooks, nothing about addresses.
"""

import codecs
import csv
import datetime
import io
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from pathlib import PurePath

import openpyxl

MAX_FILE_BYTES = 20 * 1024 * 1024
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
    """A recipient file that cannot be used at all; `code` says why, `detail` adds specifics."""

    def __init__(self, code: FileProblem, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail


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
    return text


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
    next_line = 1
    try:
        for cells in reader:
            yield next_line, cells
            next_line = reader.line_num + 1
    except csv.Error as error:
        raise RecipientFileError(
            FileProblem.CSV_UNREADABLE, f"line {reader.line_num}: {error}"
        ) from error


def xlsx_rows(content: bytes) -> Iterator[Row]:
    """Yield the rows of the workbook's active sheet as text cells, numbered as in Excel."""
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
            yield number, [cell_text(value) for value in values]
    except RecipientFileError:
        raise
    except Exception as error:
        raise RecipientFileError(FileProblem.XLSX_UNREADABLE, str(error)) from error
    finally:
        workbook.close()


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
