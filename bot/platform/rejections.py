"""What a platform error text (`type=error`, `msg`) usually means, for people reading it.

The platform's error vocabulary is not documented, so this is a small keyword match on its
Russian (and English) wording. It only adds an explanation: the verbatim text is always shown.
Whether a refusal stops the whole campaign is decided by `refusal_scope`, on the configured
wordings only.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class RejectionKind(StrEnum):
    TOKEN = "token"  # noqa: S105 - a kind of error, not a secret
    BALANCE = "balance"
    CHARSET = "charset"
    CASCADE = "cascade"
    SENDER = "sender"
    CHANNEL = "channel"
    RECIPIENT = "recipient"
    LIMIT = "limit"
    CONTENT = "content"
    TEXT = "text"


# Tried in order, on the lower-cased text: the first kind with a matching fragment wins.
_FRAGMENTS: list[tuple[RejectionKind, tuple[str, ...]]] = [
    # A push or bot token not found for a number is about that recipient, not the API token.
    (
        RejectionKind.RECIPIENT,
        ("токен не найден", "token not found", "токены не найдены", "no token"),
    ),
    (
        RejectionKind.TOKEN,
        (
            "неверный токен",
            "invalid token",
            "wrong token",
            "bad token",
            "авторизац",
            "authoriz",
            "unauthori",
            "api key",
            "ключ api",
        ),
    ),
    (
        RejectionKind.BALANCE,
        ("баланс", "средств", "денег", "оплат", "balance", "insufficient", "funds"),
    ),
    (RejectionKind.CHARSET, ("кодировк", "charset", "encoding")),
    (RejectionKind.CASCADE, ("рассылк", "сценари", "scenario", "cascade", "mailing")),
    (RejectionKind.SENDER, ("отправител", "sender", "альфа-имя", "альфаимя", "подпис")),
    (
        RejectionKind.CHANNEL,
        ("канал", "channel", "тип сообщ", "неизвестный тип", "message type", "unknown type"),
    ),
    (RejectionKind.LIMIT, ("лимит", "limit", "слишком много", "too many", "превышен")),
    (
        RejectionKind.CONTENT,
        ("стоп", "запрещ", "заблокир", "спам", "blocked", "forbidden", "spam", "stop list"),
    ),
    (
        RejectionKind.RECIPIENT,
        ("получател", "recipient", "номер", "телефон", "phone", "адрес", "address", "e-mail"),
    ),
    (RejectionKind.TEXT, ("текст", "text")),
]


def rejection_kind(message: str) -> RejectionKind | None:
    """Classify a platform error text; None when no known wording is found."""
    folded = message.casefold()
    for kind, fragments in _FRAGMENTS:
        if any(fragment in folded for fragment in fragments):
            return kind
    return None


def explain_rejection(message: str) -> str | None:
    """A one-sentence explanation of a platform error text, in the current language, or None."""
    # Imported here: the settings read this module's error texts, and a start that fails on its
    # settings should say so at once, not after the seconds aiogram takes to import.
    from aiogram.utils.i18n import gettext as _

    kind = rejection_kind(message)
    if kind is None:
        return None
    explanations = {
        RejectionKind.TOKEN: _(
            "This usually means the API token is wrong or revoked: check PULSE_TOKEN (tokens are "
            "created in the platform's web cabinet). Every message is refused until it is fixed."
        ),
        RejectionKind.BALANCE: _(
            "This usually means the platform account has run out of money: top up the balance "
            "in the platform's cabinet. Every message is refused until then."
        ),
        RejectionKind.CHARSET: _(
            "This usually means the platform cannot use the chosen charset for this text."
        ),
        RejectionKind.CASCADE: _(
            "This usually means the cascade is not found: for type bulk the sender must be the "
            "number of a scenario mailing created in the platform's cabinet."
        ),
        RejectionKind.SENDER: _(
            "This usually means the sender name is not registered or not approved for this "
            "channel in the platform's cabinet."
        ),
        RejectionKind.CHANNEL: _(
            "This usually means this message type (channel) is not set up in the platform account."
        ),
        RejectionKind.RECIPIENT: _(
            "This usually means the platform does not accept this recipient's address."
        ),
        RejectionKind.LIMIT: _(
            "This usually means a sending limit of the platform account was reached; try again later."
        ),
        RejectionKind.CONTENT: _(
            "This usually means the platform's rules refused the message (a stop-list or blocked "
            "words)."
        ),
        RejectionKind.TEXT: _("This usually means the platform does not accept the message text."),
    }
    return explanations[kind]


# The platform's own wordings, as its cabinet and API answer them; both are settings.
PLATFORM_TOKEN_ERROR = "Неверный токен"  # noqa: S105 - the platform's error text, not a secret
PLATFORM_ACCOUNT_ERRORS = (
    "Недостаточно средств",
    "Аккаунт заблокирован",
    "Учётная запись заблокирована",
)


class RefusalScope(StrEnum):
    RECIPIENT = "recipient"  # this message was refused; the next one may well go through
    TOKEN = "token"  # noqa: S105 - the API token itself was refused
    ACCOUNT = "account"  # the account cannot send now (money, blocked): nothing will go


def refusal_scope(
    message: str, *, whole_request: bool, token_error: str, account_errors: Sequence[str]
) -> RefusalScope:
    """Whom a refusal is about, by the platform's configured wordings (case-insensitive).

    Only a refusal of the whole request in the platform's bad-token wording is a token problem:
    "token not found for this number" (push, bot, find_token) is about one recipient.
    """
    folded = message.casefold()
    if whole_request and token_error.strip() and token_error.strip().casefold() in folded:
        return RefusalScope.TOKEN
    if any(wording.strip() and wording.strip().casefold() in folded for wording in account_errors):
        return RefusalScope.ACCOUNT
    return RefusalScope.RECIPIENT
