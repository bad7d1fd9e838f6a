"""The one object handlers and services get: every table's repository over one connection."""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from storage import (
    approvals,
    audit,
    campaigns,
    cards,
    fsm_state,
    kv,
    links,
    members,
    messages,
    recipient_lists,
    reports,
    schedules,
    statuses,
    stoplist,
    templates,
)
from storage.db import is_healthy, open_database

# Order matters: a set may refer to tables an earlier one created.
MIGRATION_SETS = [
    members.migrations,
    audit.migrations,
    kv.migrations,
    fsm_state.migrations,
    campaigns.migrations,
    messages.migrations,
    recipient_lists.migrations,
    templates.migrations,
    stoplist.migrations,
    statuses.migrations,
    cards.migrations,
    reports.migrations,
    schedules.migrations,
    links.migrations,
    approvals.migrations,
]


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.audit = audit.AuditLog(db)
        self.members = members.Members(db, self.audit)
        self.kv = kv.KeyValues(db)
        self.fsm = fsm_state.ConversationStates(db)
        self.campaigns = campaigns.Campaigns(db)
        self.messages = messages.Messages(db)
        self.recipient_lists = recipient_lists.RecipientLists(db)
        self.templates = templates.Templates(db, self.audit)
        self.stoplist = stoplist.StopList(db, self.audit)
        self.statuses = statuses.Statuses(db)
        self.cards = cards.StatusCards(db)
        self.reports = reports.ReportsOwed(db)
        self.schedules = schedules.Schedules(db)
        self.links = links.Links(db)
        self.approvals = approvals.Approvals(db)

    @classmethod
    def open(cls, path: Path | str) -> Store:
        return cls(open_database(path, MIGRATION_SETS))

    def healthy(self) -> bool:
        return is_healthy(self.db)

    def close(self) -> None:
        self.db.close()
