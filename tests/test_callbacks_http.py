"""Status callbacks over HTTP: GET or POST, query, form or JSON; retries and late statuses harmless."""

from __future__ import annotations

import json
import sqlite3

import aiohttp
import yarl

from tests.conftest import GROUP
from tests.test_callbacks_seed import (
    SECRET,
    database_path,
    message_status,
    seed_campaign,
    status_url,
    stored_events,
    wait_cards_drawn,
)


async def call(url: str, method: str = "GET", **kwargs) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, yarl.URL(url, encoded=True), **kwargs) as response,
    ):
        await response.read()
        return response.status


def group_edits(telegram) -> list:
    return [
        call
        for call in telegram.calls("editMessageText")
        if call.params.get("chat_id") == GROUP and call.ok
    ]


async def test_a_status_sent_three_times_is_stored_once_and_edits_the_card_once(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79001234567"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(GROUP, "no status yet")
    url = status_url(bot.url, seeded.message_ids[0], "1", seeded.platform_id(0))

    answers = [await call(url) for _ in range(3)]

    assert answers == [200, 200, 200]
    await telegram.wait_message(GROUP, "delivered")
    await wait_cards_drawn(bot.url)
    assert len(group_edits(telegram)) == 1
    assert stored_events(bot_env) == [(seeded.message_ids[0], "1", "delivered")]


async def test_a_late_intermediate_status_never_moves_a_message_back(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002", "79000000003"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    first, second, _third = seeded.message_ids

    for message_id, status in [(first, "1"), (first, "8"), (second, "2"), (second, "4")]:
        assert await call(status_url(bot.url, message_id, status)) == 200

    assert message_status(bot_env, first)[:2] == ("1", "delivered")
    assert message_status(bot_env, second)[:2] == ("2", "failed")
    assert [raw for _, raw, _ in stored_events(bot_env, first)] == ["1", "8"]
    card = await telegram.wait_message(GROUP, "Failed: 1")
    assert "Delivered: 1 (33.3%)" in card["text"]
    assert "Pending: 1" in card["text"]


async def test_post_with_a_form_or_json_body_is_understood(start_bot, bot_env):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    form_url = status_url(bot.url, seeded.message_ids[0], "x").split("?")[0]
    json_url = status_url(bot.url, seeded.message_ids[1], "x").split("?")[0]

    form = await call(form_url, "POST", data={"id": "p-form", "status": "delivered"})
    document = await call(
        json_url,
        "POST",
        data=json.dumps({"id": 42, "status": 2}),
        headers={"Content-Type": "application/json"},
    )

    assert (form, document) == (200, 200)
    assert message_status(bot_env, seeded.message_ids[0])[:2] == ("delivered", "delivered")
    assert message_status(bot_env, seeded.message_ids[1])[:2] == ("2", "failed")


async def test_the_platform_id_is_taken_from_the_callback_when_unknown(start_bot, bot_env):
    seeded = seed_campaign(bot_env, ["79000000001"])
    with sqlite3.connect(database_path(bot_env)) as conn:
        conn.execute("UPDATE messages SET platform_id = NULL")
    bot = await start_bot(CALLBACK_SECRET=SECRET)

    assert await call(status_url(bot.url, seeded.message_ids[0], "8", "ext-77")) == 200

    assert message_status(bot_env, seeded.message_ids[0]) == ("8", "pending", "ext-77")


async def test_other_methods_are_refused(start_bot, bot_env):
    seeded = seed_campaign(bot_env, ["79000000001"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    url = status_url(bot.url, seeded.message_ids[0], "1")

    answers = [await call(url, method) for method in ("PUT", "DELETE", "PATCH", "HEAD")]

    assert answers == [405, 405, 405, 405]
    assert stored_events(bot_env) == []
