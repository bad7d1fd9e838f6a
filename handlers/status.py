"""/status <id> (one message's or one campaign's history) and /campaigns (the latest ones)."""

from __future__ import annotations

import html
import re

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.history import campaign_history, message_history, recent_campaigns
from storage.store import Store

VIEWER = {"role": "viewer"}
CAMPAIGNS_SHOWN = 10
MAX_ID_CHARS = 64
_CAMPAIGN_REF = re.compile(r"(?:#|№|c)(\d{1,18})", re.IGNORECASE)


async def status(
    message: Message, command: CommandObject, store: Store, settings: Settings, i18n: I18n
) -> None:
    """Show the history of a message (by platform id) or a campaign (by its number)."""
    wanted = (command.args or "").strip()
    if not wanted or len(wanted) > MAX_ID_CHARS or len(wanted.split()) > 1:
        await message.answer(
            _(
                "Send <code>/status id</code>: a platform message id, or a campaign number "
                "(<code>/status #12</code>)."
            )
        )
        return
    campaign_ref = _CAMPAIGN_REF.fullmatch(wanted)
    rows = [] if campaign_ref else store.messages.by_platform_id(wanted)
    if rows:
        await message.answer(message_history(rows[0], store, settings))
        return
    number_text = campaign_ref.group(1) if campaign_ref else wanted
    campaign = store.campaigns.get(int(number_text)) if number_text.isdigit() else None
    if campaign is None:
        await message.answer(
            _("Nothing found for <code>{id}</code>: no message or campaign has this id.").format(
                id=html.escape(wanted)
            )
        )
        return
    await message.answer(campaign_history(campaign, store, settings, i18n.current_locale))


async def campaigns(message: Message, store: Store, i18n: I18n) -> None:
    """The latest campaigns, newest first, each with its figures."""
    recent = store.campaigns.recent(CAMPAIGNS_SHOWN)
    if not recent:
        await message.answer(_("No campaigns yet."))
        return
    await message.answer(recent_campaigns(recent, store, i18n.current_locale))


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="status")
    router.message.register(status, Command("status"), flags=VIEWER)
    router.message.register(campaigns, Command("campaigns"), flags=VIEWER)
    return router
