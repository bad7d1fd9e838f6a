"""The real program fed bad input from every side (quality B1–B7): forged and malformed
callbacks, odd methods and bodies, strangers with stale buttons, a webhook without its secret,
and secrets that must never be printed."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from pathlib import Path

import aiohttp

from tests.bot_process import BotProcess, free_port
from tests.compose_user import Composer
from tests.conftest import ADMIN, OPERATOR, STRANGER
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram

INJECTIONS = [
    "'; DROP TABLE messages; --",
    "<script>alert(1)</script>",
    "<b>bold</b> & <i>",
    "{id}",
    "{status}",
    "\x00\x01\x02",
    "ß" * 5000,
    "%00%ff",
]


def count(bot_env: dict[str, str], table: str) -> int:
    with sqlite3.connect(Path(bot_env["DATA_DIR"]) / "pulse-bridge.db") as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


async def test_the_web_endpoint_refuses_garbage_without_a_5xx_and_stores_nothing(
    start_bot, telegram, platform, bot_env
):
    program = await start_bot(PULSE_SENDERS="Shop")
    composer = Composer(telegram, ADMIN)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    await composer.press("Send", expect="Sent to the platform")
    await telegram.wait_for(lambda: platform.messages)
    platform_id, message = next(iter(platform.messages.items()))
    genuine = message.callback.split("?", 1)[0]  # .../pulse/cb/<ref>/<signature>
    ref = genuine.rsplit("/", 2)[1]
    base = program.url

    attempts: list[tuple[str, str, dict]] = []
    for _ in range(300):
        attempts.append(("GET", f"{base}/pulse/cb/{ref}/{secrets.token_hex(16)}?id=x&status=1", {}))
    attempts.append(("GET", f"{base}/pulse/cb/{ref}/?id={platform_id}&status=1", {}))
    attempts.append(
        ("GET", f"{base}/pulse/cb/{int(ref) + 1}/{genuine.rsplit('/', 1)[1]}?status=1", {})
    )
    attempts.append(("GET", f"{base}/pulse/cb/{'9' * 400}/{'f' * 32}?status=1", {}))
    for value in INJECTIONS:
        attempts.append(("GET", genuine, {"params": {"id": value, "status": "8"}}))
        attempts.append(("GET", genuine, {"params": {"id": platform_id, "status": value}}))
        attempts.append(("POST", genuine, {"data": {"id": platform_id, "status": value}}))
    attempts.append(("GET", f"{genuine}?id={platform_id}&status=1&status=2", {}))
    attempts.append(("POST", genuine, {"data": b"\xff\xfe\x00garbage" * 100}))
    attempts.append(("POST", genuine, {"json": {"id": [1, 2], "status": {"a": 1}}}))
    attempts.append(("POST", genuine, {"data": b"x" * (3 * 1024 * 1024)}))
    for method in ("PUT", "DELETE", "PATCH", "OPTIONS"):
        attempts.append((method, f"{genuine}?id={platform_id}&status=1", {}))
    attempts.append(("GET", f"{base}/media/../pulse-bridge.db", {}))
    attempts.append(("GET", f"{base}/media/{'a' * 64}", {}))
    attempts.append(("POST", f"{base}/telegram/webhook", {"json": {"update_id": 1}}))

    statuses: list[int] = []
    limit = asyncio.Semaphore(20)
    async with aiohttp.ClientSession() as session:

        async def attempt(method: str, url: str, options: dict) -> None:
            async with limit, session.request(method, url, **options) as response:
                await response.read()
                statuses.append(response.status)

        await asyncio.gather(*(attempt(*item) for item in attempts))
        async with session.get(f"{base}/healthz") as response:
            assert response.status == 200

    assert len(statuses) == len(attempts)
    assert all(400 <= status < 500 or status == 200 for status in statuses), sorted(set(statuses))
    assert statuses.count(403) >= 300
    assert program.running
    # Whatever was stored from the genuine URL is raw text; cards never break Telegram's parser.
    telegram.send_text(ADMIN, f"/status {platform_id}")
    await telegram.wait_message(ADMIN, contains=platform_id)
    assert not [call for call in telegram.errors if "parse entities" in (call.description or "")]
    assert len(platform.requests) == 1


async def test_strangers_and_revoked_members_cannot_use_stale_buttons(
    start_bot, telegram, platform, bot_env
):
    await start_bot(PULSE_SENDERS="Shop")
    telegram.send_text(ADMIN, f"/allow {OPERATOR} operator")
    await telegram.wait_message(ADMIN, contains=f"{OPERATOR} is now")
    composer = Composer(telegram, OPERATOR)
    await composer.start("/send sms 79001234567 Hello", expect="Preview")
    preview = composer.card

    # A stranger presses every button of the operator's card: nothing happens.
    for _label, data in telegram.buttons(preview):
        answer = await telegram.wait_answer(telegram.press(STRANGER, preview, data))
        assert answer["text"] == "Not allowed."
    telegram.send_text(ADMIN, f"/revoke {OPERATOR}")
    await telegram.wait_message(ADMIN, contains="no longer has access")
    # The revoked operator's own stale Send does nothing either.
    send = telegram.find_button(preview, "Send")
    answer = await telegram.wait_answer(telegram.press(OPERATOR, preview, send))
    assert answer["text"] == "Not allowed."
    for command in ("/new", "/send sms 79001234567 x", "/scheduled", "/status 1", "/cancel"):
        telegram.send_text(STRANGER, command)
    telegram.send_text(ADMIN, "/whoami")  # a later update proves the earlier ones were handled
    await telegram.wait_message(ADMIN, contains="Your user id")
    # One refusal an hour: the first command is answered, the rest are not.
    [refusal] = telegram.chat(STRANGER)
    assert "only for the team" in refusal["text"]
    assert platform.requests == []
    assert count(bot_env, "campaigns") == 0


async def test_secrets_never_reach_logs_or_chats(tmp_path):
    bot_token = "555555:SENTINELbotTOKENvalue"
    pulse_token = "SENTINEL-pulse-token-value"
    callback_secret = "SENTINEL-callback-secret-value"
    telegram = FakeTelegram(token=bot_token)
    platform = FakePlatform(token=pulse_token)
    await telegram.start()
    await platform.start()
    port = free_port()
    env = {
        "BOT_TOKEN": bot_token,
        "PULSE_TOKEN": pulse_token,
        "CALLBACK_SECRET": callback_secret,
        "TELEGRAM_API_URL": telegram.url,
        "PULSE_API_URL": platform.url,
        "DATA_DIR": str(tmp_path / "data"),
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ADMIN_IDS": str(ADMIN),
        "NOTIFY_CHAT_ID": "-100500",
        "PULSE_SENDERS": "Shop",
        "LOCALE": "en",
        "CWD": str(tmp_path),
    }
    process = BotProcess(env, tmp_path / "bot.log")
    try:
        await process.start()
        composer = Composer(telegram, ADMIN)
        # One accepted send, one the platform refuses, one that times out at the transport.
        await composer.start("/send sms 79001234567 Hello", expect="Preview")
        await composer.press("Send", expect="Sent to the platform")
        await telegram.wait_for(lambda: platform.messages)
        platform.script(("error", f"Неверный токен {pulse_token}"), ("http", 500))
        await composer.start("/send sms 79001234568 Second", expect="Preview")
        await composer.press("Send", expect="Sent to the platform")
        platform_id = next(iter(platform.messages))
        assert await platform.fire_callback(platform_id, "1") == 200
        telegram.send_text(STRANGER, "/start")
        await telegram.wait_message(STRANGER, contains="only for the team")
        telegram.send_text(ADMIN, f"/status {platform_id}")
        await telegram.wait_message(ADMIN, contains=platform_id)
        await telegram.wait_for(lambda: len(platform.requests) >= 2)
    finally:
        await process.stop()
        await telegram.stop()
        await platform.stop()

    logs = process.logs()
    said = " ".join(str(call.params) for call in telegram.requests)
    for sentinel in ("SENTINELbotTOKENvalue", pulse_token, callback_secret):
        assert sentinel not in logs
        assert sentinel not in said
