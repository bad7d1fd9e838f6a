"""The one object handlers and services get: every table's repository over one connection."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

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
    message_readers,
    message_times,
    messages,
    messages_schema,
    recipient_lists,
    recovery_questions,
    reports,
    schedules,
    statuses,
    stoplist,
    templates,
)
from storage.db import file_of, is_healthy, open_apart, open_database

T = TypeVar("T")

# Order matters: a set may refer to tables an earlier one created.
MIGRATION_SETS = [
    members.migrations,
    audit.migrations,
    kv.migrations,
    fsm_state.migrations,
    campaigns.migrations,
    messages_schema.migrations,
    recipient_lists.migrations,
    templates.migrations,
    stoplist.migrations,
    statuses.migrations,
    cards.migrations,
    reports.migrations,
    schedules.migrations,
    links.migrations,
    approvals.migrations,
    recovery_questions.migrations,
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
        self.message_times = message_times.MessageTimes(db)
        self.message_readers = message_readers.MessageReaders(db)
        self.recipient_lists = recipient_lists.RecipientLists(db)
        self.templates = templates.Templates(db, self.audit)
        self.stoplist = stoplist.StopList(db, self.audit)
        self.statuses = statuses.Statuses(db)
        self.cards = cards.StatusCards(db)
        self.reports = reports.ReportsOwed(db)
        self.schedules = schedules.Schedules(db)
        self.links = links.Links(db)
        self.approvals = approvals.Approvals(db)
        self.recovery_questions = recovery_questions.RecoveryQuestions(db)

    @classmethod
    def open(cls, path: Path | str) -> Store:
        return cls(open_database(path, MIGRATION_SETS))

    async def write_off_loop(self, work: Callable[[Store], T]) -> T:
        """Run `work` in a worker thread on a Store over a connection of its own, in one
        transaction that takes the write lock at once (readers on the program's connection go
        on beside it), for writes whose time grows with a list or a campaign.

        An in-memory database has no second connection: the work then runs here.
        """
        path = file_of(self.db)
        if path is None:
            with self.db.atomic():
                return work(self)
        return await asyncio.to_thread(_write_apart, path, work)

    def healthy(self) -> bool:
        return is_healthy(self.db)

    def close(self) -> None:
        self.db.close()


def _write_apart(path: str, work: Callable[[Store], T]) -> T:
    db = open_apart(path)
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            result = work(Store(db))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return result
    finally:
        db.close()
