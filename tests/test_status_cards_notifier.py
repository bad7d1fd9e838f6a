"""The cards alone: changes coalesce into few edits, the report goes once, a TTL ends a campaign."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest

from bot.config import Settings
from bot.i18n import make_i18n
from bot.metrics import Metrics
from bot.statuses.chats import remember_migration
from bot.statuses.notifier import Notifier
from bot.statuses.tracker import CampaignTracker
from storage.campaigns import CampaignState, Draft
from storage.clock import to_iso, utc_now
from storage.members import Role
from storage.messages import SubmitState
from storage.statuses import IncomingStatus
from storage.store import Store

GROUP = -100500
SUPERGROUP = -1009990001
AUTHOR = 1001


class RecordingBot:
    """Stands in for aiogram's Bot: records card calls with the loop's time."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, int, str]] = []
        self.changed = asyncio.Event()

    def _record(self, method: str, chat_id: int, text: str) -> None:
        self.calls.append((asyncio.get_running_loop().time(), method, chat_id, text))
        self.changed.set()

    async def send_message(self, chat_id: int, text: str, reply_markup=None) -> SimpleNamespace:
        self._record("send", chat_id, text)
        return SimpleNamespace(chat=SimpleNamespace(id=chat_id), message_id=len(self.calls))

    async def edit_message_text(
        self, text: str, chat_id: int, message_id: int, reply_markup=None
    ) -> bool:
        self._record("edit", chat_id, text)
        return True

    async def send_document(self, chat_id: int, document, caption: str) -> SimpleNamespace:
        self._record("document", chat_id, caption)
        return SimpleNamespace(chat=SimpleNamespace(id=chat_id), message_id=len(self.calls))

    async def send_photo(self, chat_id: int, photo, caption: str) -> SimpleNamespace:
        self._record("photo", chat_id, caption)
        return SimpleNamespace(chat=SimpleNamespace(id=chat_id), message_id=len(self.calls))

    async def wait(self, predicate, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "cards.db")
    opened.members.set_role(AUTHOR, Role.OPERATOR, added_by=None)  # cards go to members only
    yield opened
    opened.close()


def notifier_for(store: Store, tmp_path, bot: RecordingBot) -> Notifier:
    """The notifier as the program builds it, over `bot`; a new one over the same store is a restart."""
    return Notifier(
        bot,  # type: ignore[arg-type]
        store,
        Settings(bot_token="1:x", notify_chat_id=GROUP, locale="en"),
        make_i18n("en", tmp_path / "locales"),
        Metrics(),
        private_interval=0.3,
        group_interval=0.5,
    )


def tracker_for(notifier: Notifier) -> CampaignTracker:
    """The lifecycle as the program wires it: it finishes a campaign, then the cards follow."""
    return CampaignTracker(notifier.store, notifier.settings, notifier.campaign_changed)


class StallingBot(RecordingBot):
    """Telegram never takes the report file for `chat`: the program stops while it waits."""

    def __init__(self, chat: int) -> None:
        super().__init__()
        self.stalled_chat = chat

    async def send_document(self, chat_id: int, document, caption: str) -> SimpleNamespace:
        if chat_id == self.stalled_chat:
            self._record("stalled document", chat_id, caption)
            await asyncio.Event().wait()
        return await super().send_document(chat_id, document, caption)


@pytest.fixture
async def notifier(store, tmp_path):
    notifier = notifier_for(store, tmp_path, RecordingBot())
    yield notifier
    await notifier.stop()


def campaign_of(store: Store, count: int, ttl: int | None = None) -> list[int]:
    campaign_id = store.campaigns.create(
        Draft(type="sms", sender="Shop", text="Hi", ttl=ttl),
        author_id=AUTHOR,
        author_chat_id=AUTHOR,
        state=CampaignState.SUBMITTED,
        sandbox=False,
        callbacks=True,
        recipient_count=count,
    )
    store.messages.add_recipients(campaign_id, [(f"7900{n:07d}", {}) for n in range(count)])
    rows = store.messages.take_new(campaign_id, count)
    store.messages.finish_submissions(
        (row.id, SubmitState.ACCEPTED, f"p{row.id}", None) for row in rows
    )
    return [row.id for row in rows]


async def test_a_burst_of_changes_is_drawn_with_few_edits_and_the_latest_state(store, notifier):
    message_ids = campaign_of(store, 200)
    campaign_id = store.messages.get(message_ids[0]).campaign_id
    bot = notifier.bot
    notifier.campaign_changed(campaign_id)
    await bot.wait(lambda: len(bot.calls) == 2)  # the two cards appear

    loop = asyncio.get_running_loop()
    started = loop.time()
    for message_id in message_ids[:-1]:
        store.statuses.apply([IncomingStatus(message_id, "1", "delivered")])
        notifier.campaign_changed(campaign_id)
        await asyncio.sleep(0.005)
    burst = loop.time() - started

    def drawn(chat: int) -> bool:
        texts = [text for _, _, chat_id, text in bot.calls if chat_id == chat]
        return "Delivered: 199 " in texts[-1]

    await bot.wait(lambda: drawn(GROUP) and drawn(AUTHOR))
    for chat, interval in ((GROUP, 0.5), (AUTHOR, 0.3)):
        times = [time for time, method, chat_id, _ in bot.calls if chat_id == chat]
        assert all(later - earlier >= interval * 0.95 for earlier, later in pairwise(times))
        assert len(times) - 1 <= burst / interval + 2


