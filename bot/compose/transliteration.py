"""Cyrillic SMS texts in Latin letters: GSM-7 fits 160 characters in one part (153 in each of
several) where UCS-2 fits 70 (67), so a transliterated text often costs half the parts.

The scheme is iuliia's Wikipedia one (docs/transliteration.md says why). Placeholder names and
links are kept as written: a placeholder must still find its column, and a link its page.
Typographic characters become their plain look-alikes too, as the text is meant to be GSM-7.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import iuliia

from bot.compose.segments import GSM_BASIC, GSM_EXTENSION
from bot.compose.typography import plain, typographic_only
from bot.links.tracking import find_links

SCHEME = iuliia.WIKIPEDIA
# Signs common in Russian texts that no scheme covers, as a Latin text writes them.
SIGNS = str.maketrans({"№": "No.", "₽": "RUB"})
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w(?:[\w.\- ]{0,62}\w)?)(\|[^{}|\n]{0,200})?\}")
_GSM = GSM_BASIC | GSM_EXTENSION


def transliterate(text: str) -> str:
    """The text in Latin letters, with placeholder names and links untouched (a placeholder's
    fallback is text, and transliterated)."""
    kept = [re.escape(link) for link in find_links(text)]
    pattern = re.compile("|".join([_PLACEHOLDER.pattern, *kept]))
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(_latin(text[last : match.start()]))
        token = match[0]
        if token.startswith("{") and match[2]:  # {name|fallback}
            token = "{" + match[1] + "|" + _latin(match[2][1:]) + "}"
        parts.append(token)
        last = match.end()
    parts.append(_latin(text[last:]))
    return "".join(parts)


def _latin(text: str) -> str:
    return plain(SCHEME.translate(text)).translate(SIGNS) if text else text


def transliterate_values(fields: Mapping[str, str]) -> dict[str, str]:
    """A recipient's placeholder values as a transliterated text gets them at submission."""
    return {name: _latin(value) if value else value for name, value in fields.items()}


def may_transliterate(text: str) -> bool:
    """Whether transliteration is worth weighing: the text is UCS-2 for more than typographic
    characters (those have their own plain replacement) and Latin letters change that."""
    outside = {char for char in text if char not in _GSM}
    if not outside or typographic_only(text):
        return False
    return transliterate(text) != text
