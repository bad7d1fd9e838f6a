"""Updates still being handled: a stop waits for them, so none is cut off halfway."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiogram.types import Chat, Message, Update, User

from bot.telegram.in_flight import UpdatesInFlight

PERSON = User(id=2002, is_bot=False, first_name="Olga")


def written(update_id: int) -> Update:
    message = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=PERSON.id, type="private"),
        from_user=PERSON,
        text="hello",
    )
    return Update(update_id=update_id, message=message)


async def test_all_handled_waits_for_the_updates_still_being_handled() -> None:
    in_flight = UpdatesInFlight()
    order: list[str] = []
    taken, release = asyncio.Event(), asyncio.Event()

    async def handler(_event: object, _data: dict) -> None:
        taken.set()
        await release.wait()
        order.append("handled")

    handling = asyncio.create_task(in_flight(handler, written(1), {"event_from_user": PERSON}))
    await taken.wait()

    async def stop() -> None:
        await in_flight.all_handled()
        order.append("stopped")

    stopping = asyncio.create_task(stop())  # scheduled before the handler can go on
    release.set()
    await asyncio.gather(handling, stopping)
    assert order == ["handled", "stopped"]

    await in_flight.all_handled()  # nothing in flight: returns at once
