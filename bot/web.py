"""The aiohttp endpoint: health, metrics, the Telegram webhook, and the routes other services add."""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import re
from contextlib import suppress

from aiogram import Bot
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.metrics import Metrics
from storage.store import Store

log = logging.getLogger(__name__)

# Secret path segments (callback signatures, media names) never reach the access log.
SECRET_PATH = re.compile(r"^(/pulse/cb/[^/]+/|/media/|/l/)[^/?]+")


class MaskingAccessLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        path = SECRET_PATH.sub(r"\1***", request.path)
        self.logger.info("%s %s %s %.1fms", request.method, path, response.status, time * 1000)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


class WebhookHandler(SimpleRequestHandler):
    """Telegram's webhook: a request whose secret header is wrong in any way gets 401, never 500."""

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # Header bytes outside ASCII reach us as odd text; comparing bytes never raises.
        given = telegram_secret_token.encode("utf-8", "surrogatepass")
        return hmac.compare_digest(given, self.secret_token.encode())


class TelegramMonitor:
    """Whether the Bot API answered lately, asked by one background task at most every `interval` s.

    Health probes read the last answer, so any number of them costs Telegram nothing.
    """

    def __init__(self, bot: Bot, *, interval: float = 30.0, timeout: float = 5.0) -> None:
        self.bot, self.interval, self.timeout = bot, interval, timeout
        self.reachable: bool | None = None  # None until the first check has answered
        self._checked = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="telegram-monitor")

    async def first_answer(self) -> None:
        """Wait for the first check, so health is known before the endpoint opens."""
        await self._checked.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self.interval)

    async def check(self) -> bool:
        try:
            await asyncio.wait_for(self.bot.get_me(), timeout=self.timeout)
            reachable = True
        except Exception as error:  # any failure means "not reachable"
            if self.reachable is not False:
                log.warning("Telegram Bot API is not reachable: %s", type(error).__name__)
            reachable = False
        if reachable and self.reachable is False:
            log.info("Telegram Bot API is reachable again")
        self.reachable = reachable
        self._checked.set()
        return reachable


STORE = web.AppKey("store", Store)
METRICS = web.AppKey("metrics", Metrics)
MONITOR = web.AppKey("telegram_monitor", TelegramMonitor)
SCHEDULER_RUNNING = web.AppKey("scheduler_running", object)  # a callable returning bool
METRICS_TOKEN = web.AppKey("metrics_token", str)

# A proxy in front of the bot connects from loopback too: its requests carry one of these.
_FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def is_trusted(request: web.Request) -> bool:
    """A direct request from this host, or one carrying `Authorization: Bearer <METRICS_TOKEN>`."""
    token = request.app[METRICS_TOKEN]
    if token:
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogatepass")
        if hmac.compare_digest(given, f"Bearer {token}".encode()):
            return True
    if any(header in request.headers for header in _FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def healthz(request: web.Request) -> web.Response:
    """200 when the database, the scheduler and Telegram all answer; 503 otherwise.

    Only a trusted caller learns which part is down; anyone else gets the code and one word.
    """
    checks = {
        "database": request.app[STORE].healthy(),
        "scheduler": bool(request.app[SCHEDULER_RUNNING]()),  # type: ignore[operator]
        "telegram": request.app[MONITOR].reachable is True,
    }
    status = 200 if all(checks.values()) else 503
    word = "ok" if status == 200 else "degraded"
    if not is_trusted(request):
        return web.Response(text=word, status=status)
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    body["status"] = word
    return web.json_response(body, status=status)


async def metrics(request: web.Request) -> web.Response:
    if not is_trusted(request):
        if request.app[METRICS_TOKEN]:
            return web.Response(
                status=401, text="unauthorized", headers={"WWW-Authenticate": "Bearer"}
            )
        return web.Response(status=403, text="forbidden")
    return web.Response(
        body=request.app[METRICS].render(), content_type="text/plain", charset="utf-8"
    )


def build_web_app(
    *,
    store: Store,
    metrics_: Metrics,
    monitor: TelegramMonitor,
    scheduler_running: object,
    metrics_token: str = "",
) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[STORE] = store
    app[METRICS] = metrics_
    app[MONITOR] = monitor
    app[METRICS_TOKEN] = metrics_token
    app[SCHEDULER_RUNNING] = scheduler_running
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app
