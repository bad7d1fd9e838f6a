"""Adaptive concurrency against a platform over HTTP that refuses above a number of requests."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from storage.campaigns import CampaignState
from storage.messages import SubmitState
from tests.fakes.platform import FakePlatform
from tests.fakes.telegram import FakeTelegram
from tests.sending_harness import make_harness, phones, settle


def samples(rendered: bytes) -> dict[str, float]:
    """Metric samples by name and labels, e.g. 'pulse_platform_refusals_total{reason=503}'."""
    found = {}
    for family in text_string_to_metric_families(rendered.decode()):
        for sample in family.samples:
            labels = ",".join(f"{name}={value}" for name, value in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found


async def test_a_platform_refusing_above_four_in_flight_gets_each_recipient_once(
    tmp_path: Path,
    telegram: FakeTelegram,
    platform: FakePlatform,
    caplog: pytest.LogCaptureFixture,
) -> None:
    platform.latency = 0.02
    platform.busy_above = 4
    harness = await make_harness(
        tmp_path,
        telegram,
        platform,
        pulse_concurrency=4,
        pulse_max_concurrency=32,
        # A refused request waits and tries again; enough tries that none runs out.
        retry_delays=(0.02,) * 10,
    )
    recipients = phones(240)
    try:
        with caplog.at_level(logging.INFO, logger="bot.sending"):
            campaign_id = harness.start(addresses=recipients)
            await settle(harness, campaign_id, timeout=60)

        assert harness.states(campaign_id) == {SubmitState.ACCEPTED: 240}
        campaign = harness.store.campaigns.get(campaign_id)
        assert campaign is not None
        assert campaign.state is CampaignState.SUBMITTED
        assert platform.received == dict.fromkeys(recipients, 1)
        # It grew past what the platform takes, was refused, and came back under it.
        assert platform.busy_answers > 0
        figures = samples(harness.metrics.render())
        assert figures["pulse_platform_refusals_total{reason=503}"] == platform.busy_answers
        assert 1 <= figures["pulse_submission_concurrency"] <= 32
        ended = [r.getMessage() for r in caplog.records if "pass ended" in r.getMessage()]
        assert len(ended) == 1
        assert f"{platform.busy_answers} requests refused" in ended[0]
    finally:
        await harness.close()
