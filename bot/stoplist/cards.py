"""What /stoplist shows: the list with who added each address, its buttons, the questions and reports."""

from __future__ import annotations

import html
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.compose.conversation import RecipientsReport
from bot.compose.problem_texts import problem_text
from bot.compose.recipients import RecipientList
from bot.compose.rules import Problem, Reason
from bot.compose.step_cards import example_lines
from bot.members.cards import member_label
from bot.schedule.when import format_day
from bot.texts import number, paragraphs, reader_locale
from storage.clock import from_iso
from storage.members import Member, Role
from storage.stoplist import StopEntry
from storage.store import Store

SHOWN_ADDRESSES = 50
UTC_ZONE = ZoneInfo("UTC")
CARD_CHARS = 3000  # of the list, leaving room for a report above it


class StopListMove(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    UPLOAD = "upload"  # the same as Add: the prompt takes typed addresses or a file
    DONE = "done"  # back to the list, nothing changed


class StopListAction(CallbackData, prefix="stoplist"):
    action: StopListMove


def stoplist_card(
    store: Store, member: Member | None = None, zone: ZoneInfo = UTC_ZONE
) -> tuple[str, InlineKeyboardMarkup]:
    """The count, the first addresses with who added them, and buttons to change the list.

    Only an admin gets the Remove button: lifting someone's opt-out is an admin's decision.
    """
    count = store.stoplist.count()
    lines = [
        ngettext(
            "<b>Stop-list</b>: {count} address never receives messages.",
            "<b>Stop-list</b>: {count} addresses never receive messages.",
            count,
        ).format(count=number(count))
    ]
    shown = 0
    for entry in store.stoplist.entries(SHOWN_ADDRESSES):
        line = f"<code>{html.escape(entry.address)}</code> · {added_by(store, entry, zone)}"
        if sum(len(item) for item in lines) + len(line) > CARD_CHARS:
            break  # long e-mail addresses: the card stays within Telegram's limit
        lines.append(line)
        shown += 1
    if count > shown:
        lines.append(_("…and {count} more.").format(count=number(count - shown)))
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Add"), callback_data=StopListAction(action=StopListMove.ADD))
    may_remove = member is not None and member.role is Role.ADMIN
    if may_remove:
        builder.button(text=_("Remove"), callback_data=StopListAction(action=StopListMove.REMOVE))
    builder.button(
        text=_("Upload a file"), callback_data=StopListAction(action=StopListMove.UPLOAD)
    )
    builder.adjust(2 if may_remove else 1, 1)
    return "\n".join(lines), builder.as_markup()


def added_by(store: Store, entry: StopEntry, zone: ZoneInfo) -> str:
    """ "added by Olga (1001), 30 Nov 2026", escaped for HTML."""
    day = format_day(from_iso(entry.added_at), zone, reader_locale())
    if entry.added_by is None:
        return _("added {date}").format(date=day)
    return _("added by {who}, {date}").format(who=member_label(store, entry.added_by), date=day)


def change_prompt(removing: bool) -> tuple[str, InlineKeyboardMarkup]:
    """Asks for the addresses to add or remove, with a button to leave the list as it is."""
    if removing:
        prompt = _("Send the addresses to remove from the stop-list (typed or as a file).")
    else:
        prompt = _(
            "Send the phone numbers or e-mail addresses to add: typed, or a file (.csv, .txt, .xlsx)."
        )
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Cancel"), callback_data=StopListAction(action=StopListMove.DONE))
    return prompt, builder.as_markup()


def change_report(adding: bool, changed: int, same: int) -> str:
    """How many addresses the change touched, and how many were already as asked."""
    if adding:
        report = _("Added to the stop-list: {changed} (already there: {same}).")
    else:
        report = _("Removed from the stop-list: {changed} (not on it: {same}).")
    return report.format(changed=number(changed), same=number(same))


def nothing_valid(parsed: RecipientList) -> str:
    return paragraphs(problem_text(Problem(Reason.NO_VALID_RECIPIENTS)), invalid_lines(parsed))


def only_admins_remove() -> str:
    return _("Only an admin can remove addresses from the stop-list.")


def invalid_lines(parsed: RecipientList) -> str:
    """The invalid entries, the first few with their reason."""
    if not parsed.invalid:
        return ""
    count = _("Invalid: {count}").format(count=number(len(parsed.invalid)))
    return "\n".join([count, *example_lines(RecipientsReport.of(parsed))])
