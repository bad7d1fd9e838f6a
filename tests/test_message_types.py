"""Types are named as people name them: "SMS", "ВКонтакте", "Каскад" on buttons and cards, and
typed as people type them: "смс", "вайбер", "почта"."""

from __future__ import annotations

import pytest

from bot.compose.message_types import parse_type
from bot.config import DEFAULT_TYPES
from tests.compose_user import Composer, make_operator

TYPES = [*DEFAULT_TYPES.split(","), "hlr"]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("sms", "sms"),
        ("SMS", "sms"),
        ("смс", "sms"),
        ("СМС", "sms"),
        ("вайбер", "viber"),
        ("Viber", "viber"),
        ("ватсап", "whatsapp"),
        ("WhatsApp", "whatsapp"),
        ("телеграм", "telegram"),
        ("ВКонтакте", "vk"),
        ("вк", "vk"),
        ("VK", "vk"),
        ("Одноклассники", "ok"),
        ("odnoklassniki", "ok"),
        ("ok", "ok"),
        ("чат-бот", "bot"),
        ("Chatbot", "bot"),
        ("E-mail", "email"),
        ("почта", "email"),
        ("электронная  почта", "email"),
        ("пуш", "push"),
        ("ммс", "mms"),
        ("голосовое", "voice"),
        ("Voice call", "voice"),
        ("каскад", "bulk"),
        ("Cascade", "bulk"),
        ("HLR", "hlr"),
        ("проверка номера", "hlr"),
    ],
)
def test_a_type_is_found_by_its_code_name_or_common_word(typed, code):
    assert parse_type(typed, TYPES) == code


def test_a_type_that_is_not_configured_is_not_offered_by_its_alias():
    assert parse_type("вайбер", ["sms"]) is None
    assert parse_type("факс", TYPES) is None
    assert parse_type("", TYPES) is None


async def test_a_russian_operator_sees_names_and_types_a_russian_word(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/new", expect="тип")
    buttons = composer.buttons()
    for name in ("SMS", "Viber", "WhatsApp", "Telegram", "ВКонтакте", "Одноклассники"):
        assert name in buttons
    for name in ("Чат-бот", "E-mail", "Push", "MMS", "Голосовое", "Каскад"):
        assert name in buttons
    assert not {"ok", "vk", "bot", "bulk", "sms"} & set(buttons)  # no codes, no "ok" button

    await composer.say("смс", expect="отправител")
    assert "Тип: SMS" in composer.text
    await composer.press("« Назад", expect="тип")
    await composer.say("одноклассники", expect="отправител")
    assert "Тип: Одноклассники" in composer.text
    await composer.press("« Назад", expect="тип")
    await composer.say("факс", expect="Неизвестный тип")
    assert "SMS, Viber, WhatsApp, Telegram, ВКонтакте, Одноклассники" in composer.text


async def test_a_russian_operator_sees_only_the_options_a_type_uses(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/send sms 79001234567 Привет", expect="Предпросмотр")
    assert "частей SMS: 1 (кириллица или эмодзи: 70 символов в одной SMS)" in composer.text
    assert "(UCS-2)" not in composer.text
    await composer.press("Параметры", expect="Выберите, что задать")
    assert composer.buttons()[:2] == ["Время жизни", "Дополнительно…"]  # no button, no image
    await composer.press("Дополнительно", expect="нужны редко")
    assert "Кодировка" in composer.buttons()
    assert not [label for label in composer.buttons() if "Токены" in label]  # SMS has no tokens

    viber = Composer(telegram, language_code="ru")
    await viber.start("/send вайбер 79001234567 Привет", expect="Предпросмотр")
    assert "Тип: Viber" in viber.text
    await viber.press("Параметры", expect="Выберите, что задать")
    assert {"Кнопка", "Картинка", "Время жизни"} <= set(viber.buttons())
    assert "Кодировка" not in viber.buttons()
