"""The approval rule and gate at the service level: a store, a recorder for notices, a launcher."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.approval.deciding import Outcome
from bot.approval.gate import ApprovalGate
from bot.approval.notices import ApprovalAsked, ApprovalWaiting
from bot.approval.rule import approval_needed
from bot.approval.service import ApprovalService
from bot.compose.costs import estimate_list
from bot.config import Settings, load_settings
from storage.campaigns import CampaignState, Draft
from storage.members import Role
from storage.messages import SubmitState
from storage.store import Store
from tests.recording_notices import RecordingNotices

AUTHOR, ADMIN, OTHER_ADMIN, GROUP = 20, 10, 11, -100


class Launcher:
    def __init__(self) -> None:
        self.launched: list[int] = []

    def launch(self, campaign_id: int) -> None:
        self.launched.append(campaign_id)


def settings(**values: str) -> Settings:
    return load_settings(_env_file=None, bot_token="1:abc", **values)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "db.sqlite")
    opened.members.bootstrap_admins([ADMIN, OTHER_ADMIN])
    opened.members.set_role(AUTHOR, Role.OPERATOR, added_by=ADMIN)
    yield opened
    opened.close()


def campaign(store: Store, recipients: int, state: CampaignState = CampaignState.SUBMITTING) -> int:
    draft = Draft(type="sms", sender="Shop", text="Hello")
    campaign_id = store.campaigns.create(
        draft,
        author_id=AUTHOR,
        author_chat_id=AUTHOR,
        state=state,
        sandbox=True,
        callbacks=False,
        recipient_count=recipients,
    )
    store.messages.add_recipients(campaign_id, ((f"7900{n:07d}", {}) for n in range(recipients)))
    return campaign_id


class Approvals(ApprovalService):
    """The service with its gate, as the program wires them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = ApprovalGate(self)


def service(store: Store, **values: str) -> tuple[Approvals, RecordingNotices, Launcher]:
    notices, launcher = RecordingNotices(), Launcher()
    approvals = Approvals(store, settings(**values), notices, launcher, notify_chat=lambda: GROUP)
    return approvals, notices, launcher


def test_the_rule_counts_from_the_thresholds_themselves_and_never_guesses_a_price():
    rule = settings(APPROVAL_MIN_RECIPIENTS="100", APPROVAL_MIN_COST="50", PULSE_PRICES="sms:1")
    assert approval_needed(rule, 100, None)
    assert not approval_needed(rule, 99, None)  # no price: the recipients alone decide
    assert approval_needed(rule, 1, Decimal("50.00"))
    assert not approval_needed(rule, 99, Decimal("49.99"))
    assert not approval_needed(settings(), 1_000_000, Decimal(10**6))  # both empty: off


async def test_a_request_holds_the_campaign_and_asks_the_group_and_each_approver(store):
    approvals, notices, launcher = service(store, APPROVAL_MIN_RECIPIENTS="3")
    campaign_id = campaign(store, 3)

    approval = await approvals.request(campaign_id)

    assert approval is not None
    assert store.campaigns.get(campaign_id).state is CampaignState.SCHEDULED
    asked = {chat for chat, notice in notices.told if isinstance(notice, ApprovalAsked)}
    assert asked == {GROUP, ADMIN, OTHER_ADMIN}  # never the author
    assert not approvals.gate.admits(campaign_id)
    assert launcher.launched == []
    assert await approvals.request(campaign_id) == approval  # asked once


async def test_below_the_thresholds_the_gate_checks_then_launches_again(store):
    approvals, notices, launcher = service(store, APPROVAL_MIN_RECIPIENTS="3")
    campaign_id = campaign(store, 2)

    assert not approvals.gate.admits(campaign_id)  # checked in the background first
    await approvals.gate.drain()

    assert launcher.launched == [campaign_id]
    assert approvals.gate.admits(campaign_id)
    assert store.approvals.for_campaign(campaign_id) is None
    assert notices.told == []


async def test_a_campaign_under_way_before_approval_was_required_is_never_stopped(store):
    approvals, _notices, _launcher = service(store, APPROVAL_MIN_RECIPIENTS="1")
    campaign_id = campaign(store, 5)
    [row] = store.messages.rows(campaign_id, limit=1)
    store.db.execute(
        "UPDATE messages SET state = ? WHERE id = ?", [SubmitState.ACCEPTED.value, row.id]
    )

    assert approvals.gate.admits(campaign_id)


async def test_due_while_waiting_it_goes_back_to_waiting_and_its_owner_is_told(store):
    approvals, notices, _launcher = service(store, APPROVAL_MIN_RECIPIENTS="1")
    campaign_id = campaign(store, 1)
    await approvals.request(campaign_id)
    store.campaigns.move(campaign_id, (CampaignState.SCHEDULED,), CampaignState.SUBMITTING)

    assert not approvals.gate.admits(campaign_id)
    await approvals.gate.drain()

    assert store.campaigns.get(campaign_id).state is CampaignState.SCHEDULED
    [waiting] = notices.of(ApprovalWaiting, AUTHOR)
    assert waiting.at_its_time


