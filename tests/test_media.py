"""Photos for messages are kept under unguessable names and served at PUBLIC_URL/media/<name>."""

from __future__ import annotations

import re

import aiohttp

from bot.compose.media import MediaStore, image_suffix, media_url
from tests.compose_user import Composer, make_operator

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 8


def test_a_saved_image_gets_a_long_random_name_and_can_be_found_by_it(tmp_path):
    media = MediaStore(tmp_path / "media")
    first, second = media.save(JPEG), media.save(JPEG)
    assert first != second
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\.jpg", first)
    assert media.path(first).read_bytes() == JPEG
    assert not list((tmp_path / "media").glob(".*.part"))


def test_names_that_were_not_given_out_find_nothing(tmp_path):
    media = MediaStore(tmp_path / "media")
    name = media.save(JPEG)
    assert media.path("A" * 43 + ".jpg") is None
    assert media.path("../" + name) is None
    assert media.path(name.replace(".jpg", ".png")) is None


def test_the_suffix_follows_the_image_bytes():
    assert image_suffix(b"\x89PNG\r\n\x1a\n...") == "png"
    assert image_suffix(b"GIF89a...") == "gif"
    assert image_suffix(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_suffix(JPEG) == "jpg"


def test_the_address_joins_the_public_url_and_the_name():
    assert (
        media_url("https://bot.example.com/", "abc.jpg") == "https://bot.example.com/media/abc.jpg"
    )


async def test_an_uploaded_photo_is_served_at_its_public_address_and_only_there(
    start_bot, telegram
):
    bot = await start_bot(PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send viber 79001234567 Look at this", expect="Preview")
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Image", expect="Send a photo")
    await composer.photo(JPEG, expect="Preview")
    found = re.search(
        rf"Image: ({re.escape(bot.url)}/media/[A-Za-z0-9_-]{{43}}\.jpg)", composer.text
    )
    assert found, composer.text
    async with aiohttp.ClientSession() as session:
        async with session.get(found[1]) as response:
            assert response.status == 200
            assert response.content_type == "image/jpeg"
            assert await response.read() == JPEG
        async with session.get(f"{bot.url}/media/{'A' * 43}.jpg") as response:
            assert response.status == 404
        async with session.get(f"{bot.url}/media/..%2Fpulse-bridge.db") as response:
            assert response.status == 404


async def test_without_public_url_photos_are_refused_with_the_reason(start_bot, telegram):
    await start_bot(PUBLIC_URL="", PULSE_SENDERS="Shop")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/send viber 79001234567 Look at this", expect="Preview")
    assert "Statuses will not arrive: PUBLIC_URL is not set" in composer.text
    await composer.press("Extras", expect="Choose what to set")
    await composer.press("Image", expect="PUBLIC_URL, which is not set")
    await composer.photo(JPEG, expect="Uploaded photos cannot be used: PUBLIC_URL is not set")
    assert not telegram.calls("getFile")
    await composer.say("https://cdn.example.com/sale.png", expect="Preview")
    assert "Image: https://cdn.example.com/sale.png" in composer.text
