"""Reasons are stored as codes with parameters and read in the reader's language; the platform's
own words stay verbatim."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import make_i18n
from bot.platform.reasons import Reason, ReasonCode, decode, describe
from bot.statuses.cards import error_text
from bot.statuses.report_file import ReportWords, report_csv
from storage.campaigns import Campaign, CampaignState
from storage.messages import MessageRow, SubmitState
from tests.report_reader import read_report

TIMEOUT = Reason.of(ReasonCode.ANSWER_TIMEOUT, seconds=30.0)


def test_a_reason_is_stored_as_a_code_with_its_parameters_and_read_back() -> None:
    stored = TIMEOUT.encode()

    assert stored == '{"code": "answer_timeout", "seconds": 30.0}'
    assert decode(stored) == TIMEOUT
    assert decode(Reason.of(ReasonCode.BUSY, status=503, retry_after=None).encode()) == Reason.of(
        ReasonCode.BUSY, status=503
    )


@pytest.mark.parametrize(
    "stored",
    [None, "", "Неверный номер", '{"code": "no such code"}', "{not json", '["a"]', '{"msg": 1}'],
)
def test_anything_else_is_not_a_reason_and_is_shown_as_written(stored: str | None) -> None:
    assert decode(stored) is None


@pytest.mark.parametrize(
    ("locale", "timeout", "http", "platform"),
    [
        (
            "en",
            "no answer within 30 s after the request was sent",
            "the platform answered HTTP 502 instead of its JSON",
            "Недостаточно средств <b>",
        ),
        (
            "ru",
            "нет ответа в течение 30 с после отправки запроса",
            "платформа ответила HTTP 502 вместо своего JSON",
            "Недостаточно средств <b>",
        ),
    ],
)
def test_reasons_are_read_in_the_readers_language(
    tmp_path: Path, locale: str, timeout: str, http: str, platform: str
) -> None:
    i18n = make_i18n("en", tmp_path)
    with i18n.context(), i18n.use_locale(locale):
        assert describe(TIMEOUT.encode()) == timeout
        assert error_text(Reason.of(ReasonCode.HTTP_STATUS, status=502).encode()) == http
        assert error_text("Недостаточно средств <b>") == platform  # the platform's own words


def test_every_code_has_words_in_both_languages(tmp_path: Path) -> None:
    i18n = make_i18n("en", tmp_path)
    for code in ReasonCode:
        reason = Reason.of(code, status=500, seconds=5, count=5, last=TIMEOUT.encode(), msg="x")
        with i18n.context(), i18n.use_locale("en"):
            english = describe(reason.encode())
        with i18n.context(), i18n.use_locale("ru"):
            russian = describe(reason.encode())
        assert english
        assert russian
        assert english != russian, code
        assert "{" not in russian, code


def test_the_report_file_gives_the_reason_in_the_readers_language(tmp_path: Path) -> None:
    campaign = Campaign(
        type="sms",
        sender="Shop",
        text="Hi",
        id=3,
        state=CampaignState.SUBMITTED,
        created_at="2026-11-30T06:00:00+00:00",
    )
    rows = [
        MessageRow(
            id=1,
            campaign_id=3,
            seq=1,
            sent_to="79001234567",
            fields={},
            state=SubmitState.UNKNOWN,
            platform_id=None,
            error=TIMEOUT.encode(),
            submitted_at=None,
            status_raw=None,
            status_class=None,
            status_at=None,
        ),
        MessageRow(
            id=2,
            campaign_id=3,
            seq=2,
            sent_to="79001234568",
            fields={},
            state=SubmitState.REJECTED,
            platform_id=None,
            error="Номер в стоп-листе",
            submitted_at=None,
            status_raw=None,
            status_class=None,
            status_at=None,
        ),
    ]
    i18n = make_i18n("en", tmp_path)
    with i18n.context(), i18n.use_locale("ru"):
        words = ReportWords.current({row.error for row in rows if row.error})

    report = read_report(report_csv(campaign, rows, words, ZoneInfo("Europe/Moscow"), full=True))

    reasons = [line[words.header[3]] for line in report.rows]
    assert reasons == ["нет ответа в течение 30 с после отправки запроса", "Номер в стоп-листе"]
