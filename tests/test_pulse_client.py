"""The platform client against the fake platform over real HTTP: results, fields, lists, tokens."""

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.platform.client import PulseClient
from bot.platform.reasons import Reason, ReasonCode
from bot.platform.results import (
    Accepted,
    OutgoingMessage,
    Rejected,
    Unavailable,
    Uncertain,
    backoff_delays,
)
from tests.fakes.platform import BAD_TOKEN_MESSAGE, FakePlatform

TOKEN = "tok-SENTINEL-7f3a/9+="
METHODS = ["GET", "POST"]


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform(token=TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


def sms(sent_to: str = "79991234567", **fields: object) -> OutgoingMessage:
    return OutgoingMessage(type="sms", sender="Shop", sent_to=sent_to, sent_text="Hi", **fields)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("method", METHODS)
async def test_accepted_message_gets_platform_id(platform, session, method):
    client = PulseClient(session, platform.url, TOKEN, method=method)

    result = await client.send_message(sms())

    assert result == Accepted("p1")
    assert platform.requests[0].method == method
    assert platform.messages["p1"].sent_to == "79991234567"
    assert platform.received == {"79991234567": 1}


@pytest.mark.parametrize("method", METHODS)
async def test_platform_error_is_rejected_with_verbatim_message(platform, session, method):
    platform.script(("error", "Недостаточно средств на балансе"))
    client = PulseClient(session, platform.url, TOKEN, method=method)

    result = await client.send_message(sms())

    assert result == Rejected("Недостаточно средств на балансе")
    assert not platform.received


async def test_wrong_token_is_rejected(platform, session):
    client = PulseClient(session, platform.url, "wrong-token")

    assert await client.send_message(sms()) == Rejected(BAD_TOKEN_MESSAGE)


@pytest.mark.parametrize("status", [500, 502, 504, 501, 599])
async def test_server_failure_is_uncertain_because_the_message_may_be_stored(
    platform, session, status
):
    platform.script(("stored_http", status))
    client = PulseClient(session, platform.url, TOKEN)

    result = await client.send_message(sms())

    assert result == Uncertain(Reason.of(ReasonCode.HTTP_STATUS, status=status))
    assert platform.received == {"79991234567": 1}  # it was stored: it must not go again


async def test_server_failure_with_the_platforms_json_is_still_uncertain(platform, session):
    platform.script(("http", 500, '{"type": "error", "msg": "Internal error"}'))
    client = PulseClient(session, platform.url, TOKEN)

    assert await client.send_message(sms()) == Uncertain(
        Reason.of(ReasonCode.HTTP_STATUS, status=500)
    )


@pytest.mark.parametrize("retry_after", ["7", "Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_busy_platform_is_unavailable_and_says_when_to_come_back(
    platform, session, retry_after
):
    platform.script(("busy", 503, retry_after))
    client = PulseClient(session, platform.url, TOKEN)

    result = await client.send_message(sms())

    expected = 7.0 if retry_after == "7" else 0.0  # a date in the past: at once
    assert result == Unavailable(
        Reason.of(ReasonCode.BUSY, status=503, retry_after=expected), retry_after=expected
    )
    assert not platform.received


async def test_busy_platform_without_retry_after_is_unavailable(platform, session):
    platform.script(("http", 503))
    client = PulseClient(session, platform.url, TOKEN)

    assert await client.send_message(sms()) == Unavailable(Reason.of(ReasonCode.BUSY, status=503))


async def test_connect_timeout_is_unavailable_not_uncertain(session):
    # A listening socket whose accept queue is full: the next connection never opens.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        try:
            for _ in range(8):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(("127.0.0.1", port))
                fillers.append(filler)
            client = PulseClient(
                session, f"http://127.0.0.1:{port}/api/v1", TOKEN, timeout=30, connect_timeout=0.3
            )
            async with asyncio.timeout(10):
                result = await client.send_message(sms())
        finally:
            for filler in fillers:
                filler.close()

    assert result == Unavailable(Reason.of(ReasonCode.CONNECT_TIMEOUT, seconds=0.3))


@pytest.mark.parametrize("method", METHODS)
async def test_connection_refused_is_unavailable(session, method):
    client = PulseClient(session, f"http://127.0.0.1:{closed_port()}/api/v1", TOKEN, method=method)

    result = await client.send_message(sms())

    assert isinstance(result, Unavailable)
    assert result.reason.code is ReasonCode.CONNECT_FAILED
    assert result.reason.get("host") == "127.0.0.1"


async def test_a_name_that_does_not_resolve_is_unavailable(session):
    client = PulseClient(session, "http://pulse.invalid/api/v1", TOKEN, connect_timeout=2)

    async with asyncio.timeout(10):
        result = await client.send_message(sms())

    # Whether the resolver says "no such name" or never answers, nothing reached the platform.
    assert isinstance(result, Unavailable)
    assert result.reason.code in (ReasonCode.CONNECT_FAILED, ReasonCode.CONNECT_TIMEOUT)


@pytest.mark.parametrize("method", METHODS)
async def test_hanging_platform_is_uncertain_after_timeout(platform, session, method):
    platform.script("hang")
    client = PulseClient(session, platform.url, TOKEN, method=method, timeout=0.3)

    result = await client.send_message(sms())

    assert result == Uncertain(Reason.of(ReasonCode.ANSWER_TIMEOUT, seconds=0.3))
    assert len(platform.requests) == 1


@pytest.mark.parametrize("method", METHODS)
async def test_reset_connection_is_uncertain_and_not_repeated(platform, session, method):
    platform.script("reset")
    client = PulseClient(session, platform.url, TOKEN, method=method)

    result = await client.send_message(sms())

    assert isinstance(result, Uncertain)
    # aiohttp silently repeats a GET once on a lost connection; that would send twice.
    assert len(platform.requests) == 1
    assert platform.received == {"79991234567": 1}


async def test_non_json_answer_is_uncertain_with_preview(platform, session):
    platform.script("non_json")
    client = PulseClient(session, platform.url, TOKEN)

    result = await client.send_message(sms())

    assert result == Uncertain(
        Reason.of(ReasonCode.NOT_JSON, status=200, preview="<html><body>Bad Gateway</body></html>")
    )


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ('{"type": "success"}', ReasonCode.NO_ID),
        ('{"type": "success", "id": ""}', ReasonCode.NO_ID),
        ('{"type": "queued", "id": "x"}', ReasonCode.MALFORMED),
        ('["p1"]', ReasonCode.MALFORMED),
        ("", ReasonCode.EMPTY_ANSWER),
    ],
)
async def test_odd_success_answer_is_uncertain(platform, session, answer, code):
    platform.script(("raw", answer))
    client = PulseClient(session, platform.url, TOKEN)

    result = await client.send_message(sms())

    assert isinstance(result, Uncertain)
    assert result.reason.code is code


