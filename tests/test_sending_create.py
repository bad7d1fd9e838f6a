"""Creating and starting campaigns: a list is used once, scheduled ones wait, launches are idempotent."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.sending.creation import AlreadyLaunched
from bot.sending.from_settings import callback_base
from storage.campaigns import CampaignState, Draft
from storage.messages import Messages, SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import Harness, make_harness, make_settings, phones, settle

DRAFT = Draft(type="sms", sender="Shop", text="Hello")


def campaign_actions(harness: Harness) -> list[str]:
    """What was done to campaigns, oldest first (the admins' bootstrap is audited too)."""
    entries = reversed(harness.store.audit.recent())
    return [entry["action"] for entry in entries if "campaign_id" in entry["details"]]


async def test_a_second_send_of_the_same_list_raises_and_creates_nothing(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        list_id = harness.new_list(phones(3))
        first = harness.sender.create(DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN)
        with pytest.raises(AlreadyLaunched) as raised:
            harness.sender.create(DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN)

        assert raised.value.campaign_id == first
        assert [campaign.id for campaign in harness.store.campaigns.recent()] == [first]
        assert harness.states(first) == {SubmitState.NEW: 3}
        assert campaign_actions(harness) == ["send"]
        assert harness.store.campaigns.get(first).recipient_count == 3
    finally:
        await harness.close()


async def test_launching_twice_submits_each_recipient_once(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.latency = 0.01
    harness = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    try:
        campaign_id = harness.start(addresses=phones(10))
        harness.sender.launch(campaign_id)
        await settle(harness, campaign_id)
        harness.sender.launch(campaign_id)  # submitted already: nothing to do
        await settle(harness, campaign_id)

        assert platform.received == dict.fromkeys(phones(10), 1)
        assert len(platform.requests) == 10
    finally:
        await harness.close()


async def test_a_scheduled_campaign_waits_until_launched_and_can_be_cancelled(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        waiting = harness.sender.create(
            DRAFT,
            harness.new_list(phones(2)),
            author_id=ADMIN,
            author_chat_id=ADMIN,
            scheduled=True,
        )
        cancelled = harness.sender.create(
            DRAFT,
            harness.new_list(phones(2, start=10)),
            author_id=ADMIN,
            author_chat_id=ADMIN,
            scheduled=True,
        )
        assert harness.campaign_state(waiting) is CampaignState.SCHEDULED
        assert harness.sender.cancel_scheduled(cancelled, actor_id=ADMIN)
        assert not harness.sender.cancel_scheduled(cancelled, actor_id=ADMIN)

        harness.sender.launch(cancelled)
        harness.sender.launch(waiting)
        await settle(harness, waiting)

        assert not harness.sender.cancel_scheduled(waiting)
        assert harness.campaign_state(waiting) is CampaignState.SUBMITTED
        assert harness.campaign_state(cancelled) is CampaignState.CANCELLED
        assert set(platform.received) == set(phones(2))
        assert campaign_actions(harness) == ["schedule", "schedule", "cancel"]
    finally:
        await harness.close()


async def test_an_empty_or_missing_list_is_refused(tmp_path: Path, platform: FakePlatform) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        with pytest.raises(ValueError, match="empty"):
            harness.sender.create(DRAFT, 999, author_id=ADMIN, author_chat_id=ADMIN)
        assert harness.store.campaigns.recent() == []
    finally:
        await harness.close()


def test_callbacks_go_to_the_public_url_or_the_sandbox_reaches_its_own_endpoint(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    url = "http://127.0.0.1:9/api/v1"
    public = make_settings(tmp_path, telegram, url, public_url="https://bot.example.com")
    sandbox = make_settings(tmp_path, telegram, url, public_url="", pulse_token="", web_port=8099)
    real = make_settings(tmp_path, telegram, url, public_url="")

    assert callback_base(public) == "https://bot.example.com"
    assert callback_base(sandbox) == "http://127.0.0.1:8099"
    assert callback_base(real) is None


async def test_send_copies_the_recipients_in_a_worker_thread_while_the_loop_goes_on(
    tmp_path: Path, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy waits, inside its transaction, until the loop has answered a read of its own:
    were it run on the loop's thread, the loop could not answer and the wait would fail."""
    harness = await make_harness(tmp_path, None, platform)
    loop = asyncio.get_running_loop()
    copying = asyncio.Event()
    loop_answered = threading.Event()
    copied_in: list[threading.Thread] = []
    copy = Messages.copy_from_list

    def copy_beside_the_loop(
        self: Messages, campaign_id: int, list_id: int, seqs: tuple[int, int] | None = None
    ) -> int:
        copied_in.append(threading.current_thread())
        loop.call_soon_threadsafe(copying.set)
        assert loop_answered.wait(timeout=10), "the loop did not run while the list was copied"
        return copy(self, campaign_id, list_id, seqs)

    async def another_user() -> list[int]:
        await copying.wait()
        seen = [campaign.id for campaign in harness.store.campaigns.recent()]  # beside the writer
        loop_answered.set()
        return seen

    monkeypatch.setattr(Messages, "copy_from_list", copy_beside_the_loop)
    try:
        list_id = harness.new_list(phones(500))
        other = asyncio.create_task(another_user())
        campaign_id = await harness.sender.create_off_loop(
            DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN
        )

        assert await other == []  # the campaign was not there before its transaction committed
        assert copied_in
        assert copied_in[0] is not threading.main_thread()
        assert harness.states(campaign_id) == {SubmitState.NEW: 500}
        assert harness.store.campaigns.get(campaign_id).recipient_count == 500
        assert campaign_actions(harness) == ["send"]
    finally:
        await harness.close()


async def test_two_presses_of_send_at_once_make_one_campaign_with_each_recipient_once(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    try:
        list_id = harness.new_list(phones(300))
        presses = [
            harness.sender.create_off_loop(DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN)
            for _ in range(2)
        ]
        results = await asyncio.gather(*presses, return_exceptions=True)

        [created] = [result for result in results if isinstance(result, int)]
        [refused] = [result for result in results if isinstance(result, AlreadyLaunched)]
        assert refused.campaign_id == created
        assert [campaign.id for campaign in harness.store.campaigns.recent()] == [created]
        assert harness.states(created) == {SubmitState.NEW: 300}
        assert campaign_actions(harness) == ["send"]
    finally:
        await harness.close()


async def test_a_copy_that_fails_leaves_no_campaign_and_the_list_free_for_another_press(
    tmp_path: Path, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    copy = Messages.copy_from_list

    def copy_then_fail(
        self: Messages, campaign_id: int, list_id: int, seqs: tuple[int, int] | None = None
    ) -> int:
        copy(self, campaign_id, list_id, seqs)
        raise sqlite3.OperationalError("disk I/O error")

    try:
        list_id = harness.new_list(phones(20))
        monkeypatch.setattr(Messages, "copy_from_list", copy_then_fail)
        with pytest.raises(sqlite3.OperationalError):
            await harness.sender.create_off_loop(
                DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN
            )
        assert harness.store.campaigns.recent() == []
        assert harness.store.recipient_lists.claimed_by(list_id) is None
        assert campaign_actions(harness) == []

        monkeypatch.setattr(Messages, "copy_from_list", copy)
        campaign_id = await harness.sender.create_off_loop(
            DRAFT, list_id, author_id=ADMIN, author_chat_id=ADMIN
        )
        assert harness.states(campaign_id) == {SubmitState.NEW: 20}
    finally:
        await harness.close()
