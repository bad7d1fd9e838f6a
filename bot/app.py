"""Builds every long-lived object once and runs them together in one event loop."""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import signal
import tempfile
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from pathlib import Path

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramServerError
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram_dialog.api.entities import DIALOG_EVENT_NAME
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.approval import cards as approval_cards
from bot.approval.gate import ApprovalGate
from bot.approval.service import ApprovalService
from bot.commands import COMMANDS
from bot.compose.list_process import stop_list_process
from bot.compose.media import MediaStore, add_media_routes
from bot.config import Settings
from bot.i18n import SUPPORTED, make_i18n
from bot.links.redirects import LinkRedirects
from bot.links.tracking import Utm
from bot.loop_lag import LoopLagMonitor
from bot.members import cards as members_cards
from bot.metrics import Metrics
from bot.notices import TelegramNotices
from bot.platform.sandbox import SandboxPlatform
from bot.platform.status_classes import StatusClassifier
from bot.schedule import cards as schedule_cards
from bot.schedule.service import SchedulingService
from bot.sending import cards as sending_cards
from bot.sending.engine import Sender
from bot.sending.from_settings import make_platform
from bot.statuses import cards as statuses_cards
from bot.statuses.chats import notify_chat_id, remember_migration
from bot.statuses.digest import DigestService
from bot.statuses.endpoint import CallbackEndpoint, StatusWriter
from bot.statuses.notifier import Notifier
from bot.statuses.tracker import CampaignTracker
from bot.telegram.fsm_storage import SQLiteStorage
from bot.telegram.pacing import TelegramPacing
from bot.telegram.topics import TopicRouting
from bot.telegram.wiring import TelegramSession, wire_dispatcher
from bot.timing.releases import Releases
from bot.web import MaskingAccessLogger, TelegramMonitor, WebhookHandler, build_web_app
from handlers import get_routers
from storage.clock import utc_now
from storage.members import Role
from storage.statuses_apart import StatusesApart
from storage.store import Store

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
# How each capability's notices read: one table per capability's cards.
NOTICE_CARDS = [
    sending_cards.RENDERERS,
    schedule_cards.RENDERERS,
    approval_cards.RENDERERS,
    statuses_cards.RENDERERS,
    members_cards.RENDERERS,
]


