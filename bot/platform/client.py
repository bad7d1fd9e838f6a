"""HTTP client for the 1-pulse platform: submits messages and classifies every answer.

The client never retries: each call returns a typed result and the sending engine decides
what to do next (see `backoff_delays` for a retry schedule of `Unavailable` results).
Only answers that prove nothing was processed are `Unavailable`: no connection, HTTP 429 and
503. Every other failure after the request may have left (other 5xx, a timeout while waiting
for the answer, a body that is not the platform's JSON) is `Uncertain`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeAlias
from urllib.parse import quote, quote_plus

import aiohttp
import yarl

from bot.platform.reasons import Reason, ReasonCode

logger = logging.getLogger(__name__)

SEND_MESSAGE_PATH = "/bulk/send-message"
SEND_LIST_PATH = "/bulk/send-list-messages"

# The platform's charset names (compared upper-case) and the Python codecs that produce the
# bytes it expects. The UTF-16 codecs with an explicit byte order write no BOM.
PLATFORM_CHARSETS: dict[str, str] = {
    "UTF16BE": "utf-16-be",
    "UTF-16BE": "utf-16-be",
    "UCS-2BE": "utf-16-be",
    "UCS2BE": "utf-16-be",
    "UTF16LE": "utf-16-le",
    "UTF-16LE": "utf-16-le",
    "UCS-2LE": "utf-16-le",
    "UCS2LE": "utf-16-le",
    "CP1251": "cp1251",
    "UTF-8": "utf-8",
}

# UCS-2 is UTF-16 without surrogate pairs: a strict decoder refuses the characters beyond the
# Basic Multilingual Plane (most emoji), which the UTF-16 codecs above would write as pairs.
UCS2_CHARSETS = frozenset({"UCS-2BE", "UCS2BE", "UCS-2LE", "UCS2LE"})
_LAST_BMP = 0xFFFF

_PREVIEW_CHARS = 200
CONNECT_TIMEOUT = 5.0  # seconds to open a connection; a connection never opened is retried
BUSY_STATUSES = frozenset({429, 503})  # the platform took nothing: safe to send again


class CharsetError(ValueError):
    """A text cannot be encoded in the requested charset, or the charset is unknown."""

    def __init__(
        self,
        message: str,
        *,
        charset: str | None = None,
        character: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.charset = charset
        self.character = character
        self.position = position

    @property
    def reason(self) -> Reason:
        return Reason.of(
            ReasonCode.CHARSET,
            charset=self.charset or "?",
            character=self.character,
            position=self.position,
        )


@dataclass(frozen=True)
class OutgoingMessage:
    """One message as the platform's `send-message` call takes it; None fields are not sent."""

    type: str
    sender: str
    sent_to: str
    sent_text: str
    html_text: str | None = None
    sent_date: str | None = None  # "YYYY-MM-DD HH:MM" in the platform's time zone
    charset: str | None = None
    ttl: int | None = None  # minutes
    button: str | None = None
    action: str | None = None
    image: str | None = None
    callback: str | None = None  # may hold the literal placeholders {id} and {status}
    find_token: bool = False


@dataclass(frozen=True)
class Accepted:
    """The platform created the message and gave it this id."""

    platform_id: str


@dataclass(frozen=True)
class Rejected:
    """The platform answered `{"type": "error"}`; `message` is its `msg`, verbatim.

    `whole_request` is False for one message's refusal inside a list answer.
    """

    message: str
    whole_request: bool = True


@dataclass(frozen=True)
class Unavailable:
    """The request certainly created no message (no connection, HTTP 429 or 503): safe to retry."""

    reason: Reason
    retry_after: float | None = None  # seconds, from a Retry-After header when present


@dataclass(frozen=True)
class Uncertain:
    """The message may or may not exist on the platform; it must never be re-sent blindly."""

    reason: Reason


SendResult: TypeAlias = Accepted | Rejected | Unavailable | Uncertain


def backoff_delays(max_tries: int = 5, base: float = 0.5, cap: float = 30.0) -> list[float]:
    """Return the waits between `max_tries` attempts: doubling from `base`, each at most `cap`."""
    return [min(cap, base * 2**attempt) for attempt in range(max(0, max_tries - 1))]


def codec_for(charset: str | None) -> str:
    """Return the Python codec for a platform charset name (UTF-8 when none is given)."""
    if charset is None or not charset.strip():
        return "utf-8"
    codec = PLATFORM_CHARSETS.get(charset.strip().upper())
    if codec is None:
        raise CharsetError(f"unknown charset {charset!r}")
    return codec


