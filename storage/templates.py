"""Message templates: a named draft (type, sender, text, extras) the team starts new messages from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.audit import AuditLog
from storage.campaigns import Draft
from storage.clock import utc_now_iso

migrations = Migrations("templates")

# Draft fields a template keeps; recipients, their columns and a send time belong to one message.
TEMPLATE_FIELDS = (
    "type",
    "sender",
    "text",
    "html_text",
    "charset",
    "ttl",
    "button",
    "action",
    "image",
    "find_token",
)


@dataclass(frozen=True)
class Template:
    id: int
    name: str
    author_id: int
    created_at: str
    draft: Draft


@migrations()
def m001_templates(db: Database) -> None:
    db["templates"].create(
        {"id": int, "name": str, "author_id": int, "created_at": str, "draft": str},
        pk="id",
        not_null={"name", "author_id", "created_at", "draft"},
    )
    db["templates"].create_index(["name"])


class Templates:
    """Saving and deleting are recorded in the audit log in the same transaction."""

    def __init__(self, db: Database, audit: AuditLog) -> None:
        self.db = db
        self.audit = audit

    def save(self, name: str, author_id: int, draft: Draft) -> int:
        """Store a template; returns its id."""
        fields = {key: value for key, value in asdict(draft).items() if key in TEMPLATE_FIELDS}
        row = {
            "name": name,
            "author_id": author_id,
            "created_at": utc_now_iso(),
            "draft": json.dumps(fields, ensure_ascii=False),
        }
        with self.db.atomic():
            template_id: int = self.db["templates"].insert(row).last_pk  # type: ignore[assignment]
            self.audit.record(author_id, "template_saved", template_id=template_id, name=name)
        return template_id

    def get(self, template_id: int) -> Template | None:
        rows = list(self.db["templates"].rows_where("id = ?", [template_id]))
        return _template(rows[0]) if rows else None

    def named(self, name: str) -> Template | None:
        """The template with this name, ignoring case."""
        rows = list(self.db["templates"].rows_where("lower(name) = lower(?)", [name], limit=1))
        return _template(rows[0]) if rows else None

    def all(self) -> list[Template]:
        return [_template(row) for row in self.db["templates"].rows_where(order_by="name, id")]

    def delete(self, template_id: int, deleted_by: int) -> bool:
        with self.db.atomic():
            template = self.get(template_id)
            if template is None:
                return False
            self.db.execute("DELETE FROM templates WHERE id = ?", [template_id])
            self.audit.record(
                deleted_by, "template_deleted", template_id=template_id, name=template.name
            )
        return True


def _template(row: dict[str, Any]) -> Template:
    fields = json.loads(row["draft"])
    draft = Draft(**{key: fields.get(key) for key in TEMPLATE_FIELDS if key in fields})
    return Template(row["id"], row["name"], row["author_id"], row["created_at"], draft)
