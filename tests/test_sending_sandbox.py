"""The simulated platform accepts sends and reports statuses by calling the callback URL over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.platform.charsets import CharsetError
from bot.platform.results import Accepted, OutgoingMessage, Rejected
from bot.platform.sandbox import SandboxPlatform
from bot.statuses.signing import verify
from storage.messages import SubmitState
from tests.sending_harness import SECRET, make_harness, phones, settle

TINY = {"accepted_after": (0.001, 0.01), "final_after": (0.001, 0.01), "retry_delays": (0.01,)}


@dataclass
class Endpoint:
    """Stands in for the bot's callback route; answers `failures` non-200 first, then 200."""

    failures: int = 0
    statuses: list[tuple[str, str, str, str]] = field(default_factory=list)  # ref, sig, id, status
    refused: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures > self.refused:
            self.refused += 1
            return web.Response(status=500)
        query = request.rel_url.query
        ref, sig = request.match_info["ref"], request.match_info["sig"]
        self.statuses.append((ref, sig, query["id"], query["status"]))
        self.arrived.set()
        return web.Response(text="ok")

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(10):
            while len(self.statuses) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def endpoint() -> AsyncIterator[Endpoint]:
    server = Endpoint()
    app = web.Application()
    app.router.add_get("/pulse/cb/{ref}/{sig}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    server.port = runner.addresses[0][1]
    yield server
    await runner.cleanup()


async def test_sandbox_campaign_reports_queued_then_final_statuses_through_our_endpoint(
    tmp_path: Path, endpoint: Endpoint
) -> None:
    sandboxes: list[SandboxPlatform] = []

    def sandbox(session: aiohttp.ClientSession, settings) -> SandboxPlatform:
        sandboxes.append(SandboxPlatform(session, fail_share=0.5, seed=1, **TINY))
        return sandboxes[0]

    # No PUBLIC_URL in sandbox mode: the sandbox calls 127.0.0.1:WEB_PORT itself.
    harness = await make_harness(
        tmp_path, None, client=sandbox, pulse_token="", public_url="", web_port=endpoint.port
    )
    try:
        campaign_id = harness.start(addresses=phones(12))
        await settle(harness, campaign_id)
        rows = {str(row.id): row for row in harness.rows(campaign_id)}
        assert {row.state for row in rows.values()} == {SubmitState.ACCEPTED}
        assert all(row.platform_id.startswith("sbx-") for row in rows.values())
        assert harness.store.campaigns.get(campaign_id).sandbox

        await endpoint.wait_for(24)

        by_row: dict[str, list[str]] = {}
        for ref, sig, platform_id, status in endpoint.statuses:
            assert verify(SECRET, ref, sig)
            assert platform_id == rows[ref].platform_id
            by_row.setdefault(ref, []).append(status)
        failing = {ref for ref, row in rows.items() if sandboxes[0].fails(row.sent_to)}
        assert 0 < len(failing) < 12
        for ref, statuses in by_row.items():
            assert sorted(statuses) == sorted(["8", "2" if ref in failing else "1"])
        assert set(by_row) == set(rows)
    finally:
        await harness.close()


async def test_sandbox_retries_a_callback_that_was_not_answered_200(endpoint: Endpoint) -> None:
    endpoint.failures = 2
    async with aiohttp.ClientSession() as session:
        sandbox = SandboxPlatform(session, fail_share=0.0, kannel_status=False, **TINY)
        url = f"http://127.0.0.1:{endpoint.port}/pulse/cb/5/abc?id={{id}}&status={{status}}"
        message = OutgoingMessage(
            type="sms", sender="S", sent_to="79001112233", sent_text="Hi", callback=url
        )
        # Only one retry is configured: the two refused calls are each tried once more.
        result = await sandbox.send_message(message)
        await endpoint.wait_for(2)
        await sandbox.close()

    assert isinstance(result, Accepted)
    assert sorted(status for *_, status in endpoint.statuses) == ["delivered", "queued"]
    assert endpoint.refused == 2


async def test_sandbox_checks_messages_like_the_real_client_and_stops_cleanly() -> None:
    async with aiohttp.ClientSession() as session:
        sandbox = SandboxPlatform(session, **TINY)
        closed_port = "http://127.0.0.1:9/pulse/cb/1/x?id={id}&status={status}"
        messages = [
            OutgoingMessage(
                type="sms", sender="S", sent_to=to, sent_text="Hi", callback=closed_port
            )
            for to in ("79001112233", " ")
        ]
        results = await sandbox.send_list(type="sms", sender="S", charset=None, messages=messages)
        with pytest.raises(CharsetError):
            await sandbox.send_message(
                OutgoingMessage(
                    type="sms", sender="S", sent_to="7", sent_text="🎉", charset="CP1251"
                )
            )
        assert sandbox.pending > 0
        await sandbox.close()

    assert isinstance(results[0], Accepted)
    assert results[1] == Rejected("Не указан получатель")
    assert sandbox.pending == 0


def test_the_failed_share_is_stable_per_recipient_and_close_to_the_setting() -> None:
    sandbox = SandboxPlatform(None, fail_share=0.05)  # type: ignore[arg-type]
    recipients = phones(4000)
    failing = [phone for phone in recipients if sandbox.fails(phone)]

    assert 0.03 < len(failing) / len(recipients) < 0.07
    assert failing == [phone for phone in recipients if sandbox.fails(phone)]