def is_ucs2(charset: str | None) -> bool:
    """Whether a platform charset name is one of the UCS-2 ones."""
    return charset is not None and charset.strip().upper() in UCS2_CHARSETS


def outside_bmp(text: str) -> list[str]:
    """The distinct characters of a text that UCS-2 cannot carry, in order of first use."""
    return list(dict.fromkeys(char for char in text if ord(char) > _LAST_BMP))


def encode_text(text: str, charset: str | None) -> bytes:
    """Encode a message text the way the platform expects for `charset`, or raise CharsetError."""
    codec = codec_for(charset)
    if is_ucs2(charset) and (beyond := outside_bmp(text)):
        raise CharsetError(
            f"text cannot be encoded in {charset}: {''.join(beyond)!r}",
            charset=charset,
            character="".join(beyond),
            position=text.index(beyond[0]),
        )
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end]
        raise CharsetError(
            f"text cannot be encoded in {charset}: {bad!r} at position {exc.start}",
            charset=charset,
            character=bad,
            position=exc.start,
        ) from exc


class _ConnectionLost(aiohttp.ClientConnectionError):
    """The connection broke after the request may have been sent."""


async def _no_silent_retry(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """Keep a lost connection from aiohttp's automatic GET retry, which could double a message."""
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise  # nothing was sent; aiohttp does not retry these either
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise _ConnectionLost(str(exc) or type(exc).__name__) from exc


class PulseClient:
    """Sends messages to the platform over a shared aiohttp session and classifies the answers.

    Requests carry their own middleware, so session-level client middlewares are not applied.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        token: str,
        *,
        method: str = "POST",
        timeout: float = 30.0,
        connect_timeout: float = CONNECT_TIMEOUT,
        kannel_status: bool = True,
    ) -> None:
        method = method.upper()
        if method not in ("GET", "POST"):
            raise ValueError(f"method must be GET or POST, not {method!r}")
        self._session = session
        self._base_url = str(yarl.URL(base_url.rstrip("/")))
        self._token = token
        self._method = method
        self._timeout = timeout
        self._connect_timeout = min(connect_timeout, timeout)
        self._kannel_status = kannel_status
        # Every spelling of the token that could end up in an error text.
        self._secrets = sorted(
            {token, quote_plus(token), quote(token, safe="")} - {""}, key=len, reverse=True
        )

    async def send_message(self, message: OutgoingMessage) -> SendResult:
        """Submit one message through `send-message` and return what became of it."""
        fields = [
            ("type", message.type.encode()),
            ("sender", message.sender.encode()),
            ("sent_to", message.sent_to.encode()),
            ("sent_text", encode_text(message.sent_text, message.charset)),
        ]
        if message.html_text:
            fields.append(("html_text", encode_text(message.html_text, message.charset)))
        fields += _text_fields(
            sent_date=message.sent_date,
            charset=message.charset,
            ttl=message.ttl,
            button=message.button,
            action=message.action,
            image=message.image,
            callback=message.callback,
        )
        fields += self._flag_fields(find_token=message.find_token)
        exchange = await self._exchange(SEND_MESSAGE_PATH, fields)
        if isinstance(exchange, Unavailable | Uncertain):
            result: SendResult = exchange
        else:
            result = self._single_result(*exchange)
        self._log_result("send-message", message.type, 1, result)
        return result

    async def send_list(
        self, *, type: str, sender: str, charset: str | None, messages: list[OutgoingMessage]
    ) -> list[SendResult]:
        """Submit a group through `send-list-messages`; one result per message, in order.

        The group's `type`, `sender` and `charset` are sent once; each message's own `type`
        and `sender` must match them. Inside the `messages` JSON array the texts are plain JSON
        strings (ASCII-escaped), not bytes in `charset`; they are still checked to be encodable
        in it, so a text the platform could not convert fails here, before any request.
        """
        if not messages:
            return []
        codec_for(charset)
        for message in messages:
            if (message.type, message.sender) != (type, sender):
                raise ValueError("every message of a list must have the list's type and sender")
            encode_text(message.sent_text, charset)
            if message.html_text:
                encode_text(message.html_text, charset)
        find_token_flags = {message.find_token for message in messages}
        if len(find_token_flags) > 1:
            raise ValueError("find_token must be the same for every message of a list")
        items = [self._list_item(message) for message in messages]
        fields = [("type", type.encode()), ("sender", sender.encode())]
        fields += _text_fields(charset=charset, **_shared_fields(items))
        fields.append(("messages", json.dumps(items).encode()))
        fields += self._flag_fields(find_token=find_token_flags.pop())
        exchange = await self._exchange(SEND_LIST_PATH, fields)
        if isinstance(exchange, Unavailable | Uncertain):
            results: list[SendResult] = [exchange] * len(messages)
        else:
            results = self._list_results(*exchange, count=len(messages))
        for result, count in Counter(results).items():
            self._log_result("send-list-messages", type, count, result)
        return results

    def _list_item(self, message: OutgoingMessage) -> dict[str, str | int]:
        """The per-message object of the `messages` array, without empty fields.

        It repeats the switches sent at the top (`find_token`, `kannel_status`), so a platform
        that reads them per message classifies statuses the same way.
        """
        item: dict[str, str | int | None] = {
            "sent_to": message.sent_to,
            "sent_text": message.sent_text,
            "html_text": message.html_text,
            "sent_date": message.sent_date,
            "ttl": message.ttl,
            "button": message.button,
            "action": message.action,
            "image": message.image,
            "callback": message.callback,
            "find_token": 1 if message.find_token else None,
            "kannel_status": 1 if self._kannel_status else None,
        }
        return {name: value for name, value in item.items() if value not in (None, "")}

    def _flag_fields(self, *, find_token: bool) -> list[tuple[str, bytes]]:
        """Return the 0/1 switches and the token, which every call carries."""
        fields = []
        if find_token:
            fields.append(("find_token", b"1"))
        if self._kannel_status:
            fields.append(("kannel_status", b"1"))
        fields.append(("token", self._token.encode()))
        return fields

    async def _exchange(
        self, path: str, fields: list[tuple[str, bytes]]
    ) -> tuple[int, bytes] | Unavailable | Uncertain:
        """Make one request; return (HTTP status, body) or the transport-level outcome."""
        encoded = "&".join(f"{quote_plus(name)}={quote_plus(value)}" for name, value in fields)
        url = f"{self._base_url}{path}"
        request_args: dict[str, Any] = {
            # `connect` bounds getting a connection; the answer then has `self._timeout` more.
            "timeout": aiohttp.ClientTimeout(
                total=self._connect_timeout + self._timeout, connect=self._connect_timeout
            ),
            "allow_redirects": False,
            "raise_for_status": False,
            "middlewares": (_no_silent_retry,),
        }
        if self._method == "GET":
            # encoded=True keeps our bytes exactly as built: aiohttp must not re-quote them.
            target = yarl.URL(f"{url}?{encoded}", encoded=True)
        else:
            target = yarl.URL(url)
            request_args["data"] = encoded.encode("ascii")
            request_args["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
        try:
            async with self._session.request(self._method, target, **request_args) as response:
                body = await response.read()
                status = response.status
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
        except aiohttp.ClientConnectorError as exc:
            return Unavailable(self._connector_reason(exc))
        except aiohttp.ConnectionTimeoutError:
            return Unavailable(Reason.of(ReasonCode.CONNECT_TIMEOUT, seconds=self._connect_timeout))
        except TimeoutError:
            return Uncertain(Reason.of(ReasonCode.ANSWER_TIMEOUT, seconds=self._timeout))
        except _ConnectionLost as exc:
            return Uncertain(self._lost(str(exc)))
        except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
            return Uncertain(self._lost(str(exc) or type(exc).__name__))
        except aiohttp.ClientError as exc:
            return Uncertain(self._lost(f"{type(exc).__name__}: {exc}"))
        if status in BUSY_STATUSES:
            busy = Reason.of(ReasonCode.BUSY, status=status, retry_after=retry_after)
            return Unavailable(busy, retry_after=retry_after)
        if status >= 500:
            # The platform (or a gateway before it) may have stored the message first.
            return Uncertain(Reason.of(ReasonCode.HTTP_STATUS, status=status))
        return status, body

    def _single_result(self, status: int, body: bytes) -> SendResult:
        """Classify a `send-message` answer."""
        answer = _json_or_none(body)
        if answer is None:
            return self._unreadable(status, body)
        if isinstance(answer, dict) and answer.get("type") == "error":
            return Rejected(self._scrub(_error_text(answer)))
        if status >= 300:
            return Uncertain(Reason.of(ReasonCode.HTTP_STATUS, status=status))
        if not isinstance(answer, dict) or answer.get("type") != "success":
            return Uncertain(Reason.of(ReasonCode.MALFORMED, preview=self._preview(body)))
        platform_id = _id_text(answer.get("id"))
        if platform_id is None:
            return Uncertain(Reason.of(ReasonCode.NO_ID, preview=self._preview(body)))
        return Accepted(platform_id)

    def _list_results(self, status: int, body: bytes, *, count: int) -> list[SendResult]:
        """Classify a `send-list-messages` answer, whose shape the platform does not document."""
        answer = _json_or_none(body)
        if isinstance(answer, dict) and answer.get("type") == "error":
            return [Rejected(self._scrub(_error_text(answer)))] * count
        if answer is None or status >= 300:
            return [self._unreadable(status, body)] * count
        items = _list_items(answer)
        if items is None:
            return [Uncertain(Reason.of(ReasonCode.MALFORMED, preview=self._preview(body)))] * count
        if len(items) != count:
            mismatch = Reason.of(ReasonCode.LIST_MISMATCH, found=len(items), expected=count)
            return [Uncertain(mismatch)] * count
        return [self._list_item_result(item) for item in items]

    def _list_item_result(self, item: object) -> SendResult:
        """Classify one element of a list answer: an id, or a {type, id|msg} object."""
        if isinstance(item, dict):
            if item.get("type") == "error":
                return Rejected(self._scrub(_error_text(item)), whole_request=False)
            platform_id = _id_text(item.get("id"))
            if item.get("type") in (None, "success") and platform_id is not None:
                return Accepted(platform_id)
        else:
            platform_id = _id_text(item)
            if platform_id is not None:
                return Accepted(platform_id)
        text = json.dumps(item, ensure_ascii=False)[:_PREVIEW_CHARS]
        return Uncertain(Reason.of(ReasonCode.MALFORMED, preview=self._scrub(text)))

    def _unreadable(self, status: int, body: bytes) -> Uncertain:
        """Describe an answer that is not the platform's JSON (an error page, an empty body)."""
        if not body.strip():
            if status >= 300:
                return Uncertain(Reason.of(ReasonCode.HTTP_STATUS, status=status))
            return Uncertain(Reason.of(ReasonCode.EMPTY_ANSWER))
        return Uncertain(Reason.of(ReasonCode.NOT_JSON, status=status, preview=self._preview(body)))

    def _preview(self, body: bytes) -> str:
        """The start of an answer, for people to recognise it, without the token."""
        return self._scrub(body.decode("utf-8", errors="replace")[:_PREVIEW_CHARS].strip())

    def _lost(self, detail: str) -> Reason:
        return Reason.of(ReasonCode.CONNECTION_LOST, detail=self._scrub(detail))

    def _connector_reason(self, exc: aiohttp.ClientConnectorError) -> Reason:
        """Describe a failure to connect without the request URL."""
        error = exc.os_error
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return Reason.of(
            ReasonCode.CONNECT_FAILED,
            host=self._scrub(str(exc.host)),
            port=exc.port,
            detail=self._scrub(detail),
        )

    def _scrub(self, text: str) -> str:
        """Replace every spelling of the token in a text shown to people."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _log_result(self, endpoint: str, message_type: str, count: int, result: SendResult) -> None:
        """Log an outcome without recipients or the token."""
        if isinstance(result, Accepted):
            logger.debug("%s type=%s: accepted %s", endpoint, message_type, result.platform_id)
        elif isinstance(result, Rejected):
            logger.info(
                "%s type=%s: %d rejected: %s", endpoint, message_type, count, result.message
            )
        else:
            outcome = type(result).__name__.lower()
            logger.warning(
                "%s type=%s: %d %s: %s", endpoint, message_type, count, outcome, result.reason
            )  # the reason's stored form: a code and its parameters


def _text_fields(**values: str | int | None) -> list[tuple[str, bytes]]:
    """Return the non-empty plain fields, UTF-8 encoded, in the order given."""
    return [
        (name, str(value).encode()) for name, value in values.items() if value not in (None, "")
    ]


def _shared_fields(items: list[dict[str, str | int]]) -> dict[str, str | int | None]:
    """`ttl` and `callback` at the top of a list call too, when every message has the same.

    A per-recipient callback (our signed URLs name the message) is only sent per message: at
    the top it would attribute every status to one recipient.
    """
    shared: dict[str, str | int | None] = {}
    for name in ("ttl", "callback"):
        values = {item.get(name) for item in items}
        shared[name] = values.pop() if len(values) == 1 else None
    return shared


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


def _retry_after_seconds(header: str | None) -> float | None:
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
