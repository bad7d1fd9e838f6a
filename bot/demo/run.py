"""`python -m bot demo`: the real program, with the emulator as Telegram and the sandbox platform.

Nothing leaves this host: Telegram is the emulator on a loopback port, the platform is the
sandbox, and the web endpoint listens on 127.0.0.1 only. `.env` is not read, so a production
token or data directory configured there is never used; the data lives in a fresh temporary
directory unless DATA_DIR is set in the environment of this command.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import ConfigError, Settings, load_settings
from bot.demo.page import DEMO_PATH, DemoPage, Person
from bot.demo.telegram import FakeTelegram
from storage.members import Role

if TYPE_CHECKING:
    from bot.app import Application

log = logging.getLogger(__name__)

DEMO_TOKEN = "100200300:demo-token-not-a-real-one"  # noqa: S105 - the emulator's, not a secret
BOT_ID = 100200300
GROUP_ID = -1001002003004
# The demo user is an admin; two more members show what an operator and a viewer see.
PEOPLE = (
    Person(1001, "Анна", Role.ADMIN),
    Person(1002, "Борис", Role.OPERATOR),
    Person(1003, "Вера", Role.VIEWER),
)
STATUS_SECONDS = 60.0  # statuses arrive over a minute, so cards visibly move
FAIL_SHARE = 0.1  # a few recipients end "not delivered"


def demo_settings(telegram_url: str, data_dir: Path) -> Settings:
    """Settings of the demo: the environment may change the port, language or zone, never where
    messages go or whose data is used."""
    return load_settings(
        _env_file=None,
        bot_token=DEMO_TOKEN,
        telegram_api_url=telegram_url,
        telegram_webhook=False,
        pulse_token="",
        public_url="",
        web_host="127.0.0.1",
        data_dir=data_dir,
        admin_ids=[PEOPLE[0].user_id],
        notify_chat_id=GROUP_ID,
        sandbox_status_seconds=float(os.environ.get("SANDBOX_STATUS_SECONDS", STATUS_SECONDS)),
        sandbox_fail_share=float(os.environ.get("SANDBOX_FAIL_SHARE", FAIL_SHARE)),
    )


class PortBusy(Exception):
    """The page's port is taken; str() says what to do."""


def ensure_port_free(port: int) -> None:
    """Refuse at once, in one line, rather than after the program has half started."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise PortBusy(
                f"port {port} of 127.0.0.1 is taken (by another program, or a demo already "
                f"running): open it, or choose another port, e.g. WEB_PORT={port + 10} "
                "python -m bot demo"
            ) from None


def demo_data_dir() -> tuple[Path, bool]:
    """Where the demo keeps its data, and whether that is a fresh directory of its own."""
    given = os.environ.get("DATA_DIR")
    if given:
        return Path(given), False
    return Path(tempfile.mkdtemp(prefix="pulse-bridge-demo-")), True


async def run_demo(
    data_dir: Path,
    *,
    handle_signals: bool = True,
    log_setup: Callable[[list[str]], None] | None = None,
    started: Callable[[Application], None] | None = None,
) -> None:
    """Run until stopped; `started` is handed the program once its page is in place."""
    from bot.app import Application
    from bot.logs import setup_logging

    log_setup = log_setup or setup_logging
    telegram = FakeTelegram(DEMO_TOKEN, BOT_ID, "pulse_demo_bot", keep_requests=500)
    telegram.name_chat(GROUP_ID, "Команда рассылок")
    await telegram.start()
    try:
        settings = demo_settings(telegram.url, data_dir)
        ensure_port_free(settings.web_port)
        log_setup(settings.secrets)
        log.info(
            "demo: open http://127.0.0.1:%s%s (Telegram is emulated, the platform is a sandbox, "
            "data in %s)",
            settings.web_port,
            DEMO_PATH,
            data_dir,
        )
        app = Application(settings)
        log_setup(app.secrets)
        for person in PEOPLE[1:]:
            if app.store.members.get(person.user_id) is None:
                app.store.members.set_role(
                    person.user_id, person.role, added_by=PEOPLE[0].user_id, name=person.name
                )
        page = DemoPage(telegram, PEOPLE, GROUP_ID, i18n=app.i18n, language=settings.locale)
        page.register(app.web_app)
        if started is not None:
            started(app)
        try:
            await app.run(handle_signals=handle_signals)
        finally:
            await page.close()
    finally:
        await telegram.stop()


def main() -> int:
    data_dir, temporary = demo_data_dir()
    try:
        asyncio.run(run_demo(data_dir))
    except ConfigError as error:
        sys.stderr.write(f"configuration error: {error}\n")
        return 2
    except PortBusy as error:
        sys.stderr.write(f"demo: {error}\n")
        return 2
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0
