"""What /stoplist shows: the list with who added each address, its buttons, the questions and reports.

The dialog's windows are built here; their handlers are in handlers/stoplist.py."""

from __future__ import annotations

import html
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.fsm.state import State
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import DialogManager, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row
from aiogram_dialog.widgets.kbd.button import OnClick
from aiogram_dialog.widgets.text import Format

from bot.compose.conversation import RecipientsReport
from bot.compose.problem_texts import problem_text
from bot.compose.rules import Problem, Reason
from bot.compose.step_cards import example_lines
from bot.config import Settings
from bot.members.cards import member_label
from bot.schedule.when import format_day
from bot.telegram.dialog_kit import Tr
from bot.texts import number, paragraphs, reader_locale
from storage.clock import from_iso
from storage.members import Member, Role
from storage.stoplist import StopEntry
from storage.store import Store

SHOWN_ADDRESSES = 50
UTC_ZONE = ZoneInfo("UTC")
CARD_CHARS = 3000  # of the list, leaving room for a report above it


def stoplist_text(store: Store, zone: ZoneInfo = UTC_ZONE) -> str:
    """The count and the first addresses with who added them."""
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
    return "\n".join(lines)


async def listing(
    store: Store, member: Member, settings: Settings, dialog_manager: DialogManager, **_data: object
) -> dict[str, Any]:
    """The list, under the report of the change just made (if one was)."""
    return {
        "report": dialog_manager.dialog_data.get("report", ""),
        "listing": stoplist_text(store, settings.zone),
        # Lifting someone's opt-out is an admin's decision.
        "may_remove": member.role is Role.ADMIN,
    }


def listing_window(state: State, add: OnClick, remove: OnClick) -> Window:
    """The list with buttons to change it; only an admin gets Remove."""
    return Window(
        Format("{report}\n", when="report"),  # a blank line between the report and the list
        Format("{listing}"),
        Row(
            Button(Tr("Add"), id="add", on_click=add),
            Button(Tr("Remove"), id="remove", on_click=remove, when="may_remove"),
        ),
        Button(Tr("Upload a file"), id="upload", on_click=add),
        state=state,
        getter=listing,
    )


def prompt_window(state: State, removing: bool, sent: Any, done: OnClick) -> Window:
    """Asks for the addresses to add or remove, with a button to leave the list as it is."""
    if removing:
        prompt = Tr("Send the addresses to remove from the stop-list (typed or as a file).")
    else:
        prompt = Tr(
            "Send the phone numbers or e-mail addresses to add: typed, or a file (.csv, .txt, .xlsx)."
        )
    return Window(
        prompt,
        Button(Tr("Cancel"), id="done", on_click=done),
        MessageInput(sent),
        state=state,
    )


def added_by(store: Store, entry: StopEntry, zone: ZoneInfo) -> str:
    """ "added by Olga (1001), 30 Nov 2026", escaped for HTML."""
    day = format_day(from_iso(entry.added_at), zone, reader_locale())
    if entry.added_by is None:
        return _("added {date}").format(date=day)
    return _("added by {who}, {date}").format(who=member_label(store, entry.added_by), date=day)


def change_report(adding: bool, changed: int, same: int) -> str:
    """How many addresses the change touched, and how many were already as asked."""
    if adding:
        report = _("Added to the stop-list: {changed} (already there: {same}).")
    else:
        report = _("Removed from the stop-list: {changed} (not on it: {same}).")
    return report.format(changed=number(changed), same=number(same))


def nothing_valid(report: RecipientsReport) -> str:
    return paragraphs(problem_text(Problem(Reason.NO_VALID_RECIPIENTS)), invalid_lines(report))


def only_admins_remove() -> str:
    return _("Only an admin can remove addresses from the stop-list.")


def invalid_lines(report: RecipientsReport) -> str:
    """The invalid entries, the first few with their reason."""
    if not report.invalid:
        return ""
    count = _("Invalid: {count}").format(count=number(report.invalid))
    return "\n".join([count, *example_lines(report)])
