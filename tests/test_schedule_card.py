"""The Schedule card on the composing card: it survives a restart, answers what it cannot use,
and Back hands the card back to the preview, which still sends."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR


async def test_the_schedule_card_survives_a_restart_and_back_returns_to_the_preview(
    start_bot, telegram, platform
) -> None:
    first = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Back", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.press("Tomorrow 10:00", expect="Confirm?")

    await first.stop()
    await start_bot(PULSE_SENDERS="Shop")
    await composer.press("Weekly", expect="Next runs")
    await composer.say("hello", expect="Use the buttons on the card.")
    assert "✓ Weekly" in composer.buttons()

    await composer.press("Back", expect="Preview")
    assert "Schedule" in composer.buttons()
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: platform.requests)
    assert [request.params["sent_to"] for request in platform.requests] == ["79001234567"]


async def test_an_answer_that_changes_nothing_is_told_and_the_card_is_left_as_it_is(
    start_bot, telegram
) -> None:
    await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    await composer.press("Schedule", expect="When should it go out")
    await composer.say("someday", expect="Could not read «someday»")
    shown = composer.text

    telegram.send_text(OPERATOR, "someday")
    told = await telegram.wait_message(OPERATOR, contains="Nothing changed")
    assert told["message_id"] > composer.card_id
    assert composer.text == shown
    await composer.press("Tomorrow 10:00", expect="Confirm?")
    assert not telegram.errors  # no edit Telegram would refuse as not modified
