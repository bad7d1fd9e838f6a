"""The program's `Application` run in the test's own event loop: `python -m bot` without the process.

Same settings, same fakes over real HTTP, same web endpoint; no signal handlers, and an
injectable clock. Kills, signals, exit codes and real logs still need `BotProcess`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.app import Application
from bot.config import load_settings
from bot.logs import LOG_FORMAT, SecretMask
from storage.clock import utc_now
from tests.bot_process import wait_until_healthy


class BotInProcess:
    """Starts the Application as a task and waits until it answers /healthz; stop() ends the task."""

    def __init__(
        self, env: dict[str, str], log_path: Path, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.env = env
        self.log_path = log_path
        self.port = int(env["WEB_PORT"])
        self.clock = clock
        self.app: Application | None = None
        self.task: asyncio.Task[None] | None = None
        self.log_handler: logging.Handler | None = None
        self.stopped = False  # stopped, or its end already reported

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

    async def start(self, timeout: float = 30.0) -> None:
        # The settings come from the same variables the process would read, and no .env file.
        values = {key.lower(): value for key, value in self.env.items() if key != "CWD"}
        settings = load_settings(_env_file=None, **values)
        # As `python -m bot` does: the configured secrets are masked from the first line on,
        # the generated ones join once known.
        self._capture_logs(settings.secrets)
        # The fake Telegram limits groups, not private chats (as Telegram documents), so private
        # pacing runs ten times faster here; tests/test_telegram_pacing.py pins the real period.
        # Status cards are redrawn a second apart instead of three or four: the redraws still
        # gather what arrives meanwhile (tests/test_status_cards_notifier.py pins that), with
        # room under the group's twenty messages a minute for the few seconds a test lasts.
        self.app = Application(
            settings, clock=self.clock, private_chat_period=0.3, card_intervals=(0.75, 1.0)
        )
        self._capture_logs(self.app.secrets)
        self.task = asyncio.create_task(self.app.run(handle_signals=False))
        await wait_until_healthy(self.url, timeout, self._failure)

    def _failure(self) -> str | None:
        """Why the program is no longer running, if it is not."""
        if self.task is None or not self.task.done():
            return None
        self.stopped = True
        error = None if self.task.cancelled() else self.task.exception()
        return f"the program ended: {error!r}\n{self.logs()}"

    def _capture_logs(self, secrets: list[str]) -> None:
        """Write the program's log lines to `log_path`, masked as the program masks them."""
        if self.log_handler is not None:
            logging.getLogger().removeHandler(self.log_handler)
            self.log_handler.close()
        handler = logging.FileHandler(self.log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(SecretMask(secrets))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
        self.log_handler = handler

    def logs(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path.exists()
            else ""
        )

    async def stop(self, timeout: float = 20.0) -> int:
        """Stop as SIGTERM would and wait for the end; returns 0, the exit code of a clean stop.

        A program that ended by itself with an exception raises it here.
        """
        assert self.app is not None
        assert self.task is not None
        self.stopped = True
        self.app.stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout)
        except TimeoutError:
            self.task.cancel()
            raise AssertionError(f"the program did not stop:\n{self.logs()}") from None
        finally:
            if self.log_handler is not None:
                logging.getLogger().removeHandler(self.log_handler)
                self.log_handler.close()
                self.log_handler = None
        return 0
