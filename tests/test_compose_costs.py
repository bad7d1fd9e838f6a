"""Cost before sending: SMS parts counted over every recipient's own text, priced exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.compose.costs import encoding_of, measure
from tests.compose_user import Composer, make_operator
from tests.conftest import GROUP, OPERATOR
from tests.test_settings import start_with

# "Hello {name}! " + 140 x: 147 characters before the name.
TEXT = "Hello {name}! " + "x" * 140
SHORT, LONG, CYRILLIC = "Al", "Alexandra-Konstantina", "Жанна"
NAMES = [SHORT] * 7 + [LONG] * 5 + [CYRILLIC]
TABLE = "\n".join(
    ["phone,name"] + [f"7900{n:07d},{name}" for n, name in enumerate(NAMES, start=1)]
).encode()
# Short: 149 GSM-7 characters, 1 part. Long: 168, 2 parts. Cyrillic: 152 UCS-2, 3 parts.
PARTS = 7 * 1 + 5 * 2 + 1 * 3


async def preview_of(start_bot, telegram, language: str = "en", **env: str) -> Composer:
    await start_bot(PULSE_SENDERS="Shop", **env)
    await make_operator(telegram)
    composer = Composer(telegram, language_code=language)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", TABLE)
    await composer.say(TEXT, expect="Preview" if language == "en" else "Предпросмотр")
    return composer


async def test_the_preview_prices_every_recipients_own_text_exactly(start_bot, telegram):
    composer = await preview_of(start_bot, telegram, PULSE_PRICES="sms:2.50,viber:0.90")

    assert PARTS == 20
    assert "≈ 50.00\xa0₽: 13 recipients, 20 SMS parts at 2.50\xa0₽" in composer.text
    assert "SMS parts per recipient: from 1 to 3" in composer.text


async def test_the_estimate_reads_russian_with_russian_numbers(start_bot, telegram):
    composer = await preview_of(
        start_bot, telegram, "ru", PULSE_PRICES="sms:1234.5", CURRENCY="руб."
    )

    assert "≈ 24\xa0690,00\xa0руб.: 13 получателей, 20 SMS-частей по 1\xa0234,50\xa0руб." in (
        composer.text
    )
    assert "SMS-частей на получателя: от 1 до 3" in composer.text


async def test_without_prices_no_money_is_shown(start_bot, telegram):
    composer = await preview_of(start_bot, telegram)

    assert "₽" not in composer.text
    assert "SMS parts at" not in composer.text
    assert "SMS parts per recipient: from 1 to 3" in composer.text


async def test_a_type_without_its_own_price_shows_no_money(start_bot, telegram):
    composer = await preview_of(start_bot, telegram, PULSE_PRICES="viber:0.90")

    assert "₽" not in composer.text


async def test_the_characters_that_make_a_text_ucs2_are_named(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.say("79001234567, 79001234568")

    card = await composer.say("Sale — " + "y" * 100, expect="Preview")

    assert "«—» makes this text UCS-2 (Cyrillic) encoded: 2 parts instead of 1" in card["text"]
    assert "≈ 10.00\xa0₽: 2 recipients, 4 SMS parts at 2.50\xa0₽" in card["text"]
    assert "from 1 to" not in card["text"]  # every recipient gets the same text


def test_counting_a_large_list_is_exact_and_the_price_exact():
    rows = ({"name": "x" * (n % 30)} for n in range(100_000))
    estimate = measure("{name}" + "y" * 140, "sms", 100_000, rows, Decimal("0.07"))
    # Names of 20 or more characters push the text past 160 into two parts: 10 of every 30.
    expected_parts = 100_000 + sum(1 for n in range(100_000) if n % 30 >= 21)
    assert estimate.parts == expected_parts
    assert estimate.total == Decimal("0.07") * expected_parts
    assert (estimate.fewest, estimate.most) == (1, 2)


def test_cyrillic_letters_are_named_as_a_group():
    encoding = encoding_of("Привет — «скидка»")
    assert encoding is not None
    assert encoding.cyrillic
    assert encoding.culprits == ("—", "«", "»")
    assert encoding_of("Plain text {}") is None


@pytest.mark.parametrize("value", ["sms:2,50", "sms", "sms:abc", "sms:-1", "sms:1,sms:2"])
def test_malformed_prices_stop_the_start_with_one_line(monkeypatch, capsys, tmp_path, value):
    code, stderr = start_with(monkeypatch, capsys, tmp_path, BOT_TOKEN="1:abc", PULSE_PRICES=value)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1
    assert "PULSE_PRICES" in lines[0]


async def test_the_final_card_and_campaigns_price_only_the_accepted_messages(
    start_bot, telegram, platform
):
    composer = await preview_of(
        start_bot, telegram, PULSE_PRICES="sms:2.50", LOCALE="en", PULSE_CONCURRENCY="1"
    )
    platform.script(("error", "Invalid number"))  # the first recipient (1 part) is refused
    await composer.press("Send", expect="campaign №")
    await telegram.wait_for(lambda: len(platform.messages) == len(NAMES) - 1)
    await platform.fire_many([(pid, "1") for pid in platform.messages])

    line = "💰 For accepted messages ≈ 47.50\xa0₽: 12 recipients, 19 SMS parts at 2.50\xa0₽"
    final = await telegram.wait_message(GROUP, contains=line)
    assert "Rejected: 1" in final["text"]
    telegram.send_text(OPERATOR, "/campaigns")
    listed = await telegram.wait_message(OPERATOR, contains="Latest campaigns")
    assert line in listed["text"]


async def test_typographic_characters_are_replaced_with_undo_and_sent_plain(
    start_bot, telegram, platform
):
    await start_bot(PULSE_SENDERS="Shop", PULSE_PRICES="sms:2.50")
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.say("79001234567, 79001234568")
    written = "Sale — «best» prices " + "y" * 60  # 81 characters: 2 UCS-2 parts, or 1 GSM-7

    card = await composer.say(written, expect="Preview")

    assert '(«—» → «-», ««» → «"», «»» → «"») save 2 SMS parts (≈ 5.00\xa0₽)' in card["text"]
    assert "Undo the replacement" not in composer.buttons()
    card = await composer.press("Replace typographic characters", expect="Replaced")
    assert 'Sale - "best" prices' in card["text"]
    assert "≈ 5.00\xa0₽: 2 recipients, 2 SMS parts at 2.50\xa0₽" in card["text"]
    assert "Replace typographic characters" not in composer.buttons()

    card = await composer.press("Undo the replacement", expect="Sale — «best»")
    assert "≈ 10.00\xa0₽: 2 recipients, 4 SMS parts at 2.50\xa0₽" in card["text"]
    assert "Undo the replacement" not in composer.buttons()

    await composer.press("Replace typographic characters", expect="Replaced")
    await composer.press("Send", expect="campaign №")
    await telegram.wait_for(lambda: len(platform.messages) == 2)
    assert {message.sent_text for message in platform.messages.values()} == {
        'Sale - "best" prices ' + "y" * 60
    }


async def test_the_encoding_is_explained_in_russian(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")

    card = await composer.start("/send sms 79001234567\nСкидка — 10%", expect="Предпросмотр")

    assert (
        "Из-за кириллических букв, «—» текст идёт в кодировке UCS-2 (как кириллица): "
        "1 часть в любом случае" in card["text"]
    )
    assert "₽" not in card["text"]
