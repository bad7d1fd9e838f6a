"""Extras set on the preview (HTML text, button, image, TTL, charset, find_token) reach the platform."""

from __future__ import annotations

import asyncio

from tests.compose_user import Composer

USERS = [8001, 8002, 8003, 8004]


def request_to(platform, address: str) -> dict[str, str]:
    return next(r.params for r in platform.requests if r.params.get("sent_to") == address)


async def html_text(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send email a@example.com Hello", expect="Preview")
    await composer.press("Extras", expect="No extras are set")
    # An e-mail has no button or image, and its recipients are never tokens.
    assert not {"Button", "Image"} & set(composer.buttons())
    await composer.press("HTML text", expect="Send the HTML text")
    await composer.say("<p>Hi & <b>bye</b></p>", expect="Preview")
    assert "HTML text (22 characters): <p>Hi & <b>bye</b></p>" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def button(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send viber 79001110001 Sale", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Button", expect="caption on the first line")
    await composer.say(
        "Buy\nftp://shop.example", expect="neither an http(s) address nor a bot command"
    )
    await composer.say("Buy now\nhttps://shop.example/sale?a=1&b=2", expect="Preview")
    assert "Button: «Buy now» → https://shop.example/sale?a=1&b=2" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def charset(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send viber 79001110003 Sale 😀", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Advanced", expect="rarely needed")
    await composer.press("Charset", expect="Choose the charset")
    await composer.press("CP1251", expect="cannot be sent in CP1251: it has «😀»")
    await composer.press("UTF-8", expect="Preview")
    assert "Charset: UTF-8" in composer.text
    await composer.press("Send", expect="Sent to the platform")


async def ttl_and_image_address(telegram, user_id: int) -> None:
    composer = Composer(telegram, user_id)
    await composer.start("/send viber 79001110002 Hi", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("TTL", expect="lifetime in minutes")
    await composer.say("0", expect="whole number of minutes")
    await composer.say("90", expect="Lifetime (TTL): 90 min")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Image", expect="Send a photo")
    await composer.say(
        "https://cdn.example.com/a.png", expect="Image: https://cdn.example.com/a.png"
    )
    await composer.press("Send", expect="Sent to the platform")


async def test_extras_set_on_the_preview_are_sent_with_the_message(start_bot, telegram, platform):
    await start_bot(PULSE_SENDERS="Shop", ADMIN_IDS=",".join(map(str, USERS)))
    stories = [html_text, button, charset, ttl_and_image_address]
    await asyncio.gather(
        *(story(telegram, user) for story, user in zip(stories, USERS, strict=True))
    )
    await telegram.wait_for(lambda: len(platform.received) == 4)

    email = request_to(platform, "a@example.com")
    assert email["html_text"] == "<p>Hi & <b>bye</b></p>"
    assert "find_token" not in email
    viber = request_to(platform, "79001110001")
    assert (viber["button"], viber["action"]) == ("Buy now", "https://shop.example/sale?a=1&b=2")
    in_utf8 = request_to(platform, "79001110003")
    assert in_utf8["charset"] == "UTF-8"
    assert in_utf8["sent_text"] == "Sale 😀"
    later = request_to(platform, "79001110002")
    assert (later["ttl"], later["image"]) == ("90", "https://cdn.example.com/a.png")
    assert [call.description for call in telegram.errors] == []
