"""The real program, `python -m bot`, run in a subprocess the way a user runs it."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


# Ports the program listens on come from below the range the kernel gives outgoing connections
# (32768 and up on Linux), where a client socket of some other test could take a port between
# our probe and the program's bind; each test worker has a block of its own. Which blocks a run
# takes, and where in them it starts, follows from the run's id: suites of other checkouts
# running on the same machine at the same time then seldom probe the same port at once.
_PORTS_PER_WORKER = 100
_BLOCKS = 120
_FIRST_PORT = 20000


def _port_candidates() -> itertools.cycle[int]:
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    run = zlib.crc32(os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid())).encode())
    start = _FIRST_PORT + (run + worker) % _BLOCKS * _PORTS_PER_WORKER
    offset = run // _BLOCKS % _PORTS_PER_WORKER
    block = list(range(start, start + _PORTS_PER_WORKER))
    return itertools.cycle(block[offset:] + block[:offset])


_candidates = _port_candidates()


def free_port() -> int:
    """A loopback port nothing listens on now and that no outgoing connection will take."""
    for _ in range(_PORTS_PER_WORKER):
        port = next(_candidates)
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in this worker's block")


async def wait_until_healthy(url: str, timeout: float, failure: Callable[[], str | None]) -> None:
    """Wait until the program answers /healthz; fail at once if `failure` says it ended."""
    deadline = asyncio.get_running_loop().time() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            reason = failure()
            if reason is not None:
                raise AssertionError(reason)
            try:
                async with session.get(f"{url}/healthz") as response:
                    await response.read()
                    return
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the bot did not start:\n{failure() or ''}")
            await asyncio.sleep(0.05)


class BotProcess:
    """Starts the bot with settings in its environment and waits until it answers /healthz."""

    def __init__(self, env: dict[str, str], log_path: Path, python: str | None = None) -> None:
        """`python` runs an installed copy of the program instead of this source tree."""
        self.env = env
        self.log_path = log_path
        self.python = python
        self.port = int(env["WEB_PORT"])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 60.0) -> None:
        # The import alone takes seconds; on a busy shared machine it can take half a minute.
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PULSE_", "BOT_"))
        }
        environment.update(self.env)
        if self.python is None:
            environment["PYTHONPATH"] = str(ROOT)
        else:
            environment.pop("PYTHONPATH", None)
        environment["PYTHONUNBUFFERED"] = "1"
        log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [self.python or sys.executable, "-m", "bot"],
            cwd=self.env.get("CWD", str(ROOT)),
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()
        await wait_until_healthy(self.url, timeout, self._failure)

    def _failure(self) -> str | None:
        """Why the program is no longer running, if it is not."""
        assert self.process is not None
        if self.process.poll() is None:
            return None
        return f"the bot exited with {self.process.returncode}:\n{self.logs()}"

    def logs(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        """Send a signal and wait for the exit; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        loop = asyncio.get_running_loop()
        try:
            return await asyncio.wait_for(loop.run_in_executor(None, self.process.wait), timeout)
        except TimeoutError:
            self.process.kill()
            raise AssertionError(f"the bot did not stop on signal {sig}:\n{self.logs()}") from None

    async def kill(self) -> None:
        await self.stop(signal.SIGKILL)


def run_once(env: dict[str, str], timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run the program to its end (for start-up failures) and return what it printed."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("PULSE_", "BOT_"))
    }
    environment.update(env)
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=env.get("CWD", str(ROOT)),
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
