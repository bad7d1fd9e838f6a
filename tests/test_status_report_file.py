"""The final report is a spreadsheet people open: their language, and no cell run as a formula."""

from __future__ import annotations

import csv
import io

from bot.i18n import make_i18n
from bot.notify import ReportWords, undelivered_csv
from storage.statuses import Undelivered

ROWS = [
    Undelivered("79001234567", "accepted", "2", "failed", None),
    Undelivered("79001234568", "accepted", None, "pending", None),
    Undelivered("79001234569", "rejected", None, "pending", '=HYPERLINK("http://x")'),
    Undelivered("79001234570", "unknown", None, "pending", "interrupted"),
]


def read(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need to see UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def words_in(language: str, tmp_path) -> ReportWords:
    i18n = make_i18n("en", tmp_path / "locales")
    with i18n.context(), i18n.use_locale(language):
        return ReportWords.current()


def test_the_report_is_in_english_for_english_readers(tmp_path):
    table = read(undelivered_csv(ROWS, words_in("en", tmp_path)))

    assert table[0] == ["Address", "Status", "Platform status", "Error"]
    assert [row[1] for row in table[1:]] == ["failed", "pending", "rejected", "unknown"]
    assert table[4][3] == "interrupted by a stop of the bot"


def test_the_report_is_in_russian_for_russian_readers(tmp_path):
    table = read(undelivered_csv(ROWS, words_in("ru", tmp_path)))

    assert table[0] == ["Адрес", "Статус", "Статус платформы", "Ошибка"]
    assert [row[1] for row in table[1:]] == [
        "не доставлено",
        "в пути",
        "отклонено платформой",
        "неизвестно",
    ]
    assert table[1][2] == "2"  # the platform's raw status stays as it came
    assert table[4][3] == "прервано остановкой бота"


def test_a_cell_that_looks_like_a_formula_stays_text(tmp_path):
    table = read(undelivered_csv(ROWS, words_in("en", tmp_path)))

    assert table[3][3] == '\'=HYPERLINK("http://x")'
