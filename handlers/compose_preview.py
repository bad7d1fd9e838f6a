"""The composing card's preview and the questions around it: Send (and its confirmation for a
large list), typographic characters, the rows left out, Edit and Save as template."""

from __future__ import annotations

import asyncio
import html
from dataclasses import replace

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.access import OPERATOR
from bot.approval.service import ApprovalService
from bot.compose.addresses import InvalidReason
from bot.compose.cards import ComposeAction, ComposeMove, ComposePick, PickKind
from bot.compose.left_out import LeftOutWords, left_out_csv, left_out_filename
from bot.compose.list_checks import next_step, parse_template_name
from bot.compose.menu_cards import (
    render_confirm,
    render_edit_menu,
    render_sent,
    render_sent_at_next_start,
    render_template_prompt,
)
from bot.compose.preview_card import character_name
from bot.compose.rules import (
    Problem,
    Step,
    editable_steps,
    needs_confirmation,
)
from bot.compose.step_cards import invalid_reason_text
from bot.compose.typography import PLAIN, plain, typographic_only
from bot.compose.wizard import TYPOGRAPHY_UNDO, ComposeWizard
from bot.sending.creation import AlreadyLaunched
from bot.sending.engine import Sender
from bot.telegram.dialogs import (
    NOT_COMMAND,
    OnCurrentCard,
)
from bot.telegram.presses import alert
from bot.texts import number
from handlers.approval import ask_if_needed
from handlers.compose_card import Compose
from storage.members import Member

# ---------------------------------------------------------------- preview


async def send_pressed(
    query: CallbackQuery,
    wizard: ComposeWizard,
    member: Member,
    sender: Sender,
    callback_answer: CallbackAnswer,
    approvals: ApprovalService,
) -> None:
    """Send now, or first ask once more when the list is large."""
    summary = await wizard.summary()
    if needs_confirmation(summary.size, wizard.settings.large_send_confirm):
        await wizard.state.set_state(Compose.confirm_send)
        await wizard.show(*render_confirm(summary.size))
        return
    await send(query, wizard, member, sender, callback_answer, approvals)


async def send_confirmed(
    query: CallbackQuery,
    wizard: ComposeWizard,
    member: Member,
    sender: Sender,
    callback_answer: CallbackAnswer,
    approvals: ApprovalService,
) -> None:
    """The large send was confirmed: send it."""
    await send(query, wizard, member, sender, callback_answer, approvals)


async def send(
    query: CallbackQuery,
    wizard: ComposeWizard,
    member: Member,
    sender: Sender,
    callback_answer: CallbackAnswer,
    approvals: ApprovalService,
) -> None:
    """Hand the message to sending; a second press finds the list taken and sends nothing."""
    draft, list_id = await wizard.load()
    step, _problem = next_step(draft, list_id, wizard.store, wizard.settings)
    if step is not Step.PREVIEW or list_id is None:
        await wizard.advance()  # something changed under the card (e.g. the settings)
        return
    try:
        campaign_id = await sender.create_off_loop(
            draft, list_id, author_id=member.user_id, author_chat_id=wizard.chat_id
        )
    except AlreadyLaunched as already:
        text = _("Already sent as campaign №{id}.").format(id=already.campaign_id)
        alert(callback_answer, text)
        return
    waiting = await ask_if_needed(approvals, wizard, campaign_id)
    sender.launch(campaign_id)  # before touching Telegram, which may fail; held while waiting
    if waiting:
        await wizard.show(waiting.text, waiting.markup)
    elif sender.accepting:
        await wizard.show(render_sent(campaign_id))
    else:  # the program is stopping: the campaign waits, and the next start sends it
        await wizard.show(render_sent_at_next_start(campaign_id))
    await wizard.state.clear()


async def typography_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Put plain characters in place of typographic ones, keeping the text as written for Undo."""
    draft, _list_id = await wizard.load()
    characters = typographic_only(draft.text)
    if not characters:
        await wizard.show_preview()
        return
    await wizard.save(replace(draft, text=plain(draft.text)), **{TYPOGRAPHY_UNDO: draft.text})
    changes = ", ".join(
        f"«{character_name(char)}» → «{html.escape(PLAIN[char])}»" for char in characters
    )
    notice = _("✏️ Replaced: {changes}. Undo brings the text back as written.").format(
        changes=changes
    )
    await wizard.show_preview(notice=notice)


async def typography_undo_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Bring back the text as written, if it was not changed since the replacement."""
    draft, _list_id = await wizard.load()
    original = (await wizard.state.get_data()).get(TYPOGRAPHY_UNDO)
    if original and plain(original) == draft.text:
        await wizard.save(replace(draft, text=original), **{TYPOGRAPHY_UNDO: None})
    await wizard.show_preview()


async def left_out_file_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Send the rows of the upload that were left out, with the reason for each."""
    _draft, list_id = await wizard.load()
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


async def edit_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Ask which step to change."""
    draft, _list_id = await wizard.load()
    await wizard.state.set_state(Compose.edit)
    await wizard.show(*render_edit_menu(draft, await wizard.summary()))


async def edit_chosen(
    query: CallbackQuery, callback_data: ComposePick, wizard: ComposeWizard
) -> None:
    """Go to the chosen step, its current answer shown and kept unless replaced."""
    draft, _list_id = await wizard.load()
    steps = editable_steps(draft.type)
    if callback_data.index < len(steps):
        await wizard.show_step(steps[callback_data.index])


async def template_pressed(query: CallbackQuery, wizard: ComposeWizard) -> None:
    """Ask for the new template's name."""
    await wizard.state.set_state(Compose.template_name)
    await wizard.show(*render_template_prompt())


async def template_named(message: Message, wizard: ComposeWizard, member: Member) -> None:
    """Save the draft as a template under this name; back to the preview."""
    name = parse_template_name(message.text or "", wizard.store)
    if isinstance(name, Problem):
        await wizard.re_ask(name)
        return
    draft, _list_id = await wizard.load()
    wizard.store.templates.save(name, member.user_id, draft)
    notice = _("Saved as template «{name}».").format(name=html.escape(name))
    await wizard.show_preview(notice=f"✅ {notice}")


def build_router() -> Router:
    """The preview's buttons, each answered only while the preview is the current step."""
    router = Router(name="compose-preview")
    router.callback_query.filter(OnCurrentCard())
    preview_buttons = {
        ComposeMove.SEND: send_pressed,
        ComposeMove.TYPOGRAPHY: typography_pressed,
        ComposeMove.TYPOGRAPHY_UNDO: typography_undo_pressed,
        ComposeMove.LEFT_OUT_FILE: left_out_file_pressed,
        ComposeMove.EDIT: edit_pressed,
        ComposeMove.TEMPLATE: template_pressed,
    }
    for action, handler in preview_buttons.items():
        router.callback_query.register(
            handler, Compose.preview, ComposeAction.filter(F.action == action), flags=OPERATOR
        )
    router.callback_query.register(
        send_confirmed,
        Compose.confirm_send,
        ComposeAction.filter(F.action == ComposeMove.CONFIRM),
        flags=OPERATOR,
    )
    router.callback_query.register(
        edit_chosen, Compose.edit, ComposePick.filter(F.what == PickKind.EDIT), flags=OPERATOR
    )
    router.message.register(
        template_named, Compose.template_name, F.text, NOT_COMMAND, flags=OPERATOR
    )
    return router
