"""ADMIN_IDS only bootstraps: a start makes admin those the team has decided nothing about."""

from __future__ import annotations

import sqlite3

from bot.members.membership import revoke
from storage.members import Role
from storage.store import Store
from tests.conftest import ADMIN, OPERATOR, VIEWER
from tests.test_callbacks_seed import database_path

NEWCOMER = 5005


def audit(bot_env) -> list[tuple]:
    with sqlite3.connect(database_path(bot_env)) as db:
        return db.execute(
            "SELECT user_id, action, json_extract(details, '$.user_id'), "
            "json_extract(details, '$.source') FROM audit WHERE action = 'allow' ORDER BY id"
        ).fetchall()


async def test_a_revoked_or_demoted_bootstrap_admin_keeps_the_teams_decision(
    start_bot, bot_env, telegram
):
    store = Store.open(database_path(bot_env))
    try:
        # An earlier life of the bot: three bootstrap admins, then the team changed its mind.
        store.members.bootstrap_admins([ADMIN, OPERATOR, VIEWER])
        revoke(store, actor_id=ADMIN, user_id=OPERATOR)
        store.members.set_role(VIEWER, Role.VIEWER, added_by=ADMIN)
    finally:
        store.close()
    before = audit(bot_env)

    program = await start_bot(
        ADMIN_IDS=f"{ADMIN},{OPERATOR},{VIEWER},{NEWCOMER}",
        PUBLIC_URL="http://bridge.example.com",
    )
    telegram.send_text(OPERATOR, "/help")
    await telegram.wait_message(OPERATOR, contains="only for the team")
    telegram.send_text(VIEWER, "/help")
    assert "(viewer)" in (await telegram.wait_message(VIEWER, contains="Your commands"))["text"]
    telegram.send_text(NEWCOMER, "/help")
    assert "(admin)" in (await telegram.wait_message(NEWCOMER, contains="Your commands"))["text"]

    assert audit(bot_env)[len(before) :] == [(None, "allow", NEWCOMER, "ADMIN_IDS")]
    logs = program.logs()
    warnings = [line for line in logs.splitlines() if "WARNING" in line and "ADMIN_IDS" in line]
    assert len(warnings) == 2
    assert str(OPERATOR) in warnings[0]
    assert str(VIEWER) in warnings[1]
    assert any(
        "WARNING" in line and "PUBLIC_URL" in line and "http://" in line
        for line in logs.splitlines()
    )
    assert "PULSE_API_URL uses http://" not in logs  # the fake platform is on this host


def test_the_first_start_grants_and_audits_each_configured_admin(tmp_path):
    store = Store.open(tmp_path / "first.db")
    try:
        first = store.members.bootstrap_admins([ADMIN, VIEWER, ADMIN])
        again = store.members.bootstrap_admins([ADMIN, VIEWER])
        assert first.granted == [ADMIN, VIEWER]
        assert again.granted == []
        assert again.overruled == []
        entries = store.audit.recent(action="allow")
        assert sorted(entry["details"]["user_id"] for entry in entries) == [ADMIN, VIEWER]
        assert all(entry["details"]["source"] == "ADMIN_IDS" for entry in entries)
    finally:
        store.close()
