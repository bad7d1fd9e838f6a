"""What each channel needs, composed as a user would and checked where it lands: the platform.

HTML text rendered per recipient, UCS-2 without emoji, push tokens, find_token, HLR without
text, cascades and uploaded photos.
"""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram

USERS = [8101, 8102, 8103, 8104, 8105, 8106, 8107]
MINIFIED_CSS = "<style>@media(max-width:600px){.a{color:red}}p{margin:0}</style>"
HTML_TEXT = MINIFIED_CSS + '<p class="a">Hi {name}!</p>{{promo}}'
CUSTOMERS = "email,name\na@example.com,Ann & <Bo>\nb@example.com,Zoë\n".encode()
PHOTO = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def requests_to(platform: FakePlatform, address: str) -> list[dict[str, str]]:
    return [r.params for r in platform.requests if r.params.get("sent_to") == address]


async def html_text_per_recipient(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("E-mail", expect="sender")
    await composer.press("Shop", expect="e-mail addresses")
    await composer.upload("customers.csv", CUSTOMERS, expect="Send the text")
    await composer.say("Hi {name}", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("HTML text", expect="Send the HTML text")
    await composer.say(HTML_TEXT, expect="Preview")
    rendered = MINIFIED_CSS + '<p class="a">Hi Ann &amp; &lt;Bo&gt;!</p>{{promo}}'
    assert f"The first recipient gets this HTML text: {rendered}" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def ucs2_without_emoji(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send sms 79001110005 Привет 🎉", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Advanced", expect="rarely needed")
    await composer.press("Charset", expect="Choose the charset")
    await composer.press("UCS2BE", expect="The text has «🎉». UCS2BE cannot carry characters")
    assert "choose a UTF-16 charset (UTF-16BE or UTF-16LE)" in composer.text
    await composer.press("Back", expect="Choose what to set")
    await composer.press("Back", expect="Preview")
    await composer.press("Edit", expect="What do you want to change")
    await composer.press("Text", expect="Send the text")
    await composer.say("Привет!", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Advanced", expect="rarely needed")
    await composer.press("Charset", expect="Choose the charset")
    await composer.press("UCS2BE", expect="Charset: UCS2BE")
    await composer.press("Edit", expect="What do you want to change")
    await composer.press("Text", expect="Send the text")
    await composer.say("Привет 😀 и 🎉", expect="The text has «😀» «🎉». UCS2BE cannot carry")
    await composer.say("Привет, мир", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")


async def push_tokens(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("Push", expect="sender")
    await composer.press("Shop", expect="tokens (separated by commas or new lines)")
    await composer.say("fcm:tok-A_1, fcm:tok B\n79001110006", expect="Send the text")
    assert "Valid recipients: 2" in composer.text
    assert "line 1: «fcm:tok B» - not a push token" in composer.text
    assert "1 token looks like a phone number or an e-mail address: it is sent as a token" in (
        composer.text
    )
    await composer.say("Your order is ready", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")


async def bot_by_phone_with_find_token(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("Chatbot", expect="sender")
    await composer.press("Shop", expect="tokens")
    await composer.press("Phones or e-mails instead", expect="find_token is on")
    await composer.say("+7 (900) 111-00-07, Ann@Example.COM", expect="Send the text")
    assert "Valid recipients: 2" in composer.text
    await composer.say("Hello", expect="Preview")
    assert "Tokens are looked up by phone or e-mail" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def find_token_switched_in_extras(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send push tok-X Your parcel is here", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    assert "Charset" not in composer.buttons()  # rarely needed: under Advanced
    await composer.press("Advanced", expect="rarely needed")
    # The tokens no longer fit: the list is asked for again, the text is kept.
    await composer.press("Tokens by phone or e-mail: off", expect="find_token is on")
    assert "Recipients:" not in composer.text
    await composer.say("+7 900 111-00-10", expect="Preview")
    assert "Your parcel is here" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def hlr_without_text(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("HLR", expect="sender")
    await composer.press("Shop", expect="phone numbers")
    await composer.say("8 900 111 00 08", expect="No text is sent: an HLR request")
    await composer.press("Back", expect="phone numbers")  # there is no text step to go back to
    await composer.press("Keep", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    status_card = await telegram.wait_message(user_id, contains="· HLR (number check)")
    assert "Text:" not in status_card["text"]


async def cascade_with_a_photo(telegram: FakeTelegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start()
    await composer.press("Cascade", expect="number of the scenario mailing")
    await composer.say("4711", expect="phone numbers or e-mail addresses")
    await composer.say("79001110009", expect="Send the text")
    await composer.say("Sale", expect="Preview")
    assert "Cascade: scenario mailing №4711 decides the channels" in composer.text
    assert "its own button, action or image, those win over the ones set here" in composer.text
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("HTML text", expect="Send the HTML text")
    await composer.say("<b>Sale</b>", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Image", expect="Send a photo")
    await composer.photo(PHOTO, expect="third-party image")
    assert "upload it to the Media section of the platform's cabinet" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def test_each_channel_gets_what_it_needs(
    start_bot, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    await start_bot(
        PULSE_SENDERS="Shop",
        PULSE_TYPES="sms,email,push,bot,hlr,bulk",
        ADMIN_IDS=",".join(map(str, USERS)),
    )
    stories = [
        html_text_per_recipient,
        ucs2_without_emoji,
        push_tokens,
        bot_by_phone_with_find_token,
        hlr_without_text,
        cascade_with_a_photo,
        find_token_switched_in_extras,
    ]
    await asyncio.gather(
        *(story(telegram, user) for story, user in zip(stories, USERS, strict=True))
    )
    await telegram.wait_for(lambda: sum(platform.received.values()) == 10)

    # Every recipient once; push tokens as written, never split or normalised.
    assert dict(platform.received) == {
        "a@example.com": 1,
        "b@example.com": 1,
        "79001110005": 1,
        "fcm:tok-A_1": 1,
        "79001110006": 1,
        "79001110007": 1,
        "Ann@example.com": 1,
        "79001110008": 1,
        "79001110009": 1,
        "79001110010": 1,
    }
    [ann] = requests_to(platform, "a@example.com")
    assert ann["html_text"] == MINIFIED_CSS + '<p class="a">Hi Ann &amp; &lt;Bo&gt;!</p>{{promo}}'
    assert ann["sent_text"] == "Hi Ann & <Bo>"
    [zoe] = requests_to(platform, "b@example.com")
    assert zoe["html_text"] == MINIFIED_CSS + '<p class="a">Hi Zoë!</p>{{promo}}'

    [ucs2] = [r for r in platform.requests if r.params.get("sent_to") == "79001110005"]
    assert ucs2.params["charset"] == "UCS2BE"
    assert ucs2.param_bytes["sent_text"] == "Привет, мир".encode("utf-16-be")

    [token] = requests_to(platform, "fcm:tok-A_1")
    assert (token["type"], token.get("find_token")) == ("push", None)
    [by_phone] = requests_to(platform, "79001110007")
    assert (by_phone["type"], by_phone["find_token"]) == ("bot", "1")
    assert requests_to(platform, "Ann@example.com")[0]["find_token"] == "1"
    [switched] = requests_to(platform, "79001110010")
    assert (switched["type"], switched["find_token"]) == ("push", "1")
    assert switched["sent_text"] == "Your parcel is here"

    [hlr] = requests_to(platform, "79001110008")
    assert (hlr["type"], hlr["sent_text"]) == ("hlr", "")

    [cascade] = requests_to(platform, "79001110009")
    assert (cascade["type"], cascade["sender"]) == ("bulk", "4711")
    assert cascade["html_text"] == "<b>Sale</b>"
    assert "/media/" in cascade["image"]
    assert [call.description for call in telegram.errors] == []
