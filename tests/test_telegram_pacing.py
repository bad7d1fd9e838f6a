"""The pacing layer every Bot API call passes: limits, retry_after, retries, migration, refusals.

A fake clock makes the waits exact and instant: `sleep` moves the clock forward.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, EditMessageText, GetUpdates, SendMessage

from bot.metrics import Metrics
from bot.telegram.pacing import TelegramPacing

GROUP = -100500
USER = 1001


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class FakeApi:
    """Answers calls from a script of results and exceptions; records (time, chat, method)."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[tuple[float, Any, str]] = []
        self.script: list[Any] = []

    async def __call__(self, bot: Any, method: Any) -> Any:
        self.calls.append((self.clock.now, getattr(method, "chat_id", None), method.__api_method__))
        outcome = self.script.pop(0) if self.script else "ok"
        if callable(outcome):
            raise outcome(method)
        return outcome


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def api(clock):
    return FakeApi(clock)


@pytest.fixture
def migrations():
    return []


@pytest.fixture
def pacing(clock, migrations):
    return TelegramPacing(
        Metrics(),
        clock=clock,
        sleep=clock.sleep,
        on_migrate=lambda old, new: migrations.append((old, new)),
    )


def send(chat_id: int, text: str = "hi") -> SendMessage:
    return SendMessage(chat_id=chat_id, text=text)


async def test_retry_after_holds_the_chat_for_exactly_that_long(pacing, api, clock):
    api.script = [
        lambda m: TelegramRetryAfter(method=m, message="Too Many Requests", retry_after=7)
    ]
    first = asyncio.create_task(pacing(api, None, send(GROUP, "a")))
    await asyncio.sleep(0)
    second = asyncio.create_task(pacing(api, None, send(GROUP, "b")))
    assert await first == "ok"
    assert await second == "ok"
    times = [time for time, chat, _ in api.calls if chat == GROUP]
    assert times[0] == 0.0
    assert times[1] == pytest.approx(7.0)
    assert all(time >= 7.0 for time in times[1:])
    assert len(times) == 3  # the throttled call once more, then the next one


async def test_server_errors_are_retried_with_growing_waits(pacing, api):
    api.script = [lambda m: TelegramServerError(method=m, message="Bad Gateway")] * 2
    assert await pacing(api, None, send(USER)) == "ok"
    assert [time for time, _, _ in api.calls] == [0.0, 0.5, 1.5]


async def test_network_errors_give_up_after_a_bounded_number_of_tries(pacing, api, clock):
    api.script = [lambda m: TelegramNetworkError(method=m, message="ClientConnectorError")] * 9
    with pytest.raises(TelegramNetworkError):
        await pacing(api, None, send(USER))
    assert len(api.calls) == 4
    assert clock.now == pytest.approx(0.5 + 1 + 2)


async def test_a_migrated_group_is_followed_and_remembered(pacing, api, migrations):
    new_id = -1009999
    api.script = [
        lambda m: TelegramMigrateToChat(method=m, message="upgraded", migrate_to_chat_id=new_id)
    ]
    await pacing(api, None, send(GROUP, "card"))
    await pacing(api, None, send(GROUP, "next"))
    assert migrations == [(GROUP, new_id)]
    assert [chat for _, chat, _ in api.calls] == [GROUP, new_id, new_id]


async def test_a_chat_that_refuses_the_bot_is_left_alone_and_reported_once(
    pacing, api, clock, caplog
):
    kicked = lambda m: TelegramForbiddenError(method=m, message="Forbidden: bot was kicked")  # noqa: E731
    api.script = [kicked, kicked]
    with caplog.at_level(logging.WARNING, logger="bot.telegram.pacing"):
        for _ in range(5):
            with pytest.raises(TelegramForbiddenError):
                await pacing(api, None, send(GROUP))
        clock.now += pacing.forbidden_pause + 1
        with pytest.raises(TelegramForbiddenError):
            await pacing(api, None, send(GROUP))
        assert await pacing(api, None, send(USER)) == "ok"
    assert len([call for call in api.calls if call[1] == GROUP]) == 2
    assert len([r for r in caplog.records if "refuses" in r.getMessage()]) == 1


async def test_an_edit_that_changes_nothing_counts_as_done(pacing, api):
    api.script = [
        lambda m: TelegramBadRequest(method=m, message="Bad Request: message is not modified")
    ]
    edit = EditMessageText(chat_id=GROUP, message_id=5, text="same")
    assert await pacing(api, None, edit) is True
    assert len(api.calls) == 1


async def test_other_bad_requests_are_not_retried(pacing, api):
    api.script = [lambda m: TelegramBadRequest(method=m, message="Bad Request: chat not found")]
    with pytest.raises(TelegramBadRequest):
        await pacing(api, None, send(USER))
    assert len(api.calls) == 1


async def test_a_group_gets_at_most_20_messages_per_rolling_minute(pacing, api):
    for number in range(45):
        await pacing(api, None, send(GROUP, str(number)))
    times = [time for time, _, _ in api.calls]
    for index, time in enumerate(times):
        in_window = [other for other in times[index:] if other < time + 60]
        assert len(in_window) <= 20
    assert times[20] >= 61.0


async def test_a_private_chat_gets_about_one_message_a_second(pacing, api):
    for number in range(12):
        await pacing(api, None, send(USER, str(number)))
    times = [time for time, _, _ in api.calls]
    assert times[-1] >= 9.0  # a burst of 3, then one a second


async def test_all_chats_together_stay_within_30_calls_a_second(pacing, api):
    await asyncio.gather(*(pacing(api, None, send(USER + n)) for n in range(40)))
    times = sorted(time for time, _, _ in api.calls)
    assert times[29] < 1.0 <= times[30]


async def test_calls_without_a_chat_are_paced_overall_only(pacing, api):
    for _ in range(5):
        await pacing(api, None, AnswerCallbackQuery(callback_query_id="1"))
    assert [time for time, _, _ in api.calls] == [0.0] * 5


async def test_long_polling_passes_untouched(pacing, api):
    api.script = [lambda m: TelegramServerError(method=m, message="Bad Gateway")]
    with pytest.raises(TelegramServerError):
        await pacing(api, None, GetUpdates(timeout=10))
    assert len(api.calls) == 1
