"""Typographic characters (« » “ ” „ ’ — – … and non-breaking spaces) that alone make an SMS text
UCS-2: replaced by their plain GSM-7 look-alikes, a text can cost fewer parts."""

from __future__ import annotations

from bot.compose.segments import GSM_BASIC, GSM_EXTENSION

PLAIN = {
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "’": "'",
    "—": "-",
    "–": "-",
    "…": "...",
    "\xa0": " ",
    "\u202f": " ",  # narrow no-break space, as in «100 ₽» typeset
}
_TABLE = str.maketrans(PLAIN)


def typographic_only(text: str) -> list[str]:
    """The typographic characters of a text when they are all that keeps it from GSM-7;
    empty when the text is GSM-7 already or has other characters outside it."""
    outside = [char for char in dict.fromkeys(text) if char not in GSM_BASIC | GSM_EXTENSION]
    if not outside or any(char not in PLAIN for char in outside):
        return []
    return outside


def plain(text: str) -> str:
    return text.translate(_TABLE)
