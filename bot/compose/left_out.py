"""The rows of an upload left out of the list (invalid, duplicates, stop-listed, lacking a value),
counted for the preview and written to a file with the reason for each."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.compose.recipients import DUPLICATE, LACKING_VALUE, STOP_LISTED
from bot.statuses.report_file import spreadsheet_csv
from bot.texts import number


def left_out_note(counts: Mapping[str, int]) -> str:
    """(10 invalid, 10 duplicates, 3 on the stop-list left out); empty when nothing was."""
    invalid = sum(
        count
        for reason, count in counts.items()
        if reason not in (DUPLICATE, STOP_LISTED, LACKING_VALUE)
    )
    items = []
    if invalid:
        items.append(
            ngettext("{count} invalid", "{count} invalid", invalid).format(count=number(invalid))
        )
    if duplicates := counts.get(DUPLICATE, 0):
        items.append(
            ngettext("{count} duplicate", "{count} duplicates", duplicates).format(
                count=number(duplicates)
            )
        )
    if stopped := counts.get(STOP_LISTED, 0):
        items.append(_("{count} on the stop-list").format(count=number(stopped)))
    if lacking := counts.get(LACKING_VALUE, 0):
        items.append(_("{count} without a value").format(count=number(lacking)))
    if not items:
        return ""
    return _("({items} left out)").format(items=", ".join(items))


@dataclass(frozen=True)
class LeftOutWords:
    """The file's words, taken on the loop's thread (gettext needs the context there)."""

    header: tuple[str, str, str]
    reasons: dict[str, str]

    @classmethod
    def current(cls, invalid_reasons: Mapping[str, str]) -> LeftOutWords:
        return cls(
            header=(_("Line"), _("As written"), _("Why it was left out")),
            reasons={
                **invalid_reasons,
                DUPLICATE: _("a duplicate of an earlier row"),
                STOP_LISTED: _("on the stop-list"),
                LACKING_VALUE: _("no value for a placeholder of the text"),
            },
        )


def left_out_csv(rows: Iterable[tuple[int | None, str, str]], words: LeftOutWords) -> bytes:
    """The file's bytes, in the report file's dialect (pure: run it in a worker thread)."""
    table = (
        (str(line) if line else "", raw, words.reasons.get(reason, reason))
        for line, raw, reason in rows
    )
    return spreadsheet_csv([words.header, *table])


def left_out_filename() -> str:
    return _("left-out-recipients.csv")
