"""Input a wizard step cannot use is refused on the card with the reason, and the step is asked again."""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer

USERS = [9001, 9002, 9003]
PHOTO = b"\xff\xd8\xff\xe0 photo"


async def wrong_type_and_sender(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.say("fax", expect="Unknown type «fax». Types: SMS, Viber")
    await composer.sticker(expect="Please send text here")
    await composer.press("Cascade", expect="number of the scenario mailing")
    await composer.say("Shop", expect="digits only")
    await composer.say("12345", expect="phone numbers or e-mail addresses")
    await composer.press("Back", expect="send its digits")
    assert "Keep: 12345" in composer.buttons()
    await composer.press("Back", expect="Choose the message type")
    assert "Keep: Cascade" in composer.buttons()
    await composer.press("SMS", expect="Send the recipients' phone numbers")
    assert "Sender: 12345" in composer.text  # a digits-only sender is fine for SMS too


async def unusable_recipients(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send sms junk Hello", expect="No valid recipients found")
    assert "«junk» - not a phone number" in composer.text
    await composer.say("hello world", expect="Invalid: 2")
    await composer.photo(PHOTO, expect="as text or as a file")
    await composer.upload("list.csv", b"\x00\x01\x02\x03" * 100, expect="does not look like a text")
    await composer.upload("empty.csv", b"", expect="The file is empty")
    await composer.upload("list.pdf", b"%PDF-1.4", expect="Files of this kind are not read")
    await composer.upload("big.csv", b"7" * (20 * 1024 * 1024 + 1), expect="larger than 20 MB")
    await composer.say("79001234567", expect="Preview")


async def unusable_texts(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/new")
    await composer.press("SMS", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    table = b"phone,name\n79001234567,Anna\n79001234568,\n"
    await composer.upload("people.csv", table, expect="Send the text")
    await composer.say("Hi {name}", expect="1 recipient has no value for {name}: №2 79001234568.")
    await composer.sticker(expect="Please send text here")
    await composer.photo(PHOTO, expect="Please send text here")
    await composer.say("a" * 1600, expect="takes 11 SMS segments; at most 10 are allowed")
    await composer.say("10% off & free delivery", expect="Preview")


async def test_each_kind_of_bad_input_is_explained_and_asked_again(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", ADMIN_IDS=",".join(map(str, USERS)))
    stories = [wrong_type_and_sender, unusable_recipients, unusable_texts]
    await asyncio.gather(
        *(story(telegram, user) for story, user in zip(stories, USERS, strict=True))
    )
    # Downloaded: list.csv, empty.csv, people.csv; the .pdf and the 20 MB file were refused unread.
    assert len(telegram.calls("getFile")) == 3
    refused = [
        call.description for call in telegram.errors if "not modified" not in call.description
    ]
    assert refused == []
