"""Every press and upload gets a visible answer, also when the card it redraws stays the same."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import OPERATOR


async def press_and_read_alert(telegram, composer: Composer, label: str) -> dict:
    data = telegram.find_button(composer.card, label)
    query = telegram.press(OPERATOR, composer.card, data, strict=True, language_code="ru")
    return await telegram.wait_answer(query)


async def test_keeping_an_invalid_text_says_why_nothing_moved(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/send sms 79001234567 Привет, {name}!", expect="{name}")
    assert "Оставить: текущий текст" in composer.buttons()
    card_before = composer.text

    answer = await press_and_read_alert(telegram, composer, "Оставить: текущий текст")

    assert answer["show_alert"] is True
    assert answer["text"].startswith("Карточка не изменилась: ")
    assert "name" in answer["text"]
    assert "<" not in answer["text"]  # an alert shows no markup
    assert len(answer["text"]) <= 200
    assert composer.text == card_before


async def test_the_same_wrong_file_twice_gets_a_reply_the_second_time(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/new", expect="")
    await composer.press("SMS", expect="отправителя")
    await composer.press("Shop")
    first = await composer.upload("list.pdf", b"%PDF-1.4", expect="")
    replies_before = len(telegram.chat(OPERATOR))

    telegram.send_document(OPERATOR, "list.pdf", b"%PDF-1.4", language_code="ru")

    reply = await telegram.wait_message(OPERATOR, "Карточка не изменилась", after=composer.card_id)
    assert len(telegram.chat(OPERATOR)) == replies_before + 1
    assert composer.text == first["text"]
    assert reply["text"] == (
        "Карточка не изменилась: Такие файлы не читаются: пришлите .csv, .txt или .xlsx."
    )


async def test_a_press_that_changes_the_card_gets_no_alert(start_bot, telegram):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/send sms 79001234567 Привет!", expect="Привет!")

    answer = await press_and_read_alert(telegram, composer, "Изменить")

    assert not answer.get("text")
