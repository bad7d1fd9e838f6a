"""The Reschedule card step by step (tests/dialog_client.py), on a scheduling world whose clock
stands at Monday 3 March 2031, 09:00 in Moscow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager, StartMode

from bot.access import OPERATOR, for_command
from bot.schedule.service import stamp_of
from handlers import reschedule, scheduled
from storage.members import Role
from storage.schedules import Schedule, ScheduleState
from tests.dialog_client import DialogClient, dialog_client
from tests.test_schedule_world import DAY, OWNER, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


def mover(tmp_path: Path, world: World, schedule: Schedule) -> DialogClient:
    """The owner, with /move standing for the list's Reschedule button."""
    starts = Router(name="move")

    async def move(message: Message, dialog_manager: DialogManager) -> None:
        opening = reschedule.opening(schedule.id, stamp_of(schedule), scheduled.list_stack(OWNER))
        await dialog_manager.start(
            reschedule.Reschedule.when, data=opening, mode=StartMode.RESET_STACK
        )

    starts.message.register(move, Command("move"), flags=for_command(OPERATOR))
    routers = [starts, scheduled.build_router()]
    services = {"scheduling": world.service}
    return dialog_client(tmp_path, routers, user_id=OWNER, store=world.store, services=services)


async def test_a_new_time_is_echoed_then_moved_and_a_passed_one_asked_again(tmp_path, world):
    schedule = await world.schedule(DAY.replace(hour=10))
    owner = mover(tmp_path, world, schedule)
    await owner.send("/move")
    assert owner.text.startswith(f"<b>Reschedule №{schedule.campaign_id}</b>")
    await owner.send("2020-01-01 10:00")
    assert "has passed or is less than a minute away" in owner.text
    await owner.send("12:30")
    assert "New time: <b>Mon 3 Mar 2031, 12:30" in owner.text
    assert owner.buttons() == ["✅ Confirm", "Change time", "Cancel"]

    await owner.press("✅ Confirm")
    assert owner.text.startswith(
        f"✅ №{schedule.campaign_id} now goes out on Mon 3 Mar 2031, 12:30"
    )
    assert owner.buttons() == []
    assert world.store.schedules.get(schedule.id).run_at_time == DAY.replace(hour=12, minute=30)


async def test_a_send_cancelled_meanwhile_is_not_moved(tmp_path, world):
    schedule = await world.schedule(DAY.replace(hour=10))
    owner = mover(tmp_path, world, schedule)
    await owner.send("/move")
    await owner.press("Tomorrow 10:00")
    world.service.cancel(schedule.id, actor_id=OWNER, role=Role.OPERATOR)

    answer = await owner.press("✅ Confirm")
    assert answer == "This send has already gone out, been cancelled or changed."

    assert owner.text == answer  # the card's last word, without buttons
    assert owner.buttons() == []
    assert world.store.schedules.get(schedule.id).state is ScheduleState.CANCELLED
