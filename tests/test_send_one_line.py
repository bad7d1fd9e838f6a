"""/send on one line: the longest run of leading words that are valid addresses is the recipient
list, the rest is the text, whatever way the phone numbers are written (quality.md B4)."""

from __future__ import annotations

import pytest

from bot.compose.addresses import AddressKind
from bot.compose.inputs import QuickSend, parse_send_command
from bot.compose.recipients import split_leading_addresses
from tests.compose_user import Composer, make_operator

TYPES = ["sms", "viber", "whatsapp", "email", "push", "bot"]
PHONE = "79165554433"
# Every way B4 says a phone arrives: formatted, with 8, with +7, with 00, bare national.
PHONE_FORMATS = [
    "+7 916 555-44-33",
    "+7 (916) 555-44-33",
    "+7(916)555-44-33",
    "+7-916-555-44-33",
    "+7 916 555 44 33",
    "+7.916.555.44.33",
    "+79165554433",
    "79165554433",
    "7 916 555 44 33",
    "8 916 555-44-33",
    "8 (916) 555-44-33",
    "8(916)5554433",
    "89165554433",
    "8-916-555-44-33",
    "9165554433",
    "(916) 555-44-33",
    "007 916 555 44 33",
]


@pytest.mark.parametrize("written", PHONE_FORMATS)
def test_every_phone_format_is_the_recipient_and_the_rest_is_the_text(written):
    request = parse_send_command(f"sms {written} Ваш заказ готов", TYPES)
    assert request == QuickSend("sms", written, "Ваш заказ готов")
    recipients, text = split_leading_addresses(f"{written} 2 дня скидка 10%", AddressKind.PHONE)
    assert (recipients, text) == (written, "2 дня скидка 10%")


@pytest.mark.parametrize(
    ("typed", "kind", "recipients", "text"),
    [
        (
            "+7 916 555-44-33, 8 903 123 45 67 Ваш заказ готов",
            AddressKind.PHONE,
            "+7 916 555-44-33, 8 903 123 45 67",
            "Ваш заказ готов",
        ),
        ("79165554433 79031234567 Привет", AddressKind.PHONE, "79165554433 79031234567", "Привет"),
        (
            "79165554433; 79031234567; Привет",
            AddressKind.PHONE,
            "79165554433; 79031234567",
            "Привет",
        ),
        ("79165554433 8 800 Привет", AddressKind.PHONE, "79165554433", "8 800 Привет"),
        (
            "Foo@Example.COM, b@example.org Hello",
            AddressKind.EMAIL,
            "Foo@Example.COM, b@example.org",
            "Hello",
        ),
        (
            "a@example.com 79165554433 Hi",
            AddressKind.PHONE_OR_EMAIL,
            "a@example.com 79165554433",
            "Hi",
        ),
        ("token-1 token-2 Hello", AddressKind.PUSH, "token-1", "token-2 Hello"),
        ("tok:1,tok:2 , tok:3 Hello, all", AddressKind.PUSH, "tok:1,tok:2 , tok:3", "Hello, all"),
        ("12345 Ваш заказ", AddressKind.PHONE, "12345", "Ваш заказ"),  # shown as invalid later
        ("79165554433", AddressKind.PHONE, "79165554433", ""),
    ],
)
def test_the_recipient_list_ends_where_addresses_end(typed, kind, recipients, text):
    assert split_leading_addresses(typed, kind) == (recipients, text)


def test_a_line_with_no_text_after_the_recipients_asks_for_the_usage():
    assert not isinstance(parse_send_command("sms +7 916 555-44-33", TYPES), QuickSend)


async def test_a_russian_operator_sends_to_a_formatted_phone_in_one_line(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/send sms +7 916 555-44-33 Ваш заказ готов", expect="Предпросмотр")
    assert f"1: {PHONE}" in composer.text
    assert "<blockquote>" not in composer.text
    assert "Ваш заказ готов" in composer.text
    assert "916 555-44-33 Ваш" not in composer.text
    assert "Корректных получателей: 1\nС ошибкой: 0" in composer.text
