"""The composing card's first questions: the type, the sender and the recipients (typed, pasted
or a file), and a typed answer's refusal where something else was sent."""

from __future__ import annotations

from dataclasses import replace

from aiogram.types import Message

from bot.compose.addresses import address_kind, needs_mobile
from bot.compose.cards import ComposeMove, PickKind
from bot.compose.lists import KeptList, keep_list, keep_recipients_file, recipients_from_text
from bot.compose.rules import (
    Problem,
    Reason,
    Step,
    change_type,
    check_sender,
    offered_senders,
    parse_type,
)
from bot.compose.step_cards import report_text
from bot.compose.wizard import REPORT, ComposeWizard
from bot.telegram.dialog_kit import member_of
from bot.telegram.messages import download_recipient_file
from handlers.compose_card import CardHandlers, Compose, anything, document, not_text, text

# ---------------------------------------------------------------- type


async def type_chosen(wizard: ComposeWizard, index: int) -> None:
    """Store the chosen type; ask for the sender next."""
    if index < len(wizard.settings.pulse_types):
        await set_type(wizard, wizard.settings.pulse_types[index])


async def type_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store a typed type, if it is one of the configured ones."""
    types = wizard.settings.pulse_types
    message_type = parse_type(message.text or "", types)
    if message_type is None:
        wizard.re_ask(Problem(Reason.UNKNOWN_TYPE, {"type": message.text or "", "types": types}))
        return
    await set_type(wizard, message_type)


async def set_type(wizard: ComposeWizard, message_type: str) -> None:
    """A new type may invalidate the sender and the recipients; the wizard then asks again."""
    draft, list_id = wizard.load()
    changed, keeps_list = change_type(draft, message_type)
    wizard.save(changed, list_id=list_id if keeps_list else None)
    await wizard.advance()


# ---------------------------------------------------------------- sender


async def sender_chosen(wizard: ComposeWizard, index: int) -> None:
    """Store the chosen sender; ask for the recipients next."""
    draft, _list_id = wizard.load()
    senders = offered_senders(draft.type, wizard.settings.pulse_senders)
    if index < len(senders):
        wizard.save(replace(draft, sender=senders[index]))
        await wizard.advance()


async def sender_typed(message: Message, wizard: ComposeWizard) -> None:
    """Store a typed sender (digits only for a cascade); ask for the recipients next."""
    draft, _list_id = wizard.load()
    sender = (message.text or "").strip()
    problem = check_sender(draft.type, sender)
    if problem is not None:
        wizard.re_ask(problem)
        return
    wizard.save(replace(draft, sender=sender))
    await wizard.advance()


# ---------------------------------------------------------------- recipients


async def recipients_typed(message: Message, wizard: ComposeWizard) -> None:
    """Parse typed or pasted addresses; ask for the text next."""
    draft, _list_id = wizard.load()
    kind = address_kind(draft.type, draft.find_token)
    parsed = await recipients_from_text(
        wizard.store, message.text or "", kind, mobile_only=needs_mobile(draft.type)
    )
    author = member_of(wizard.manager).user_id
    await use_recipients(wizard, await keep_list(wizard.store, author, parsed))


async def recipients_file(message: Message, wizard: ComposeWizard) -> None:
    """Parse an uploaded .csv, .txt or .xlsx file; ask for the text next."""
    assert message.document is not None
    content = await download_recipient_file(wizard.bot, message.document)
    if isinstance(content, Problem):
        wizard.re_ask(content)
        return
    draft, _list_id = wizard.load()
    kept = await keep_recipients_file(
        wizard.store,
        member_of(wizard.manager).user_id,
        message.document.file_name or "",
        content,
        address_kind(draft.type, draft.find_token),
        mobile_only=needs_mobile(draft.type),
    )
    if isinstance(kept, Problem):
        wizard.re_ask(kept)
        return
    await use_recipients(wizard, kept)


async def recipients_invalid(message: Message, wizard: ComposeWizard) -> None:
    """Anything but text or a file: ask again."""
    wizard.re_ask(Problem(Reason.EXPECTED_RECIPIENTS))


async def find_token_toggled(wizard: ComposeWizard) -> None:
    """Switch between tokens and phones or e-mails for push and bot; a list that no longer
    fits is asked for again."""
    wizard.toggle_find_token()
    await wizard.show_step(Step.RECIPIENTS)


async def use_recipients(wizard: ComposeWizard, kept: KeptList) -> None:
    """Go on with a stored list; a list without one valid address is asked for again."""
    wizard.data[REPORT] = kept.report.to_data()
    if kept.list_id is None:
        await wizard.show_step(Step.RECIPIENTS)  # the card says no address was valid
        return
    draft, _list_id = wizard.load()
    wizard.save(replace(draft, columns=list(kept.columns)), list_id=kept.list_id)
    await wizard.advance(notice=report_text(kept.report))


# ---------------------------------------------------------------- input a step cannot use


async def expected_text(message: Message, wizard: ComposeWizard) -> None:
    """A sticker, photo or file where a typed answer is expected: ask again."""
    wizard.re_ask(Problem(Reason.EXPECTED_TEXT))


def register(card: CardHandlers) -> None:
    card.pick(Compose.type, PickKind.TYPE, type_chosen)
    card.typed([Compose.type], text, type_typed)
    card.pick(Compose.sender, PickKind.SENDER, sender_chosen)
    card.typed([Compose.sender], text, sender_typed)
    card.typed([Compose.recipients], text, recipients_typed)
    card.typed([Compose.recipients], document, recipients_file)
    card.press([Compose.recipients], ComposeMove.FIND_TOKEN, find_token_toggled)
    card.typed([Compose.recipients], anything, recipients_invalid)
    typed_answers = (
        Compose.type,
        Compose.sender,
        Compose.text,
        Compose.template_name,
        Compose.fallback,
        Compose.extra_html,
        Compose.extra_button,
        Compose.extra_ttl,
    )
    card.typed(typed_answers, not_text, expected_text)
