"""Placeholders in Russian: a fallback for empty values, leaving rows out, and a column that
does not exist named with the ones that do."""

from __future__ import annotations

from bot.compose.placeholders import render_html, render_text, required_placeholders, with_fallback
from tests.compose_user import Composer, make_operator

ROWS = ["телефон;Имя;Город"] + [
    f"7900{n:07d};{'' if n in (3, 7, 11) else 'Клиент' + str(n)};Тула" for n in range(1, 21)
]
TABLE = "\n".join(ROWS).encode("utf-8")


async def start_text_step(start_bot, telegram) -> Composer:
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/new", expect="")
    await composer.press("SMS", expect="отправителя")
    await composer.press("Shop")
    await composer.upload("клиенты.csv", TABLE, expect="текст")
    return composer


def test_a_fallback_is_used_only_where_a_value_is_missing():
    text = "Здравствуйте, {Имя|Уважаемый клиент}! {Город}"
    assert render_text(text, {"Имя": "Анна", "Город": "Тула"}) == "Здравствуйте, Анна! Тула"
    assert render_text(text, {"Город": "Тула"}) == "Здравствуйте, Уважаемый клиент! Тула"
    assert render_html("<b>{Имя|друг}</b>", {"Имя": "<Анна>"}) == "<b>&lt;Анна&gt;</b>"
    assert render_html("<b>{Имя|друг}</b>", {}) == "<b>друг</b>"
    assert required_placeholders(text) == ["Город"]
    assert required_placeholders("{a|x} {a}") == ["a"]
    assert with_fallback("Hi {имя}, {имя|x} {b}", "Имя", "друг") == "Hi {имя|друг}, {имя|x} {b}"


async def test_rows_without_a_value_are_counted_listed_and_given_a_fallback(
    start_bot, telegram, platform
):
    composer = await start_text_step(start_bot, telegram)

    card = await composer.say("Здравствуйте, {Имя}!", expect="нет значения")

    assert (
        "У 3 получателей нет значения {Имя}: №3 79000000003, №7 79000000007, №11 79000000011."
        in card["text"]
    )
    assert "Подставить замену для {Имя}" in composer.buttons()
    assert "Убрать 3 получателей" in composer.buttons()
    await composer.press("Подставить замену", expect="Уважаемый клиент")
    await composer.say("{плохо}", expect="без фигурных скобок")
    card = await composer.say("Уважаемый клиент", expect="Предпросмотр")
    assert "Здравствуйте, {Имя|Уважаемый клиент}!" in card["text"]
    assert "Получатели: 20:" in card["text"]
    assert "Текст первого получателя: символов — 22, частей SMS — 1" in card["text"]
    await composer.press("Отправить", expect="рассылка")
    await telegram.wait_for(lambda: len(platform.messages) == 20)
    texts = {message.sent_to: message.sent_text for message in platform.messages.values()}
    assert texts["79000000003"] == "Здравствуйте, Уважаемый клиент!"
    assert texts["79000000004"] == "Здравствуйте, Клиент4!"


async def test_rows_without_a_value_can_be_left_out(start_bot, telegram):
    composer = await start_text_step(start_bot, telegram)
    await composer.say("Здравствуйте, {Имя}!", expect="нет значения")

    card = await composer.press("Убрать 3", expect="Предпросмотр")

    assert "Убраны 3 получателя без значения." in card["text"]
    assert (
        "Получатели: 17 (не вошли: 3 без значения): 79000000001, 79000000002, 79000000004,"
        in card["text"]
    )
    assert "Здравствуйте, {Имя}!" in card["text"]


async def test_a_placeholder_matching_no_column_names_the_columns_there_are(start_bot, telegram):
    composer = await start_text_step(start_bot, telegram)

    card = await composer.say("Здравствуйте, {name}!", expect="нет столбца")

    assert "В списке нет столбца {name}. Есть столбцы: {Имя}, {Город}." in card["text"]
    assert not any("замену" in label for label in composer.buttons())
