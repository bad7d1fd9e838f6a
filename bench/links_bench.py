"""Tracked links: redirects answered per second on loopback, with p50/p99 latency.

Run from the repository root: `python bench/links_bench.py [--seconds 5] [--count 50000]`.
A server process serves the program's own `GET /l/<code>` handler (the same LinkRedirects over
the same Store, `synchronous=FULL`, clicks counted) with 10,000 issued codes; this process asks
for random codes over several keep-alive connections until the time or the count runs out, then
stops the server and checks that the stored clicks equal the redirects answered.
Exits with status 1 when fewer than 2,000 redirects a second were answered.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THIS_FILE = Path(__file__).resolve()
ROOT = THIS_FILE.parents[1]
sys.path.insert(0, str(ROOT))

TARGET = 2000.0
CODES = 10_000
BROWSER = "Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36"


def prepare(database: Path) -> list[str]:
    """One campaign of CODES recipients, each with one issued short link."""
    from bot.links.tracking import new_code
    from storage.campaigns import CampaignState, Draft
    from storage.links import NewLink
    from storage.store import Store

    store = Store.open(database)
    try:
        campaign_id = store.campaigns.create(
            Draft(type="sms", sender="Bench", text="Sale https://shop.example/sale"),
            author_id=1,
            author_chat_id=1,
            state=CampaignState.SUBMITTED,
            sandbox=True,
            callbacks=False,
            recipient_count=CODES,
        )
        store.messages.add_recipients(campaign_id, ((f"79{n:09d}", {}) for n in range(CODES)))
        rows = store.messages.rows(campaign_id)
        links = [NewLink(new_code(), row.id, "https://shop.example/sale?x=1") for row in rows]
        codes = store.links.issue(campaign_id, links)
    finally:
        store.close()
    return list(codes.values())


def serve(database: Path, port: int) -> None:
    """The server process: the redirect handler alone, until stdin closes."""
    from aiohttp import web

    from bot.links.redirects import LinkRedirects
    from bot.links.tracking import Utm
    from storage.store import Store

    async def main() -> None:
        store = Store.open(database)
        app = web.Application()
        LinkRedirects(store.links, Utm("bench", "sms", "load")).register(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()  # stores the clicks still gathered
        store.close()

    asyncio.run(main())


async def load(url: str, codes: list[str], seconds: float, count: int, connections: int):
    import aiohttp

    latencies: list[float] = []
    answered = {"302": 0, "other": 0}
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while time.perf_counter() < deadline and len(latencies) < count:
                started = time.perf_counter()
                async with session.get(
                    f"{url}/l/{random.choice(codes)}",
                    allow_redirects=False,
                    headers={"User-Agent": BROWSER},
                ) as answer:
                    await answer.read()
                    answered["302" if answer.status == 302 else "other"] += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return answered, elapsed, latencies


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--serve", nargs=2, metavar=("DATABASE", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "pulse-bridge.db"
        codes = prepare(database)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, str(THIS_FILE), "--serve", str(database), str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            assert server.stdout.readline().strip() == "ready"
            answered, elapsed, latencies = asyncio.run(
                load(f"http://127.0.0.1:{port}", codes, args.seconds, args.count, args.connections)
            )
        finally:
            assert server.stdin is not None
            server.stdin.close()
            server.wait(timeout=30)
        with sqlite3.connect(database) as db:
            stored = db.execute("SELECT SUM(clicks) FROM links").fetchone()[0] or 0
    rate = answered["302"] / elapsed
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"redirects: {answered['302']} in {elapsed:.2f} s = {rate:,.0f}/s over "
        f"{args.connections} connections; p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
        f"other answers {answered['other']}; clicks stored {stored}"
    )
    ok = rate >= TARGET and stored == answered["302"] and answered["other"] == 0
    print("target 2,000/s:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
