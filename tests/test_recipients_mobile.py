"""SMS, Viber and WhatsApp reach mobile phones only: landlines and 8-800 numbers are listed as
invalid with the reason, while a voice call may still go to them."""

from __future__ import annotations

import pytest

from bot.compose.addresses import AddressKind, is_mobile, needs_mobile
from bot.compose.recipients import parse_recipients_text
from tests.compose_user import Composer, make_operator

TYPED = "+7 916 555-44-33, 8 (495) 123-45-67, 8-800-555-35-35, +44 20 7946 0958, +44 7911 123456"


@pytest.mark.parametrize(
    ("address", "mobile"),
    [
        ("79165554433", True),
        ("74951234567", False),  # Moscow landline
        ("78125554433", False),  # St Petersburg landline
        ("78005553535", False),  # toll-free
        ("447911123456", True),
        ("442079460958", False),
        ("77012345678", True),  # Kazakhstan mobile, also +7
    ],
)
def test_the_number_type_decides(address, mobile):
    assert is_mobile(address) is mobile


def test_only_channels_to_phones_ask_for_mobiles():
    assert [
        t for t in ("sms", "viber", "whatsapp", "voice", "email", "hlr") if needs_mobile(t)
    ] == [
        "sms",
        "viber",
        "whatsapp",
    ]


def test_typed_landlines_are_invalid_for_sms_and_kept_otherwise():
    parsed = parse_recipients_text(TYPED, AddressKind.PHONE, mobile_only=True)
    assert [r.address for r in parsed.valid] == ["79165554433", "447911123456"]
    assert [(e.raw, e.reason.value) for e in parsed.invalid] == [
        ("8 (495) 123-45-67", "not_mobile"),
        ("8-800-555-35-35", "not_mobile"),
        ("+44 20 7946 0958", "not_mobile"),
    ]
    assert len(parse_recipients_text(TYPED, AddressKind.PHONE).valid) == 5


async def test_an_sms_card_lists_landlines_with_the_reason(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/new", expect="")
    await composer.press("SMS", expect="отправителя")
    await composer.press("Shop")
    table = (
        "телефон;Имя\n+7 916 555-44-33;Анна\n8 (495) 123-45-67;Офис\n88005553535;Горячая линия\n"
    )

    card = await composer.upload("клиенты.csv", table.encode(), expect="С ошибкой")

    assert "С ошибкой: 2" in card["text"]
    reason = "городской или сервисный номер: этому каналу нужен мобильный"
    assert f"строка 3: «8 (495) 123-45-67» — {reason}" in card["text"]
    assert f"строка 4: «88005553535» — {reason}" in card["text"]


async def test_a_table_without_an_address_column_is_named_so(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/new", expect="")
    await composer.press("SMS", expect="отправителя")
    await composer.press("Shop")
    rows = "\n".join(f"Клиент {n};Тула;{n * 10}" for n in range(1, 52))

    card = await composer.upload(
        "клиенты.csv", f"Имя;Город;Баллы\n{rows}\n".encode(), expect="столбце"
    )

    assert "Ни в одном столбце файла нет адресов получателей" in card["text"]
    assert "С ошибкой" not in card["text"]  # not 51 invalid phones
