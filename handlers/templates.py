"""/templates: the team's saved templates; start a message from one, or delete one."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.kbd import Button

from bot.access import OPERATOR, for_command, is_author_or_admin
from bot.compose.wizard import closed_by_command
from bot.telegram.button_data import row_id
from bot.telegram.dialog_kit import alert_press, member_of, store_of, tell_press
from bot.telegram.unchanged import AnsweredCardDialog
from bot.templates.cards import (
    deleted,
    listing_window,
    not_yours,
    question_window,
    template_gone,
)
from handlers.compose import close_open_draft, start_composing
from storage.templates import Template


class TemplatesCard(StatesGroup):
    listing = State()
    deleting = State()  # asked once more before a template is deleted


async def list_templates(message: Message, dialog_manager: DialogManager) -> None:
    """Show every template of the team, with its author; a draft under way is closed, saying so."""
    await close_open_draft(dialog_manager, closed_by_command("/templates"))
    await dialog_manager.start(TemplatesCard.listing, mode=StartMode.RESET_STACK)


def pressed_template(manager: DialogManager) -> Template | None:
    """The template whose button was pressed; None, and the press told so, when it is gone."""
    template_id = row_id(str(getattr(manager, "item_id", "")))
    template = store_of(manager).templates.get(template_id) if template_id is not None else None
    if template is None:
        alert_press(manager, template_gone())
    return template


async def use_template(query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Start a message from the template: type, sender, text and extras filled, recipients asked."""
    template = pressed_template(manager)
    if template is None:
        return
    await start_composing(manager, replace(template.draft, columns=[]))


def may_delete(template: Template, manager: DialogManager) -> bool:
    """Whether this member may delete the template; if not, the press is told why."""
    if is_author_or_admin(member_of(manager), template.author_id):
        return True
    alert_press(manager, not_yours())
    return False


async def delete_pressed(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Ask once more before deleting."""
    template = pressed_template(manager)
    if template is None or not may_delete(template, manager):
        return
    manager.dialog_data.update(template_id=template.id, name=template.name)
    await manager.switch_to(TemplatesCard.deleting)


async def delete_confirmed(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Delete the template (its author's or, for an admin, anyone's); show the list again."""
    store = store_of(manager)
    template = store.templates.get(manager.dialog_data.get("template_id", 0))
    if template is None:
        alert_press(manager, template_gone())
    elif not may_delete(template, manager):
        return
    else:
        store.templates.delete(template.id, member_of(manager).user_id)
        tell_press(manager, deleted())
    await manager.switch_to(TemplatesCard.listing, show_mode=ShowMode.EDIT)


async def back_to_list(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    """Nothing deleted: show the list again."""
    await manager.switch_to(TemplatesCard.listing)


def build_dialog() -> AnsweredCardDialog:
    return AnsweredCardDialog(
        listing_window(TemplatesCard.listing, use=use_template, delete=delete_pressed),
        question_window(TemplatesCard.deleting, confirm=delete_confirmed, back=back_to_list),
        role=OPERATOR,
    )


def build_router() -> Router:
    """A fresh router with this module's command and dialog, so each Dispatcher gets its own."""
    router = Router(name="templates")
    router.message.register(list_templates, Command("templates"), flags=for_command(OPERATOR))
    router.include_router(build_dialog())
    return router