async def test_numeric_id_is_accepted_as_text(platform, session):
    platform.script(("raw", '{"type": "success", "id": 12345}'))
    client = PulseClient(session, platform.url, TOKEN)

    assert await client.send_message(sms()) == Accepted("12345")


async def test_too_many_requests_carries_retry_after(platform, session):
    platform.script(("http", 429))
    client = PulseClient(session, platform.url, TOKEN)

    assert await client.send_message(sms()) == Unavailable(
        Reason.of(ReasonCode.BUSY, status=429, retry_after=1.0), retry_after=1.0
    )


async def test_client_error_status_with_platform_error_is_rejected(platform, session):
    platform.script(("http", 400, '{"type": "error", "msg": "Неверный номер"}'))
    client = PulseClient(session, platform.url, TOKEN)

    assert await client.send_message(sms()) == Rejected("Неверный номер")


@pytest.mark.parametrize("status", [400, 404, 409])
async def test_client_error_status_is_uncertain(platform, session, status):
    platform.script(("http", status))
    client = PulseClient(session, platform.url, TOKEN)

    result = await client.send_message(sms())

    # A 4xx page that is not the platform's JSON: the message may exist.
    assert isinstance(result, Uncertain)
    assert (result.reason.code, result.reason.get("status")) == (ReasonCode.NOT_JSON, status)