async def test_only_the_first_decision_counts_and_the_author_never_decides(store):
    approvals, _notices, launcher = service(store, APPROVAL_MIN_RECIPIENTS="1")
    campaign_id = campaign(store, 1)
    approval = await approvals.request(campaign_id)
    assert approval is not None

    own = await approvals.approve(approval.id, actor_id=AUTHOR)
    first = await approvals.approve(approval.id, actor_id=ADMIN)
    second = await approvals.reject(approval.id, actor_id=OTHER_ADMIN, reason="late")

    assert [own.outcome, first.outcome, second.outcome] == [
        Outcome.OWN,
        Outcome.APPROVED,
        Outcome.DECIDED,
    ]
    assert launcher.launched == [campaign_id]
    actions = [entry["action"] for entry in store.audit.recent(action=None)]
    assert actions.count("approval_approve") == 1
    assert "approval_reject" not in actions
    assert actions.count("approval_refused") == 1


async def test_operators_decide_only_when_approvers_is_operator(store):
    approvals, _notices, _launcher = service(store, APPROVAL_MIN_RECIPIENTS="1")
    store.members.set_role(30, Role.OPERATOR, added_by=ADMIN)
    campaign_id = campaign(store, 1)
    approval = await approvals.request(campaign_id)
    assert approval is not None

    assert (await approvals.approve(approval.id, actor_id=30)).outcome is Outcome.NOT_ALLOWED

    operators, _notices, _launcher = service(
        store, APPROVAL_MIN_RECIPIENTS="1", APPROVERS="operator"
    )
    assert (await operators.approve(approval.id, actor_id=30)).outcome is Outcome.APPROVED


async def test_a_campaign_whose_author_lost_access_cannot_be_approved(store):
    approvals, _notices, launcher = service(store, APPROVAL_MIN_RECIPIENTS="1")
    campaign_id = campaign(store, 1)
    approval = await approvals.request(campaign_id)
    assert approval is not None
    store.members.remove(AUTHOR)

    decision = await approvals.approve(approval.id, actor_id=ADMIN)

    assert decision.outcome is Outcome.AUTHOR_LEFT
    assert launcher.launched == []
    assert store.approvals.get(approval.id).state.value == "pending"


async def test_an_approval_after_its_time_is_sent_or_discarded_once_by_its_owner(store):
    approvals, _notices, launcher = service(store, APPROVAL_MIN_RECIPIENTS="1")
    sent, discarded = campaign(store, 1), campaign(store, 1)
    for campaign_id in (sent, discarded):
        approval = await approvals.request(campaign_id)
        assert approval is not None
        await approvals.approve(approval.id, actor_id=ADMIN)  # no schedule: it is launched
    launcher.launched.clear()
    first, second = (store.approvals.for_campaign(c) for c in (sent, discarded))
    assert first is not None
    assert second is not None

    assert not approvals.late_choice(first.id, actor_id=30, send=True)  # not a member
    assert approvals.late_choice(first.id, actor_id=AUTHOR, send=True)
    assert not approvals.late_choice(first.id, actor_id=AUTHOR, send=False)  # already decided
    assert approvals.late_choice(second.id, actor_id=ADMIN, send=False)

    assert launcher.launched == [sent]
    assert store.campaigns.get(sent).state is CampaignState.SUBMITTING
    assert store.campaigns.get(discarded).state is CampaignState.CANCELLED
    actions = [entry["action"] for entry in store.audit.recent(action=None)]
    assert actions.count("approval_late_send") == 1
    assert actions.count("approval_late_discard") == 1


async def test_approvers_see_a_transliterated_text_priced_as_the_preview_prices_it(store):
    text = "Zdravstvuyte, {имя}! " + "x" * 100  # 125 characters with «Юлия»
    draft = Draft(type="sms", sender="Shop", text=text, columns=["имя"], transliterate=True)
    campaign_id = store.campaigns.create(
        draft,
        author_id=AUTHOR,
        author_chat_id=AUTHOR,
        state=CampaignState.SUBMITTING,
        sandbox=True,
        callbacks=False,
        recipient_count=2,
    )
    store.messages.add_recipients(
        campaign_id, [("79000000001", {"имя": "Юлия"}), ("79000000002", {"имя": "Анна"})]
    )
    approvals, _, _ = service(store, pulse_prices="sms:2.50")
    list_id = store.recipient_lists.save(
        AUTHOR, [("79000000001", {"имя": "Юлия"}), ("79000000002", {"имя": "Анна"})], ["имя"]
    )

    figures = await approvals.figures(store.campaigns.get(campaign_id))
    preview = await estimate_list(store, list_id, draft, {"sms": Decimal("2.50")})

    # In Latin letters each name keeps the text in one GSM-7 part; as written it would take two.
    assert (figures.recipients, figures.parts, figures.estimate) == (2, 2, Decimal("5.00"))
    assert preview is not None
    assert (preview.parts, preview.total) == (figures.parts, figures.estimate)
