"""The composing card at each wizard step: type, sender, recipients, text; what a list held."""

from __future__ import annotations

import html

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.addresses import TOKEN_TYPES, AddressKind, InvalidReason, address_kind
from bot.compose.cards import (
    CARD_LIMIT,
    ComposeMove,
    PickKind,
    action,
    back_cancel,
    button,
    header,
    markup,
    picks,
    problem_line,
    text_block,
)
from bot.compose.conversation import ListSummary, RecipientsReport
from bot.compose.message_types import type_name
from bot.compose.preview_card import render_preview
from bot.compose.problem_texts import placeholder_names
from bot.compose.rules import Problem, Reason, Step, offered_senders
from bot.config import Settings
from bot.texts import clip, number, paragraphs, shorten, units
from storage.campaigns import Draft


def render_step(
    step: Step,
    draft: Draft,
    summary: ListSummary,
    settings: Settings,
    *,
    problem: Problem | None = None,
    report: RecipientsReport | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The card for one wizard step, with the reason the last input was refused, if any."""
    if step is Step.PREVIEW:
        return render_preview(draft, summary, settings)
    if step is Step.TYPE:
        body, rows = _type_step(draft, settings)
    elif step is Step.SENDER:
        body, rows = _sender_step(draft, settings)
    elif step is Step.RECIPIENTS:
        body, rows = _recipients_step(draft, summary, report)
    else:
        room = CARD_LIMIT - units(header(draft, summary) + problem_line(problem))
        body, rows = _text_step(draft, summary, report, room)
        if problem is not None and problem.reason is Reason.PLACEHOLDER_MISSING:
            rows[:0] = _lacking_buttons(problem)
    if step is Step.RECIPIENTS and problem is None and report is not None and not report.valid:
        problem = Problem(Reason.NO_VALID_RECIPIENTS)
    text = paragraphs(header(draft, summary), body, problem_line(problem))
    return text, markup(rows)


def keep(label: str) -> list[InlineKeyboardButton]:
    return [button(_("Keep: {value}").format(value=label), action(ComposeMove.KEEP))]


def _type_step(draft: Draft, settings: Settings) -> tuple[str, list]:
    rows = picks(
        PickKind.TYPE, [html.unescape(type_name(code)) for code in settings.pulse_types], 3
    )
    if draft.type in settings.pulse_types:
        rows.append(keep(html.unescape(type_name(draft.type))))
    # The first step has nowhere to go back to.
    rows.append([button(_("Cancel"), action(ComposeMove.CANCEL))])
    return _("Choose the message type (or type its name):"), rows


def _sender_step(draft: Draft, settings: Settings) -> tuple[str, list]:
    senders = offered_senders(draft.type, settings.pulse_senders)
    rows = picks(PickKind.SENDER, senders, 2)
    if draft.sender:
        rows.append(keep(shorten(draft.sender, 32)))
    rows.append(back_cancel())
    if draft.type == "bulk":
        body = _(
            "For <b>bulk</b> (a cascade), the sender is the <b>number of the scenario mailing</b> "
            "set up in the platform's cabinet: send its digits."
        )
    elif senders:
        body = _("Choose the sender recipients will see, or type another one:")
    else:
        body = _("Type the sender name recipients will see:")
    return body, rows


def _recipients_step(
    draft: Draft, summary: ListSummary, report: RecipientsReport | None
) -> tuple[str, list]:
    kind = address_kind(draft.type, draft.find_token)
    if kind is AddressKind.PUSH:
        body = _(
            "Send the recipients' tokens (separated by commas or new lines), or a file: "
            ".csv, .txt or .xlsx, up to 20 MB. Other columns of a table become placeholders for "
            "the text, e.g. <code>{{name}}</code>."
        ).format()
    else:
        what = {
            AddressKind.PHONE: _("phone numbers"),
            AddressKind.EMAIL: _("e-mail addresses"),
            AddressKind.PHONE_OR_EMAIL: _("phone numbers or e-mail addresses"),
        }[kind]
        body = _(
            "Send the recipients' {what} (separated by commas, spaces or new lines), or a file: "
            ".csv, .txt or .xlsx, up to 20 MB. Other columns of a table become placeholders for "
            "the text, e.g. <code>{{name}}</code>."
        ).format(what=what)
    rows = []
    if summary.size:
        rows.append(keep(number(summary.size)))
    if draft.type in TOKEN_TYPES:
        if draft.find_token:
            body += "\n" + _(
                "find_token is on: the platform finds each recipient's token by the phone number "
                "or e-mail address."
            )
            label = _("Send tokens instead")
        else:
            label = _("Phones or e-mails instead (find_token)")
        rows.append([button(label, action(ComposeMove.FIND_TOKEN))])
    rows.append(back_cancel())
    return paragraphs(report_text(report), body), rows


def _text_step(
    draft: Draft, summary: ListSummary, report: RecipientsReport | None, room: int
) -> tuple[str, list]:
    """The question for the text; the current text, if any, gets the room the rest leaves."""
    parts = [report_text(report)]
    if summary.columns:
        names = placeholder_names(summary.columns)
        parts.append(_("Placeholders you can use: {names}").format(names=names))
    parts.append(_("Send the text of the message."))
    rows = []
    if draft.text:
        parts.append(text_block(draft, summary, room - units(paragraphs(*parts)) - 4))
        rows.append(keep(_("current text")))
    rows.append(back_cancel())
    return paragraphs(*parts), rows


def _lacking_buttons(problem: Problem) -> list[list[InlineKeyboardButton]]:
    """Ways on when some recipients lack a value: a word for them, or leaving them out."""
    name = problem.details["names"][0]
    rows = [
        [button(_("Use a fallback for {{{name}}}").format(name=name), action(ComposeMove.FALLBACK))]
    ]
    if problem.details["count"] < problem.details["total"]:
        label = ngettext(
            "Leave out {count} recipient", "Leave out {count} recipients", problem.details["count"]
        ).format(count=number(problem.details["count"]))
        rows.append([button(label, action(ComposeMove.LEAVE_OUT))])
    return rows


def render_fallback_prompt(
    name: str, problem: Problem | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for the word recipients without a value get instead."""
    text = _(
        "Send what recipients without a value for <code>{{{name}}}</code> get instead, e.g. "
        "<i>Dear customer</i>. The text will then say <code>{{{name}|…}}</code>."
    ).format(name=html.escape(name))
    return paragraphs(text, problem_line(problem)), markup([back_cancel()])


def report_text(report: RecipientsReport | None) -> str:
    """What parsing the recipient list found: counts and the first invalid entries."""
    if report is None:
        return ""
    lines = [
        _("Valid recipients: <b>{count}</b>").format(count=number(report.valid)),
        _("Invalid: {count}").format(count=number(report.invalid)),
        _("Duplicates dropped: {count}").format(count=number(report.duplicates)),
        _("On the stop-list: {count}").format(count=number(report.stopped)),
    ]
    lines += example_lines(report)
    if report.invalid > len(report.examples):
        lines.append(
            _("  and {count} more").format(count=number(report.invalid - len(report.examples)))
        )
    if report.contacts:
        lines.append(
            "⚠️ "
            + ngettext(
                "{count} token looks like a phone number or an e-mail address: it is sent as a "
                "token. To reach people by phone or e-mail, switch find_token on.",
                "{count} tokens look like phone numbers or e-mail addresses: they are sent as "
                "tokens. To reach people by phone or e-mail, switch find_token on.",
                report.contacts,
            ).format(count=number(report.contacts))
        )
    return "\n".join(lines)


def example_lines(report: RecipientsReport) -> list[str]:
    """The first invalid entries, each with its line and why it was refused."""
    return [
        _("  line {line}: «{text}» - {reason}").format(
            line=line, text=clip(raw, 100), reason=invalid_reason_text(reason)
        )
        for line, raw, reason in report.examples
    ]


def invalid_reason_text(reason: str) -> str:
    texts = {
        InvalidReason.NOT_A_PHONE: _("not a phone number"),
        InvalidReason.NOT_AN_EMAIL: _("not an e-mail address"),
        InvalidReason.NOT_A_PHONE_OR_EMAIL: _("neither a phone number nor an e-mail address"),
        InvalidReason.NOT_A_TOKEN: _("not a push token"),
        InvalidReason.EMPTY_TOKEN: _("no address in this row"),
        InvalidReason.NOT_MOBILE: _("a landline or service number: this channel needs a mobile"),
        InvalidReason.NOT_A_TIME_ZONE: _("the time zone is not a name such as Europe/Moscow"),
    }
    return texts.get(reason, html.escape(reason))  # type: ignore[call-overload]
