"""A card with a picture, as Telegram gets it: a photo captioned with the card's text and its
buttons, or, when the text is too long for a caption, the photo and then the text. A picture
that cannot be drawn leaves the text alone rather than nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import make_i18n
from bot.notices import CAPTION_CHARS, Card, Notice, Photo, TelegramNotices
from tests.conftest import GROUP, TOKEN
from tests.fakes.telegram import FakeTelegram
from tests.test_delivery_charts import PNG_SIGNATURE

PICTURE = PNG_SIGNATURE + b"\x00" * 64
BUTTONS = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Open", callback_data="open:1")]]
)


@dataclass(frozen=True)
class Pictured(Notice):
    text: str
    drawn: bool = False  # drawn when sent, rather than ready


def broken_drawing() -> bytes:
    raise RuntimeError("no fonts")


def render(notice: Pictured) -> Card:
    content = (lambda: PICTURE) if notice.drawn else PICTURE
    if notice.text == "broken":
        content = broken_drawing
    return Card(notice.text, BUTTONS, Photo("picture.png", content))


@pytest.fixture
async def notices(telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[TelegramNotices]:
    bot = Bot(
        TOKEN,
        session=AiohttpSession(api=TelegramAPIServer.from_base(telegram.url)),
        default=DefaultBotProperties(parse_mode="HTML"),
    )
    i18n = make_i18n("en", tmp_path / "locales")
    yield TelegramNotices(bot, i18n, "en", [{Pictured: render}])
    await bot.session.close()


async def test_a_card_with_a_picture_is_a_captioned_photo_with_its_buttons(notices, telegram):
    assert await notices.tell(GROUP, Pictured("<b>Digest</b> · the week"))

    [message] = telegram.chat(GROUP)
    assert message["caption"] == "Digest · the week"
    assert message["photo"][-1]["content"] == PICTURE
    assert telegram.buttons(message) == [("Open", "open:1")]


async def test_a_picture_drawn_when_sent_goes_out_drawn(notices, telegram):
    assert await notices.tell(GROUP, Pictured("Chart", drawn=True))

    [message] = telegram.chat(GROUP)
    assert message["photo"][-1]["content"] == PICTURE


async def test_markup_does_not_count_against_the_caption(notices, telegram):
    shown = "x" * CAPTION_CHARS
    assert await notices.tell(GROUP, Pictured(f"<b>{shown[:500]}</b>&amp;{shown[501:]}"))

    [message] = telegram.chat(GROUP)
    assert len(message["caption"]) == CAPTION_CHARS


async def test_a_text_too_long_for_a_caption_follows_the_photo(notices, telegram):
    long_text = "Долгий текст " * 100  # 1,300 characters
    message_id = await notices.post(GROUP, Pictured(long_text))

    photo, text = telegram.chat(GROUP)
    assert photo["photo"][-1]["content"] == PICTURE
    assert "caption" not in photo
    assert text["text"] == long_text
    assert telegram.buttons(text) == [("Open", "open:1")]
    assert message_id == text["message_id"]


async def test_a_picture_that_cannot_be_drawn_leaves_the_text(notices, telegram):
    assert await notices.tell(GROUP, Pictured("broken"))

    [message] = telegram.chat(GROUP)
    assert message["text"] == "broken"
    assert "photo" not in message
