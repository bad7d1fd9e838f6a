"""Every user-visible string has a Russian translation that keeps its placeholders and markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from bot.i18n import LOCALES_DIR, load_catalog

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "__": None, "gettext": None, "lazy_gettext": None}


def code_msgids() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


MSGIDS = sorted(code_msgids())
RUSSIAN = load_catalog("ru", LOCALES_DIR)


def test_strings_are_found_in_the_code():
    assert len(MSGIDS) > 30


@pytest.mark.parametrize("msgid", MSGIDS)
def test_every_string_is_translated_to_russian(msgid):
    message = RUSSIAN.get(msgid)
    assert message is not None, f"no Russian for {msgid!r}"
    assert message.string, f"no Russian for {msgid!r}"


@pytest.mark.parametrize("msgid", MSGIDS)
def test_translations_keep_placeholders_and_tags(msgid):
    message = RUSSIAN.get(msgid)
    if message is None or not message.string:
        pytest.skip("reported by the test above")
    translation = message.string if isinstance(message.string, str) else message.string[0]
    assert set(re.findall(r"{\w*}", translation)) == set(re.findall(r"{\w*}", msgid))
    assert sorted(re.findall(r"</?\w+", translation)) == sorted(re.findall(r"</?\w+", msgid))
