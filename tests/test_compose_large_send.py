"""Above LARGE_SEND_CONFIRM recipients, Send asks once more with the exact count."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator

FOUR = "79001234567, 79001234568, 79001234569, 79001234570"


async def test_a_large_send_asks_once_more_with_the_exact_count(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", LARGE_SEND_CONFIRM="3")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {FOUR}\nBig news", expect="Preview")

    await composer.press("Send", expect="Send to 4 recipients?")
    assert composer.buttons() == ["Yes, send", "No"]
    await composer.press("No", expect="Preview")
    assert not platform.requests

    await composer.press("Send", expect="Send to 4 recipients?")
    await composer.press("Yes, send", expect="Sent to the platform: campaign №1")
    await telegram.wait_for(lambda: sum(platform.received.values()) == 4)
    assert set(platform.received.values()) == {1}
