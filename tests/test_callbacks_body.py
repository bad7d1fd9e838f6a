"""The callback endpoint reads a body whole, however it is cut, and refuses odd JSON with a 4xx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import yarl
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.metrics import Metrics
from bot.platform.status_classes import StatusClassifier
from bot.statuses.endpoint import MAX_BODY_BYTES, CallbackEndpoint, StatusWriter
from bot.statuses.signing import callback_url
from storage.store import Store
from tests.test_callbacks_storage import accepted_messages

SECRET = "callback-secret-for-body-tests-0123456789"


class Endpoint:
    """The real callback handler on a real port, with a hook telling when a request reached it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reached = asyncio.Event()
        metrics = Metrics()
        writer = StatusWriter(store, metrics, lambda campaign_id: None)
        self.app = web.Application(middlewares=[self._note_arrival])
        CallbackEndpoint(SECRET, writer, StatusClassifier(), metrics).register(self.app)
        self.server = TestServer(self.app, host="127.0.0.1")

    @web.middleware
    async def _note_arrival(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        self.reached.set()
        return await handler(request)

    def url(self, message_id: int) -> yarl.URL:
        base = f"http://127.0.0.1:{self.server.port}"
        return yarl.URL(callback_url(base, SECRET, message_id).split("?")[0], encoded=True)


@pytest.fixture
async def endpoint(tmp_path) -> AsyncIterator[Endpoint]:
    store = Store.open(tmp_path / "body.db")
    served = Endpoint(store)
    await served.server.start_server()
    yield served
    await served.server.close()
    store.close()


async def test_a_body_arriving_in_two_pieces_is_read_whole(endpoint):
    [message_id] = accepted_messages(endpoint.store, 1)
    first, second = b"id=p1&sta", b"tus=1"

    async def two_pieces() -> AsyncIterator[bytes]:
        yield first
        await endpoint.reached.wait()  # the handler is already reading when the rest is sent
        yield second

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(endpoint.url(message_id), data=two_pieces(), headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
    assert endpoint.store.messages.get(message_id).status_class == "delivered"
    # The commit before that 200 was synced to disk: FULL is 2.
    assert endpoint.store.db.execute("PRAGMA synchronous").fetchone() == (2,)


async def test_a_body_with_a_length_sent_in_two_writes_is_read_whole(endpoint):
    [message_id] = accepted_messages(endpoint.store, 1)
    body = json.dumps({"id": "p1", "status": "delivered"}).encode()
    url = endpoint.url(message_id)
    reader, writer = await asyncio.open_connection("127.0.0.1", endpoint.server.port)
    head = (
        f"POST {url.raw_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    writer.write(head + body[:7])
    await writer.drain()
    await endpoint.reached.wait()
    writer.write(body[7:])
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert endpoint.store.messages.get(message_id).status_class == "delivered"


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000,
        b"{" + b'"a":[' * 3000 + b"]" * 3000 + b"}",
        b'{"status": ' + b"[" * 4000 + b"]" * 4000 + b"}",
        b'{"status": "1", "id": {"deep": {"deeper": 1}}}',
        b'{"status": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}',
    ],
    ids=["array", "object", "status", "nested-id", "huge"],
)
async def test_nested_or_huge_json_gets_a_client_error(endpoint, body):
    [message_id] = accepted_messages(endpoint.store, 1)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            endpoint.url(message_id), data=body, headers={"Content-Type": "application/json"}
        ) as response,
    ):
        assert 400 <= response.status < 500, (response.status, await response.text())
    assert endpoint.store.messages.get(message_id).status_class is None
