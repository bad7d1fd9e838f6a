"""Whole-campaign reads of the `messages` table made to run in a worker thread: each returns a
function that reads over a read-only connection of its own (`reader_apart`), so a big
campaign's report, cost or figures never hold the event loop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sqlite_utils import Database

from storage.db import fields_of, read_at, reader_apart
from storage.messages import MessageRow, SubmitState, _row

_ACCEPTED_FIELDS = "SELECT fields FROM messages WHERE campaign_id = ? AND state = ? ORDER BY seq"


_FIELDS = "SELECT fields FROM messages WHERE campaign_id = ? ORDER BY seq"
_MESSAGE_COLUMNS = "SELECT name FROM pragma_table_info('messages') ORDER BY cid"


class MessageReaders:
    def __init__(self, db: Database) -> None:
        self.db = db

    def accepted_fields_reader(self, campaign_id: int) -> Callable[[], Iterable[dict[str, str]]]:
        """A function reading the fields of the accepted rows, to be called in a worker thread."""
        read = reader_apart(self.db, _ACCEPTED_FIELDS, [campaign_id, SubmitState.ACCEPTED.value])
        return lambda: fields_of(read())

    def fields_reader(self, campaign_id: int) -> Callable[[], Iterable[dict[str, str]]]:
        """A function reading the fields of every row of a campaign, in list order, to be called
        in a worker thread."""
        read = reader_apart(self.db, _FIELDS, [campaign_id])
        return lambda: fields_of(read())

    def report_errors_reader(
        self, campaign_id: int, *, undelivered_only: bool
    ) -> Callable[[], list[str]]:
        """The distinct errors of the rows a report lists, read by a function to be called in a
        worker thread: the file's words are chosen for them before the file is written."""
        where = _report_where(undelivered_only)
        read = reader_apart(
            self.db,
            f"SELECT DISTINCT error FROM messages WHERE {where} AND error IS NOT NULL",
            [campaign_id],
        )
        return lambda: [error for (error,) in read()]

    def rejections_reader(self, campaign_id: int) -> Callable[[], dict[str, int]]:
        """`rejections`, read by a function to be called in a worker thread."""
        read = reader_apart(
            self.db,
            "SELECT COALESCE(error, ''), COUNT(*) FROM messages WHERE campaign_id = ? "
            "AND state = 'rejected' GROUP BY 1 ORDER BY 2 DESC",
            [campaign_id],
        )
        return lambda: dict(read())


def accepted_fields_at(path: str, campaign_id: int) -> Iterator[dict[str, str]]:
    """The fields of the accepted rows in list order, read over a connection of their own to the
    file at `path` (from another process)."""
    return fields_of(read_at(path, _ACCEPTED_FIELDS, [campaign_id, SubmitState.ACCEPTED.value]))


def fields_at(path: str, campaign_id: int) -> Iterator[dict[str, str]]:
    """The fields of every row of a campaign in list order, read over a connection of their own
    to the file at `path` (from another process)."""
    return fields_of(read_at(path, _FIELDS, [campaign_id]))


def report_rows_at(path: str, campaign_id: int, *, undelivered_only: bool) -> list[MessageRow]:
    """The rows of a report file, read over a connection of their own to the file at `path`
    (from another process)."""
    columns = [name for (name,) in read_at(path, _MESSAGE_COLUMNS, [])]
    rows = read_at(path, _report_rows(undelivered_only), [campaign_id])
    return [_row(dict(zip(columns, values, strict=True))) for values in rows]


def _report_where(undelivered_only: bool) -> str:
    where = "campaign_id = ?"
    if undelivered_only:
        where += " AND NOT (state = 'accepted' AND COALESCE(status_class, '') = 'delivered')"
    return where


def _report_rows(undelivered_only: bool) -> str:
    return f"SELECT * FROM messages WHERE {_report_where(undelivered_only)} ORDER BY seq"
