"""The stop-list is checked when each recipient's turn comes (F12), on every path to submission:
a listed address becomes a `skipped` row, counted on the cards and in the report, never sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.sending.recovery import RecoveryDecision
from storage.campaigns import CampaignState, Draft
from storage.messages import STOP_LISTED, SubmitState
from tests.conftest import ADMIN, GROUP
from tests.report_reader import read_report
from tests.scheduled_sending import OPERATOR, Program, program
from tests.sending_harness import Harness, make_harness, settle
from tests.test_schedule_world import DAY

TEN = DAY.replace(hour=10)
KEPT, LISTED = "79001112233", "79001112244"


@pytest.fixture
async def running(tmp_path, telegram, platform) -> AsyncIterator[Program]:
    async with program(tmp_path, telegram, platform) as started:
        yield started


@pytest.fixture
async def harness(tmp_path, telegram, platform) -> AsyncIterator[Harness]:
    built = await make_harness(tmp_path, telegram, platform)
    yield built
    await built.close()


def states(harness: Harness, campaign_id: int) -> dict[str, SubmitState]:
    return {row.sent_to: row.state for row in harness.rows(campaign_id)}


async def test_an_address_stop_listed_after_scheduling_is_skipped_at_the_due_time(
    running: Program, telegram, platform
) -> None:
    engine = await running.start()
    schedule = await engine.schedule(TEN, (KEPT, LISTED))
    engine.store.stoplist.add([LISTED], ADMIN)

    running.clock.now = TEN
    await engine.service.fire_due()
    await engine.settle()

    assert dict(platform.received) == {KEPT: 1}
    [row] = [row for row in engine.harness.rows(schedule.campaign_id) if row.sent_to == LISTED]
    assert (row.state, row.error) == (SubmitState.SKIPPED, STOP_LISTED)
    for chat in (OPERATOR, GROUP):
        card = await telegram.wait_message(chat, contains="Skipped, on the stop-list: 1")
        assert "Recipients: 2" in card["text"]


async def test_each_run_of_a_recurring_send_checks_the_stop_list_of_its_day(
    running: Program, platform
) -> None:
    engine = await running.start()
    schedule = await engine.schedule(TEN, (KEPT, LISTED), recurrence="daily")

    running.clock.now = TEN
    await engine.service.fire_due()
    await engine.settle()
    assert dict(platform.received) == {KEPT: 1, LISTED: 1}

    engine.store.stoplist.add([LISTED], ADMIN)
    running.clock.now = TEN.replace(day=TEN.day + 1)
    await engine.service.fire_due()
    await engine.settle()

    assert dict(platform.received) == {KEPT: 2, LISTED: 1}
    template = engine.store.campaigns.get(schedule.campaign_id)
    assert template is not None
    assert template.state is CampaignState.SCHEDULED


async def test_sending_now_skips_a_listed_address_and_e_mails_ignore_case(
    harness: Harness, platform
) -> None:
    harness.store.stoplist.add(["Anna@Example.com", LISTED], ADMIN)
    campaign_id = harness.start(
        Draft(type="email", sender="shop@example.com", text="Hi"),
        ["anna@example.com", "boris@example.com"],
    )
    await settle(harness, campaign_id)

    assert dict(platform.received) == {"boris@example.com": 1}
    assert states(harness, campaign_id)["anna@example.com"] is SubmitState.SKIPPED
    sample = harness.metrics.registry.get_sample_value
    assert sample("pulse_submissions_total", {"outcome": "skipped"}) == 1
    assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED


async def test_a_resumed_campaign_skips_addresses_listed_while_it_was_paused(
    harness: Harness, platform
) -> None:
    platform.default = ("http", 503)  # the platform is down: the campaign pauses
    campaign_id = harness.start(addresses=[KEPT, LISTED])
    await settle(harness, campaign_id)
    campaign = harness.store.campaigns.get(campaign_id)
    assert campaign is not None
    assert campaign.pause_reason
    assert platform.received == {}

    harness.store.stoplist.add([LISTED], ADMIN)
    platform.default = "success"
    assert harness.sender.resume(campaign_id, actor_id=ADMIN)
    await settle(harness, campaign_id)

    assert platform.received == {KEPT: 1}
    assert states(harness, campaign_id) == {KEPT: SubmitState.ACCEPTED, LISTED: SubmitState.SKIPPED}


async def test_rows_sent_again_after_a_crash_skip_an_address_listed_meanwhile(
    harness: Harness, platform
) -> None:
    campaign_id = harness.start(addresses=[KEPT, LISTED])
    await settle(harness, campaign_id)
    # As after a kill: both rows were mid-submission, then the author chooses "send again".
    harness.store.db.execute(
        "UPDATE messages SET state = 'submitting' WHERE campaign_id = ?", [campaign_id]
    )
    harness.store.messages.mark_interrupted()
    question = harness.sender.ask_about_unknown(campaign_id)
    assert question is not None
    harness.store.stoplist.add([LISTED], ADMIN)

    outcome = harness.sender.decide_recovery(question.id, RecoveryDecision.SEND, actor_id=ADMIN)
    assert outcome is not None
    assert outcome.count == 2
    await settle(harness, campaign_id)

    assert platform.received == {KEPT: 2, LISTED: 1}  # the first pass, then only KEPT again
    assert states(harness, campaign_id)[LISTED] is SubmitState.SKIPPED


async def test_the_final_report_lists_a_skipped_address_with_its_reason(
    tmp_path, telegram, platform
) -> None:
    # Without a public URL no status is awaited: the campaign is final once submitted.
    async with program(tmp_path, telegram, platform, public_url="") as running:
        engine = await running.start()
        schedule = await engine.schedule(TEN, (KEPT, LISTED))
        engine.store.stoplist.add([LISTED], ADMIN)
        running.clock.now = TEN
        await engine.service.fire_due()
        await engine.settle()

        report = await telegram.wait_for(
            lambda: next((m for m in telegram.chat(OPERATOR) if m.get("document")), None)
        )
    assert f"№{schedule.campaign_id}" in report["caption"]
    rows = {row["Address"]: row for row in read_report(report["document"]["content"]).rows}
    assert (rows[LISTED]["Status"], rows[LISTED]["Reason"]) == (
        "skipped, not sent",
        "on the stop-list",
    )
