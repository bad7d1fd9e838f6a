"""Changes to the stop-list from what people send: addresses read, then added or removed.

A big file (an opt-out export of 100,000 addresses) is read and the stop-list changed in the
list process (bot/compose/list_process.py), over a connection of its own: reading it is half a
second of Python and storing it a third of a second more, too long beside the event loop. Only
what the answer shows comes back. A typed list or a small file is read in a worker thread and
stored here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.compose.addresses import AddressKind
from bot.compose.conversation import RecipientsReport
from bot.compose.inputs import parse_file
from bot.compose.list_process import BIG_UPLOAD_BYTES, in_list_process
from bot.compose.lists import recipients_from_file, recipients_from_text
from bot.compose.recipients import RecipientList
from bot.compose.rules import Problem
from storage.audit import AuditLog
from storage.db import file_of, open_apart
from storage.stoplist import StopList
from storage.store import Store

KIND = AddressKind.PHONE_OR_EMAIL


@dataclass(frozen=True)
class StopListChange:
    """What reading found, and how many addresses the change touched (0 when none was valid,
    and nothing was changed)."""

    report: RecipientsReport
    changed: int


async def change_from_text(
    store: Store, text: str, *, adding: bool, user_id: int
) -> StopListChange:
    """Typed or pasted addresses added to the stop-list or removed from it."""
    parsed = await recipients_from_text(store, text, KIND, leave_out_stopped=False)
    return _change(store.stoplist, parsed, adding, user_id)


async def change_from_file(
    store: Store, filename: str, content: bytes, *, adding: bool, user_id: int
) -> StopListChange | Problem:
    """An uploaded file's addresses added or removed, or why the file was refused."""
    path = file_of(store.db)
    if path is not None and len(content) >= BIG_UPLOAD_BYTES:
        return await in_list_process(change_at, path, filename, content, adding, user_id)
    parsed = await recipients_from_file(store, filename, content, KIND, leave_out_stopped=False)
    if isinstance(parsed, Problem):
        return parsed
    return _change(store.stoplist, parsed, adding, user_id)


def change_at(
    path: str, filename: str, content: bytes, adding: bool, user_id: int
) -> StopListChange | Problem:
    """In the list process: read the file and change the stop-list over a connection of its own."""
    parsed = parse_file(filename, content, KIND, set(), False)
    if isinstance(parsed, Problem):
        return parsed
    if not parsed.valid:
        return StopListChange(RecipientsReport.of(parsed), 0)
    db = open_apart(path)
    try:
        return _change(StopList(db, AuditLog(db)), parsed, adding, user_id)
    finally:
        db.close()


def _change(
    stoplist: StopList, parsed: RecipientList, adding: bool, user_id: int
) -> StopListChange:
    addresses = [recipient.address for recipient in parsed.valid]
    if not addresses:
        changed = 0
    elif adding:
        changed = stoplist.add(addresses, user_id)
    else:
        changed = stoplist.remove(addresses, user_id)
    return StopListChange(RecipientsReport.of(parsed), changed)
