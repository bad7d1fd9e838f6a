"""Extras on the preview: HTML text, a button, an image, TTL, charset and find_token."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message

from bot.access import OPERATOR
from bot.compose.cards import ComposeAction, ComposeMove, ComposePick, PickKind
from bot.compose.inputs import parse_button, parse_image_url, parse_ttl
from bot.compose.list_checks import check_list_values
from bot.compose.media import MediaStore, media_url
from bot.compose.menu_cards import render_extra_prompt, render_extras_menu
from bot.compose.rules import CHARSETS, Extra, Problem, Reason, check_charset, extras_for
from bot.compose.wizard import ComposeWizard
from bot.config import Settings
from bot.telegram.dialogs import NOT_COMMAND, OnCurrentCard, download
from handlers.compose_card import COMPOSE_STATES, Compose
from storage.campaigns import Draft

# What Remove clears for each extra.
CLEARED = {
    Extra.HTML: {"html_text": None},
    Extra.BUTTON: {"button": None, "action": None},
    Extra.IMAGE: {"image": None},
    Extra.TTL: {"ttl": None},
    Extra.CHARSET: {"charset": None},
}

T = TypeVar("T")


async def show_extras(wizard: ComposeWizard, advanced: bool = False) -> None:
    """The menu of extras this type can have (or of its advanced ones), with those already set."""
    draft, _list_id = await wizard.load()
    await wizard.state.set_state(Compose.extras)
    await wizard.show(*render_extras_menu(draft, await wizard.summary(), advanced=advanced))


async def set_extra(wizard: ComposeWizard, draft: Draft) -> None:
    """Keep the changed draft and show the preview with it."""
    await wizard.save(draft)
    await wizard.show_preview()


async def extras_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Show the extras that can be set for this type."""
    await show_extras(wizard)


async def advanced_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Show the rarely needed extras: the charset and finding tokens by phone or e-mail."""
    await show_extras(wizard, advanced=True)


async def extra_chosen(
    query: CallbackQuery, callback_data: ComposePick, wizard: ComposeWizard
) -> None:
    """Toggle find_token at once; for the other extras ask for the value."""
    draft, _list_id = await wizard.load()
    offered = extras_for(draft.type)
    if callback_data.index >= len(offered):
        return
    extra = offered[callback_data.index]
    if extra is Extra.FIND_TOKEN:
        if await wizard.toggle_find_token():
            await show_extras(wizard, advanced=True)
        else:
            await wizard.advance()  # the recipients step says what the list must hold now
        return
    await wizard.state.set_state(COMPOSE_STATES.extras[extra])
    await wizard.show(*render_extra_prompt(extra, draft, wizard.settings))


async def extra_removed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Clear this extra; back to the preview."""
    draft, _list_id = await wizard.load()
    extra = COMPOSE_STATES.extra_of(await wizard.state.get_state() or "")
    assert extra is not None  # the handler is registered only on the extras' states
    await set_extra(wizard, replace(draft, **CLEARED[extra]))  # type: ignore[arg-type]


async def html_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the HTML text as typed: it goes to the platform, never into a Telegram message."""
    draft, list_id = await wizard.load()
    changed = replace(draft, html_text=message.text)
    problem = check_charset(changed, changed.charset) or check_list_values(
        changed, wizard.store, list_id
    )
    if problem is not None:
        await wizard.re_ask(problem)
        return
    await set_extra(wizard, changed)


async def take(
    wizard: ComposeWizard, parsed: T | Problem, apply: Callable[[Draft, T], Draft]
) -> None:
    """An extra read from what was sent: asked again with the reason, or stored (preview next)."""
    if isinstance(parsed, Problem):
        await wizard.re_ask(parsed)
        return
    draft, _list_id = await wizard.load()
    await set_extra(wizard, apply(draft, parsed))


async def button_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the button's caption and the address or bot command it opens."""
    await take(
        wizard,
        parse_button(message.text or ""),
        lambda draft, button: replace(draft, button=button[0], action=button[1]),
    )


