"""Counted nouns agree with their number in both languages: 1 получатель, 2 получателя,
5 получателей, 21 получатель; 1 recipient, 2 recipients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram.utils.i18n import I18n

from bot.compose.menu_cards import render_confirm
from bot.i18n import make_i18n
from bot.stoplist.cards import stoplist_text
from storage.store import Store
from tests.compose_user import make_operator, new_message
from tests.conftest import OPERATOR
from tests.test_catalogs import ENGLISH, PLURAL_MSGIDS, RUSSIAN

COUNTS = (1, 2, 5, 11, 21, 1000)
# The plural form each count takes: Russian has one/few/many, English one/other.
RUSSIAN_FORM = {1: 0, 2: 1, 5: 2, 11: 2, 21: 0, 1000: 2}
ENGLISH_FORM = {1: 0, 2: 1, 5: 1, 11: 1, 21: 1, 1000: 1}
NBSP = "\xa0"


@pytest.fixture(scope="module")
def i18n(tmp_path_factory) -> I18n:
    return make_i18n("en", tmp_path_factory.mktemp("locales"))


def speaking(i18n: I18n, language: str) -> Iterator[None]:
    with i18n.context(), i18n.use_locale(language):
        yield


@pytest.fixture
def russian(i18n) -> Iterator[None]:
    yield from speaking(i18n, "ru")


@pytest.fixture
def english(i18n) -> Iterator[None]:
    yield from speaking(i18n, "en")


@pytest.mark.parametrize("count", COUNTS)
@pytest.mark.parametrize("msgid", PLURAL_MSGIDS)
def test_the_running_program_picks_the_right_form(i18n, msgid, count):
    """The compiled catalogues, as the bot loads them, choose each language's form by its rule."""
    for language, catalog, form in (
        ("ru", RUSSIAN, RUSSIAN_FORM[count]),
        ("en", ENGLISH, ENGLISH_FORM[count]),
    ):
        message = catalog[msgid]
        chosen = i18n.gettext(message.id[0], message.id[1], count, locale=language)
        assert chosen == message.string[form], (language, count)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Отправить <b>1</b> получателю?"),
        (2, "Отправить <b>2</b> получателям?"),
        (5, "Отправить <b>5</b> получателям?"),
        (11, "Отправить <b>11</b> получателям?"),
        (21, "Отправить <b>21</b> получателю?"),
        (1000, f"Отправить <b>1{NBSP}000</b> получателям?"),
    ],
)
def test_the_send_question_in_russian(russian, count, expected):
    assert render_confirm(count)[0] == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Send to <b>1</b> recipient?"),
        (2, "Send to <b>2</b> recipients?"),
        (5, "Send to <b>5</b> recipients?"),
        (11, "Send to <b>11</b> recipients?"),
        (21, "Send to <b>21</b> recipients?"),
        (1000, "Send to <b>1,000</b> recipients?"),
    ],
)
def test_the_send_question_in_english(english, count, expected):
    assert render_confirm(count)[0] == expected


def stop_list_of(tmp_path, count: int) -> Store:
    store = Store.open(tmp_path / "stoplist.db")
    store.stoplist.add([f"7900{index:07d}" for index in range(count)], added_by=1)
    return store


@pytest.mark.parametrize(
    ("count", "russian_words", "english_words"),
    [
        (1, "1 адрес, которому", "1 address never receives"),
        (2, "2 адреса, которым", "2 addresses never receive"),
        (5, "5 адресов, которым", "5 addresses never receive"),
        (11, "11 адресов, которым", "11 addresses never receive"),
        (21, "21 адрес, которому", "21 addresses never receive"),
        (1000, f"1{NBSP}000 адресов, которым", "1,000 addresses never receive"),
    ],
)
def test_the_stop_list_card_counts_addresses(i18n, tmp_path, count, russian_words, english_words):
    store = stop_list_of(tmp_path, count)
    for language, words in (("ru", russian_words), ("en", english_words)):
        with i18n.context(), i18n.use_locale(language):
            text = stoplist_text(store)
        assert words in text, (language, text)


async def test_a_russian_operator_reads_agreeing_counts(start_bot, telegram):
    await start_bot(LOCALE="ru")
    await make_operator(telegram)
    said = 0
    for total, added in (
        (1, "79001234567"),
        (2, "79001234568"),
        (5, "79001234569 79001234570 79001234571"),
    ):
        telegram.send_text(OPERATOR, "/stoplist", language_code="ru")
        # A new card each time (the one before loses its buttons, an edit of its own).
        card = await new_message(telegram, OPERATOR, "Стоп-лист", after=said)
        query = telegram.press(
            OPERATOR, card, telegram.find_button(card, "Добавить"), strict=True, language_code="ru"
        )
        await telegram.wait_answer(query)
        telegram.send_text(OPERATOR, added, language_code="ru")
        reply = await new_message(
            telegram, OPERATOR, "Добавлено в стоп-лист", after=card["message_id"]
        )
        said = reply["message_id"]
        expected = {1: "1 адрес, которому", 2: "2 адреса, которым", 5: "5 адресов, которым"}
        assert expected[total] in reply["text"]
