"""A campaign made from a draft and a recipient list, once: its row, the list's claim, one row per
recipient and the audit record commit together or not at all.

The recipients are copied by one `INSERT … SELECT`, whose time grows with the list: the Send
button runs it in a worker thread over a connection of its own (`create_off_loop`), so a
100,000-row list does not hold the event loop. A second press finds the list claimed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from storage.campaigns import CampaignState, Draft
from storage.store import Store

log = logging.getLogger(__name__)


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


async def create_off_loop(store: Store, new: NewCampaign) -> int:
    """`create_campaign` in a worker thread over a connection of its own.

    The transaction takes the write lock before it reads whether the list is free, so two
    presses at once are ordered by SQLite: one creates, the other finds the list claimed.
    """
    return await store.write_off_loop(lambda apart: create_campaign(apart, new))
