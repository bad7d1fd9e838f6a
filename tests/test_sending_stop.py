"""Stopping a campaign: rows not yet taken are cancelled in a worker thread, in one write with
the audit record, while the loop goes on and requests in flight still get their answers."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from storage.campaigns import CampaignState
from storage.messages import Messages, SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.sending_harness import make_harness, phones, settle


async def test_a_stop_cancels_the_rows_beside_the_loop_and_the_pass_ends_with_the_rest(
    tmp_path: Path, platform: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform.hold()
    harness = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    loop = asyncio.get_running_loop()
    cancelling = asyncio.Event()
    loop_answered = threading.Event()
    cancelled_in: list[threading.Thread] = []
    cancel = Messages.cancel_new

    def cancel_beside_the_loop(self: Messages, campaign_id: int) -> int:
        cancelled_in.append(threading.current_thread())
        loop.call_soon_threadsafe(cancelling.set)
        assert loop_answered.wait(timeout=10), "the loop did not run while rows were cancelled"
        return cancel(self, campaign_id)

    async def another_user() -> CampaignState:
        await cancelling.wait()
        state = harness.campaign_state(campaign_id)  # a read beside the writer
        loop_answered.set()
        return state

    monkeypatch.setattr(Messages, "cancel_new", cancel_beside_the_loop)
    try:
        campaign_id = harness.start(addresses=phones(40))
        async with asyncio.timeout(5):
            await platform.wait_requests(2)
        other = asyncio.create_task(another_user())

        cancelled = await harness.sender.stop_campaign(campaign_id, actor_id=ADMIN)

        assert await other is CampaignState.SUBMITTING
        assert cancelled_in[0] is not threading.main_thread()
        platform.release()
        await settle(harness, campaign_id)
        states = harness.states(campaign_id)
        assert states[SubmitState.CANCELLED] == cancelled
        assert states[SubmitState.ACCEPTED] == 40 - cancelled == len(platform.received)
        assert harness.campaign_state(campaign_id) is CampaignState.SUBMITTED
        [stop] = [entry for entry in harness.store.audit.recent() if entry["action"] == "stop"]
        assert stop["details"]["cancelled"] == cancelled
        assert await harness.sender.stop_campaign(campaign_id, actor_id=ADMIN) is None
    finally:
        await harness.close()
