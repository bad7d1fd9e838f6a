"""Back, Edit, Cancel and /cancel: moving around the wizard keeps answers; leaving sends nothing."""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer

USERS = [7001, 7002, 7003, 7004]


async def back_through_the_steps_then_cancel_command(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("SMS", expect="sender")
    await composer.say("Shop", expect="phone numbers")
    await composer.say("79001234567", expect="Send the text")
    await composer.press("Back", expect="phone numbers")
    assert "Keep: 1" in composer.buttons()
    await composer.press("Back", expect="Choose the sender")
    await composer.press("Back", expect="Choose the message type")
    telegram.send_text(user_id, "/cancel")
    await telegram.wait_for(lambda: composer.text == "Cancelled. Nothing was sent.")
    assert not composer.card.get("reply_markup")
    assert telegram.last(user_id)["message_id"] == composer.card_id  # no second message


async def edit_the_text_then_back_and_keep(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send sms 79001234567 First text", expect="Preview")
    await composer.press("Edit", expect="What do you want to change?")
    await composer.press("Text", expect="Send the text")
    assert "First text" in composer.text
    await composer.say("Second text", expect="Preview")
    assert "Second text" in composer.text
    assert "First text" not in composer.text
    await composer.press("Back", expect="Send the text")
    assert "Keep: current text" in composer.buttons()
    await composer.press("Keep", expect="Preview")
    assert "Second text" in composer.text


async def edit_the_type(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send sms 79001234567 Some text", expect="Preview")
    await composer.press("Edit", expect="What do you want to change?")
    await composer.press("Type", expect="Choose the message type")
    await composer.press("Viber", expect="Preview")  # phones still fit: the list is kept
    assert "Type: Viber" in composer.text
    assert "Recipients: 1: 79001234567" in composer.text
    await composer.press("Edit", expect="What do you want to change?")
    await composer.press("Type", expect="Choose the message type")
    await composer.press("E-mail", expect="e-mail addresses")  # phones do not: asked again
    old_card = composer.card
    await composer.press("Cancel", expect="Cancelled. Nothing was sent.")
    assert not composer.card.get("reply_markup")
    query = telegram.press(user_id, old_card, telegram.find_button(old_card, "Back"))
    answer = await telegram.wait_answer(query)
    assert "no longer active" in answer["text"]


async def cancel_command_when_the_card_is_gone(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    # The person deleted the card: closing it fails, /cancel must still answer.
    telegram.fail_next(
        "editMessageText",
        chat_id=user_id,
        error_code=400,
        description="Bad Request: message to edit not found",
    )
    telegram.send_text(user_id, "/cancel")
    await telegram.wait_message(user_id, contains="Cancelled. Nothing was sent.")


async def test_moving_around_the_wizard_keeps_answers_and_leaving_sends_nothing(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", ADMIN_IDS=",".join(map(str, USERS)))
    stories = [
        back_through_the_steps_then_cancel_command,
        edit_the_text_then_back_and_keep,
        edit_the_type,
        cancel_command_when_the_card_is_gone,
    ]
    await asyncio.gather(
        *(story(telegram, user) for story, user in zip(stories, USERS, strict=True))
    )
    assert not platform.requests
    assert [call.description for call in telegram.errors if not call.scripted] == []
