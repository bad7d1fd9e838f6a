"""The composing card's text step: the text, and what to do about recipients without a value
for one of its placeholders (a fallback word, or leaving them out)."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import ngettext

from bot.access import OPERATOR
from bot.compose.cards import ComposeAction, ComposeMove
from bot.compose.inputs import parse_fallback
from bot.compose.list_checks import leave_out_lacking, next_step
from bot.compose.rules import (
    Problem,
    Reason,
    Step,
    add_fallback,
)
from bot.compose.step_cards import render_fallback_prompt
from bot.compose.wizard import ComposeWizard
from bot.telegram.dialogs import (
    NOT_COMMAND,
    OnCurrentCard,
)
from bot.texts import number
from handlers.compose_card import Compose
from storage.members import Member


async def text_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the text if it fits the type and every recipient's placeholders; show the preview.

    A text only some recipients lack a value for is kept: the card offers a fallback or
    leaving them out."""
    draft, list_id = await wizard.load()
    candidate = replace(draft, text=message.text or "")
    step, problem = next_step(candidate, list_id, wizard.store, wizard.settings)
    keep = problem is not None and problem.reason is Reason.PLACEHOLDER_MISSING
    if step is Step.TEXT and problem is not None and not keep:
        await wizard.re_ask(problem)
        return
    await wizard.save(candidate)
    await wizard.show_step(step, problem=problem)


async def fallback_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Ask for the word recipients without a value get instead."""
    name = await wizard.fallback_name()
    if not name:
        await wizard.advance()  # nobody lacks a value any more
        return
    await wizard.state.set_state(Compose.fallback)
    await wizard.show(*render_fallback_prompt(name))


async def fallback_typed(message: Message, wizard: ComposeWizard) -> None:
    """Put the fallback into the text: `{name}` becomes `{name|fallback}`."""
    value = parse_fallback(message.text or "")
    if isinstance(value, Problem):
        await wizard.re_ask(value)
        return
    name = await wizard.fallback_name()
    draft, _list_id = await wizard.load()
    if name:
        await wizard.save(add_fallback(draft, name, value))
    await wizard.advance()


async def leave_out_pressed(query: CallbackQuery, wizard: ComposeWizard, member: Member) -> None:
    """Go on with only the recipients who have every value the text needs."""
    draft, list_id = await wizard.load()
    if list_id is None:
        await wizard.advance()
        return
    new_list, left_out = await leave_out_lacking(draft, wizard.store, list_id, member.user_id)
    await wizard.save(draft, list_id=new_list)
    notice = ngettext(
        "Left out {count} recipient without a value.",
        "Left out {count} recipients without a value.",
        left_out,
    ).format(count=number(left_out))
    await wizard.advance(notice=f"✂️ {notice}")


def build_router() -> Router:
    """The text step's handlers, each answered only on the current card."""
    router = Router(name="compose-text")
    router.callback_query.filter(OnCurrentCard())
    router.message.register(text_typed, Compose.text, F.text, NOT_COMMAND, flags=OPERATOR)
    router.callback_query.register(
        fallback_pressed,
        Compose.text,
        ComposeAction.filter(F.action == ComposeMove.FALLBACK),
        flags=OPERATOR,
    )
    router.callback_query.register(
        leave_out_pressed,
        Compose.text,
        ComposeAction.filter(F.action == ComposeMove.LEAVE_OUT),
        flags=OPERATOR,
    )
    router.message.register(fallback_typed, Compose.fallback, F.text, NOT_COMMAND, flags=OPERATOR)
    return router
