"""Schedules of an owner who may no longer send: paused, kept paused across restarts, taken over
(by admins only, once) or cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.schedule.cards import describe
from bot.schedule.service import Fired, Outcome
from storage.campaigns import CampaignState
from storage.members import Role
from storage.schedules import ScheduleState
from tests.test_schedule_world import ADMIN, DAY, OTHER_OPERATOR, OWNER, World, open_world

TEN = DAY.replace(hour=10)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


def revoke(world: World, user_id: int = OWNER) -> list[int]:
    world.store.members.remove(user_id)
    return [schedule.id for schedule in world.service.pause_owner(user_id, actor_id=ADMIN)]


async def test_revoking_pauses_one_off_and_recurring_schedules_across_a_restart(
    world: World,
) -> None:
    once = await world.schedule(TEN)
    daily = await world.schedule(TEN, recurrence="daily")
    theirs = await world.schedule(TEN, owner=OTHER_OPERATOR)

    assert revoke(world) == [once.id, daily.id]
    assert world.job(once.id) is None
    assert world.job(daily.id) is None

    world.clock.now = TEN + timedelta(days=2)
    restarted = world.restart()
    assert restarted.job(once.id) is None
    assert restarted.job(daily.id) is None
    assert await restarted.service.fire_due() == {theirs.id: Fired.MISSED}
    assert restarted.sender.launched == []
    assert restarted.state_of(once.id) is ScheduleState.PAUSED
    assert restarted.state_of(daily.id) is ScheduleState.PAUSED
    assert len(restarted.store.audit.recent(action="schedule_paused")) == 2


async def test_only_an_admin_takes_over_and_only_once(world: World) -> None:
    schedule = await world.schedule(TEN, recurrence="daily")
    revoke(world)
    service = world.service

    refused = service.take_over(
        schedule.id,
        actor_id=OTHER_OPERATOR,
        role=Role.OPERATOR,
        chat_id=OTHER_OPERATOR,
        locale=None,
    )
    first = service.take_over(
        schedule.id, actor_id=ADMIN, role=Role.ADMIN, chat_id=ADMIN, locale="ru"
    )
    again = service.take_over(
        schedule.id, actor_id=ADMIN, role=Role.ADMIN, chat_id=ADMIN, locale="ru"
    )

    assert (refused, first, again) == (Outcome.NOT_ALLOWED, Outcome.DONE, Outcome.GONE)
    taken = world.store.schedules.get(schedule.id)
    assert (taken.owner_id, taken.owner_chat_id, taken.locale) == (ADMIN, ADMIN, "ru")
    assert taken.state is ScheduleState.PENDING
    assert world.job(schedule.id).next_run_time == TEN
    world.clock.now = TEN
    assert await service.fire(schedule.id) is Fired.SENT
    [run] = world.sender.launched
    campaign = world.store.campaigns.get(run)
    assert (campaign.author_id, campaign.author_chat_id) == (ADMIN, ADMIN)


async def test_a_paused_schedule_is_cancelled_with_its_campaign(world: World) -> None:
    schedule = await world.schedule(TEN)
    revoke(world)

    outcome = world.service.cancel(schedule.id, actor_id=ADMIN, role=Role.ADMIN)

    assert outcome is Outcome.DONE
    assert world.state_of(schedule.id) is ScheduleState.CANCELLED
    campaign = world.store.campaigns.get(schedule.campaign_id)
    assert campaign.state is CampaignState.CANCELLED
    admin_take_over = world.service.take_over(
        schedule.id, actor_id=ADMIN, role=Role.ADMIN, chat_id=ADMIN, locale=None
    )
    assert admin_take_over is Outcome.GONE


async def test_admins_see_paused_schedules_on_their_list_with_take_over(world: World) -> None:
    schedule = await world.schedule(TEN)
    revoke(world)

    listed = world.service.visible_to(ADMIN, Role.ADMIN)

    assert [s.id for s in listed] == [schedule.id]
    i18n = world.i18n
    with i18n.context(), i18n.use_locale("en"):
        shown = describe(world.service.summary(listed[0]), "en")
    assert "paused: its owner may no longer send" in shown


async def test_a_missed_send_of_a_revoked_owner_is_asked_of_the_admin_taking_it_over(
    world: World,
) -> None:
    schedule = await world.schedule(TEN)
    world.clock.now = TEN + timedelta(minutes=30)
    restarted = world.restart()
    assert await restarted.service.fire_due() == {schedule.id: Fired.MISSED}

    assert revoke(restarted) == [schedule.id]
    service = restarted.service
    taken = service.take_over(
        schedule.id, actor_id=ADMIN, role=Role.ADMIN, chat_id=ADMIN, locale=None
    )
    assert taken is Outcome.DONE
    assert await service.fire(schedule.id) is Fired.MISSED

    question = restarted.told()[-1]
    assert question.chat_id == ADMIN
    assert "was missed" in question.text
    assert service.resolve_missed(schedule.id, send=True, actor_id=ADMIN, role=Role.ADMIN) is (
        Outcome.DONE
    )
    assert restarted.sender.launched == [schedule.campaign_id]


async def test_cards_a_stop_kept_from_the_admins_go_out_at_the_next_start_once(
    world: World,
) -> None:
    once = await world.schedule(TEN)
    daily = await world.schedule(TEN, recurrence="daily")
    revoke(world)  # and the program stops before the admins were told

    restarted = world.restart()
    assert restarted.service.owed_cards is not None
    await restarted.service.owed_cards
    [card] = restarted.told()
    assert card.chat_id == ADMIN
    assert "may no longer send" in card.text
    buttons = [b.text for row in card.reply_markup.inline_keyboard for b in row]
    assert buttons == [
        f"Take over №{once.campaign_id}",
        f"Cancel №{once.campaign_id}",
        f"Take over №{daily.campaign_id}",
        f"Cancel №{daily.campaign_id}",
    ]

    again = restarted.restart()
    assert again.service.owed_cards is None
    assert again.told() == []


async def test_a_card_telegram_refused_stays_owed_and_goes_out_at_the_next_start_once(
    world: World,
) -> None:
    once = await world.schedule(TEN)
    world.notices.unreachable.add(ADMIN)  # Telegram does not take the card this time
    revoke(world)
    await world.service.tell_admins(OWNER)
    assert world.told() == []
    assert [chat for chat, _notice in world.notices.refused] == [ADMIN]

    restarted = world.restart()
    assert restarted.service.owed_cards is not None
    await restarted.service.owed_cards
    [card] = restarted.told()
    assert card.chat_id == ADMIN
    buttons = [b.text for row in card.reply_markup.inline_keyboard for b in row]
    assert buttons == [f"Take over №{once.campaign_id}", f"Cancel №{once.campaign_id}"]

    again = restarted.restart()
    assert again.service.owed_cards is None
    assert again.told() == []
