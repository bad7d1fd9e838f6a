"""What /templates shows: the list with a button to start from each template, and the delete question.

The windows are in handlers/templates.py; the data they show is built here."""

from __future__ import annotations

import html
from typing import Any

from aiogram import F
from aiogram.fsm.state import State
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.kbd import Button, ListGroup, Row
from aiogram_dialog.widgets.kbd.button import OnClick
from aiogram_dialog.widgets.text import Format

from bot.access import is_author_or_admin
from bot.compose.cards import CARD_LIMIT
from bot.compose.message_types import type_name
from bot.members.cards import member_label
from bot.telegram.dialog_kit import Tr
from bot.texts import clip
from storage.members import Member
from storage.store import Store

SHOWN_TEMPLATES = 30
SNIPPET_CHARS = 60
BUTTON_CHARS = 60


async def listing(store: Store, member: Member, **_data: object) -> dict[str, Any]:
    """What the /templates card shows: a line and a button (delete where allowed) per template,
    as many as fit on one card, and how many more there are."""
    templates = store.templates.all()
    lines: list[str] = []
    items: list[dict[str, Any]] = []
    for template in templates[:SHOWN_TEMPLATES]:
        line = _("«{name}» - {type}, by {author}: {text}").format(
            name=html.escape(template.name),
            type=type_name(template.draft.type),
            author=member_label(store, template.author_id),
            text=clip(template.draft.text, SNIPPET_CHARS),
        )
        if sum(len(item) for item in lines) + len(line) > CARD_LIMIT - 300:
            break
        lines.append(line)
        items.append(
            {
                "id": template.id,
                "name": template.name[:BUTTON_CHARS],
                "may_delete": is_author_or_admin(member, template.author_id),
            }
        )
    return {
        "any": bool(templates),
        "lines": "\n".join(lines),
        "templates": items,
        "count": len(templates) - len(items),
    }


async def delete_question(dialog_manager: DialogManager, **_data: object) -> dict[str, Any]:
    """The template asked about, by the name it had when the question was asked."""
    return {"name": html.escape(dialog_manager.dialog_data.get("name", ""))}


def listing_window(state: State, use: OnClick, delete: OnClick) -> Window:
    """The list: a button to start a message from each template, and Delete where allowed."""
    return Window(
        Tr(
            "No templates yet. Compose a message with /new and press «Save as template» on its preview.",
            when=~F["any"],
        ),
        Tr("<b>Templates</b> (press one to start a message from it):", when="any"),
        Format("{lines}", when="any"),
        Tr("…and {count} more.", when="count"),
        ListGroup(
            Row(
                Button(Format("{item[name]}"), id="use", on_click=use),
                Button(Tr("Delete"), id="delete", on_click=delete, when=F["item"]["may_delete"]),
            ),
            id="tpl",
            item_id_getter=lambda item: item["id"],
            items="templates",
        ),
        state=state,
        getter=listing,
    )


def question_window(state: State, confirm: OnClick, back: OnClick) -> Window:
    """Asked once more before a template is deleted."""
    return Window(
        Tr("Delete template «{name}»?"),
        Row(
            Button(Tr("Yes, delete"), id="confirm", on_click=confirm),
            Button(Tr("No"), id="back", on_click=back),
        ),
        state=state,
        getter=delete_question,
    )


def template_gone() -> str:
    return _("This template no longer exists.")


def not_yours() -> str:
    return _("Only its author or an admin can delete this template.")


def deleted() -> str:
    return _("Deleted.")
