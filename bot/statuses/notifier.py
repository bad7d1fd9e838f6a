"""Status cards: one per campaign in the notify group and one in the author's chat, edited in place.

Changes only mark a card dirty; a worker per chat renders it from the database right before
each call, so edits coalesce (the latest state wins) and stay within Telegram's limits: one
card call per chat every few seconds. Once the campaign is finished (`tracker.py` decides that)
the card says so, and each chat gets the delivery chart and the CSV of the recipients who did
not get the message. This is the Telegram side only: texts come from `cards.py`, files from
`report.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.compose.costs import Estimate, accepted_estimate
from bot.config import Settings
from bot.metrics import Metrics
from bot.statuses.cards import ACTIVE_STATES, card_markup, render_card
from bot.statuses.chats import card_chats, notify_chat_id
from bot.statuses.figures import read_figures
from bot.statuses.report import chart, report_document, undelivered_caption
from bot.telegram.topics import about_type
from storage.campaigns import Campaign, CampaignState
from storage.store import Store

log = logging.getLogger(__name__)

FOLLOWED_KEPT = 1_000  # campaigns whose author and chat are kept at hand


def _looks(text: str, markup: InlineKeyboardMarkup | None) -> tuple[str, str]:
    """What a card shows, to compare with what is on screen."""
    return text, markup.model_dump_json() if markup else ""


# -- the notifier --------------------------------------------------------------------------------


class Notifier:
    """Keeps every campaign's cards current; `campaign_changed` is all other services call."""

    def __init__(
        self,
        bot: Bot,
        store: Store,
        settings: Settings,
        i18n: I18n,
        metrics: Metrics,
        *,
        private_interval: float = 3.0,
        group_interval: float = 4.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot, self.store, self.settings, self.i18n = bot, store, settings, i18n
        self.metrics = metrics
        self.private_interval, self.group_interval = private_interval, group_interval
        self.clock = clock
        self._dirty: dict[int, dict[int, None]] = {}  # chat -> campaigns whose card is stale
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._next_at: dict[int, float] = {}
        # (campaign, chat) -> text and buttons on screen
        self._shown: dict[tuple[int, int], tuple[str, str]] = {}
        self._estimates: dict[int, Estimate | None] = {}  # finished campaigns: counted once
        self._followed: dict[int, Campaign] = {}  # campaigns under way, for their chats
        self._errors_logged: dict[int, str] = {}
        self._drawing = 0  # redraws under way
        self._charted: set[tuple[int, int]] = set()  # (campaign, chat) whose final chart went

    def start(self) -> None:
        """Refresh the cards of campaigns still under way (they may be stale after a restart)."""
        for campaign in self.store.campaigns.with_state(*ACTIVE_STATES):
            self.campaign_changed(campaign.id)
        self._send_owed_reports()

    def _send_owed_reports(self) -> None:
        """Reports a stop kept from their chats go out now (to the group's new id if it moved)."""
        group = self.chat_id()
        for owed in self.store.reports.all():
            chat = owed.chat_id
            if chat == self.settings.notify_chat_id and group and group != chat:
                self.store.reports.move(owed.campaign_id, chat, group)
                chat = group
            if chat in self._chats(owed.campaign_id):
                self._mark(chat, owed.campaign_id)
            else:  # the chat no longer follows the campaign (another notify group)
                log.info("report of campaign %s no longer owed to chat %s", owed.campaign_id, chat)
                self.store.reports.delivered(owed.campaign_id, chat)

    async def stop(self) -> None:
        tasks = list(self._workers.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drawn(self) -> None:
        """Wait until every stale card has been drawn (or given up on)."""
        while self._workers:
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    def chat_id(self) -> int | None:
        return notify_chat_id(self.settings, self.store.kv)

    def campaign_changed(self, campaign_id: int) -> None:
        """Mark the campaign's cards stale; they are redrawn within seconds, never more often."""
        for chat in self._chats(campaign_id):
            self._mark(chat, campaign_id)

    def _chats(self, campaign_id: int) -> list[int]:
        """Where the campaign's cards live (see `card_chats`); the campaign is looked up once."""
        campaign = self._followed.get(campaign_id)
        if campaign is None:
            campaign = self.store.campaigns.get(campaign_id)
            if campaign is None:
                return []
            if campaign.state is not CampaignState.SCHEDULED:  # an admin may still take it over
                if len(self._followed) >= FOLLOWED_KEPT:  # the oldest are the least likely asked
                    del self._followed[next(iter(self._followed))]
                self._followed[campaign_id] = campaign
        return card_chats(self.store, self.settings, campaign)

    def _mark(self, chat: int, campaign_id: int) -> None:
        self._dirty.setdefault(chat, {})[campaign_id] = None
        self._count_pending()
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat))

    def _count_pending(self) -> None:
        stale = sum(len(queue) for queue in self._dirty.values())
        self.metrics.card_updates_pending.set(stale + self._drawing)

    def _interval(self, chat: int) -> float:
        return self.group_interval if chat < 0 else self.private_interval

    async def _work(self, chat: int) -> None:
        """Redraw the chat's stale cards one at a time, oldest first, spaced by the chat's interval."""
        try:
            while queue := self._dirty.get(chat):
                wait = self._next_at.get(chat, 0.0) - self.clock()
                if wait > 0:
                    await asyncio.sleep(wait)  # meanwhile more changes coalesce into this redraw
                campaign_id = next(iter(queue))
                del queue[campaign_id]
                self._drawing += 1
                try:
                    calls = await self._redraw(chat, campaign_id)
                finally:
                    self._drawing -= 1
                    self._count_pending()
                if calls:
                    self._next_at[chat] = self.clock() + self._interval(chat) * calls
            self._dirty.pop(chat, None)
        finally:
            self._workers.pop(chat, None)

    async def _redraw(self, chat: int, campaign_id: int) -> int:
        """Bring one card up to date; returns how many Telegram calls that took."""
        calls = 0
        try:
            with self.i18n.context(), self.i18n.use_locale(self.settings.locale):
                calls = await self._update_card(chat, campaign_id)
        except TelegramForbiddenError:
            pass  # the pacing layer reported it once; statuses keep being stored
        except (
            TelegramServerError,
            TelegramNetworkError,
            TelegramRetryAfter,
            sqlite3.Error,
        ) as error:
            # Nothing is lost: the card stays stale and is drawn again after the interval.
            log.warning("card of campaign %s in chat %s not updated: %s", campaign_id, chat, error)
            self._dirty.setdefault(chat, {})[campaign_id] = None
            calls = max(calls, 1)
        except TelegramAPIError as error:
            if self._errors_logged.get(chat) != error.message:
                self._errors_logged[chat] = error.message
                log.warning("card of campaign %s in chat %s refused: %s", campaign_id, chat, error)
            calls = max(calls, 1)
        except Exception:
            log.exception("card of campaign %s in chat %s failed", campaign_id, chat)
        return calls

    async def _update_card(self, chat: int, campaign_id: int) -> int:
        campaign = self.store.campaigns.get(campaign_id)
        if campaign is None:
            return 0
        if chat > 0 and chat not in self._chats(campaign_id):
            # The author lost access after this was due: nothing more goes to their chat.
            self.store.reports.delivered(campaign_id, chat)
            return 0
        with about_type(campaign.type):  # the card and its report go to the type's topic
            return await self._update_campaign_card(chat, campaign)

    async def _update_campaign_card(self, chat: int, campaign: Campaign) -> int:
        campaign_id = campaign.id
        card = self.store.cards.get(campaign_id, chat)
        if card is None and campaign.state not in (*ACTIVE_STATES, CampaignState.FINISHED):
            return 0  # a scheduled or cancelled send that never started has no card
        figures = await read_figures(self.store, campaign)
        single = figures.single
        estimate = None if single else await self._estimate(campaign)
        text = render_card(campaign, figures, self.store, self.settings, estimate=estimate)
        markup = card_markup(campaign, figures)
        calls = 0
        if card is None or self._shown.get((campaign_id, chat)) != _looks(text, markup):
            message_id = card.message_id if card else None
            calls += await self._show(chat, campaign_id, message_id, text, markup)
        card = self.store.cards.get(campaign_id, chat)
        finished = campaign.state is CampaignState.FINISHED
        if card is not None and finished and self.store.reports.is_owed(campaign_id, chat):
            calls += await self._send_report(chat, campaign, single)
        elif card is not None and campaign.state is not CampaignState.FINISHED and card.report_sent:
            self.store.cards.clear_report_sent(campaign_id, chat)  # reopened: report again later
        return calls

    async def _estimate(self, campaign: Campaign) -> Estimate | None:
        """The cost of a finished campaign's accepted messages, counted once."""
        if campaign.state is not CampaignState.FINISHED:
            return None
        if campaign.id not in self._estimates:
            self._estimates[campaign.id] = await accepted_estimate(
                self.store, campaign, self.settings.pulse_prices
            )
        return self._estimates[campaign.id]

    async def _show(
        self,
        chat: int,
        campaign_id: int,
        message_id: int | None,
        text: str,
        markup: InlineKeyboardMarkup | None,
    ) -> int:
        """Edit the card in place, or send it when there is none (or it can no longer be edited)."""
        calls = 0
        if message_id is not None:
            calls += 1
            try:
                await self.bot.edit_message_text(
                    text=text, chat_id=chat, message_id=message_id, reply_markup=markup
                )
                self.metrics.card_updates.labels(kind="edited").inc()
                self._shown[(campaign_id, chat)] = _looks(text, markup)
                return calls
            except TelegramBadRequest as error:
                if "message to edit not found" not in error.message and "can't be edited" not in (
                    error.message
                ):
                    raise
        sent = await self.bot.send_message(chat_id=chat, text=text, reply_markup=markup)
        self.metrics.card_updates.labels(kind="sent").inc()
        self.store.cards.save(campaign_id, sent.chat.id, sent.message_id)
        self._shown[(campaign_id, sent.chat.id)] = _looks(text, markup)
        if sent.chat.id != chat:  # the group was migrated: the card lives in the new chat now
            with self.store.db.atomic():
                self.store.cards.forget(campaign_id, chat)
                self.store.reports.move(campaign_id, chat, sent.chat.id)
            self._mark(sent.chat.id, campaign_id)  # its final report, if due, goes there
        return calls + 1

    async def _send_report(self, chat: int, campaign: Campaign, single: bool) -> int:
        """The final report file, once per chat: every recipient who did not get the message.

        The report stays owed in the database until Telegram took it, so a restart sends it.
        """
        calls = 0
        if not single:
            if (campaign.id, chat) not in self._charted:  # a report tried again: chart once
                calls += await self._send_chart(chat, campaign)
            document, count = await report_document(self.store, self.settings, campaign, full=False)
            if count:
                caption = undelivered_caption(campaign.id, count, self.settings.locale)
                await self.bot.send_document(chat_id=chat, document=document, caption=caption)
                self.metrics.card_updates.labels(kind="report").inc()
                calls += 1
        with self.store.db.atomic():
            self.store.reports.delivered(campaign.id, chat)
            self.store.cards.mark_report_sent(campaign.id, chat)
        self._charted.discard((campaign.id, chat))  # a reopened campaign gets a new one
        self._shown.pop((campaign.id, chat), None)  # a finished card rarely changes again
        return calls

    async def _send_chart(self, chat: int, campaign: Campaign) -> int:
        """The delivery chart before the report file; a chart that cannot be drawn is left out
        rather than holding the report back."""
        try:
            drawn = await chart(self.store, campaign)
        except Exception:
            log.exception("delivery chart of campaign %s could not be drawn", campaign.id)
            return 0
        if drawn is None:
            return 0
        photo, caption = drawn
        await self.bot.send_photo(chat_id=chat, photo=photo, caption=caption)
        self._charted.add((campaign.id, chat))
        return 1
