"""F7 end to end: the real program killed with SIGKILL mid-campaign, restarted, and asked once."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from storage.messages import SubmitState
from storage.store import Store
from tests.conftest import ADMIN, OPERATOR
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import seed_new_campaign

RECIPIENTS = [f"7900555{number:04d}" for number in range(10)]


def per_recipient(platform: FakePlatform) -> Counter[str]:
    return Counter(request.params["sent_to"] for request in platform.requests)


def states(database: Path, campaign_id: int) -> dict[SubmitState, int]:
    store = Store.open(database)
    try:
        return store.messages.counts_by_state(campaign_id)
    finally:
        store.close()


async def test_killed_mid_campaign_nothing_is_sent_twice_until_the_author_says_so(
    start_bot_process,
    start_bot,
    telegram: FakeTelegram,
    platform: FakePlatform,
    bot_env: dict[str, str],
) -> None:
    database = Path(bot_env["DATA_DIR"]) / "pulse-bridge.db"
    campaign_id = seed_new_campaign(database, RECIPIENTS, "Sale today")
    platform.hold()
    process = await start_bot_process(PULSE_CONCURRENCY="3")
    async with asyncio.timeout(10):
        await platform.wait_requests(3)
    assert states(database, campaign_id)[SubmitState.SUBMITTING] == 3
    await process.kill()
    caught = set(per_recipient(platform))
    platform.release()

    await start_bot(PULSE_CONCURRENCY="3")
    question = await telegram.wait_message(ADMIN, "was interrupted")
    async with asyncio.timeout(10):
        await platform.wait_requests(10)
    assert set(per_recipient(platform)) == set(RECIPIENTS)
    assert max(per_recipient(platform).values()) == 1
    assert "Messages concerned: 3." in question["text"]
    resend = telegram.find_button(question, "Send these 3 again")

    telegram.send_text(ADMIN, f"/allow {OPERATOR} operator")
    await telegram.wait_message(ADMIN, "is now")
    refused = await telegram.wait_answer(telegram.press(OPERATOR, question, resend))
    assert "author or an admin" in refused["text"]

    answer = await telegram.wait_answer(telegram.press(ADMIN, question, resend, strict=True))
    assert "text" not in answer or not answer.get("show_alert")
    async with asyncio.timeout(10):
        await platform.wait_requests(13)
    counts = per_recipient(platform)
    assert {phone for phone, count in counts.items() if count == 2} == caught
    edited = await telegram.wait_message(ADMIN, "Sending them again: 3")
    assert telegram.buttons(edited) == []

    again = await telegram.wait_answer(telegram.press(ADMIN, question, resend))
    assert again["text"] == "Already decided: sent again."
    assert len(platform.requests) == 13
