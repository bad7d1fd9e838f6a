"""Reading the platform's answers: each HTTP status and body becomes a typed result.

The shape of a list answer is not documented, so every known shape is read, and anything else
is `Uncertain`. Texts shown to people (previews, the platform's words) never carry the token.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, quote_plus

from bot.platform.reasons import Reason, ReasonCode
from bot.platform.results import Accepted, Rejected, SendResult, Uncertain

_PREVIEW_CHARS = 200


class AnswerReader:
    """Classifies answers of `send-message` and `send-list-messages` for one platform token."""

    def __init__(self, token: str) -> None:
        # Every spelling of the token that could end up in an error text.
        self._secrets = sorted(
            {token, quote_plus(token), quote(token, safe="")} - {""}, key=len, reverse=True
        )

    def single(self, status: int, body: bytes) -> SendResult:
        """Classify a `send-message` answer."""
        answer = _json_or_none(body)
        if answer is None:
            return self._unreadable(status, body)
        if isinstance(answer, dict) and answer.get("type") == "error":
            return Rejected(self.scrub(_error_text(answer)))
        if status >= 300:
            return Uncertain(Reason.of(ReasonCode.HTTP_STATUS, status=status))
        if not isinstance(answer, dict) or answer.get("type") != "success":
            return Uncertain(Reason.of(ReasonCode.MALFORMED, preview=self._preview(body)))
        platform_id = _id_text(answer.get("id"))
        if platform_id is None:
            return Uncertain(Reason.of(ReasonCode.NO_ID, preview=self._preview(body)))
        return Accepted(platform_id)

    def list(self, status: int, body: bytes, *, count: int) -> list[SendResult]:
        """Classify a `send-list-messages` answer, whose shape the platform does not document."""
        answer = _json_or_none(body)
        if isinstance(answer, dict) and answer.get("type") == "error":
            return [Rejected(self.scrub(_error_text(answer)))] * count
        if answer is None or status >= 300:
            return [self._unreadable(status, body)] * count
        items = _list_items(answer)
        if items is None:
            return [Uncertain(Reason.of(ReasonCode.MALFORMED, preview=self._preview(body)))] * count
        if len(items) != count:
            mismatch = Reason.of(ReasonCode.LIST_MISMATCH, found=len(items), expected=count)
            return [Uncertain(mismatch)] * count
        return [self._list_item(item) for item in items]

    def _list_item(self, item: object) -> SendResult:
        """Classify one element of a list answer: an id, or a {type, id|msg} object."""
        if isinstance(item, dict):
            if item.get("type") == "error":
                return Rejected(self.scrub(_error_text(item)), whole_request=False)
            platform_id = _id_text(item.get("id"))
            if item.get("type") in (None, "success") and platform_id is not None:
                return Accepted(platform_id)
        else:
            platform_id = _id_text(item)
            if platform_id is not None:
                return Accepted(platform_id)
        text = json.dumps(item, ensure_ascii=False)[:_PREVIEW_CHARS]
        return Uncertain(Reason.of(ReasonCode.MALFORMED, preview=self.scrub(text)))

    def _unreadable(self, status: int, body: bytes) -> Uncertain:
        """Describe an answer that is not the platform's JSON (an error page, an empty body)."""
        if not body.strip():
            if status >= 300:
                return Uncertain(Reason.of(ReasonCode.HTTP_STATUS, status=status))
            return Uncertain(Reason.of(ReasonCode.EMPTY_ANSWER))
        return Uncertain(Reason.of(ReasonCode.NOT_JSON, status=status, preview=self._preview(body)))

    def _preview(self, body: bytes) -> str:
        """The start of an answer, for people to recognise it, without the token."""
        return self.scrub(body.decode("utf-8", errors="replace")[:_PREVIEW_CHARS].strip())

    def scrub(self, text: str) -> str:
        """Replace every spelling of the token in a text shown to people."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _list_items(answer: object) -> list[object] | None:
    """Find the per-message list in a list answer: a bare list, or a list under id/ids/messages."""
    if isinstance(answer, list):
        return answer
    if not isinstance(answer, dict) or answer.get("type") != "success":
        return None
    for key in ("id", "ids", "messages"):
        value = answer.get(key)
        if isinstance(value, list):
            return value
    if _id_text(answer.get("id")) is not None:
        return [answer]  # a single-message group may come back as a plain success
    return None


def _json_or_none(body: bytes) -> object:
    """Parse a JSON answer whatever its Content-Type; None when it is not JSON."""
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


def _id_text(value: object) -> str | None:
    """Return a usable platform id (a non-empty string or an integer) as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip()):
        return str(value)
    return None


def _error_text(answer: dict[str, Any]) -> str:
    """Return the platform's error `msg` verbatim, or the whole answer when it has none."""
    message = answer.get("msg")
    if isinstance(message, str):
        return message
    shown = answer if message is None else message
    return json.dumps(shown, ensure_ascii=False)[:_PREVIEW_CHARS]


def retry_after_seconds(header: str | None) -> float | None:
    """Read a Retry-After header: seconds, or an HTTP date (how long until then)."""
    if header is None or not header.strip():
        return None
    try:
        seconds = float(header)
    except ValueError:
        try:
            when = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = max(0.0, (when - datetime.now(UTC)).total_seconds())
    return seconds if seconds >= 0 else None
