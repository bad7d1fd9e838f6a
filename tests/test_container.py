"""The image: the Dockerfile passes hadolint, and its install and start steps work in a fresh venv."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import aiohttp
import pytest

from tests.bot_process import free_port

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, "--ignore", "DL3008", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_a_data_volume_and_healthcheck():
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.M)
    assert 'VOLUME ["/data"]' in DOCKERFILE
    assert "DATA_DIR=/data" in DOCKERFILE
    assert "EXPOSE 8080" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE
    assert "/healthz" in DOCKERFILE
    assert 'CMD ["python", "-m", "bot"]' in DOCKERFILE
    assert "-slim" in DOCKERFILE


@pytest.mark.install
@pytest.mark.timeout(600)
async def test_image_install_and_start_steps_work_in_a_fresh_venv(tmp_path, telegram):
    """Copy what the image copies, `pip install .` into a new venv, start, pass the HEALTHCHECK."""
    app = tmp_path / "app"
    app.mkdir()
    for line in DOCKERFILE.splitlines():
        if line.startswith("COPY "):
            *sources, _target = line.split()[1:]
            for source in sources:
                origin = ROOT / source
                if origin.is_dir():
                    shutil.copytree(
                        origin, app / source, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy(origin, app / source)
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-cache-dir", "."],
        cwd=app,
        capture_output=True,
        text=True,
        check=False,
        timeout=540,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    port = free_port()
    env = {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "DATA_DIR": str(tmp_path / "data"),
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "PATH": "/usr/bin:/bin",
    }
    process = subprocess.Popen(
        [str(python), "-m", "bot"],
        cwd=app,
        env=env,
        stdout=(tmp_path / "bot.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        await telegram.wait_for(
            lambda: any(c.method == "getUpdates" for c in telegram.requests), timeout=60
        )
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200, await response.text()
        probe = DOCKERFILE.split('"-c", "', 1)[1].split('"]', 1)[0].replace("8080", str(port))
        healthcheck = subprocess.run([str(python), "-c", probe], check=False, timeout=30)
        assert healthcheck.returncode == 0
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0, (tmp_path / "bot.log").read_text()
