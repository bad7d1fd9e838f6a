"""Health and metrics over HTTP: anyone learns up or down; details and figures only for this host
or a caller with the metrics token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp.test_utils import TestServer

from bot.metrics import Metrics
from bot.web import TelegramMonitor, build_web_app
from storage.store import Store
from tests.conftest import TOKEN

METRICS_TOKEN = "metrics-token-for-tests-0123456789"
PROXIED = {"X-Forwarded-For": "203.0.113.7"}  # how a public request arrives through a proxy


async def serve(tmp_path, telegram_url: str, metrics_token: str) -> AsyncIterator[str]:
    store = Store.open(tmp_path / "web.db")
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(telegram_url)))
    monitor = TelegramMonitor(bot)
    app = build_web_app(
        store=store,
        metrics_=Metrics(),
        monitor=monitor,
        scheduler_running=lambda: True,
        metrics_token=metrics_token,
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    monitor.start()
    await monitor.first_answer()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await monitor.stop()
        await server.close()
        await bot.session.close()
        store.close()


@pytest.fixture
async def web_url(tmp_path, telegram) -> AsyncIterator[str]:
    async for url in serve(tmp_path, telegram.url, METRICS_TOKEN):
        yield url


async def get(session, url: str, headers: dict | None = None) -> tuple[int, str]:
    async with session.get(url, headers=headers or {}) as response:
        return response.status, await response.text()


async def test_a_public_health_probe_gets_the_code_and_one_word(web_url, session):
    assert await get(session, f"{web_url}/healthz", PROXIED) == (200, "ok")


async def test_this_host_and_the_token_holder_get_the_details(web_url, session):
    status, body = await get(session, f"{web_url}/healthz")
    assert status == 200
    assert '"telegram": "ok"' in body
    bearer = {**PROXIED, "Authorization": f"Bearer {METRICS_TOKEN}"}
    status, body = await get(session, f"{web_url}/healthz", bearer)
    assert status == 200
    assert '"database": "ok"' in body


async def test_metrics_need_this_host_or_the_token(web_url, session):
    status, _ = await get(session, f"{web_url}/metrics", PROXIED)
    assert status == 401
    wrong = {**PROXIED, "Authorization": "Bearer " + "x" * len(METRICS_TOKEN)}
    assert (await get(session, f"{web_url}/metrics", wrong))[0] == 401
    odd = {**PROXIED, "Authorization": "Bearer \u00ff\u00fe"}
    assert (await get(session, f"{web_url}/metrics", odd))[0] == 401
    bearer = {**PROXIED, "Authorization": f"Bearer {METRICS_TOKEN}"}
    status, text = await get(session, f"{web_url}/metrics", bearer)
    assert status == 200
    assert "pulse_statuses_total" in text
    status, text = await get(session, f"{web_url}/metrics")
    assert status == 200
    assert "pulse_statuses_total" in text


async def test_without_a_token_metrics_are_for_this_host_only(tmp_path, telegram, session):
    async for url in serve(tmp_path, telegram.url, ""):
        assert (await get(session, f"{url}/metrics", PROXIED))[0] == 403
        guessed = {**PROXIED, "Authorization": "Bearer "}
        assert (await get(session, f"{url}/metrics", guessed))[0] == 403
        assert (await get(session, f"{url}/metrics"))[0] == 200


async def test_an_unreachable_telegram_shows_as_503_from_the_last_check(tmp_path, session):
    async for url in serve(tmp_path, "http://127.0.0.1:9", METRICS_TOKEN):
        assert await get(session, f"{url}/healthz", PROXIED) == (503, "degraded")
        status, body = await get(session, f"{url}/healthz")
        assert status == 503
        assert '"telegram": "down"' in body
