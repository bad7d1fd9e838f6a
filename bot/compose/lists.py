"""Recipients from what people send: typed addresses or a file, parsed off the event loop.

The composer and /stoplist both read addresses this way; the composer then keeps the list, with
what it computed about its values, for the campaign it becomes.
"""

from __future__ import annotations

import asyncio
from functools import partial

from bot.compose.addresses import AddressKind
from bot.compose.coverage import Coverage
from bot.compose.inputs import parse_file
from bot.compose.recipients import RecipientList, parse_recipients_text
from bot.compose.rules import Problem
from storage.store import Store


def _stoplist(store: Store, leave_out_stopped: bool) -> set[str]:
    # Read here, on the loop's thread: the store's connection belongs to it.
    return store.stoplist.addresses() if leave_out_stopped else set()


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
    stoplist = _stoplist(store, leave_out_stopped)
    parse = partial(parse_recipients_text, stoplist=stoplist, mobile_only=mobile_only)
    return await asyncio.to_thread(parse, text, kind)


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
    stoplist = _stoplist(store, leave_out_stopped)
    return await asyncio.to_thread(parse_file, filename, content, kind, stoplist, mobile_only)


async def save_list(store: Store, owner_id: int, parsed: RecipientList) -> int:
    """Keep the valid recipients, and the rows left out with why, in the order of the upload.

    The rows to store and the list's placeholder coverage are prepared in a worker thread (for
    100,000 rows that is most of a second of Python), then stored off the loop as well."""

    def prepare() -> tuple[list, list, dict]:
        recipients = [(item.address, item.fields, item.zone) for item in parsed.valid]
        left_out = sorted(
            [(entry.line, entry.raw, entry.reason.value) for entry in parsed.invalid]
            + [(entry.line, entry.raw, entry.reason) for entry in parsed.dropped],
            key=lambda entry: entry[0],
        )
        return recipients, left_out, Coverage.of(parsed.valid, parsed.columns).to_data()

    recipients, left_out, coverage = await asyncio.to_thread(prepare)
    return await store.recipient_lists.save_off_loop(
        owner_id, recipients, parsed.columns, left_out, coverage
    )
