"""The composing card: its text and buttons for each wizard step, the preview and the extras.

Every user-supplied string is escaped here; long texts are cut so a card never exceeds
Telegram's 4096 characters.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.button_data import Index
from bot.compose.costs import Encoding, Estimate, encoding_of
from bot.compose.left_out import left_out_note
from bot.compose.media import is_uploaded
from bot.compose.message_types import type_name
from bot.compose.recipients import (
    TOKEN_TYPES,
    AddressKind,
    InvalidReason,
    address_kind,
    placeholders_in,
    render_html,
    render_text,
    required_placeholders,
    used_columns,
)
from bot.compose.rules import (
    ADVANCED_EXTRAS,
    CHARSETS,
    SHOWN_ADDRESSES,
    Extra,
    ListSummary,
    Problem,
    Reason,
    RecipientsReport,
    Step,
    editable_steps,
    extras_for,
    needs_text,
    offered_senders,
    sms_figures,
)
from bot.compose.segments import is_sms_type
from bot.compose.typography import PLAIN, typographic_only
from bot.config import Settings
from bot.links.tracking import CODE_LENGTH, as_sent, find_links, short_url
from bot.texts import ELLIPSIS, clip, money, number, paragraphs, shorten, units
from storage.campaigns import Draft

CARD_LIMIT = 4000  # Telegram allows 4096; the rest is a margin for what is measured loosely
SHOWN_TEXT_CHARS = 200  # of secondary texts: HTML text, addresses of extras
SHOWN_HTML_CHARS = 600  # of the HTML text as the first recipient gets it


class ComposeAction(CallbackData, prefix="compose"):
    """A button of the composing card; `compose:schedule` belongs to the scheduling dialogue."""

    action: str


class ComposePick(CallbackData, prefix="compose_pick"):
    """A choice among listed values, by position (values may not fit in callback data)."""

    what: str  # "type", "sender", "edit", "extra", "charset"
    index: Index


# ---------------------------------------------------------------- small pieces


def button(text: str, callback: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=callback.pack())


def action(name: str) -> ComposeAction:
    return ComposeAction(action=name)


def _back_cancel() -> list[InlineKeyboardButton]:
    return [button(_("« Back"), action("back")), button(_("Cancel"), action("cancel"))]


def _markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(row) for row in rows if row])


def _picks(what: str, labels: Sequence[str], width: int) -> list[list[InlineKeyboardButton]]:
    builder = InlineKeyboardBuilder()
    for index, label in enumerate(labels):
        builder.add(button(label, ComposePick(what=what, index=index)))
    builder.adjust(width)
    return builder.export()


def problem_line(problem: Problem | None) -> str:
    return f"⚠️ {problem_text(problem)}" if problem else ""


# ---------------------------------------------------------------- the wizard's steps


def header(draft: Draft, summary: ListSummary) -> str:
    """The card's title and what has been chosen so far."""
    lines = [_("<b>New message</b>")]
    if draft.type:
        lines.append(_("Type: <b>{type}</b>").format(type=type_name(draft.type)))
    if draft.sender:
        lines.append(_("Sender: <b>{sender}</b>").format(sender=html.escape(draft.sender)))
    if summary.size:
        recipients = _("Recipients: <b>{count}</b>").format(count=number(summary.size))
        lines.append(recipients + first_addresses(summary))
    return "\n".join(lines)


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
    return text, _markup(rows)


def _keep(label: str) -> list[InlineKeyboardButton]:
    return [button(_("Keep: {value}").format(value=label), action("keep"))]


def _type_step(draft: Draft, settings: Settings) -> tuple[str, list]:
    rows = _picks("type", [html.unescape(type_name(code)) for code in settings.pulse_types], 3)
    if draft.type in settings.pulse_types:
        rows.append(_keep(html.unescape(type_name(draft.type))))
    # The first step has nowhere to go back to.
    rows.append([button(_("Cancel"), action("cancel"))])
    return _("Choose the message type (or type its name):"), rows


