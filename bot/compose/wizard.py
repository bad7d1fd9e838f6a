"""The composing conversation on its card: which step comes next, and what the card shows.

The conversation is an aiogram-dialog dialog (handlers/compose.py builds it); this controller
keeps its draft in the dialog's data, moves it between the dialog's windows and draws the card
of the window it is in. What a step says once (why an answer was refused, what a press did)
lives only until the card is drawn for the update that caused it.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode

from bot.compose.conversation import ListSummary, RecipientsReport, draft_data, draft_from_data
from bot.compose.costs import Estimate, estimate_list
from bot.compose.list_checks import next_step, summarize_list
from bot.compose.menu_cards import (
    render_confirm,
    render_edit_menu,
    render_extra_prompt,
    render_extras_menu,
    render_template_prompt,
)
from bot.compose.placeholders import placeholders_in
from bot.compose.preview_card import render_preview
from bot.compose.problem_texts import problem_text
from bot.compose.rules import Extra, Problem, Reason, Step, toggle_find_token
from bot.compose.segments import is_sms_type
from bot.compose.step_cards import render_fallback_prompt, render_step
from bot.compose.transliteration import may_transliterate, transliterate
from bot.compose.typography import plain, typographic_only
from bot.config import Settings
from bot.links.tracking import as_sent
from bot.members.cards import render_test_address_prompt
from bot.telegram.messages import edit_card
from storage.campaigns import Draft
from storage.clock import utc_now
from storage.members import OwnAddress
from storage.store import Store

log = logging.getLogger(__name__)

REPORT = "recipients_report"
TYPOGRAPHY_UNDO = "text_before_plain_characters"  # the text as written, for Undo
TRANSLIT_UNDO = "text_before_transliteration"  # the text as written, for Undo
ADVANCED = "extras_advanced"  # the extras menu shows the advanced ones
WIZARD = "compose_wizard"  # middleware data: the conversation of this update
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ComposeStates:
    """The windows of the composing dialog, by what each asks."""

    steps: Mapping[Step, State]
    extras: Mapping[Extra, State]
    extras_menu: State
    template_name: State
    fallback: State
    confirm_send: State
    edit: State
    test_address: Mapping[OwnAddress, State]

    def step_of(self, state: State | None) -> Step | None:
        return next((s for s, candidate in self.steps.items() if candidate == state), None)

    def extra_of(self, state: State | None) -> Extra | None:
        return next((e for e, candidate in self.extras.items() if candidate == state), None)

    def test_address_of(self, state: State | None) -> OwnAddress | None:
        return next((k for k, candidate in self.test_address.items() if candidate == state), None)


class ComposeWizard:
    """One person's composing conversation: the draft in the dialog's data, and its card."""

    def __init__(
        self,
        manager: DialogManager,
        store: Store,
        settings: Settings,
        states: ComposeStates,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.manager, self.store, self.settings, self.states = manager, store, settings, states
        self.clock = clock  # "now" for who is inside quiet hours
        # Said by the next card only, for the update that drew it.
        self.problem: Problem | None = None  # why the card asks again, if it does
        self.notice = ""  # what the last press did, above the preview
        self.warning = ""  # why a typed own address was refused
        self.note = ""  # above any card: a conversation closed to start this one

    @classmethod
    def of(cls, manager: DialogManager, states: ComposeStates) -> ComposeWizard:
        """The conversation of this update (one per update, shared by its handler and its card)."""
        data = manager.middleware_data
        wizard = data.get(WIZARD)
        if not isinstance(wizard, ComposeWizard) or wizard.manager is not manager:
            wizard = cls(
                manager,
                data["store"],
                data["settings"],
                states,
                clock=data.get("clock", utc_now),
            )
            data[WIZARD] = wizard
        return wizard

    # -- where the conversation is --------------------------------------------------------------

    @property
    def data(self) -> dict[str, Any]:
        return self.manager.dialog_data

    @property
    def bot(self) -> Bot:
        return self.manager.middleware_data["bot"]

    @property
    def chat_id(self) -> int:
        return self.manager.middleware_data["event_chat"].id

    @property
    def state(self) -> State:
        return self.manager.current_context().state

    async def card_id(self) -> int | None:
        """The message id of the conversation's card, if it has one."""
        return self.manager.current_stack().last_message_id

    async def go(self, state: State) -> None:
        await self.manager.switch_to(state)

    # -- the draft ------------------------------------------------------------------------------

    def load(self) -> tuple[Draft, int | None]:
        return draft_from_data(self.data), self.data.get("list_id")

    def save(self, draft: Draft, **more: Any) -> None:
        self.data.update(draft=draft_data(draft), **more)

    def toggle_find_token(self) -> bool:
        """Switch find_token of the draft; return whether its recipient list was kept."""
        draft, _list_id = self.load()
        changed, keeps_list = toggle_find_token(draft)
        if keeps_list:
            self.save(changed)
        else:
            self.save(changed, list_id=None, **{REPORT: None})
        return keeps_list

    def summary(self) -> ListSummary:
        return summarize_list(self.store, self.data.get("list_id"))

    # -- moving between the windows -------------------------------------------------------------

    async def show_step(
        self, step: Step, *, problem: Problem | None = None, notice: str = ""
    ) -> None:
        """Move to a step; its card is drawn with the reason or the notice given."""
        self.problem, self.notice = problem, notice
        await self.go(self.states.steps[step])

    async def show_preview(self, notice: str = "") -> None:
        await self.show_step(Step.PREVIEW, notice=notice)

    async def advance(self, notice: str = "") -> None:
        """Go to the first step still missing an answer (or whose answer is no longer valid)."""
        draft, list_id = self.load()
        step, problem = next_step(draft, list_id, self.store, self.settings)
        await self.show_step(step, problem=problem, notice=notice)

    def re_ask(self, problem: Problem) -> None:
        """Draw the current question again with the reason the input was refused."""
        self.problem = problem

    def fallback_name(self) -> str:
        """The first field some recipients have no value for (the one a fallback is asked for)."""
        draft, list_id = self.load()
        _step, problem = next_step(draft, list_id, self.store, self.settings)
        if problem is not None and problem.reason is Reason.PLACEHOLDER_MISSING:
            return str(problem.details["names"][0])
        return ""

    def why_unchanged(self) -> str | None:
        """The reason, in plain text, why the card asked the same question again (if it did)."""
        if self.problem is None:
            return None
        return html.unescape(_TAGS.sub("", problem_text(self.problem)))

    async def finish(self, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        """End the conversation with a last word on its card (its buttons go, or become `markup`)."""
        card_id = await self.card_id()
        shown = card_id is not None and await edit_card(
            self.bot, self.chat_id, card_id, text, markup
        )
        if not shown:
            await self.bot.send_message(self.chat_id, text, reply_markup=markup)
        await self.manager.done(show_mode=ShowMode.NO_UPDATE)  # the card's text is its own now

    # -- the card -------------------------------------------------------------------------------

    async def card(self) -> tuple[str, InlineKeyboardMarkup]:
        """What the card shows in the window the conversation is in."""
        text, markup = await self._card()
        if self.note:
            text = f"{self.note}\n\n{text}"
        return text, markup

    async def _card(self) -> tuple[str, InlineKeyboardMarkup]:
        state, states = self.state, self.states
        draft, _list_id = self.load()
        step, extra, kind = states.step_of(state), states.extra_of(state), None
        if step is Step.PREVIEW:
            return await self.preview()
        if step is not None:
            report = RecipientsReport.from_data(self.data.get(REPORT))
            return render_step(
                step, draft, self.summary(), self.settings, problem=self.problem, report=report
            )
        if extra is not None:
            return render_extra_prompt(extra, draft, self.settings, problem=self.problem)
        if state == states.extras_menu:
            advanced = bool(self.data.get(ADVANCED))
            return render_extras_menu(draft, self.summary(), advanced=advanced)
        if state == states.template_name:
            return render_template_prompt(self.problem)
        if state == states.fallback:
            return render_fallback_prompt(self.fallback_name(), self.problem)
        if state == states.confirm_send:
            return render_confirm(self.summary().size)
        if state == states.edit:
            return render_edit_menu(draft, self.summary())
        kind = states.test_address_of(state)
        assert kind is not None, state
        return render_test_address_prompt(kind, self.warning)

    async def preview(self) -> tuple[str, InlineKeyboardMarkup]:
        draft, list_id = self.load()
        prices = self.settings.pulse_prices
        links = as_sent(self.settings.public_url, self.settings.tracks_links)
        estimate = await estimate_list(self.store, list_id, draft, prices, links)
        offer = None
        if is_sms_type(draft.type) and typographic_only(draft.text):
            plain_draft = replace(draft, text=plain(draft.text))
            offer = await estimate_list(self.store, list_id, plain_draft, prices, links)
        original = self.data.get(TYPOGRAPHY_UNDO)
        undo = bool(original) and plain(original) == draft.text != original
        draft, latin, latin_undo = await self.weigh_transliteration(draft, estimate)
        return render_preview(
            draft,
            self.summary(),
            self.settings,
            notice=self.notice,
            estimate=estimate,
            plain_estimate=offer,
            undo=undo,
            latin_estimate=latin,
            latin_undo=latin_undo,
            now=self.clock(),
        )

    async def weigh_transliteration(
        self, draft: Draft, estimate: Estimate | None
    ) -> tuple[Draft, Estimate | None, bool]:
        """The draft as it stands, its estimate in Latin letters when that saves SMS parts, and
        whether Undo can bring back the text as written. A text edited since it was
        transliterated is taken as written again (its values are no longer transliterated)."""
        original = self.data.get(TRANSLIT_UNDO)
        undo = bool(original) and transliterate(original) == draft.text
        if draft.transliterate and not undo:
            draft = replace(draft, transliterate=False)
            self.save(draft, **{TRANSLIT_UNDO: None})
        if (
            draft.transliterate
            or estimate is None
            or not is_sms_type(draft.type)
            or typographic_only(draft.text)
            or not (may_transliterate(draft.text) or placeholders_in(draft.text))
        ):
            return draft, None, undo
        latin_draft = replace(draft, text=transliterate(draft.text), transliterate=True)
        prices = self.settings.pulse_prices
        links = as_sent(self.settings.public_url, self.settings.tracks_links)
        latin = await estimate_list(
            self.store, self.data.get("list_id"), latin_draft, prices, links
        )
        saves = latin is not None and latin.parts < estimate.parts
        return draft, latin if saves else None, undo


def start_data(
    draft: Draft,
    list_id: int | None = None,
    report: RecipientsReport | None = None,
    note: str = "",
) -> dict[str, Any]:
    """What a new composing conversation starts from (JSON-ready, kept in the dialog's stack)."""
    return {
        "draft": draft_data(draft),
        "list_id": list_id,
        REPORT: report.to_data() if report else None,
        "note": note,
    }


def closed_by_command(command: str) -> str:
    """What an unsent draft's card says when another command's card took its place."""
    return _("✖️ Closed: you opened {command}. Nothing was sent.").format(command=command)


def closing_texts() -> tuple[str, str]:
    """What an unsent draft's card says when a new one starts, and what the new card says."""
    closing = _("✖️ Closed: a new message was started. Nothing was sent.")
    closed = _("The message you were composing was closed unsent; this is a new one.")
    return closing, f"ℹ️ {closed}"
