"""Scheduled sends: when a campaign goes out, who owns it, and whether it has fired.

This table, not the scheduler's memory, is the source of truth. A schedule points at a source
campaign in state `scheduled`. A one-off schedule launches that campaign itself; a recurring one
never launches it, and each run copies it (fields and recipient rows) into a new campaign.
Every transition is a conditional UPDATE on the expected state and `run_at`, so a second fire,
press or restart finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from storage.approvals import inherit_approval
from storage.campaigns import Draft
from storage.clock import from_iso, to_iso, utc_now_iso

migrations = Migrations("schedules")

# Copied into each run of a recurring schedule; per-run columns (state, stamps, cards) are not.
_CAMPAIGN_COPY_COLUMNS = (
    *(field.name for field in fields(Draft)),
    "author_id",
    "author_chat_id",
    "sandbox",
    "callbacks",
    "recipient_count",
)


class ScheduleState(StrEnum):
    PENDING = "pending"  # waiting for run_at (a recurring one stays pending between runs)
    DONE = "done"  # fired (one-off), or handed to the platform
    CANCELLED = "cancelled"
    MISSED = "missed"  # its time passed while the bot was down; the owner decides
    PAUSED = "paused"  # its owner may no longer send; an admin takes it over or cancels it


class ScheduleMode(StrEnum):
    BOT = "bot"  # the bot launches the campaign at run_at
    PLATFORM = "platform"  # submitted at once with sent_date; the platform holds it


@dataclass(frozen=True)
class Schedule:
    id: int
    campaign_id: int
    owner_id: int
    owner_chat_id: int
    locale: str | None
    run_at: str  # UTC ISO text, exactly as stored: the key of conditional updates
    mode: ScheduleMode
    recurrence: str | None
    state: ScheduleState
    runs: int
    last_fired_at: str | None
    parent_id: int | None
    created_at: str
    updated_at: str
    # A send at a time of day in each recipient's zone: that date and time, as on a wall clock
    # ("2031-03-04T10:00"); None: one moment for everyone.
    local_time: str | None = None

    @property
    def run_at_time(self) -> datetime:
        return from_iso(self.run_at)


@migrations()
def m001_schedules(db: Database) -> None:
    db["schedules"].create(
        {
            "id": int,
            "campaign_id": int,
            "owner_id": int,
            "owner_chat_id": int,
            "locale": str,
            "run_at": str,
            "mode": str,
            "recurrence": str,
            "state": str,
            "runs": int,
            "last_fired_at": str,
            "parent_id": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"campaign_id", "owner_id", "run_at", "mode", "state", "created_at"},
        defaults={"runs": 0},
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )
    db["schedules"].create_index(["state", "run_at"])


@migrations()
def m002_schedules_local_time(db: Database) -> None:
    db.execute("ALTER TABLE schedules ADD COLUMN local_time TEXT")


class Schedules:
    def __init__(self, db: Database) -> None:
        self.db = db

    def move_local(self, schedule_id: int, run_at: str, local_time: str) -> bool:
        """A send at each recipient's local time gets a new wall-clock time (inside the caller's
        transaction, with its rows' times); False if it changed meanwhile."""
        return self._changed(
            "UPDATE schedules SET local_time = ? WHERE id = ? AND state = 'pending' AND run_at = ?",
            [local_time, schedule_id, run_at],
        )

    def add(
        self,
        campaign_id: int,
        *,
        owner_id: int,
        owner_chat_id: int,
        run_at: datetime,
        mode: ScheduleMode,
        recurrence: str | None = None,
        state: ScheduleState = ScheduleState.PENDING,
        locale: str | None = None,
        parent_id: int | None = None,
        local_time: str | None = None,
    ) -> int:
        now = utc_now_iso()
        row = {
            "campaign_id": campaign_id,
            "owner_id": owner_id,
            "owner_chat_id": owner_chat_id,
            "locale": locale,
            "run_at": to_iso(run_at),
            "mode": mode.value,
            "recurrence": recurrence,
            "state": state.value,
            "runs": 0,
            "parent_id": parent_id,
            "local_time": local_time,
            "created_at": now,
            "updated_at": now,
        }
        if state is ScheduleState.DONE:
            row["last_fired_at"] = now
        return self.db["schedules"].insert(row).last_pk  # type: ignore[return-value]

    def get(self, schedule_id: int) -> Schedule | None:
        rows = list(self.db["schedules"].rows_where("id = ?", [schedule_id]))
        return _schedule(rows[0]) if rows else None

    def for_campaign(self, campaign_id: int) -> Schedule | None:
        """The schedule that holds this campaign (its latest, if several), or None."""
        rows = self.db["schedules"].rows_where(
            "campaign_id = ?", [campaign_id], order_by="id desc", limit=1
        )
        return next((_schedule(row) for row in rows), None)

    def cancel_for_campaign(self, campaign_id: int) -> int:
        """Nothing of this campaign will be sent: its waiting or missed schedules are cancelled."""
        return self.db.execute(
            "UPDATE schedules SET state = 'cancelled', updated_at = ? "
            "WHERE campaign_id = ? AND state IN ('pending', 'missed', 'paused')",
            [utc_now_iso(), campaign_id],
        ).rowcount

    def with_state(self, *states: ScheduleState) -> list[Schedule]:
        marks = ",".join("?" * len(states))
        rows = self.db["schedules"].rows_where(
            f"state IN ({marks})", [s.value for s in states], order_by="run_at, id"
        )
        return [_schedule(row) for row in rows]

    def count_pending(self) -> int:
        """How many schedules wait for their time (the figure on /metrics)."""
        return self.db["schedules"].count_where("state = ?", [ScheduleState.PENDING.value])

    def waiting(self, now: datetime, owner_id: int | None = None) -> list[Schedule]:
        """Pending, missed and paused schedules, platform-held ones whose time is still ahead,
        and sends by the bot at each recipient's local time whose later zones still wait."""
        where = (
            "(state IN ('pending', 'missed', 'paused') "
            "OR (mode = 'platform' AND state = 'done' AND run_at > ?) "
            "OR (mode = 'bot' AND state = 'done' AND local_time IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM messages WHERE messages.campaign_id = schedules.campaign_id "
            "AND messages.state = 'waiting')))"
        )
        args: list[object] = [to_iso(now)]
        if owner_id is not None:
            where += " AND owner_id = ?"
            args.append(owner_id)
        rows = self.db["schedules"].rows_where(where, args, order_by="run_at, id")
        return [_schedule(row) for row in rows]

    def fire_once(self, schedule_id: int, run_at: str, fired_at: datetime) -> bool:
        """Mark a one-off schedule fired and its campaign due for submission, in one transaction;
        False when it already fired, moved or was cancelled."""
        with self.db.atomic():
            if not self._changed(
                "UPDATE schedules SET state = 'done', runs = runs + 1, last_fired_at = ?, "
                "updated_at = ? WHERE id = ? AND state = 'pending' AND run_at = ?",
                [to_iso(fired_at), utc_now_iso(), schedule_id, run_at],
            ):
                return False
            self._start_campaign(schedule_id)
            return True

    def fire_recurring(
        self, schedule_id: int, run_at: str, next_run_at: datetime, fired_at: datetime
    ) -> int | None:
        """Advance a recurring schedule past `run_at` and copy its campaign for this run.

        The copy is created already due for submission, so the run is never lost between this
        claim and its start. Returns the new campaign's id, or None when this run was already taken.
        """
        with self.db.atomic():
            if not self._advance(schedule_id, run_at, next_run_at, fired_at):
                return None
            schedule = self.get(schedule_id)
            assert schedule is not None
            return self._copy_campaign(schedule.campaign_id, state="submitting")

    def pass_run(self, schedule_id: int, run_at: str, next_run_at: datetime) -> bool:
        """A recurring schedule moves past a run that does not go out (its series still waits for
        approval): no copy is made; False when this run was already taken."""
        return self._advance(schedule_id, run_at, next_run_at, None)

    def miss_once(self, schedule_id: int, run_at: str) -> bool:
        """A one-off schedule's time passed beyond the grace period: its owner must decide."""
        return self._changed(
            "UPDATE schedules SET state = 'missed', updated_at = ? "
            "WHERE id = ? AND state = 'pending' AND run_at = ?",
            [utc_now_iso(), schedule_id, run_at],
        )

    def miss_recurring(
        self, schedule_id: int, run_at: str, next_run_at: datetime, missed_at: datetime
    ) -> int | None:
        """Advance a recurring schedule past a missed run, leaving that run as a one-off `missed`
        schedule (with its own copy of the campaign) for the owner to send or discard.

        Returns the missed run's schedule id, or None when this run was already taken.
        """
        with self.db.atomic():
            if not self._advance(schedule_id, run_at, next_run_at, None):
                return None
            parent = self.get(schedule_id)
            assert parent is not None
            copy_id = self._copy_campaign(parent.campaign_id)
            return self.add(
                copy_id,
                owner_id=parent.owner_id,
                owner_chat_id=parent.owner_chat_id,
                run_at=from_iso(run_at),
                mode=ScheduleMode.BOT,
                state=ScheduleState.MISSED,
                locale=parent.locale,
                parent_id=parent.id,
            )

    def resolve_missed(self, schedule_id: int, *, send: bool, at: datetime) -> bool:
        """The owner chose for a missed schedule; False when it was already decided."""
        state = ScheduleState.DONE if send else ScheduleState.CANCELLED
        with self.db.atomic():
            if not self._changed(
                "UPDATE schedules SET state = ?, last_fired_at = CASE WHEN ? THEN ? END, "
                "runs = runs + ?, updated_at = ? WHERE id = ? AND state = 'missed'",
                [state.value, send, to_iso(at), int(send), utc_now_iso(), schedule_id],
            ):
                return False
            if send:
                self._start_campaign(schedule_id)
            return True

    def cancel(self, schedule_id: int) -> bool:
        return self._changed(
            "UPDATE schedules SET state = 'cancelled', updated_at = ? "
            "WHERE id = ? AND state IN ('pending', 'paused')",
            [utc_now_iso(), schedule_id],
        )

    def pause_owned_by(self, owner_id: int) -> list[Schedule]:
        """Pause every schedule of a member who may no longer send, waiting or missed (their
        question can no longer be answered by them); returns those paused."""
        with self.db.atomic():
            ids = [
                row[0]
                for row in self.db.execute(
                    "SELECT id FROM schedules WHERE owner_id = ? AND state IN ('pending', 'missed') "
                    "AND mode = 'bot' ORDER BY run_at, id",
                    [owner_id],
                )
            ]
            marks = ",".join("?" * len(ids))
            self.db.execute(
                f"UPDATE schedules SET state = 'paused', updated_at = ? WHERE id IN ({marks})",
                [utc_now_iso(), *ids],
            )
            return [schedule for schedule in map(self.get, ids) if schedule is not None]

    def pause(self, schedule_id: int, run_at: str) -> bool:
        """Pause one schedule found due while its owner may no longer send."""
        return self._changed(
            "UPDATE schedules SET state = 'paused', updated_at = ? "
            "WHERE id = ? AND state = 'pending' AND run_at = ?",
            [utc_now_iso(), schedule_id, run_at],
        )

    def take_over(
        self, schedule_id: int, *, owner_id: int, owner_chat_id: int, locale: str | None
    ) -> bool:
        """A paused schedule gets a new owner and waits for its time again; its campaign (for a
        recurring one, the template of every run) is now theirs. False if it was decided meanwhile."""
        with self.db.atomic():
            if not self._changed(
                "UPDATE schedules SET state = 'pending', owner_id = ?, owner_chat_id = ?, "
                "locale = ?, updated_at = ? WHERE id = ? AND state = 'paused'",
                [owner_id, owner_chat_id, locale, utc_now_iso(), schedule_id],
            ):
                return False
            self.db.execute(
                "UPDATE campaigns SET author_id = ?, author_chat_id = ? "
                "WHERE id = (SELECT campaign_id FROM schedules WHERE id = ?)",
                [owner_id, owner_chat_id, schedule_id],
            )
            return True

    def move(
        self, schedule_id: int, run_at: str, new_run_at: datetime, recurrence: str | None
    ) -> bool:
        """Give a pending schedule a new time (and recurrence); False if it changed meanwhile."""
        return self._changed(
            "UPDATE schedules SET run_at = ?, recurrence = ?, updated_at = ? "
            "WHERE id = ? AND state = 'pending' AND run_at = ?",
            [to_iso(new_run_at), recurrence, utc_now_iso(), schedule_id, run_at],
        )

    def _advance(
        self, schedule_id: int, run_at: str, next_run_at: datetime, fired_at: datetime | None
    ) -> bool:
        return self._changed(
            "UPDATE schedules SET run_at = ?, runs = runs + ?, "
            "last_fired_at = COALESCE(?, last_fired_at), updated_at = ? "
            "WHERE id = ? AND state = 'pending' AND run_at = ?",
            [
                to_iso(next_run_at),
                int(fired_at is not None),
                to_iso(fired_at) if fired_at else None,
                utc_now_iso(),
                schedule_id,
                run_at,
            ],
        )

    def _changed(self, sql: str, parameters: list[object]) -> bool:
        """Run a conditional UPDATE of one schedule; False when its condition no longer held."""
        return self.db.execute(sql, parameters).rowcount == 1

    def _start_campaign(self, schedule_id: int) -> None:
        """The schedule's waiting campaign becomes due for submission (inside the claim's
        transaction): from here on a restart resumes it like any campaign being submitted."""
        self.db.execute(
            "UPDATE campaigns SET state = 'submitting' WHERE state = 'scheduled' "
            "AND id = (SELECT campaign_id FROM schedules WHERE id = ?)",
            [schedule_id],
        )

    def _copy_campaign(self, source_id: int, state: str = "scheduled") -> int:
        """A new campaign in `state` with the source's fields and recipients (rows back to new)."""
        columns = ", ".join(f'"{name}"' for name in _CAMPAIGN_COPY_COLUMNS)
        cursor = self.db.execute(
            f"INSERT INTO campaigns ({columns}, state, created_at) "
            f"SELECT {columns}, ?, ? FROM campaigns WHERE id = ?",
            [state, utc_now_iso(), source_id],
        )
        copy_id = cursor.lastrowid
        self.db.execute(
            "INSERT INTO messages (campaign_id, seq, sent_to, fields, zone, state) "
            "SELECT ?, seq, sent_to, fields, zone, 'new' FROM messages WHERE campaign_id = ? "
            "ORDER BY seq",
            [copy_id, source_id],
        )
        # A run of an approved series was approved with it: same text, same recipients.
        inherit_approval(self.db, source_id, copy_id)  # type: ignore[arg-type]
        return copy_id  # type: ignore[return-value]


def _schedule(row: dict) -> Schedule:
    return Schedule(
        id=row["id"],
        campaign_id=row["campaign_id"],
        owner_id=row["owner_id"],
        owner_chat_id=row["owner_chat_id"],
        locale=row["locale"],
        run_at=row["run_at"],
        mode=ScheduleMode(row["mode"]),
        recurrence=row["recurrence"],
        state=ScheduleState(row["state"]),
        runs=row["runs"] or 0,
        last_fired_at=row["last_fired_at"],
        parent_id=row["parent_id"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        local_time=row.get("local_time"),
    )