@pytest.mark.parametrize("method", METHODS)
async def test_every_parameter_arrives(platform, session, method):
    client = PulseClient(session, platform.url, TOKEN, method=method)
    callback = "https://bot.example.com/pulse/cb/s3cr3t?id={id}&status={status}"
    message = OutgoingMessage(
        type="viber",
        sender="Shop & Co",
        sent_to="79991234567",
        sent_text="Скидка 10% & подарок + доставка?",
        html_text="<b>Скидка</b> 10%",
        sent_date="2030-01-02 09:30",
        charset="UTF-8",
        ttl=90,
        button="Купить",
        action="https://shop.example.com/buy?item=1&ref=a b",
        image="https://cdn.example.com/i/фото 1.png?x=1&y=2",
        callback=callback,
        find_token=True,
    )

    assert await client.send_message(message) == Accepted("p1")

    params = platform.requests[0].params
    assert params == {
        "type": "viber",
        "sender": "Shop & Co",
        "sent_to": "79991234567",
        "sent_text": "Скидка 10% & подарок + доставка?",
        "html_text": "<b>Скидка</b> 10%",
        "sent_date": "2030-01-02 09:30",
        "charset": "UTF-8",
        "ttl": "90",
        "button": "Купить",
        "action": "https://shop.example.com/buy?item=1&ref=a b",
        "image": "https://cdn.example.com/i/фото 1.png?x=1&y=2",
        "callback": callback,
        "find_token": "1",
        "kannel_status": "1",
        "token": TOKEN,
    }
    assert b"%7Bid%7D" in platform.requests[0].raw


async def test_empty_optional_parameters_are_omitted(platform, session):
    client = PulseClient(session, platform.url, TOKEN, kannel_status=False)

    await client.send_message(sms(html_text="", button=None, charset=None))

    assert set(platform.requests[0].params) == {"type", "sender", "sent_to", "sent_text", "token"}


async def test_callback_template_receives_fired_status(platform, session):
    received: list[tuple[str, str, str]] = []

    async def status_receiver(request: aiohttp.web.Request) -> aiohttp.web.Response:
        fields = {**request.query, **(await request.post())}
        received.append((request.method, fields["id"], fields["status"]))
        return aiohttp.web.Response(text="OK")

    app = aiohttp.web.Application()
    app.router.add_route("*", "/cb", status_receiver)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    site = aiohttp.web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        client = PulseClient(session, platform.url, TOKEN)
        message = sms(callback=f"http://127.0.0.1:{port}/cb?id={{id}}&status={{status}}")
        result = await client.send_message(message)

        assert await platform.fire_callback(result.platform_id, "1") == 200
        assert await platform.fire_many([(result.platform_id, "8 & more")]) == [200]
        assert await platform.fire_callback("p1", "2", method="POST", form=True) == 200
    finally:
        await runner.cleanup()
    assert received == [("GET", "p1", "1"), ("GET", "p1", "8 & more"), ("POST", "p1", "2")]


async def test_callback_of_unknown_or_callbackless_message_raises(platform, session):
    await PulseClient(session, platform.url, TOKEN).send_message(sms())

    with pytest.raises(KeyError):
        await platform.fire_callback("p404", "1")
    with pytest.raises(LookupError, match="no callback"):
        await platform.fire_callback("p1", "1")


async def test_held_platform_answers_after_release(platform, session):
    client = PulseClient(session, platform.url, TOKEN)
    platform.hold()
    sending = asyncio.create_task(client.send_message(sms()))

    await platform.wait_requests(1)
    assert not sending.done()
    platform.release()

    assert await sending == Accepted("p1")


@pytest.mark.parametrize("method", METHODS)
async def test_list_is_sent_as_json_array(platform, session, method):
    client = PulseClient(session, platform.url, TOKEN, method=method)
    messages = [
        sms("79990000001", ttl=60, callback="http://127.0.0.1/cb?id={id}"),
        sms("79990000002", sent_date="2030-01-02 09:30"),
    ]

    results = await client.send_list(type="sms", sender="Shop", charset="CP1251", messages=messages)

    assert results == [Accepted("p1"), Accepted("p2")]
    params = platform.requests[0].params
    assert (params["type"], params["sender"], params["charset"]) == ("sms", "Shop", "CP1251")
    assert json.loads(params["messages"]) == [
        {
            "sent_to": "79990000001",
            "sent_text": "Hi",
            "ttl": 60,
            "callback": "http://127.0.0.1/cb?id={id}",
            "kannel_status": 1,
        },
        {
            "sent_to": "79990000002",
            "sent_text": "Hi",
            "sent_date": "2030-01-02 09:30",
            "kannel_status": 1,
        },
    ]
    # Values that differ between messages are not sent at the top.
    assert "ttl" not in params
    assert "callback" not in params
    assert params["kannel_status"] == "1"
    assert platform.received == {"79990000001": 1, "79990000002": 1}


