"""A missing or malformed setting stops the start with one line naming the variable."""

from __future__ import annotations

import logging

from tests.bot_process import run_once


def test_missing_bot_token_stops_the_start(tmp_path):
    result = run_once({"CWD": str(tmp_path), "DATA_DIR": str(tmp_path / "data")})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["configuration error: BOT_TOKEN is required but not set"]


def test_malformed_admin_ids_stop_the_start(tmp_path):
    result = run_once({"CWD": str(tmp_path), "BOT_TOKEN": "1:abc", "ADMIN_IDS": "abc"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "configuration error: ADMIN_IDS must be comma-separated Telegram user ids, got 'abc'"
    ]


def test_a_malformed_token_is_named_but_not_printed(tmp_path):
    result = run_once({"CWD": str(tmp_path), "BOT_TOKEN": "not-a-token-SENTINEL"})
    assert result.returncode != 0
    assert "BOT_TOKEN" in result.stderr
    assert "SENTINEL" not in result.stderr


def test_settings_are_read_from_a_dotenv_file(tmp_path):
    (tmp_path / ".env").write_text("BOT_TOKEN=1:abc\nWEB_PORT=not-a-port\n")
    result = run_once({"CWD": str(tmp_path)})
    assert result.returncode != 0
    assert "WEB_PORT" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_webhook_mode_without_public_url_is_refused(tmp_path):
    result = run_once({"CWD": str(tmp_path), "BOT_TOKEN": "1:abc", "TELEGRAM_WEBHOOK": "1"})
    assert result.returncode != 0
    assert "PUBLIC_URL" in result.stderr


def test_a_short_callback_secret_stops_the_start_without_being_printed(tmp_path):
    result = run_once(
        {"CWD": str(tmp_path), "BOT_TOKEN": "1:abc", "CALLBACK_SECRET": "SENTINEL-15chrs"}
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: CALLBACK_SECRET must be at least 16 characters long (it has 15); "
        "leave it empty to have one generated"
    ]
    assert "SENTINEL" not in result.stderr


def test_secrets_of_any_length_are_masked_in_log_lines():
    from bot.logs import SecretMask

    mask = SecretMask(["ab1", "x", "", "long-secret-value"])
    record = logging.LogRecord(
        "test", logging.WARNING, __file__, 1, "token %s, key %s, also %s", ("ab1", "x", "ok"), None
    )
    mask.filter(record)
    assert record.getMessage() == "token ***, key ***, also ok"
