"""Recipients from what people send: typed addresses or a file, parsed off the event loop.

The composer and /stoplist both read addresses this way; the composer then keeps the list, with
what it computed about its values, for the campaign it becomes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from bot.compose.addresses import AddressKind
from bot.compose.conversation import RecipientsReport
from bot.compose.coverage import Coverage
from bot.compose.inputs import parse_file
from bot.compose.list_process import BIG_UPLOAD_BYTES, in_list_process
from bot.compose.recipients import RecipientList, parse_recipients_text
from bot.compose.rules import Problem
from storage.db import file_of
from storage.recipient_lists import save_at
from storage.stoplist import stoplist_at
from storage.store import Store


@dataclass(frozen=True)
class KeptList:
    """A list as the composer goes on with it: what reading it found, and the stored list (None
    when no address was valid, so nothing was stored)."""

    report: RecipientsReport
    list_id: int | None
    columns: tuple[str, ...]


def _stoplist(store: Store, leave_out_stopped: bool) -> Callable[[], set[str]]:
    """What reads the stop-list in the worker thread (a long one is tens of milliseconds)."""
    return store.stoplist.addresses_reader() if leave_out_stopped else set


async def recipients_from_text(
    store: Store,
    text: str,
    kind: AddressKind,
    *,
    mobile_only: bool = False,
    leave_out_stopped: bool = True,
) -> RecipientList:
    """Typed or pasted addresses, parsed in a worker thread.

    With `leave_out_stopped`, addresses on the stop-list are left out (and counted)."""
    read_stoplist = _stoplist(store, leave_out_stopped)

    def parse() -> RecipientList:
        return parse_recipients_text(text, kind, stoplist=read_stoplist(), mobile_only=mobile_only)

    return await asyncio.to_thread(parse)


async def recipients_from_file(
    store: Store,
    filename: str,
    content: bytes,
    kind: AddressKind,
    *,
    mobile_only: bool = False,
    leave_out_stopped: bool = True,
) -> RecipientList | Problem:
    """An uploaded .csv, .txt or .xlsx file, parsed in a worker thread, or why it was refused."""
    read_stoplist = _stoplist(store, leave_out_stopped)

    def parse() -> RecipientList | Problem:
        return parse_file(filename, content, kind, read_stoplist(), mobile_only)

    return await asyncio.to_thread(parse)


async def keep_recipients_file(
    store: Store,
    owner_id: int,
    filename: str,
    content: bytes,
    kind: AddressKind,
    *,
    mobile_only: bool = False,
) -> KeptList | Problem:
    """An uploaded .csv, .txt or .xlsx file read and its valid recipients stored (stop-listed
    addresses left out and counted), or why it was refused.

    A big file is read and stored in the list process (bot/compose/list_process.py), which
    reads the stop-list itself: only the report and the list's id come back. A small one is
    read in a worker thread."""
    path = file_of(store.db)
    if path is not None and len(content) >= BIG_UPLOAD_BYTES:
        return await in_list_process(
            read_and_store, path, owner_id, filename, content, kind, mobile_only
        )
    parsed = await recipients_from_file(store, filename, content, kind, mobile_only=mobile_only)
    if isinstance(parsed, Problem):
        return parsed
    return await keep_list(store, owner_id, parsed)


def read_and_store(
    path: str,
    owner_id: int,
    filename: str,
    content: bytes,
    kind: AddressKind,
    mobile_only: bool,
) -> KeptList | Problem:
    """In the list process: read the file, leaving out the stop-listed addresses, and store its
    list, over connections of its own."""
    parsed = parse_file(filename, content, kind, stoplist_at(path), mobile_only)
    if isinstance(parsed, Problem):
        return parsed
    report = RecipientsReport.of(parsed)
    if not parsed.valid:
        return KeptList(report, None, tuple(parsed.columns))
    recipients, left_out, coverage = _rows_of(parsed)
    list_id = save_at(path, owner_id, recipients, list(parsed.columns), left_out, coverage)
    return KeptList(report, list_id, tuple(parsed.columns))


async def keep_list(store: Store, owner_id: int, parsed: RecipientList) -> KeptList:
    """Keep a parsed list's valid recipients, and the rows left out with why, in the order of
    the upload; nothing is stored when no address was valid.

    The rows to store and the list's placeholder coverage are prepared in a worker thread (for
    100,000 rows that is most of a second of Python), then stored off the loop as well."""
    report = RecipientsReport.of(parsed)
    if not parsed.valid:
        return KeptList(report, None, tuple(parsed.columns))
    recipients, left_out, coverage = await asyncio.to_thread(_rows_of, parsed)
    list_id = await store.recipient_lists.save_off_loop(
        owner_id, recipients, parsed.columns, left_out, coverage
    )
    return KeptList(report, list_id, tuple(parsed.columns))


def _rows_of(parsed: RecipientList) -> tuple[list, list, dict]:
    """The rows to store, the rows left out (in the order of the upload) and the coverage."""
    recipients = [(item.address, item.fields, item.zone) for item in parsed.valid]
    left_out = sorted(
        [(entry.line, entry.raw, entry.reason.value) for entry in parsed.invalid]
        + [(entry.line, entry.raw, entry.reason) for entry in parsed.dropped],
        key=lambda entry: entry[0],
    )
    return recipients, left_out, Coverage.of(parsed.valid, parsed.columns).to_data()
