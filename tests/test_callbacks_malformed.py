"""Malformed callbacks on a valid signed path: refused (4xx) or stored raw, never 5xx or unescaped."""

from __future__ import annotations

import json

import aiohttp
import yarl

from bot.statuses.signing import callback_url
from tests.conftest import ADMIN, GROUP
from tests.test_callbacks_seed import (
    SECRET,
    message_status,
    seed_campaign,
    stored_events,
    wait_cards_drawn,
)

HTML_STATUS = "<b>x</b>&amp;"
SQL_STATUS = "1'; DROP TABLE messages;--"


def requests_for(base: str) -> list[tuple[str, str, dict]]:
    """(method, query string, request options) of every malformed call tried."""
    json_headers = {"Content-Type": "application/json"}
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return [
        ("GET", "", {}),
        ("GET", "id=p1", {}),
        ("GET", "id=p1&status=", {}),
        ("GET", "id=p1&status=%20%20", {}),
        ("GET", "id=p1&status={status}", {}),
        ("GET", "id={id}&status={status}", {}),
        ("GET", "id=p1&status=" + "9" * 65, {}),
        ("GET", "id=p1&status=" + "x" * 5000, {}),
        ("GET", "id=p1&status=a%00b", {}),
        ("GET", "id=p1&status=%FF%FE%00", {}),
        ("GET", "id=p1&status=%E2%80%AEdelivered", {}),
        ("GET", "id=p1&status=1&status=2", {}),
        ("GET", "id=" + "i" * 7000 + "&status=8", {}),
        ("GET", "id=%00%01&status=4", {}),
        ("GET", "id={id}&status=32", {}),
        ("GET", "status=8&status=8", {}),
        ("GET", "id=p1&status=" + yarl.URL.build(query={"s": SQL_STATUS}).raw_query_string[2:], {}),
        (
            "GET",
            "id=p1&status=" + yarl.URL.build(query={"s": HTML_STATUS}).raw_query_string[2:],
            {},
        ),
        ("POST", "", {"data": b"\xff\xfe\x00binary", "headers": form_headers}),
        ("POST", "", {"data": b"status=%FF", "headers": form_headers}),
        ("POST", "", {"data": b"[1, 2]", "headers": json_headers}),
        ("POST", "", {"data": b"{not json", "headers": json_headers}),
        ("POST", "", {"data": json.dumps({"status": {"a": 1}}), "headers": json_headers}),
        ("POST", "", {"data": json.dumps({"status": None}), "headers": json_headers}),
        ("POST", "", {"data": b"x" * 100_000, "headers": form_headers}),
        ("POST", "status=4", {"data": b"status=16", "headers": form_headers}),
        ("POST", "", {"data": aiohttp.FormData({"status": "1"}, default_to_multipart=True)}),
        ("OPTIONS", "status=1", {}),
        ("TRACE", "status=1", {}),
    ]


async def test_malformed_callbacks_get_a_client_error_or_are_stored_raw(
    start_bot, bot_env, telegram
):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    bot = await start_bot(CALLBACK_SECRET=SECRET)
    message_id = seeded.message_ids[0]
    base = callback_url(bot.url, SECRET, message_id).split("?")[0]

    answers = []
    async with aiohttp.ClientSession() as session:
        for method, query, options in requests_for(base):
            url = yarl.URL(f"{base}?{query}" if query else base, encoded=True)
            async with session.request(method, url, **options) as response:
                answers.append((method, query[:40], response.status))

    assert all(status == 200 or 400 <= status < 500 for *_, status in answers), answers
    stored = {raw for _, raw, _ in stored_events(bot_env, message_id)}
    assert stored == {"8", "4", "32", SQL_STATUS, HTML_STATUS}
    assert message_status(bot_env, message_id)[:2] == (HTML_STATUS, "pending")
    assert message_status(bot_env, message_id)[2] == f"p{message_id}"  # odd ids were ignored

    await wait_cards_drawn(bot.url)
    assert not [call for call in telegram.errors if "can't parse" in (call.description or "")]
    telegram.send_text(ADMIN, f"/status p{message_id}")
    history = await telegram.wait_message(ADMIN, "History")
    assert HTML_STATUS in history["text"]  # shown literally, not as markup
    assert SQL_STATUS in history["text"]
    assert telegram.last(GROUP) is not None
