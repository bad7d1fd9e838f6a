"""A platform status as people read it: Kannel DLR codes ("2", "16") put into words."""

from __future__ import annotations

import html

from aiogram.utils.i18n import gettext as _

# Codes whose words only repeat what the status class already says ("delivered", "failed").
SAID_BY_THE_CLASS = frozenset({1, 2})


def kannel_code(raw: str) -> int | None:
    """The Kannel DLR code a raw status is, or None for the platform's own words."""
    text = raw.strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def kannel_words(code: int) -> str:
    """What a Kannel DLR code means, in the reader's language."""
    words = {
        1: _("delivered to the phone"),
        2: _("not delivered to the phone"),
        4: _("queued at the operator"),
        8: _("accepted by the operator"),
        16: _("rejected by the operator"),
        32: _("interim report from the operator"),
        34: _("expired before delivery"),
        66: _("unknown to the operator"),
    }
    return words.get(code) or _("status code {code}").format(code=code)


def raw_in_words(raw: str) -> str:
    """The raw status for a person: a Kannel code in words, anything else as sent (escaped)."""
    code = kannel_code(raw)
    return kannel_words(code) if code is not None else html.escape(raw)
