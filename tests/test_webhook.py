"""Webhook mode: Telegram's updates arrive at PUBLIC_URL/telegram/webhook, guarded by a secret token."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import yarl

from tests.conftest import ADMIN


def update(update_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": ADMIN, "type": "private", "first_name": "Admin"},
            "from": {"id": ADMIN, "is_bot": False, "first_name": "Admin", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_webhook_refuses_updates_without_the_secret_and_serves_those_with_it(
    start_bot, telegram
):
    process = await start_bot(TELEGRAM_WEBHOOK="1")
    registration = await telegram.wait_for(
        lambda: next((c for c in telegram.requests if c.method == "setWebhook"), None)
    )
    assert registration.params["url"] == f"{process.url}/telegram/webhook"
    secret = registration.params["secret_token"]
    assert len(secret) >= 32
    assert not any(c.method == "getUpdates" for c in telegram.requests)

    url = f"{process.url}/telegram/webhook"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update(1, "/whoami")) as response:
            assert response.status == 401
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "x" * len(secret)}
        async with session.post(url, json=update(2, "/whoami"), headers=wrong) as response:
            assert response.status == 401
        for odd in (b"\xc3\xbf", b"\xff\xfe", b"\xd0\xbf" * 16, secret.encode() + b"\x80"):
            assert await post_with_raw_secret(url, odd, update(9, "/whoami")) == 401, odd
        right = {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with session.post(url, json=update(3, "/whoami"), headers=right) as response:
            assert response.status == 200

    reply = await telegram.wait_message(ADMIN, contains="Your user id")
    assert str(ADMIN) in reply["text"]
    assert len(telegram.chat(ADMIN)) == 1  # the refused updates did nothing


async def post_with_raw_secret(url: str, secret: bytes, body: dict) -> int:
    """The status of a webhook POST whose secret header holds exactly these bytes."""
    target = yarl.URL(url)
    payload = json.dumps(body).encode()
    reader, writer = await asyncio.open_connection(target.host, target.port)
    writer.write(
        f"POST {target.path} HTTP/1.1\r\nHost: {target.host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\nConnection: close\r\n".encode()
        + b"X-Telegram-Bot-Api-Secret-Token: "
        + secret
        + b"\r\n\r\n"
        + payload
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])
