"""Status cards in the group and the author's chat: content, edits in place, the final report."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.conftest import ADMIN, GROUP
from tests.report_reader import read_report
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url


async def fire(urls: list[str], concurrency: int = 50) -> list[int]:
    """Call every URL, `concurrency` at a time, as the platform does; returns the HTTP statuses."""
    limit = asyncio.Semaphore(concurrency)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> int:
            async with limit, session.get(url) as response:
                await response.read()
                return response.status

        return await asyncio.gather(*(one(url) for url in urls))


def no_entity_errors(telegram) -> bool:
    return not [call for call in telegram.errors if "can't parse" in (call.description or "")]


async def test_a_single_message_card_shows_who_sent_what_to_whom_and_its_status(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79001234567"], text="Sale <b>& more", sandbox=True)
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    first = await telegram.wait_message(GROUP, "no status yet")

    assert await fire([status_url(bot.url, seeded.message_ids[0], "1")]) == [200]

    card = await telegram.wait_message(GROUP, "delivered")
    text = card["text"]
    assert card["message_id"] == first["message_id"]  # edited in place
    assert f"Message №{seeded.campaign_id}" in text
    assert "· SMS" in text
    assert "From: Shop" in text
    assert f"sent by {ADMIN}" in text
    assert "To: 79001234567" in text
    assert "Text: Sale <b>& more" in text  # user text shown literally
    assert f"Platform id: p{seeded.message_ids[0]}" in text
    assert "Status: ✅ delivered · " in text
    assert "SANDBOX" in text
    assert "Final." in text
    author_card = await telegram.wait_message(ADMIN, "delivered")
    assert author_card["text"] == text
    assert no_entity_errors(telegram)


async def test_a_send_without_callbacks_says_statuses_will_not_arrive(start_bot, bot_env, telegram):
    seed_campaign(bot_env, ["79000000001", "79000000002"], callbacks=False)
    await start_bot(CALLBACK_SECRET=SECRET)

    card = await telegram.wait_message(GROUP, "Statuses will not arrive: PUBLIC_URL is not set.")

    assert "Recipients: 2" in card["text"]


async def test_a_thousand_recipient_campaign_ends_with_a_right_card_and_a_report_of_failures(
    start_bot, bot_env, telegram
):
    addresses = [f"7900{n:07d}" for n in range(1000)]
    rejected = {addresses[0]: "Invalid number", addresses[1]: "Invalid number"}
    seeded = seed_campaign(bot_env, addresses, rejected=rejected)
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    await telegram.wait_message(GROUP, "Recipients: 1,000")
    accepted = [
        (message_id, address)
        for message_id, address in zip(seeded.message_ids, seeded.addresses, strict=True)
        if address not in rejected
    ]
    failed = {address for index, (_, address) in enumerate(accepted) if index % 20 == 0}
    intermediate = [status_url(bot.url, message_id, "8") for message_id, _ in accepted]
    finals = [
        status_url(bot.url, message_id, "2" if address in failed else "1")
        for message_id, address in accepted
    ]

    answers = await fire(intermediate + finals)

    assert set(answers) == {200}
    delivered = len(accepted) - len(failed)
    card = await telegram.wait_message(GROUP, "Final.", timeout=30)
    assert f"Delivered: {delivered:,} (95%)" in card["text"]
    assert f"Failed: {len(failed)}" in card["text"]
    assert "Pending: 0" in card["text"]
    assert "Rejected: 2" in card["text"]
    assert "2 × Invalid number" in card["text"]
    assert "▓▓▓▓▓▓▓▓▓▓ 100%" in card["text"]
    report = await telegram.wait_for(
        lambda: next((m for m in telegram.chat(GROUP) if "document" in m), None), timeout=30
    )
    rows = read_report(report["document"]["content"]).rows
    assert {row["Address"] for row in rows if row["Status"] == "failed"} == failed
    assert {row["Address"] for row in rows if row["Status"] == "rejected"} == set(rejected)
    assert len(rows) == len(failed) + len(rejected)
    await telegram.wait_for(lambda: any("document" in m for m in telegram.chat(ADMIN)))

    assert telegram.violations == []
    group_calls = sorted(
        call.time
        for call in telegram.requests
        if call.params.get("chat_id") == GROUP and call.method.lower() != "getupdates"
    )
    for index, start in enumerate(group_calls):
        assert len([time for time in group_calls[index:] if time < start + 60]) <= 20
    assert no_entity_errors(telegram)
