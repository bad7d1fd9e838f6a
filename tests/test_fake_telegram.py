"""The fake Telegram server answers like the Bot API where the bot's bugs would hide."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramMigrateToChat, TelegramRetryAfter
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.fakes.telegram import NOT_MODIFIED, FakeTelegram

USER = 1001
GROUP = -100777
KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "answer:yes"}]]}


class ManualClock:
    """A clock the test moves by hand, so rolling windows need no waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def clocked(clock: ManualClock) -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(clock=clock)
    await server.start()
    yield server
    await server.stop()


async def api(fake: FakeTelegram, method: str, token: str | None = None, **params: Any):
    """POST form fields the way aiogram encodes them; returns (HTTP status, JSON body)."""
    form = {
        key: json.dumps(value) if isinstance(value, dict | list) else str(value)
        for key, value in params.items()
    }
    url = f"{fake.url}/bot{token or fake.token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, data=form) as response:
        return response.status, await response.json()


async def description_of(fake: FakeTelegram, method: str, **params: Any) -> str:
    status, body = await api(fake, method, **params)
    assert body["ok"] is False, body
    assert status == body["error_code"]
    return body["description"]


# -- basics ------------------------------------------------------------------------------------


async def test_get_me_describes_the_bot(fake):
    status, body = await api(fake, "getMe")
    assert status == 200
    assert body["result"]["id"] == 123456
    assert body["result"]["username"] == "pulse_test_bot"
    assert body["result"]["is_bot"] is True


async def test_a_wrong_token_is_unauthorized(fake):
    status, body = await api(fake, "getMe", token="999:OTHER")
    assert status == 401
    assert body == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert fake.errors[0].status == 401


async def test_an_unknown_method_is_not_found(fake):
    status, body = await api(fake, "sendHologram", chat_id=USER)
    assert status == 404
    assert body["description"] == "Not Found"


async def test_a_sent_message_is_returned_and_shown_in_the_chat(fake):
    status, body = await api(fake, "sendMessage", chat_id=USER, text="hi", reply_markup=KEYBOARD)
    message = body["result"]
    assert status == 200
    assert message["chat"] == {"id": USER, "type": "private", "first_name": "User"}
    assert message["from"]["id"] == fake.bot_id
    assert message["reply_markup"] == KEYBOARD
    assert fake.chat(USER) == [message]
    assert fake.last(USER) == message
    assert fake.requests[-1].params["reply_markup"] == KEYBOARD
    assert fake.requests[-1].params["chat_id"] == USER
    assert fake.buttons(message) == [("Yes", "answer:yes")]
    assert fake.find_button(message, "Ye") == "answer:yes"


async def test_message_ids_count_per_chat(fake):
    first = (await api(fake, "sendMessage", chat_id=USER, text="a"))[1]["result"]
    other = (await api(fake, "sendMessage", chat_id=GROUP, text="b"))[1]["result"]
    second = (await api(fake, "sendMessage", chat_id=USER, text="c"))[1]["result"]
    assert (first["message_id"], other["message_id"], second["message_id"]) == (1, 1, 2)
    assert other["chat"]["type"] == "supergroup"


# -- HTML, lengths, empty text -----------------------------------------------------------------


async def test_html_becomes_plain_text_and_entities(fake):
    html = '<b>Hi</b> &lt;you&gt; <a href="https://x.test/?a=1&amp;b=2">link</a> &#128512;'
    _, body = await api(fake, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    message = body["result"]
    assert message["text"] == "Hi <you> link 😀"
    assert message["entities"] == [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "text_link", "offset": 9, "length": 4, "url": "https://x.test/?a=1&b=2"},
    ]


