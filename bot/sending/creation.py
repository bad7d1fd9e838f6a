"""A campaign made from a draft and a recipient list, once: its row, the list's claim, one row per
recipient and the audit record, whole or not at all.

`create_campaign` does it in one transaction, for the few rows of a test message and for
callers that already hold one. The Send button and the schedules use `create_off_loop`, whose
time grows with the list, so it runs in a worker thread over a connection of its own and in
short transactions: SQLite has one write lock, and a 100,000-row copy held in one transaction
would keep every write of the event loop (grouped status commits, conversation saves) waiting
behind it. The steps:

1. The campaign is made `preparing` and the list claimed: a second press finds the list taken.
   A preparing campaign is never submitted, listed or counted in any figure.
2. The list's items are copied `COPY_CHUNK_ROWS` at a time by ranges of their numbers, each
   range its own transaction; a row already copied is left as it is, so a range copied twice
   adds nothing.
3. The last transaction moves the campaign to its state (`submitting`, or `scheduled`), writes
   the audit record and whatever the caller adds (a schedule's row): only then is it a campaign.

If a step fails, the campaign and its rows are removed and the list is released, so the author
may press Send again. A stop between the steps leaves a preparing campaign: at the next start
(`discard_unprepared`, before anything is resumed) it is removed in the same way, never
completed, because the author was never told it exists and a schedule that was to be written
with it in step 3 is not there; the list is free again for a new Send.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from storage.campaigns import CampaignState, Draft
from storage.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

# About 40 ms of the write lock per piece on a 2-core machine: a loop-side write waits at most
# that long, and a 100,000-row list takes twenty pieces.
COPY_CHUNK_ROWS = 5000


class AlreadyLaunched(Exception):
    """The recipient list was already used by a campaign: nothing new was created."""

    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"the recipient list already belongs to campaign {campaign_id}")
        self.campaign_id = campaign_id


@dataclass(frozen=True)
class NewCampaign:
    """What a campaign is made of, and how the program will submit it."""

    draft: Draft
    list_id: int
    author_id: int
    author_chat_id: int
    scheduled: bool
    sandbox: bool
    callbacks: bool
    # One message to the author's own address: cards in their chat only, counted in no figures.
    test: bool = False


def create_campaign(store: Store, new: NewCampaign) -> int:
    """Create the campaign in one transaction (a savepoint of the caller's); returns its id.

    Raises AlreadyLaunched when the list was already used, ValueError when it is missing or
    empty.
    """
    lists = store.recipient_lists
    with store.db.atomic():
        owner = lists.claimed_by(new.list_id)
        if owner is not None:
            raise AlreadyLaunched(owner)
        size = lists.size(new.list_id)
        if size == 0:
            raise ValueError(f"recipient list {new.list_id} is missing or empty")
        draft = new.draft
        if not draft.columns:
            draft = replace(draft, columns=lists.columns(new.list_id))
        campaign_id = store.campaigns.create(
            draft,
            author_id=new.author_id,
            author_chat_id=new.author_chat_id,
            state=CampaignState.SCHEDULED if new.scheduled else CampaignState.SUBMITTING,
            sandbox=new.sandbox,
            callbacks=new.callbacks,
            recipient_count=size,
            test=new.test,
        )
        if not lists.claim(new.list_id, campaign_id):
            raise AlreadyLaunched(lists.claimed_by(new.list_id) or 0)  # rolls everything back
        count = store.messages.copy_from_list(campaign_id, new.list_id)
        if count != size:
            store.campaigns.set_recipient_count(campaign_id, count)
        store.audit.record(
            new.author_id,
            "test_send" if new.test else "schedule" if new.scheduled else "send",
            campaign_id=campaign_id,
            type=draft.type,
            sender=draft.sender,
            recipients=count,
            sandbox=new.sandbox,
        )
    log.info(
        "campaign %s created by %s: %s, %d recipients%s",
        campaign_id,
        new.author_id,
        draft.type,
        count,
        ", scheduled" if new.scheduled else "",
    )
    return campaign_id


async def create_off_loop(
    store: Store,
    new: NewCampaign,
    *,
    chunk_rows: int | None = None,
    between_chunks: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """Create the campaign in a worker thread in short transactions (see the module's
    docstring); returns its id. Raises AlreadyLaunched and ValueError as `create_campaign`."""
    return await prepare_off_loop(
        store,
        new,
        lambda _store, campaign_id: campaign_id,
        chunk_rows=chunk_rows,
        between_chunks=between_chunks,
    )


async def prepare_off_loop(
    store: Store,
    new: NewCampaign,
    then: Callable[[Store, int], T],
    *,
    shape: Callable[[Store, int, tuple[int, int]], None] | None = None,
    chunk_rows: int | None = None,
    between_chunks: Callable[[int], Awaitable[None]] | None = None,
) -> T:
    """`create_off_loop` whose last transaction also runs `then(store, campaign_id)` (in the
    worker thread, on its connection) and returns what it returns: what must exist with the
    campaign or not at all. `shape(store, campaign_id, (first, last))` runs in each piece's
    transaction after its rows are copied, for what is set on the rows themselves (their zones'
    times), so that too holds the lock a piece at a time. `between_chunks(rows copied)` is
    awaited on the loop after each piece, outside every transaction.

    The first transaction takes the write lock before it reads whether the list is free, so
    two presses at once are ordered by SQLite: one creates, the other finds the list claimed.
    """
    step = chunk_rows or COPY_CHUNK_ROWS
    campaign_id, bounds = await store.write_off_loop(lambda apart: _begin(apart, new))
    try:
        low, high = bounds
        copied = 0
        for first in range(low, high + 1, step):
            piece = (first, min(first + step - 1, high))
            copied += await store.write_off_loop(
                lambda apart, piece=piece: _copy_piece(apart, new, campaign_id, piece, shape)
            )
            if between_chunks is not None:
                await between_chunks(copied)
        return await store.write_off_loop(lambda apart: _complete(apart, new, campaign_id, then))
    except Exception:
        await store.write_off_loop(lambda apart: _discard(apart, campaign_id))
        raise


def _begin(store: Store, new: NewCampaign) -> tuple[int, tuple[int, int]]:
    """The preparing campaign and the list's claim; its id and the list's item numbers."""
    lists = store.recipient_lists
    owner = lists.claimed_by(new.list_id)
    if owner is not None:
        raise AlreadyLaunched(owner)
    size = lists.size(new.list_id)
    bounds = lists.seq_bounds(new.list_id)
    if size == 0 or bounds is None:
        raise ValueError(f"recipient list {new.list_id} is missing or empty")
    draft = new.draft
    if not draft.columns:
        draft = replace(draft, columns=lists.columns(new.list_id))
    campaign_id = store.campaigns.create(
        draft,
        author_id=new.author_id,
        author_chat_id=new.author_chat_id,
        state=CampaignState.PREPARING,
        sandbox=new.sandbox,
        callbacks=new.callbacks,
        recipient_count=size,
        test=new.test,
    )
    if not lists.claim(new.list_id, campaign_id):
        raise AlreadyLaunched(lists.claimed_by(new.list_id) or 0)  # rolls everything back
    return campaign_id, bounds


def _copy_piece(
    store: Store,
    new: NewCampaign,
    campaign_id: int,
    piece: tuple[int, int],
    shape: Callable[[Store, int, tuple[int, int]], None] | None,
) -> int:
    copied = store.messages.copy_from_list(campaign_id, new.list_id, piece)
    if shape is not None:
        shape(store, campaign_id, piece)
    return copied


def _complete(
    store: Store, new: NewCampaign, campaign_id: int, then: Callable[[Store, int], T]
) -> T:
    ready = CampaignState.SCHEDULED if new.scheduled else CampaignState.SUBMITTING
    if not store.campaigns.move(campaign_id, (CampaignState.PREPARING,), ready):
        raise RuntimeError(f"campaign {campaign_id} was removed while its recipients were copied")
    count = store.messages.count(campaign_id)
    campaign = store.campaigns.get(campaign_id)
    if campaign is not None and campaign.recipient_count != count:
        store.campaigns.set_recipient_count(campaign_id, count)
    store.audit.record(
        new.author_id,
        "test_send" if new.test else "schedule" if new.scheduled else "send",
        campaign_id=campaign_id,
        type=new.draft.type,
        sender=new.draft.sender,
        recipients=count,
        sandbox=new.sandbox,
    )
    result = then(store, campaign_id)
    log.info(
        "campaign %s created by %s: %s, %d recipients%s",
        campaign_id,
        new.author_id,
        new.draft.type,
        count,
        ", scheduled" if new.scheduled else "",
    )
    return result


def _discard(store: Store, campaign_id: int) -> None:
    store.recipient_lists.release(campaign_id)
    store.campaigns.discard(campaign_id)


async def discard_unprepared(store: Store) -> list[int]:
    """Remove the campaigns a stop left preparing, with their rows, and free their lists;
    returns their ids. Called at start, before anything is resumed."""

    def discard_all(apart: Store) -> list[int]:
        left = [campaign.id for campaign in apart.campaigns.with_state(CampaignState.PREPARING)]
        for campaign_id in left:
            _discard(apart, campaign_id)
        return left

    discarded = await store.write_off_loop(discard_all)
    for campaign_id in discarded:
        log.warning(
            "campaign %s was still being prepared at the last stop: removed, its list free again",
            campaign_id,
        )
    return discarded
