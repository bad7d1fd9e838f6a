"""What the settings make of sending: which platform, how rows are handed over, where statuses come."""

from __future__ import annotations

import aiohttp

from bot.config import Settings
from bot.platform.client import PulseClient
from bot.platform.sandbox import SandboxPlatform
from bot.sending.submission import SubmissionOptions


def make_platform(
    settings: Settings, session: aiohttp.ClientSession
) -> PulseClient | SandboxPlatform:
    """The real platform client, or the simulated platform when no token is set."""
    if settings.sandbox:
        return SandboxPlatform(
            session,
            fail_share=settings.sandbox_fail_share,
            kannel_status=settings.pulse_kannel_status,
            **status_spread(settings.sandbox_status_seconds),
        )
    return PulseClient(
        session,
        settings.pulse_api_url,
        settings.pulse_token.get_secret_value(),
        method=settings.pulse_http_method,
        timeout=settings.pulse_timeout,
        kannel_status=settings.pulse_kannel_status,
    )


def status_spread(seconds: float) -> dict[str, tuple[float, float]]:
    """When simulated statuses come: all final ones within `seconds` of acceptance.

    The default 2.5 s gives 0.3-1 s to "accepted" and 0.5-1.5 s more to the final status.
    """
    return {
        "accepted_after": (0.12 * seconds, 0.4 * seconds),
        "final_after": (0.2 * seconds, 0.6 * seconds),
    }


def submission_options(settings: Settings) -> SubmissionOptions:
    """How rows are handed over, as the settings say."""
    return SubmissionOptions(
        mode=settings.pulse_send_mode,
        list_chunk=settings.pulse_list_chunk,
        token_error=settings.pulse_token_error,
        account_errors=tuple(settings.pulse_account_errors),
    )


def callback_base(settings: Settings) -> str | None:
    """Where the platform reports statuses; None when it cannot reach us (no callbacks asked)."""
    if settings.public_url:
        return settings.public_url
    if settings.sandbox:
        # The sandbox runs in this process and reaches our own endpoint directly.
        host = settings.web_host if settings.web_host not in ("", "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
        return f"http://{host}:{settings.web_port}"
    return None
