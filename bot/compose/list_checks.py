"""Decisions that read the stored recipient list: what the card shows of it, whether every
recipient has what the text needs, which step comes next, whether a template name is free.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace

from bot.compose.conversation import ListSummary
from bot.compose.coverage import Coverage
from bot.compose.list_process import BIG_LIST_ROWS, in_list_process
from bot.compose.placeholders import (
    has_values,
    placeholder_values,
    placeholders_in,
    required_columns,
    required_placeholders,
    unknown_columns,
    used_columns,
)
from bot.compose.recipients import LACKING_VALUE, Recipient
from bot.compose.rules import (
    MAX_TEMPLATE_NAME_CHARS,
    Problem,
    Reason,
    Step,
    charset_problem,
    check_sender,
    check_text,
    needs_text,
)
from bot.config import Settings
from bot.links.tracking import as_sent
from bot.platform.charsets import codec_for
from storage.campaigns import Draft
from storage.db import file_of
from storage.recipient_lists import items_at, left_out_at, save_at
from storage.store import Store

SAMPLE_SIZE = 1000  # recipients whose rendered texts are measured for the SMS total
SHOWN_ADDRESSES = 5

log = logging.getLogger(__name__)


def summarize_list(store: Store, list_id: int | None) -> ListSummary:
    """Read the summary of a stored list; an empty one when there is no list yet."""
    if not list_id:
        return ListSummary()
    sample = list(store.recipient_lists.items(list_id, limit=SAMPLE_SIZE))
    return ListSummary(
        size=store.recipient_lists.size(list_id),
        first_addresses=tuple(address for address, _ in sample[:SHOWN_ADDRESSES]),
        columns=tuple(store.recipient_lists.columns(list_id)),
        sample_fields=tuple(fields for _, fields in sample),
        left_out=store.recipient_lists.left_out_counts(list_id),
        zones=store.recipient_lists.zones(list_id),
    )


def check_placeholders(draft: Draft, store: Store, list_id: int) -> Problem | None:
    """A field the text needs that the list has no column for, recipients lacking a value the
    text or HTML text uses (without a fallback), or a value the charset cannot carry.

    Answered from the list's coverage, computed when it was read: the rows are not read again,
    except the one row named when a value does not fit the charset."""
    columns = store.recipient_lists.columns(list_id)
    html_names = used_columns(draft.html_text or "", columns)
    names = list(dict.fromkeys([*placeholders_in(draft.text), *html_names]))
    if not names:
        return None
    required = _required_fields(draft, columns)
    unknown = unknown_columns(required, columns)
    if unknown:
        return Problem(Reason.PLACEHOLDER_UNKNOWN, {"names": unknown, "columns": columns})
    coverage = list_coverage(store, list_id)
    lacking = coverage.lacking(required)
    if lacking is not None:
        return Problem(
            Reason.PLACEHOLDER_MISSING,
            {
                "names": lacking.names,
                "count": lacking.count,
                "examples": lacking.examples,
                "total": coverage.size,
            },
        )
    return _value_charset_problem(names, coverage, store, list_id, draft.charset)


def list_coverage(store: Store, list_id: int) -> Coverage:
    """The list's coverage as stored with it; a list stored without one gets it now, once."""
    data = store.recipient_lists.coverage(list_id)
    if data is not None:
        return Coverage.from_data(data)
    log.info("recipient list %s has no coverage stored; reading it once", list_id)
    recipients = (
        Recipient(address, fields) for address, fields in store.recipient_lists.items(list_id)
    )
    coverage = Coverage.of(recipients, store.recipient_lists.columns(list_id))
    store.recipient_lists.set_coverage(list_id, coverage.to_data())
    return coverage


Kept = list[tuple[str, Mapping[str, str], str | None]]


async def leave_out_lacking(
    draft: Draft, store: Store, list_id: int, owner_id: int
) -> tuple[int, int]:
    """A copy of the list without the recipients lacking a value the text needs:
    (new list id, how many were left out).

    The rows are read, sorted and stored again in worker threads, or for a big list in the list
    process (bot/compose/list_process.py), which stores the copy itself: a 100,000-row list
    does not hold the event loop."""
    columns = store.recipient_lists.columns(list_id)
    required = _required_fields(draft, columns)
    path = file_of(store.db)
    if path is not None and store.recipient_lists.size(list_id) >= BIG_LIST_ROWS:
        return await in_list_process(
            store_without_lacking, path, list_id, owner_id, columns, required
        )
    before = store.recipient_lists.left_out(list_id)
    read = store.recipient_lists.items_reader(list_id)

    def split() -> tuple[Kept, list, Coverage]:
        return split_lacking(read(), before, columns, required)

    kept, dropped, coverage = await asyncio.to_thread(split)
    new_list = await store.recipient_lists.save_off_loop(
        owner_id, kept, columns, dropped, coverage.to_data()
    )
    return new_list, len(dropped) - len(before)


