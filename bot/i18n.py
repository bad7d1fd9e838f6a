"""Interface languages: gettext catalogs under locales/<lang>/LC_MESSAGES/*.po, one file per area.

At start the .po files of each language are merged and compiled into a private folder that
aiogram's I18n reads, so nothing has to be compiled by hand and a stale .mo never hides a change.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import locales

# The catalogues are package data, so an installed program finds them beside its own code.
LOCALES_DIR = Path(locales.__file__).resolve().parent
SUPPORTED = ("ru", "en")
SOURCE_LANGUAGE = "en"
DOMAIN = "messages"


def load_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> Catalog:
    """Merge every .po file of one language into one catalog."""
    merged = Catalog(locale=language, domain=DOMAIN)
    for po_path in sorted((locales_dir / language / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    return merged


class MissingCatalog(RuntimeError):
    """A translated language has no messages: the interface would silently fall back to English."""


def compile_catalogs(target: Path, locales_dir: Path = LOCALES_DIR) -> None:
    for language in SUPPORTED:
        mo_path = target / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        mo_path.write_bytes(_compiled(language, locales_dir, _sources(language, locales_dir)))


def _sources(language: str, locales_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """What a compiled catalogue depends on: each .po file's name, change time and size."""
    return tuple(
        (po_path.name, stat.st_mtime_ns, stat.st_size)
        for po_path in sorted((locales_dir / language / "LC_MESSAGES").glob("*.po"))
        for stat in [po_path.stat()]
    )


@functools.lru_cache(maxsize=8)
def _compiled(language: str, locales_dir: Path, sources: tuple[tuple[str, int, int], ...]) -> bytes:
    """The .mo bytes of one language, parsed once per process for as long as its files are unchanged.

    `sources` is part of the key only, so an edited .po file is compiled again.
    """
    catalog = load_catalog(language, locales_dir)
    # English msgids are the English texts, so only the other languages must bring messages.
    if language != SOURCE_LANGUAGE and not len(catalog):
        raise MissingCatalog(f"no {language!r} messages under {locales_dir}")
    mo_file = io.BytesIO()
    write_mo(mo_file, catalog)
    return mo_file.getvalue()


def make_i18n(default_locale: str, compiled_dir: Path) -> I18n:
    compile_catalogs(compiled_dir)
    return I18n(path=compiled_dir, default_locale=default_locale, domain=DOMAIN)
