"""The answer rule over real HTTP: only answers proving nothing was processed are sent again.

For each way the fake platform misbehaves: how many requests each recipient caused, and what
the author read in the (fake) Telegram chat.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.platform.reasons import Reason, ReasonCode, decode
from bot.platform.results import OutgoingMessage, Uncertain
from bot.sending.cards import RecoveryChoice, ResumeChoice
from bot.sending.from_settings import make_platform
from bot.sending.recovery import RecoveryDecision
from storage.campaigns import CampaignState, Draft
from storage.messages import SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import make_harness, make_settings, phones, settle


def requests_per_recipient(platform: FakePlatform) -> Counter[str]:
    """How many requests named each recipient (list requests name all of theirs)."""
    counts: Counter[str] = Counter()
    for request in platform.requests:
        if request.endpoint == "send-message":
            counts[request.params["sent_to"]] += 1
        else:
            counts.update(item["sent_to"] for item in json.loads(request.params["messages"]))
    return counts


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_message_stored_then_answered_5xx_is_never_sent_twice(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, status: int
) -> None:
    platform.script(*[("stored_http", status)] * 3)
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(6))
        await settle(harness, campaign_id)

        assert requests_per_recipient(platform) == dict.fromkeys(phones(6), 1)
        assert platform.received == dict.fromkeys(phones(6), 1)
        rows = harness.rows(campaign_id)
        assert [row.state for row in rows] == [SubmitState.UNKNOWN] * 3 + [SubmitState.ACCEPTED] * 3
        assert {decode(row.error) for row in rows[:3]} == {
            Reason.of(ReasonCode.HTTP_STATUS, status=status)
        }
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED

        question = await telegram.wait_message(ADMIN, "answer for some messages is unknown")
        assert "Messages concerned: 3." in question["text"]
        assert f"3 × the platform answered HTTP {status} instead of its JSON" in question["text"]
        assert telegram.find_button(question, "Send these 3 again")
        leave = RecoveryChoice.unpack(telegram.find_button(question, "Leave them"))
        assert "paused" not in telegram.dump()

        outcome = harness.sender.decide_recovery(
            leave.question_id, RecoveryDecision.LEAVE, actor_id=ADMIN
        )
        assert outcome is not None
        assert outcome.count == 3
        assert harness.states(campaign_id) == {SubmitState.UNKNOWN: 3, SubmitState.ACCEPTED: 3}
        assert harness.store.messages.count_undecided(campaign_id) == 0
        assert len(platform.requests) == 6  # leaving them sends nothing
    finally:
        await harness.close()


async def test_send_again_after_an_unclear_answer_sends_only_those_rows_once_more(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.script(("stored_http", 502), "success", "hang")
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1, timeout=0.3)
    try:
        campaign_id = harness.start(addresses=phones(4))
        await settle(harness, campaign_id)
        question = await telegram.wait_message(ADMIN, "Messages concerned: 2.")
        assert "1 × the platform answered HTTP 502 instead of its JSON" in question["text"]
        assert "1 × no answer within 0.3 s after the request was sent" in question["text"]

        send = RecoveryChoice.unpack(telegram.find_button(question, "Send these 2 again"))
        outcome = harness.sender.decide_recovery(
            send.question_id, RecoveryDecision.SEND, actor_id=ADMIN
        )
        assert outcome is not None
        assert outcome.count == 2
        await settle(harness, campaign_id)

        # The author chose it: the two unclear ones went once more, the others never.
        assert requests_per_recipient(platform) == {
            phones(4)[0]: 2,
            phones(4)[1]: 1,
            phones(4)[2]: 2,
            phones(4)[3]: 1,
        }
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 4}
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
    finally:
        await harness.close()


async def test_a_stored_list_chunk_answered_502_is_unknown_as_a_whole_and_not_resent(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.script(("stored_http", 502))
    harness = await make_harness(
        tmp_path,
        telegram,
        platform,
        pulse_send_mode="list",
        pulse_list_chunk=4,
        pulse_concurrency=1,
    )
    try:
        campaign_id = harness.start(addresses=phones(8))
        await settle(harness, campaign_id)

        assert requests_per_recipient(platform) == dict.fromkeys(phones(8), 1)
        assert len(platform.requests) == 2
        assert harness.states(campaign_id) == {SubmitState.UNKNOWN: 4, SubmitState.ACCEPTED: 4}
        question = await telegram.wait_message(ADMIN, "Messages concerned: 4.")
        assert "4 × the platform answered HTTP 502" in question["text"]
    finally:
        await harness.close()


@pytest.mark.parametrize("status", [429, 503])
async def test_a_busy_answer_created_nothing_and_is_retried_after_retry_after(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, status: int
) -> None:
    platform.script(("busy", status, "0"), ("busy", status, "0"))
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(3))
        await settle(harness, campaign_id)

        # The first recipient's request was refused twice without storing, then accepted.
        assert requests_per_recipient(platform) == {
            phones(3)[0]: 3,
            phones(3)[1]: 1,
            phones(3)[2]: 1,
        }
        assert platform.received == dict.fromkeys(phones(3), 1)
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 3}
        assert telegram.chat(ADMIN) == []  # nothing to decide, nothing paused
    finally:
        await harness.close()


async def test_a_platform_busy_for_long_pauses_with_nothing_created_and_resume_goes_on(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.default = ("busy", 503, "0")
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(3))
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.NEW: 3}
        assert not platform.received
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "the platform answered HTTP 503: busy, try later" in notice["text"]
        assert "no message was created" in notice["text"]

        platform.default = "success"
        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(harness, campaign_id)
        assert platform.received == dict.fromkeys(phones(3), 1)
    finally:
        await harness.close()


@pytest.mark.parametrize("behaviour", ["non_json", ("http", 403), ("stored_http", 502)])
async def test_unreadable_answers_in_a_row_pause_the_campaign_instead_of_running_through(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, behaviour
) -> None:
    platform.default = behaviour
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(40))
        await settle(harness, campaign_id)

        assert len(platform.requests) == 5
        assert harness.states(campaign_id) == {SubmitState.UNKNOWN: 5, SubmitState.NEW: 35}
        campaign = harness.store.campaigns.get(campaign_id)
        assert campaign.state is CampaignState.SUBMITTING
        assert decode(campaign.pause_reason).code is ReasonCode.UNKNOWN_IN_A_ROW
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "answers in a row that could not be read: 5" in notice["text"]
        assert "PULSE_API_URL" in notice["text"]
        assert "Not sent yet and waiting: 35" in notice["text"]
        assert (
            telegram.find_button(notice, "Resume") == ResumeChoice(campaign_id=campaign_id).pack()
        )
        question = await telegram.wait_message(ADMIN, "Messages concerned: 5.")
        assert telegram.find_button(question, "Send these 5 again")

        platform.default = "success"
        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(harness, campaign_id)
        assert harness.states(campaign_id) == {SubmitState.UNKNOWN: 5, SubmitState.ACCEPTED: 35}
        assert max(requests_per_recipient(platform).values()) == 1
    finally:
        await harness.close()


async def test_a_readable_answer_between_unclear_ones_resets_the_count(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.script(*(["non_json"] * 4 + ["success"]) * 2)
    harness = await make_harness(tmp_path, None, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(10))
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.UNKNOWN: 8, SubmitState.ACCEPTED: 2}
        assert harness.store.campaigns.get(campaign_id).pause_reason is None
    finally:
        await harness.close()


@pytest.mark.parametrize("recipients", [3, 40])
async def test_an_account_refusal_loses_nobody_resume_sends_every_recipient_once(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, recipients: int
) -> None:
    platform.default = ("error", "Недостаточно средств на балансе")
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=8)
    try:
        campaign_id = harness.start(addresses=phones(recipients))
        await settle(harness, campaign_id)

        # Every request in flight was refused too: those rows wait with the rest.
        assert harness.states(campaign_id) == {SubmitState.NEW: recipients}
        assert 1 <= len(platform.requests) <= 8
        campaign = harness.store.campaigns.get(campaign_id)
        assert decode(campaign.pause_reason) == Reason.of(
            ReasonCode.REFUSED, msg="Недостаточно средств на балансе", kind="account"
        )
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "«Недостаточно средств на балансе»" in notice["text"]
        assert f"including the ones it answered: {recipients}" in notice["text"]

        platform.default = "success"
        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: recipients}
        assert platform.received == dict.fromkeys(phones(recipients), 1)
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
    finally:
        await harness.close()


async def test_token_not_found_for_a_number_is_that_recipients_refusal_only(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    refusal = "Токен не найден для этого номера"
    platform.script(("error", refusal), ("error", refusal))
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1)
    try:
        draft = Draft(type="push", sender="Shop", text="Hello", find_token=True)
        campaign_id = harness.start(draft, phones(5))
        await settle(harness, campaign_id)

        rows = harness.rows(campaign_id)
        assert [(row.state, row.error) for row in rows[:2]] == [(SubmitState.REJECTED, refusal)] * 2
        assert [row.state for row in rows[2:]] == [SubmitState.ACCEPTED] * 3
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
        assert harness.store.campaigns.get(campaign_id).pause_reason is None
        assert "paused" not in telegram.dump()
    finally:
        await harness.close()


async def test_the_bad_token_wording_is_a_setting(tmp_path: Path, platform: FakePlatform) -> None:
    platform.default = ("error", "API key rejected")
    harness = await make_harness(
        tmp_path, None, platform, pulse_concurrency=1, pulse_token_error="API key rejected"
    )
    try:
        campaign_id = harness.start(addresses=phones(4))
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.NEW: 4}
        assert decode(harness.store.campaigns.get(campaign_id).pause_reason).get("kind") == "token"
    finally:
        await harness.close()


async def test_http_method_and_answer_timeout_come_from_the_settings(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform, session
) -> None:
    settings = make_settings(
        tmp_path, telegram, platform.url, pulse_http_method="get", pulse_timeout=0.3
    )
    client = make_platform(settings, session)
    platform.script("hang")

    result = await client.send_message(OutgoingMessage("sms", "Shop", phones(1)[0], "Hi"))

    assert result == Uncertain(Reason.of(ReasonCode.ANSWER_TIMEOUT, seconds=0.3))
    assert [request.method for request in platform.requests] == ["GET"]
    assert platform.received == {phones(1)[0]: 1}  # it was stored: never sent again by itself


@pytest.mark.parametrize(
    ("values", "variable"),
    [
        ({"PULSE_HTTP_METHOD": "PUT"}, "PULSE_HTTP_METHOD"),
        ({"PULSE_TIMEOUT": "0"}, "PULSE_TIMEOUT"),
    ],
)
def test_a_bad_method_or_timeout_is_refused_naming_the_variable(
    values: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(
            _env_file=None, bot_token="1:abc", **{k.lower(): v for k, v in values.items()}
        )


async def test_a_long_retry_after_pauses_instead_of_waiting_it_out(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.script(("busy", 429, "3600"))
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=1)
    try:
        campaign_id = harness.start(addresses=phones(3))
        await settle(harness, campaign_id)

        assert len(platform.requests) == 1
        assert harness.states(campaign_id) == {SubmitState.NEW: 3}
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "the platform answered HTTP 429: busy, come back in 3600 s" in notice["text"]

        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(harness, campaign_id)
        assert platform.received == dict.fromkeys(phones(3), 1)
    finally:
        await harness.close()
