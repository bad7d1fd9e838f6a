"""A missing or malformed setting stops the start with one line naming the variable."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Settings
from tests.bot_process import run_once


def start_with(monkeypatch: pytest.MonkeyPatch, capsys, cwd: Path, **env: str) -> tuple[int, str]:
    """Run the program's entry point here with exactly these settings; its exit code and stderr."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(cwd)
    code = main()
    return code, capsys.readouterr().err


def test_missing_bot_token_stops_the_process_with_one_line(tmp_path):
    result = run_once({"CWD": str(tmp_path), "DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "configuration error: BOT_TOKEN is required but not set"
        " (to try the bot without a token, run: python -m bot demo)"
    ]


def test_malformed_admin_ids_stop_the_start(monkeypatch, capsys, tmp_path):
    code, stderr = start_with(monkeypatch, capsys, tmp_path, BOT_TOKEN="1:abc", ADMIN_IDS="abc")
    assert code == 2
    assert stderr.strip().splitlines() == [
        "configuration error: ADMIN_IDS must be comma-separated Telegram user ids, got 'abc'"
    ]


def test_a_malformed_token_is_named_but_not_printed(monkeypatch, capsys, tmp_path):
    code, stderr = start_with(monkeypatch, capsys, tmp_path, BOT_TOKEN="not-a-token-SENTINEL")
    assert code == 2
    assert "BOT_TOKEN" in stderr
    assert "SENTINEL" not in stderr


def test_settings_are_read_from_a_dotenv_file(monkeypatch, capsys, tmp_path):
    (tmp_path / ".env").write_text("BOT_TOKEN=1:abc\nWEB_PORT=not-a-port\n")
    code, stderr = start_with(monkeypatch, capsys, tmp_path)
    assert code == 2
    assert "WEB_PORT" in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_webhook_mode_without_public_url_is_refused(monkeypatch, capsys, tmp_path):
    code, stderr = start_with(
        monkeypatch, capsys, tmp_path, BOT_TOKEN="1:abc", TELEGRAM_WEBHOOK="1"
    )
    assert code == 2
    assert "PUBLIC_URL" in stderr


def test_a_starting_concurrency_above_its_ceiling_is_refused(monkeypatch, capsys, tmp_path):
    code, stderr = start_with(
        monkeypatch, capsys, tmp_path, BOT_TOKEN="1:abc", PULSE_CONCURRENCY="100"
    )
    assert code == 2
    assert stderr.strip().splitlines() == [
        "configuration error: PULSE_CONCURRENCY (100) is where the adaptive concurrency starts "
        "and cannot be above PULSE_MAX_CONCURRENCY (64)"
    ]


def test_a_short_callback_secret_stops_the_start_without_being_printed(
    monkeypatch, capsys, tmp_path
):
    code, stderr = start_with(
        monkeypatch, capsys, tmp_path, BOT_TOKEN="1:abc", CALLBACK_SECRET="SENTINEL-15chrs"
    )
    assert code == 2
    assert stderr.strip().splitlines() == [
        "configuration error: CALLBACK_SECRET must be at least 16 characters long (it has 15); "
        "leave it empty to have one generated"
    ]
    assert "SENTINEL" not in stderr


def test_secrets_of_any_length_are_masked_in_log_lines():
    from bot.logs import SecretMask

    mask = SecretMask(["ab1", "x", "", "long-secret-value"])
    record = logging.LogRecord(
        "test", logging.WARNING, __file__, 1, "token %s, key %s, also %s", ("ab1", "x", "ok"), None
    )
    mask.filter(record)
    assert record.getMessage() == "token ***, key ***, also ok"
