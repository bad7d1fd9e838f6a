"""L6: idle memory and start-up time of the real program.

Starts `python -m bot` against the fake Telegram (sandbox mode, nothing else running), measures
the time from spawn until /healthz answers 200 and long polling has begun, lets it idle, then
reads its resident memory from /proc. Run: `python bench/footprint_bench.py [runs]`.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bot_process import free_port  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402

IDLE_SECONDS = 10


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def one_run(telegram: FakeTelegram) -> tuple[float, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.url,
            "DATA_DIR": data,
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "ADMIN_IDS": "1",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
        }
        polls_before = len(telegram.calls("getUpdates"))
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: ASYNC220
            [sys.executable, "-m", "bot"],
            cwd=data,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if (
                            response.status == 200
                            and len(telegram.calls("getUpdates")) > polls_before
                        ):
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.01)
        ready = time.perf_counter() - started
        await asyncio.sleep(IDLE_SECONDS)
        memory = rss_mb(process.pid)
        process.terminate()
        process.wait(timeout=30)
    return ready, memory


async def main(runs: int) -> None:
    telegram = FakeTelegram()
    await telegram.start()
    try:
        results = [await one_run(telegram) for _ in range(runs)]
    finally:
        await telegram.stop()
    ready = [r for r, _ in results]
    memory = [m for _, m in results]
    print(f"runs: {runs}")
    print(
        f"start-up to ready: median {statistics.median(ready):.2f} s, max {max(ready):.2f} s (target < 3 s)"
    )
    print(
        f"idle memory after {IDLE_SECONDS} s: median {statistics.median(memory):.1f} MB, "
        f"max {max(memory):.1f} MB (target < 120 MB)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
