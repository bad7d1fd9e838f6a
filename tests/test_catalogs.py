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
    # The dialogs' text widget (bot/telegram/dialog_kit.py).
    "Tr": None,
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


# Each rule is one test over every string, naming all the strings that break it: a test per
# string made each of the eight test workers collect and report some 2,500 more items.


def forms_of(message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def test_every_string_is_translated_to_russian():
    untranslated = [
        msgid for msgid in MSGIDS if (message := RUSSIAN.get(msgid)) is None or not message.string
    ]
    assert untranslated == [], "no Russian for these"


def test_translations_keep_placeholders_and_tags():
    broken = []
    for msgid in MSGIDS:
        message = RUSSIAN.get(msgid)
        if message is None or not message.string:
            continue  # reported by the test above
        for translation in forms_of(message):
            placeholders = set(re.findall(r"{\w*}", translation)) == set(
                re.findall(r"{\w*}", msgid)
            )
            tags = sorted(re.findall(r"</?\w+", translation)) == sorted(
                re.findall(r"</?\w+", msgid)
            )
            if not (placeholders and tags):
                broken.append((msgid, translation))
    assert broken == []


def test_counted_messages_are_found_in_the_code():
    assert len(PLURAL_MSGIDS) >= 8


@pytest.mark.parametrize(("catalog", "forms"), [(RUSSIAN, 3), (ENGLISH, 2)], ids=["ru", "en"])
def test_every_counted_message_has_each_plural_form(catalog, forms):
    assert catalog.num_plurals == forms
    missing = [msgid for msgid in PLURAL_MSGIDS if catalog.get(msgid) is None]
    assert missing == [], f"no {catalog.locale} entry for these"
    other_ids = [msgid for msgid in PLURAL_MSGIDS if catalog.get(msgid).id != MESSAGES[msgid]]
    assert other_ids == [], "the catalogue's plural msgid differs from the code's"
    wrong = [
        msgid
        for msgid in PLURAL_MSGIDS
        if len(catalog.get(msgid).string) != forms or not all(catalog.get(msgid).string)
    ]
    assert wrong == [], f"not {forms} non-empty plural forms"


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


def test_russian_uses_the_glossarys_words():
    off_glossary = [
        (msgid, word)
        for msgid in MSGIDS
        if (message := RUSSIAN.get(msgid)) is not None
        for translation in forms_of(message)
        for word in NOT_GLOSSARY_WORDS
        if word in translation.lower()
    ]
    assert off_glossary == []


def test_numbers_people_see_are_written_with_the_number_sign():
    """Campaigns are №N everywhere; "#" is left only for a row's position in an uploaded list."""
    hashed = []
    for msgid in MSGIDS:
        message = RUSSIAN.get(msgid)
        texts = [msgid, *MESSAGES[msgid][1:]]
        if message is not None:
            texts += forms_of(message)
        hashed += [text for text in texts if re.findall(r"#\{(?!position\})", text)]
    assert hashed == []


def test_a_string_in_several_catalogue_files_reads_the_same_in_each():
    """The files of a language are merged and the first entry wins: a second translation that
    differs is never shown, and whoever edits it sees no change."""
    translations: dict[str, dict[str, tuple[str, ...]]] = {}
    for po_path in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        language = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale=language):
                if message.id and message.string:
                    key = f"{language}: {message.id if isinstance(message.id, str) else message.id[0]}"
                    translations.setdefault(key, {})[po_path.name] = forms_of(message)
    differing = {key: files for key, files in translations.items() if len(set(files.values())) > 1}
    assert differing == {}
