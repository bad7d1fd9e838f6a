"""Placeholders in a message text: `{name}` and `{name|fallback}`, which recipients lack a value,\nand the text each recipient gets.\n"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from bot.compose.recipients import Recipient, RecipientList

# `{name}`, or `{name|fallback}`: the fallback is used where a recipient has no value.
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w(?:[\w.\- ]{0,62}\w)?)(?:\|([^{}|\n]{0,200}))?\}")


EXAMPLES_SHOWN = 5  # recipients named when some lack a value


def placeholders_in(text: str) -> list[str]:
    """The `{name}` fields a text uses, in order of first use; `{{` and `}}` are literal braces."""
    names = (match[1] for match in _PLACEHOLDER.finditer(text) if match[1])
    return list(dict.fromkeys(names))


def required_placeholders(text: str) -> list[str]:
    """The fields a text uses at least once without a fallback: every recipient needs them."""
    names = (match[1] for match in _PLACEHOLDER.finditer(text) if match[1] and match[2] is None)
    return list(dict.fromkeys(names))


def with_fallback(text: str, name: str, fallback: str) -> str:
    """The text with every `{name}` that has no fallback given this one."""

    def substitute(match: re.Match[str]) -> str:
        if match[1] and match[2] is None and match[1].casefold() == name.casefold():
            return f"{{{match[1]}|{fallback}}}"
        return match[0]

    return _PLACEHOLDER.sub(substitute, text)


def unknown_columns(names: Iterable[str], columns: Collection[str]) -> list[str]:
    """The names that match no column of the list (compared ignoring case)."""
    known = {column.casefold() for column in columns}
    return [name for name in names if name.casefold() not in known]


@dataclass(frozen=True)
class Lacking:
    """Recipients without a value for a field the text needs."""

    names: list[str]  # the fields some recipients lack, in order of first use
    count: int
    examples: list[tuple[int, str]]  # (1-based position, address) of the first few


def lacking_values(recipients: Iterable[Recipient], names: Collection[str]) -> Lacking | None:
    """Who has no value for one of `names`: how many, and the first few."""
    if not names:
        return None
    lacking: dict[str, None] = {}
    count = 0
    examples: list[tuple[int, str]] = []
    for position, recipient in enumerate(recipients, start=1):
        missing = [name for name in names if _field_value(recipient.fields, name) is None]
        if missing:
            count += 1
            lacking.update(dict.fromkeys(missing))
            if len(examples) < EXAMPLES_SHOWN:
                examples.append((position, recipient.address))
    return Lacking(list(lacking), count, examples) if count else None


def has_values(fields: Mapping[str, str], names: Iterable[str]) -> bool:
    return all(_field_value(fields, name) is not None for name in names)


def _field_value(fields: Mapping[str, str], name: str) -> str | None:
    """A field by exact name, else ignoring case (headers are often capitalised)."""
    value = fields.get(name)
    if value is None:
        folded = name.casefold()
        value = next((v for key, v in fields.items() if key.casefold() == folded), None)
    return value or None


def placeholder_values(names: Iterable[str], fields: Mapping[str, str]) -> list[str]:
    """The values a recipient gives the named placeholders (those it has)."""
    return [value for name in names if (value := _field_value(fields, name)) is not None]


def used_columns(html_text: str, columns: Collection[str]) -> list[str]:
    """The `{name}` fields of an HTML text that name a column of the list.

    In HTML, braces are mostly CSS and scripts (`a{color:red}`): only a column's name is a
    placeholder there, anything else is text.
    """
    known = {column.casefold() for column in columns}
    return [name for name in placeholders_in(html_text) if name.casefold() in known]


def required_columns(html_text: str, columns: Collection[str]) -> list[str]:
    """The columns an HTML text uses at least once without a fallback."""
    known = {column.casefold() for column in columns}
    return [name for name in required_placeholders(html_text) if name.casefold() in known]


def missing_placeholders(
    text: str, recipients: RecipientList, *, also: Collection[str] = ()
) -> tuple[int, Recipient, list[str]] | None:
    """The first recipient (1-based position) with no value for a placeholder the text uses.

    `also` names more fields every recipient needs (those an HTML text uses).
    """
    names = list(dict.fromkeys([*required_placeholders(text), *also]))
    if not names:
        return None
    for position, recipient in enumerate(recipients.valid, start=1):
        missing = [name for name in names if _field_value(recipient.fields, name) is None]
        if missing:
            return position, recipient, missing
    return None


def render_text(text: str, fields: Mapping[str, str]) -> str:
    """Substitute `{name}` from fields (or its fallback); unknown names stay as written,
    nothing is evaluated."""

    def substitute(match: re.Match[str]) -> str:
        token = match[0]
        if token in ("{{", "}}"):
            return token[0]
        value = _field_value(fields, match[1])
        if value is None:
            return token if match[2] is None else match[2]
        return value

    return _PLACEHOLDER.sub(substitute, text)


def render_html(html_text: str, fields: Mapping[str, str]) -> str:
    """Substitute `{name}` in an HTML text with the recipient's value, HTML-escaped.

    Everything else stays exactly as written, `{{` and `}}` included: minified CSS is full of
    them, and the text is markup the author wrote, not a template to unescape.
    """
    if not placeholders_in(html_text):
        return html_text

    def substitute(match: re.Match[str]) -> str:
        if not match[1]:
            return match[0]
        value = _field_value(fields, match[1])
        if value is None:
            return match[0] if match[2] is None else match[2]
        return html.escape(value)

    return _PLACEHOLDER.sub(substitute, html_text)
