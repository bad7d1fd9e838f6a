"""The demo's chat page: the people's side of the emulated Telegram, in a browser.

`/demo` serves plain files (package data). The page reads the chats from `/demo/state`, acts
through `/demo/api/*` (text, button presses, files) and follows every change over the
`/demo/ws` WebSocket. Requests from another site's page are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import random
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from aiogram.utils.i18n import I18n
from aiohttp import WSMsgType, web

from bot.demo.telegram import FakeTelegram
from storage.members import Role

DEMO_PATH = "/demo"
STATIC_FILES = {"": "index.html", "/app.js": "app.js", "/style.css": "style.css"}
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
MAX_UPLOAD = 20 * 1024 * 1024  # Telegram's download limit for bots
SAMPLE_SIZE = 50


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    role: Role


class DemoPage:
    """Routes of the page; one writer task per open WebSocket keeps events in order."""

    def __init__(
        self,
        telegram: FakeTelegram,
        people: tuple[Person, ...],
        group_id: int,
        *,
        i18n: I18n,
        language: str,
    ) -> None:
        self.telegram, self.people, self.group_id = telegram, people, group_id
        self.i18n, self.language = i18n, language
        self._sockets: dict[web.WebSocketResponse, asyncio.Queue[dict[str, Any] | None]] = {}
        self._version = 0  # numbers events, so a page drops those its state already holds
        telegram.listeners.append(self._on_change)

    def register(self, app: web.Application) -> None:
        for suffix in STATIC_FILES:
            app.router.add_get(DEMO_PATH + suffix, self._static)
        app.router.add_get(DEMO_PATH + "/state", self._state)
        app.router.add_get(DEMO_PATH + "/sample.csv", self._sample)
        app.router.add_get(DEMO_PATH + "/file/{file_id}", self._file)
        app.router.add_get(DEMO_PATH + "/ws", self._socket)
        app.router.add_post(DEMO_PATH + "/api/text", self._text)
        app.router.add_post(DEMO_PATH + "/api/press", self._press)
        app.router.add_post(DEMO_PATH + "/api/file", self._upload)

    async def close(self) -> None:
        for socket, queue in list(self._sockets.items()):
            queue.put_nowait(None)
            await socket.close()

    # -- events -------------------------------------------------------------------------------

    def _on_change(self, kind: str, *details: Any) -> None:
        if kind == "message":
            event: dict[str, Any] = {"kind": "message", "message": _public(details[0])}
        elif kind == "deleted":
            event = {"kind": "deleted", "chat_id": details[0], "message_id": details[1]}
        else:
            answer = details[0]
            event = {"kind": "answer", "text": answer.get("text") or ""}
            event["show_alert"] = bool(answer.get("show_alert"))
        self._version += 1
        event["version"] = self._version
        for queue in self._sockets.values():
            queue.put_nowait(event)

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        _same_site(request)
        socket = web.WebSocketResponse(heartbeat=30)
        await socket.prepare(request)
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._sockets[socket] = queue
        writer = asyncio.create_task(_write(socket, queue))
        try:
            async for message in socket:  # the page only listens; reading notices the close
                if message.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets.pop(socket, None)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return socket

    # -- reading ------------------------------------------------------------------------------

    async def _static(self, request: web.Request) -> web.Response:
        name = STATIC_FILES[request.path.removeprefix(DEMO_PATH)]
        body = resources.files("bot.demo").joinpath("static", name).read_bytes()
        content_type = CONTENT_TYPES[name[name.rindex(".") :]]
        return web.Response(
            body=body,
            content_type=content_type,
            charset="utf-8",
            headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
        )

    async def _state(self, request: web.Request) -> web.Response:
        people = [
            {"user_id": person.user_id, "name": person.name, "role": person.role.value}
            for person in self.people
        ]
        chats = {
            str(chat_id): [_public(message) for message in self.telegram.transcript(chat_id)]
            for chat_id in [person.user_id for person in self.people] + [self.group_id]
        }
        return web.json_response(
            {
                "people": people,
                "group_id": self.group_id,
                "bot_id": self.telegram.bot_id,
                "chats": chats,
                "labels": self._labels(),
                "version": self._version,
            }
        )

    async def _sample(self, request: web.Request) -> web.Response:
        return web.Response(
            body=sample_list().encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": 'attachment; filename="sample-customers.csv"'},
        )

    async def _file(self, request: web.Request) -> web.Response:
        stored = self.telegram.file(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        name = (stored.file_name or "file").replace('"', "")
        inline = (stored.mime_type or "").startswith("image/")
        disposition = "inline" if inline else f'attachment; filename="{name}"'
        return web.Response(
            body=stored.content,
            content_type=stored.mime_type if inline else "application/octet-stream",
            headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
        )

    # -- acting -------------------------------------------------------------------------------

    async def _text(self, request: web.Request) -> web.Response:
        body = await _json(request)
        person = self._person(body.get("user_id"))
        text = str(body.get("text") or "").strip()
        if not text:
            raise web.HTTPBadRequest(text="empty message")
        message = self.telegram.send_text(
            person.user_id, text, first_name=person.name, language_code=self.language
        )
        return web.json_response({"message_id": message["message_id"]})

    async def _press(self, request: web.Request) -> web.Response:
        body = await _json(request)
        person = self._person(body.get("user_id"))
        chat_id, message_id = body.get("chat_id"), body.get("message_id")
        shown = [m for m in self.telegram.transcript(chat_id) if m["message_id"] == message_id]
        if not shown or chat_id not in (person.user_id, self.group_id):
            raise web.HTTPNotFound(text="no such message")
        try:
            query_id = self.telegram.press(
                person.user_id,
                shown[0],
                str(body.get("data")),
                language_code=self.language,
                strict=True,
                first_name=person.name,
            )
        except AssertionError:
            raise web.HTTPBadRequest(text="no such button") from None
        return web.json_response({"callback_query_id": query_id})

    async def _upload(self, request: web.Request) -> web.Response:
        _same_site(request)
        form = await request.post()
        person = self._person(form.get("user_id"))
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise web.HTTPBadRequest(text="no file")
        content = upload.file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise web.HTTPRequestEntityTooLarge(max_size=MAX_UPLOAD, actual_size=len(content))
        caption = str(form.get("caption") or "") or None
        if (upload.content_type or "").startswith("image/") and not str(
            upload.filename
        ).lower().endswith((".csv", ".txt", ".xlsx")):
            message = self.telegram.send_photo(
                person.user_id,
                content,
                caption=caption,
                language_code=self.language,
                first_name=person.name,
            )
        else:
            message = self.telegram.send_document(
                person.user_id,
                upload.filename or "file",
                content,
                caption=caption,
                language_code=self.language,
                first_name=person.name,
            )
        return web.json_response({"message_id": message["message_id"]})

    def _person(self, user_id: object) -> Person:
        for person in self.people:
            if str(person.user_id) == str(user_id):
                return person
        raise web.HTTPBadRequest(text="unknown person")

    def _labels(self) -> dict[str, str]:
        _ = self.i18n.gettext
        language = self.language
        return {
            "title": _("pulse-bridge demo", locale=language),
            "notice": _(
                "Demo: Telegram is emulated on this computer and the platform is a sandbox; "
                "nothing is sent anywhere.",
                locale=language,
            ),
            "private": _("Chat with the bot", locale=language),
            "group": _("Team group", locale=language),
            "act_as": _("You are", locale=language),
            "admin": _("admin", locale=language),
            "operator": _("operator", locale=language),
            "viewer": _("viewer", locale=language),
            "placeholder": _("Message or /command", locale=language),
            "send": _("Send", locale=language),
            "attach": _("Attach a file or photo", locale=language),
            "sample": _("Sample list (50 customers, CSV)", locale=language),
            "edited": _("edited", locale=language),
            "offline": _("Connection lost, reconnecting…", locale=language),
            "empty": _("No messages yet. Start with /start or /new.", locale=language),
        }


async def _write(
    socket: web.WebSocketResponse, queue: asyncio.Queue[dict[str, Any] | None]
) -> None:
    while (event := await queue.get()) is not None:
        if socket.closed:
            return
        await socket.send_json(event)


async def _json(request: web.Request) -> dict[str, Any]:
    _same_site(request)
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="JSON expected")
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="malformed JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="a JSON object expected")
    return body


def _same_site(request: web.Request) -> None:
    """Another site's page may not act for the person at this browser."""
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="cross-site request")


