"""The preview's "Transliterate" and its Undo: a Cyrillic SMS text in Latin letters, shown for
approval before anything is sent."""

from __future__ import annotations

from dataclasses import replace

from bot.compose.cards import ComposeMove
from bot.compose.transliteration import transliterate
from bot.compose.transliteration_cards import transliterated_notice
from bot.compose.wizard import TRANSLIT_UNDO, ComposeWizard
from handlers.compose_card import CardHandlers, Compose


async def transliterate_pressed(wizard: ComposeWizard) -> None:
    """Put the text in Latin letters, keeping it as written for Undo; values follow at sending."""
    draft, _list_id = wizard.load()
    if draft.transliterate:
        await wizard.show_preview()
        return
    latin = replace(draft, text=transliterate(draft.text), transliterate=True)
    wizard.save(latin, **{TRANSLIT_UNDO: draft.text})
    await wizard.show_preview(notice=transliterated_notice())


async def transliteration_undo_pressed(wizard: ComposeWizard) -> None:
    """Bring back the text as written, if it was not changed since."""
    draft, _list_id = wizard.load()
    original = wizard.data.get(TRANSLIT_UNDO)
    if original and transliterate(original) == draft.text:
        wizard.save(replace(draft, text=original, transliterate=False), **{TRANSLIT_UNDO: None})
    await wizard.show_preview()


def register(card: CardHandlers) -> None:
    card.press([Compose.preview], ComposeMove.TRANSLIT, transliterate_pressed)
    card.press([Compose.preview], ComposeMove.TRANSLIT_UNDO, transliteration_undo_pressed)
