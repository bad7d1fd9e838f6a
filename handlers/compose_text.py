"""The composing card's text step: the text, and what to do about recipients without a value
for one of its placeholders (a fallback word, or leaving them out)."""

from __future__ import annotations

from dataclasses import replace

from aiogram.types import Message
from aiogram.utils.i18n import ngettext

from bot.compose.cards import ComposeMove
from bot.compose.inputs import parse_fallback
from bot.compose.list_checks import leave_out_lacking, next_step
from bot.compose.rules import Problem, Reason, Step, add_fallback
from bot.compose.wizard import ComposeWizard
from bot.telegram.dialog_kit import member_of
from bot.texts import number
from handlers.compose_card import CardHandlers, Compose, text


async def text_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the text if it fits the type and every recipient's placeholders; show the preview.

    A text only some recipients lack a value for is kept: the card offers a fallback or
    leaving them out."""
    draft, list_id = wizard.load()
    candidate = replace(draft, text=message.text or "")
    step, problem = next_step(candidate, list_id, wizard.store, wizard.settings)
    keep = problem is not None and problem.reason is Reason.PLACEHOLDER_MISSING
    if step is Step.TEXT and problem is not None and not keep:
        wizard.re_ask(problem)
        return
    wizard.save(candidate)
    await wizard.show_step(step, problem=problem)


async def fallback_pressed(wizard: ComposeWizard) -> None:
    """Ask for the word recipients without a value get instead."""
    if not wizard.fallback_name():
        await wizard.advance()  # nobody lacks a value any more
        return
    await wizard.go(Compose.fallback)


async def fallback_typed(message: Message, wizard: ComposeWizard) -> None:
    """Put the fallback into the text: `{name}` becomes `{name|fallback}`."""
    value = parse_fallback(message.text or "")
    if isinstance(value, Problem):
        wizard.re_ask(value)
        return
    name = wizard.fallback_name()
    draft, _list_id = wizard.load()
    if name:
        wizard.save(add_fallback(draft, name, value))
    await wizard.advance()


async def leave_out_pressed(wizard: ComposeWizard) -> None:
    """Go on with only the recipients who have every value the text needs."""
    draft, list_id = wizard.load()
    if list_id is None:
        await wizard.advance()
        return
    member = member_of(wizard.manager)
    new_list, left_out = await leave_out_lacking(draft, wizard.store, list_id, member.user_id)
    wizard.save(draft, list_id=new_list)
    notice = ngettext(
        "Left out {count} recipient without a value.",
        "Left out {count} recipients without a value.",
        left_out,
    ).format(count=number(left_out))
    await wizard.advance(notice=f"✂️ {notice}")


def register(card: CardHandlers) -> None:
    card.typed([Compose.text], text, text_typed)
    card.press([Compose.text], ComposeMove.FALLBACK, fallback_pressed)
    card.press([Compose.text], ComposeMove.LEAVE_OUT, leave_out_pressed)
    card.typed([Compose.fallback], text, fallback_typed)
