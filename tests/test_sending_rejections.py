"""Common platform error texts get an explanation; unknown ones get none, and stay verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import make_i18n
from bot.platform.rejections import (
    PLATFORM_ACCOUNT_ERRORS,
    PLATFORM_TOKEN_ERROR,
    RefusalScope,
    RejectionKind,
    explain_rejection,
    refusal_scope,
    rejection_kind,
)


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
        ("Токен не найден для этого номера", RejectionKind.RECIPIENT),
        ("token not found for this number", RejectionKind.RECIPIENT),
        ("Что-то пошло не так", None),
    ],
)
def test_platform_error_texts_are_classified(message: str, kind: RejectionKind | None) -> None:
    assert rejection_kind(message) is kind


@pytest.mark.parametrize(
    ("message", "whole_request", "scope"),
    [
        ("Неверный токен", True, RefusalScope.TOKEN),
        ("неверный ТОКЕН.", True, RefusalScope.TOKEN),
        ("Неверный токен", False, RefusalScope.RECIPIENT),  # one item of a list answer
        ("Токен не найден для этого номера", True, RefusalScope.RECIPIENT),
        ("token not found for this number", True, RefusalScope.RECIPIENT),
        ("Ошибка авторизации", True, RefusalScope.RECIPIENT),
        ("Недостаточно средств на балансе", True, RefusalScope.ACCOUNT),
        ("Недостаточно средств на балансе", False, RefusalScope.ACCOUNT),
        ("Аккаунт заблокирован", True, RefusalScope.ACCOUNT),
        ("Номер заблокирован", True, RefusalScope.RECIPIENT),
        ("Имя отправителя не зарегистрировано", True, RefusalScope.RECIPIENT),
    ],
)
def test_only_the_configured_wordings_are_about_the_whole_account(
    message: str, whole_request: bool, scope: RefusalScope
) -> None:
    assert (
        refusal_scope(
            message,
            whole_request=whole_request,
            token_error=PLATFORM_TOKEN_ERROR,
            account_errors=PLATFORM_ACCOUNT_ERRORS,
        )
        is scope
    )


def test_the_wordings_are_whatever_is_configured() -> None:
    def scope(message: str) -> RefusalScope:
        return refusal_scope(
            message, whole_request=True, token_error="Bad key", account_errors=["No money", " "]
        )

    assert scope("bad KEY given") is RefusalScope.TOKEN
    assert scope("Неверный токен") is RefusalScope.RECIPIENT
    assert scope("no money left") is RefusalScope.ACCOUNT
    assert scope("Недостаточно средств") is RefusalScope.RECIPIENT


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
