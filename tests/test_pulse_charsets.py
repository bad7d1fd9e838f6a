"""Texts reach the platform as bytes in the requested charset, for GET and for POST."""

import pytest

from bot.platform.charsets import CharsetError
from bot.platform.client import PulseClient
from bot.platform.results import Accepted, OutgoingMessage
from tests.conftest import PLATFORM_TOKEN as TOKEN

METHODS = ["GET", "POST"]


def sms(text: str, charset: str | None, html_text: str | None = None) -> OutgoingMessage:
    return OutgoingMessage(
        type="sms",
        sender="Shop",
        sent_to="79991234567",
        sent_text=text,
        html_text=html_text,
        charset=charset,
    )


@pytest.mark.parametrize("method", METHODS)
async def test_cp1251_text_is_sent_as_cp1251_bytes(platform, session, method):
    client = PulseClient(session, platform.url, TOKEN, method=method)

    assert await client.send_message(sms("Привет", "CP1251")) == Accepted("p1")

    request = platform.requests[0]
    assert b"sent_text=%CF%F0%E8%E2%E5%F2&" in request.raw
    assert request.params["charset"] == "CP1251"
    assert platform.messages["p1"].sent_text == "Привет"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("charset", "expected"),
    [
        ("UCS-2BE", "Привет".encode("utf-16-be")),
        ("UCS2BE", "Привет".encode("utf-16-be")),
        ("UTF16BE", "Привет".encode("utf-16-be")),
        ("UTF-16BE", "Привет".encode("utf-16-be")),
        ("UCS-2LE", "Привет".encode("utf-16-le")),
        ("UCS2LE", "Привет".encode("utf-16-le")),
        ("UTF16LE", "Привет".encode("utf-16-le")),
        ("UTF-16LE", "Привет".encode("utf-16-le")),
        ("UTF-8", "Привет".encode()),
        (None, "Привет".encode()),
    ],
)
async def test_text_bytes_follow_charset_without_bom(platform, session, method, charset, expected):
    client = PulseClient(session, platform.url, TOKEN, method=method)

    await client.send_message(sms("Привет", charset))

    assert platform.requests[0].param_bytes["sent_text"] == expected
    assert platform.messages["p1"].sent_text == "Привет"


async def test_ucs2be_bytes_on_the_wire(platform, session):
    client = PulseClient(session, platform.url, TOKEN)

    await client.send_message(sms("Пр", "UCS-2BE"))

    assert b"sent_text=%04%1F%04%40&" in platform.requests[0].raw


@pytest.mark.parametrize("method", METHODS)
async def test_html_text_uses_charset_and_other_fields_stay_utf8(platform, session, method):
    client = PulseClient(session, platform.url, TOKEN, method=method)
    message = OutgoingMessage(
        type="email",
        sender="Магазин",
        sent_to="a@example.com",
        sent_text="Текст",
        html_text="<p>Текст</p>",
        charset="CP1251",
        button="Купить",
    )

    await client.send_message(message)

    param_bytes = platform.requests[0].param_bytes
    assert param_bytes["html_text"] == "<p>Текст</p>".encode("cp1251")
    assert param_bytes["sender"] == "Магазин".encode()
    assert param_bytes["button"] == "Купить".encode()


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "message",
    [
        sms("Привет 😀", "CP1251"),
        sms("ok", "CP1251", html_text="<b>😀</b>"),
        sms("Привет", "KOI8-R"),
    ],
)
async def test_unencodable_text_raises_before_any_request(platform, session, method, message):
    client = PulseClient(session, platform.url, TOKEN, method=method)

    with pytest.raises(CharsetError):
        await client.send_message(message)
    assert not platform.requests


async def test_unencodable_list_text_raises_before_any_request(platform, session):
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("Привет", None), sms("Привет 😀", None)]

    with pytest.raises(CharsetError, match="CP1251"):
        await client.send_list(type="sms", sender="Shop", charset="CP1251", messages=messages)
    assert not platform.requests
