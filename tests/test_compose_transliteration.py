"""Fewer SMS parts: a Cyrillic text offered in Latin letters when that costs fewer parts, shown
for approval with Undo, and sent so, placeholder values transliterated too."""

from __future__ import annotations

from decimal import Decimal

from bot.compose.costs import message_cost
from bot.compose.segments import GSM_BASIC, GSM_EXTENSION, sms_segments
from bot.compose.transliteration import may_transliterate, transliterate
from tests.compose_user import Composer, make_operator

# 100 Cyrillic characters: 2 UCS-2 parts; in Latin letters 116 characters, 1 GSM-7 part.
TEXT = "Здравствуйте, {имя}! Скидка 20% на всё до пятницы. Ждём вас в магазине на Тверской, 5."
CLIENTS = "\n".join(
    ["phone,имя"] + [f"7900100000{n},{name}" for n, name in enumerate(["Юлия", "Пётр"])]
).encode()


async def preview(start_bot, telegram, **env: str) -> Composer:
    await start_bot(PULSE_SENDERS="Shop", **env)
    await make_operator(telegram)
    composer = Composer(telegram)
    await composer.start("/new", expect="")
    await composer.press("SMS")
    await composer.press("Shop")
    await composer.upload("clients.csv", CLIENTS)
    await composer.say(TEXT, expect="Preview")
    return composer


async def test_transliteration_is_offered_applied_with_undo_and_sent_in_fewer_parts(
    start_bot, telegram, platform
):
    composer = await preview(start_bot, telegram, PULSE_PRICES="sms:2.50")

    assert "💡 Transliterate: 2 → 1 part per recipient, saves 2 SMS (≈ 5.00\xa0₽)" in (
        composer.text
    )
    assert "Undo transliteration" not in composer.buttons()
    card = await composer.press("Transliterate", expect="Transliterated: check the text")
    assert "Zdravstvuyte, {имя}! Skidka 20% na vsyo do pyatnitsy." in card["text"]
    assert "Zdravstvuyte, Yuliya!" in card["text"]  # the first recipient's text, as sent
    assert "≈ 5.00\xa0₽: 2 recipients, 2 SMS parts at 2.50\xa0₽" in card["text"]
    assert "Transliterate" not in [b for b in composer.buttons() if b != "Undo transliteration"]

    card = await composer.press("Undo transliteration", expect="Здравствуйте, {имя}!")
    assert "≈ 10.00\xa0₽: 2 recipients, 4 SMS parts at 2.50\xa0₽" in card["text"]
    assert "Undo transliteration" not in composer.buttons()

    await composer.press("Transliterate", expect="Transliterated")
    await composer.press("Send", expect="campaign №")
    await telegram.wait_for(lambda: len(platform.messages) == 2)
    sent = sorted(message.sent_text for message in platform.messages.values())
    assert sent == [
        "Zdravstvuyte, Pyotr! Skidka 20% na vsyo do pyatnitsy. Zhdyom vas v magazine na "
        "Tverskoy, 5.",
        "Zdravstvuyte, Yuliya! Skidka 20% na vsyo do pyatnitsy. Zhdyom vas v magazine na "
        "Tverskoy, 5.",
    ]
    assert all(sms_segments(text).segments == 1 for text in sent)


async def test_an_edited_text_is_taken_as_written_again(start_bot, telegram, platform):
    composer = await preview(start_bot, telegram)
    await composer.press("Transliterate", expect="Transliterated")

    await composer.press("Edit", expect="What do you want to change")
    await composer.press("Text", expect="Send the text")
    card = await composer.say("Привет, {имя}!", expect="Preview")

    assert "Latin letters" not in card["text"]
    assert "Undo transliteration" not in composer.buttons()
    assert "Transliterate" not in composer.buttons()  # one part either way: nothing to save
    await composer.press("Send", expect="campaign №")
    await telegram.wait_for(lambda: len(platform.messages) == 2)
    assert {m.sent_text for m in platform.messages.values()} == {"Привет, Юлия!", "Привет, Пётр!"}


async def test_the_offer_reads_russian(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    card = await composer.start("/send sms 79001000001\n" + TEXT.replace("{имя}", "Юлия"), "Пред")

    assert "💡 Транслитерация: 2 → 1 часть на получателя, экономия 1 SMS" in card["text"]
    assert "Транслитерировать" in composer.buttons()


def test_placeholders_and_links_are_kept_and_every_letter_becomes_gsm7():
    alphabet = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    latin = transliterate(f"{alphabet} {alphabet.upper()} — «№1» 100 ₽")
    assert set(latin) <= GSM_BASIC | GSM_EXTENSION
    assert transliterate("{имя|Дорогой клиент}, см. https://пример.рф/акция") == (
        "{имя|Dorogoy kliyent}, sm. https://пример.рф/акция"
    )
    assert transliterate("{{не поле}}") == "{{ne pole}}"
    assert not may_transliterate("Sale — «now»")  # typographic only: the plain replacement
    assert not may_transliterate("Plain text")


def test_a_transliterated_campaign_is_priced_as_its_messages_go_out():
    text = "Zdravstvuyte, {имя}! " + "x" * 100  # 125 characters with «Юлия»
    prices = {"sms": Decimal("2.50")}
    latin, written = message_cost(text, "sms", prices, True), message_cost(text, "sms", prices)
    assert latin is not None
    assert written is not None
    assert latin.of({"имя": "Юлия"}) == Decimal("2.50")  # "Yuliya": one GSM-7 part
    assert written.of({"имя": "Юлия"}) == Decimal("5.00")  # Cyrillic: two UCS-2 parts
