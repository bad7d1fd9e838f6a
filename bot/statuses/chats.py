"""Where a campaign's cards and final report go: the notify group (under the id Telegram moved
it to, when it did) and the author's private chat while the author is still a member."""

from __future__ import annotations

import logging

from bot.config import Settings
from storage.campaigns import Campaign
from storage.kv import KeyValues
from storage.store import Store

log = logging.getLogger(__name__)

NOTIFY_CHAT_KEY = "notify_chat_id"  # the group's id after Telegram migrated it
NOTIFY_CHAT_CONFIGURED_KEY = "notify_chat_id_configured"  # the NOTIFY_CHAT_ID it replaced


def notify_chat_id(settings: Settings, kv: KeyValues) -> int | None:
    """The group for status cards: NOTIFY_CHAT_ID, or the supergroup Telegram migrated it to."""
    configured = settings.notify_chat_id
    migrated = kv.get(NOTIFY_CHAT_KEY)
    if (
        configured is not None
        and migrated
        and kv.get(NOTIFY_CHAT_CONFIGURED_KEY) == str(configured)
    ):
        return int(migrated)
    return configured


def remember_migration(
    settings: Settings, kv: KeyValues, old_chat: int | str, new_chat: int
) -> None:
    """Keep the notify group's new id, so it is used from now on and after a restart."""
    if settings.notify_chat_id is None or old_chat != notify_chat_id(settings, kv):
        return
    kv.set(NOTIFY_CHAT_CONFIGURED_KEY, str(settings.notify_chat_id))
    kv.set(NOTIFY_CHAT_KEY, str(new_chat))
    log.info("notify group moved to %s", new_chat)


def card_chats(store: Store, settings: Settings, campaign: Campaign) -> list[int]:
    """The chats following a campaign; a revoked member's private chat gets no more cards or
    reports. Empty when there is no notify group and no author chat. A test to the author's
    own address is the author's alone: no card in the group."""
    author_chat = campaign.author_chat_id or 0
    if author_chat > 0 and store.members.role_of(campaign.author_id) is None:
        author_chat = 0
    chats = (None if campaign.test else notify_chat_id(settings, store.kv), author_chat)
    return [chat for chat in dict.fromkeys(chats) if chat]
