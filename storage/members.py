"""Members of the team and their roles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.audit import AuditLog
from storage.clock import utc_now_iso

migrations = Migrations("members")


class Role(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return {Role.VIEWER: 1, Role.OPERATOR: 2, Role.ADMIN: 3}[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@migrations()
def m001_members(db: Database) -> None:
    db["members"].create(
        {"user_id": int, "role": str, "name": str, "added_by": int, "added_at": str},
        pk="user_id",
        not_null={"role", "added_at"},
    )


@migrations()
def m002_revoked_members(db: Database) -> None:
    # A revocation is a decision too: it must outlive the row it removes.
    db["revoked_members"].create({"user_id": int, "revoked_at": str}, pk="user_id")


@migrations()
def m003_own_addresses(db: Database) -> None:
    # A member's own phone and e-mail, where test messages of what they compose go.
    db["members"].add_column("phone", str)
    db["members"].add_column("email", str)


class OwnAddress(StrEnum):
    """The kinds of address a member may keep for themselves (the column names)."""

    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class Member:
    user_id: int
    role: Role
    name: str | None
    added_by: int | None
    added_at: str
    phone: str | None = None
    email: str | None = None

    def address(self, kind: OwnAddress) -> str | None:
        return self.phone if kind is OwnAddress.PHONE else self.email


class Members:
    """Who may use the bot, and as what."""

    def __init__(self, db: Database, audit: AuditLog) -> None:
        self.db, self.audit = db, audit

    def get(self, user_id: int) -> Member | None:
        rows = list(self.db["members"].rows_where("user_id = ?", [user_id]))
        return _member(rows[0]) if rows else None

    def role_of(self, user_id: int) -> Role | None:
        member = self.get(user_id)
        return member.role if member else None

    def all(self) -> list[Member]:
        return [_member(row) for row in self.db["members"].rows_where(order_by="role, user_id")]

    def set_role(
        self, user_id: int, role: Role, *, added_by: int | None, name: str | None = None
    ) -> None:
        existing = self.get(user_id)
        self.db["revoked_members"].delete_where("user_id = ?", [user_id])
        self.db["members"].upsert(
            {
                "user_id": user_id,
                "role": role.value,
                "name": name if name is not None else (existing.name if existing else None),
                "added_by": added_by if existing is None else existing.added_by,
                "added_at": existing.added_at if existing else utc_now_iso(),
            },
            pk="user_id",
        )

    def remember_name(self, user_id: int, name: str) -> None:
        self.db.execute(
            "UPDATE members SET name = ? WHERE user_id = ? AND name IS NOT ?",
            [name, user_id, name],
        )

    def set_address(self, user_id: int, kind: OwnAddress, address: str | None) -> bool:
        """Store (or with None, forget) a member's own address; False when not a member."""
        cursor = self.db.execute(
            f"UPDATE members SET {kind.value} = ? WHERE user_id = ?", [address, user_id]
        )
        return cursor.rowcount == 1

    def remove(self, user_id: int) -> None:
        with self.db.atomic():
            self.db["members"].delete_where("user_id = ?", [user_id])
            self.db["revoked_members"].upsert(
                {"user_id": user_id, "revoked_at": utc_now_iso()}, pk="user_id"
            )

    def was_revoked(self, user_id: int) -> bool:
        return self.db["revoked_members"].count_where("user_id = ?", [user_id]) > 0

    def admin_count(self) -> int:
        return self.db["members"].count_where("role = ?", [Role.ADMIN.value])

    def bootstrap_admins(self, user_ids: list[int]) -> Bootstrap:
        """Make configured users admins, but only those the team has made no decision about.

        A configured user who was revoked or given another role keeps that decision.
        """
        granted: list[int] = []
        overruled: list[int] = []
        with self.db.atomic():
            for user_id in dict.fromkeys(user_ids):
                member = self.get(user_id)
                if member is None and not self.was_revoked(user_id):
                    self.set_role(user_id, Role.ADMIN, added_by=None)
                    self.audit.record(
                        None, "allow", user_id=user_id, role=Role.ADMIN.value, source="ADMIN_IDS"
                    )
                    granted.append(user_id)
                elif member is None or member.role is not Role.ADMIN:
                    overruled.append(user_id)
        return Bootstrap(granted, overruled)


@dataclass(frozen=True)
class Bootstrap:
    granted: list[int]
    overruled: list[int]  # listed in ADMIN_IDS, but revoked or given another role since


def _member(row: dict) -> Member:
    return Member(
        user_id=row["user_id"],
        role=Role(row["role"]),
        name=row["name"],
        added_by=row["added_by"],
        added_at=row["added_at"],
        phone=row.get("phone"),
        email=row.get("email"),
    )
