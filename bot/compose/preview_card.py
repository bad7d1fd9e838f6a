"""The preview: exactly what will be sent, to whom, at what cost, with its buttons."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.approval.cards import preview_note
from bot.approval.rule import approval_needed
from bot.compose.cards import (
    CARD_LIMIT,
    SHOWN_HTML_CHARS,
    SHOWN_TEXT_CHARS,
    ComposeMove,
    action,
    back_cancel,
    button,
    first_addresses,
    markup,
    text_block,
)
from bot.compose.conversation import ListSummary
from bot.compose.costs import Encoding, Estimate, encoding_of
from bot.compose.left_out import left_out_note
from bot.compose.list_checks import SHOWN_ADDRESSES
from bot.compose.media import is_uploaded
from bot.compose.message_types import type_name
from bot.compose.placeholders import render_html, render_text, required_placeholders, used_columns
from bot.compose.rules import needs_text
from bot.compose.segments import is_sms_type
from bot.compose.transliteration import transliterate_values
from bot.compose.transliteration_cards import transliterated_line, transliteration_line
from bot.compose.typography import PLAIN, typographic_only
from bot.config import Settings
from bot.links.tracking import CODE_LENGTH, as_sent, find_links, short_url
from bot.texts import ELLIPSIS, clip, money, number, paragraphs, units
from bot.timing.cards import quiet_hours_note
from storage.campaigns import Draft

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
    latin_estimate: Estimate | None = None,
    latin_undo: bool = False,
    now: datetime | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """Exactly what will be sent, with Send / Schedule / Edit / Extras / Save as template / Cancel.

    `now` (UTC) says who is inside quiet hours if the message went now."""
    if draft.transliterate:  # the first recipients' texts as they will go out
        latin = tuple(transliterate_values(fields) for fields in summary.sample_fields)
        summary = replace(summary, sample_fields=latin)
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
    if latin_estimate is not None and estimate is not None:
        facts.append(transliteration_line(estimate, latin_estimate, settings.currency))
    if draft.transliterate:
        facts.append(transliterated_line())
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
    if approval_needed(settings, summary.size, estimate.total if estimate else None):
        warnings.append(preview_note(settings.approvers))
    if now is not None and not draft.sent_date:
        warnings.append(quiet_hours_note(settings, dict(summary.zones), now))
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
        test=needs_text(draft.type),
        left_out=bool(summary.left_out),
        typography=plain_estimate is not None,
        undo=undo,
        transliteration=latin_estimate is not None,
        transliteration_undo=latin_undo,
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
    *,
    test: bool = True,
    left_out: bool = False,
    typography: bool = False,
    undo: bool = False,
    transliteration: bool = False,
    transliteration_undo: bool = False,
) -> InlineKeyboardMarkup:
    """The preview's buttons; the file of rows left out only when some were, the replacement
    of typographic characters only when it makes the text GSM-7, transliteration only when it
    saves parts, and Undo right after either; Test to me only for a type that sends a message
    (an HLR request checks a number and sends none)."""
    files = (
        [button(_("Rows left out (CSV)"), action(ComposeMove.LEFT_OUT_FILE))] if left_out else []
    )
    text = []
    if typography:
        text.append(button(_("Replace typographic characters"), action(ComposeMove.TYPOGRAPHY)))
    if undo:
        text.append(button(_("Undo the replacement"), action(ComposeMove.TYPOGRAPHY_UNDO)))
    if transliteration:
        text.append(button(_("Transliterate"), action(ComposeMove.TRANSLIT)))
    if transliteration_undo:
        text.append(button(_("Undo transliteration"), action(ComposeMove.TRANSLIT_UNDO)))
    return markup(
        [
            text,
            [
                button(_("Send"), action(ComposeMove.SEND)),
                button(_("Schedule"), action(ComposeMove.SCHEDULE)),
            ],
            [
                button(_("Edit"), action(ComposeMove.EDIT)),
                button(_("Extras"), action(ComposeMove.EXTRAS)),
            ],
            [
                *([button(_("Test to me"), action(ComposeMove.TEST_ME))] if test else []),
                button(_("Save as template"), action(ComposeMove.TEMPLATE)),
            ],
            files,
            back_cancel(),
        ]
    )


def with_space(text: str) -> str:
    return f" {text}" if text else ""


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
