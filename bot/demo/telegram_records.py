"""What the Telegram emulator records and answers with: API errors, calls, scripted failures,
rate-limit answers and the calls that ignored them, stored files."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a content and reply markup of the current message"
)


class ApiError(Exception):
    """A Telegram error answer; the HTTP status equals error_code."""

    def __init__(self, error_code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.error_code, self.description, self.parameters = error_code, description, parameters
        self.scripted = False

    def payload(self) -> dict[str, Any]:
        body = {"ok": False, "error_code": self.error_code, "description": self.description}
        return body | ({"parameters": self.parameters} if self.parameters else {})


def _too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass
class Call:
    """One API request, recorded on arrival; ok is None while it is in flight.

    params have JSON, int and bool fields decoded; uploads are {"filename", "content"}.
    """

    method: str
    params: dict[str, Any]
    time: float
    ok: bool | None = None
    status: int = 200
    description: str | None = None
    scripted: bool = False
    result: Any = None


@dataclass
class ScriptedFailure:
    method: str
    chat_id: int | None
    error_code: int
    description: str
    parameters: dict | None
    times: int

    def error(self) -> ApiError:
        error = ApiError(self.error_code, self.description, self.parameters)
        error.scripted = True
        return error


@dataclass
class Throttle:
    """A 429 answer: nothing may reach `chat_id` before `deadline` (on the fake's clock)."""

    chat_id: int
    method: str
    retry_after: int
    deadline: float
    scripted: bool


@dataclass
class Violation:
    """A call to a chat made while an earlier 429 for that chat was still in force."""

    chat_id: int
    method: str
    at: float
    deadline: float


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    def describe(self) -> dict[str, Any]:
        size = len(self.content)
        return {"file_id": self.file_id, "file_unique_id": self.file_unique_id, "file_size": size}


def _kicked_description(chat_id: int) -> str:
    if chat_id > 0:
        return "Forbidden: bot was blocked by the user"
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return f"Forbidden: bot was kicked from the {kind} chat"


def _without_content(message: dict[str, Any]) -> dict[str, Any]:
    """A message from `chat()` as Telegram shows it: file bytes taken out."""
    message = copy.deepcopy(message)
    for part in [message.get("document"), *message.get("photo", [])]:
        if part:
            part.pop("content", None)
    return message
