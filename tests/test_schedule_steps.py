"""The Schedule dialog step by step (tests/dialog_client.py), on a scheduling world whose clock
stands at Monday 3 March 2031, 09:00 in Moscow: what each window refuses, and what it keeps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram_dialog import DialogManager

from bot.access import OPERATOR, for_command
from handlers import schedule
from tests.dialog_client import DialogClient, dialog_client
from tests.test_schedule_world import OWNER, World, open_world


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async with open_world(tmp_path) as opened:
        yield opened


def planner(tmp_path: Path, world: World) -> DialogClient:
    """The owner, with /plan standing for the preview's Schedule button (the composer's press)."""
    starts = Router(name="plan")

    async def plan(message: Message, dialog_manager: DialogManager) -> None:
        list_id = world.recipients("79001234567", "79001234568")
        await schedule.start_planning(dialog_manager, world.draft(), list_id)

    starts.message.register(plan, Command("plan"), flags=for_command(OPERATOR))
    routers = [starts, schedule.build_router()]
    services = {"scheduling": world.service}
    return dialog_client(tmp_path, routers, user_id=OWNER, store=world.store, services=services)


async def test_a_time_of_day_gone_by_is_tomorrows_and_said_so(tmp_path, world):
    owner = planner(tmp_path, world)
    await owner.send("/plan")
    assert owner.text.startswith("<b>Schedule</b>\n\nWhen should it go out?")
    assert owner.buttons() == [
        "In 1 hour",
        "Today 10:00",
        "Tomorrow 10:00",
        "Monday 10:00",
        "« Back",
    ]
    await owner.send("8:00")
    assert "Time: <b>Tue 4 Mar 2031, 08:00" in owner.text
    assert "That time has already passed today, so it is tomorrow." in owner.text
    assert "SMS, recipients: 2" in owner.text


async def test_weekly_keeps_a_day_and_forged_choices_change_nothing(tmp_path, world):
    owner = planner(tmp_path, world)
    await owner.send("/plan")
    await owner.press("Today 10:00")
    await owner.press("Weekly")
    assert "✓ Mon" in owner.buttons()
    shown = owner.text
    assert await owner.press("✓ Mon") == "Keep at least one day."
    for forged in ("sched_step:day:9", "sched_step:mode:evil", "sched_step:repeat:hourly"):
        answer = await owner.press_in_card(f"card:{forged}")
        assert answer == "This button is no longer valid.", forged
    assert await owner.press_in_card("card:sched_step:x") == ("This card is no longer active.")
    assert owner.text == shown


async def test_the_cron_prompt_refuses_a_bad_expression_and_back_keeps_the_plan(tmp_path, world):
    owner = planner(tmp_path, world)
    await owner.send("/plan")
    await owner.press("Tomorrow 10:00")
    await owner.press("Every day")
    await owner.press("Cron")
    assert owner.text.startswith("Send a cron expression")
    await owner.send("every morning")
    assert "«every morning» is not a cron expression" in owner.text
    await owner.press("« Back")
    assert "✓ Every day" in owner.buttons()
    await owner.send("hello")
    assert "⚠️ Use the buttons on the card." in owner.text
    await owner.press("Change time")
    assert owner.text.startswith("<b>Schedule</b>\n\nWhen should it go out?")
    assert "⚠️" not in owner.text
