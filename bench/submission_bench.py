"""L5: 100,000 recipients submitted to a fake platform with 20 ms latency in under 60 s, each once.

Run from the repository root: `python bench/submission_bench.py`. The fake platform runs in its
own process (as the real one is remote), the engine in this one: the real `Sender`, `PulseClient`
and SQLite store. Each configuration gets a fresh list and campaign; afterwards every row must be
`accepted` and the platform must have received every recipient exactly once.

Two runs with the default settings (single mode, concurrency adapting from PULSE_CONCURRENCY=8
up to PULSE_MAX_CONCURRENCY=64): against the plain fake, which must finish in under 60 s, and
against a fake that answers 503 to any request beyond 16 in flight, which must finish with under
1 % of requests refused. The concurrency is printed every second. `--list` adds list mode for
comparison. Exits with status 1 when a check fails.
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

from bot.config import Settings  # noqa: E402
from bot.metrics import Metrics  # noqa: E402
from bot.platform.client import PulseClient  # noqa: E402
from bot.sending.engine import Sender  # noqa: E402
from storage.campaigns import CampaignState, Draft  # noqa: E402
from storage.messages import SubmitState  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.recording_notices import RecordingNotices  # noqa: E402

LATENCY_S = 0.020
TIME_LIMIT_S = 60.0
REFUSED_LIMIT = 0.01
TOKEN = "bench-token"


@dataclass(frozen=True)
class Config:
    mode: str
    recipients: int
    busy_above: int | None = None  # the fake answers 503 beyond this many requests in flight
    chunk: int = 500

    @property
    def name(self) -> str:
        chunk = f", chunk {self.chunk}" if self.mode == "list" else ""
        platform = f"503 above {self.busy_above} in flight" if self.busy_above else "plain fake"
        return f"{self.mode}{chunk}, defaults, {platform}"


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
                    "refused": platform.busy_answers,
                    "peak": platform.peak_in_flight,
                    "total": sum(counts),
                    "distinct": len(platform.received),
                    "most": max(counts, default=0),
                }
            )
        elif isinstance(command, tuple) and command[0] == "reset":
            platform.requests.clear()
            platform.received.clear()
            platform.messages.clear()
            platform.busy_above = command[1]
            platform.busy_answers = 0
            platform.peak_in_flight = 0
            connection.send("ok")
    await platform.stop()


async def watch_concurrency(sender: Sender, started: float, seen: list[tuple[float, int]]) -> None:
    """Note the level every second (and at each change in between), for the printout."""
    while True:
        seen.append((time.perf_counter() - started, sender.concurrency))
        await asyncio.sleep(1.0)


async def run_config(
    config: Config, platform_url: str, work: Path, platform: Connection
) -> dict[str, float]:
    """Submit one campaign of `config.recipients` and return its figures."""
    platform.send(("reset", config.busy_above))
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
    )
    store = Store.open(work / f"bench-{config.mode}-{config.busy_above}.db")
    notices = RecordingNotices()  # a pause or a question about unknown rows fails the run
    session = aiohttp.ClientSession()
    client = PulseClient(session, platform_url, TOKEN)
    sender = Sender(
        store,
        settings,
        client,
        "bench-secret",
        Metrics(),
        notices,
        on_change=lambda campaign_id: None,
    )
    try:
        recipients = (
            (f"79{number:09d}", {"name": f"n{number}"}) for number in range(config.recipients)
        )
        list_id = store.recipient_lists.save(1, recipients, ["name"])
        started = time.perf_counter()
        campaign_id = await sender.create_off_loop(
            Draft(type="sms", sender="Bench", text="Hello, {name}!"),
            list_id,
            author_id=1,
            author_chat_id=1,
        )
        created = time.perf_counter()
        levels: list[tuple[float, int]] = []
        watcher = asyncio.create_task(watch_concurrency(sender, created, levels))
        sender.launch(campaign_id)
        await sender.wait(campaign_id)
        finished = time.perf_counter()
        watcher.cancel()
        states = store.messages.counts_by_state(campaign_id)
        campaign = store.campaigns.get(campaign_id)
        platform.send("stats")
        stats = platform.recv()
    finally:
        await sender.drain()
        await session.close()
        store.close()
    ok = (
        states == {SubmitState.ACCEPTED: config.recipients}
        and campaign is not None
        and campaign.state is CampaignState.SUBMITTED
        and stats["total"] == stats["distinct"] == config.recipients
        and stats["most"] == 1
        and not notices.told
    )
    submit_s = finished - created
    asked = stats["requests"] + stats["refused"]
    return {
        "create_s": created - started,
        "submit_s": submit_s,
        "requests": asked,
        "refused": stats["refused"],
        "refused_share": stats["refused"] / asked if asked else 0.0,
        "peak": stats["peak"],
        "requests_per_s": asked / submit_s,
        "recipients_per_s": config.recipients / submit_s,
        "levels": levels,
        "ok": ok,
    }


async def main_async(configs: list[Config]) -> bool:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=serve_platform, args=(child, LATENCY_S), daemon=True)
    process.start()
    platform_url = parent.recv()
    all_ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="submission-bench-") as folder:
            print(
                f"fake platform latency {LATENCY_S * 1000:.0f} ms; "
                f"limit {TIME_LIMIT_S:.0f} s for 100,000 on the plain fake, "
                f"under {REFUSED_LIMIT:.0%} refused on the limited one"
            )
            for config in configs:
                figures = await run_config(config, platform_url, Path(folder), parent)
                checks = ["each once" if figures["ok"] else "CHECK FAILED"]
                ok = bool(figures["ok"])
                if config.busy_above is None and config.recipients == 100_000:
                    fast = figures["submit_s"] < TIME_LIMIT_S
                    checks.append("under 60 s" if fast else "OVER 60 s")
                    ok = ok and fast
                if config.busy_above is not None:
                    few = figures["refused_share"] < REFUSED_LIMIT
                    checks.append("refusals under 1 %" if few else "REFUSALS 1 % OR MORE")
                    ok = ok and few
                print(
                    f"{config.name}: {config.recipients:,} recipients: "
                    f"create {figures['create_s']:.2f} s, submit {figures['submit_s']:.1f} s, "
                    f"{figures['requests']:,} requests ({figures['refused']:,} refused, "
                    f"{figures['refused_share']:.2%}), {figures['requests_per_s']:,.0f} req/s, "
                    f"{figures['recipients_per_s']:,.0f} recipients/s, "
                    f"platform saw at most {figures['peak']} in flight; {', '.join(checks)}"
                )
                series = " ".join(f"{at:.0f}s:{level}" for at, level in figures["levels"])
                print(f"  concurrency over time: {series}")
                all_ok = all_ok and ok
    finally:
        parent.send("stop")
        process.join(timeout=10)
    print(f"L5 {'met' if all_ok else 'NOT met'}")
    return all_ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--list", action="store_true", help="also run list mode, chunks of 500")
    parser.add_argument(
        "--only", choices=["plain", "limited"], help="run only one of the two default runs"
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    count = arguments.recipients
    configs = []
    if arguments.only in (None, "plain"):
        configs.append(Config("single", count))
    if arguments.only in (None, "limited"):
        configs.append(Config("single", count, busy_above=16))
    if arguments.list:
        configs.append(Config("list", count))
    sys.exit(0 if asyncio.run(main_async(configs)) else 1)


if __name__ == "__main__":
    main()
