"""A half-composed message survives a restart: the same card goes on from the same step."""

from __future__ import annotations

from tests.compose_user import Composer
from tests.conftest import OPERATOR


async def test_a_restart_mid_wizard_continues_on_the_same_card(start_bot, telegram, platform):
    program = await start_bot(ADMIN_IDS=str(OPERATOR))
    composer = Composer(telegram)
    card = await composer.start(
        "/send bulk 79001234567, 89001234568\nAfter the restart", expect="scenario mailing"
    )

    await program.stop()
    await start_bot(ADMIN_IDS=str(OPERATOR))

    await composer.say("777", expect="Preview")
    assert composer.card["message_id"] == card["message_id"]
    assert "Recipients: 2: 79001234567, 79001234568" in composer.text
    await composer.press("Send", expect="Sent to the platform: campaign №1")
    await telegram.wait_for(lambda: sum(platform.received.values()) == 2)
    sent = {(message.sender, message.sent_text) for message in platform.messages.values()}
    assert sent == {("777", "After the restart")}