async def test_the_last_status_finishes_the_campaign_and_sends_the_report_once(store, notifier):
    message_ids = campaign_of(store, 3)
    campaign_id = store.messages.get(message_ids[0]).campaign_id
    bot = notifier.bot
    store.statuses.apply(
        [
            IncomingStatus(message_ids[0], "1", "delivered"),
            IncomingStatus(message_ids[1], "2", "failed"),
            IncomingStatus(message_ids[2], "expired", "failed"),
        ]
    )

    tracker = tracker_for(notifier)
    tracker.campaign_changed(campaign_id)
    tracker.campaign_changed(campaign_id)

    await notifier.drawn()
    assert store.campaigns.get(campaign_id).state is CampaignState.FINISHED
    assert store.campaigns.get(campaign_id).finished_at
    documents = [(chat, caption) for _, method, chat, caption in bot.calls if method == "document"]
    assert sorted(chat for chat, _ in documents) == [GROUP, AUTHOR]
    assert "recipients who did not get the message: 2 " in documents[0][1]
    tracker.campaign_changed(campaign_id)
    await notifier.drawn()
    assert len([c for c in bot.calls if c[1] == "document"]) == 2


async def test_a_campaign_whose_ttl_passed_is_final_and_reports_the_silent_recipients(
    store, notifier
):
    message_ids = campaign_of(store, 2, ttl=30)
    campaign_id = store.messages.get(message_ids[0]).campaign_id
    store.campaigns.move(
        campaign_id,
        (CampaignState.SUBMITTED,),
        CampaignState.SUBMITTED,
        submitted_at=to_iso(utc_now() - timedelta(minutes=31)),
    )
    store.statuses.apply([IncomingStatus(message_ids[0], "1", "delivered")])

    tracker_for(notifier).campaign_changed(campaign_id)
    await notifier.drawn()

    assert store.campaigns.get(campaign_id).state is CampaignState.FINISHED
    to_group = notifier.bot.calls
    group_card = [text for _, method, chat, text in to_group if chat == GROUP and method != "photo"]
    group_card = group_card[-2]
    assert "Final: the TTL has passed." in group_card
    assert "No final status by the end of the TTL: 1" in group_card
    assert "Pending" not in group_card  # closed: nothing is on the way any more
    assert "50% with a final status" in group_card
    reports = [c for c in notifier.bot.calls if c[1] == "document"]
    assert len(reports) == 2
    assert "recipients who did not get the message: 1 " in reports[0][3]
    charts = [c for c in notifier.bot.calls if c[1] == "photo"]
    assert [c[2] for c in charts] == [c[2] for c in reports]  # a chart with each report
    assert "Delivered: 1 of 2 (50%)" in charts[0][3]


async def test_a_campaign_within_its_ttl_keeps_waiting(store, notifier):
    message_ids = campaign_of(store, 2, ttl=30)
    campaign_id = store.messages.get(message_ids[0]).campaign_id

    tracker_for(notifier).campaign_changed(campaign_id)
    await notifier.drawn()

    assert store.campaigns.get(campaign_id).state is CampaignState.SUBMITTED
    assert not [c for c in notifier.bot.calls if c[1] == "document"]


async def test_a_report_owed_when_the_program_stopped_goes_out_after_the_restart(store, tmp_path):
    delivered, failed = campaign_of(store, 2)
    campaign_id = store.messages.get(delivered).campaign_id
    store.statuses.apply(
        [IncomingStatus(delivered, "1", "delivered"), IncomingStatus(failed, "2", "failed")]
    )
    before = notifier_for(store, tmp_path, StallingBot(chat=AUTHOR))
    tracker_for(before).campaign_changed(campaign_id)

    def methods(bot: RecordingBot) -> list[tuple[str, int]]:
        return [(method, chat) for _, method, chat, _ in bot.calls if "document" in method]

    await before.bot.wait(
        lambda: sorted(methods(before.bot)) == [("document", GROUP), ("stalled document", AUTHOR)]
    )
    await before.stop()  # the program stops with the author's report not delivered
    assert store.campaigns.get(campaign_id).state is CampaignState.FINISHED

    after = notifier_for(store, tmp_path, RecordingBot())
    after.start()
    try:
        await after.bot.wait(lambda: methods(after.bot))
        await after.drawn()
        assert methods(after.bot) == [("document", AUTHOR)]  # the group had its report already
        assert "recipients who did not get the message: 1" in after.bot.calls[-1][3]
        assert store.reports.all() == []
    finally:
        await after.stop()

    again = notifier_for(store, tmp_path, RecordingBot())
    again.start()
    await again.drawn()
    await again.stop()
    assert methods(again.bot) == []  # a further restart owes nobody anything


async def test_a_report_owed_to_a_group_that_moved_goes_to_its_new_id(store, tmp_path):
    delivered, failed = campaign_of(store, 2)
    campaign_id = store.messages.get(delivered).campaign_id
    store.statuses.apply(
        [IncomingStatus(delivered, "1", "delivered"), IncomingStatus(failed, "2", "failed")]
    )
    before = notifier_for(store, tmp_path, StallingBot(chat=GROUP))
    tracker_for(before).campaign_changed(campaign_id)
    await before.bot.wait(
        lambda: (
            {(c[1], c[2]) for c in before.bot.calls}
            >= {("stalled document", GROUP), ("document", AUTHOR)}
        )
    )
    await before.stop()
    # While the program was down Telegram turned the group into a supergroup.
    remember_migration(before.settings, store.kv, GROUP, SUPERGROUP)

    after = notifier_for(store, tmp_path, RecordingBot())
    after.start()
    try:
        await after.bot.wait(lambda: any(c[1] == "document" for c in after.bot.calls))
        await after.drawn()
    finally:
        await after.stop()
    documents = [chat for _, method, chat, _ in after.bot.calls if method == "document"]
    assert documents == [SUPERGROUP]
    assert store.reports.all() == []
