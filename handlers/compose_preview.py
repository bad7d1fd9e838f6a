"""The composing card's preview and the questions around it: Send (and its confirmation for a
large list), typographic characters, the rows left out, Edit and Save as template."""

from __future__ import annotations

import asyncio
import html
from dataclasses import replace

from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import ShowMode

from bot.approval.service import ApprovalService
from bot.compose.addresses import InvalidReason
from bot.compose.cards import ComposeMove, PickKind
from bot.compose.left_out import LeftOutWords, left_out_csv, left_out_filename
from bot.compose.list_checks import next_step, parse_template_name
from bot.compose.menu_cards import render_sent, render_sent_at_next_start
from bot.compose.preview_card import character_name
from bot.compose.rules import Problem, Step, editable_steps, needs_confirmation
from bot.compose.step_cards import invalid_reason_text
from bot.compose.typography import PLAIN, plain, typographic_only
from bot.compose.wizard import TYPOGRAPHY_UNDO, ComposeWizard
from bot.sending.creation import AlreadyLaunched
from bot.sending.engine import Sender
from bot.telegram.dialog_kit import alert_press, member_of
from bot.texts import number
from handlers.approval import ask_if_needed
from handlers.compose_card import CardHandlers, Compose, text
from handlers.schedule import start_planning

# ---------------------------------------------------------------- preview


async def send_pressed(wizard: ComposeWizard) -> None:
    """Send now, or first ask once more when the list is large."""
    if needs_confirmation(wizard.summary().size, wizard.settings.large_send_confirm):
        await wizard.go(Compose.confirm_send)
        return
    await send(wizard)


async def send(wizard: ComposeWizard) -> None:
    """Hand the message to sending; a second press finds the list taken and sends nothing."""
    draft, list_id = wizard.load()
    step, _problem = next_step(draft, list_id, wizard.store, wizard.settings)
    if step is not Step.PREVIEW or list_id is None:
        await wizard.advance()  # something changed under the card (e.g. the settings)
        return
    services = wizard.manager.middleware_data
    sender: Sender = services["sender"]
    approvals: ApprovalService = services["approvals"]
    author = member_of(wizard.manager).user_id
    try:
        campaign_id = await sender.create_off_loop(
            draft, list_id, author_id=author, author_chat_id=wizard.chat_id
        )
    except AlreadyLaunched as already:
        sent = _("Already sent as campaign №{id}.").format(id=already.campaign_id)
        alert_press(wizard.manager, sent)
        # A second press that overtook the first's end: this conversation is over too.
        await wizard.manager.done(show_mode=ShowMode.NO_UPDATE)
        return
    waiting = await ask_if_needed(approvals, wizard, campaign_id)
    sender.launch(campaign_id)  # before touching Telegram, which may fail; held while waiting
    if waiting:
        await wizard.finish(waiting.text, waiting.markup)
    elif sender.accepting:
        await wizard.finish(render_sent(campaign_id))
    else:  # the program is stopping: the campaign waits, and the next start sends it
        await wizard.finish(render_sent_at_next_start(campaign_id))


async def typography_pressed(wizard: ComposeWizard) -> None:
    """Put plain characters in place of typographic ones, keeping the text as written for Undo."""
    draft, _list_id = wizard.load()
    characters = typographic_only(draft.text)
    if not characters:
        await wizard.show_preview()
        return
    wizard.save(replace(draft, text=plain(draft.text)), **{TYPOGRAPHY_UNDO: draft.text})
    changes = ", ".join(
        f"«{character_name(char)}» → «{html.escape(PLAIN[char])}»" for char in characters
    )
    notice = _("✏️ Replaced: {changes}. Undo brings the text back as written.").format(
        changes=changes
    )
    await wizard.show_preview(notice=notice)


async def typography_undo_pressed(wizard: ComposeWizard) -> None:
    """Bring back the text as written, if it was not changed since the replacement."""
    draft, _list_id = wizard.load()
    original = wizard.data.get(TYPOGRAPHY_UNDO)
    if original and plain(original) == draft.text:
        wizard.save(replace(draft, text=original), **{TYPOGRAPHY_UNDO: None})
    await wizard.show_preview()


async def left_out_file_pressed(wizard: ComposeWizard) -> None:
    """Send the rows of the upload that were left out, with the reason for each."""
    _draft, list_id = wizard.load()
    rows = wizard.store.recipient_lists.left_out(list_id) if list_id else []
    invalid = {reason.value: invalid_reason_text(reason) for reason in InvalidReason}
    words = LeftOutWords.current(invalid)
    content = await asyncio.to_thread(left_out_csv, rows, words)
    caption = ngettext(
        "{count} row left out of the list", "{count} rows left out of the list", len(rows)
    ).format(count=number(len(rows)))
    await wizard.bot.send_document(
        wizard.chat_id, BufferedInputFile(content, left_out_filename()), caption=caption
    )
    wizard.manager.show_mode = ShowMode.NO_UPDATE  # the card stays above the file as it was


async def edit_pressed(wizard: ComposeWizard) -> None:
    """Ask which step to change."""
    await wizard.go(Compose.edit)


async def edit_chosen(wizard: ComposeWizard, index: int) -> None:
    """Go to the chosen step, its current answer shown and kept unless replaced."""
    draft, _list_id = wizard.load()
    steps = editable_steps(draft.type)
    if index < len(steps):
        await wizard.show_step(steps[index])


async def template_pressed(wizard: ComposeWizard) -> None:
    """Ask for the new template's name."""
    await wizard.go(Compose.template_name)


async def template_named(message: Message, wizard: ComposeWizard) -> None:
    """Save the draft as a template under this name; back to the preview."""
    name = parse_template_name(message.text or "", wizard.store)
    if isinstance(name, Problem):
        wizard.re_ask(name)
        return
    draft, _list_id = wizard.load()
    wizard.store.templates.save(name, member_of(wizard.manager).user_id, draft)
    notice = _("Saved as template «{name}».").format(name=html.escape(name))
    await wizard.show_preview(notice=f"✅ {notice}")


async def schedule_pressed(wizard: ComposeWizard) -> None:
    """Schedule: the Schedule card, on top of this conversation and drawn on its card."""
    draft, list_id = wizard.load()
    await start_planning(wizard.manager, draft, list_id)


def register(card: CardHandlers) -> None:
    preview = [Compose.preview]
    card.press(preview, ComposeMove.SCHEDULE, schedule_pressed)
    card.press(preview, ComposeMove.SEND, send_pressed)
    card.press(preview, ComposeMove.TYPOGRAPHY, typography_pressed)
    card.press(preview, ComposeMove.TYPOGRAPHY_UNDO, typography_undo_pressed)
    card.press(preview, ComposeMove.LEFT_OUT_FILE, left_out_file_pressed)
    card.press(preview, ComposeMove.EDIT, edit_pressed)
    card.press(preview, ComposeMove.TEMPLATE, template_pressed)
    card.press([Compose.confirm_send], ComposeMove.CONFIRM, send)
    card.pick(Compose.edit, PickKind.EDIT, edit_chosen)
    card.typed([Compose.template_name], text, template_named)
