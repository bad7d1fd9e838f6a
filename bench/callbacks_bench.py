"""L1: status callbacks stored durably per second by the real program, with p50/p99 latency.

Run from the repository root: `python bench/callbacks_bench.py [--rate 2000] [--seconds 10]`.
It starts `python -m bot` against the fake Telegram with accepted messages already in its
database, fires one signed callback per message from a separate client process (several
keep-alive connections) at the target rate, then at full speed, and runs the same full-speed
client against a bare aiohttp handler to report the ratio (the ceiling of the stack). At the
end it counts the stored statuses, which must equal the callbacks answered 200.
Exits with status 1 when L1 is not met.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

THIS_FILE = Path(__file__).resolve()
ROOT = THIS_FILE.parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "123456:BENCH-TOKEN"
SECRET = "bench-callback-secret-0123456789abcdef"
ADMIN = 1001
HELPER = 2002
GROUP = -100500
RATE_TARGET = 2000.0
P99_LIMIT_MS = 100.0


# -- the program under test -------------------------------------------------------------------


def prepare_database(data_dir: Path, count: int) -> list[int]:
    """One submitted campaign of `count` accepted messages; returns their row ids."""
    from storage.campaigns import CampaignState, Draft
    from storage.members import Role
    from storage.messages import SubmitState
    from storage.store import Store

    store = Store.open(data_dir / "pulse-bridge.db")
    try:
        store.members.set_role(HELPER, Role.VIEWER, added_by=ADMIN, name="bench")
        campaign_id = store.campaigns.create(
            Draft(type="sms", sender="Bench", text="Load test"),
            author_id=ADMIN,
            author_chat_id=ADMIN,
            state=CampaignState.SUBMITTING,
            sandbox=False,
            callbacks=True,
            recipient_count=count,
        )
        store.messages.add_recipients(campaign_id, ((f"79{n:09d}", {}) for n in range(count)))
        rows = store.messages.take_new(campaign_id, count)
        store.messages.finish_submissions(
            (row.id, SubmitState.ACCEPTED, f"p{row.id}", None) for row in rows
        )
        store.campaigns.move(
            campaign_id, (CampaignState.SUBMITTING,), CampaignState.SUBMITTED, submitted_at=None
        )
        return [row.id for row in rows]
    finally:
        store.close()


@asynccontextmanager
async def running_bot(messages: int, platform_url: str = "http://127.0.0.1:9/api/v1", **env: str):
    """The fake Telegram and `python -m bot` with `messages` accepted messages; yields
    (telegram, bot process, database path, message ids). `env` adds or overrides settings."""
    from tests.bot_process import BotProcess, free_port
    from tests.fakes.telegram import FakeTelegram

    telegram = FakeTelegram(token=TOKEN)
    await telegram.start()
    with tempfile.TemporaryDirectory(prefix="pulse-bench-") as folder:
        data_dir = Path(folder) / "data"
        message_ids = prepare_database(data_dir, messages)
        port = free_port()
        env = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.url,
            "PULSE_API_URL": platform_url,
            "PULSE_TOKEN": "bench",
            "DATA_DIR": str(data_dir),
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "ADMIN_IDS": str(ADMIN),
            "NOTIFY_CHAT_ID": str(GROUP),
            "LOCALE": "en",
            "CALLBACK_SECRET": SECRET,
            "CWD": folder,
        } | env
        process = BotProcess(env, Path(folder) / "bot.log")
        try:
            await process.start()
            await telegram.wait_for(lambda: telegram.calls("getUpdates"), timeout=30)
            yield telegram, process, data_dir / "pulse-bridge.db", message_ids
        finally:
            if process.process and process.process.poll() is None:
                await process.stop()
            await telegram.stop()


def write_urls(path: Path, base_url: str, message_ids: list[int], status: str = "1") -> None:
    from bot.statuses.signing import callback_url

    lines = (
        callback_url(base_url, SECRET, ref).replace("{id}", f"p{ref}").replace("{status}", status)
        for ref in message_ids
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stored_statuses(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("SELECT COUNT(*) FROM status_events").fetchone()[0]


# -- the load client (its own process) --------------------------------------------------------


async def client(urls: list[str], rate: float, seconds: float, connections: int) -> dict:
    """Open-loop at `rate` per second (0: as fast as `connections` allow) for `seconds`.

    Latency counts from the moment a call was due, so a client-side queue is not hidden.
    """
    import aiohttp

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    position = 0

    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(url: str, due: float) -> None:
            try:
                async with session.get(url) as response:
                    await response.read()
                    status = response.status
            except aiohttp.ClientError:
                status = 0
            latencies.append(time.perf_counter() - due)
            statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        deadline = started + seconds
        if rate > 0:
            tasks = set()
            while (now := time.perf_counter()) < deadline and position < len(urls):
                due_count = min(len(urls), int((now - started) * rate))
                while position < due_count:
                    due = started + position / rate
                    task = asyncio.create_task(one(urls[position], due))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                    position += 1
                await asyncio.sleep(0.002)
            if tasks:
                await asyncio.wait(tasks)
        else:

            async def worker() -> None:
                nonlocal position
                while time.perf_counter() < deadline and position < len(urls):
                    url = urls[position]
                    position += 1
                    await one(url, time.perf_counter())

            await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    count = len(latencies)
    return {
        "sent": count,
        "elapsed": elapsed,
        "per_second": count / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * latencies[count // 2] if count else 0.0,
        "p99_ms": 1000 * latencies[min(count - 1, int(count * 0.99))] if count else 0.0,
        "max_ms": 1000 * latencies[-1] if count else 0.0,
        "statuses": statuses,
    }


def run_client(urls_file: Path, rate: float, seconds: float, connections: int) -> dict:
    """The load client in a child process, so it never competes with the measured loop."""
    command = [
        sys.executable,
        str(THIS_FILE),
        "--client",
        str(urls_file),
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
        "--connections",
        str(connections),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(output.stdout)


async def run_client_async(urls_file: Path, rate: float, seconds: float, connections: int) -> dict:
    return await asyncio.to_thread(run_client, urls_file, rate, seconds, connections)


# -- a bare aiohttp handler: the ceiling ------------------------------------------------------


def bare_server(port: int) -> None:
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_route("*", "/pulse/cb/{ref}/{sig}", handler)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


@asynccontextmanager
async def running_bare():
    import aiohttp

    from tests.bot_process import free_port

    port = free_port()
    command = [sys.executable, str(THIS_FILE), "--bare", str(port)]
    process = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/pulse/cb/1/x"):
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


# -- the benchmark ----------------------------------------------------------------------------


def show(name: str, result: dict) -> None:
    print(
        f"{name:<34} {result['sent']:>7,} calls {result['per_second']:>8,.0f}/s"
        f"  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms"
        f"  max {result['max_ms']:6.1f} ms  answers {result['statuses']}"
    )


async def main(rate: float, seconds: float, connections: int, full_seconds: float) -> int:
    paced_count = int(rate * seconds)
    full_count = 40_000
    with tempfile.TemporaryDirectory(prefix="pulse-bench-urls-") as folder:
        paced_urls, full_urls, bare_urls = (Path(folder) / name for name in ("a", "b", "c"))
        async with running_bot(paced_count + full_count) as (_, process, database, ids):
            write_urls(paced_urls, process.url, ids[:paced_count])
            write_urls(full_urls, process.url, ids[paced_count:])
            paced = await run_client_async(paced_urls, rate, seconds + 5, connections)
            full = await run_client_async(full_urls, 0, full_seconds, connections)
            await asyncio.sleep(0.5)  # the last group commit
            stored = stored_statuses(database)
        async with running_bare() as bare_url:
            write_urls(bare_urls, bare_url, list(range(1, 3 * full_count + 1)))
            bare = await run_client_async(bare_urls, 0, full_seconds, connections)

    answered = paced["statuses"].get("200", 0) + full["statuses"].get("200", 0)
    print(f"L1 status callbacks, {connections} connections, loopback")
    show(f"bot, paced at {rate:,.0f}/s", paced)
    show("bot, full speed", full)
    show("bare aiohttp handler, full speed", bare)
    ratio = full["per_second"] / bare["per_second"] if bare["per_second"] else 0.0
    print(f"bot / bare aiohttp at full speed: {ratio:.0%}")
    print(
        f"stored statuses {stored:,}, answered 200 {answered:,}, sent {paced['sent'] + full['sent']:,}"
    )
    met = (
        paced["per_second"] >= RATE_TARGET * 0.98
        and paced["p99_ms"] < P99_LIMIT_MS
        and stored == answered == paced["sent"] + full["sent"]
    )
    print("L1 met" if met else "L1 NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=RATE_TARGET)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--full-seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.bare:
        bare_server(arguments.bare)
    elif arguments.client:
        url_list = arguments.client.read_text(encoding="utf-8").split()
        figures = asyncio.run(
            client(url_list, arguments.rate, arguments.seconds, arguments.connections)
        )
        print(json.dumps(figures))
    else:
        sys.exit(
            asyncio.run(
                main(
                    arguments.rate, arguments.seconds, arguments.connections, arguments.full_seconds
                )
            )
        )
