"""Forged callbacks: random, missing or borrowed signatures and odd references are refused."""

from __future__ import annotations

import asyncio
import secrets

import aiohttp

from bot.statuses.signing import sign
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url, stored_events


async def test_ten_thousand_random_signatures_are_refused_and_nothing_is_stored(start_bot, bot_env):
    seeded = seed_campaign(bot_env, ["79000000001"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    ref = seeded.message_ids[0]

    async def forge_in_turn(count: int) -> list[int]:
        """The statuses of `count` forged callbacks, one after another on one kept-alive
        connection: plain HTTP/1.1, so that the test's own client costs little beside the
        program it measures."""
        reader, writer = await asyncio.open_connection("127.0.0.1", bot.port)
        statuses = []
        for _ in range(count):
            path = f"/pulse/cb/{ref}/{secrets.token_hex(16)}?id=p{ref}&status=1"
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            status_line = await reader.readline()
            length = None
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            assert length is not None, status_line  # every refusal says how long it is
            await reader.readexactly(length)
            statuses.append(int(status_line.split()[1]))
        writer.close()
        await writer.wait_closed()
        return statuses

    answers = [
        status
        for statuses in await asyncio.gather(*(forge_in_turn(200) for _ in range(50)))
        for status in statuses
    ]

    assert len(answers) == 10_000
    assert set(answers) == {403}
    assert stored_events(bot_env) == []


async def test_a_valid_signature_for_another_message_is_refused(start_bot, bot_env):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    first, second = seeded.message_ids
    borrowed = f"{bot.url}/pulse/cb/{first}/{sign(SECRET, second)}?id=p{first}&status=1"
    other_secret = status_url(bot.url, first, "1").replace(
        sign(SECRET, first), sign("another-secret", first)
    )
    odd_refs = [
        f"{bot.url}/pulse/cb/{bad}/{sign(SECRET, bad)}?status=1"
        for bad in ("abc", "0", "-1", f"0{first}", "9" * 40, f"{first}.0")
    ]
    wrong_shapes = [
        f"{bot.url}/pulse/cb/{first}/{sign(SECRET, first).upper()}?status=1",
        f"{bot.url}/pulse/cb/{first}/{sign(SECRET, first)[:-1]}?status=1",
        f"{bot.url}/pulse/cb/{first}/{sign(SECRET, first)}0?status=1",
    ]
    missing = [f"{bot.url}/pulse/cb/{first}/?status=1", f"{bot.url}/pulse/cb/{first}?status=1"]

    async with aiohttp.ClientSession() as session:
        answers = {}
        for url in [borrowed, other_secret, *odd_refs, *wrong_shapes, *missing]:
            async with session.get(url) as response:
                answers[url] = response.status

    assert all(400 <= status < 500 for status in answers.values()), answers
    assert answers[borrowed] == 403
    assert answers[other_secret] == 403
    assert {answers[url] for url in odd_refs + wrong_shapes} == {403}
    assert stored_events(bot_env) == []


async def test_a_signed_reference_to_a_message_that_does_not_exist_is_not_found(start_bot, bot_env):
    seed_campaign(bot_env, ["79000000001"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    async with (
        aiohttp.ClientSession() as session,
        session.get(status_url(bot.url, 987_654, "1")) as response,
    ):
        assert response.status == 404
    assert stored_events(bot_env) == []
