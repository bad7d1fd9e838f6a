"""Every command the bot handles is in /help's source list under the role its handler needs, and in README.md."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BotCommand

from bot.commands import COMMANDS
from handlers import get_routers
from storage.members import Role

ROOT = Path(__file__).resolve().parent.parent


def every_router() -> Iterator[Router]:
    pending = get_routers()
    while pending:
        router = pending.pop()
        yield router
        pending += router.sub_routers


def handled_commands() -> dict[str, set[Role]]:
    """Each command the routers handle, with the roles their handlers ask for (no flag: admin)."""
    roles: dict[str, set[Role]] = {}
    for router in every_router():
        for handler in router.message.handlers:
            role = Role(handler.flags.get("role", Role.ADMIN.value))
            for command_filter in (item.callback for item in handler.filters):
                if not isinstance(command_filter, Command):
                    continue
                for command in command_filter.commands:
                    assert isinstance(command, str | BotCommand), f"a pattern: {command!r}"
                    name = command if isinstance(command, str) else command.command
                    roles.setdefault(name, set()).add(role)
    return roles


def test_every_handled_command_is_listed_for_help():
    listed = {command.name for command in COMMANDS}
    assert set(handled_commands()) <= listed


def test_every_listed_command_is_handled():
    assert {command.name for command in COMMANDS} <= set(handled_commands())


def test_help_lists_each_command_under_the_role_its_handler_needs():
    handled = handled_commands()
    for command in COMMANDS:
        assert handled.get(command.name) == {command.role}, command.name


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
