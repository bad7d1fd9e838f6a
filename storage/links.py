"""Short links issued per recipient: each code leads to one original address, and its clicks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.clock import utc_now_iso
from storage.db import read_at, reader_apart

_FIRST_CLICKS = (
    "SELECT message_id, MIN(first_click_at) FROM links "
    "WHERE campaign_id = ? AND first_click_at IS NOT NULL GROUP BY message_id"
)

migrations = Migrations("links")


@migrations()
def m001_links(db: Database) -> None:
    db["links"].create(
        {
            "code": str,
            "message_id": int,
            "campaign_id": int,
            "url": str,
            "created_at": str,
            "first_click_at": str,
            "last_click_at": str,
            "clicks": int,
        },
        pk="code",
        not_null={"code", "message_id", "campaign_id", "url", "created_at", "clicks"},
        defaults={"clicks": 0},
        foreign_keys=[("message_id", "messages", "id"), ("campaign_id", "campaigns", "id")],
    )
    # A row submitted again after a pause keeps the codes it was given the first time.
    db.execute("CREATE UNIQUE INDEX links_message_url ON links (message_id, url)")
    db.execute("CREATE INDEX links_campaign ON links (campaign_id)")


@dataclass(frozen=True)
class NewLink:
    code: str
    message_id: int
    url: str


@dataclass
class Clicks:
    """Clicks on one code not yet stored."""

    code: str
    count: int
    first_at: str
    last_at: str


@dataclass(frozen=True)
class ClickCounts:
    clicks: int  # every counted click on any of the campaign's links
    recipients: int  # recipients who clicked at least once
    delivered_recipients: int  # delivered recipients who clicked at least once


class Links:
    def __init__(self, db: Database) -> None:
        self.db = db

    def issue(self, campaign_id: int, links: Iterable[NewLink]) -> dict[tuple[int, str], str]:
        """Store new codes (one statement for the batch) and return the code of every pair.

        A (recipient, address) pair that already has a code keeps it; the new one is dropped.
        """
        wanted = list(links)
        if not wanted:
            return {}
        now = utc_now_iso()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO links (code, message_id, campaign_id, url, created_at, clicks)"
                " VALUES (?, ?, ?, ?, ?, 0)",
                [(link.code, link.message_id, campaign_id, link.url, now) for link in wanted],
            )
            ids = sorted({link.message_id for link in wanted})
            # By recipient (the unique index), not by campaign: a batch reads only its own rows
            # however many links the campaign already has.
            rows = self.db.execute(
                "SELECT message_id, url, code FROM links WHERE message_id BETWEEN ? AND ?",
                [ids[0], ids[-1]],
            ).fetchall()
        return {(message_id, url): code for message_id, url, code in rows}

    def target(self, code: str) -> tuple[str, int] | None:
        """The original address behind a code we issued and its campaign, or None."""
        row = self.db.execute(
            "SELECT url, campaign_id FROM links WHERE code = ?", [code]
        ).fetchone()
        return (row[0], row[1]) if row else None

    def click(self, code: str) -> None:
        now = utc_now_iso()
        self.add_clicks([Clicks(code, 1, now, now)])

    def add_clicks(self, clicks: Iterable[Clicks]) -> None:
        """Count clicks gathered over a moment, in one transaction."""
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE links SET clicks = clicks + ?, last_click_at = ?, "
                "first_click_at = COALESCE(first_click_at, ?) WHERE code = ?",
                [(item.count, item.last_at, item.first_at, item.code) for item in clicks],
            )

    def has_links(self, campaign_id: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM links WHERE campaign_id = ? LIMIT 1", [campaign_id]
        ).fetchone()
        return row is not None

    _COUNTS = (
        "SELECT COALESCE(SUM(l.clicks), 0), "
        "COUNT(DISTINCT CASE WHEN l.clicks > 0 THEN l.message_id END), "
        "COUNT(DISTINCT CASE WHEN l.clicks > 0 AND m.status_class = ? THEN l.message_id END) "
        "FROM links l JOIN messages m ON m.id = l.message_id WHERE l.campaign_id = ?"
    )

    def counts(self, campaign_id: int, delivered_class: str = "delivered") -> ClickCounts:
        row = self.db.execute(self._COUNTS, [delivered_class, campaign_id]).fetchone()
        return ClickCounts(clicks=row[0], recipients=row[1], delivered_recipients=row[2])

    def counts_reader(
        self, campaign_id: int, delivered_class: str = "delivered"
    ) -> Callable[[], ClickCounts]:
        """`counts`, read by a function to be called in a worker thread."""
        read = reader_apart(self.db, self._COUNTS, [delivered_class, campaign_id])

        def counts() -> ClickCounts:
            ((clicks, recipients, delivered),) = list(read())
            return ClickCounts(clicks=clicks, recipients=recipients, delivered_recipients=delivered)

        return counts


def first_clicks_at(path: str, campaign_id: int) -> dict[int, str]:
    """Each recipient who clicked, with the time of their first click on any link, read over a
    connection of its own to the file at `path` (from another process)."""
    return dict(read_at(path, _FIRST_CLICKS, [campaign_id]))
