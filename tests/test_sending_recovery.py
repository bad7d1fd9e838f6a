"""Stops mid-campaign: nothing is submitted twice by itself; the author decides about the unknown."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections import Counter
from pathlib import Path

from bot.sending.recovery import RecoveryDecision, RecoveryQuestion
from storage import recovery_questions
from storage.campaigns import CampaignState
from storage.db import open_database
from storage.messages import INTERRUPTED, INTERRUPTED_LEFT, SubmitState
from storage.store import MIGRATION_SETS, Store
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import Harness, make_harness, phones, settle
from tests.test_callbacks_seed import database_path, seed_campaign


def requests_per_recipient(platform: FakePlatform) -> Counter[str]:
    return Counter(request.params["sent_to"] for request in platform.requests)


async def interrupted_campaign(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> tuple[Harness, int, list[str]]:
    """Stop an engine while 3 requests hang, then start a new one on the same database."""
    platform.hold()
    first = await make_harness(tmp_path, telegram, platform, pulse_concurrency=3, drain_timeout=0.1)
    campaign_id = first.start(addresses=phones(10))
    async with asyncio.timeout(5):
        await platform.wait_requests(3)
    await first.close()  # the bounded drain gives up: 3 rows stay `submitting`
    caught = sorted(requests_per_recipient(platform))
    platform.release()

    second = await make_harness(tmp_path, telegram, platform, pulse_concurrency=3)
    await second.sender.resume_after_restart()
    await settle(second, campaign_id)
    return second, campaign_id, caught


async def test_restart_marks_caught_rows_unknown_resumes_the_rest_and_asks_the_author(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    harness, campaign_id, caught = await interrupted_campaign(tmp_path, telegram, platform)
    try:
        assert len(caught) == 3
        assert max(requests_per_recipient(platform).values()) == 1
        assert set(requests_per_recipient(platform)) == set(phones(10))
        unknown = [row for row in harness.rows(campaign_id) if row.state is SubmitState.UNKNOWN]
        assert sorted(row.sent_to for row in unknown) == caught
        assert {row.error for row in unknown} == {INTERRUPTED}
        assert harness.states(campaign_id)[SubmitState.ACCEPTED] == 7
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED

        question = await telegram.wait_message(ADMIN, "was interrupted")
        assert "Messages concerned: 3." in question["text"]
        assert telegram.find_button(question, "Send these 3 again")
        assert telegram.find_button(question, "Leave them")
        assert len(telegram.chat(ADMIN)) == 1  # one question, nothing else
    finally:
        await harness.close()


async def test_send_again_submits_exactly_the_interrupted_rows_once_more(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    harness, campaign_id, caught = await interrupted_campaign(tmp_path, telegram, platform)
    try:
        question = harness.sender.questions.get(1)
        assert question is not None
        assert question.count == 3

        outcome = harness.sender.decide_recovery(1, RecoveryDecision.SEND, actor_id=ADMIN)
        await settle(harness, campaign_id)
        again = harness.sender.decide_recovery(1, RecoveryDecision.SEND, actor_id=ADMIN)
        other = harness.sender.decide_recovery(1, RecoveryDecision.LEAVE, actor_id=ADMIN)
        await settle(harness, campaign_id)

        assert (outcome.changed, outcome.count) == (True, 3)
        assert not again.changed
        assert not other.changed
        counts = requests_per_recipient(platform)
        assert {phone for phone, count in counts.items() if count == 2} == set(caught)
        assert sum(counts.values()) == 13
        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 10}
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
        assert harness.store.audit.recent(1)[0]["action"] == "resend_unknown"
    finally:
        await harness.close()


async def test_leave_them_keeps_the_rows_unknown_and_sends_nothing(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    harness, campaign_id, _caught = await interrupted_campaign(tmp_path, telegram, platform)
    try:
        outcome = harness.sender.decide_recovery(1, RecoveryDecision.LEAVE, actor_id=ADMIN)
        again = harness.sender.decide_recovery(1, RecoveryDecision.SEND, actor_id=ADMIN)

        assert (outcome.changed, outcome.count, again.changed) == (True, 3, False)
        assert not harness.sender.is_running(campaign_id)
        unknown = [row for row in harness.rows(campaign_id) if row.state is SubmitState.UNKNOWN]
        assert {row.error for row in unknown} == {INTERRUPTED_LEFT}
        assert sum(requests_per_recipient(platform).values()) == 10
        assert harness.store.audit.recent(1)[0]["action"] == "leave_unknown"
    finally:
        await harness.close()


async def test_graceful_stop_lets_answers_in_flight_arrive_and_resumes_the_rest_later(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.latency = 0.2
    first = await make_harness(tmp_path, telegram, platform, pulse_concurrency=4)
    campaign_id = first.start(addresses=phones(20))
    async with asyncio.timeout(5):
        await platform.wait_requests(4)
    await first.close()

    second = await make_harness(tmp_path, telegram, platform, pulse_concurrency=4)
    try:
        counts = second.states(campaign_id)
        assert counts[SubmitState.ACCEPTED] == len(platform.requests) >= 4
        assert SubmitState.SUBMITTING not in counts
        assert SubmitState.UNKNOWN not in counts
        assert counts[SubmitState.NEW] == 20 - counts[SubmitState.ACCEPTED]

        await second.sender.resume_after_restart()
        await settle(second, campaign_id)

        assert platform.received == dict.fromkeys(phones(20), 1)
        assert second.states(campaign_id) == {SubmitState.ACCEPTED: 20}
        assert telegram.chat(ADMIN) == []  # nothing was interrupted: no question
    finally:
        await second.close()


async def test_stopping_during_retry_waits_returns_rows_to_new_without_pausing(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.default = ("http", 503)
    harness = await make_harness(
        tmp_path, telegram, platform, pulse_concurrency=2, retry_delays=(30.0,)
    )
    campaign_id = harness.start(addresses=phones(5))
    async with asyncio.timeout(5):
        await platform.wait_requests(2)
    async with asyncio.timeout(5):  # the 30 s retry wait is cut short
        await harness.sender.drain()

    assert harness.states(campaign_id) == {SubmitState.NEW: 5}
    campaign = harness.store.campaigns.get(campaign_id)
    assert campaign.state is CampaignState.SUBMITTING
    assert campaign.pause_reason is None
    await harness.close()
    assert telegram.chat(ADMIN) == []


async def test_a_question_a_stop_kept_from_its_author_is_asked_after_the_restart(
    start_bot, bot_env, telegram: FakeTelegram
) -> None:
    seed_campaign(bot_env, ["79000000001", "79000000002"])
    # As a killed program leaves them: both rows handed over, neither answer stored.
    with sqlite3.connect(database_path(bot_env)) as db:
        db.execute("UPDATE messages SET state = 'submitting', platform_id = NULL")
        db.execute("UPDATE campaigns SET state = 'submitting'")
    telegram.kick_from(ADMIN)  # the question does not reach the author before the next stop
    program = await start_bot()
    await telegram.wait_for(
        lambda: any("was interrupted" in str(call.params.get("text")) for call in telegram.errors)
    )
    await program.stop()
    telegram.kicked.discard(ADMIN)

    await start_bot()
    question = await telegram.wait_message(ADMIN, "was interrupted")
    assert "Messages concerned: 2." in question["text"]
    assert telegram.find_button(question, "Send these 2 again")

    def latest_question_delivered() -> bool:
        with sqlite3.connect(database_path(bot_env)) as db:
            (delivered,) = db.execute(
                "SELECT delivered FROM recovery_questions ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return bool(delivered)

    # Asked and taken this time: a further start has nothing left to ask.
    assert await telegram.wait_for(latest_question_delivered)


def test_questions_kept_in_kv_by_an_earlier_version_move_to_their_table(tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    earlier = [sets for sets in MIGRATION_SETS if sets is not recovery_questions.migrations]
    db = open_database(path, earlier)
    old = {
        "recovery:last": "3",
        "recovery:1": json.dumps(
            {"id": 1, "campaign_id": 7, "count": 4, "decision": "send", "decided_by": ADMIN}
        ),  # kept before delivery was recorded
        "recovery:2": json.dumps(
            {
                "id": 2,
                "campaign_id": 8,
                "count": 2,
                "decision": None,
                "decided_by": None,
                "delivered": False,
            }
        ),
        "recovery:3": json.dumps(
            {
                "id": 3,
                "campaign_id": 9,
                "count": 1,
                "decision": None,
                "decided_by": None,
                "delivered": True,
            }
        ),
        "recovery:open:9": "3",
        "callback_secret": "kept",
    }
    db["kv"].insert_all([{"key": key, "value": value} for key, value in old.items()])
    db.close()

    store = Store.open(path)
    try:
        questions = store.recovery_questions
        assert questions.get(1) == RecoveryQuestion(1, 7, 4, RecoveryDecision.SEND, ADMIN, True)
        assert questions.undelivered() == [RecoveryQuestion(2, 8, 2)]
        assert questions.get(3).delivered
        assert store.kv.with_prefix("recovery:") == []
        assert store.kv.get("callback_secret") == "kept"
        assert questions.open(9, 5).id == 4  # numbering goes on; 3 is superseded
        assert questions.get(3).decision is RecoveryDecision.SUPERSEDED
    finally:
        store.close()
