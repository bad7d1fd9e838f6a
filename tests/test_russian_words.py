"""A Russian team is answered in Russian words: role names as the bot says them, and no library
error text on the card."""

from __future__ import annotations

from tests.compose_user import Composer, make_operator
from tests.conftest import ADMIN

NEWCOMER = 555


async def test_allow_takes_the_role_name_the_bot_itself_uses(start_bot, telegram):
    await start_bot(LOCALE="ru")

    telegram.send_text(ADMIN, f"/allow {NEWCOMER} оператор", language_code="ru")

    reply = await telegram.wait_message(ADMIN, f"{NEWCOMER} теперь оператор")
    assert "не писал" not in reply["text"]
    welcome = await telegram.wait_message(NEWCOMER, "доступ к боту")
    assert (
        welcome["text"]
        == "Теперь у вас есть доступ к боту, ваша роль — оператор. Ваши команды — /help."
    )
    telegram.send_text(ADMIN, f"/allow {NEWCOMER} Наблюдатель", language_code="ru")
    await telegram.wait_message(ADMIN, f"{NEWCOMER} теперь наблюдатель")
    assert len(telegram.chat(NEWCOMER)) == 1  # told once, when access was first given


async def test_an_unknown_role_is_answered_with_the_role_names_in_russian(start_bot, telegram):
    await start_bot(LOCALE="ru")

    telegram.send_text(ADMIN, f"/allow {NEWCOMER} начальник", language_code="ru")

    reply = await telegram.wait_message(ADMIN, "Неизвестная роль")
    assert reply["text"] == "Неизвестная роль «начальник». Роли: админ, оператор, наблюдатель."
    assert telegram.chat(NEWCOMER) == []


async def test_a_member_who_cannot_be_written_to_is_explained_to_the_admin(start_bot, telegram):
    await start_bot(LOCALE="ru")
    telegram.kick_from(NEWCOMER)  # Telegram refuses the bot's messages to this person

    telegram.send_text(ADMIN, f"/allow {NEWCOMER} оператор", language_code="ru")

    reply = await telegram.wait_message(ADMIN, "теперь оператор")
    assert "ещё не писал боту" in reply["text"]


async def test_a_file_that_is_no_workbook_is_named_so_without_the_librarys_words(
    start_bot, telegram
):
    await start_bot(PULSE_SENDERS="Shop", LOCALE="ru")
    await make_operator(telegram)
    composer = Composer(telegram, language_code="ru")
    await composer.start("/new", expect="")
    await composer.press("SMS", expect="отправителя")
    await composer.press("Shop")

    card = await composer.upload("клиенты.xlsx", b"phone;name\n79001234567;Anna\n", expect="XLSX")

    assert "Файл не читается: это не XLSX и не CSV." in card["text"]
    assert "zip" not in card["text"]