async def test_list_switches_and_shared_values_go_in_every_item_and_at_the_top(platform, session):
    client = PulseClient(session, platform.url, TOKEN)
    callback = "http://127.0.0.1/cb?id={id}&status={status}"
    messages = [
        sms(phone, ttl=90, callback=callback, find_token=True)
        for phone in ("79990000001", "79990000002")
    ]

    await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    params = platform.requests[0].params
    for name, value in {
        "ttl": 90,
        "callback": callback,
        "find_token": 1,
        "kannel_status": 1,
    }.items():
        assert params[name] == str(value)
        assert [item[name] for item in json.loads(params["messages"])] == [value, value]


@pytest.mark.parametrize("shape", ["list", "ids", "id", "messages"])
async def test_list_answer_shapes_are_understood(platform, session, shape):
    platform.script(("list_shape", shape))
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002"), sms("79990000003")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert results == [Accepted("p1"), Accepted("p2"), Accepted("p3")]


async def test_list_answer_with_per_message_error(platform, session):
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms(""), sms("79990000003")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert results == [
        Accepted("p1"),
        Rejected("Не указан получатель", whole_request=False),
        Accepted("p2"),
    ]


async def test_list_answer_of_wrong_length_makes_all_uncertain(platform, session):
    platform.script(("list_shape", "mismatch"))
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert results == [Uncertain(Reason.of(ReasonCode.LIST_MISMATCH, found=1, expected=2))] * 2


@pytest.mark.parametrize(
    "answer",
    [
        '{"type": "success"}',
        '{"type": "success", "ids": "p1,p2"}',
        '{"status": "ok"}',
        '"p1"',
    ],
)
async def test_list_answer_without_results_makes_all_uncertain(platform, session, answer):
    platform.script(("raw", answer))
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert len(results) == 2
    assert all(isinstance(result, Uncertain) for result in results)
    assert results[0].reason.code is ReasonCode.MALFORMED


async def test_list_answer_with_bad_item_makes_that_item_uncertain(platform, session):
    platform.script(("raw", '[{"type": "success", "id": "a1"}, {"type": "success"}]'))
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert results[0] == Accepted("a1")
    assert isinstance(results[1], Uncertain)


async def test_list_error_rejects_every_message(platform, session):
    platform.script(("error", "Рассылка не найдена"))
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert results == [Rejected("Рассылка не найдена")] * 2


async def test_list_server_failure_makes_all_unavailable(platform, session):
    platform.script(("http", 503))
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert results == [Unavailable(Reason.of(ReasonCode.BUSY, status=503))] * 2


async def test_list_non_json_answer_makes_all_uncertain(platform, session):
    platform.script("non_json")
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), sms("79990000002")]

    results = await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)

    assert all(isinstance(result, Uncertain) for result in results)


async def test_list_of_mixed_types_is_refused_before_sending(platform, session):
    client = PulseClient(session, platform.url, TOKEN)
    messages = [sms("79990000001"), OutgoingMessage("viber", "Shop", "79990000002", "Hi")]

    with pytest.raises(ValueError, match="type and sender"):
        await client.send_list(type="sms", sender="Shop", charset=None, messages=messages)
    assert not platform.requests


async def test_empty_list_makes_no_request(platform, session):
    client = PulseClient(session, platform.url, TOKEN)

    assert await client.send_list(type="sms", sender="Shop", charset=None, messages=[]) == []
    assert not platform.requests


@pytest.mark.parametrize("method", METHODS)
async def test_token_never_appears_in_reasons_or_logs(platform, session, caplog, method):
    caplog.set_level(logging.DEBUG)
    client = PulseClient(session, platform.url, TOKEN, method=method, timeout=0.3)
    refused = PulseClient(session, f"http://127.0.0.1:{closed_port()}/api/v1", TOKEN, method=method)
    # The platform echoing the token back must not leak it either.
    platform.script(
        "hang",
        "reset",
        "non_json",
        ("http", 500),
        ("http", 403),
        ("error", f"bad token {TOKEN}"),
        ("raw", f"token={TOKEN}"),
    )
    results = [await client.send_message(sms()) for _ in range(7)]
    results.append(await refused.send_message(sms()))
    results += await client.send_list(type="sms", sender="Shop", charset=None, messages=[sms()])

    texts = [repr(result) for result in results] + [caplog.text]
    assert not [text for text in texts if "SENTINEL" in text]
    assert {type(result) for result in results} == {Uncertain, Unavailable, Rejected, Accepted}


def test_backoff_delays_double_up_to_cap():
    assert backoff_delays(max_tries=6, base=0.5, cap=4.0) == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert backoff_delays(max_tries=1) == []
