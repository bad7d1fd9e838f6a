"""A big list is copied into its campaign in short transactions: the loop's own writes go on
between them, and a stop in the middle leaves nothing that could send twice or never."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.sending import creation
from bot.sending.creation import AlreadyLaunched, NewCampaign, create_off_loop
from storage.campaigns import CampaignState, Draft
from storage.message_times import MessageTimes
from storage.messages import SubmitState
from storage.schedules import Schedule, ScheduleMode
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.sending_harness import Harness, make_harness, phones, settle
from tests.test_schedule_world import DAY, OWNER, open_world

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


@pytest.mark.parametrize("mode", [ScheduleMode.BOT, ScheduleMode.PLATFORM])
async def test_a_send_at_local_times_gives_every_piece_of_a_big_list_its_zones_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: ScheduleMode
) -> None:
    """The rows' own times are set with each piece of the copy, not in one last long write."""
    monkeypatch.setattr(creation, "COPY_CHUNK_ROWS", PIECE)
    timed: list[tuple[int, int] | None] = []
    setter = "wait_until" if mode is ScheduleMode.BOT else "set_sent_dates"
    real = getattr(MessageTimes, setter)

    def times_rows(
        self: MessageTimes, campaign_id: int, moments: dict, seqs: object = None
    ) -> object:
        timed.append(seqs)
        return real(self, campaign_id, moments, seqs)

    monkeypatch.setattr(MessageTimes, setter, times_rows)
    async with open_world(tmp_path) as world:
        zone_of = {n: None if n % 2 else "Asia/Vladivostok" for n in range(ROWS)}
        items = [(f"7900{n:07d}", {}, zone) for n, zone in zone_of.items()]
        list_id = world.store.recipient_lists.save(OWNER, items, [])

        schedule = await world.service.schedule(
            world.draft(),
            list_id,
            start=DAY.replace(day=4, hour=10),
            mode=mode,
            recurrence=None,
            owner_id=OWNER,
            owner_chat_id=OWNER,
            local=True,
        )

        assert isinstance(schedule, Schedule)
        assert timed == [(1, 100), (101, 200), (201, 250)]  # with each piece, in its transaction
        rows = world.store.messages.rows(schedule.campaign_id)
        assert len(rows) == ROWS
        by_zone: dict[str | None, set[tuple[str, str | None, str | None]]] = {}
        for row in rows:
            by_zone.setdefault(row.zone, set()).add(
                (row.state.value, row.not_before, row.sent_date)
            )
        # Ten in Vladivostok is midnight UTC, ten in Moscow (the team's zone) 07:00 UTC.
        if mode is ScheduleMode.BOT:
            assert by_zone == {
                "Asia/Vladivostok": {("waiting", "2031-03-04T00:00:00.000+00:00", None)},
                None: {("waiting", "2031-03-04T07:00:00.000+00:00", None)},
            }
        else:
            assert by_zone == {
                "Asia/Vladivostok": {("new", None, "2031-03-04 03:00")},
                None: {("new", None, "2031-03-04 10:00")},
            }
