"""Why input was refused, in words: the refusal catalogue the composer and /stoplist show."""

from __future__ import annotations

import html
from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.message_types import type_name
from bot.compose.rules import Problem, Reason
from bot.texts import ELLIPSIS, clip, number

SHOWN_TEXT_CHARS = 200  # of secondary texts: HTML text, addresses of extras


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
