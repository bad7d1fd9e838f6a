"""L6: idle memory and start-up time of the real program beside a bare aiogram bot, in one run.

aiogram builds every Bot API model at import, so the floor is a minimal aiogram long-polling
bot (`bench/bare_aiogram_bot.py`, same aiogram, same fake Telegram). Runs alternate between the
two so both see the same machine load. Start-up to ready is the time from spawn until long
polling has begun (and, for `python -m bot`, /healthz answers 200); idle memory is the resident
set from /proc after 10 s of idling. Targets: at most 30 MB and 1 s more than the bare bot.
Run: `python bench/footprint_bench.py [runs]`. Exits with 1 when a target is missed.
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
MORE_TIME_S = 1.0
MORE_MEMORY_MB = 30.0
BARE_BOT = ROOT / "bench" / "bare_aiogram_bot.py"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def one_run(telegram: FakeTelegram, *, bare: bool) -> tuple[float, float]:
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
        command = [sys.executable, str(BARE_BOT)] if bare else [sys.executable, "-m", "bot"]
        polls_before = len(telegram.calls("getUpdates"))
        started = time.perf_counter()
        process = subprocess.Popen(  # noqa: ASYNC220
            command, cwd=data, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        async with aiohttp.ClientSession() as session:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{command} ended with {process.returncode}")
                polling = len(telegram.calls("getUpdates")) > polls_before
                if polling and (bare or await healthy(session, port)):
                    break
                await asyncio.sleep(0.01)
        ready = time.perf_counter() - started
        await asyncio.sleep(IDLE_SECONDS)
        memory = rss_mb(process.pid)
        process.terminate()
        process.wait(timeout=30)
    return ready, memory


async def healthy(session: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientError:
        return False


async def main(runs: int) -> bool:
    telegram = FakeTelegram()
    await telegram.start()
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    try:
        for _ in range(runs):
            for bare in (True, False):
                results[bare].append(await one_run(telegram, bare=bare))
    finally:
        await telegram.stop()
    figures = {}
    for bare, name in ((True, "bare aiogram bot"), (False, "python -m bot")):
        ready = statistics.median(r for r, _ in results[bare])
        memory = statistics.median(m for _, m in results[bare])
        figures[bare] = (ready, memory)
        each = ", ".join(f"{r:.2f} s/{m:.0f} MB" for r, m in results[bare])
        print(f"{name:<17} ready median {ready:.2f} s, idle RSS median {memory:.1f} MB  ({each})")
    more_time = figures[False][0] - figures[True][0]
    more_memory = figures[False][1] - figures[True][1]
    met = more_time <= MORE_TIME_S and more_memory <= MORE_MEMORY_MB
    print(
        f"difference: +{more_time:.2f} s to ready (target <= {MORE_TIME_S:.0f} s), "
        f"+{more_memory:.1f} MB idle (target <= {MORE_MEMORY_MB:.0f} MB); "
        f"L6 {'met' if met else 'NOT met'}"
    )
    return met


if __name__ == "__main__":
    sys.exit(0 if asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)) else 1)
