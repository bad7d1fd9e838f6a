"""The composing conversation's states and its card: one message edited in place at every step."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import replace
from typing import Any

from aiogram import BaseMiddleware, Bot, F
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    Document,
    InlineKeyboardMarkup,
    Message,
    TelegramObject,
)
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _

from bot.compose.cards import (
    problem_text,
    render_extra_prompt,
    render_fallback_prompt,
    render_preview,
    render_step,
    render_template_prompt,
    report_text,
)
from bot.compose.costs import estimate_list
from bot.compose.recipient_files import RecipientFileError, file_format
from bot.compose.rules import (
    Extra,
    ListSummary,
    Problem,
    Reason,
    RecipientsReport,
    Step,
    check_file_size,
    draft_data,
    draft_from_data,
    file_problem,
    next_step,
    summarize_list,
    toggle_find_token,
)
from bot.compose.segments import is_sms_type
from bot.compose.typography import plain, typographic_only
from bot.config import Settings
from bot.links.tracking import as_sent
from bot.texts import shorten
from storage.campaigns import Draft
from storage.store import Store

log = logging.getLogger(__name__)

CARD = "card_message_id"
REPORT = "recipients_report"
TYPOGRAPHY_UNDO = "text_before_plain_characters"  # the text as written, for Undo
NOT_COMMAND = ~F.text.startswith("/")
ALERT_CHARS = 200  # Telegram's limit for a press's alert
_TAGS = re.compile(r"<[^>]+>")  # commands pass through a step to their own handlers


class Compose(StatesGroup):
    """Every state of the conversation; docs/compose-wizard.md draws the transitions."""

    type = State()
    sender = State()
    recipients = State()
    text = State()
    preview = State()
    confirm_send = State()
    edit = State()
    extras = State()
    extra_html = State()
    extra_button = State()
    extra_image = State()
    extra_ttl = State()
    extra_charset = State()
    template_name = State()
    fallback = State()  # the word for recipients without a value


STEP_STATES = {
    Step.TYPE: Compose.type,
    Step.SENDER: Compose.sender,
    Step.RECIPIENTS: Compose.recipients,
    Step.TEXT: Compose.text,
    Step.PREVIEW: Compose.preview,
}
EXTRA_STATES = {
    Extra.HTML: Compose.extra_html,
    Extra.BUTTON: Compose.extra_button,
    Extra.IMAGE: Compose.extra_image,
    Extra.TTL: Compose.extra_ttl,
    Extra.CHARSET: Compose.extra_charset,
}
STATE_STEPS = {state.state: step for step, state in STEP_STATES.items()}
STATE_EXTRAS = {state.state: extra for extra, state in EXTRA_STATES.items()}


class Wizard:
    """One person's composing conversation: its data in the FSM storage and the card it edits."""

    def __init__(
        self, chat_id: int, bot: Bot, state: FSMContext, store: Store, settings: Settings
    ) -> None:
        self.chat_id, self.bot, self.state = chat_id, bot, state
        self.store, self.settings = store, settings
        # What the person did, so a redraw that changes nothing still gets a visible answer.
        self.event: Message | CallbackQuery | None = None
        self.callback_answer: CallbackAnswer | None = None
        self.problem: Problem | None = None  # why the card asks again, if it does
        self.unchanged = False
        self.note = ""  # said once at the top of the next card drawn

    async def load(self) -> tuple[Draft, int | None]:
        data = await self.state.get_data()
        return draft_from_data(data), data.get("list_id")

    async def save(self, draft: Draft, **more: Any) -> None:
        await self.state.update_data(draft=draft_data(draft), **more)

    async def toggle_find_token(self) -> bool:
        """Switch find_token of the draft; return whether its recipient list was kept."""
        draft, _list_id = await self.load()
        changed, keeps_list = toggle_find_token(draft)
        if keeps_list:
            await self.save(changed)
        else:
            await self.save(changed, list_id=None, **{REPORT: None})
        return keeps_list

    async def summary(self) -> ListSummary:
        _draft, list_id = await self.load()
        return summarize_list(self.store, list_id)

    async def show(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """Edit the card in place; when it cannot be edited (deleted, too old), send a new one."""
        if self.note:
            text, self.note = f"{self.note}\n\n{text}", ""
        card_id = (await self.state.get_data()).get(CARD)
        if card_id:
            try:
                edited = await self.bot.edit_message_text(
                    text=text, chat_id=self.chat_id, message_id=card_id, reply_markup=markup
                )
                # An edited chat message comes back as the message; the pacing layer answers
                # "message is not modified" with a bare True.
                self.unchanged = edited is True
                return
            except TelegramBadRequest as error:
                if "not modified" in error.message:
                    self.unchanged = True
                    return
                log.info("the card could not be edited (%s); sending a new one", error.message)
                await remove_buttons(self.bot, self.chat_id, card_id)
        sent = await self.bot.send_message(self.chat_id, text, reply_markup=markup)
        await self.state.update_data({CARD: sent.message_id})

    async def tell_unchanged(self) -> None:
        """The card already showed this: say why nothing moved, in the press's alert or a reply."""
        if not self.unchanged:
            return
        self.unchanged = False
        if self.problem is not None:
            reason = html.unescape(_TAGS.sub("", problem_text(self.problem)))
            text = _("The card stays as it is: {reason}").format(reason=reason)
        else:
            text = _("Nothing changed: the card already shows this.")
        answer = self.callback_answer
        if isinstance(self.event, CallbackQuery) and answer is not None:
            if not answer.answered and not answer.disabled and answer.text is None:
                answer.text, answer.show_alert = shorten(text, ALERT_CHARS), True
        elif isinstance(self.event, Message):
            await self.event.answer(html.escape(text))

    async def show_step(
        self, step: Step, *, problem: Problem | None = None, notice: str = ""
    ) -> None:
        """Move to a step and draw its card."""
        data = await self.state.get_data()
        draft, summary = draft_from_data(data), summarize_list(self.store, data.get("list_id"))
        await self.state.set_state(STEP_STATES[step])
        self.problem = problem
        if step is Step.PREVIEW:
            prices, list_id = self.settings.pulse_prices, data.get("list_id")
            links = as_sent(self.settings.public_url, self.settings.tracks_links)
            estimate = await estimate_list(self.store, list_id, draft, prices, links)
            offer = None
            if is_sms_type(draft.type) and typographic_only(draft.text):
                plain_draft = replace(draft, text=plain(draft.text))
                offer = await estimate_list(self.store, list_id, plain_draft, prices, links)
            original = data.get(TYPOGRAPHY_UNDO)
            undo = bool(original) and plain(original) == draft.text != original
            text, markup = render_preview(
                draft,
                summary,
                self.settings,
                notice=notice,
                estimate=estimate,
                plain_estimate=offer,
                undo=undo,
            )
        else:
            report = RecipientsReport.from_data(data.get(REPORT))
            text, markup = render_step(
                step, draft, summary, self.settings, problem=problem, report=report
            )
        await self.show(text, markup)

    async def show_preview(self, notice: str = "") -> None:
        await self.show_step(Step.PREVIEW, notice=notice)

    async def advance(self, notice: str = "") -> None:
        """Go to the first step still missing an answer (or whose answer is no longer valid)."""
        draft, list_id = await self.load()
        step, problem = next_step(draft, list_id, self.store, self.settings.pulse_types)
        await self.show_step(step, problem=problem, notice=notice)

    async def re_ask(self, problem: Problem) -> None:
        """Draw the current question again with the reason the input was refused."""
        state_name = await self.state.get_state() or ""
        self.problem = problem
        if state_name in STATE_EXTRAS:
            draft, _list_id = await self.load()
            extra = STATE_EXTRAS[state_name]
            await self.show(*render_extra_prompt(extra, draft, self.settings, problem=problem))
        elif state_name == Compose.template_name.state:
            await self.show(*render_template_prompt(problem))
        elif state_name == Compose.fallback.state:
            await self.show(*render_fallback_prompt(await self.fallback_name(), problem))
        else:
            await self.show_step(STATE_STEPS.get(state_name, Step.TYPE), problem=problem)

    async def fallback_name(self) -> str:
        """The first field some recipients have no value for (the one a fallback is asked for)."""
        draft, list_id = await self.load()
        _step, problem = next_step(draft, list_id, self.store, self.settings.pulse_types)
        if problem is not None and problem.reason is Reason.PLACEHOLDER_MISSING:
            return str(problem.details["names"][0])
        return ""

    async def start(
        self,
        draft: Draft,
        list_id: int | None = None,
        report: RecipientsReport | None = None,
    ) -> None:
        """Open a new card for a draft and go to its first unanswered step.

        A draft already under way is not dropped silently: its card says it was closed,
        and the new card says so too."""
        data = await self.state.get_data()
        notice = report_text(report) if report else ""
        if data.get(CARD):
            previous = draft_from_data(data)
            if previous.type or previous.text or data.get("list_id"):
                await self.close_previous(data[CARD])
                closed = _("The message you were composing was closed unsent; this is a new one.")
                self.note = f"ℹ️ {closed}"
            else:
                await remove_buttons(self.bot, self.chat_id, data[CARD])
        await self.state.set_data(
            {
                "draft": draft_data(draft),
                "list_id": list_id,
                REPORT: report.to_data() if report else None,
            }
        )
        await self.advance(notice=notice)

    async def close_previous(self, card_id: int) -> None:
        """The old card says it is no longer in use, without buttons."""
        try:
            await self.bot.edit_message_text(
                _("✖️ Closed: a new message was started. Nothing was sent."),
                chat_id=self.chat_id,
                message_id=card_id,
            )
        except TelegramAPIError as error:
            log.info("the old card could not be closed: %s", error.message)
            await remove_buttons(self.bot, self.chat_id, card_id)


def wizard_for(
    event: Message | CallbackQuery, bot: Bot, state: FSMContext, store: Store, settings: Settings
) -> Wizard:
    """The conversation of the chat an update came from."""
    message = event.message if isinstance(event, CallbackQuery) else event
    assert message is not None  # compose buttons are always on a message
    return Wizard(message.chat.id, bot, state, store, settings)


class WizardMiddleware(BaseMiddleware):
    """Hands the composing handlers their conversation as the `wizard` parameter."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat = data.get("event_chat")
        if chat is None:
            return await handler(event, data)
        wizard = data["wizard"] = Wizard(
            chat.id, data["bot"], data["state"], data["store"], data["settings"]
        )
        if isinstance(event, Message | CallbackQuery):
            wizard.event = event
        wizard.callback_answer = data.get("callback_answer")
        result = await handler(event, data)
        await wizard.tell_unchanged()
        return result


class OnCurrentCard(Filter):
    """True for a press on the conversation's current card, False for an old or foreign one."""

    async def __call__(self, query: CallbackQuery, state: FSMContext) -> bool:
        card_id = (await state.get_data()).get(CARD)
        return query.message is not None and query.message.message_id == card_id


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Best effort: a card that is no longer current keeps its text but loses its buttons."""
    with suppress(TelegramAPIError):
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id)


async def download_recipient_file(bot: Bot, document: Document) -> bytes | Problem:
    """The file's bytes, refusing by name and declared size before anything is downloaded."""
    too_large = check_file_size(document.file_size)
    if too_large is not None:
        return too_large
    try:
        file_format(document.file_name or "")
    except RecipientFileError as error:
        return file_problem(error)
    return await download(bot, document)


async def download(bot: Bot, file: Any) -> bytes | Problem:
    """A file sent to the bot (through TELEGRAM_API_URL), or why it could not be had."""
    try:
        downloaded = await bot.download(file)
    except (TelegramAPIError, OSError, TimeoutError):
        log.warning("a file could not be downloaded", exc_info=True)
        return Problem(Reason.FILE_DOWNLOAD_FAILED)
    assert downloaded is not None
    return downloaded.read()
