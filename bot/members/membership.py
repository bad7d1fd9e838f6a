"""Granting and revoking roles, with the rules that keep the team able to administer the bot."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from storage.members import Role
from storage.store import Store


class Refusal(StrEnum):
    LAST_ADMIN = "last_admin"
    NOT_A_MEMBER = "not_a_member"
    BAD_USER_ID = "bad_user_id"
    BAD_ROLE = "bad_role"


@dataclass(frozen=True)
class Change:
    user_id: int
    role: Role | None  # None: access removed
    previous: Role | None


class MembershipError(Exception):
    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.detail = detail


# Role names as people type them, in English and Russian (the bot itself says «оператор»).
ROLE_WORDS = {
    **{role.value: role for role in Role},
    "админ": Role.ADMIN,
    "администратор": Role.ADMIN,
    "оператор": Role.OPERATOR,
    "наблюдатель": Role.VIEWER,
    "зритель": Role.VIEWER,
}


def parse_allow_args(args: str | None) -> tuple[int, Role]:
    """`/allow <user_id> [role]`: the role defaults to operator."""
    user_id = parse_user_id(args)
    parts = (args or "").split()
    role_word = parts[1].lower().replace("ё", "е") if len(parts) > 1 else Role.OPERATOR.value
    role = ROLE_WORDS.get(role_word)
    if role is None:
        raise MembershipError(Refusal.BAD_ROLE, parts[1])
    return user_id, role


_USER_ID = re.compile(r"-?[0-9]{1,16}")


def parse_user_id(args: str | None) -> int:
    """The numeric Telegram user id that the command's arguments start with."""
    parts = (args or "").split()
    # ASCII digits only ("²" and other digits pass isdigit()); Telegram ids fit in 52 bits.
    if not parts or not _USER_ID.fullmatch(parts[0]) or abs(int(parts[0])) >= 2**52:
        raise MembershipError(Refusal.BAD_USER_ID, parts[0] if parts else "")
    return int(parts[0])


def allow(store: Store, *, actor_id: int, user_id: int, role: Role) -> Change:
    with store.db.atomic():
        previous = store.members.role_of(user_id)
        if previous is Role.ADMIN and role is not Role.ADMIN and store.members.admin_count() <= 1:
            raise MembershipError(Refusal.LAST_ADMIN)
        store.members.set_role(user_id, role, added_by=actor_id)
        store.audit.record(actor_id, "allow", user_id=user_id, role=role.value, previous=previous)
    return Change(user_id, role, previous)


def revoke(store: Store, *, actor_id: int, user_id: int) -> Change:
    with store.db.atomic():
        previous = store.members.role_of(user_id)
        if previous is None:
            raise MembershipError(Refusal.NOT_A_MEMBER)
        if previous is Role.ADMIN and store.members.admin_count() <= 1:
            raise MembershipError(Refusal.LAST_ADMIN)
        store.members.remove(user_id)
        store.audit.record(actor_id, "revoke", user_id=user_id, previous=previous.value)
    return Change(user_id, None, previous)
