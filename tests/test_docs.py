"""Every command the bot knows is documented in /help's source list and in README.md."""

from __future__ import annotations

import re
from pathlib import Path

from bot.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def handled_commands() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "handlers").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r'Command\(\s*"(\w+)"', text))
        names |= set(re.findall(r"Command\(\s*commands=\[([^\]]+)\]", text))
        if "CommandStart()" in text:
            names.add("start")
    return names


def test_every_handled_command_is_listed_for_help():
    listed = {command.name for command in COMMANDS}
    assert handled_commands() <= listed


def test_every_listed_command_is_handled():
    assert {command.name for command in COMMANDS} <= handled_commands()


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"`/{command.name}`" in readme, command.name


def test_readme_starts_with_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert block[0].endswith("python -m bot demo")
    assert block[1].endswith("python -m pytest -q")


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    from bot.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`{name.upper()}`" in readme, name
        assert f"{name.upper()}=" in example, name
