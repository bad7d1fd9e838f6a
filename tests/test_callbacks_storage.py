"""Storing statuses: once per raw value, never backwards from a final class, in one transaction."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.metrics import Metrics
from bot.statuses.endpoint import StatusWriter, Stopping
from storage.campaigns import CampaignState, Draft
from storage.db import open_apart
from storage.messages import SubmitState
from storage.statuses import IncomingStatus, Outcome, Statuses
from storage.statuses_apart import StatusesApart
from storage.store import Store


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "statuses.db")
    yield opened
    opened.close()


def accepted_messages(store: Store, count: int, platform_ids: bool = True) -> list[int]:
    campaign_id = store.campaigns.create(
        Draft(type="sms", sender="Shop", text="Hi"),
        author_id=1,
        author_chat_id=1,
        state=CampaignState.SUBMITTED,
        sandbox=False,
        callbacks=True,
        recipient_count=count,
    )
    store.messages.add_recipients(campaign_id, [(f"7900000{n:04d}", {}) for n in range(count)])
    rows = store.messages.take_new(campaign_id, count)
    store.messages.finish_submissions(
        (row.id, SubmitState.ACCEPTED, f"p{row.id}" if platform_ids else None, None) for row in rows
    )
    return [row.id for row in rows]


def status(message_id: int, raw: str, status_class: str, platform_id: str | None = None):
    return IncomingStatus(message_id, raw, status_class, platform_id)


def test_the_same_status_again_changes_nothing(store):
    [message_id] = accepted_messages(store, 1)
    first = store.statuses.apply([status(message_id, "1", "delivered")])
    again = store.statuses.apply([status(message_id, "1", "delivered")] * 2)
    assert [a.outcome for a in first] == [Outcome.CHANGED]
    assert [a.outcome for a in again] == [Outcome.DUPLICATE, Outcome.DUPLICATE]
    assert store.statuses.count() == 1


def test_a_late_intermediate_status_never_overwrites_a_final_one(store):
    delivered, failed = accepted_messages(store, 2)
    store.statuses.apply([status(delivered, "1", "delivered"), status(failed, "2", "failed")])
    late = store.statuses.apply([status(delivered, "8", "pending"), status(failed, "4", "pending")])
    assert [a.outcome for a in late] == [Outcome.RECORDED, Outcome.RECORDED]
    assert store.messages.get(delivered).status_raw == "1"
    assert store.messages.get(delivered).status_class == "delivered"
    assert store.messages.get(failed).status_class == "failed"
    assert [e.raw for e in store.statuses.history(delivered)] == ["1", "8"]


def test_intermediate_statuses_follow_each_other_and_a_final_one_replaces_them(store):
    [message_id] = accepted_messages(store, 1)
    store.statuses.apply([status(message_id, "8", "pending"), status(message_id, "4", "pending")])
    assert store.messages.get(message_id).status_raw == "4"
    store.statuses.apply([status(message_id, "1", "delivered")])
    assert store.messages.get(message_id).status_class == "delivered"


def test_the_platform_id_is_recorded_when_not_yet_known(store):
    known, unknown = accepted_messages(store, 1)[0], accepted_messages(store, 1, False)[0]
    store.statuses.apply(
        [status(known, "8", "pending", "other"), status(unknown, "8", "pending", "p-late")]
    )
    assert store.messages.get(known).platform_id == f"p{known}"
    assert store.messages.get(unknown).platform_id == "p-late"


def test_a_status_for_a_message_of_unknown_fate_proves_it_was_accepted(store):
    [message_id] = accepted_messages(store, 1)
    store.db.execute("UPDATE messages SET state = 'unknown' WHERE id = ?", [message_id])
    store.statuses.apply([status(message_id, "1", "delivered")])
    assert store.messages.get(message_id).state is SubmitState.ACCEPTED


def test_an_unknown_message_is_reported_and_nothing_is_stored(store):
    outcome = store.statuses.apply([status(999_999, "1", "delivered")])
    assert outcome[0].outcome is Outcome.UNKNOWN_MESSAGE
    assert store.statuses.count() == 0


def test_a_locked_database_fails_the_whole_batch_quickly(store, tmp_path):
    [message_id] = accepted_messages(store, 1)
    other = sqlite3.connect(tmp_path / "statuses.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    store.statuses.busy_timeout_ms = 50
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            store.statuses.apply([status(message_id, "1", "delivered")])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.statuses.count() == 0
    assert store.statuses.apply([status(message_id, "1", "delivered")])[0].outcome is (
        Outcome.CHANGED
    )


def test_undelivered_lists_failed_pending_rejected_and_unknown_rows(store):
    delivered, failed, silent = accepted_messages(store, 3)
    store.statuses.apply([status(delivered, "1", "delivered"), status(failed, "2", "failed")])
    campaign_id = store.messages.get(delivered).campaign_id
    rows = store.statuses.undelivered(campaign_id)
    assert [(r.address, r.status_class) for r in rows] == [
        (store.messages.get(failed).sent_to, "failed"),
        (store.messages.get(silent).sent_to, "pending"),
    ]


def submitting_messages(store: Store, count: int) -> list[int]:
    """Rows handed to the platform whose answers have not come back yet."""
    campaign_id = store.campaigns.create(
        Draft(type="sms", sender="Shop", text="Hi"),
        author_id=1,
        author_chat_id=1,
        state=CampaignState.SUBMITTING,
        sandbox=False,
        callbacks=True,
        recipient_count=count,
    )
    store.messages.add_recipients(campaign_id, [(f"7900100{n:04d}", {}) for n in range(count)])
    return [row.id for row in store.messages.take_new(campaign_id, count)]


def test_a_status_before_the_answer_makes_the_row_accepted_whatever_the_answer(store):
    unknown, refused, accepted, unavailable = submitting_messages(store, 4)
    store.statuses.apply(
        [
            status(message_id, "1", "delivered", f"cb{message_id}")
            for message_id in (unknown, refused, accepted, unavailable)
        ]
    )
    store.messages.finish_submissions(
        [
            (unknown, SubmitState.UNKNOWN, None, "HTTP 502"),
            (refused, SubmitState.REJECTED, None, "Ошибка"),
            (accepted, SubmitState.ACCEPTED, "answer-id", None),
        ]
    )
    store.messages.back_to_new([unavailable])

    for message_id in (unknown, refused, accepted, unavailable):
        row = store.messages.get(message_id)
        assert row.state is SubmitState.ACCEPTED
        assert row.platform_id == f"cb{message_id}"  # never silently replaced by the answer
        assert row.status_class == "delivered"
    assert store.messages.by_platform_id(f"cb{accepted}")[0].id == accepted
    # The answer's own id is kept beside the status's one, and finds the message too.
    assert store.messages.get(accepted).answer_id == "answer-id"
    assert store.messages.by_platform_id("answer-id")[0].id == accepted
    assert store.messages.get(unknown).answer_id is None


def test_a_crash_leaves_rows_with_a_status_accepted_and_out_of_every_resend(store):
    reported, silent = submitting_messages(store, 2)
    campaign_id = store.messages.get(reported).campaign_id
    store.statuses.apply([status(reported, "8", "pending", "cb-early")])

    assert store.messages.mark_interrupted() == {campaign_id: 1}
    assert store.messages.get(reported).state is SubmitState.ACCEPTED
    assert store.messages.get(reported).platform_id == "cb-early"
    assert store.messages.count_undecided(campaign_id) == 1
    # A status arriving after the crash, before the author decides, takes its row out as well.
    store.statuses.apply([status(silent, "1", "delivered", "cb-late")])
    assert store.messages.count_undecided(campaign_id) == 0
    assert store.messages.requeue_undecided(campaign_id) == 0
    assert store.messages.counts_by_state(campaign_id) == {SubmitState.ACCEPTED: 2}


def test_a_requeue_never_includes_a_row_that_has_a_status(store):
    reported, silent = submitting_messages(store, 2)
    campaign_id = store.messages.get(reported).campaign_id
    store.messages.mark_interrupted()
    # Written behind the storage's back: the requeue itself must still refuse the row.
    store.db.execute(
        "UPDATE messages SET status_raw = '1', status_class = 'delivered' WHERE id = ?",
        [reported],
    )
    assert store.messages.requeue_undecided(campaign_id) == 1
    assert store.messages.get(silent).state is SubmitState.NEW
    assert store.messages.get(reported).state is SubmitState.ACCEPTED


def test_a_status_under_another_id_is_kept_in_the_history_not_on_the_row(store, caplog):
    [message_id] = accepted_messages(store, 1)
    store.statuses.apply([status(message_id, "4", "pending", "other-id")])
    assert store.messages.get(message_id).platform_id == f"p{message_id}"
    assert [e.platform_id for e in store.statuses.history(message_id)] == ["other-id"]
    assert "other-id" in caplog.text
    assert store.messages.by_platform_id("other-id")[0].id == message_id


def test_delivered_is_final_a_later_failure_is_only_history(store):
    cascade, retried = accepted_messages(store, 2)
    store.statuses.apply([status(cascade, "1", "delivered"), status(retried, "2", "failed")])
    late = store.statuses.apply(
        [
            status(cascade, "2", "failed"),
            status(cascade, "16", "failed"),
            status(retried, "1", "delivered"),
        ]
    )
    assert [a.outcome for a in late] == [Outcome.RECORDED, Outcome.RECORDED, Outcome.CHANGED]
    row = store.messages.get(cascade)
    assert (row.status_raw, row.status_class) == ("1", "delivered")
    assert [e.raw for e in store.statuses.history(cascade)] == ["1", "2", "16"]
    # A failure followed by a fallback channel's delivery ends delivered.
    assert store.messages.get(retried).status_class == "delivered"


def test_a_batch_takes_each_message_through_its_statuses_in_order(store):
    first, second = accepted_messages(store, 2)
    applied = store.statuses.apply(
        [
            status(first, "8", "pending"),
            status(first, "1", "delivered"),
            status(first, "2", "failed"),  # a cascade's first channel, after the fallback
            status(second, "2", "failed"),
            status(second, "8", "pending"),
            status(first, "1", "delivered"),
            status(999_999, "1", "delivered"),
        ]
    )
    assert [a.outcome for a in applied] == [
        Outcome.CHANGED,
        Outcome.CHANGED,
        Outcome.RECORDED,
        Outcome.CHANGED,
        Outcome.RECORDED,
        Outcome.DUPLICATE,
        Outcome.UNKNOWN_MESSAGE,
    ]
    assert (store.messages.get(first).status_raw, store.messages.get(second).status_raw) == (
        "1",
        "2",
    )
    assert [e.raw for e in store.statuses.history(first)] == ["8", "1", "2"]


def test_a_batch_costs_the_same_few_statements_whatever_its_size(store):
    """Each statement gives up the GIL, and the event loop may wait to take it back while a
    worker thread reads a big list: the statements of a batch must not grow with it."""

    def statements_for(count: int) -> int:
        ids = accepted_messages(store, count)
        executed: list[str] = []
        store.db.conn.set_trace_callback(executed.append)
        try:
            applied = store.statuses.apply([status(i, "1", "delivered") for i in ids])
        finally:
            store.db.conn.set_trace_callback(None)
        assert {a.outcome for a in applied} == {Outcome.CHANGED}
        return len(executed)

    assert statements_for(500) == statements_for(2) <= 10


def test_a_transaction_that_reads_then_writes_waits_for_a_commit_made_beside_it(store, tmp_path):
    """Statuses are stored over a connection of their own: a transaction of the program's that
    began by reading must still be able to write after they commit."""
    first, second = accepted_messages(store, 2)
    beside = Statuses(open_apart(str(tmp_path / "statuses.db")))
    with store.db.atomic():
        assert store.messages.get(first).status_class is None
        # Beside it, another connection cannot slip a commit in between.
        beside.busy_timeout_ms = 50
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            beside.apply([status(second, "1", "delivered")])
        store.db.execute("UPDATE messages SET status_class = 'failed' WHERE id = ?", [first])
    beside.busy_timeout_ms = 1000
    assert beside.apply([status(second, "1", "delivered")])[0].outcome is Outcome.CHANGED
    assert store.messages.get(first).status_class == "failed"
    beside.db.close()


async def test_statuses_taken_before_the_writer_closes_are_stored_and_later_ones_refused(store):
    first, second = accepted_messages(store, 2)
    writer = StatusWriter(
        store, Metrics(), lambda campaign_id: None, apart=StatusesApart.of(store.db)
    )
    taken = asyncio.ensure_future(writer.record(status(first, "1", "delivered")))
    await asyncio.sleep(0)  # one turn of the loop: the status is handed to the writer
    await writer.close()
    assert (await taken).outcome is Outcome.CHANGED
    with pytest.raises(Stopping):
        await writer.record(status(second, "1", "delivered"))
    assert store.messages.get(first).status_class == "delivered"
    assert store.messages.get(second).status_class is None
