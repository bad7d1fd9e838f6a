"""Every user-visible string has a Russian translation that keeps its placeholders and markup."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, load_catalog

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "__": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    # The dialogs' text widgets (bot/telegram/dialog_kit.py).
    "Tr": None,
    "TrPlural": (1, 2),
}


def code_messages() -> dict[str, tuple[str, ...]]:
    """Every msgid in the code, with its plural msgid when it is counted."""
    found: dict[str, tuple[str, ...]] = {}
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            ids = (message,) if isinstance(message, str) else tuple(message)
            found[ids[0]] = ids
    return found


MESSAGES = code_messages()
MSGIDS = sorted(MESSAGES)
PLURAL_MSGIDS = sorted(msgid for msgid, ids in MESSAGES.items() if len(ids) > 1)
RUSSIAN = load_catalog("ru", LOCALES_DIR)
ENGLISH = load_catalog("en", LOCALES_DIR)


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
    forms = (message.string,) if isinstance(message.string, str) else message.string
    for translation in forms:
        assert set(re.findall(r"{\w*}", translation)) == set(re.findall(r"{\w*}", msgid))
        assert sorted(re.findall(r"</?\w+", translation)) == sorted(re.findall(r"</?\w+", msgid))


def test_counted_messages_are_found_in_the_code():
    assert len(PLURAL_MSGIDS) >= 8


@pytest.mark.parametrize("msgid", PLURAL_MSGIDS)
@pytest.mark.parametrize(("catalog", "forms"), [(RUSSIAN, 3), (ENGLISH, 2)], ids=["ru", "en"])
def test_every_counted_message_has_each_plural_form(msgid, catalog, forms):
    message = catalog.get(msgid)
    assert message is not None, f"no {catalog.locale} entry for {msgid!r}"
    assert message.id == MESSAGES[msgid], "the catalogue's plural msgid differs from the code's"
    assert catalog.num_plurals == forms
    assert len(message.string) == forms
    assert all(message.string), f"a plural form of {msgid!r} is empty"


@pytest.mark.parametrize(
    "po_path", sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")), ids=lambda path: path.name
)
def test_every_catalogue_header_states_its_languages_plural_rule(po_path):
    language = po_path.parent.parent.name
    with po_path.open("rb") as po_file:
        header = read_po(po_file, locale=language).mime_headers
    stated = dict(header)["Plural-Forms"]
    expected = Catalog(locale=language).plural_forms
    assert stated == expected


# Words the glossary (docs/glossary.md) replaces: one word per thing in the Russian interface.
NOT_GLOSSARY_WORDS = ("адресат", "кампани", "абонент", "чёрный список", "черный список", "блэклист")


@pytest.mark.parametrize("msgid", MSGIDS)
def test_russian_uses_the_glossarys_words(msgid):
    message = RUSSIAN.get(msgid)
    if message is None:
        pytest.skip("reported above")
    forms = (message.string,) if isinstance(message.string, str) else message.string
    for translation in forms:
        assert not [word for word in NOT_GLOSSARY_WORDS if word in translation.lower()]


@pytest.mark.parametrize("msgid", MSGIDS)
def test_numbers_people_see_are_written_with_the_number_sign(msgid):
    """Campaigns are №N everywhere; "#" is left only for a row's position in an uploaded list."""
    message = RUSSIAN.get(msgid)
    texts = [msgid, *MESSAGES[msgid][1:]]
    if message is not None:
        texts += [message.string] if isinstance(message.string, str) else list(message.string)
    for text in texts:
        assert not re.findall(r"#\{(?!position\})", text), text
