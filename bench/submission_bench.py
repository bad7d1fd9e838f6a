"""L5: 100,000 recipients submitted to a fake platform with 20 ms latency in under 60 s, each once.

Run from the repository root: `python bench/submission_bench.py`. The fake platform runs in its
own process (as the real one is remote), the engine in this one: the real `Sender`, `PulseClient`
and SQLite store. Each configuration gets a fresh list and campaign; afterwards every row must be
`accepted` and the platform must have received every recipient exactly once.

With 20 ms per request, single mode at concurrency 8 cannot go faster than 400 requests/s
(250 s for 100,000), so it runs on fewer recipients and its figure is extrapolated; L5 is met in
list mode or with a higher PULSE_CONCURRENCY. Exits with status 1 when a check fails or no
100,000-recipient configuration meets 60 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.i18n import make_i18n  # noqa: E402
from bot.metrics import Metrics  # noqa: E402
from bot.pulse import PulseClient  # noqa: E402
from bot.sending import Sender  # noqa: E402
from storage.campaigns import CampaignState, Draft  # noqa: E402
from storage.messages import SubmitState  # noqa: E402
from storage.store import Store  # noqa: E402

LATENCY_S = 0.020
TIME_LIMIT_S = 60.0
TOKEN = "bench-token"


@dataclass(frozen=True)
class Config:
    mode: str
    concurrency: int
    recipients: int
    chunk: int = 500

    @property
    def name(self) -> str:
        chunk = f", chunk {self.chunk}" if self.mode == "list" else ""
        return f"{self.mode}{chunk}, concurrency {self.concurrency}"


def serve_platform(connection: Connection, latency: float) -> None:
    """Child process: run the fake platform and answer "stats", "reset" and "stop"."""
    asyncio.run(_serve(connection, latency))


async def _serve(connection: Connection, latency: float) -> None:
    from tests.fakes.platform import FakePlatform

    platform = FakePlatform(latency=latency)
    await platform.start()
    connection.send(platform.url)
    loop = asyncio.get_running_loop()
    while (command := await loop.run_in_executor(None, connection.recv)) != "stop":
        if command == "stats":
            counts = platform.received.values()
            connection.send(
                {
                    "requests": len(platform.requests),
                    "total": sum(counts),
                    "distinct": len(platform.received),
                    "most": max(counts, default=0),
                }
            )
        elif command == "reset":
            platform.requests.clear()
            platform.received.clear()
            platform.messages.clear()
            connection.send("ok")
    await platform.stop()


async def run_config(
    config: Config, platform_url: str, work: Path, platform: Connection
) -> dict[str, float]:
    """Submit one campaign of `config.recipients` and return its figures."""
    platform.send("reset")
    platform.recv()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token="123456:BENCH",
        telegram_api_url="http://127.0.0.1:9",
        pulse_api_url=platform_url,
        pulse_token=TOKEN,
        public_url="http://127.0.0.1:9",
        data_dir=work,
        pulse_send_mode=config.mode,
        pulse_list_chunk=config.chunk,
        pulse_concurrency=config.concurrency,
    )
    store = Store.open(work / f"bench-{config.mode}-{config.concurrency}.db")
    bot = Bot(
        "123456:BENCH",
        session=AiohttpSession(api=TelegramAPIServer.from_base("http://127.0.0.1:9")),
    )
    connector = aiohttp.TCPConnector(limit=config.concurrency)
    session = aiohttp.ClientSession(connector=connector)
    client = PulseClient(session, platform_url, TOKEN)
    sender = Sender(
        store,
        settings,
        client,
        "bench-secret",
        Metrics(),
        bot,
        make_i18n("en", work / "locales"),
        on_change=lambda campaign_id: None,
    )
    try:
        recipients = (
            (f"79{number:09d}", {"name": f"n{number}"}) for number in range(config.recipients)
        )
        list_id = store.recipient_lists.save(1, recipients, ["name"])
        started = time.perf_counter()
        campaign_id = sender.create(
            Draft(type="sms", sender="Bench", text="Hello, {name}!"),
            list_id,
            author_id=1,
            author_chat_id=1,
        )
        created = time.perf_counter()
        sender.launch(campaign_id)
        await sender.wait(campaign_id)
        finished = time.perf_counter()
        states = store.messages.counts_by_state(campaign_id)
        campaign = store.campaigns.get(campaign_id)
        platform.send("stats")
        stats = platform.recv()
    finally:
        await sender.drain()
        await session.close()
        await bot.session.close()
        store.close()
    ok = (
        states == {SubmitState.ACCEPTED: config.recipients}
        and campaign is not None
        and campaign.state is CampaignState.SUBMITTED
        and stats["total"] == stats["distinct"] == config.recipients
        and stats["most"] == 1
    )
    submit_s = finished - created
    return {
        "create_s": created - started,
        "submit_s": submit_s,
        "requests": stats["requests"],
        "requests_per_s": stats["requests"] / submit_s,
        "recipients_per_s": config.recipients / submit_s,
        "ok": ok,
    }


async def main_async(configs: list[Config]) -> bool:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve_platform, args=(child, LATENCY_S), daemon=True)
    process.start()
    platform_url = parent.recv()
    met = False
    all_ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="submission-bench-") as folder:
            print(
                f"fake platform latency {LATENCY_S * 1000:.0f} ms; limit {TIME_LIMIT_S:.0f} s for 100,000"
            )
            for config in configs:
                figures = await run_config(config, platform_url, Path(folder), parent)
                full = config.recipients / figures["recipients_per_s"] * 100_000 / config.recipients
                verdict = "each once" if figures["ok"] else "CHECK FAILED"
                extrapolated = (
                    "" if config.recipients == 100_000 else f" (100,000 would take ~{full:.0f} s)"
                )
                print(
                    f"{config.name:<34} {config.recipients:>7} recipients: "
                    f"create {figures['create_s']:.2f} s, submit {figures['submit_s']:6.1f} s, "
                    f"{figures['requests']:>6} requests, {figures['requests_per_s']:7.0f} req/s, "
                    f"{figures['recipients_per_s']:7.0f} recipients/s, {verdict}{extrapolated}"
                )
                all_ok = all_ok and bool(figures["ok"])
                if config.recipients == 100_000 and figures["submit_s"] < TIME_LIMIT_S:
                    met = True
    finally:
        parent.send("stop")
        process.join(timeout=10)
    print(f"L5 {'met' if met and all_ok else 'NOT met'}")
    return met and all_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument(
        "--single-8-recipients",
        type=int,
        default=10_000,
        help="recipients for single mode at concurrency 8 (bounded by latency: extrapolated)",
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    count = arguments.recipients
    configs = [
        Config("list", 8, count),
        Config("single", 64, count),
        Config("single", 32, count),
        Config("single", 8, arguments.single_8_recipients),
    ]
    sys.exit(0 if asyncio.run(main_async(configs)) else 1)


if __name__ == "__main__":
    main()
