"""The digest (DIGEST_CRON): one card with a chart in the notify group, each covering the time
since the previous one, scheduled by a crontab line in TIMEZONE."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from storage.clock import utc_now
from tests.conftest import GROUP, TOKEN
from tests.test_callbacks_seed import SECRET, seed_campaign, status_url
from tests.test_delivery_charts import PNG_SIGNATURE
from tests.test_status_cards_commands import fire


async def test_the_digest_counts_the_periods_campaigns_with_a_chart(start_bot, bot_env, telegram):
    seeded = seed_campaign(bot_env, ["79000000001", "79000000002"])
    now = [utc_now() + timedelta(minutes=1)]
    bot = await start_bot(clock=lambda: now[0], CALLBACK_SECRET=SECRET, DIGEST_CRON="0 10 * * 1")
    first, second = seeded.message_ids
    await fire([status_url(bot.url, first, "1"), status_url(bot.url, second, "2")])

    assert await bot.app.digest.send()

    digest = await telegram.wait_message(GROUP, "Digest")
    assert "Campaigns: 1 · recipients: 2" in digest["caption"]
    assert "Delivered: 1 of 2 taken by the platform (50%)" in digest["caption"]
    assert "SMS: campaigns 1, recipients 2, delivered 50%" in digest["caption"]
    assert telegram.file(digest["photo"][-1]["file_id"]).content.startswith(PNG_SIGNATURE)

    # The next digest covers only the time since this one.
    now[0] += timedelta(days=7)
    assert await bot.app.digest.send()
    empty = await telegram.wait_message(GROUP, "No campaigns", after=digest["message_id"])
    assert "photo" not in empty


async def test_the_digest_runs_on_its_crontab_line_in_the_configured_zone(start_bot):
    bot = await start_bot(DIGEST_CRON="0 10 * * 1", TIMEZONE="Asia/Vladivostok")

    job = bot.app.scheduler.get_job("digest")

    monday_noon_utc = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # 22:00 in Vladivostok
    next_run = job.trigger.get_next_fire_time(None, monday_noon_utc)
    zone = ZoneInfo("Asia/Vladivostok")
    assert next_run == datetime(2026, 12, 7, 10, 0, tzinfo=zone)


async def test_no_digest_when_it_is_not_configured(start_bot):
    bot = await start_bot()
    assert bot.app.scheduler.get_job("digest") is None


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"digest_cron": "every monday", "notify_chat_id": GROUP}, "DIGEST_CRON must be"),
        ({"digest_cron": "0 25 * * 1", "notify_chat_id": GROUP}, "DIGEST_CRON must be"),
        ({"digest_cron": "0 10 * * 1"}, "DIGEST_CRON needs NOTIFY_CHAT_ID"),
    ],
)
def test_a_malformed_digest_schedule_stops_the_start(settings, message, tmp_path):
    with pytest.raises(ConfigError, match=message) as error:
        load_settings(_env_file=None, bot_token=TOKEN, data_dir=tmp_path, **settings)
    assert "\n" not in str(error.value)