def _sender_step(draft: Draft, settings: Settings) -> tuple[str, list]:
    senders = offered_senders(draft.type, settings.pulse_senders)
    rows = _picks("sender", senders, 2)
    if draft.sender:
        rows.append(_keep(shorten(draft.sender, 32)))
    rows.append(_back_cancel())
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
        rows.append(_keep(number(summary.size)))
    if draft.type in TOKEN_TYPES:
        if draft.find_token:
            body += "\n" + _(
                "find_token is on: the platform finds each recipient's token by the phone number "
                "or e-mail address."
            )
            label = _("Send tokens instead")
        else:
            label = _("Phones or e-mails instead (find_token)")
        rows.append([button(label, action("find_token"))])
    rows.append(_back_cancel())
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
        rows.append(_keep(_("current text")))
    rows.append(_back_cancel())
    return paragraphs(*parts), rows


def _lacking_buttons(problem: Problem) -> list[list[InlineKeyboardButton]]:
    """Ways on when some recipients lack a value: a word for them, or leaving them out."""
    name = problem.details["names"][0]
    rows = [[button(_("Use a fallback for {{{name}}}").format(name=name), action("fallback"))]]
    if problem.details["count"] < problem.details["total"]:
        label = ngettext(
            "Leave out {count} recipient", "Leave out {count} recipients", problem.details["count"]
        ).format(count=number(problem.details["count"]))
        rows.append([button(label, action("leave_out"))])
    return rows


