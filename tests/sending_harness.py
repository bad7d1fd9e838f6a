"""The sending engine built by hand over real HTTP: a Store and the fake platform.

What the engine tells authors goes to a `RecordingNotices`, or, when a fake Telegram is given,
through the program's own `TelegramNotices` to it, so a test reads the messages as users do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.utils.i18n import I18n

from bot.app import NOTICE_CARDS
from bot.config import Settings
from bot.i18n import make_i18n
from bot.metrics import Metrics
from bot.notices import Notices, TelegramNotices
from bot.platform.client import PulseClient
from bot.sending.engine import Sender
from bot.sending.from_settings import submission_options
from bot.sending.submission import PlatformClient, SubmissionOptions
from bot.telegram.wiring import TelegramSession
from storage.campaigns import CampaignState, Draft
from storage.clock import utc_now
from storage.messages import MessageRow, SubmitState
from storage.store import Store
from tests.conftest import ADMIN, TOKEN
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.recording_notices import RecordingNotices

PLATFORM_TOKEN = "platform-token"
SECRET = "callback-secret-for-tests"


def make_settings(
    tmp_path: Path, telegram: FakeTelegram | None, platform_url: str, **values: Any
) -> Settings:
    base: dict[str, Any] = {
        "bot_token": TOKEN,
        "telegram_api_url": telegram.url if telegram else "http://127.0.0.1:9",
        "pulse_api_url": platform_url,
        "pulse_token": PLATFORM_TOKEN,
        "public_url": "http://127.0.0.1:9",
        "data_dir": tmp_path,
        "locale": "en",
    }
    return Settings(_env_file=None, **(base | values))  # type: ignore[call-arg]


def seed_new_campaign(
    database: Path, recipients: list[str], text: str, *, sandbox: bool = False
) -> int:
    """A campaign in `submitting` with every row new, as if Send had just been pressed."""
    store = Store.open(database)
    try:
        list_id = store.recipient_lists.save(ADMIN, [(phone, {}) for phone in recipients], [])
        campaign_id = store.campaigns.create(
            Draft(type="sms", sender="Shop", text=text),
            author_id=ADMIN,
            author_chat_id=ADMIN,
            state=CampaignState.SUBMITTING,
            sandbox=sandbox,
            callbacks=True,
            recipient_count=len(recipients),
        )
        store.recipient_lists.claim(list_id, campaign_id)
        store.messages.copy_from_list(campaign_id, list_id)
    finally:
        store.close()
    return campaign_id


def phones(count: int, start: int = 0) -> list[str]:
    return [f"7900{number:07d}" for number in range(start, start + count)]


@dataclass
class Harness:
    """One engine; `changes` records every on_change call.

    `bot` is None and `notices` a `RecordingNotices` when no fake Telegram was given.
    """

    store: Store
    settings: Settings
    sender: Sender
    notices: Notices
    bot: Bot | None
    i18n: I18n
    session: aiohttp.ClientSession
    metrics: Metrics
    changes: list[int] = field(default_factory=list)

    def new_list(
        self, addresses: Iterable[str], fields: Callable[[str], dict] | None = None
    ) -> int:
        items = [(address, fields(address) if fields else {}) for address in addresses]
        columns = sorted(items[0][1]) if items and items[0][1] else []
        return self.store.recipient_lists.save(ADMIN, items, columns)

    def start(
        self, draft: Draft | None = None, addresses: Iterable[str] = (), **fields: Any
    ) -> int:
        """Create a campaign to ADMIN's chat over a new list and launch it."""
        list_id = self.new_list(addresses, fields.pop("row_fields", None))
        campaign_id = self.sender.create(
            draft or Draft(type="sms", sender="Shop", text="Hello"),
            list_id,
            author_id=ADMIN,
            author_chat_id=ADMIN,
        )
        self.sender.launch(campaign_id)
        return campaign_id

    def rows(self, campaign_id: int) -> list[MessageRow]:
        return self.store.messages.rows(campaign_id)

    def states(self, campaign_id: int) -> dict[SubmitState, int]:
        return self.store.messages.counts_by_state(campaign_id)

    def campaign_state(self, campaign_id: int) -> CampaignState:
        campaign = self.store.campaigns.get(campaign_id)
        assert campaign is not None
        return campaign.state

    async def close(self) -> None:
        await self.sender.drain()
        close = getattr(self.sender._platform, "close", None)  # the sandbox has one
        if close is not None:
            await close()
        await self.session.close()
        if self.bot is not None:
            await self.bot.session.close()
        self.store.close()


async def make_harness(
    tmp_path: Path,
    telegram: FakeTelegram | None,
    platform: FakePlatform | None = None,
    *,
    client: Callable[[aiohttp.ClientSession, Settings], PlatformClient] | None = None,
    options: SubmissionOptions | None = None,
    retry_delays: tuple[float, ...] = (0.01, 0.01),
    method: str = "POST",
    timeout: float = 5.0,
    db_name: str = "pulse.db",
    drain_timeout: float = 5.0,
    clock: Callable[[], datetime] = utc_now,
    **settings_values: Any,
) -> Harness:
    """Build the engine over `tmp_path/db_name`; the platform client is a PulseClient unless given.

    A test that sets `pulse_concurrency` gets exactly that many requests in flight (the ceiling
    too) unless it sets `pulse_max_concurrency`: the order of scripted answers stays its own.
    """
    if "pulse_concurrency" in settings_values:
        settings_values.setdefault("pulse_max_concurrency", settings_values["pulse_concurrency"])
    settings = make_settings(
        tmp_path, telegram, platform.url if platform else "http://127.0.0.1:9", **settings_values
    )
    store = Store.open(tmp_path / db_name)
    store.members.bootstrap_admins([ADMIN])
    session = aiohttp.ClientSession()
    if client is not None:
        platform_client = client(session, settings)
    else:
        platform_client = PulseClient(
            session,
            settings.pulse_api_url,
            PLATFORM_TOKEN,
            method=method,
            timeout=timeout,
            kannel_status=settings.pulse_kannel_status,
        )
    locales = tmp_path / f"locales-{db_name}"
    i18n = make_i18n(settings.locale, locales)
    bot: Bot | None = None
    notices: Notices
    if telegram is None:
        notices = RecordingNotices()
    else:
        bot = Bot(
            token=TOKEN,
            session=TelegramSession(api=TelegramAPIServer.from_base(telegram.url)),
            default=DefaultBotProperties(parse_mode="HTML"),
        )
        notices = TelegramNotices(bot, i18n, settings.locale, NOTICE_CARDS)
    metrics = Metrics()
    changes: list[int] = []
    options = options or replace(
        submission_options(settings), retry_delays=retry_delays, flush_seconds=0.02
    )
    sender = Sender(
        store,
        settings,
        platform_client,
        SECRET,
        metrics,
        notices,
        on_change=changes.append,
        options=options,
        drain_timeout=drain_timeout,
        clock=clock,
    )
    return Harness(store, settings, sender, notices, bot, i18n, session, metrics, changes)


async def settle(harness: Harness, campaign_id: int, timeout: float = 10.0) -> None:
    """Wait for the campaign's submission pass to end."""
    async with asyncio.timeout(timeout):
        await harness.sender.wait(campaign_id)
