"""The aiohttp endpoint: health, metrics, the Telegram webhook, and the routes other services add."""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
from dataclasses import dataclass

from aiogram import Bot
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.metrics import Metrics
from storage.store import Store

log = logging.getLogger(__name__)

# Secret path segments (callback signatures, media names) never reach the access log.
SECRET_PATH = re.compile(r"^(/pulse/cb/[^/]+/|/media/)[^/?]+")


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


@dataclass
class TelegramProbe:
    """Whether the Bot API answered recently; asked at most every `ttl` seconds."""

    bot: Bot
    ttl: float = 15.0
    checked_at: float = 0.0
    reachable: bool = False

    async def check(self) -> bool:
        now = time.monotonic()
        # A failure is re-checked soon, so one slow answer does not mark the bot down for long.
        ttl = self.ttl if self.reachable else 2.0
        if now - self.checked_at > ttl:
            try:
                await asyncio.wait_for(self.bot.get_me(), timeout=3)
                self.reachable = True
            except Exception:  # any failure means "not reachable"; the reason is logged
                log.warning("Telegram Bot API is not reachable", exc_info=True)
                self.reachable = False
            self.checked_at = now
        return self.reachable


STORE = web.AppKey("store", Store)
METRICS = web.AppKey("metrics", Metrics)
PROBE = web.AppKey("telegram_probe", TelegramProbe)
SCHEDULER_RUNNING = web.AppKey("scheduler_running", object)  # a callable returning bool


async def healthz(request: web.Request) -> web.Response:
    """200 when the database, the scheduler and Telegram all answer; 503 naming what does not."""
    checks = {
        "database": request.app[STORE].healthy(),
        "scheduler": bool(request.app[SCHEDULER_RUNNING]()),  # type: ignore[operator]
        "telegram": await request.app[PROBE].check(),
    }
    status = 200 if all(checks.values()) else 503
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    body["status"] = "ok" if status == 200 else "degraded"
    return web.json_response(body, status=status)


async def metrics(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[METRICS].render(), content_type="text/plain", charset="utf-8"
    )


def build_web_app(
    *, store: Store, metrics_: Metrics, probe: TelegramProbe, scheduler_running: object
) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[STORE] = store
    app[METRICS] = metrics_
    app[PROBE] = probe
    app[SCHEDULER_RUNNING] = scheduler_running
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app
