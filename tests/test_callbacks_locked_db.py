"""A locked database: the callback answers 503 so the platform retries, and 200 once it is free."""

from __future__ import annotations

import sqlite3

import aiohttp

from tests.test_callbacks_seed import (
    SECRET,
    database_path,
    seed_campaign,
    status_url,
    stored_events,
)


async def test_a_locked_database_answers_503_and_the_retry_is_stored(start_bot, bot_env):
    seeded = seed_campaign(bot_env, ["79000000001"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    url = status_url(bot.url, seeded.message_ids[0], "1", seeded.platform_id(0))
    locker = sqlite3.connect(database_path(bot_env), isolation_level=None)

    async with aiohttp.ClientSession() as session:
        locker.execute("BEGIN EXCLUSIVE")
        try:
            async with session.get(url) as response:
                locked_answer = response.status
            assert stored_events(bot_env) == []
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        async with session.get(url) as response:
            retry_answer = response.status
        async with session.get(f"{bot.url}/healthz") as response:
            health = await response.json()

    assert locked_answer == 503
    assert retry_answer == 200
    assert stored_events(bot_env) == [(seeded.message_ids[0], "1", "delivered")]
    assert health["database"] == "ok"
