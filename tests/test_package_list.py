"""The wheel lists its packages by name: a package added to the source tree must be listed too,
or the installed program fails to import it."""

from __future__ import annotations

import tomllib

from tests.bot_process import ROOT


def test_every_package_in_the_source_tree_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("bot", "handlers", "storage", "locales")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set(), "packages missing from pyproject.toml"
    assert listed - found == set(), "pyproject.toml lists packages that do not exist"
