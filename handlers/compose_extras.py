"""Extras on the preview: HTML text, a button, an image, TTL, charset and find_token."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from aiogram.types import Message

from bot.compose.cards import ComposeMove, PickKind
from bot.compose.inputs import parse_button, parse_image_url, parse_ttl
from bot.compose.list_checks import check_list_values
from bot.compose.media import MediaStore, media_url
from bot.compose.rules import CHARSETS, Extra, Problem, Reason, check_charset, extras_for
from bot.compose.wizard import ADVANCED, ComposeWizard
from bot.telegram.messages import download
from handlers.compose_card import COMPOSE_STATES, CardHandlers, Compose, anything, photo, text
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
    wizard.data[ADVANCED] = advanced
    await wizard.go(Compose.extras)


async def set_extra(wizard: ComposeWizard, draft: Draft) -> None:
    """Keep the changed draft and show the preview with it."""
    wizard.save(draft)
    await wizard.show_preview()


async def extras_pressed(wizard: ComposeWizard) -> None:
    """Show the extras that can be set for this type."""
    await show_extras(wizard)


async def advanced_pressed(wizard: ComposeWizard) -> None:
    """Show the rarely needed extras: the charset and finding tokens by phone or e-mail."""
    await show_extras(wizard, advanced=True)


async def extra_chosen(wizard: ComposeWizard, index: int) -> None:
    """Toggle find_token at once; for the other extras ask for the value."""
    draft, _list_id = wizard.load()
    offered = extras_for(draft.type)
    if index >= len(offered):
        return
    extra = offered[index]
    if extra is Extra.FIND_TOKEN:
        if wizard.toggle_find_token():
            await show_extras(wizard, advanced=True)
        else:
            await wizard.advance()  # the recipients step says what the list must hold now
        return
    await wizard.go(COMPOSE_STATES.extras[extra])


async def extra_removed(wizard: ComposeWizard) -> None:
    """Clear this extra; back to the preview."""
    draft, _list_id = wizard.load()
    extra = COMPOSE_STATES.extra_of(wizard.state)
    assert extra is not None  # the handler is registered only on the extras' windows
    await set_extra(wizard, replace(draft, **CLEARED[extra]))  # type: ignore[arg-type]


async def html_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the HTML text as typed: it goes to the platform, never into a Telegram message."""
    draft, list_id = wizard.load()
    changed = replace(draft, html_text=message.text)
    problem = check_charset(changed, changed.charset) or check_list_values(
        changed, wizard.store, list_id
    )
    if problem is not None:
        wizard.re_ask(problem)
        return
    await set_extra(wizard, changed)


async def take(
    wizard: ComposeWizard, parsed: T | Problem, apply: Callable[[Draft, T], Draft]
) -> None:
    """An extra read from what was sent: asked again with the reason, or stored (preview next)."""
    if isinstance(parsed, Problem):
        wizard.re_ask(parsed)
        return
    draft, _list_id = wizard.load()
    await set_extra(wizard, apply(draft, parsed))


async def button_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the button's caption and the address or bot command it opens."""
    await take(
        wizard,
        parse_button(message.text or ""),
        lambda draft, button: replace(draft, button=button[0], action=button[1]),
    )


async def image_uploaded(message: Message, wizard: ComposeWizard) -> None:
    """Keep the photo under an unguessable name and use its PUBLIC_URL address."""
    settings = wizard.settings
    if not settings.public_url:
        wizard.re_ask(Problem(Reason.NEED_PUBLIC_URL))
        return
    assert message.photo
    content = await download(wizard.bot, message.photo[-1])
    if isinstance(content, Problem):
        wizard.re_ask(content)
        return
    media: MediaStore = wizard.manager.middleware_data["media"]
    name = await asyncio.to_thread(media.save, content)
    draft, _list_id = wizard.load()
    await set_extra(wizard, replace(draft, image=media_url(settings.public_url, name)))


async def image_address_typed(message: Message, wizard: ComposeWizard) -> None:
    """Use an image address as given."""
    url = parse_image_url(message.text or "")
    await take(wizard, url, lambda draft, image: replace(draft, image=image))


async def ttl_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store the lifetime in minutes."""
    ttl = parse_ttl(message.text or "")
    await take(wizard, ttl, lambda draft, minutes: replace(draft, ttl=minutes))


async def charset_chosen(wizard: ComposeWizard, index: int) -> None:
    """Store the charset if the text can be carried in it."""
    if index >= len(CHARSETS):
        return
    draft, list_id = wizard.load()
    charset = CHARSETS[index]
    changed = replace(draft, charset=charset)
    problem = check_charset(changed, charset) or check_list_values(changed, wizard.store, list_id)
    if problem is not None:
        wizard.re_ask(problem)
        return
    await set_extra(wizard, changed)


async def image_invalid(message: Message, wizard: ComposeWizard) -> None:
    """Neither a photo nor an address: ask again."""
    wizard.re_ask(Problem(Reason.EXPECTED_IMAGE))


def register(card: CardHandlers) -> None:
    card.press([Compose.preview], ComposeMove.EXTRAS, extras_pressed)
    card.press([Compose.extras], ComposeMove.ADVANCED, advanced_pressed)
    card.pick(Compose.extras, PickKind.EXTRA, extra_chosen)
    card.press(COMPOSE_STATES.extras.values(), ComposeMove.REMOVE, extra_removed)
    card.typed([Compose.extra_html], text, html_typed)
    card.typed([Compose.extra_button], text, button_typed)
    card.typed([Compose.extra_image], photo, image_uploaded)
    card.typed([Compose.extra_image], text, image_address_typed)
    card.typed([Compose.extra_image], anything, image_invalid)
    card.typed([Compose.extra_ttl], text, ttl_typed)
    card.pick(Compose.extra_charset, PickKind.CHARSET, charset_chosen)
