"""The cards around the preview: the large-send question, Edit, the extras, templates, the end."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.compose.cards import (
    SHOWN_TEXT_CHARS,
    ComposeMove,
    ComposePick,
    PickKind,
    action,
    back_cancel,
    button,
    header,
    markup,
    picks,
    problem_line,
)
from bot.compose.conversation import ListSummary
from bot.compose.preview_card import extras_text
from bot.compose.rules import (
    ADVANCED_EXTRAS,
    CHARSETS,
    Extra,
    Problem,
    Step,
    editable_steps,
    extras_for,
)
from bot.config import Settings
from bot.texts import clip, number, paragraphs
from storage.campaigns import Draft

# ---------------------------------------------------------------- around the preview


def render_confirm(count: int) -> tuple[str, InlineKeyboardMarkup]:
    """The second question before a large send, with the exact count."""
    text = ngettext(
        "Send to <b>{count}</b> recipient?", "Send to <b>{count}</b> recipients?", count
    ).format(count=number(count))
    rows = [
        [
            button(_("Yes, send"), action(ComposeMove.CONFIRM)),
            button(_("No"), action(ComposeMove.BACK)),
        ]
    ]
    return text, markup(rows)


def render_edit_menu(draft: Draft, summary: ListSummary) -> tuple[str, InlineKeyboardMarkup]:
    labels = {
        Step.TEXT: _("Text"),
        Step.RECIPIENTS: _("Recipients"),
        Step.SENDER: _("Sender"),
        Step.TYPE: _("Type"),
    }
    rows = picks(PickKind.EDIT, [labels[step] for step in editable_steps(draft.type)], 2)
    rows.append(back_cancel())
    return paragraphs(header(draft, summary), _("What do you want to change?")), markup(rows)


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
            builder.add(
                button(extra_label(extra, draft), ComposePick(what=PickKind.EXTRA, index=index))
            )
    builder.adjust(3)
    rows = builder.export()
    if not advanced and ADVANCED_EXTRAS & set(offered):
        rows.append([button(_("Advanced…"), action(ComposeMove.ADVANCED))])
    rows.append(back_cancel())
    body = extras_text(draft, summary) or _("No extras are set.")
    ask = _("Advanced settings, rarely needed:") if advanced else _("Choose what to set:")
    return paragraphs(header(draft, summary), body, ask), markup(rows)


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
        rows = picks(PickKind.CHARSET, CHARSETS, 3)
        current = draft.charset or ""
    if current:
        body += "\n" + _("Now: {value}").format(value=clip(current, SHOWN_TEXT_CHARS))
        rows.append([button(_("Remove"), action(ComposeMove.REMOVE))])
    rows.append(back_cancel())
    return paragraphs(body, problem_line(problem)), markup(rows)


def render_template_prompt(problem: Problem | None = None) -> tuple[str, InlineKeyboardMarkup]:
    text = paragraphs(_("Send a name for the template."), problem_line(problem))
    return text, markup([back_cancel()])


def render_sent(campaign_id: int) -> str:
    return _("Sent to the platform: campaign №{id}.").format(id=campaign_id)


def render_sent_at_next_start(campaign_id: int) -> str:
    return _(
        "The bot is restarting: campaign №{id} goes out as soon as it is running again."
    ).format(id=campaign_id)


def render_cancelled() -> str:
    return _("Cancelled. Nothing was sent.")
