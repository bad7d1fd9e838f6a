"""aiogram FSM storage kept in the SQLite file, so a half-composed message survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from storage.fsm_state import ConversationStates


class SQLiteStorage(BaseStorage):
    def __init__(self, states: ConversationStates) -> None:
        self.states = states
        self.key_builder = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        self.states.set_state(self.key_builder.build(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        return self.states.get_state(self.key_builder.build(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        self.states.set_data(self.key_builder.build(key), dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return self.states.get_data(self.key_builder.build(key))

    async def close(self) -> None:
        """The database is closed by its owner."""
