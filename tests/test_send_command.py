"""/send jumps straight to the preview: recipients on the first line and text below, or all on one."""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer

USERS = [6001, 6002, 6003, 6004, 6005]


async def one_line(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start('/send sms 79001234567 Price <5 & <b>bold</b> "x"', expect="Preview")
    text = composer.text
    assert "Type: SMS" in text
    assert "Sender: Shop" in text
    assert "Recipients: 1: 79001234567" in text
    assert 'Price <5 & <b>bold</b> "x"' in text  # shown literally, not as markup
    text_at = text.index("Price")
    bold = [entity for entity in composer.card["entities"] if entity["type"] == "bold"]
    assert bold
    assert all(entity["offset"] < text_at for entity in bold)
    assert "Schedule" in composer.buttons()
    assert "Save as template" in composer.buttons()
    assert telegram.find_button(composer.card, "Schedule") == composer.carried("compose:schedule")


async def text_on_following_lines(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start(
        "/send viber 79001234567, 8 900 123 45 68\nLine one\nLine two", expect="Preview"
    )
    assert "Recipients: 2: 79001234567, 79001234568" in composer.text
    assert "Line one\nLine two" in composer.text


async def cascade_asks_for_its_number(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send bulk 79001234567 Hello", expect="number of the scenario mailing")
    await composer.say("777", expect="Preview")
    assert "Sender: 777" in composer.text
    assert "Hello" in composer.text


async def long_text_is_cut(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send email a@example.com\n" + "&<" * 1900, expect="Preview")
    text = composer.text
    assert len(text) <= 4096
    assert "…" in text
    assert "&<&<&<" in text


async def mistakes(telegram, user_id: int) -> None:
    telegram.send_text(user_id, "/send fax 79001234567 hi")
    reply = await telegram.wait_message(user_id, contains="Unknown type")
    assert "«fax»" in reply["text"]
    assert "SMS, Viber" in reply["text"]
    telegram.send_text(user_id, "/send sms")
    await telegram.wait_message(user_id, contains="Usage: /send type recipients")


async def test_send_reaches_the_preview_in_both_forms(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", ADMIN_IDS=",".join(map(str, USERS)))
    stories = [
        one_line,
        text_on_following_lines,
        cascade_asks_for_its_number,
        long_text_is_cut,
        mistakes,
    ]
    # Different people in parallel: each chat has its own pace.
    await asyncio.gather(
        *(story(telegram, user) for story, user in zip(stories, USERS, strict=True))
    )
    assert [call.description for call in telegram.errors] == []
