"""Why a message was not created, or may not have been: stored as a code with parameters.

Reasons are written to the database as a small JSON object (`{"code": "answer_timeout",
"seconds": 30}`) and put into words only when someone reads them, in the reader's language.
Anything stored that is not such an object (the platform's own error text) is shown verbatim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum


class ReasonCode(StrEnum):
    # The request never reached the platform: safe to send again.
    CONNECT_FAILED = "connect_failed"  # host, port, detail
    CONNECT_TIMEOUT = "connect_timeout"  # seconds
    BUSY = "busy"  # status (429 or 503), retry_after when the platform gave one
    # The request may have reached the platform: the message may exist.
    ANSWER_TIMEOUT = "answer_timeout"  # seconds
    CONNECTION_LOST = "connection_lost"  # detail
    HTTP_STATUS = "http_status"  # status
    NOT_JSON = "not_json"  # status, preview
    EMPTY_ANSWER = "empty_answer"
    MALFORMED = "malformed"  # preview
    NO_ID = "no_id"  # preview
    LIST_MISMATCH = "list_mismatch"  # found, expected
    INTERNAL_ERROR = "internal_error"  # name
    # Refused before any request.
    CHARSET = "charset"  # charset, character, position
    # Why a campaign paused.
    REFUSED = "refused"  # msg (the platform's words, verbatim), kind
    UNKNOWN_IN_A_ROW = "unknown_in_a_row"  # count, last (an encoded reason)


# Codes under which the platform may have created the message.
MAY_EXIST = frozenset(
    {
        ReasonCode.ANSWER_TIMEOUT,
        ReasonCode.CONNECTION_LOST,
        ReasonCode.HTTP_STATUS,
        ReasonCode.NOT_JSON,
        ReasonCode.EMPTY_ANSWER,
        ReasonCode.MALFORMED,
        ReasonCode.NO_ID,
        ReasonCode.LIST_MISMATCH,
        ReasonCode.INTERNAL_ERROR,
    }
)

Param = str | int | float


@dataclass(frozen=True)
class Reason:
    """A reason code and its parameters; hashable, so equal answers can be counted together."""

    code: ReasonCode
    params: tuple[tuple[str, Param], ...] = ()

    @classmethod
    def of(cls, code: ReasonCode, **params: Param | None) -> Reason:
        kept = {name: value for name, value in params.items() if value is not None}
        return cls(code, tuple(sorted(kept.items())))

    def get(self, name: str, default: Param | None = None) -> Param | None:
        return dict(self.params).get(name, default)

    def encode(self) -> str:
        """The stored form: a JSON object with the code and the parameters."""
        return json.dumps(
            {"code": self.code.value, **dict(self.params)}, ensure_ascii=False, sort_keys=True
        )

    def __str__(self) -> str:
        return self.encode()


def decode(stored: str | None) -> Reason | None:
    """Read a stored reason; None for anything else (the platform's words, an old text)."""
    if not stored or not stored.startswith("{"):
        return None
    try:
        record = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    try:
        code = ReasonCode(record.pop("code", None))
    except ValueError:
        return None
    params = {
        name: value
        for name, value in record.items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    return Reason.of(code, **params)


def describe(stored: str | None) -> str:
    """A stored reason in the current language; anything else exactly as stored."""
    reason = decode(stored)
    if reason is None:
        return stored or ""
    return describe_reason(reason)


def describe_reason(reason: Reason) -> str:
    """One reason in words, in the current language."""
    # Imported here: the list reader's process (bot/compose/list_process.py) reaches this module
    # and must not pay for importing aiogram.
    from aiogram.utils.i18n import gettext as _

    params = dict(reason.params)
    code = reason.code
    if code is ReasonCode.CONNECT_FAILED:
        return _("could not connect to {host}:{port} ({detail})").format(
            host=params.get("host", "?"),
            port=params.get("port", "?"),
            detail=params.get("detail", ""),
        )
    if code is ReasonCode.CONNECT_TIMEOUT:
        return _("no connection to the platform within {seconds} s").format(
            seconds=_seconds(params.get("seconds"))
        )
    if code is ReasonCode.BUSY:
        if params.get("retry_after"):
            return _("the platform answered HTTP {status}: busy, come back in {seconds} s").format(
                status=params.get("status", "?"), seconds=_seconds(params.get("retry_after"))
            )
        return _("the platform answered HTTP {status}: busy, try later").format(
            status=params.get("status", "?")
        )
    if code is ReasonCode.ANSWER_TIMEOUT:
        return _("no answer within {seconds} s after the request was sent").format(
            seconds=_seconds(params.get("seconds"))
        )
    if code is ReasonCode.CONNECTION_LOST:
        return _("the connection broke before the answer ({detail})").format(
            detail=params.get("detail", "")
        )
    if code is ReasonCode.HTTP_STATUS:
        return _("the platform answered HTTP {status} instead of its JSON").format(
            status=params.get("status", "?")
        )
    if code is ReasonCode.NOT_JSON:
        return _("the answer is not the platform's JSON (HTTP {status}): {preview}").format(
            status=params.get("status", "?"), preview=params.get("preview", "")
        )
    if code is ReasonCode.EMPTY_ANSWER:
        return _("the platform's answer was empty")
    if code is ReasonCode.MALFORMED:
        return _("the platform's answer could not be read: {preview}").format(
            preview=params.get("preview", "")
        )
    if code is ReasonCode.NO_ID:
        return _("the platform reported success without a message id: {preview}").format(
            preview=params.get("preview", "")
        )
    if code is ReasonCode.LIST_MISMATCH:
        return _("the platform's answer held results: {found}, for messages: {expected}").format(
            found=params.get("found", "?"), expected=params.get("expected", "?")
        )
    if code is ReasonCode.INTERNAL_ERROR:
        return _("an internal error of the bot ({name})").format(name=params.get("name", ""))
    if code is ReasonCode.CHARSET:
        return _(
            "the text cannot be encoded in {charset}: {character} at position {position}"
        ).format(
            charset=params.get("charset", "?"),
            character=params.get("character", "?"),
            position=params.get("position", "?"),
        )
    if code is ReasonCode.REFUSED:
        return _("the platform refused: «{message}»").format(message=params.get("msg", ""))
    last = describe(str(params.get("last", "")))
    return _("answers in a row that could not be read: {count}; the last: {reason}").format(
        count=params.get("count", "?"), reason=last
    )


def _seconds(value: Param | None) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "?")
