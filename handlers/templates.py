"""/templates: the team's saved templates; start a message from one, or delete one."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.access import OPERATOR, for_command, is_author_or_admin
from bot.config import Settings
from bot.telegram.presses import alert, tell
from bot.templates.cards import (
    TemplateAction,
    TemplateMove,
    delete_question,
    deleted,
    not_yours,
    template_gone,
    templates_card,
)
from handlers.compose import wizard_for
from storage.members import Member
from storage.store import Store
from storage.templates import Template


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
    callback_answer: CallbackAnswer,
) -> None:
    """Start a message from the template: type, sender, text and extras filled, recipients asked."""
    template = store.templates.get(callback_data.template_id)
    if template is None:
        alert(callback_answer, template_gone())
        return
    wizard = wizard_for(query, bot, state, store, settings)
    await wizard.start(replace(template.draft, columns=[]))


def deletable(
    template_id: int, store: Store, member: Member, callback_answer: CallbackAnswer
) -> Template | None:
    """The template if this member may delete it; otherwise None, and the press is told why."""
    template = store.templates.get(template_id)
    if template is None:
        alert(callback_answer, template_gone())
    elif not is_author_or_admin(member, template.author_id):
        alert(callback_answer, not_yours())
    else:
        return template
    return None


async def delete_pressed(
    query: CallbackQuery,
    callback_data: TemplateAction,
    store: Store,
    member: Member,
    callback_answer: CallbackAnswer,
) -> None:
    """Ask once more before deleting."""
    template = deletable(callback_data.template_id, store, member, callback_answer)
    if template is None:
        return
    assert isinstance(query.message, Message)
    text, markup = delete_question(template)
    await query.message.edit_text(text, reply_markup=markup)


async def delete_confirmed(
    query: CallbackQuery,
    callback_data: TemplateAction,
    store: Store,
    member: Member,
    callback_answer: CallbackAnswer,
) -> None:
    """Delete the template (its author's or, for an admin, anyone's); show the list again."""
    template = deletable(callback_data.template_id, store, member, callback_answer)
    if template is None:
        return
    store.templates.delete(template.id, member.user_id)
    tell(callback_answer, deleted())
    await show_list(query, store, member)


async def back_to_list(query: CallbackQuery, store: Store, member: Member) -> None:
    """Nothing deleted: show the list again."""
    await show_list(query, store, member)


async def show_list(query: CallbackQuery, store: Store, member: Member) -> None:
    assert isinstance(query.message, Message)
    text, markup = templates_card(store, member)
    await query.message.edit_text(text, reply_markup=markup)


def build_router() -> Router:
    """A fresh router with this module's handlers, so each Dispatcher gets its own."""
    router = Router(name="templates")
    router.message.register(list_templates, Command("templates"), flags=for_command(OPERATOR))
    steps = {
        TemplateMove.USE: use_template,
        TemplateMove.DELETE: delete_pressed,
        TemplateMove.CONFIRM: delete_confirmed,
        TemplateMove.LIST: back_to_list,
    }
    for move, step in steps.items():
        router.callback_query.register(
            step, TemplateAction.filter(F.action == move), flags=OPERATOR
        )
    return router
