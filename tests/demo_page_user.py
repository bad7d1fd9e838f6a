"""A person in front of the demo page: acts through its API, sees what its WebSocket brings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp

T = TypeVar("T")
WAIT = 30.0


class PageUser:
    """Keeps the chats as the page does (state, then numbered events); waits on those events."""

    def __init__(self, session: aiohttp.ClientSession, url: str, user_id: int) -> None:
        self.session, self.url, self.user_id = session, url, user_id
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}
        self.answers: list[dict[str, Any]] = []
        self.state: dict[str, Any] = {}
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._version = 0

    async def open(self) -> None:
        self._socket = await self.session.ws_connect(f"{self.url}/demo/ws")
        async with self.session.get(f"{self.url}/demo/state") as response:
            assert response.status == 200
            self.state = await response.json()
        self._version = self.state["version"]
        for chat_id, messages in self.state["chats"].items():
            self.chats[int(chat_id)] = {message["message_id"]: message for message in messages}

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    # -- reading ------------------------------------------------------------------------------

    def messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        chat = self.chats.get(self.user_id if chat_id is None else chat_id, {})
        return [chat[key] for key in sorted(chat)]

    def bot_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in self.messages(chat_id) if m["from"]["id"] == self.state["bot_id"]]

    def card(self) -> dict[str, Any]:
        """The newest bot message of the private chat that has buttons."""
        cards = [m for m in self.bot_messages() if m["buttons"]]
        assert cards, "no message with buttons"
        return cards[-1]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = WAIT) -> T:
        """Apply WebSocket events until predicate() is truthy."""
        assert self._socket is not None
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                message = await self._socket.receive()
                assert message.type == aiohttp.WSMsgType.TEXT, message
                self._apply(message.json())
        return result

    def _apply(self, event: dict[str, Any]) -> None:
        if event["version"] <= self._version:
            return
        self._version = event["version"]
        if event["kind"] == "message":
            message = event["message"]
            self.chats.setdefault(message["chat"]["id"], {})[message["message_id"]] = message
        elif event["kind"] == "deleted":
            self.chats.get(event["chat_id"], {}).pop(event["message_id"], None)
        else:
            self.answers.append(event)

    async def wait_text(self, contains: str, chat_id: int | None = None) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for message in reversed(self.bot_messages(chat_id)):
                if contains in (message.get("text") or message.get("caption") or ""):
                    return message
            return None

        return await self.wait_for(found)

    # -- acting -------------------------------------------------------------------------------

    async def _post(self, path: str, **body: Any) -> dict[str, Any]:
        async with self.session.post(f"{self.url}/demo/api/{path}", json=body) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def say(self, text: str) -> None:
        await self._post("text", user_id=self.user_id, text=text)

    async def press(self, label: str, message: dict[str, Any] | None = None) -> None:
        message = message or self.card()
        buttons = [button for row in message["buttons"] for button in row]
        matching = [button for button in buttons if label in button["text"]]
        assert matching, f"no button {label!r} in {[b['text'] for b in buttons]}"
        await self._post(
            "press",
            user_id=self.user_id,
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            data=matching[0]["data"],
        )

    async def upload(self, filename: str, content: bytes, content_type: str) -> None:
        form = aiohttp.FormData()
        form.add_field("user_id", str(self.user_id))
        form.add_field("file", content, filename=filename, content_type=content_type)
        async with self.session.post(f"{self.url}/demo/api/file", data=form) as response:
            assert response.status == 200, await response.text()
