"""The engine without Telegram: what it tells the author, as facts, and what stays owed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import NOTICE_CARDS
from bot.i18n import make_i18n
from bot.notices import Notice, TelegramNotices
from bot.platform.reasons import Reason, ReasonCode
from bot.sending import notices as sending_notices
from bot.sending.cards import RENDERERS, RecoveryChoice, ResumeChoice
from bot.sending.notices import CampaignPaused, UnknownRowsQuestion
from bot.sending.recovery import RecoveryDecision
from bot.sending.run_report import PauseKind
from storage.messages import INTERRUPTED
from tests.conftest import ADMIN
from tests.fakes.platform import FakePlatform
from tests.recording_notices import RecordingNotices
from tests.sending_harness import make_harness, phones, settle


async def test_a_pause_is_told_to_the_author_as_facts_and_resume_sends_each_once(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.default = ("error", "Неверный токен")
    harness = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    assert harness.bot is None
    notices = harness.notices
    assert isinstance(notices, RecordingNotices)
    try:
        campaign_id = harness.start(addresses=phones(5))
        await settle(harness, campaign_id)

        paused = await notices.wait_for(CampaignPaused, ADMIN)
        assert paused.campaign_id == campaign_id
        assert paused.kind is PauseKind.REFUSED
        assert paused.reason.code is ReasonCode.REFUSED
        assert paused.reason.get("msg") == "Неверный токен"
        assert paused.waiting == 5
        assert harness.store.kv.get(f"pause_notice:{campaign_id}") is None  # told: not owed

        platform.default = "success"
        assert harness.sender.resume(campaign_id, actor_id=ADMIN)
        await settle(harness, campaign_id)
        assert platform.received == dict.fromkeys(phones(5), 1)
        assert len(notices.told) == 1  # nothing else to tell
    finally:
        await harness.close()


async def test_a_pause_notice_telegram_did_not_take_is_owed_and_told_once_after_a_restart(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.default = ("http", 503)
    first = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    assert isinstance(first.notices, RecordingNotices)
    first.notices.unreachable.add(ADMIN)
    campaign_id = first.start(addresses=phones(3))
    await settle(first, campaign_id)
    refused = await first.notices.wait_for(CampaignPaused, ADMIN, refused=True)
    await first.close()  # drains the attempt: the notice stays owed
    assert first.notices.told == []

    second = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    assert isinstance(second.notices, RecordingNotices)
    try:
        await second.sender.resume_after_restart()
        told = await second.notices.wait_for(CampaignPaused, ADMIN)
        assert (
            told
            == refused
            == CampaignPaused(
                campaign_id, PauseKind.UNAVAILABLE, Reason.of(ReasonCode.BUSY, status=503), 3
            )
        )
    finally:
        await second.close()

    third = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    try:
        await third.sender.resume_after_restart()
        await third.sender.drain()
        assert isinstance(third.notices, RecordingNotices)
        assert third.notices.told == []
    finally:
        await third.close()


async def test_a_pause_notice_kept_as_text_by_an_older_version_is_told_from_the_campaign(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.default = ("http", 503)
    first = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    campaign_id = first.start(addresses=phones(2))
    await settle(first, campaign_id)
    await first.close()

    second = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    second.store.kv.set(f"pause_notice:{campaign_id}", "⏸ <b>Campaign №1 paused.</b>")
    assert isinstance(second.notices, RecordingNotices)
    try:
        await second.sender.resume_after_restart()
        told = await second.notices.wait_for(CampaignPaused, ADMIN)
        assert told.kind is PauseKind.UNAVAILABLE
        assert told.waiting == 2
        await second.sender.drain()
        assert second.store.kv.get(f"pause_notice:{campaign_id}") is None
    finally:
        await second.close()


async def test_rows_a_stop_interrupted_are_asked_about_once_and_the_question_is_recorded_as_told(
    tmp_path: Path, platform: FakePlatform
) -> None:
    platform.hold()
    first = await make_harness(tmp_path, None, platform, pulse_concurrency=2, drain_timeout=0.1)
    campaign_id = first.start(addresses=phones(6))
    async with asyncio.timeout(5):
        await platform.wait_requests(2)
    await first.close()  # the bounded drain gives up: 2 rows stay `submitting`
    platform.release()

    second = await make_harness(tmp_path, None, platform, pulse_concurrency=2)
    assert isinstance(second.notices, RecordingNotices)
    try:
        await second.sender.resume_after_restart()
        await settle(second, campaign_id)
        question = await second.notices.wait_for(UnknownRowsQuestion, ADMIN)
        assert (question.campaign_id, question.count) == (campaign_id, 2)
        assert question.reasons == ((INTERRUPTED, 2),)
        await second.sender.drain()  # the background telling is awaited at shutdown
        stored = second.sender.questions.get(question.question_id)
        assert stored is not None
        assert stored.delivered
        assert second.notices.of(UnknownRowsQuestion) == [question]
    finally:
        await second.close()


def test_every_notice_of_the_engine_has_a_card_and_the_program_registers_it(
    tmp_path: Path,
) -> None:
    kinds = {
        value
        for value in vars(sending_notices).values()
        if isinstance(value, type) and issubclass(value, Notice) and value is not Notice
    }
    assert kinds == set(RENDERERS)
    assert RENDERERS in NOTICE_CARDS


def test_the_cards_read_in_the_configured_language_with_their_buttons(tmp_path: Path) -> None:
    i18n = make_i18n("ru", tmp_path / "locales")
    cards = TelegramNotices(None, i18n, "ru", NOTICE_CARDS)  # type: ignore[arg-type]
    paused = cards.render(
        CampaignPaused(7, PauseKind.UNAVAILABLE, Reason.of(ReasonCode.BUSY, status=503), 4)
    )
    assert "№7" in paused.text
    assert "приостановлена" in paused.text
    [[resume]] = paused.markup.inline_keyboard
    assert resume.text == "Продолжить отправку"
    assert resume.callback_data == ResumeChoice(campaign_id=7).pack()

    question = cards.render(UnknownRowsQuestion(7, 3, 2, ((INTERRUPTED, 2),)))
    assert "№7" in question.text
    [[send, leave]] = question.markup.inline_keyboard
    assert RecoveryChoice.unpack(send.callback_data) == RecoveryChoice(
        decision=RecoveryDecision.SEND, question_id=3
    )
    assert RecoveryChoice.unpack(leave.callback_data).decision is RecoveryDecision.LEAVE