async def image_uploaded(
    message: Message, wizard: ComposeWizard, settings: Settings, media: MediaStore
) -> None:
    """Keep the photo under an unguessable name and use its PUBLIC_URL address."""
    if not settings.public_url:
        await wizard.re_ask(Problem(Reason.NEED_PUBLIC_URL))
        return
    assert message.photo
    content = await download(wizard.bot, message.photo[-1])
    if isinstance(content, Problem):
        await wizard.re_ask(content)
        return
    name = await asyncio.to_thread(media.save, content)
    draft, _list_id = await wizard.load()
    await set_extra(wizard, replace(draft, image=media_url(settings.public_url, name)))


async def image_address_typed(message: Message, wizard: ComposeWizard) -> None:
    """Use an image address as given."""
    url = parse_image_url(message.text or "")
    await take(wizard, url, lambda draft, image: replace(draft, image=image))


async def ttl_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the lifetime in minutes."""
    ttl = parse_ttl(message.text or "")
    await take(wizard, ttl, lambda draft, minutes: replace(draft, ttl=minutes))


async def charset_chosen(
    query: CallbackQuery, callback_data: ComposePick, wizard: ComposeWizard
) -> None:
    """Store the charset if the text can be carried in it."""
    if callback_data.index >= len(CHARSETS):
        return
    draft, list_id = await wizard.load()
    charset = CHARSETS[callback_data.index]
    changed = replace(draft, charset=charset)
    problem = check_charset(changed, charset) or check_list_values(changed, wizard.store, list_id)
    if problem is not None:
        await wizard.re_ask(problem)
        return
    await set_extra(wizard, changed)


async def image_invalid(message: Message, wizard: ComposeWizard) -> None:
    """Neither a photo nor an address: ask again."""
    await wizard.re_ask(Problem(Reason.EXPECTED_IMAGE))


async def expected_text(message: Message, wizard: ComposeWizard) -> None:
    """A sticker, photo or file where a typed value is expected: ask again."""
    await wizard.re_ask(Problem(Reason.EXPECTED_TEXT))


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="compose-extras")
    router.callback_query.filter(OnCurrentCard())
    router.callback_query.register(
        extras_pressed,
        Compose.preview,
        ComposeAction.filter(F.action == ComposeMove.EXTRAS),
        flags=OPERATOR,
    )
    router.callback_query.register(
        advanced_pressed,
        Compose.extras,
        ComposeAction.filter(F.action == ComposeMove.ADVANCED),
        flags=OPERATOR,
    )
    router.callback_query.register(
        extra_chosen, Compose.extras, ComposePick.filter(F.what == PickKind.EXTRA), flags=OPERATOR
    )
    router.callback_query.register(
        extra_removed,
        StateFilter(*COMPOSE_STATES.extras.values()),
        ComposeAction.filter(F.action == ComposeMove.REMOVE),
        flags=OPERATOR,
    )
    router.message.register(html_typed, Compose.extra_html, F.text, NOT_COMMAND, flags=OPERATOR)
    router.message.register(button_typed, Compose.extra_button, F.text, NOT_COMMAND, flags=OPERATOR)
    router.message.register(image_uploaded, Compose.extra_image, F.photo, flags=OPERATOR)
    router.message.register(
        image_address_typed, Compose.extra_image, F.text, NOT_COMMAND, flags=OPERATOR
    )
    router.message.register(ttl_typed, Compose.extra_ttl, F.text, NOT_COMMAND, flags=OPERATOR)
    router.callback_query.register(
        charset_chosen,
        Compose.extra_charset,
        ComposePick.filter(F.what == PickKind.CHARSET),
        flags=OPERATOR,
    )
    router.message.register(image_invalid, Compose.extra_image, NOT_COMMAND, flags=OPERATOR)
    router.message.register(
        expected_text,
        StateFilter(Compose.extra_html, Compose.extra_button, Compose.extra_ttl),
        ~F.text,
        flags=OPERATOR,
    )
    return router
