"""/templates: the team's saved templates; start a message from one, or delete one."""

from __future__ import annotations

import html
from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.access import is_author_or_admin
from bot.button_data import RowId
from bot.compose.cards import CARD_LIMIT
from bot.compose.message_types import type_name
from bot.config import Settings
from bot.members.membership import member_label
from bot.texts import clip
from handlers.compose import wizard_for
from storage.members import Member
from storage.store import Store
from storage.templates import Template

OPERATOR = {"role": "operator"}
SHOWN_TEMPLATES = 30
SNIPPET_CHARS = 60


class TemplateAction(CallbackData, prefix="tpl"):
    action: str  # "use", "delete", "confirm", "list"
    template_id: RowId = 0


def templates_card(store: Store, member: Member) -> tuple[str, InlineKeyboardMarkup | None]:
    """The list of templates with a button to start from each, and delete where allowed."""
    templates = store.templates.all()
    if not templates:
        return _(
            "No templates yet. Compose a message with /new and press «Save as template» on its preview."
        ), None
    lines = [_("<b>Templates</b> (press one to start a message from it):")]
    rows = []
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
        row = [
            InlineKeyboardButton(
                text=template.name[:60],
                callback_data=TemplateAction(action="use", template_id=template.id).pack(),
            )
        ]
        if is_author_or_admin(member, template.author_id):
            row.append(
                InlineKeyboardButton(
                    text=_("Delete"),
                    callback_data=TemplateAction(action="delete", template_id=template.id).pack(),
                )
            )
        rows.append(row)
    if len(rows) < len(templates):
        lines.append(_("…and {count} more.").format(count=len(templates) - len(rows)))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


async def list_templates(message: Message, store: Store, member: Member) -> None:
    """Show every template of the team, with its author."""
    text, markup = templates_card(store, member)
    await message.answer(text, reply_markup=markup)


async def use_template(
    query: CallbackQuery,
    callback_data: TemplateAction,
    bot: Bot,
    state: FSMContext,
    store: Store,
    settings: Settings,
) -> None:
    """Start a message from the template: type, sender, text and extras filled, recipients asked."""
    template = store.templates.get(callback_data.template_id)
    if template is None:
        await query.answer(_("This template no longer exists."), show_alert=True)
        return
    await query.answer()
    wizard = wizard_for(query, bot, state, store, settings)
    await wizard.start(replace(template.draft, columns=[]))


async def deletable(
    query: CallbackQuery, template_id: int, store: Store, member: Member
) -> Template | None:
    """The template if this member may delete it; otherwise None, and the press is told why."""
    template = store.templates.get(template_id)
    if template is None:
        await query.answer(_("This template no longer exists."), show_alert=True)
    elif not is_author_or_admin(member, template.author_id):
        await query.answer(
            _("Only its author or an admin can delete this template."), show_alert=True
        )
    else:
        return template
    return None


async def delete_pressed(
    query: CallbackQuery, callback_data: TemplateAction, store: Store, member: Member
) -> None:
    """Ask once more before deleting."""
    template = await deletable(query, callback_data.template_id, store, member)
    if template is None:
        return
    await query.answer()
    buttons = [
        InlineKeyboardButton(
            text=_("Yes, delete"),
            callback_data=TemplateAction(action="confirm", template_id=template.id).pack(),
        ),
        InlineKeyboardButton(text=_("No"), callback_data=TemplateAction(action="list").pack()),
    ]
    assert isinstance(query.message, Message)
    await query.message.edit_text(
        _("Delete template «{name}»?").format(name=html.escape(template.name)),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons]),
    )


async def delete_confirmed(
    query: CallbackQuery, callback_data: TemplateAction, store: Store, member: Member
) -> None:
    """Delete the template (its author's or, for an admin, anyone's); show the list again."""
    template = await deletable(query, callback_data.template_id, store, member)
    if template is None:
        return
    store.templates.delete(template.id, member.user_id)
    await query.answer(_("Deleted."))
    await show_list(query, store, member)


async def back_to_list(query: CallbackQuery, store: Store, member: Member) -> None:
    """Nothing deleted: show the list again."""
    await query.answer()
    await show_list(query, store, member)


async def show_list(query: CallbackQuery, store: Store, member: Member) -> None:
    assert isinstance(query.message, Message)
    text, markup = templates_card(store, member)
    await query.message.edit_text(text, reply_markup=markup)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="templates")
    router.message.register(list_templates, Command("templates"), flags=OPERATOR)
    router.callback_query.register(
        use_template, TemplateAction.filter(F.action == "use"), flags=OPERATOR
    )
    router.callback_query.register(
        delete_pressed, TemplateAction.filter(F.action == "delete"), flags=OPERATOR
    )
    router.callback_query.register(
        delete_confirmed, TemplateAction.filter(F.action == "confirm"), flags=OPERATOR
    )
    router.callback_query.register(
        back_to_list, TemplateAction.filter(F.action == "list"), flags=OPERATOR
    )
    return router
