"""A rejection's reason is the reply to the prompt Reject sent: which prompt waits for whose reply."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from storage.kv import KeyValues


@dataclass(frozen=True)
class ReasonAsked:
    """A rejection waiting for its reason: the reply to a prompt from `actor_id`."""

    approval_id: int
    actor_id: int
    card_chat_id: int  # the approvers' card that was pressed
    card_message_id: int


class ReasonPrompts:
    """Kept in the database, so a reply after a restart still rejects."""

    def __init__(self, kv: KeyValues) -> None:
        self.kv = kv

    def expect(self, chat_id: int, prompt_id: int, asked: ReasonAsked) -> None:
        self.kv.set(_key(chat_id, prompt_id), json.dumps(asdict(asked)))

    def awaited(self, chat_id: int, prompt_id: int, actor_id: int) -> ReasonAsked | None:
        """The rejection this reply gives the reason of, if the one asked wrote it."""
        found = self.kv.get(_key(chat_id, prompt_id))
        asked = ReasonAsked(**json.loads(found)) if found else None
        return asked if asked is not None and asked.actor_id == actor_id else None

    def given(self, chat_id: int, prompt_id: int) -> None:
        self.kv.delete(_key(chat_id, prompt_id))


def _key(chat_id: int, prompt_id: int) -> str:
    return f"approval_reason:{chat_id}:{prompt_id}"
