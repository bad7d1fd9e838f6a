"""A campaign the platform refused at the account level reads "paused" with its reason everywhere,
its progress counts nothing as accepted, and Resume sends every recipient once."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN, GROUP, OPERATOR

THREE = "79001234567, 79001234568, 79001234569"
BALANCE = "Недостаточно средств на балансе"


async def test_an_account_refusal_pauses_and_every_view_says_so_until_resume(
    start_bot, telegram, platform
):
    platform.default = ("error", BALANCE)
    await start_bot(PULSE_SENDERS="Shop", PULSE_CONCURRENCY="3", LOCALE="en")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {THREE}\nBig news", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")

    notice = await telegram.wait_message(OPERATOR, "paused")
    assert f"«{BALANCE}»" in notice["text"]
    assert "including the ones it answered: 3" in notice["text"]
    assert not platform.received

    # The group card: nothing accepted, nobody lost, and why it waits.
    card = await telegram.wait_message(GROUP, "Paused:")
    assert "Accepted: 0 · refused: 0 · waiting: 3" in card["text"]
    assert "░░░░░░░░░░ 0%" in card["text"]
    assert f"Paused: the platform refused: «{BALANCE}»" in card["text"]

    telegram.send_text(ADMIN, "/campaigns")
    listing = await telegram.wait_message(ADMIN, "Latest campaigns")
    assert "3 recipients · ⏸ paused" in listing["text"]
    assert f"Paused: the platform refused: «{BALANCE}»" in listing["text"]

    telegram.send_text(ADMIN, "/status #1")
    status = await telegram.wait_message(ADMIN, "State:")
    assert "State: ⏸ paused" in status["text"]
    assert f"Paused: the platform refused: «{BALANCE}»" in status["text"]

    platform.default = "success"
    telegram.press(OPERATOR, notice, telegram.find_button(notice, "Resume sending"), strict=True)
    await telegram.wait_for(lambda: len(platform.received) == 3)
    assert platform.received == dict.fromkeys(THREE.split(", "), 1)
    card = await telegram.wait_message(GROUP, "Pending: 3")
    assert "Paused" not in card["text"]
