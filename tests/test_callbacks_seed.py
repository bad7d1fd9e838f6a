"""Campaigns written straight into the bot's database before it starts, and their callback URLs.

Status tests need accepted messages with known ids; the bot refreshes the cards of campaigns
under way when it starts, so a seeded campaign gets its cards like a freshly sent one.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import aiohttp

from bot.statuses.signing import callback_url, verify
from storage.campaigns import CampaignState, Draft
from storage.messages import SubmitState
from storage.store import Store
from tests.conftest import ADMIN

SECRET = "callback-secret-for-status-tests-0123456789"


@dataclass(frozen=True)
class Seeded:
    campaign_id: int
    message_ids: list[int]
    addresses: list[str]

    def platform_id(self, index: int) -> str:
        return f"p{self.message_ids[index]}"


def database_path(bot_env: dict[str, str]) -> Path:
    return Path(bot_env["DATA_DIR"]) / "pulse-bridge.db"


def seed_campaign(
    bot_env: dict[str, str],
    addresses: Sequence[str],
    *,
    text: str = "Hello from the shop",
    sender: str = "Shop",
    author_id: int = ADMIN,
    sandbox: bool = False,
    callbacks: bool = True,
    rejected: dict[str, str] | None = None,
    fields: dict[str, dict[str, str]] | None = None,
) -> Seeded:
    """A submitted campaign whose rows are accepted (platform id `p<row id>`), or rejected;
    `fields` are the uploaded columns of each address."""
    rejected, fields = rejected or {}, fields or {}
    columns = list(dict.fromkeys(name for row in fields.values() for name in row))
    store = Store.open(database_path(bot_env))
    try:
        campaign_id = store.campaigns.create(
            Draft(type="sms", sender=sender, text=text, columns=columns),
            author_id=author_id,
            author_chat_id=author_id,
            state=CampaignState.SUBMITTING,
            sandbox=sandbox,
            callbacks=callbacks,
            recipient_count=len(addresses),
        )
        store.messages.add_recipients(
            campaign_id, [(address, fields.get(address, {})) for address in addresses]
        )
        rows = store.messages.take_new(campaign_id, len(addresses))
        store.messages.finish_submissions(
            (row.id, SubmitState.REJECTED, None, rejected[row.sent_to])
            if row.sent_to in rejected
            else (row.id, SubmitState.ACCEPTED, f"p{row.id}", None)
            for row in rows
        )
        store.campaigns.move(
            campaign_id,
            (CampaignState.SUBMITTING,),
            CampaignState.SUBMITTED,
            submitted_at=rows[0].submitted_at,
        )
        return Seeded(campaign_id, [row.id for row in rows], [row.sent_to for row in rows])
    finally:
        store.close()


def status_url(base_url: str, message_id: int, status: str, platform_id: str = "") -> str:
    """The URL the platform calls: the signed path with {id} and {status} filled in."""
    url = callback_url(base_url, SECRET, message_id)
    return url.replace("{id}", quote(platform_id, safe="")).replace(
        "{status}", quote(status, safe="")
    )


def stored_events(bot_env: dict[str, str], message_id: int | None = None) -> list[tuple]:
    """(message id, raw status, class) of every stored status event, read beside the bot."""
    with sqlite3.connect(database_path(bot_env)) as conn:
        query = "SELECT message_id, raw, status_class FROM status_events"
        if message_id is None:
            return conn.execute(query + " ORDER BY id").fetchall()
        return conn.execute(query + " WHERE message_id = ? ORDER BY id", [message_id]).fetchall()


def message_status(bot_env: dict[str, str], message_id: int) -> tuple:
    """(raw status, class, platform id) of one message as stored."""
    with sqlite3.connect(database_path(bot_env)) as conn:
        return conn.execute(
            "SELECT status_raw, status_class, platform_id FROM messages WHERE id = ?",
            [message_id],
        ).fetchone()


def test_seeded_messages_get_urls_the_bot_can_verify(bot_env):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    url = status_url("http://127.0.0.1:1", seeded.message_ids[1], "1", seeded.platform_id(1))
    ref, signature = url.split("?")[0].rsplit("/", 2)[1:]
    assert ref == str(seeded.message_ids[1])
    assert verify(SECRET, ref, signature)
    assert "status=1" in url
    assert f"id=p{ref}" in url


async def card_updates_pending(session: aiohttp.ClientSession, bot_url: str) -> float:
    async with session.get(f"{bot_url}/metrics") as response:
        text = await response.text()
    for line in text.splitlines():
        if line.startswith("pulse_card_updates_pending "):
            return float(line.split()[1])
    raise AssertionError("pulse_card_updates_pending is missing from /metrics")


async def wait_cards_drawn(bot_url: str, timeout: float = 20.0) -> None:
    """Wait until no card waits for a redraw (every change so far is on screen)."""
    async with aiohttp.ClientSession() as session, asyncio.timeout(timeout):
        # The figure lives in the bot's process: asking again is the only way to see it change.
        while await card_updates_pending(session, bot_url) > 0:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
