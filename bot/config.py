"""Settings read from the environment and `.env`, named as in the product's settings table."""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.platform.rejections import PLATFORM_ACCOUNT_ERRORS, PLATFORM_TOKEN_ERROR
from bot.schedule.when import cron_trigger
from bot.timing.quiet_hours import QuietHours

STATUS_CLASSES = ("pending", "delivered", "failed")
DEFAULT_TYPES = "sms,viber,whatsapp,telegram,vk,ok,bot,email,push,mms,voice,bulk"


# Said when the token is missing: the whole bot can be tried without one.
DEMO_HINT = " (to try the bot without a token, run: python -m bot demo)"
MIN_CALLBACK_SECRET = 16
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


MAX_CURRENCY_CHARS = 8
MAX_PRICE = Decimal(1_000_000)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _split(value: object) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)  # type: ignore[call-overload]


def parse_prices(value: str) -> dict[str, Decimal]:
    """`sms:2.50,viber:0.90`: the price of one SMS part for sms, of one message for other types.

    Kept as exact decimals: money is never a float. A decimal comma (`sms:2,50`) cannot be
    told from the pair separator, so it is refused as a malformed pair rather than misread.
    """
    prices: dict[str, Decimal] = {}
    for pair in _split(value):
        name, colon, amount = pair.partition(":")
        name = name.strip().lower()
        try:
            price = Decimal(amount.strip())
        except InvalidOperation:
            price = Decimal(-1)
        if not colon or not name or not price.is_finite() or not 0 <= price <= MAX_PRICE:
            raise ValueError(
                "PULSE_PRICES must be type:price pairs separated by commas, such as "
                f"sms:2.50,viber:0.90, got {pair!r}"
            )
        if name in prices:
            raise ValueError(f"PULSE_PRICES names {name!r} twice")
        prices[name] = price
    return prices