async def test_every_telegram_tag_is_accepted(fake):
    html = (
        "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
        '<strike>t</strike><del>d</del><span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler>'
        '<code>c</code><pre><code class="language-python">x = 1</code></pre>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    status, body = await api(fake, "sendMessage", chat_id=USER, text=html, parse_mode="HTML")
    assert status == 200, body
    types = {entity["type"] for entity in body["result"]["entities"]}
    assert types == {
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "pre",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    }
    pre = next(e for e in body["result"]["entities"] if e["type"] == "pre")
    assert pre["language"] == "python"


@pytest.mark.parametrize(
    ("html", "detail"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("2<3", "Unclosed start tag at byte offset 1"),
        ("AT&T", "Unsupported entity at byte offset 2"),
        ("a &nbsp; b", "Unsupported entity at byte offset 2"),
        ("Привет <x>", 'Unsupported start tag "x" at byte offset 13'),
        ('<span class="bold">y</span>', 'Tag "span" must have class "tg-spoiler"'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
    ],
)
async def test_invalid_html_is_refused_like_telegram(fake, html, detail):
    description = await description_of(
        fake, "sendMessage", chat_id=USER, text=html, parse_mode="HTML"
    )
    assert description.startswith("Bad Request: can't parse entities: ")
    assert detail in description
    assert fake.chat(USER) == []
    assert [call.description for call in fake.errors] == [description]


async def test_without_parse_mode_angle_brackets_are_plain_text(fake):
    status, body = await api(fake, "sendMessage", chat_id=USER, text="1 < 2 & <b>")
    assert status == 200
    assert body["result"]["text"] == "1 < 2 & <b>"


async def test_length_is_counted_after_entity_parsing(fake):
    fits = "<b>" + "&lt;" * 4096 + "</b>"
    status, _ = await api(fake, "sendMessage", chat_id=USER, text=fits, parse_mode="HTML")
    assert status == 200
    too_long = await description_of(fake, "sendMessage", chat_id=USER, text="a" * 4097)
    assert too_long == "Bad Request: message is too long"


async def test_a_caption_over_1024_characters_is_too_long(fake):
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("caption", "c" * 1025)
    form.add_field("document", b"data", filename="report.csv")
    async with aiohttp.ClientSession() as session:
        url = f"{fake.url}/bot{fake.token}/sendDocument"
        async with session.post(url, data=form) as response:
            body = await response.json()
    assert response.status == 400
    assert body["description"] == "Bad Request: message caption is too long"


@pytest.mark.parametrize("text", ["", "   ", "<b></b>"])
async def test_empty_text_is_refused(fake, text):
    description = await description_of(
        fake, "sendMessage", chat_id=USER, text=text, parse_mode="HTML"
    )
    assert description == "Bad Request: message text is empty"


async def test_a_long_callback_data_is_refused(fake):
    keyboard = {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}
    description = await description_of(
        fake, "sendMessage", chat_id=USER, text="hi", reply_markup=keyboard
    )
    assert description == "Bad Request: BUTTON_DATA_INVALID"


# -- edits -------------------------------------------------------------------------------------


async def test_an_identical_edit_is_not_modified(fake):
    _, body = await api(
        fake,
        "sendMessage",
        chat_id=USER,
        text="<b>hi</b>",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    message_id = body["result"]["message_id"]
    same = {"chat_id": USER, "message_id": message_id, "reply_markup": KEYBOARD}
    text_edit = await description_of(
        fake, "editMessageText", text="<b>hi</b>", parse_mode="HTML", **same
    )
    markup_edit = await description_of(fake, "editMessageReplyMarkup", **same)
    assert text_edit == markup_edit == NOT_MODIFIED
    status, _ = await api(fake, "editMessageText", text="hi", **same)
    assert status == 200, "losing the bold entity is a change"


async def test_an_edit_without_reply_markup_removes_the_keyboard(fake):
    _, body = await api(fake, "sendMessage", chat_id=USER, text="hi", reply_markup=KEYBOARD)
    message_id = body["result"]["message_id"]
    _, edited = await api(fake, "editMessageText", chat_id=USER, message_id=message_id, text="bye")
    assert "reply_markup" not in edited["result"]
    assert "edit_date" in edited["result"]
    assert fake.chat(USER)[0]["text"] == "bye"
    assert fake.buttons(fake.chat(USER)[0]) == []


async def test_editing_an_unknown_message_is_not_found(fake):
    description = await description_of(
        fake, "editMessageText", chat_id=USER, message_id=42, text="x"
    )
    assert description == "Bad Request: message to edit not found"


async def test_deleted_messages_leave_the_chat(fake):
    _, body = await api(fake, "sendMessage", chat_id=USER, text="hi")
    message_id = body["result"]["message_id"]
    status, _ = await api(fake, "deleteMessage", chat_id=USER, message_id=message_id)
    assert status == 200
    assert fake.chat(USER) == []
    again = await description_of(fake, "deleteMessage", chat_id=USER, message_id=message_id)
    assert again == "Bad Request: message to delete not found"


async def test_wait_message_sees_an_edit_of_an_older_message(fake):
    _, body = await api(fake, "sendMessage", chat_id=USER, text="draft")
    message_id = body["result"]["message_id"]
    waiting = asyncio.create_task(fake.wait_message(USER, "final", after=message_id))
    await api(fake, "editMessageText", chat_id=USER, message_id=message_id, text="final")
    message = await asyncio.wait_for(waiting, 5)
    assert message["message_id"] == message_id


# -- group rate limit and 429 ------------------------------------------------------------------


async def test_a_group_gets_429_after_20_messages_in_a_minute(clocked, clock):
    for _ in range(20):
        status, _ = await api(clocked, "sendMessage", chat_id=GROUP, text="x")
        assert status == 200
        clock.now += 1
    status, body = await api(clocked, "editMessageText", chat_id=GROUP, message_id=1, text="y")
    # The first message was sent at 1000; now is 1020, so a slot frees in 40 s.
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 40",
        "parameters": {"retry_after": 40},
    }
    assert [(t.chat_id, t.retry_after, t.deadline) for t in clocked.throttles] == [
        (GROUP, 40, 1060.0)
    ]
    assert clocked.violations == []


async def test_calling_a_chat_before_retry_after_elapses_is_a_violation(clocked, clock):
    clocked.group_per_minute = 2
    for _ in range(3):
        status, body = await api(clocked, "sendMessage", chat_id=GROUP, text="x")
    assert status == 429
    assert body["parameters"]["retry_after"] == 60
    clock.now += 59.5
    status, body = await api(clocked, "sendChatAction", chat_id=GROUP, action="typing")
    assert status == 429
    assert body["parameters"]["retry_after"] == 1
    assert [(v.chat_id, v.method) for v in clocked.violations] == [(GROUP, "sendChatAction")]
    assert [(t.retry_after, t.deadline) for t in clocked.throttles] == [(60, 1060.0), (1, 1060.0)]
    clock.now += 0.5
    status, _ = await api(clocked, "sendMessage", chat_id=GROUP, text="x")
    assert status == 200
    assert len(clocked.violations) == 1


async def test_private_chats_are_not_held_to_the_group_limit(clocked):
    for _ in range(30):
        status, _ = await api(clocked, "sendMessage", chat_id=USER, text="x")
        assert status == 200
    assert clocked.throttles == []


# -- scripted failures, migration, kick --------------------------------------------------------


async def test_scripted_failures_answer_the_next_calls_then_stop(fake):
    fake.fail_next("sendMessage", error_code=500, description="Internal Server Error", times=2)
    statuses = [(await api(fake, "sendMessage", chat_id=USER, text="x"))[0] for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert [(call.status, call.scripted) for call in fake.errors] == [(500, True), (500, True)]
    assert len(fake.chat(USER)) == 1


async def test_a_scripted_failure_for_one_chat_leaves_others_alone(fake):
    fake.fail_next(
        "sendMessage",
        chat_id=GROUP,
        error_code=403,
        description="Forbidden: bot was kicked from the supergroup chat",
    )
    assert (await api(fake, "sendMessage", chat_id=USER, text="x"))[0] == 200
    assert (await api(fake, "sendMessage", chat_id=GROUP, text="x"))[0] == 403


async def test_a_scripted_429_sets_a_deadline_that_is_watched(clocked, clock):
    clocked.fail_next(
        "editMessageText",
        chat_id=GROUP,
        error_code=429,
        description="Too Many Requests: retry after 5",
        parameters={"retry_after": 5},
    )
    status, body = await api(clocked, "editMessageText", chat_id=GROUP, message_id=1, text="x")
    assert (status, body["parameters"]) == (429, {"retry_after": 5})
    assert clocked.throttles[0].scripted is True
    clock.now += 4
    await api(clocked, "sendMessage", chat_id=GROUP, text="too early")
    clock.now += 1
    status, _ = await api(clocked, "sendMessage", chat_id=GROUP, text="on time")
    assert status == 200
    assert [v.deadline for v in clocked.violations] == [1005.0]


async def test_a_migrated_group_answers_with_the_new_chat_id(fake):
    fake.migrate_chat(-4242, -1004242)
    status, body = await api(fake, "sendMessage", chat_id=-4242, text="x")
    assert status == 400
    assert body["description"] == "Bad Request: group chat was upgraded to a supergroup chat"
    assert body["parameters"] == {"migrate_to_chat_id": -1004242}
    assert (await api(fake, "sendMessage", chat_id=-1004242, text="x"))[0] == 200
    assert fake.chat_migrations == {-4242: -1004242}


async def test_a_kicked_bot_gets_403_for_every_call_there(fake):
    fake.kick_from(-4242)
    for method in ("sendMessage", "sendChatAction"):
        description = await description_of(fake, method, chat_id=-4242, text="x", action="typing")
        assert description == "Forbidden: bot was kicked from the group chat"


# -- updates -----------------------------------------------------------------------------------


async def test_commands_carry_bot_command_entities(fake):
    plain = fake.send_text(USER, "hello /start")
    command = fake.send_text(USER, "/start")
    addressed = fake.send_text(USER, "/new@pulse_test_bot now", chat_id=GROUP)
    assert "entities" not in plain
    assert command["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert addressed["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]
    assert addressed["chat"]["type"] == "supergroup"
    assert addressed["from"]["id"] == USER


async def test_a_long_poll_returns_at_once_when_updates_are_queued(fake):
    fake.send_text(USER, "one")
    status, body = await asyncio.wait_for(api(fake, "getUpdates", timeout=30), 5)
    assert status == 200
    assert [update["message"]["text"] for update in body["result"]] == ["one"]


async def test_a_long_poll_wakes_up_when_a_user_writes(fake):
    poll = asyncio.create_task(api(fake, "getUpdates", timeout=30))
    await fake.wait_for(lambda: fake.calls("getUpdates"))
    fake.send_text(USER, "wake up")
    _, body = await asyncio.wait_for(poll, 5)
    assert body["result"][0]["message"]["text"] == "wake up"


async def test_a_long_poll_without_updates_ends_empty_at_its_timeout(fake):
    status, body = await asyncio.wait_for(api(fake, "getUpdates", timeout=1), 5)
    assert (status, body["result"]) == (200, [])


async def test_offset_confirms_updates_and_limit_caps_them(fake):
    ids = [fake.send_text(USER, str(n))["message_id"] for n in range(3)]
    _, body = await api(fake, "getUpdates", limit=2)
    first_two = body["result"]
    assert [u["message"]["message_id"] for u in first_two] == ids[:2]
    _, body = await api(fake, "getUpdates", offset=first_two[-1]["update_id"] + 1)
    assert [u["message"]["message_id"] for u in body["result"]] == ids[2:]
    _, body = await api(fake, "getUpdates", offset=body["result"][-1]["update_id"] + 1)
    assert body["result"] == []


async def test_a_second_long_poll_terminates_the_first(fake):
    first = asyncio.create_task(api(fake, "getUpdates", timeout=30))
    await fake.wait_for(lambda: fake.calls("getUpdates"))
    second = asyncio.create_task(api(fake, "getUpdates", timeout=30))
    status, body = await asyncio.wait_for(first, 5)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    fake.send_text(USER, "for the second")
    assert (await asyncio.wait_for(second, 5))[0] == 200


async def test_a_button_press_reaches_the_bot_and_its_answer_is_recorded(fake):
    await api(fake, "sendMessage", chat_id=USER, text="Sure?", reply_markup=KEYBOARD)
    message = fake.last(USER)
    query_id = fake.press(USER, message, fake.find_button(message, "Yes"), strict=True)
    _, body = await api(fake, "getUpdates")
    query = body["result"][0]["callback_query"]
    assert (query["id"], query["data"], query["from"]["id"]) == (query_id, "answer:yes", USER)
    assert query["message"]["text"] == "Sure?"
    await api(fake, "answerCallbackQuery", callback_query_id=query_id, text="Done", show_alert=True)
    answer = await fake.wait_answer(query_id)
    assert (answer["text"], answer["show_alert"]) == ("Done", True)
    again = await description_of(fake, "answerCallbackQuery", callback_query_id=query_id)
    assert again.startswith("Bad Request: query is too old")


async def test_a_strict_press_refuses_data_the_message_does_not_show(fake):
    await api(fake, "sendMessage", chat_id=USER, text="Sure?", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError, match="answer:yes"):
        fake.press(USER, fake.last(USER), "answer:forged", strict=True)


async def test_a_press_on_a_deleted_message_still_reaches_the_bot(fake):
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("reply_markup", json.dumps(KEYBOARD))
    form.add_field("document", b"bytes", filename="a.txt")
    async with aiohttp.ClientSession() as session:
        await session.post(f"{fake.url}/bot{fake.token}/sendDocument", data=form)
    message = fake.last(USER)
    assert message["document"]["content"] == b"bytes"
    await api(fake, "deleteMessage", chat_id=USER, message_id=message["message_id"])
    with pytest.raises(AssertionError, match="does not exist"):
        fake.press(USER, message, "answer:yes", strict=True)
    fake.press(USER, message, "answer:yes")
    _, body = await api(fake, "getUpdates")
    shown = body["result"][0]["callback_query"]["message"]
    assert shown["document"]["file_name"] == "a.txt"
    assert "content" not in shown["document"]


# -- files -------------------------------------------------------------------------------------


async def test_a_users_document_is_fetched_and_downloaded(fake):
    content = b"phone\n+79990000000\n"
    message = fake.send_document(USER, "list.csv", content, caption="new list")
    document = message["document"]
    assert (document["file_name"], document["mime_type"]) == ("list.csv", "text/csv")
    _, body = await api(fake, "getFile", file_id=document["file_id"])
    assert body["result"]["file_size"] == len(content)
    url = f"{fake.url}/file/bot{fake.token}/{body['result']['file_path']}"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert await response.read() == content
    assert (await api(fake, "getFile", file_id="nope"))[0] == 400


async def test_a_users_photo_comes_in_sizes_that_can_be_fetched(fake):
    message = fake.send_photo(USER, b"\xff\xd8jpeg", caption="look")
    assert [size["width"] for size in message["photo"]] == [90, 1280]
    _, body = await api(fake, "getFile", file_id=message["photo"][-1]["file_id"])
    assert body["result"]["file_size"] == 6


async def test_an_uploaded_document_keeps_its_name_and_bytes(fake):
    form = aiohttp.FormData()
    form.add_field("chat_id", str(GROUP))
    form.add_field("document", "attach://upload")
    form.add_field("upload", b"a;b\n1;2\n", filename="report.csv")
    async with aiohttp.ClientSession() as session:
        url = f"{fake.url}/bot{fake.token}/sendDocument"
        async with session.post(url, data=form) as response:
            assert response.status == 200
    document = fake.last(GROUP)["document"]
    assert (document["file_name"], document["content"]) == ("report.csv", b"a;b\n1;2\n")
    assert fake.requests[-1].params["upload"]["content"] == b"a;b\n1;2\n"


# -- recording and waiting ---------------------------------------------------------------------


async def test_commands_and_webhook_settings_are_recorded(fake):
    commands = [{"command": "start", "description": "Начать"}]
    await api(
        fake,
        "setMyCommands",
        commands=commands,
        language_code="ru",
        scope={"type": "all_private_chats"},
    )
    assert fake.my_commands == {("all_private_chats", "ru"): commands}
    _, body = await api(
        fake, "getMyCommands", language_code="ru", scope={"type": "all_private_chats"}
    )
    assert body["result"] == commands
    bad = await description_of(
        fake, "setMyCommands", commands=[{"command": "Start", "description": "x"}]
    )
    assert bad == "Bad Request: BOT_COMMAND_INVALID"
    await api(fake, "setWebhook", url="https://bot.test/hook", secret_token="s3cret")
    assert fake.webhook == {"url": "https://bot.test/hook", "secret_token": "s3cret"}
    assert (await api(fake, "getUpdates"))[0] == 409
    await api(fake, "deleteWebhook", drop_pending_updates=True)
    assert (await api(fake, "getWebhookInfo"))[1]["result"]["url"] == ""


async def test_wait_for_times_out_with_the_last_calls(fake):
    await api(fake, "sendMessage", chat_id=USER, text="not what you wait for")
    with pytest.raises(AssertionError, match="sendMessage ok"):
        await fake.wait_message(USER, "something else", timeout=0.2)


# -- aiogram -----------------------------------------------------------------------------------


def aiogram_bot(fake: FakeTelegram) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.url))
    return Bot(fake.token, session=session)


async def test_aiogram_accepts_every_answer(fake):
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="answer:yes")]]
    )
    async with aiogram_bot(fake) as bot:
        assert (await bot.get_me()).username == "pulse_test_bot"
        sent = await bot.send_message(
            GROUP, "<b>Sure?</b>", parse_mode="HTML", reply_markup=keyboard
        )
        assert sent.text == "Sure?"
        assert sent.entities[0].type == "bold"
        edited = await bot.edit_message_text("Done", chat_id=GROUP, message_id=sent.message_id)
        assert edited.text == "Done"
        assert edited.reply_markup is None
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await bot.edit_message_text("Done", chat_id=GROUP, message_id=sent.message_id)
        fake.send_text(USER, "/start")
        query_id = fake.press(USER, fake.last(GROUP), "answer:yes")
        updates = await bot.get_updates(timeout=5)
        assert updates[0].message.text == "/start"
        assert updates[1].callback_query.id == query_id
        assert await bot.answer_callback_query(query_id, text="ok")
        document = await bot.send_document(USER, BufferedInputFile(b"1,2\n", filename="a.csv"))
        assert document.document.file_name == "a.csv"
        assert fake.last(USER)["document"]["content"] == b"1,2\n"
        file = await bot.get_file(document.document.file_id)
        assert (await bot.download_file(file.file_path)).read() == b"1,2\n"


async def test_aiogram_raises_its_own_errors_for_429_and_migration(fake):
    fake.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 3",
        parameters={"retry_after": 3},
    )
    fake.migrate_chat(-4242, -1004242)
    async with aiogram_bot(fake) as bot:
        with pytest.raises(TelegramRetryAfter) as retry:
            await bot.send_message(GROUP, "x")
        assert retry.value.retry_after == 3
        with pytest.raises(TelegramMigrateToChat) as migrate:
            await bot.send_message(-4242, "x")
        assert migrate.value.migrate_to_chat_id == -1004242
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(USER, "a < b", parse_mode="HTML")


async def test_aiogram_dispatcher_handles_a_command_sent_through_the_fake(fake):
    router = Router()

    @router.message(Command("start"))
    async def greet(message: Message) -> None:
        await message.answer(f"Hello, {message.from_user.first_name}")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = aiogram_bot(fake)
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    try:
        fake.send_text(USER, "/start@pulse_test_bot", first_name="Ada")
        reply = await fake.wait_message(USER, "Hello")
        assert reply["text"] == "Hello, Ada"
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 10)