def _public(message: dict[str, Any]) -> dict[str, Any]:
    """A message as the page needs it (file bytes are fetched by id when shown)."""
    keep = ("message_id", "from", "chat", "date", "edit_date", "text", "entities", "caption")
    shown = {key: message[key] for key in keep if key in message}
    shown["entities"] = message.get("entities") or message.get("caption_entities") or []
    shown["buttons"] = [
        [
            {"text": button["text"], "data": button.get("callback_data"), "url": button.get("url")}
            for button in row
        ]
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
    ]
    if document := message.get("document"):
        shown["document"] = {
            "file_id": document["file_id"],
            "file_name": document.get("file_name") or "file",
            "file_size": document.get("file_size", 0),
        }
    if photo := message.get("photo"):
        shown["photo"] = {"file_id": photo[-1]["file_id"]}
    return shown


FIRST_NAMES = (
    ("Александр", "Алексей", "Андрей", "Дмитрий", "Иван", "Михаил", "Никита", "Олег", "Павел",
     "Сергей", "Артём", "Егор", "Кирилл", "Максим", "Роман"),
    ("Анастасия", "Анна", "Дарья", "Екатерина", "Елена", "Ирина", "Мария", "Наталья", "Ольга",
     "Полина", "Светлана", "Татьяна", "Юлия", "Ксения", "Алина"),
)  # fmt: skip
LAST_NAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
)  # fmt: skip
CITIES = ("Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Самара")
# Codes of Russian mobile operators (МТС, МегаФон, Билайн, Tele2).
MOBILE_CODES = (903, 905, 906, 909, 910, 915, 916, 917, 920, 925, 926, 929, 950, 977, 985)


def sample_list(size: int = SAMPLE_SIZE) -> str:
    """A CSV of invented customers: the same list every time, no number twice."""
    chance = random.Random(20_240_917)  # noqa: S311 - invented data, not secrets
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["phone", "name", "last_name", "city"])
    phones: set[str] = set()
    while len(phones) < size:
        phone = f"+7{chance.choice(MOBILE_CODES)}{chance.randrange(10**7):07d}"
        if phone in phones:
            continue
        phones.add(phone)
        female = chance.random() < 0.5
        last_name = chance.choice(LAST_NAMES) + ("а" if female else "")
        first_name = chance.choice(FIRST_NAMES[female])
        writer.writerow([phone, first_name, last_name, chance.choice(CITIES)])
    return out.getvalue()
