"""A big list is copied into its campaign in short transactions: the loop's own writes go on
between them, and a stop in the middle leaves nothing that could send twice or never."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.sending.creation import AlreadyLaunched, NewCampaign, create_off_loop
from storage.campaigns import CampaignState, Draft
from storage.messages import SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.sending_harness import Harness, make_harness, phones, settle

DRAFT = Draft(type="sms", sender="Shop", text="Hello")
ROWS = 250
PIECE = 100


class Stopped(BaseException):
    """The process ends here: nothing after it runs, not even the clean-up of a failure."""


def new_campaign(list_id: int) -> NewCampaign:
    return NewCampaign(DRAFT, list_id, ADMIN, ADMIN, scheduled=False, sandbox=False, callbacks=True)


def read_beside(harness: Harness, query: str, params: list[object]) -> list[tuple]:
    """What another connection sees committed."""
    connection = sqlite3.connect(harness.settings.data_dir / "pulse.db")
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def sends_audited(harness: Harness) -> list[int]:
    return [
        entry["details"]["campaign_id"]
        for entry in harness.store.audit.recent()
        if entry["action"] == "send"
    ]


async def test_a_write_of_the_loop_commits_between_the_pieces_of_a_copy(
    tmp_path: Path, platform: FakePlatform
) -> None:
    """Between two pieces the loop writes on the program's connection: were the copy one
    transaction, that write would wait for the write lock and fail with `database is locked`."""
    harness = await make_harness(tmp_path, None, platform)
    seen: list[tuple[int, list[tuple], list[tuple], list[int], list[int]]] = []

    async def loop_writes(copied: int) -> None:
        harness.store.kv.set("written-by-the-loop", str(copied))
        committed = read_beside(
            harness, "SELECT value FROM kv WHERE key = ?", ["written-by-the-loop"]
        )
        in_campaign = read_beside(harness, "SELECT state, recipient_count FROM campaigns", [])
        listed = [campaign.id for campaign in harness.store.campaigns.recent()]
        seen.append((copied, committed, in_campaign, listed, sends_audited(harness)))

    try:
        list_id = harness.new_list(phones(ROWS))
        campaign_id = await create_off_loop(
            harness.store, new_campaign(list_id), chunk_rows=PIECE, between_chunks=loop_writes
        )

        assert [copied for copied, *_ in seen] == [100, 200, 250]
        _, committed, in_campaign, listed, audited = seen[0]
        assert committed == [("100",)]  # the loop's write is on disk with a third of the copy
        assert in_campaign == [(CampaignState.PREPARING.value, ROWS)]
        assert listed == []  # not shown while it is made
        assert audited == []  # nor audited
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTING
        assert harness.states(campaign_id) == {SubmitState.NEW: ROWS}
        assert sends_audited(harness) == [campaign_id]
    finally:
        await harness.close()


async def test_a_stop_between_pieces_leaves_nothing_sent_and_the_list_free_after_the_restart(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        list_id = harness.new_list(phones(ROWS))

        async def stop_after_the_first_piece(copied: int) -> None:
            raise Stopped

        with pytest.raises(Stopped):
            await create_off_loop(
                harness.store,
                new_campaign(list_id),
                chunk_rows=PIECE,
                between_chunks=stop_after_the_first_piece,
            )
        [(half_made, state)] = read_beside(harness, "SELECT id, state FROM campaigns", [])
        assert state == CampaignState.PREPARING.value
        assert harness.store.messages.count(half_made) == PIECE
        with pytest.raises(AlreadyLaunched) as refused:  # the list stays claimed meanwhile
            await harness.sender.create_off_loop(
                DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN
            )
        assert refused.value.campaign_id == half_made
    finally:
        await harness.close()

    restarted = await make_harness(tmp_path, None, platform)
    try:
        await restarted.sender.resume_after_restart()

        assert restarted.store.campaigns.get(half_made) is None
        assert restarted.store.messages.count(half_made) == 0
        assert restarted.store.recipient_lists.claimed_by(list_id) is None
        assert sends_audited(restarted) == []
        assert platform.requests == []

        campaign_id = await restarted.sender.create_off_loop(
            DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN
        )
        restarted.sender.launch(campaign_id)
        await settle(restarted, campaign_id)
        assert restarted.states(campaign_id) == {SubmitState.ACCEPTED: ROWS}
    finally:
        await restarted.close()


async def test_a_piece_copied_twice_adds_no_row(tmp_path: Path, platform: FakePlatform) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        list_id = harness.new_list(phones(ROWS))
        campaign_id = await create_off_loop(harness.store, new_campaign(list_id), chunk_rows=PIECE)

        again = harness.store.messages.copy_from_list(campaign_id, list_id, (101, 200))

        assert again == 0
        assert harness.store.messages.count(campaign_id) == ROWS
    finally:
        await harness.close()
