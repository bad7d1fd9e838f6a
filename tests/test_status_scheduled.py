"""/status of a campaign that has not gone out yet says when it will."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.schedule.when import format_moment
from storage.campaigns import CampaignState, Draft
from storage.clock import utc_now
from storage.schedules import ScheduleMode
from storage.store import Store
from tests.conftest import ADMIN
from tests.test_callbacks_seed import database_path


def seed_scheduled(bot_env, mode: ScheduleMode) -> tuple[int, str]:
    run_at = (utc_now() + timedelta(days=3)).replace(second=0, microsecond=0)
    store = Store.open(database_path(bot_env))
    try:
        campaign_id = store.campaigns.create(
            Draft(type="sms", sender="Shop", text="Распродажа"),
            author_id=ADMIN,
            author_chat_id=ADMIN,
            state=CampaignState.SCHEDULED,
            sandbox=False,
            callbacks=True,
            recipient_count=1,
        )
        store.messages.add_recipients(campaign_id, [("79001234567", {})])
        store.schedules.add(
            campaign_id, owner_id=ADMIN, owner_chat_id=ADMIN, run_at=run_at, mode=mode
        )
    finally:
        store.close()
    return campaign_id, format_moment(run_at, ZoneInfo("Europe/Moscow"), "ru")


async def test_status_of_a_scheduled_campaign_says_when_it_goes_out(start_bot, bot_env, telegram):
    campaign_id, when = seed_scheduled(bot_env, ScheduleMode.BOT)
    await start_bot(LOCALE="ru")

    telegram.send_text(ADMIN, f"/status №{campaign_id}", language_code="ru")

    reply = await telegram.wait_message(ADMIN, "Время отправки")
    assert f"⏰ Время отправки: {when}." in reply["text"]
