"""The `messages` table's schema: its migrations, in order, as sqlite-utils applies them."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("messages")


@migrations()
def m001_messages(db: Database) -> None:
    db["messages"].create(
        {
            "id": int,
            "campaign_id": int,
            "seq": int,
            "sent_to": str,
            "fields": str,
            "state": str,
            "platform_id": str,
            "error": str,
            "submitted_at": str,
            "status_raw": str,
            "status_class": str,
            "status_at": str,
        },
        pk="id",
        not_null={"campaign_id", "seq", "sent_to", "state"},
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )
    db["messages"].create_index(["campaign_id", "sent_to"], unique=True)
    db["messages"].create_index(["campaign_id", "state"])
    db["messages"].create_index(["platform_id"])


@migrations()
def m002_messages_take_order(db: Database) -> None:
    # take_new picks new rows in seq order; without seq in the index every pick sorts the whole
    # campaign (20 ms per pick at 100,000 rows). The old (campaign_id, state) index is its prefix.
    db["messages"].create_index(["campaign_id", "state", "seq"])
    db.execute("DROP INDEX IF EXISTS idx_messages_campaign_id_state")


@migrations()
def m003_messages_answer_id(db: Database) -> None:
    # A late answer whose id differs from the one a status came with: kept beside it, findable.
    db.execute("ALTER TABLE messages ADD COLUMN answer_id TEXT")
    db.execute(
        "CREATE INDEX idx_messages_answer_id ON messages (answer_id) WHERE answer_id IS NOT NULL"
    )


@migrations()
def m004_messages_zone(db: Database) -> None:
    # The recipient's IANA zone as read with the list (NULL: the team's TIMEZONE), and the
    # moment (UTC) before which a `waiting` row is not sent.
    db.execute("ALTER TABLE messages ADD COLUMN zone TEXT")
    db.execute("ALTER TABLE messages ADD COLUMN not_before TEXT")


@migrations()
def m005_messages_sent_date(db: Database) -> None:
    # A row's own `sent_date`, when the platform sends each recipient at their local time.
    db.execute("ALTER TABLE messages ADD COLUMN sent_date TEXT")


@migrations()
def m006_messages_unsent_indexes(db: Database) -> None:
    # Only rows not yet sent are in these, so they stay small and cost nothing once a campaign
    # is submitted: a campaign's zones and a zone's rows to hold are found without reading the
    # campaign, and the waiting rows due by their moment.
    db.execute(
        "CREATE INDEX idx_messages_unsent_zone ON messages (campaign_id, zone) "
        "WHERE state IN ('new', 'waiting')"
    )
    db.execute(
        "CREATE INDEX idx_messages_waiting ON messages (campaign_id, not_before) "
        "WHERE state = 'waiting'"
    )


@migrations()
def m007_messages_own_sent_date(db: Database) -> None:
    # Only rows with a `sent_date` of their own (a send at each recipient's local time, or one
    # moved out of quiet hours): the latest of a campaign is found without reading it all.
    db.execute(
        "CREATE INDEX idx_messages_own_sent_date ON messages (campaign_id, sent_date) "
        "WHERE sent_date IS NOT NULL"
    )
