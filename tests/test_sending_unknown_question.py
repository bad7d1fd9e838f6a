"""Through the running program: a send whose answers were unclear asks its author, in their
chat, how many and why; pressing a button there decides once."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import GROUP, OPERATOR

TWO = "79001234567, 79001234568"


async def test_an_author_is_asked_about_messages_answered_502_and_leaving_them_sends_nothing(
    start_bot, telegram, platform
):
    platform.script(("stored_http", 502), ("stored_http", 502))
    await start_bot(PULSE_SENDERS="Shop", PULSE_CONCURRENCY="1", LOCALE="en")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start(f"/send sms {TWO}\nBig news", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")

    question = await telegram.wait_message(OPERATOR, "answer for some messages is unknown")
    assert "Messages concerned: 2." in question["text"]
    assert "2 × the platform answered HTTP 502 instead of its JSON" in question["text"]
    assert platform.received == dict.fromkeys(TWO.split(", "), 1)
    card = await telegram.wait_message(GROUP, "Submission outcome unknown: 2")
    assert "Paused" not in card["text"]

    leave = telegram.find_button(question, "Leave them")
    telegram.press(OPERATOR, question, leave, strict=True)
    closed = await telegram.wait_message(OPERATOR, "Left as unknown: 2")
    assert closed["message_id"] == question["message_id"]
    telegram.press(OPERATOR, question, leave)  # a second press changes nothing
    await telegram.wait_for(lambda: len(telegram.calls("answerCallbackQuery")) >= 2)

    assert len(platform.requests) == 2  # one request per recipient, never repeated
