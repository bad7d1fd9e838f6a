"""A status that arrives before the platform's answer: the message exists, whatever the answer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter

import aiohttp

from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, GROUP, OPERATOR
from tests.test_callbacks_seed import SECRET, database_path, seed_campaign, status_url

TWO = "79001234567, 79001234568"


async def test_a_message_reported_before_its_answer_is_never_sent_again(
    start_bot, telegram, platform
):
    # Both messages are stored and reported delivered; then one answer says 503 ("not
    # processed", normally retried) and the other comes late but fine.
    platform.script(("callback_first", "1", 503), ("callback_first", "1"))
    await start_bot(PULSE_SENDERS="Shop", PULSE_CONCURRENCY="2")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {TWO}\nBig news", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    async with asyncio.timeout(20):
        await platform.wait_early_callbacks(2)
    assert [answer for _, answer in platform.early_callbacks] == [200, 200]
    platform.answer_late()

    card = await telegram.wait_message(GROUP, "Final.", timeout=20)
    assert "Delivered: 2 (100%)" in card["text"]
    assert "paused" not in card["text"]
    requests = Counter(request.params["sent_to"] for request in platform.requests)
    assert requests == {"79001234567": 1, "79001234568": 1}
    assert not any("paused" in message.get("text", "") for message in telegram.chat(OPERATOR))

    platform_id, _ = platform.early_callbacks[0]
    last = telegram.last(OPERATOR)["message_id"]
    telegram.send_text(OPERATOR, f"/status {platform_id}")
    history = await telegram.wait_message(OPERATOR, "History", after=last)
    assert f"Message {platform_id}" in history["text"]
    assert "Now: ✅ delivered\n" in history["text"]


async def test_a_status_before_the_authors_decision_keeps_that_message_out_of_the_resend(
    start_bot, bot_env, telegram, platform
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    # As a killed program leaves them: both rows handed over, neither answer stored.
    with sqlite3.connect(database_path(bot_env)) as db:
        db.execute("UPDATE messages SET state = 'submitting', platform_id = NULL")
        db.execute("UPDATE campaigns SET state = 'submitting'")
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    question = await telegram.wait_message(ADMIN, "was interrupted")
    assert "Messages concerned: 2." in question["text"]

    async with (
        aiohttp.ClientSession() as session,
        session.get(status_url(bot.url, seeded.message_ids[0], "1", "pf-77")) as answer,
    ):
        assert answer.status == 200
    telegram.press(ADMIN, question, telegram.find_button(question, "Send these 2 again"))

    decided = await telegram.wait_message(ADMIN, "Meanwhile 1 of them received a status")
    assert "Sending them again: 1." in decided["text"]
    await telegram.wait_for(lambda: len(platform.requests) == 1)
    assert platform.requests[0].params["sent_to"] == "79000000002"
    last = telegram.last(ADMIN)["message_id"]
    telegram.send_text(ADMIN, "/status pf-77")
    history = await telegram.wait_message(ADMIN, "History", after=last)
    assert "To: 79000000001" in history["text"]
    assert "Now: ✅ delivered\n" in history["text"]


async def test_a_list_chunk_reported_before_an_unreadable_answer_is_accepted_not_unknown(
    start_bot, telegram, platform
):
    # One request carries the three messages; the platform stores them, reports each delivered,
    # then its gateway answers 502, which alone would leave the whole chunk unknown.
    platform.script(("callback_first", "1", 502))
    platform.answer_late()
    await start_bot(PULSE_SENDERS="Shop", PULSE_SEND_MODE="list")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {TWO}, 79001234569\nBig news", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")

    card = await telegram.wait_message(GROUP, "Final.", timeout=20)
    assert "Delivered: 3 (100%)" in card["text"]
    assert "unknown" not in card["text"]
    assert [request.endpoint for request in platform.requests] == ["send-list-messages"]
    assert [answer for _, answer in platform.early_callbacks] == [200, 200, 200]
    assert not any("was interrupted" in m.get("text", "") for m in telegram.chat(OPERATOR))
    assert not any("unknown" in m.get("text", "") for m in telegram.chat(OPERATOR))
