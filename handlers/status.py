"""/status <id> (one message's or one campaign's history) and /campaigns (the latest ones)."""

from __future__ import annotations

import html
import re

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.access import VIEWER, for_command
from bot.config import Settings
from bot.statuses.cards import chart_markup
from bot.statuses.figures import read_figures
from bot.statuses.history import campaign_history, latest_campaigns, message_history
from storage.store import Store

CAMPAIGNS_SHOWN = 10
MAX_ID_CHARS = 64
_CAMPAIGN_REF = re.compile(r"(?:#|№|n|no\.?|c)?\s*(\d{1,18})", re.IGNORECASE)
_MARKED_CAMPAIGN = re.compile(r"(?:#|№|n|no\.?|c)\s*\d+", re.IGNORECASE)


async def status(
    message: Message, command: CommandObject, store: Store, settings: Settings, i18n: I18n
) -> None:
    """Show a campaign by its number (`/status 3`, `/status №3`), or a message by its platform id.

    A bare number is the campaign's when there is one, as every card shows campaigns that way.
    """
    wanted = (command.args or "").strip()
    if not wanted or len(wanted) > MAX_ID_CHARS or len(wanted.split()) > 2:
        await message.answer(
            _(
                "Send <code>/status number</code>: a campaign number (<code>/status 12</code> "
                "or <code>/status №12</code>), or a platform message id."
            )
        )
        return
    campaign_ref = _CAMPAIGN_REF.fullmatch(wanted)
    campaign = store.campaigns.get(int(campaign_ref.group(1))) if campaign_ref else None
    if campaign is None and not _MARKED_CAMPAIGN.fullmatch(wanted):
        rows = store.messages.by_platform_id(wanted)
        if rows:
            await message.answer(message_history(rows[0], store, settings))
            return
    if campaign is None:
        await message.answer(
            _("Nothing found for <code>{id}</code>: no message or campaign has this id.").format(
                id=html.escape(wanted)
            )
        )
        return
    figures = await read_figures(store, campaign)
    await message.answer(
        campaign_history(campaign, figures, store, settings, i18n.current_locale),
        reply_markup=chart_markup(campaign, figures),
    )


async def campaigns(message: Message, store: Store, settings: Settings, i18n: I18n) -> None:
    """The latest campaigns, newest first, each with its figures."""
    text = await latest_campaigns(store, settings, i18n.current_locale, CAMPAIGNS_SHOWN)
    await message.answer(text or _("No campaigns yet."))


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="status")
    router.message.register(status, Command("status"), flags=for_command(VIEWER))
    router.message.register(campaigns, Command("campaigns"), flags=for_command(VIEWER))
    return router
