"""The composing conversation on its card: which step comes next, and drawing it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.utils.i18n import gettext as _

from bot.compose.conversation import ListSummary, RecipientsReport, draft_data, draft_from_data
from bot.compose.costs import Estimate, estimate_list
from bot.compose.list_checks import next_step, summarize_list
from bot.compose.menu_cards import render_extra_prompt, render_template_prompt
from bot.compose.placeholders import placeholders_in
from bot.compose.preview_card import render_preview
from bot.compose.problem_texts import problem_text
from bot.compose.rules import Extra, Problem, Reason, Step, toggle_find_token
from bot.compose.segments import is_sms_type
from bot.compose.step_cards import render_fallback_prompt, render_step, report_text
from bot.compose.transliteration import may_transliterate, transliterate
from bot.compose.typography import plain, typographic_only
from bot.config import Settings
from bot.links.tracking import as_sent
from bot.telegram.dialogs import Wizard, current_card, remove_buttons
from storage.campaigns import Draft
from storage.clock import utc_now
from storage.store import Store

REPORT = "recipients_report"
TYPOGRAPHY_UNDO = "text_before_plain_characters"  # the text as written, for Undo
TRANSLIT_UNDO = "text_before_transliteration"  # the text as written, for Undo
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ComposeStates:
    """Where each question of the composing conversation is kept in the FSM."""

    steps: Mapping[Step, State]
    extras: Mapping[Extra, State]
    template_name: State
    fallback: State

    def step_of(self, state_name: str) -> Step | None:
        return next((s for s, state in self.steps.items() if state.state == state_name), None)

    def extra_of(self, state_name: str) -> Extra | None:
        return next((e for e, state in self.extras.items() if state.state == state_name), None)


class ComposeWizard(Wizard):
    """One person's composing conversation: the draft in the FSM storage and the card it edits."""

    def __init__(
        self,
        chat_id: int,
        bot: Bot,
        state: FSMContext,
        store: Store,
        settings: Settings,
        states: ComposeStates,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(chat_id, bot, state)
        self.store, self.settings, self.states = store, settings, states
        self.clock = clock  # "now" for who is inside quiet hours
        self.problem: Problem | None = None  # why the card asks again, if it does

    def why_unchanged(self) -> str | None:
        if self.problem is None:
            return None
        return html.unescape(_TAGS.sub("", problem_text(self.problem)))

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

    async def show_step(
        self, step: Step, *, problem: Problem | None = None, notice: str = ""
    ) -> None:
        """Move to a step and draw its card."""
        data = await self.state.get_data()
        draft, summary = draft_from_data(data), summarize_list(self.store, data.get("list_id"))
        await self.state.set_state(self.states.steps[step])
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
            draft, latin, latin_undo = await self.weigh_transliteration(draft, data, estimate)
            text, markup = render_preview(
                draft,
                summary,
                self.settings,
                notice=notice,
                estimate=estimate,
                plain_estimate=offer,
                undo=undo,
                latin_estimate=latin,
                latin_undo=latin_undo,
                now=self.clock(),
            )
        else:
            report = RecipientsReport.from_data(data.get(REPORT))
            text, markup = render_step(
                step, draft, summary, self.settings, problem=problem, report=report
            )
        await self.show(text, markup)

    async def weigh_transliteration(
        self, draft: Draft, data: Mapping[str, Any], estimate: Estimate | None
    ) -> tuple[Draft, Estimate | None, bool]:
        """The draft as it stands, its estimate in Latin letters when that saves SMS parts, and
        whether Undo can bring back the text as written. A text edited since it was
        transliterated is taken as written again (its values are no longer transliterated)."""
        original = data.get(TRANSLIT_UNDO)
        undo = bool(original) and transliterate(original) == draft.text
        if draft.transliterate and not undo:
            draft = replace(draft, transliterate=False)
            await self.save(draft, **{TRANSLIT_UNDO: None})
        if (
            draft.transliterate
            or estimate is None
            or not is_sms_type(draft.type)
            or typographic_only(draft.text)
            or not (may_transliterate(draft.text) or placeholders_in(draft.text))
        ):
            return draft, None, undo
        latin_draft = replace(draft, text=transliterate(draft.text), transliterate=True)
        prices, links = (
            self.settings.pulse_prices,
            as_sent(self.settings.public_url, self.settings.tracks_links),
        )
        latin = await estimate_list(self.store, data.get("list_id"), latin_draft, prices, links)
        saves = latin is not None and latin.parts < estimate.parts
        return draft, latin if saves else None, undo

    async def show_preview(self, notice: str = "") -> None:
        await self.show_step(Step.PREVIEW, notice=notice)

    async def advance(self, notice: str = "") -> None:
        """Go to the first step still missing an answer (or whose answer is no longer valid)."""
        draft, list_id = await self.load()
        step, problem = next_step(draft, list_id, self.store, self.settings)
        await self.show_step(step, problem=problem, notice=notice)

    async def re_ask(self, problem: Problem) -> None:
        """Draw the current question again with the reason the input was refused."""
        state_name = await self.state.get_state() or ""
        self.problem = problem
        extra = self.states.extra_of(state_name)
        if extra is not None:
            draft, _list_id = await self.load()
            await self.show(*render_extra_prompt(extra, draft, self.settings, problem=problem))
        elif state_name == self.states.template_name.state:
            await self.show(*render_template_prompt(problem))
        elif state_name == self.states.fallback.state:
            await self.show(*render_fallback_prompt(await self.fallback_name(), problem))
        else:
            await self.show_step(self.states.step_of(state_name) or Step.TYPE, problem=problem)

    async def fallback_name(self) -> str:
        """The first field some recipients have no value for (the one a fallback is asked for)."""
        draft, list_id = await self.load()
        _step, problem = next_step(draft, list_id, self.store, self.settings)
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
        card_id = current_card(data)
        if card_id is not None:
            previous = draft_from_data(data)
            if previous.type or previous.text or data.get("list_id"):
                closing = _("✖️ Closed: a new message was started. Nothing was sent.")
                await self.close_previous(card_id, closing)
                closed = _("The message you were composing was closed unsent; this is a new one.")
                self.note = f"ℹ️ {closed}"
            else:
                await remove_buttons(self.bot, self.chat_id, card_id)
        await self.state.set_data(
            {
                "draft": draft_data(draft),
                "list_id": list_id,
                REPORT: report.to_data() if report else None,
            }
        )
        await self.advance(notice=notice)