class Application:
    """The whole program: bot, dispatcher, web endpoint, scheduler, store."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], datetime] = utc_now,
        private_chat_period: float = 3.0,
        card_intervals: tuple[float, float] = (3.0, 4.0),
    ) -> None:
        self.settings = settings
        self.clock = clock  # what "now" is for scheduling
        # Telegram's own limit is about a message a second per chat; three in three seconds keeps
        # a margin. An emulated Telegram without per-chat limits may be given a shorter period.
        self.private_chat_period = private_chat_period
        # How long a status card waits between redraws, in a private chat and in a group, so that
        # statuses arriving meanwhile share one edit.
        self.card_intervals = card_intervals
        for name in settings.clear_text_urls():
            log.warning(
                "%s uses http:// outside this host: callback signatures, media links and the "
                "platform token would travel in clear text; use https://",
                name,
            )
        self.store = Store.open(settings.database_path)
        bootstrap = self.store.members.bootstrap_admins(settings.admin_ids)
        for user_id in bootstrap.granted:
            log.info("user %s is admin, as ADMIN_IDS asks (first start for them)", user_id)
        for user_id in bootstrap.overruled:
            log.warning(
                "ADMIN_IDS lists user %s, but the team revoked or changed their access since: "
                "left as decided (use /allow %s admin to restore it)",
                user_id,
                user_id,
            )
        self.callback_secret = (
            settings.callback_secret.get_secret_value()
            or self.store.kv.get_or_create("callback_secret", lambda: secrets.token_hex(32))
        )
        self.webhook_secret = self.store.kv.get_or_create(
            "webhook_secret", lambda: secrets.token_urlsafe(32)
        )
        self.metrics = Metrics()
        self.locales_dir = Path(tempfile.mkdtemp(prefix="pulse-bridge-locales-"))
        self.i18n: I18n = make_i18n(settings.locale, self.locales_dir)
        self.bot = Bot(
            token=settings.bot_token.get_secret_value(),
            session=TelegramSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)),
            default=DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True),
        )
        self.notices = TelegramNotices(self.bot, self.i18n, settings.locale, NOTICE_CARDS)
        self.scheduler = AsyncIOScheduler(timezone=settings.zone)
        self.dispatcher = Dispatcher(
            storage=SQLiteStorage(self.store.fsm),
            store=self.store,
            settings=settings,
            metrics=self.metrics,
            i18n=self.i18n,
            scheduler=self.scheduler,
            clock=self.clock,
        )
        self._wire_dispatcher()
        self.telegram_monitor = TelegramMonitor(self.bot)
        self.web_app = build_web_app(
            store=self.store,
            metrics_=self.metrics,
            monitor=self.telegram_monitor,
            scheduler_running=lambda: self.scheduler.running,
            metrics_token=settings.metrics_token.get_secret_value(),
        )
        if settings.telegram_webhook:
            WebhookHandler(self.dispatcher, self.bot, secret_token=self.webhook_secret).register(
                self.web_app, path=WEBHOOK_PATH
            )
        self.stopping = asyncio.Event()
        self.menus: asyncio.Task[None] | None = None

    def _wire_dispatcher(self) -> None:
        wire_dispatcher(
            self.dispatcher, self.store, self.notices, self.i18n, get_routers(), clock=self.clock
        )

    def allowed_updates(self) -> list[str]:
        """The Telegram updates some handler takes. aiogram-dialog's own event (a dialog redrawn
        from outside an update) is no Telegram update, and its dialogs' handlers for business
        messages serve no business connection of this bot."""
        return self.dispatcher.resolve_used_update_types(
            skip_events={DIALOG_EVENT_NAME, "business_message"}
        )

    @property
    def secrets(self) -> list[str]:
        """Everything that must never be printed."""
        return [*self.settings.secrets, self.callback_secret, self.webhook_secret]

    async def set_commands(self) -> None:
        """Command menus per language, listing what a viewer may use (the common ground)."""
        for language in SUPPORTED:
            with self.i18n.use_locale(language):
                commands = [
                    BotCommand(command=c.name, description=str(c.description))
                    for c in COMMANDS
                    if c.role is not Role.ADMIN
                ]
            language_code = None if language == self.settings.locale else language
            await self.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(), language_code=language_code
            )

    async def run(self, handle_signals: bool = True) -> None:
        """Serve until `stopping` is set: by SIGTERM/SIGINT, or by whoever runs it in-process."""
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, self.stopping.set)
        with self.i18n.context():
            await self.start_services()
            # Health is known before the endpoint opens; a hanging Telegram delays that only briefly.
            with suppress(TimeoutError):
                await asyncio.wait_for(
                    self.telegram_monitor.first_answer(), self.telegram_monitor.timeout + 1
                )
            runner = web.AppRunner(self.web_app, access_log_class=MaskingAccessLogger)
            await runner.setup()
            site = web.TCPSite(runner, self.settings.web_host, self.settings.web_port)
            await site.start()
            self.scheduler.start()
            try:
                await self._with_telegram()
            finally:
                await self.shutdown(runner)

    async def start_services(self) -> None:
        """Services that need the running loop; each is handed to handlers and web routes here."""
        self.loop_lag = LoopLagMonitor(
            self.metrics.loop_lag,
            longest=self.metrics.loop_lag_longest,
            collections=self.metrics.gc_pauses,
        )
        self.loop_lag.start()
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self.dispatcher["http"] = self.http
        self.media = MediaStore(self.settings.media_dir)
        add_media_routes(self.web_app, self.media)
        self.dispatcher["media"] = self.media
        self.telegram_monitor.start()
        self.bot.session.middleware(
            TelegramPacing(
                self.metrics,
                private_period=self.private_chat_period,
                on_migrate=lambda old, new: remember_migration(
                    self.settings, self.store.kv, old, new
                ),
            )
        )
        self.bot.session.middleware(
            TopicRouting(
                lambda: notify_chat_id(self.settings, self.store.kv),
                self.settings.notify_thread_id,
                self.settings.notify_threads,
            )
        )
        private_interval, group_interval = self.card_intervals
        self.notifier = Notifier(
            self.bot,
            self.store,
            self.settings,
            self.i18n,
            self.metrics,
            private_interval=private_interval,
            group_interval=group_interval,
        )
        # Lifecycle first: a change that finishes a campaign reaches its cards already final.
        self.tracker = CampaignTracker(self.store, self.settings, self.notifier.campaign_changed)
        self.status_writer = StatusWriter(
            self.store,
            self.metrics,
            self.tracker.campaign_changed,
            apart=StatusesApart.of(self.store.db),
        )
        classifier = StatusClassifier(
            self.settings.pulse_status_map, kannel=self.settings.pulse_kannel_status
        )
        CallbackEndpoint(
            self.callback_secret, self.status_writer, classifier, self.metrics
        ).register(self.web_app)
        settings = self.settings
        LinkRedirects(
            self.store.links,
            Utm(settings.utm_source, settings.utm_medium, settings.utm_campaign),
            on_click=self.notifier.campaign_changed,
            metrics=self.metrics,
        ).register(self.web_app)
        self.platform = make_platform(self.settings, self.http)
        self.sender = Sender(
            self.store,
            self.settings,
            self.platform,
            self.callback_secret,
            self.metrics,
            self.notices,
            on_change=self.tracker.campaign_changed,
            clock=self.clock,
            loop_crowded=self.loop_lag.crowded,
        )
        self.sender.wake_at = Releases(self.scheduler, self.sender.release_waiting).wake_at
        self.dispatcher["sender"] = self.sender
        self.approvals = ApprovalService(
            self.store,
            settings,
            self.notices,
            self.sender,
            notify_chat=lambda: notify_chat_id(settings, self.store.kv),
            clock=self.clock,
        )
        self.approval_gate = ApprovalGate(self.approvals)
        self.sender.gate = self.approval_gate  # asked before anything of a campaign is submitted
        self.dispatcher["approvals"] = self.approvals
        await self.sender.resume_after_restart()
        self.tracker.start()
        self.notifier.start()
        self.scheduling = SchedulingService(
            store=self.store,
            scheduler=self.scheduler,
            sender=self.sender,
            notices=self.notices,
            settings=self.settings,
            clock=self.clock,
            series_approved=self.approvals.series_may_run,
        )
        self.dispatcher["scheduling"] = self.scheduling
        self.metrics.scheduled_waiting.set_function(self.store.schedules.count_pending)
        # APScheduler keeps jobs added before start() and schedules them when run() starts it,
        # after the web endpoint is up; overdue ones then fire at once and `fire` judges them.
        self.scheduling.restore()
        self.digest = DigestService(self.notices, self.store, self.settings, self.clock)
        self.digest.register(self.scheduler)

    async def stop_services(self) -> None:
        """Stop in the reverse order of start: finish in-flight work, then close connections."""
        await self.telegram_monitor.stop()
        await self.sender.drain()
        await self.approval_gate.drain()
        await self.status_writer.close()
        await self.tracker.stop()
        await self.notifier.stop()
        if isinstance(self.platform, SandboxPlatform):
            await self.platform.close()
        await self.http.close()
        await asyncio.to_thread(stop_list_process)
        self.loop_lag.stop()

    async def _with_telegram(self) -> None:
        # Menus are a nicety: set them in the background so an unreachable Telegram never delays start.
        self.menus = asyncio.create_task(self._retrying(self.set_commands, "set the command menus"))
        if self.settings.telegram_webhook:
            url = f"{self.settings.public_url}{WEBHOOK_PATH}"
            await self._retrying(
                lambda: self.bot.set_webhook(
                    url,
                    secret_token=self.webhook_secret,
                    allowed_updates=self.allowed_updates(),
                ),
                "set the webhook",
            )
            log.info("ready: webhook mode, web endpoint on port %s", self.settings.web_port)
            await self.stopping.wait()
            return
        await self._retrying(
            lambda: self.bot.delete_webhook(drop_pending_updates=False),
            "remove a webhook",
            attempts=1,
        )
        log.info("ready: long polling, web endpoint on port %s", self.settings.web_port)
        stop = asyncio.create_task(self.stopping.wait())
        delay = 1.0
        while not self.stopping.is_set():
            polling = asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot,
                    handle_signals=False,
                    close_bot_session=False,
                    allowed_updates=self.allowed_updates(),
                )
            )
            await asyncio.wait({polling, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not polling.done():
                with suppress(RuntimeError):
                    await self.dispatcher.stop_polling()
                await polling
                return
            # Polling ended by itself: Telegram was unreachable before the first update. Try again.
            error = polling.exception()
            log.warning("polling stopped (%s); retrying in %.0f s", type(error).__name__, delay)
            await asyncio.wait({stop}, timeout=delay)
            delay = min(delay * 2, 30.0)

    async def _retrying(self, call, what: str, attempts: int = 5) -> None:  # type: ignore[no-untyped-def]
        """Telegram may be briefly unreachable at start; keep going rather than die."""
        for attempt in range(1, attempts + 1):
            try:
                await call()
                return
            except (
                TelegramNetworkError,
                TelegramServerError,
                aiohttp.ClientError,
                TimeoutError,
                OSError,
            ) as error:
                log.warning("could not %s (attempt %s): %s", what, attempt, type(error).__name__)
            except Exception as error:  # an API error: not worth retrying
                log.warning("could not %s: %s", what, error)
                return
            if self.stopping.is_set():
                return
            await asyncio.sleep(min(2**attempt, 10))

    async def shutdown(self, runner: web.AppRunner) -> None:
        log.info("shutting down")
        # aiogram stops taking updates but leaves those it took running: let them finish.
        await self.dispatcher["updates_in_flight"].all_handled()
        if self.menus is not None and not self.menus.done():
            self.menus.cancel()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.stop_services()
        await runner.cleanup()
        await self.bot.session.close()
        self.store.close()
        shutil.rmtree(self.locales_dir, ignore_errors=True)
        log.info("stopped")
