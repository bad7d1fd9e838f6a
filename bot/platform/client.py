"""HTTP client for the 1-pulse platform: submits messages and returns what each answer means.

The client never retries: each call returns a typed result (`bot.platform.results`, read by
`bot.platform.answers`) and the sending engine decides what to do next (see `backoff_delays`
for a retry schedule of `Unavailable` results).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any
from urllib.parse import quote_plus

import aiohttp
import yarl

from bot.platform.answers import AnswerReader, retry_after_seconds
from bot.platform.charsets import codec_for, encode_text
from bot.platform.reasons import Reason, ReasonCode
from bot.platform.results import (
    Accepted,
    OutgoingMessage,
    Rejected,
    SendResult,
    Unavailable,
    Uncertain,
)

logger = logging.getLogger(__name__)

SEND_MESSAGE_PATH = "/bulk/send-message"
SEND_LIST_PATH = "/bulk/send-list-messages"
CONNECT_TIMEOUT = 5.0  # seconds to open a connection; a connection never opened is retried
BUSY_STATUSES = frozenset({429, 503})  # the platform took nothing: safe to send again


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
        self._answers = AnswerReader(token)

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
            result = self._answers.single(*exchange)
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
            results = self._answers.list(*exchange, count=len(messages))
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
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
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

    def _lost(self, detail: str) -> Reason:
        return Reason.of(ReasonCode.CONNECTION_LOST, detail=self._answers.scrub(detail))

    def _connector_reason(self, exc: aiohttp.ClientConnectorError) -> Reason:
        """Describe a failure to connect without the request URL."""
        error = exc.os_error
        detail = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return Reason.of(
            ReasonCode.CONNECT_FAILED,
            host=self._answers.scrub(str(exc.host)),
            port=exc.port,
            detail=self._answers.scrub(detail),
        )

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
