"""Admins manage members: /allow, /revoke, /members, and the rules that protect the last admin."""

from __future__ import annotations

from tests.conftest import ADMIN, OPERATOR, STRANGER, VIEWER


async def allow(telegram, user_id: int, role: str = "") -> str:
    telegram.send_text(ADMIN, f"/allow {user_id} {role}".strip())
    reply = await telegram.wait_message(ADMIN, contains=f"{user_id} is now")
    return reply["text"]


async def test_allow_lets_a_stranger_in_as_operator_by_default(bot, telegram):
    telegram.send_text(STRANGER, "/help")
    await telegram.wait_message(STRANGER, contains="only for the team")
    assert "operator" in await allow(telegram, STRANGER)
    telegram.send_text(STRANGER, "/help")
    reply = await telegram.wait_message(STRANGER, contains="Your commands")
    assert "/new" in reply["text"]


async def test_an_operator_cannot_grant_rights(bot, telegram):
    await allow(telegram, OPERATOR, "operator")
    telegram.send_text(OPERATOR, f"/allow {STRANGER} admin")
    reply = await telegram.wait_message(OPERATOR, contains="needs the admin role")
    assert "operator" in reply["text"]
    telegram.send_text(STRANGER, "/start")
    await telegram.wait_message(STRANGER, contains="only for the team")


async def test_a_viewer_cannot_list_members(bot, telegram):
    await allow(telegram, VIEWER, "viewer")
    telegram.send_text(VIEWER, "/members")
    await telegram.wait_message(VIEWER, contains="needs the admin role")


async def test_members_lists_everyone_with_their_role(bot, telegram):
    await allow(telegram, VIEWER, "viewer")
    telegram.send_text(ADMIN, "/members")
    reply = await telegram.wait_message(ADMIN, contains="Members")
    # Named as every card names a member: the name their updates carry, else the bare id.
    assert f"\nUser ({ADMIN}) - admin" in reply["text"]
    assert f"\n{VIEWER} - viewer" in reply["text"]  # never wrote: no name known
    assert "viewer" in reply["text"]


async def test_revoke_takes_access_away(bot, telegram):
    await allow(telegram, OPERATOR)
    telegram.send_text(ADMIN, f"/revoke {OPERATOR}")
    await telegram.wait_message(ADMIN, contains="no longer has access")
    telegram.send_text(OPERATOR, "/help")
    await telegram.wait_message(OPERATOR, contains="only for the team")


async def test_the_last_admin_cannot_be_revoked_or_demoted(bot, telegram):
    telegram.send_text(ADMIN, f"/revoke {ADMIN}")
    await telegram.wait_message(ADMIN, contains="last admin")
    telegram.send_text(ADMIN, f"/allow {ADMIN} viewer")
    await telegram.wait_message(ADMIN, contains="last admin", after=0)
    telegram.send_text(ADMIN, "/help")
    reply = await telegram.wait_message(ADMIN, contains="Your commands")
    assert "/allow" in reply["text"]


async def test_bad_arguments_get_a_clear_message_and_change_nothing(bot, telegram):
    telegram.send_text(ADMIN, "/allow abc")
    await telegram.wait_message(ADMIN, contains="numeric Telegram user id")
    telegram.send_text(ADMIN, f"/allow {STRANGER} <b>boss</b>")
    reply = await telegram.wait_message(ADMIN, contains="Unknown role")
    assert "«<b>boss</b>»" in reply["text"]  # shown literally, not as markup
    assert telegram.errors == []
    telegram.send_text(STRANGER, "/start")
    await telegram.wait_message(STRANGER, contains="only for the team")


async def test_members_outlive_a_restart(start_bot, telegram):
    program = await start_bot()
    await allow(telegram, VIEWER, "viewer")
    await program.stop()
    await start_bot()
    telegram.send_text(VIEWER, "/help")
    reply = await telegram.wait_message(VIEWER, contains="Your commands")
    assert "(viewer)" in reply["text"]


async def test_a_member_who_said_start_is_listed_by_name(bot, telegram):
    telegram.send_text(ADMIN, "/start", first_name="Olga")
    await telegram.wait_message(ADMIN, contains="Your role")
    telegram.send_text(ADMIN, "/members", first_name="Olga")
    reply = await telegram.wait_message(ADMIN, contains="Members")
    assert f"Olga ({ADMIN}) - admin" in reply["text"]
