"""Fixtures: the fakes on 127.0.0.1 and the real program talking to them over HTTP."""

from __future__ import annotations

import functools
import gc
import shutil
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import aiohttp
import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

import storage.store
from storage.clock import utc_now
from storage.store import MIGRATION_SETS, Store
from tests.bot_process import BotProcess, free_port
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram

if TYPE_CHECKING:
    from tests.bot_in_process import BotInProcess

# The program (and with it aiogram, several CPU-seconds to import) is imported where a test
# starts it, not here: the process that hands tests out to the workers loads this file too and
# runs no test.

TOKEN = "123456:TEST-TOKEN"
PLATFORM_TOKEN = "platform-token"
ADMIN = 1001
OPERATOR = 2002
VIEWER = 3003
STRANGER = 4004
GROUP = -100500


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported so far (aiogram's and pydantic's models, every test module) lives as
    long as the process: leave it out of the collector's full passes, which each test's program
    start otherwise pays for, walking it whole.

    Then the youngest generation is collected every 10,000 new objects instead of 700: a
    conversation test makes hundreds of thousands, nearly all gone by the end of the request
    that made them, and the collector's passes over them took 13 % of such a test's CPU."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


@pytest.fixture(scope="session", autouse=True)
def _shared_start_costs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What every program start in a test worker would build alike is built once per worker.

    A new database file starts as a copy of one migrated here (the migrations themselves ran,
    on this file): migrating a new file costs about 18 ms of CPU, copying one 4 ms. And
    aiogram's HTTP session loads certifi's CA bundle into a TLS context at each start (about
    17 ms), which talking to the emulated Telegram over http never uses: one is shared.
    Programs started as `python -m bot` do both themselves.
    """
    import aiogram.client.session.aiohttp as aiogram_http

    template = tmp_path_factory.mktemp("migrated") / "template.db"
    Store.open(template).close()
    open_database = storage.store.open_database

    def open_from_template(path: Path | str, migrations: Iterable[Migrations] = ()) -> Database:
        new = Path(path)
        if migrations is MIGRATION_SETS and str(path) != ":memory:" and not new.exists():
            try:
                new.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(template, new)
            except OSError:
                new.unlink(missing_ok=True)  # the program meets the same trouble on its own
        return open_database(path, migrations)

    shared_tls = SimpleNamespace(create_default_context=functools.cache(ssl.create_default_context))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage.store, "open_database", open_from_template)
        patch.setattr(aiogram_http, "ssl", shared_tls)
        yield


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(token=TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform(token=PLATFORM_TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client for talking to the fakes or the bot directly."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def bot_env(tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform) -> dict[str, str]:
    """Settings of a bot with one admin, a notify group, the fakes as Telegram and the platform."""
    port = free_port()
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.url,
        "PULSE_API_URL": platform.url,
        "PULSE_TOKEN": PLATFORM_TOKEN,
        "DATA_DIR": str(tmp_path / "data"),
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "ADMIN_IDS": str(ADMIN),
        "NOTIFY_CHAT_ID": str(GROUP),
        "LOCALE": "en",
        "CWD": str(tmp_path),
    }


StartBot = Callable[..., Awaitable["BotInProcess"]]
StartBotProcess = Callable[..., Awaitable[BotProcess]]


@pytest.fixture
async def start_bot(bot_env: dict[str, str], tmp_path: Path) -> AsyncIterator[StartBot]:
    """Run the program in this test's loop (again, after a stop) with `bot_env` plus overrides.

    `clock` sets what "now" is for scheduling. At the end each one not stopped yet is stopped,
    and one that crashed on its own fails the test with its exception.
    """
    from tests.bot_in_process import BotInProcess

    started: list[BotInProcess] = []

    async def start(clock: Callable[[], datetime] = utc_now, **overrides: str) -> BotInProcess:
        program = BotInProcess({**bot_env, **overrides}, tmp_path / "bot.log", clock=clock)
        started.append(program)
        await program.start()
        return program

    yield start
    for program in started:
        if program.task is not None and not program.stopped:
            await program.stop()


@pytest.fixture
async def start_bot_process(
    bot_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[StartBotProcess]:
    """Start `python -m bot` (again, after a stop) with `bot_env` plus overrides.

    Only for what a process shows: kills, signals, exit codes, real logs. All are stopped at the end.
    """
    started: list[BotProcess] = []

    async def start(**overrides: str) -> BotProcess:
        env = {**bot_env, **overrides}
        process = BotProcess(env, tmp_path / "bot.log")
        await process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.process and process.process.poll() is None:
            await process.stop()


@pytest.fixture
async def bot(start_bot: StartBot, telegram: FakeTelegram) -> BotInProcess:
    """A running bot that has started long polling."""
    program = await start_bot()
    await telegram.wait_for(lambda: any(call.method == "getUpdates" for call in telegram.requests))
    return program


@pytest.fixture
async def bot_process(start_bot_process: StartBotProcess, telegram: FakeTelegram) -> BotProcess:
    """A running `python -m bot` that has started long polling (a busy machine may take a minute)."""
    process = await start_bot_process()
    await telegram.wait_for(lambda: telegram.calls("getUpdates"), timeout=60)
    return process