def _zone(name: str, variable: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{variable} must be an IANA time zone such as Europe/Moscow") from None
    return name


_THREAD_PAIR = re.compile(r"\s*([A-Za-z0-9_-]+)\s*:\s*(\d+)\s*")


def parse_threads(value: str) -> dict[str, int]:
    """`sms:12,email:14` -> {"sms": 12, "email": 14}; ValueError names what is wrong."""
    threads: dict[str, int] = {}
    for pair in (part for part in value.split(",") if part.strip()):
        match = _THREAD_PAIR.fullmatch(pair)
        if match is None or int(match.group(2)) <= 0:
            raise ValueError(
                "NOTIFY_THREADS must be type:topic pairs such as sms:12,email:14, "
                f"got {pair.strip()!r}"
            )
        threads[match.group(1).lower()] = int(match.group(2))
    return threads


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Everything the program can be told from outside; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    pulse_api_url: str = "https://1-pulse.kupon.mobi/api/v1"
    pulse_token: SecretStr = SecretStr("")
    public_url: str = ""
    web_host: str = "0.0.0.0"  # noqa: S104 - the container's endpoint must be reachable
    web_port: int = Field(8080, ge=0, le=65535)
    data_dir: Path = Path("./data")
    admin_ids: Annotated[list[int], NoDecode] = []
    notify_chat_id: int | None = None
    notify_thread_id: int | None = None
    notify_threads: Annotated[dict[str, int], NoDecode] = {}
    timezone: str = "Europe/Moscow"
    pulse_types: Annotated[list[str], NoDecode] = _split(DEFAULT_TYPES)
    pulse_send_mode: Literal["single", "list"] = "single"
    pulse_list_chunk: int = Field(500, ge=1, le=10_000)
    pulse_concurrency: int = Field(8, ge=1, le=256)
    pulse_max_concurrency: int = Field(64, ge=1, le=256)
    pulse_kannel_status: bool = True
    pulse_senders: Annotated[list[str], NoDecode] = []
    locale: Literal["ru", "en"] = "ru"
    pulse_timezone: str = "Europe/Moscow"
    pulse_status_map: Annotated[dict[str, str], NoDecode] = {}
    pulse_http_method: Literal["POST", "GET"] = "POST"
    pulse_timeout: float = Field(30.0, gt=0, le=600)
    pulse_token_error: str = PLATFORM_TOKEN_ERROR
    pulse_account_errors: Annotated[list[str], NoDecode] = list(PLATFORM_ACCOUNT_ERRORS)
    callback_secret: SecretStr = SecretStr("")
    metrics_token: SecretStr = SecretStr("")
    schedule_grace_minutes: int = Field(10, ge=0)
    large_send_confirm: int = Field(1000, ge=1)
    sandbox_fail_share: float = Field(0.05, ge=0.0, le=1.0)
    sandbox_status_seconds: float = Field(2.5, gt=0.0, le=3600.0)
    telegram_webhook: bool = False
    digest_cron: str = ""
    pulse_prices: Annotated[dict[str, Decimal], NoDecode] = {}
    currency: str = "₽"
    track_links: bool | None = None  # unset: on exactly when PUBLIC_URL is set
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    quiet_hours: str = ""  # e.g. 21:00-09:00 in each recipient's zone; empty: off
    # A campaign of at least this many recipients, or costing at least this much by the
    # preview's estimate, waits for another member's approval; unset: no such rule.
    approval_min_recipients: int | None = Field(None, ge=1)
    approval_min_cost: Decimal | None = Field(None, gt=0)
    approvers: Literal["admin", "operator"] = "admin"

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not re.fullmatch(r"\d+:[\w-]+", value.get_secret_value()):
            raise ValueError("BOT_TOKEN must look like 123456:ABC-DEF (the token @BotFather gave)")
        return value

    @field_validator("callback_secret")
    @classmethod
    def _callback_secret(cls, value: SecretStr) -> SecretStr:
        length = len(value.get_secret_value())
        if 0 < length < MIN_CALLBACK_SECRET:
            raise ValueError(
                f"CALLBACK_SECRET must be at least {MIN_CALLBACK_SECRET} characters long "
                f"(it has {length}); leave it empty to have one generated"
            )
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> list[int]:
        parts = _split(value if value is not None else "")
        if not all(re.fullmatch(r"-?\d+", str(part)) for part in parts):
            raise ValueError(f"ADMIN_IDS must be comma-separated Telegram user ids, got {value!r}")
        return [int(part) for part in parts]

    @field_validator("notify_chat_id", mode="before")
    @classmethod
    def _notify_chat(cls, value: object) -> object:
        if value in ("", None):
            return None
        if not re.fullmatch(r"-?\d+", str(value).strip()):
            raise ValueError(f"NOTIFY_CHAT_ID must be a Telegram chat id, got {value!r}")
        return int(str(value).strip())

    @field_validator("approval_min_recipients", "approval_min_cost", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("approval_min_cost", mode="before")
    @classmethod
    def _approval_cost(cls, value: object) -> object:
        if value is None:
            return None
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount <= 0:
            raise ValueError(
                f"APPROVAL_MIN_COST must be a positive amount such as 5000 or 2500.50, got {value!r}"
            )
        return amount

    @field_validator("approvers", mode="before")
    @classmethod
    def _approvers(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("track_links", mode="before")
    @classmethod
    def _track_links(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("utm_source", "utm_medium", "utm_campaign")
    @classmethod
    def _utm(cls, value: str) -> str:
        return value.strip()

    @field_validator("notify_thread_id", mode="before")
    @classmethod
    def _notify_thread(cls, value: object) -> object:
        if value in ("", None):
            return None
        if not re.fullmatch(r"\d+", str(value).strip()) or int(str(value).strip()) <= 0:
            raise ValueError(
                f"NOTIFY_THREAD_ID must be a topic id (a positive number), got {value!r}"
            )
        return int(str(value).strip())

    @field_validator("notify_threads", mode="before")
    @classmethod
    def _notify_threads(cls, value: object) -> dict[str, int]:
        if isinstance(value, dict):
            return value
        return parse_threads(str(value or ""))

    @field_validator("digest_cron")
    @classmethod
    def _digest_cron(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("pulse_http_method", mode="before")
    @classmethod
    def _http_method(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("pulse_types", "pulse_senders", "pulse_account_errors", mode="before")
    @classmethod
    def _list(cls, value: object) -> list[str]:
        return _split(value if value is not None else "")

    @field_validator("pulse_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("PULSE_TYPES must name at least one message type")
        return [item.lower() for item in value]

    @field_validator("pulse_status_map", mode="before")
    @classmethod
    def _status_map(cls, value: object) -> dict[str, str]:
        if isinstance(value, dict):
            return value
        mapping: dict[str, str] = {}
        for pair in _split(value or ""):
            word, _, status_class = pair.partition(":")
            if not word.strip() or status_class.strip() not in STATUS_CLASSES:
                raise ValueError(
                    "PULSE_STATUS_MAP must be word:class pairs with class pending, delivered "
                    f"or failed, got {pair!r}"
                )
            mapping[word.strip().lower()] = status_class.strip()
        return mapping

    @field_validator("pulse_prices", mode="before")
    @classmethod
    def _prices(cls, value: object) -> dict[str, Decimal]:
        if isinstance(value, dict):
            return value
        return parse_prices(str(value or ""))

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        value = value.strip()
        if not value or len(value) > MAX_CURRENCY_CHARS or "\n" in value:
            raise ValueError(
                f"CURRENCY must be a short sign or code such as ₽ or RUB, got {value!r}"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return _zone(value, "TIMEZONE")

    @field_validator("pulse_timezone")
    @classmethod
    def _pulse_timezone(cls, value: str) -> str:
        return _zone(value, "PULSE_TIMEZONE")

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        window = QuietHours.parse(value)
        return str(window) if window else ""

    @field_validator("public_url", "telegram_api_url", "pulse_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not re.match(r"https?://[^/\s]+", value):
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value

    @property
    def secrets(self) -> list[str]:
        """Every configured secret, for masking wherever it might be printed."""
        configured = (self.bot_token, self.pulse_token, self.callback_secret, self.metrics_token)
        return [secret.get_secret_value() for secret in configured]

    def clear_text_urls(self) -> list[str]:
        """Settings whose `http://` URL would carry secrets in clear text beyond this host."""
        named = {"PUBLIC_URL": self.public_url, "PULSE_API_URL": self.pulse_api_url}
        return [
            name
            for name, url in named.items()
            if url.lower().startswith("http://")
            and not _is_loopback((urlsplit(url).hostname or "").lower())
        ]

    @property
    def tracks_links(self) -> bool:
        """Whether addresses in texts become short links; they need PUBLIC_URL to point at us."""
        if not self.public_url:
            return False
        return True if self.track_links is None else self.track_links

    @property
    def sandbox(self) -> bool:
        """No platform token: a simulated platform answers instead of the real one."""
        return not self.pulse_token.get_secret_value()

    @property
    def database_path(self) -> Path:
        return self.data_dir / "pulse-bridge.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def pulse_zone(self) -> ZoneInfo:
        return ZoneInfo(self.pulse_timezone)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line that names the variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        variable = str(first["loc"][0]).upper() if first["loc"] else "settings"
        if first["type"] == "missing":
            hint = DEMO_HINT if variable == "BOT_TOKEN" else ""
            raise ConfigError(f"{variable} is required but not set{hint}") from None
        message = str(first["msg"]).removeprefix("Value error, ")
        if variable not in message:
            message = f"{variable}: {message}"
        raise ConfigError(message) from None
    unknown = [kind for kind in settings.notify_threads if kind not in settings.pulse_types]
    if unknown:
        raise ConfigError(
            f"NOTIFY_THREADS names {unknown[0]!r}, which is not a type in PULSE_TYPES"
        )
    if (settings.notify_thread_id or settings.notify_threads) and settings.notify_chat_id is None:
        raise ConfigError(
            "NOTIFY_THREAD_ID and NOTIFY_THREADS need NOTIFY_CHAT_ID, the forum group"
        )
    if settings.digest_cron:
        try:
            cron_trigger(settings.digest_cron, settings.zone)
        except ValueError as error:
            raise ConfigError(
                f"DIGEST_CRON must be a crontab line such as '0 10 * * 1' ({error})"
            ) from None
        if settings.notify_chat_id is None:
            raise ConfigError("DIGEST_CRON needs NOTIFY_CHAT_ID, the group that gets the digest")
    if settings.telegram_webhook and not settings.public_url:
        raise ConfigError("TELEGRAM_WEBHOOK=1 needs PUBLIC_URL, where Telegram can reach the bot")
    if settings.track_links and not settings.public_url:
        raise ConfigError("TRACK_LINKS=1 needs PUBLIC_URL, where short links lead recipients")
    if settings.approval_min_cost is not None and not settings.pulse_prices:
        raise ConfigError(
            "APPROVAL_MIN_COST needs PULSE_PRICES: without prices no campaign has a cost to compare"
        )
    if settings.pulse_concurrency > settings.pulse_max_concurrency:
        raise ConfigError(
            f"PULSE_CONCURRENCY ({settings.pulse_concurrency}) is where the adaptive concurrency "
            f"starts and cannot be above PULSE_MAX_CONCURRENCY ({settings.pulse_max_concurrency})"
        )
    return settings
