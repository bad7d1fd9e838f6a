"""L3: while L1's callback load runs, the bot still answers a command within 1 s.

Run from the repository root: `python bench/event_loop_bench.py [--rate 2000] [--seconds 10]`.
The load comes from a separate client process; meanwhile a member sends /help through the fake
Telegram again and again, and the time to each reply is measured.
Exits with status 1 when L3 is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.callbacks_bench import HELPER, run_client_async, running_bot, write_urls

REPLY_LIMIT_S = 1.0


async def help_latencies(telegram, finished: Callable[[], bool], pause: float) -> list[float]:
    """Send /help until `finished()`; return the seconds each reply took."""
    latencies = []
    last_id = 0
    while not finished():
        telegram.send_text(HELPER, "/help")
        sent = time.monotonic()
        reply = await telegram.wait_message(HELPER, "Your commands", after=last_id, timeout=30)
        latencies.append(time.monotonic() - sent)
        last_id = reply["message_id"]
        await asyncio.sleep(pause)
    return latencies


async def main(rate: float, seconds: float, connections: int, pause: float) -> int:
    count = int(rate * seconds)
    async with running_bot(count) as (telegram, process, _, message_ids):
        with tempfile.TemporaryDirectory(prefix="pulse-bench-") as folder:
            urls = Path(folder) / "urls"
            write_urls(urls, process.url, message_ids)
            load = asyncio.create_task(run_client_async(urls, rate, seconds + 5, connections))
            await asyncio.sleep(0.5)  # the load is under way
            latencies = await help_latencies(telegram, load.done, pause)
            result = await load

    latencies.sort()
    worst = latencies[-1]
    median = latencies[len(latencies) // 2]
    print(f"L3 event loop: /help during {result['per_second']:,.0f} callbacks/s")
    print(
        f"callbacks: {result['sent']:,} sent, p50 {result['p50_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, answers {result['statuses']}"
    )
    print(f"/help replies: {len(latencies)}, p50 {median * 1000:.0f} ms, max {worst * 1000:.0f} ms")
    met = worst < REPLY_LIMIT_S and len(latencies) >= 5
    print("L3 met" if met else "L3 NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between /help commands")
    arguments = parser.parse_args()
    sys.exit(
        asyncio.run(main(arguments.rate, arguments.seconds, arguments.connections, arguments.pause))
    )
