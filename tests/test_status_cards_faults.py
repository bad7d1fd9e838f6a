"""Cards when Telegram misbehaves: 429, 5xx, a migrated group, a bot removed from the group."""

from __future__ import annotations

import sqlite3

import aiohttp

from tests.conftest import ADMIN, GROUP
from tests.test_callbacks_seed import (
    SECRET,
    database_path,
    seed_campaign,
    status_url,
    stored_events,
    wait_cards_drawn,
)

NEW_GROUP = -1009876543210


async def get(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status


def group_calls(telegram, method: str, chat_id: int = GROUP) -> list:
    return [call for call in telegram.calls(method) if call.params.get("chat_id") == chat_id]


async def test_retry_after_holds_the_group_and_the_update_arrives_later_once(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(GROUP, "Pending: 2")
    telegram.fail_next(
        "editMessageText",
        chat_id=GROUP,
        error_code=429,
        description="Too Many Requests: retry after 5",
        parameters={"retry_after": 5},
    )

    assert await get(status_url(bot.url, seeded.message_ids[0], "1")) == 200
    await telegram.wait_for(lambda: telegram.throttles)
    assert await get(status_url(bot.url, seeded.message_ids[1], "2")) == 200

    card = await telegram.wait_message(GROUP, "Final.", timeout=20)
    assert "Failed: 1" in card["text"]
    throttle = telegram.throttles[0]
    delivered_edits = [call for call in group_calls(telegram, "editMessageText") if call.ok]
    assert telegram.violations == []
    assert all(call.time >= throttle.deadline for call in delivered_edits)
    texts = [call.params["text"] for call in delivered_edits]
    assert len(texts) == len(set(texts))  # each state reached the group once


async def test_server_errors_are_retried_until_the_card_is_updated(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(GROUP, "no status yet")
    telegram.fail_next(
        "editMessageText", chat_id=GROUP, error_code=502, description="Bad Gateway", times=2
    )

    assert await get(status_url(bot.url, seeded.message_ids[0], "1")) == 200

    await telegram.wait_message(GROUP, "delivered")
    edits = group_calls(telegram, "editMessageText")
    assert [call.status for call in edits] == [502, 502, 200]


async def test_a_migrated_group_gets_the_card_and_is_used_from_then_on(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(GROUP, "no status yet")
    telegram.migrate_chat(GROUP, NEW_GROUP)

    assert await get(status_url(bot.url, seeded.message_ids[0], "1")) == 200

    await telegram.wait_message(NEW_GROUP, "delivered")
    with sqlite3.connect(database_path(bot_env)) as conn:
        stored = dict(conn.execute("SELECT key, value FROM kv").fetchall())
    assert stored["notify_chat_id"] == str(NEW_GROUP)

    await bot.stop()
    later = seed_campaign(bot_env, ["79000000002"], text="after the move")
    calls_before = len(telegram.requests)
    await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(NEW_GROUP, f"Message №{later.campaign_id}")
    assert not [
        call
        for call in telegram.requests[calls_before:]
        if call.params.get("chat_id") == GROUP and call.method.lower() != "getupdates"
    ]


async def test_a_bot_removed_from_the_group_keeps_storing_statuses_and_says_so_once(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002", "79000000003"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(GROUP, "Pending: 3")
    calls_before = len(group_calls(telegram, "editMessageText"))
    telegram.kick_from(GROUP)

    answers = []
    for message_id, status in zip(seeded.message_ids, ["8", "1", "2"], strict=True):
        answers.append(await get(status_url(bot.url, message_id, status)))
        await wait_cards_drawn(bot.url)

    assert answers == [200, 200, 200]
    assert len(stored_events(bot_env)) == 3
    await telegram.wait_message(ADMIN, "Failed: 1")
    assert len(group_calls(telegram, "editMessageText")) == calls_before + 1
    assert bot.logs().count("Telegram refuses") == 1


async def test_a_final_report_not_delivered_before_a_restart_is_delivered_after_it(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    telegram.fail_next(
        "sendDocument", chat_id=ADMIN, error_code=400, description="Bad Request: try later"
    )
    program = await start_bot(CALLBACK_SECRET=SECRET)
    for message_id, status in zip(seeded.message_ids, ("1", "2"), strict=True):
        assert await get(status_url(program.url, message_id, status)) == 200
    await telegram.wait_for(lambda: any("document" in m for m in telegram.chat(GROUP)))
    await telegram.wait_for(lambda: telegram.errors)  # the author's report was refused
    await program.stop()
    assert not any("document" in m for m in telegram.chat(ADMIN))

    await start_bot(CALLBACK_SECRET=SECRET)
    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(ADMIN) if "document" in m), None)
    )
    assert "did not get the message: 1" in report["caption"]
    assert len([m for m in telegram.chat(GROUP) if "document" in m]) == 1
