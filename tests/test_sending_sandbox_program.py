"""Sandbox mode in the real program: sends are simulated and their statuses come back over HTTP."""

from __future__ import annotations

from pathlib import Path

from bot.platform.sandbox import SandboxPlatform
from storage.messages import SubmitState
from storage.store import Store
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import seed_new_campaign

RECIPIENTS = [f"7900777{number:04d}" for number in range(8)]


def final_statuses(database: Path, campaign_id: int) -> dict[str, str | None]:
    store = Store.open(database)
    try:
        return {row.sent_to: row.status_class for row in store.messages.rows(campaign_id)}
    finally:
        store.close()


async def test_sandbox_program_delivers_statuses_through_its_own_callback_endpoint(
    start_bot, telegram: FakeTelegram, platform: FakePlatform, bot_env: dict[str, str]
) -> None:
    database = Path(bot_env["DATA_DIR"]) / "pulse-bridge.db"
    campaign_id = seed_new_campaign(database, RECIPIENTS, "Try the sandbox", sandbox=True)

    await start_bot(PULSE_TOKEN="", PUBLIC_URL="", SANDBOX_FAIL_SHARE="0.5")
    expected = {
        phone: "failed" if SandboxPlatform(None, fail_share=0.5).fails(phone) else "delivered"  # type: ignore[arg-type]
        for phone in RECIPIENTS
    }
    # The status cards in Telegram change as statuses arrive: re-check the database on each call.
    await telegram.wait_for(lambda: final_statuses(database, campaign_id) == expected, 20)

    store = Store.open(database)
    try:
        rows = store.messages.rows(campaign_id)
        assert {row.state for row in rows} == {SubmitState.ACCEPTED}
        assert all(row.platform_id.startswith("sbx-") for row in rows)
    finally:
        store.close()
    assert platform.requests == []  # nothing reached the (real) platform
    assert set(expected.values()) == {"delivered", "failed"}
