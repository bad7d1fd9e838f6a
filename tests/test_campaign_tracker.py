"""A campaign's lifecycle without any card: finished when every row is final or its TTL passed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Settings
from bot.statuses.tracker import CampaignTracker
from storage.campaigns import CampaignState, Draft
from storage.clock import from_iso, to_iso, utc_now
from storage.members import Role
from storage.messages import SubmitState
from storage.statuses import IncomingStatus
from storage.store import Store

AUTHOR = 1001
GROUP = -100500


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self):
        return self.now


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "tracker.db")
    opened.members.set_role(AUTHOR, Role.OPERATOR, added_by=None)
    yield opened
    opened.close()


def submitted(store: Store, count: int, *, ttl=None, author_chat=None, callbacks=True) -> int:
    campaign_id = store.campaigns.create(
        Draft(type="sms", sender="Shop", text="Hi", ttl=ttl),
        author_id=AUTHOR,
        author_chat_id=author_chat,
        state=CampaignState.SUBMITTED,
        sandbox=False,
        callbacks=callbacks,
        recipient_count=count,
    )
    store.messages.add_recipients(campaign_id, [(f"7900{n:07d}", {}) for n in range(count)])
    rows = store.messages.take_new(campaign_id, count)
    store.messages.finish_submissions(
        (row.id, SubmitState.ACCEPTED, f"p{row.id}", None) for row in rows
    )
    return campaign_id


def tracker_over(store: Store, clock: Clock, changed: list[int], **settings) -> CampaignTracker:
    return CampaignTracker(store, Settings(bot_token="1:x", **settings), changed.append, now=clock)


def test_the_last_final_status_finishes_a_campaign_no_chat_follows(store):
    campaign_id = submitted(store, 2)  # no notify group, no author chat: nobody sees a card
    changed: list[int] = []
    tracker = tracker_over(store, Clock(), changed)
    first, second = (row.id for row in store.messages.rows(campaign_id, limit=2))

    store.statuses.apply([IncomingStatus(first, "1", "delivered")])
    tracker.campaign_changed(campaign_id)
    assert store.campaigns.get(campaign_id).state is CampaignState.SUBMITTED

    store.statuses.apply([IncomingStatus(second, "2", "failed")])
    tracker.campaign_changed(campaign_id)
    campaign = store.campaigns.get(campaign_id)
    assert campaign.state is CampaignState.FINISHED
    assert campaign.finished_at
    assert store.reports.all() == []  # no chat is owed a report
    assert changed == [campaign_id, campaign_id]  # the cards side still hears of each change


def test_the_watch_finishes_a_campaign_once_its_ttl_passed_and_owes_each_chat_its_report(store):
    campaign_id = submitted(store, 2, ttl=30, author_chat=AUTHOR)
    clock = Clock()
    store.campaigns.move(
        campaign_id,
        (CampaignState.SUBMITTED,),
        CampaignState.SUBMITTED,
        submitted_at=to_iso(clock.now),
    )
    changed: list[int] = []
    tracker = tracker_over(store, clock, changed, notify_chat_id=GROUP)

    clock.now += timedelta(minutes=29)
    tracker.look()
    assert store.campaigns.get(campaign_id).state is CampaignState.SUBMITTED
    assert changed == []  # nothing happened: no card is redrawn

    clock.now += timedelta(minutes=2)
    tracker.look()
    campaign = store.campaigns.get(campaign_id)
    assert campaign.state is CampaignState.FINISHED
    assert from_iso(campaign.finished_at) == clock.now.replace(
        microsecond=clock.now.microsecond // 1000 * 1000
    )
    assert sorted(owed.chat_id for owed in store.reports.all()) == [GROUP, AUTHOR]
    assert changed == [campaign_id]

    tracker.look()
    assert changed == [campaign_id]  # finished once


def test_a_revoked_author_is_owed_no_report(store):
    campaign_id = submitted(store, 1, author_chat=AUTHOR, callbacks=False)
    store.members.remove(AUTHOR)
    tracker = tracker_over(store, Clock(), [], notify_chat_id=GROUP)

    tracker.campaign_changed(campaign_id)  # without callbacks no status will ever come

    assert store.campaigns.get(campaign_id).state is CampaignState.FINISHED
    assert [owed.chat_id for owed in store.reports.all()] == [GROUP]


def test_a_passed_ttl_does_not_finish_a_campaign_whose_rows_still_wait_for_their_hour(store):
    campaign_id = store.campaigns.create(
        Draft(type="sms", sender="Shop", text="Hi", ttl=30),
        author_id=AUTHOR,
        author_chat_id=None,
        state=CampaignState.SUBMITTED,
        sandbox=False,
        callbacks=True,
        recipient_count=1,
    )
    store.messages.add_recipients(campaign_id, [("79000000001", {})])
    clock = Clock()
    store.db.execute(
        "UPDATE messages SET state = 'waiting', not_before = ? WHERE campaign_id = ?",
        [to_iso(clock.now + timedelta(hours=9)), campaign_id],
    )
    tracker = tracker_over(store, clock, [])

    clock.now += timedelta(hours=2)
    tracker.look()

    assert store.campaigns.get(campaign_id).state is CampaignState.SUBMITTED


def test_the_ttl_counts_from_the_last_recipients_own_sent_date(store):
    clock = Clock()
    campaign_id = submitted(store, 2, ttl=30)
    first = (clock.now + timedelta(hours=1)).astimezone(Settings(bot_token="1:x").pulse_zone)
    last = first + timedelta(hours=7)  # the platform sends the second one at its local time
    store.db.execute(
        "UPDATE campaigns SET sent_date = ? WHERE id = ?",
        [first.strftime("%Y-%m-%d %H:%M"), campaign_id],
    )
    [_, later] = store.messages.rows(campaign_id)
    store.db.execute(
        "UPDATE messages SET sent_date = ? WHERE id = ?",
        [last.strftime("%Y-%m-%d %H:%M"), later.id],
    )
    tracker = tracker_over(store, clock, [])

    clock.now += timedelta(hours=2)  # 30 minutes after the first's time: not the last's
    tracker.look()
    assert store.campaigns.get(campaign_id).state is CampaignState.SUBMITTED

    clock.now += timedelta(hours=7)
    tracker.look()
    assert store.campaigns.get(campaign_id).state is CampaignState.FINISHED
