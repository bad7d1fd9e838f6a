"""Each kind of platform answer ends in the right row state, over real HTTP to the fake platform."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from bot.platform.reasons import ReasonCode, decode
from bot.sending.notices import CampaignPaused, UnknownRowsQuestion
from bot.statuses.signing import verify
from storage.campaigns import CampaignState
from storage.messages import SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.recording_notices import RecordingNotices
from tests.sending_harness import SECRET, make_harness, phones, settle


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_accepted_rows_get_platform_ids_and_signed_callbacks(
    tmp_path: Path, platform: FakePlatform, method: str
) -> None:
    harness = await make_harness(tmp_path, None, platform, method=method)
    try:
        campaign_id = harness.start(addresses=phones(5))
        await settle(harness, campaign_id)

        rows = harness.rows(campaign_id)
        assert [row.state for row in rows] == [SubmitState.ACCEPTED] * 5
        assert sorted(row.platform_id for row in rows) == sorted(platform.messages)
        assert platform.received == dict.fromkeys(phones(5), 1)
        assert {request.method for request in platform.requests} == {method}
        for row in rows:
            callback = platform.messages[row.platform_id].callback
            assert callback is not None
            assert callback.endswith("?id={id}&status={status}")
            ref, signature = callback.split("?")[0].split("/")[-2:]
            assert ref == str(row.id)
            assert verify(SECRET, ref, signature)
        assert all(request.params["kannel_status"] == "1" for request in platform.requests)
        campaign = harness.store.campaigns.get(campaign_id)
        assert campaign.state is CampaignState.SUBMITTED
        assert campaign.submitted_at
        assert campaign.callbacks
        assert campaign_id in harness.changes
        sample = harness.metrics.registry.get_sample_value
        assert sample("pulse_submissions_total", {"outcome": "accepted"}) == 5
        assert sample("pulse_platform_requests_total", {"endpoint": "send-message"}) == 5
    finally:
        await harness.close()


async def test_rejection_is_stored_verbatim_and_the_rest_continue(
    tmp_path: Path, platform: FakePlatform
) -> None:
    refusal = "Имя отправителя <Shop> не зарегистрировано"
    platform.script(("error", refusal))
    harness = await make_harness(tmp_path, None, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(3))
        await settle(harness, campaign_id)

        rows = harness.rows(campaign_id)
        assert (rows[0].state, rows[0].error) == (SubmitState.REJECTED, refusal)
        assert [row.state for row in rows[1:]] == [SubmitState.ACCEPTED] * 2
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
    finally:
        await harness.close()


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("non_json", ReasonCode.NOT_JSON),
        ("hang", ReasonCode.ANSWER_TIMEOUT),
        ("reset", ReasonCode.CONNECTION_LOST),
        (("http", 404), ReasonCode.NOT_JSON),
        (("stored_http", 500), ReasonCode.HTTP_STATUS),
        (("stored_http", 502), ReasonCode.HTTP_STATUS),
        (("stored_http", 504), ReasonCode.HTTP_STATUS),
    ],
)
async def test_uncertain_answer_makes_the_row_unknown_and_it_is_never_resent(
    tmp_path: Path, platform: FakePlatform, behaviour, reason: ReasonCode
) -> None:
    platform.script(behaviour)
    harness = await make_harness(tmp_path, None, platform, pulse_concurrency=1, timeout=0.3)
    try:
        campaign_id = harness.start(addresses=phones(3))
        await settle(harness, campaign_id)

        rows = harness.rows(campaign_id)
        assert rows[0].state is SubmitState.UNKNOWN
        assert decode(rows[0].error).code is reason
        assert [row.state for row in rows[1:]] == [SubmitState.ACCEPTED] * 2
        assert len(platform.requests) == 3  # one request per recipient: no retry
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
        # The author decides about it: one question, naming the reason, nothing paused.
        assert isinstance(harness.notices, RecordingNotices)
        question = await harness.notices.wait_for(UnknownRowsQuestion, ADMIN)
        assert (question.campaign_id, question.count) == (campaign_id, 1)
        assert question.reasons == ((rows[0].error, 1),)
        assert harness.notices.of(CampaignPaused) == []
    finally:
        await harness.close()


async def test_unavailable_platform_is_retried_until_it_answers(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.script(("http", 503), ("busy", 503, "0"), ("http", 429))
    harness = await make_harness(tmp_path, None, platform, retry_delays=(0.01, 0.01, 0.01, 0.01))
    try:
        campaign_id = harness.start(addresses=phones(1))
        await settle(harness, campaign_id)

        assert [row.state for row in harness.rows(campaign_id)] == [SubmitState.ACCEPTED]
        assert len(platform.requests) == 4
        assert platform.received == {phones(1)[0]: 1}
    finally:
        await harness.close()


async def test_retry_waits_as_long_as_retry_after_says(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.script(("http", 429))  # the fake sends Retry-After: 1
    harness = await make_harness(tmp_path, None, platform)
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        campaign_id = harness.start(addresses=phones(1))
        await platform.wait_requests(1)
        await settle(harness, campaign_id)

        assert len(platform.requests) == 2
        assert loop.time() - started >= 0.95
        assert [row.state for row in harness.rows(campaign_id)] == [SubmitState.ACCEPTED]
    finally:
        await harness.close()


async def test_text_that_the_charset_cannot_hold_is_refused_before_any_request(
    tmp_path: Path, platform: FakePlatform
) -> None:
    from storage.campaigns import Draft

    harness = await make_harness(tmp_path, None, platform)
    try:
        draft = Draft(type="sms", sender="Shop", text="Привет, {name} 🎉", charset="CP1251")
        campaign_id = harness.start(draft, phones(2), row_fields=lambda phone: {"name": "Анна"})
        await settle(harness, campaign_id)

        rows = harness.rows(campaign_id)
        assert [row.state for row in rows] == [SubmitState.REJECTED] * 2
        assert "CP1251" in rows[0].error
        assert platform.requests == []
    finally:
        await harness.close()


async def test_connection_refused_pauses_with_nothing_marked_sent(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Nowhere:
        url = f"http://127.0.0.1:{port}/api/v1"

    harness = await make_harness(tmp_path, telegram, Nowhere())  # type: ignore[arg-type]
    try:
        campaign_id = harness.start(addresses=phones(4))
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.NEW: 4}
        campaign = harness.store.campaigns.get(campaign_id)
        assert campaign.state is CampaignState.SUBMITTING
        assert decode(campaign.pause_reason).code is ReasonCode.CONNECT_FAILED
        notice = await telegram.wait_message(ADMIN, "paused")
        assert f"could not connect to 127.0.0.1:{port}" in notice["text"]
    finally:
        await harness.close()
