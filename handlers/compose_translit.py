"""The preview's "Transliterate" and its Undo: a Cyrillic SMS text in Latin letters, shown for
approval before anything is sent."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot.access import OPERATOR
from bot.compose.cards import ComposeAction, ComposeMove
from bot.compose.transliteration import transliterate
from bot.compose.transliteration_cards import transliterated_notice
from bot.compose.wizard import TRANSLIT_UNDO, ComposeWizard
from bot.telegram.dialogs import OnCurrentCard
from handlers.compose_card import Compose


async def transliterate_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Put the text in Latin letters, keeping it as written for Undo; values follow at sending."""
    draft, _list_id = await wizard.load()
    if draft.transliterate:
        await wizard.show_preview()
        return
    latin = replace(draft, text=transliterate(draft.text), transliterate=True)
    await wizard.save(latin, **{TRANSLIT_UNDO: draft.text})
    await wizard.show_preview(notice=transliterated_notice())


async def transliteration_undo_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Bring back the text as written, if it was not changed since."""
    draft, _list_id = await wizard.load()
    original = (await wizard.state.get_data()).get(TRANSLIT_UNDO)
    if original and transliterate(original) == draft.text:
        written = replace(draft, text=original, transliterate=False)
        await wizard.save(written, **{TRANSLIT_UNDO: None})
    await wizard.show_preview()


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="compose-transliteration")
    router.callback_query.filter(OnCurrentCard())
    router.callback_query.register(
        transliterate_pressed,
        Compose.preview,
        ComposeAction.filter(F.action == ComposeMove.TRANSLIT),
        flags=OPERATOR,
    )
    router.callback_query.register(
        transliteration_undo_pressed,
        Compose.preview,
        ComposeAction.filter(F.action == ComposeMove.TRANSLIT_UNDO),
        flags=OPERATOR,
    )
    return router
