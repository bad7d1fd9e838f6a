"""A status that arrives before the platform's answer: the message exists, whatever the answer."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.compose_user import Composer, make_operator
from tests.conftest import GROUP, OPERATOR

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
    assert "Now: ✅ delivered (1)" in history["text"]
