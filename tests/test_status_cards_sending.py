"""A send composed in Telegram gets its cards, and the platform's callbacks bring them to the end."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import GROUP, OPERATOR
from tests.report_reader import read_report

THREE = "79001234567, 79001234568, 79001234569"


async def test_a_sent_campaign_is_followed_to_its_final_report(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {THREE}\nBig news", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: len(platform.messages) == 3)
    await telegram.wait_message(GROUP, "Recipients: 3")

    by_address = {message.sent_to: pid for pid, message in platform.messages.items()}
    updates = [(pid, "8") for pid in by_address.values()]
    updates += [(by_address["79001234567"], "1"), (by_address["79001234568"], "1")]
    updates += [(by_address["79001234569"], "2")]
    assert set(await platform.fire_many(updates)) == {200}

    card = await telegram.wait_message(GROUP, "Final.", timeout=20)
    assert "Delivered: 2 (66.7%)" in card["text"]
    assert "Failed: 1" in card["text"]
    assert "From: Shop" in card["text"]
    author_card = await telegram.wait_message(OPERATOR, "Final.", timeout=20)
    assert "Delivered: 2" in author_card["text"]
    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(GROUP) if "document" in m), None)
    )
    rows = read_report(report["document"]["content"]).rows
    assert [(row["Address"], row["Status"], row["Platform status"]) for row in rows] == [
        ("79001234569", "failed", "2")
    ]
    assert telegram.violations == []


async def test_a_sandbox_send_reaches_its_final_status_by_itself(start_bot, telegram):
    await start_bot(PULSE_TOKEN="", PULSE_SENDERS="Shop", SANDBOX_FAIL_SHARE="0")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Hello there", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")

    card = await telegram.wait_message(GROUP, "delivered", timeout=20)

    assert "SANDBOX" in card["text"]
    assert "To: 79001234567" in card["text"]
    assert "Status: ✅ delivered · " in card["text"]
