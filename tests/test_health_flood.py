"""The real program, started as a user starts it, answers over long polling; a flood of /healthz
probes costs Telegram nothing and never holds up its replies."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.conftest import ADMIN


async def test_start_greets_then_a_command_is_answered_while_400_health_probes_run(
    bot_process, telegram
):
    # The real program: the probes and the bot must not share the test's event loop.
    bot = bot_process
    telegram.send_text(ADMIN, "/start")
    greeting = await telegram.wait_message(ADMIN, contains="Your role")
    assert "Your role: admin." in greeting["text"]

    get_me_before = len(telegram.calls("getMe"))
    statuses: list[int] = []

    async def probe(session: aiohttp.ClientSession) -> None:
        async with session.get(f"{bot.url}/healthz") as response:
            await response.read()
            statuses.append(response.status)

    connector = aiohttp.TCPConnector(limit=400)
    async with aiohttp.ClientSession(connector=connector) as session:
        flood = asyncio.gather(*(probe(session) for _ in range(400)))
        telegram.send_text(ADMIN, "/whoami")
        reply = await telegram.wait_message(ADMIN, contains="Your user id")
        await flood

    assert str(ADMIN) in reply["text"]
    assert len(statuses) == 400
    assert set(statuses) <= {200, 503}  # the last background check's answer, whatever it was
    # One background check every 30 s at most: the probes themselves never ask Telegram.
    assert len(telegram.calls("getMe")) - get_me_before <= 1
