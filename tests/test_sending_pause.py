"""A platform that stays unavailable, or refuses the whole account, pauses the campaign; Resume goes on."""

from __future__ import annotations

from pathlib import Path

from bot.platform.reasons import Reason, ReasonCode, decode
from bot.sending.cards import ResumeChoice
from storage.campaigns import CampaignState
from storage.messages import SubmitState
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import make_harness, phones, settle


async def test_persistent_unavailability_pauses_and_resume_sends_each_recipient_once(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.default = ("http", 503)
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=2)
    try:
        campaign_id = harness.start(addresses=phones(6))
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.NEW: 6}
        campaign = harness.store.campaigns.get(campaign_id)
        assert campaign.state is CampaignState.SUBMITTING
        assert decode(campaign.pause_reason) == Reason.of(ReasonCode.BUSY, status=503)
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "HTTP 503" in notice["text"]
        assert "Not sent yet and waiting: 6" in notice["text"]
        resume = ResumeChoice(campaign_id=campaign_id).pack()
        assert telegram.find_button(notice, "Resume") == resume
        assert not harness.sender.resume(campaign_id + 1, actor_id=ADMIN)

        platform.default = "success"
        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        assert not harness.sender.resume(campaign_id, actor_id=ADMIN)  # already running
        await settle(harness, campaign_id)

        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 6}
        assert platform.received == dict.fromkeys(phones(6), 1)
        campaign = harness.store.campaigns.get(campaign_id)
        assert campaign.state is CampaignState.SUBMITTED
        assert campaign.pause_reason is None
        assert [entry["action"] for entry in harness.store.audit.recent(2)] == ["resume", "send"]
    finally:
        await harness.close()


async def test_account_wide_refusal_pauses_and_shows_the_platform_text_with_its_meaning(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.default = ("error", "Неверный токен")
    harness = await make_harness(tmp_path, telegram, platform, pulse_concurrency=2)
    try:
        campaign_id = harness.start(addresses=phones(30))
        await settle(harness, campaign_id)

        # The refusal created nothing: the rows it answered wait with the others.
        assert harness.states(campaign_id) == {SubmitState.NEW: 30}
        assert len(platform.requests) <= 2  # only the requests already in flight
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "«Неверный токен»" in notice["text"]
        assert "API token" in notice["text"]
    finally:
        await harness.close()


async def test_pause_notice_is_in_the_configured_language_and_escapes_the_platform_text(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.default = ("error", "Недостаточно средств <b>на балансе</b>")
    harness = await make_harness(tmp_path, telegram, platform, locale="ru")
    try:
        campaign_id = harness.start(addresses=phones(1))
        await settle(harness, campaign_id)

        notice = await telegram.wait_message(ADMIN, "приостановлена")
        assert "«Недостаточно средств <b>на балансе</b>»" in notice["text"]
        assert "пополните баланс" in notice["text"]
        assert telegram.find_button(notice, "Продолжить отправку")
        assert telegram.errors == []
    finally:
        await harness.close()


async def test_a_pause_notice_a_stop_kept_from_its_author_is_sent_after_the_restart(
    tmp_path: Path, telegram: FakeTelegram, platform: FakePlatform
) -> None:
    platform.default = ("error", "Недостаточно средств на балансе")
    telegram.kick_from(ADMIN)  # Telegram does not take the notice before the program stops
    first = await make_harness(tmp_path, telegram, platform, pulse_concurrency=2)
    campaign_id = first.start(addresses=phones(4))
    await settle(first, campaign_id)
    await telegram.wait_for(
        lambda: any("paused" in str(call.params.get("text")) for call in telegram.errors)
    )
    await first.close()
    telegram.kicked.discard(ADMIN)

    second = await make_harness(tmp_path, telegram, platform, pulse_concurrency=2)
    try:
        await second.sender.resume_after_restart()
        notice = await telegram.wait_message(ADMIN, "paused")
        assert "«Недостаточно средств на балансе»" in notice["text"]
        assert telegram.find_button(notice, "Resume sending")

        platform.default = "success"
        assert second.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(second, campaign_id)
        assert platform.received == dict.fromkeys(phones(4), 1)
    finally:
        await second.close()

    third = await make_harness(tmp_path, telegram, platform, pulse_concurrency=2)
    try:
        await third.sender.resume_after_restart()
        await settle(third, campaign_id)
    finally:
        await third.close()
    assert len([m for m in telegram.chat(ADMIN) if "paused" in m.get("text", "")]) == 1
