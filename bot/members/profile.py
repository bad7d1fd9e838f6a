"""What /me shows a member about themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.i18n import SUPPORTED
from storage.clock import to_iso, utc_now
from storage.members import Member
from storage.store import Store

RECENT = timedelta(days=30)


@dataclass(frozen=True)
class Profile:
    member: Member
    language: str  # the interface language the member reads
    from_telegram: bool  # chosen by their Telegram's language, not the bot's default
    campaigns: int  # started in the last 30 days, tests not counted
    tests: int


def read_profile(
    store: Store, member: Member, language: str, telegram_language: str | None
) -> Profile:
    """The member as stored now, with the language they read and their recent campaigns."""
    fresh = store.members.get(member.user_id) or member
    campaigns, tests = store.campaigns.count_since(member.user_id, to_iso(utc_now() - RECENT))
    spoken = (telegram_language or "").split("-")[0].lower()
    return Profile(fresh, language, spoken in SUPPORTED and spoken == language, campaigns, tests)
