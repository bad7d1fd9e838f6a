"""What /templates shows: the list with a button to start from each template, and the delete question."""

from __future__ import annotations

import html
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import is_author_or_admin
from bot.compose.cards import CARD_LIMIT
from bot.compose.message_types import type_name
from bot.members.cards import member_label
from bot.telegram.button_data import RowId
from bot.texts import clip
from storage.members import Member
from storage.store import Store
from storage.templates import Template

SHOWN_TEMPLATES = 30
SNIPPET_CHARS = 60
BUTTON_CHARS = 60


class TemplateMove(StrEnum):
    USE = "use"  # start a message from the template
    DELETE = "delete"  # ask whether to delete it
    CONFIRM = "confirm"  # delete it
    LIST = "list"  # back to the list, nothing deleted


class TemplateAction(CallbackData, prefix="tpl"):
    action: TemplateMove
    template_id: RowId = 0


def templates_card(store: Store, member: Member) -> tuple[str, InlineKeyboardMarkup | None]:
    """The list of templates with a button to start from each, and delete where allowed."""
    templates = store.templates.all()
    if not templates:
        return _(
            "No templates yet. Compose a message with /new and press «Save as template» on its preview."
        ), None
    lines = [_("<b>Templates</b> (press one to start a message from it):")]
    builder = InlineKeyboardBuilder()
    row_sizes = []
    for template in templates[:SHOWN_TEMPLATES]:
        line = _("«{name}» - {type}, by {author}: {text}").format(
            name=html.escape(template.name),
            type=type_name(template.draft.type),
            author=member_label(store, template.author_id),
            text=clip(template.draft.text, SNIPPET_CHARS),
        )
        if sum(len(item) for item in lines) + len(line) > CARD_LIMIT - 200:
            break
        lines.append(line)
        builder.button(
            text=template.name[:BUTTON_CHARS],
            callback_data=TemplateAction(action=TemplateMove.USE, template_id=template.id),
        )
        may_delete = is_author_or_admin(member, template.author_id)
        if may_delete:
            builder.button(
                text=_("Delete"),
                callback_data=TemplateAction(action=TemplateMove.DELETE, template_id=template.id),
            )
        row_sizes.append(2 if may_delete else 1)
    if len(row_sizes) < len(templates):
        lines.append(_("…and {count} more.").format(count=len(templates) - len(row_sizes)))
    return "\n".join(lines), builder.adjust(*row_sizes).as_markup()


def delete_question(template: Template) -> tuple[str, InlineKeyboardMarkup]:
    """Asked once more before a template is deleted."""
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, delete"),
        callback_data=TemplateAction(action=TemplateMove.CONFIRM, template_id=template.id),
    )
    builder.button(text=_("No"), callback_data=TemplateAction(action=TemplateMove.LIST))
    text = _("Delete template «{name}»?").format(name=html.escape(template.name))
    return text, builder.as_markup()


def template_gone() -> str:
    return _("This template no longer exists.")


def not_yours() -> str:
    return _("Only its author or an admin can delete this template.")


def deleted() -> str:
    return _("Deleted.")
