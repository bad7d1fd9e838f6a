"""An installed program speaks Russian: the wheel carries the catalogues, and a bot started from a
fresh virtual environment outside the source tree answers a Russian member in Russian."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.bot_process import ROOT, BotProcess
from tests.conftest import ADMIN

# Builds and installs a wheel (its build backend comes from the package registry).
pytestmark = pytest.mark.install

# What the Dockerfile copies: the wheel must be buildable from these alone.
SOURCES = ("pyproject.toml", "README.md", "bot", "handlers", "storage", "locales")


def run(*command: str | Path, cwd: Path) -> None:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def installed_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a new virtual environment with only the built wheel of the program in it.

    The dependencies come from this environment's site-packages through a .pth line, which adds
    the folder without running its own .pth files, so the editable install stays out of reach.
    """
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    wheels = work / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, source, cwd=work)
    (wheel,) = wheels.glob("pulse_bridge-*.whl")

    venv = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=work)
    python = venv / "bin" / "python"
    site_packages = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    (site_packages / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", wheel,
        cwd=work,
    )  # fmt: skip
    return python


def test_the_wheel_carries_every_catalogue(installed_python, tmp_path):
    program = (
        "import bot, locales; from bot.i18n import load_catalog;"
        "print(bot.__file__); print(locales.__file__); print(len(load_catalog('ru')))"
    )
    done = subprocess.run(
        [installed_python, "-c", program],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    bot_file, locales_file, russian = done.stdout.split()
    venv = installed_python.parent.parent
    assert Path(bot_file).is_relative_to(venv)
    assert Path(locales_file).is_relative_to(venv)
    assert int(russian) > 100


async def test_the_installed_bot_answers_a_russian_member_in_russian(
    installed_python, bot_env, telegram, tmp_path
):
    process = BotProcess({**bot_env, "LOCALE": "ru"}, tmp_path / "bot.log", str(installed_python))
    await process.start()
    try:
        telegram.send_text(ADMIN, "/help", language_code="ru")
        reply = await telegram.wait_message(ADMIN, contains="Ваши команды")
        assert "составить сообщение" in reply["text"]
        menus = [call for call in telegram.requests if call.method == "setMyCommands"]
        assert any("составить сообщение" in str(call.params.get("commands")) for call in menus)
    finally:
        assert await process.stop() == 0