def store_without_lacking(
    path: str, list_id: int, owner_id: int, columns: list[str], required: list[str]
) -> tuple[int, int]:
    """In the list process: `leave_out_lacking` over connections of its own to the file."""
    before = left_out_at(path, list_id)
    kept, dropped, coverage = split_lacking(items_at(path, list_id), before, columns, required)
    new_list = save_at(path, owner_id, kept, columns, dropped, coverage.to_data())
    return new_list, len(dropped) - len(before)


def split_lacking(
    items: Iterable[tuple[str, Mapping[str, str], str | None]],
    before: list[tuple[int | None, str, str]],
    columns: list[str],
    required: list[str],
) -> tuple[Kept, list[tuple[int | None, str, str]], Coverage]:
    """The recipients who have every required value, the rows left out (those left out before,
    then the ones lacking a value) and the kept list's coverage."""
    kept: Kept = []
    dropped = list(before)
    for address, fields, zone in items:
        if has_values(fields, required):
            kept.append((address, fields, zone))
        else:
            dropped.append((None, address, LACKING_VALUE))
    recipients = (Recipient(address, fields) for address, fields, _zone in kept)
    return kept, dropped, Coverage.of(recipients, columns)


def _required_fields(draft: Draft, columns: list[str]) -> list[str]:
    """The fields every recipient needs: used without a fallback in the text, or in the HTML
    text where they name a column."""
    html_required = required_columns(draft.html_text or "", columns)
    return list(dict.fromkeys([*required_placeholders(draft.text), *html_required]))


def check_list_values(draft: Draft, store: Store, list_id: int | None) -> Problem | None:
    """Whether every recipient of the list has what the draft's placeholders need (none yet: yes)."""
    return check_placeholders(draft, store, list_id) if list_id else None


def _value_charset_problem(
    names: list[str], coverage: Coverage, store: Store, list_id: int, charset: str | None
) -> Problem | None:
    """The first recipient whose placeholder values the charset cannot carry."""
    if charset_problem("", charset) is not None or codec_for(charset) == "utf-8":
        return None  # UTF-8 carries every value; an unknown charset is reported for the text
    position = coverage.first_use(names, lambda char: charset_problem(char, charset) is not None)
    item = store.recipient_lists.item(list_id, position) if position is not None else None
    if item is None:
        return None
    address, fields = item
    problem = charset_problem("".join(placeholder_values(names, fields)), charset)
    if problem is None:
        return None
    return replace(problem, details={**problem.details, "position": position, "address": address})


def next_step(
    draft: Draft, list_id: int | None, store: Store, settings: Settings
) -> tuple[Step, Problem | None]:
    """The first step whose answer is missing or no longer valid, with the reason if invalid.

    Lengths are measured as recipients will get the text: with tracked links, each address as
    long as its short link.
    """
    if draft.type not in settings.pulse_types:
        return Step.TYPE, None
    sender_problem = check_sender(draft.type, draft.sender)
    if sender_problem is not None:
        return Step.SENDER, sender_problem if draft.sender else None
    if not list_id or not store.recipient_lists.size(list_id):
        return Step.RECIPIENTS, None
    if not needs_text(draft.type):
        return Step.PREVIEW, None
    if not draft.text:
        return Step.TEXT, None
    measure = as_sent(settings.public_url, settings.tracks_links)
    problem = check_text(draft, summarize_list(store, list_id), measure) or check_placeholders(
        draft, store, list_id
    )
    if problem is not None:
        return Step.TEXT, problem
    return Step.PREVIEW, None


def parse_template_name(text: str, store: Store) -> str | Problem:
    name = " ".join(text.split())
    if not name or len(name) > MAX_TEMPLATE_NAME_CHARS:
        return Problem(Reason.BAD_TEMPLATE_NAME, {"limit": MAX_TEMPLATE_NAME_CHARS})
    if store.templates.named(name) is not None:
        return Problem(Reason.TEMPLATE_NAME_TAKEN, {"name": name})
    return name
