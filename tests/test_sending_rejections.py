"""Common platform error texts get an explanation; unknown ones get none, and stay verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import make_i18n
from bot.rejections import ACCOUNT_WIDE, RejectionKind, explain_rejection, rejection_kind


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Неверный токен", RejectionKind.TOKEN),
        ("Ошибка авторизации", RejectionKind.TOKEN),
        ("Недостаточно средств на балансе", RejectionKind.BALANCE),
        ("Insufficient funds", RejectionKind.BALANCE),
        ("Имя отправителя не зарегистрировано", RejectionKind.SENDER),
        ("Канал viber не настроен", RejectionKind.CHANNEL),
        ("Неизвестная кодировка", RejectionKind.CHARSET),
        ("Рассылка с номером 15 не найдена", RejectionKind.CASCADE),
        ("Не указан получатель", RejectionKind.RECIPIENT),
        ("Превышен лимит отправки", RejectionKind.LIMIT),
        ("Номер в стоп-листе", RejectionKind.CONTENT),
        ("Сообщение содержит запрещённые слова", RejectionKind.CONTENT),
        ("Пустой текст", RejectionKind.TEXT),
        ("Что-то пошло не так", None),
    ],
)
def test_platform_error_texts_are_classified(message: str, kind: RejectionKind | None) -> None:
    assert rejection_kind(message) is kind


def test_only_token_and_balance_errors_stop_a_whole_campaign() -> None:
    assert {RejectionKind.TOKEN, RejectionKind.BALANCE} == ACCOUNT_WIDE


def test_explanations_follow_the_language_and_unknown_texts_get_none(tmp_path: Path) -> None:
    i18n = make_i18n("en", tmp_path)
    with i18n.context():
        with i18n.use_locale("en"):
            english = explain_rejection("Неверный токен")
            unknown = explain_rejection("Что-то пошло не так")
        with i18n.use_locale("ru"):
            russian = explain_rejection("Неверный токен")

    assert "PULSE_TOKEN" in english
    assert "PULSE_TOKEN" in russian
    assert russian != english
    assert unknown is None
