"""Single and list modes, per-recipient texts, charsets, extras, and the bound on requests in flight."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.platform.client import PulseClient
from bot.platform.reasons import ReasonCode, decode
from bot.platform.results import OutgoingMessage, SendResult
from storage.campaigns import CampaignState, Draft
from storage.messages import SubmitState
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import PLATFORM_TOKEN, make_harness, phones, settle

NAMES = {"79000000000": "Анна", "79000000001": "Пётр", "79000000002": "Мария"}


def endpoints(platform: FakePlatform) -> list[str]:
    return [request.endpoint for request in platform.requests]


@pytest.mark.parametrize("shape", ["list", "ids", "id", "messages"])
async def test_list_mode_sends_chunks_and_reads_every_answer_shape(
    tmp_path: Path, platform: FakePlatform, shape: str
) -> None:
    platform.default = ("list_shape", shape)
    harness = await make_harness(
        tmp_path, None, platform, pulse_send_mode="list", pulse_list_chunk=3
    )
    try:
        campaign_id = harness.start(addresses=phones(8))
        await settle(harness, campaign_id)

        # 3 + 3 in lists; the last 2 as a list too (a single leftover would use send-message).
        assert endpoints(platform) == ["send-list-messages"] * 3
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 8}
        assert platform.received == dict.fromkeys(phones(8), 1)
        assert {row.platform_id for row in harness.rows(campaign_id)} == set(platform.messages)
    finally:
        await harness.close()


async def test_a_leftover_single_recipient_goes_through_send_message(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(
        tmp_path, None, platform, pulse_send_mode="list", pulse_list_chunk=3
    )
    try:
        campaign_id = harness.start(addresses=phones(4))
        await settle(harness, campaign_id)

        assert sorted(endpoints(platform)) == ["send-list-messages", "send-message"]
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 4}
    finally:
        await harness.close()


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (("list_shape", "mismatch"), ReasonCode.LIST_MISMATCH),
        (("raw", "[1, 2"), ReasonCode.NOT_JSON),
        (("stored_http", 502), ReasonCode.HTTP_STATUS),
    ],
)
async def test_malformed_list_answer_makes_the_chunk_unknown_never_sent_again(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, behaviour, reason: str
) -> None:
    platform.script(behaviour)
    harness = await make_harness(
        tmp_path,
        telegram,
        platform,
        pulse_send_mode="list",
        pulse_list_chunk=3,
        pulse_concurrency=1,
    )
    try:
        campaign_id = harness.start(addresses=phones(6))
        await settle(harness, campaign_id)

        rows = harness.rows(campaign_id)
        assert [row.state for row in rows[:3]] == [SubmitState.UNKNOWN] * 3
        assert all(decode(row.error).code is reason for row in rows[:3])
        assert platform.received == dict.fromkeys(phones(6), 1)
        assert [row.state for row in rows[3:]] == [SubmitState.ACCEPTED] * 3
        assert len(platform.requests) == 2
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
    finally:
        await harness.close()


@pytest.mark.parametrize("mode", ["single", "list"])
async def test_placeholders_are_filled_per_recipient_in_the_chosen_charset(
    tmp_path: Path, platform: FakePlatform, mode: str
) -> None:
    harness = await make_harness(tmp_path, None, platform, pulse_send_mode=mode)
    draft = Draft(
        type="email",
        sender="shop@example.com",
        text="Здравствуйте, {name}! Скидка {{10%}}",
        html_text="<p>{name}</p>",
        charset="CP1251",
    )
    try:
        campaign_id = harness.start(draft, NAMES, row_fields=lambda phone: {"name": NAMES[phone]})
        await settle(harness, campaign_id)

        texts = {message.sent_to: message.sent_text for message in platform.messages.values()}
        assert texts == {
            phone: f"Здравствуйте, {name}! Скидка {{10%}}" for phone, name in NAMES.items()
        }
        assert all(request.params["charset"] == "CP1251" for request in platform.requests)
        if mode == "single":
            html = [
                request.param_bytes["html_text"].decode("cp1251") for request in platform.requests
            ]
            assert sorted(html) == sorted(f"<p>{name}</p>" for name in NAMES.values())
        else:
            items = json.loads(platform.requests[0].params["messages"])
            assert {item["sent_to"]: item["html_text"] for item in items} == {
                phone: f"<p>{name}</p>" for phone, name in NAMES.items()
            }
    finally:
        await harness.close()


async def test_every_extra_of_the_draft_reaches_the_platform(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform)
    draft = Draft(
        type="viber",
        sender="Shop",
        text="Sale",
        ttl=90,
        button="Open",
        action="https://example.com/sale?a=1&b=2",
        image="https://example.com/i.png",
        find_token=True,
        sent_date="2026-12-01 10:00",
    )
    try:
        campaign_id = harness.start(draft, phones(1))
        await settle(harness, campaign_id)

        params = platform.requests[0].params
        assert params["type"] == "viber"
        assert params["sender"] == "Shop"
        assert params["ttl"] == "90"
        assert params["button"] == "Open"
        assert params["action"] == "https://example.com/sale?a=1&b=2"
        assert params["image"] == "https://example.com/i.png"
        assert params["find_token"] == "1"
        assert params["sent_date"] == "2026-12-01 10:00"
        assert params["token"] == PLATFORM_TOKEN
    finally:
        await harness.close()


async def test_without_public_url_the_real_platform_gets_no_callback(
    tmp_path: Path, platform: FakePlatform
) -> None:
    harness = await make_harness(tmp_path, None, platform, public_url="")
    try:
        campaign_id = harness.start(addresses=phones(2))
        await settle(harness, campaign_id)

        assert all("callback" not in request.params for request in platform.requests)
        assert harness.store.campaigns.get(campaign_id).callbacks is False
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 2}
    finally:
        await harness.close()


class CountingClient:
    """Wraps the real client and records the most requests it ever had in flight."""

    def __init__(self, client: PulseClient) -> None:
        self.client = client
        self.in_flight = 0
        self.peak = 0

    async def _counted(self, call) -> object:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await call
        finally:
            self.in_flight -= 1

    async def send_message(self, message: OutgoingMessage) -> SendResult:
        return await self._counted(self.client.send_message(message))  # type: ignore[return-value]

    async def send_list(self, **arguments) -> list[SendResult]:
        return await self._counted(self.client.send_list(**arguments))  # type: ignore[return-value]


@pytest.mark.parametrize("mode", ["single", "list"])
async def test_requests_in_flight_never_exceed_the_concurrency_setting(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, mode: str
) -> None:
    platform.latency = 0.02
    counting: list[CountingClient] = []

    def client(session, settings) -> CountingClient:
        counting.append(
            CountingClient(PulseClient(session, settings.pulse_api_url, PLATFORM_TOKEN))
        )
        return counting[0]

    harness = await make_harness(
        tmp_path,
        telegram,
        platform,
        client=client,
        pulse_concurrency=4,
        pulse_send_mode=mode,
        pulse_list_chunk=2,
    )
    try:
        # Two campaigns at once share the same bound.
        first = harness.start(addresses=phones(30))
        second = harness.start(addresses=phones(30, start=100))
        await asyncio.gather(settle(harness, first), settle(harness, second))

        assert counting[0].peak == 4
        assert platform.received == dict.fromkeys(phones(30) + phones(30, start=100), 1)
    finally:
        await harness.close()