def render_fallback_prompt(
    name: str, problem: Problem | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask for the word recipients without a value get instead."""
    text = _(
        "Send what recipients without a value for <code>{{{name}}}</code> get instead, e.g. "
        "<i>Dear customer</i>. The text will then say <code>{{{name}|…}}</code>."
    ).format(name=html.escape(name))
    return paragraphs(text, problem_line(problem)), _markup([_back_cancel()])


def placeholder_names(columns: Sequence[str], limit: int = SHOWN_TEXT_CHARS * 5) -> str:
    """The columns as `{name}` placeholders, as many as fit in `limit` characters."""
    shown: list[str] = []
    used = 0
    for name in columns:
        item = f"<code>{{{html.escape(name)}}}</code>"
        if used + len(item) > limit:
            shown.append(ELLIPSIS)
            break
        shown.append(item)
        used += len(item) + 2
    return ", ".join(shown)


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


def encoding_words(encoding: str) -> str:
    """What an SMS encoding means for the person writing: how much fits in one segment."""
    words = {
        "GSM-7": _("Latin letters: 160 characters per SMS"),
        "UCS-2": _("Cyrillic or emoji: 70 characters per SMS"),
    }
    return words.get(encoding, encoding)


def text_block(
    draft: Draft, summary: ListSummary, limit: int, as_sent: Callable[[str], str] = str
) -> str:
    """The text with its SMS figures, and how the first recipient gets it, in `limit` units."""
    lines = []
    personal = bool(placeholders_in(draft.text) and summary.sample_fields)
    if is_sms_type(draft.type):
        figures = sms_figures(draft.text, summary, as_sent)
        about = "" if figures.exact else "≈"
        if personal:  # lengths differ per recipient: say whose is measured
            measured = _(
                "The first recipient's text: {characters} characters, SMS segments: {segments} "
                "({encoding}); total for all recipients: {about}{total}"
            )
        else:
            measured = _(
                "Characters: {characters}, SMS segments: {segments} ({encoding}), "
                "total for all recipients: {about}{total}"
            )
        lines.append(
            measured.format(
                characters=number(figures.characters),
                segments=number(figures.segments),
                encoding=encoding_words(figures.encoding),
                about=about,
                total=number(figures.total),
            )
        )
    else:
        lines.append(_("Characters: {characters}").format(characters=number(len(draft.text))))
    labels = [_("Text:"), _("The first recipient gets:") if personal else ""]
    room = limit - units("\n".join(lines + labels)) - len("<blockquote></blockquote>\n") * 2
    share = room // 2 if personal else room
    lines += [labels[0], f"<blockquote>{clip(draft.text, share)}</blockquote>"]
    if personal:
        first = render_text(draft.text, summary.first_fields)
        lines += [labels[1], f"<blockquote>{clip(first, share)}</blockquote>"]
    return "\n".join(lines)


# ---------------------------------------------------------------- the preview


def render_preview(
    draft: Draft,
    summary: ListSummary,
    settings: Settings,
    *,
    notice: str = "",
    estimate: Estimate | None = None,
    plain_estimate: Estimate | None = None,
    undo: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    """Exactly what will be sent, with Send / Schedule / Edit / Extras / Save as template / Cancel."""
    top = [notice] if notice else []
    if settings.sandbox:
        top.append(_("🧪 <b>SANDBOX</b>: nothing is really sent and nothing is paid for."))
    top.append(_("<b>Preview</b>: exactly what will be sent"))
    facts = [
        _("Type: <b>{type}</b>").format(type=type_name(draft.type)),
        _("Sender: <b>{sender}</b>").format(sender=html.escape(draft.sender)),
        _("Recipients: <b>{count}</b>").format(count=number(summary.size))
        + with_space(left_out_note(summary.left_out))
        + first_addresses(summary),
    ]
    facts += cost_lines(draft, summary, estimate, settings.currency)
    if plain_estimate is not None and estimate is not None:
        facts.append(typography_line(draft.text, estimate, plain_estimate, settings.currency))
    extras = paragraphs(extras_text(draft, summary), channel_notes(draft, settings))
    warnings = []
    if draft.sent_date:
        warnings.append(
            _("The platform sends it at {when} (platform time).").format(
                when=html.escape(draft.sent_date)
            )
        )
    if not settings.sandbox and not settings.public_url:
        warnings.append(_("⚠️ Statuses will not arrive: PUBLIC_URL is not set."))
    if settings.tracks_links and find_links(f"{draft.text}\n{draft.html_text or ''}"):
        length = len(short_url(settings.public_url, "x" * CODE_LENGTH))
        warnings.append(
            _(
                "🔗 Each link goes out as a short link of the recipient's own ({length} "
                "characters), and its clicks are counted."
            ).format(length=number(length))
        )
    rest = paragraphs("\n".join(top), "\n".join(facts), extras, "\n".join(warnings))
    budget = CARD_LIMIT - units(rest) - 4  # the blank lines joining the text block
    if needs_text(draft.type):
        body = text_block(
            draft, summary, budget, as_sent(settings.public_url, settings.tracks_links)
        )
    else:
        body = _(
            "No text is sent: an HLR request asks the network about each number, and its status "
            "says whether the number is reachable."
        )
    text = paragraphs("\n".join(top), "\n".join(facts), body, extras, "\n".join(warnings))
    keyboard = preview_keyboard(
        left_out=bool(summary.left_out), typography=plain_estimate is not None, undo=undo
    )
    return text, keyboard


def cost_lines(
    draft: Draft, summary: ListSummary, estimate: Estimate | None, currency: str
) -> list[str]:
    """The money the list costs (only with a configured price), the spread of SMS parts over
    recipients, and what makes an SMS text UCS-2."""
    lines = []
    if estimate is not None and estimate.total is not None and estimate.price is not None:
        lines.append(cost_line(estimate, currency))
    if estimate is not None and estimate.sms and estimate.fewest != estimate.most:
        lines.append(
            _(
                "SMS parts per recipient: from {fewest} to {most} (placeholder values make the "
                "texts differ in length)"
            ).format(fewest=number(estimate.fewest), most=number(estimate.most))
        )
    if is_sms_type(draft.type) and draft.text:
        encoding = encoding_of(render_text(draft.text, summary.first_fields))
        if encoding is not None:
            lines.append("ℹ️ " + encoding_line(encoding))
    return lines


def cost_line(estimate: Estimate, currency: str) -> str:
    """≈ 4,900.00 ₽: 980 recipients, 1,960 SMS parts at 2.50 ₽"""
    assert estimate.total is not None
    assert estimate.price is not None
    recipients = ngettext("{count} recipient", "{count} recipients", estimate.recipients).format(
        count=number(estimate.recipients)
    )
    total, price = money(estimate.total, currency), money(estimate.price, currency)
    if not estimate.sms:
        return _("≈ {total}: {recipients} at {price}").format(
            total=total, recipients=recipients, price=price
        )
    parts = ngettext("{count} SMS part", "{count} SMS parts", estimate.parts).format(
        count=number(estimate.parts)
    )
    return _("≈ {total}: {recipients}, {parts} at {price}").format(
        total=total, recipients=recipients, parts=parts, price=price
    )


def typography_line(text: str, estimate: Estimate, plain: Estimate, currency: str) -> str:
    """What plain characters instead of typographic ones would change and save."""
    changes = ", ".join(
        f"«{character_name(char)}» → «{html.escape(PLAIN[char])}»"
        for char in typographic_only(text)
    )
    saved = max(0, estimate.parts - plain.parts)
    parts = ngettext("{count} SMS part", "{count} SMS parts", saved).format(count=number(saved))
    line = _("💡 Plain characters instead of typographic ones ({changes}) save {parts}").format(
        changes=changes, parts=parts
    )
    if estimate.total is not None and plain.total is not None:
        line += f" (≈ {money(estimate.total - plain.total, currency)})"
    return line


def encoding_line(encoding: Encoding) -> str:
    """«—» makes this text UCS-2 (Cyrillic) encoded: 2 parts instead of 1"""
    names = [_("Cyrillic letters")] if encoding.cyrillic else []
    names += [f"«{character_name(char)}»" for char in encoding.culprits]
    what = ", ".join(names)
    # Cyrillic letters are many characters: the verb agrees with a plural then.
    count = len(names) + encoding.cyrillic
    found = ngettext(
        "{what} makes this text UCS-2 (Cyrillic) encoded",
        "{what} make this text UCS-2 (Cyrillic) encoded",
        count,
    ).format(what=what)
    if encoding.parts == encoding.gsm_parts:
        cost = ngettext(
            "{parts} part either way", "{parts} parts either way", encoding.parts
        ).format(parts=number(encoding.parts))
    else:
        cost = ngettext(
            "{parts} part instead of {gsm}", "{parts} parts instead of {gsm}", encoding.parts
        ).format(parts=number(encoding.parts), gsm=number(encoding.gsm_parts))
    return f"{found}: {cost}"


def character_name(char: str) -> str:
    """A character as it can be seen on a card: invisible ones by name or code."""
    if char == "\xa0":
        return _("non-breaking space")
    if char.isspace() or not char.isprintable():
        return f"U+{ord(char):04X}"
    return html.escape(char)


def channel_notes(draft: Draft, settings: Settings) -> str:
    """What the platform does with this message beyond what the card shows."""
    notes = []
    if draft.type == "bulk":
        notes.append(
            _(
                "ℹ️ Cascade: scenario mailing №{number} decides the channels, their order and the "
                "fallbacks. Where the scenario sets its own button, action or image, those win "
                "over the ones set here."
            ).format(number=html.escape(draft.sender))
        )
    if draft.image and is_uploaded(draft.image, settings.public_url):
        notes.append(
            _(
                "ℹ️ The photo goes to the platform as a third-party image and is sent as it is, "
                "not fitted to each messenger. To have it fitted, upload it to the Media section "
                "of the platform's cabinet and set the address it gets there as the image."
            )
        )
    return "\n".join(notes)


def preview_keyboard(
    *, left_out: bool = False, typography: bool = False, undo: bool = False
) -> InlineKeyboardMarkup:
    """The preview's buttons; the file of rows left out only when some were, the replacement
    of typographic characters only when it makes the text GSM-7, Undo right after it."""
    files = [button(_("Rows left out (CSV)"), action("left_out_file"))] if left_out else []
    text = []
    if typography:
        text.append(button(_("Replace typographic characters"), action("typography")))
    if undo:
        text.append(button(_("Undo the replacement"), action("typography_undo")))
    return _markup(
        [
            text,
            [button(_("Send"), action("send")), button(_("Schedule"), action("schedule"))],
            [button(_("Edit"), action("edit")), button(_("Extras"), action("extras"))],
            [button(_("Save as template"), action("template"))],
            files,
            _back_cancel(),
        ]
    )


def with_space(text: str) -> str:
    return f" {text}" if text else ""


def first_addresses(summary: ListSummary) -> str:
    if not summary.first_addresses:
        return ""
    shown = ", ".join(html.escape(address) for address in summary.first_addresses)
    more = f", {ELLIPSIS}" if summary.size > SHOWN_ADDRESSES else ""
    return f": {shown}{more}"


def extras_text(draft: Draft, summary: ListSummary) -> str:
    """The extras that are set, one line each; empty when none is."""
    lines = []
    if draft.html_text:
        lines.append(
            ngettext(
                "HTML text ({characters} character): <code>{start}</code>",
                "HTML text ({characters} characters): <code>{start}</code>",
                len(draft.html_text),
            ).format(
                characters=number(len(draft.html_text)),
                start=clip(draft.html_text, SHOWN_TEXT_CHARS),
            )
        )
        used = used_columns(draft.html_text, summary.columns)
        if used and summary.sample_fields:
            first = render_html(draft.html_text, summary.first_fields)
            lines.append(
                _("The first recipient gets this HTML text: <code>{start}</code>").format(
                    start=clip(first, SHOWN_HTML_CHARS)
                )
            )
        # A placeholder with a fallback is filled in even where the list has no such column.
        as_written = [name for name in required_placeholders(draft.html_text) if name not in used]
        if as_written:
            names = ", ".join(f"{{{html.escape(name)}}}" for name in as_written[:SHOWN_ADDRESSES])
            more = f", {ELLIPSIS}" if len(as_written) > SHOWN_ADDRESSES else ""
            lines.append(
                _(
                    "⚠️ Sent as written, not filled in: {names} (the list has no such column)."
                ).format(names=names + more)
            )
    if draft.button:
        lines.append(
            _("Button: «{caption}» → {action}").format(
                caption=html.escape(draft.button), action=clip(draft.action or "", SHOWN_TEXT_CHARS)
            )
        )
    if draft.image:
        lines.append(_("Image: {url}").format(url=clip(draft.image, SHOWN_TEXT_CHARS)))
    if draft.ttl:
        lines.append(_("Lifetime (TTL): {minutes} min").format(minutes=number(draft.ttl)))
    if draft.charset:
        lines.append(_("Charset: {charset}").format(charset=html.escape(draft.charset)))
    if draft.find_token:
        lines.append(_("Tokens are looked up by phone or e-mail (find_token)"))
    return "\n".join([_("<b>Extras</b>"), *lines]) if lines else ""


# ---------------------------------------------------------------- around the preview


def render_confirm(count: int) -> tuple[str, InlineKeyboardMarkup]:
    """The second question before a large send, with the exact count."""
    text = ngettext(
        "Send to <b>{count}</b> recipient?", "Send to <b>{count}</b> recipients?", count
    ).format(count=number(count))
    rows = [[button(_("Yes, send"), action("confirm")), button(_("No"), action("back"))]]
    return text, _markup(rows)


def render_edit_menu(draft: Draft, summary: ListSummary) -> tuple[str, InlineKeyboardMarkup]:
    labels = {
        Step.TEXT: _("Text"),
        Step.RECIPIENTS: _("Recipients"),
        Step.SENDER: _("Sender"),
        Step.TYPE: _("Type"),
    }
    rows = _picks("edit", [labels[step] for step in editable_steps(draft.type)], 2)
    rows.append(_back_cancel())
    return paragraphs(header(draft, summary), _("What do you want to change?")), _markup(rows)


def extra_label(extra: Extra, draft: Draft) -> str:
    labels = {
        Extra.HTML: _("HTML text"),
        Extra.BUTTON: _("Button"),
        Extra.IMAGE: _("Image"),
        Extra.TTL: _("TTL"),
        Extra.CHARSET: _("Charset"),
        Extra.FIND_TOKEN: (
            _("Tokens by phone or e-mail: on")
            if draft.find_token
            else _("Tokens by phone or e-mail: off")
        ),
    }
    return labels[extra]


def render_extras_menu(
    draft: Draft, summary: ListSummary, *, advanced: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """The extras this type uses; the charset and find_token only under "Advanced"."""
    offered = extras_for(draft.type)
    builder = InlineKeyboardBuilder()
    for index, extra in enumerate(offered):
        if (extra in ADVANCED_EXTRAS) is advanced:  # picks keep their place among all extras
            builder.add(button(extra_label(extra, draft), ComposePick(what="extra", index=index)))
    builder.adjust(3)
    rows = builder.export()
    if not advanced and ADVANCED_EXTRAS & set(offered):
        rows.append([button(_("Advanced…"), action("advanced"))])
    rows.append(_back_cancel())
    body = extras_text(draft, summary) or _("No extras are set.")
    ask = _("Advanced settings, rarely needed:") if advanced else _("Choose what to set:")
    return paragraphs(header(draft, summary), body, ask), _markup(rows)


def render_extra_prompt(
    extra: Extra, draft: Draft, settings: Settings, *, problem: Problem | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The question for one extra, with its current value and a Remove button when it is set."""
    rows: list[list[InlineKeyboardButton]] = []
    if extra is Extra.HTML:
        body = _(
            "Send the HTML text (for e-mail, push and cascades). It is sent as written; only "
            "placeholders that name a column of the list, like <code>{{name}}</code>, are filled "
            "in, with each recipient's value made safe for HTML."
        ).format()
        current = draft.html_text or ""
    elif extra is Extra.BUTTON:
        body = _(
            "Send the button's caption on the first line and, on the second, the address it opens "
            "(http:// or https://) or a bot command such as /start."
        )
        current = f"{draft.button}\n{draft.action}" if draft.button else ""
    elif extra is Extra.IMAGE:
        body = _("Send a photo, or the address of an image (http:// or https://).")
        body += "\n" + _(
            "Images from the platform's Media section are fitted to each messenger; a photo sent "
            "here or an image from another site is sent as it is."
        )
        if not settings.public_url:
            body += "\n" + _(
                "Uploaded photos are served to the platform at PUBLIC_URL, which is not set: "
                "send an image address instead."
            )
        current = draft.image or ""
    elif extra is Extra.TTL:
        body = _("Send the lifetime in minutes: how long the platform keeps trying to deliver.")
        current = str(draft.ttl or "")
    else:
        body = _("Choose the charset of the text (the platform's default is UTF-8):")
        rows = _picks("charset", CHARSETS, 3)
        current = draft.charset or ""
    if current:
        body += "\n" + _("Now: {value}").format(value=clip(current, SHOWN_TEXT_CHARS))
        rows.append([button(_("Remove"), action("remove"))])
    rows.append(_back_cancel())
    return paragraphs(body, problem_line(problem)), _markup(rows)


def render_template_prompt(problem: Problem | None = None) -> tuple[str, InlineKeyboardMarkup]:
    text = paragraphs(_("Send a name for the template."), problem_line(problem))
    return text, _markup([_back_cancel()])


def render_sent(campaign_id: int) -> str:
    return _("Sent to the platform: campaign №{id}.").format(id=campaign_id)


def render_sent_at_next_start(campaign_id: int) -> str:
    return _(
        "The bot is restarting: campaign №{id} goes out as soon as it is running again."
    ).format(id=campaign_id)


def render_cancelled() -> str:
    return _("Cancelled. Nothing was sent.")


# ---------------------------------------------------------------- refusals in words


def problem_text(problem: Problem) -> str:
    """Why input was refused, in the reader's language; details are escaped."""
    details = {
        key: html.escape(str(value)) if isinstance(value, str) else value
        for key, value in problem.details.items()
    }
    reason = problem.reason
    if reason is Reason.TEXT_TOO_LONG:
        details["type"] = type_name(str(problem.details.get("type", "")))
    if reason is Reason.UNKNOWN_TYPE:
        types = ", ".join(type_name(item) for item in problem.details.get("types", []))
        return _("Unknown type «{type}». Types: {types}.").format(
            type=clip(str(problem.details.get("type", "")), 64), types=types
        )
    if reason is Reason.OUTSIDE_UCS2 or (
        reason is Reason.CHARSET_MISMATCH
        and ("position" in problem.details or problem.details.get("in") == "html")
    ):
        return charset_text(problem)
    if reason is Reason.PLACEHOLDER_MISSING:
        names = ", ".join(f"{{{html.escape(name)}}}" for name in problem.details["names"])
        count = problem.details["count"]
        examples = ", ".join(
            f"№{position} {html.escape(address)}"
            for position, address in problem.details["examples"]
        )
        if count > len(problem.details["examples"]):
            examples += ", " + ELLIPSIS
        first = problem.details["names"][0]
        return (
            ngettext(
                "{count} recipient has no value for {names}: {examples}.",
                "{count} recipients have no value for {names}: {examples}.",
                count,
            ).format(count=number(count), names=names, examples=examples)
            + " "
            + _(
                "Fill the column in, give a fallback in the text (<code>{{{name}|Dear "
                "customer}}</code>) or leave those recipients out."
            ).format(name=html.escape(first))
        )
    if reason in FILE_LIMITS:
        return file_limit_text(problem)
    if reason is Reason.PLACEHOLDER_UNKNOWN:
        names = ", ".join(f"{{{html.escape(name)}}}" for name in problem.details["names"])
        columns = problem.details["columns"]
        if not columns:
            return _(
                "The list has no columns, so {names} has nothing to take: placeholders need a "
                "table file with a column of that name."
            ).format(names=names)
        return ngettext(
            "The list has no column {names}. Its column: {columns}.",
            "The list has no column {names}. Its columns: {columns}.",
            len(columns),
        ).format(names=names, columns=placeholder_names(columns, SHOWN_TEXT_CHARS * 2))
    texts = {
        Reason.SENDER_EMPTY: _("The sender is empty."),
        Reason.SENDER_TOO_LONG: ngettext(
            "The sender must be one line of at most {limit} character.",
            "The sender must be one line of at most {limit} characters.",
            details.get("limit", 0),
        ),
        Reason.SENDER_NOT_DIGITS: _(
            "For bulk the sender is the scenario mailing's number: digits only."
        ),
        Reason.BAD_FALLBACK: _(
            "Send one line of at most {limit} characters, without braces or «|»."
        ),
        Reason.EXPECTED_TEXT: _("Please send text here."),
        Reason.EXPECTED_RECIPIENTS: _("Please send the recipients as text or as a file."),
        Reason.NO_VALID_RECIPIENTS: _("No valid recipients found. Send the list again."),
        Reason.FILE_TOO_LARGE: _("The file is larger than {limit_mb} MB."),
        Reason.FILE_EMPTY: _("The file is empty."),
        Reason.FILE_BINARY: _("This does not look like a text or table file."),
        Reason.FILE_UNSUPPORTED: _("Files of this kind are not read: send .csv, .txt or .xlsx."),
        Reason.FILE_NO_ADDRESS_COLUMN: _(
            "No column of the file holds recipients' addresses: none of its first rows has one. "
            "Put them in a column named «phone» or «email», or check the file."
        ),
        Reason.FILE_NOT_A_TABLE: _("The file cannot be read: it is neither XLSX nor CSV."),
        Reason.FILE_BAD_CSV: _(
            "The file cannot be read: line {line} breaks the CSV format (look for an unclosed "
            "quote)."
        )
        if "line" in details
        else _("The file cannot be read: it breaks the CSV format."),
        Reason.FILE_DOWNLOAD_FAILED: _(
            "The file could not be downloaded from Telegram; try again."
        ),
        Reason.TEXT_EMPTY: _("The text is empty."),
        Reason.SMS_TOO_LONG: ngettext(
            "The text takes {segments} SMS segment; at most {limit} are allowed.",
            "The text takes {segments} SMS segments; at most {limit} are allowed.",
            details.get("segments", 0),
        ),
        Reason.TEXT_TOO_LONG: ngettext(
            "The text has {length} character; {type} allows at most {limit}.",
            "The text has {length} characters; {type} allows at most {limit}.",
            details.get("length", 0),
        ),
        Reason.CHARSET_MISMATCH: _("The text cannot be sent in {charset}: it has «{character}»."),
        Reason.BAD_CAPTION: ngettext(
            "Send two lines: the caption (at most {limit} character), then the address.",
            "Send two lines: the caption (at most {limit} characters), then the address.",
            details.get("limit", 0),
        ),
        Reason.BAD_ACTION: _(
            "That is neither an http(s) address nor a bot command such as /start."
        ),
        Reason.BAD_IMAGE_URL: _("That is not an image address (http:// or https://)."),
        Reason.EXPECTED_IMAGE: _("Send a photo or an image address."),
        Reason.NEED_PUBLIC_URL: _(
            "Uploaded photos cannot be used: PUBLIC_URL is not set, so the platform could not "
            "fetch them. Send an image address (http:// or https://) instead."
        ),
        Reason.BAD_TTL: _("Send a whole number of minutes from 1 to {limit}."),
        Reason.BAD_TEMPLATE_NAME: ngettext(
            "The name must be 1 to {limit} character.",
            "The name must be 1 to {limit} characters.",
            details.get("limit", 0),
        ),
        Reason.TEMPLATE_NAME_TAKEN: _(
            "A template named «{name}» already exists; choose another name."
        ),
        Reason.SEND_USAGE: _(
            "Usage: <code>/send type recipients</code> with the text on the next lines, "
            "or <code>/send type recipients text</code> on one line."
        ),
    }
    return texts[reason].format(**details)


FILE_LIMITS = frozenset(
    {
        Reason.FILE_TOO_MANY_ROWS,
        Reason.FILE_TOO_MANY_COLUMNS,
        Reason.FILE_CELL_TOO_LONG,
        Reason.FILE_UNPACKS_TOO_LARGE,
        Reason.FILE_TOO_SLOW,
    }
)


def file_limit_text(problem: Problem) -> str:
    """Which limit a recipient file passed, with the figures to fix it."""
    figures = {
        key: number(value) if isinstance(value, int) else value
        for key, value in problem.details.items()
    }
    texts = {
        Reason.FILE_TOO_MANY_ROWS: _(
            "The file has more than {limit} rows; send at most {limit} recipients per file."
        ),
        Reason.FILE_TOO_MANY_COLUMNS: _(
            "Line {line} has {count} columns; a recipient file may have at most {limit}."
        ),
        Reason.FILE_CELL_TOO_LONG: _(
            "Line {line} holds a value of {length} characters; a cell may have at most {limit}."
        ),
        Reason.FILE_UNPACKS_TOO_LARGE: _(
            "The workbook unpacks to {unpacked_mb} MB: more than {ratio} times its size or "
            "{limit_mb} MB, so it is not opened. Save it again in Excel or send it as CSV."
        ),
        Reason.FILE_TOO_SLOW: _(
            "Reading the file took more than {seconds} seconds; split it into smaller files."
        ),
    }
    return texts[problem.reason].format(**figures)


def charset_text(problem: Problem) -> str:
    """Why the text or a recipient's values do not fit the charset, and what to do about it."""
    details = problem.details
    charset = html.escape(str(details["charset"]))
    if problem.reason is Reason.OUTSIDE_UCS2:
        characters = " ".join(f"«{html.escape(char)}»" for char in details["characters"])
        advice = _(
            "{charset} cannot carry characters outside the Basic Multilingual Plane (emoji and "
            "the like): remove them, or choose a UTF-16 charset (UTF-16BE or UTF-16LE) under "
            "Extras, Advanced."
        ).format(charset=charset)
    elif "position" in details:
        characters = f"«{html.escape(str(details['character']))}»"
        advice = _(
            "{charset} cannot carry it: change that value in the list or choose another charset."
        ).format(charset=charset)
    else:
        characters = f"«{html.escape(str(details['character']))}»"
        advice = _("{charset} cannot carry it: change the text or choose another charset.").format(
            charset=charset
        )
    if details.get("in") == "html":
        found = _("The HTML text has {characters}.").format(characters=characters)
    elif "position" not in details:
        found = _("The text has {characters}.").format(characters=characters)
    else:
        found = _("Recipient #{position} ({address}) has {characters} in its values.").format(
            position=details["position"],
            address=html.escape(str(details["address"])),
            characters=characters,
        )
    return f"{found} {advice}"
