"""A campaign's figures: its rows counted by submission state and delivery class, the platform's
refusals grouped by their message, and the clicks on its tracked links.

Counting is one scan of a covering index, which for a campaign of tens of thousands of rows is
long enough to hold the event loop; `read_figures` then counts in a worker thread over
read-only connections of its own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from storage.campaigns import Campaign
from storage.links import ClickCounts
from storage.messages import SubmitState
from storage.store import Store

COUNTED_APART_FROM = 5_000  # recipients: from here on a campaign is counted in a worker thread
_NOT_HANDED_OVER = (SubmitState.NEW, SubmitState.SUBMITTING, SubmitState.WAITING)


@dataclass(frozen=True)
class Figures:
    """A campaign's counts, read in one go."""

    total: int
    by_state: dict[SubmitState, int]
    by_status: dict[str, int]
    rejections: dict[str, int]
    clicks: ClickCounts | None = None  # None: the campaign has no tracked links
    held_from: str | None = None  # when the first `waiting` row goes out (UTC, ISO)

    @classmethod
    def of(
        cls,
        campaign: Campaign,
        counts: dict[tuple[str, str], int],
        rejections: dict[str, int],
        clicks: ClickCounts | None,
        held_from: str | None = None,
    ) -> Figures:
        """Figures from the stored counts by (submission state, delivery class)."""
        by_state: dict[SubmitState, int] = {}
        by_status: dict[str, int] = {}
        for (state, status_class), count in counts.items():
            by_state[SubmitState(state)] = by_state.get(SubmitState(state), 0) + count
            if state == SubmitState.ACCEPTED.value:
                by_status[status_class] = by_status.get(status_class, 0) + count
        return cls(
            total=max(campaign.recipient_count, sum(by_state.values())),
            by_state=by_state,
            by_status=by_status,
            rejections=rejections,
            clicks=clicks,
            held_from=held_from,
        )

    @classmethod
    def read(cls, store: Store, campaign: Campaign) -> Figures:
        """Read on the caller's thread: for a campaign small enough to count at once."""
        counts = store.statuses.figures(campaign.id)
        states = {state for state, _ in counts}
        return cls.of(
            campaign,
            counts,
            store.messages.rejections(campaign.id) if SubmitState.REJECTED in states else {},
            store.links.counts(campaign.id) if store.links.has_links(campaign.id) else None,
            store.message_times.first_release(campaign.id)
            if SubmitState.WAITING in states
            else None,
        )

    @property
    def single(self) -> bool:
        """One recipient: shown as the message's own card, not as a campaign's."""
        return self.total <= 1

    @property
    def waiting(self) -> int:
        """Not handed to the platform yet (or being handed right now)."""
        return sum(self.by_state.get(state, 0) for state in _NOT_HANDED_OVER)

    @property
    def held(self) -> int:
        """Waiting for their local time: inside quiet hours, or a send at a local hour."""
        return self.by_state.get(SubmitState.WAITING, 0)

    @property
    def submitted(self) -> int:
        return max(0, sum(self.by_state.values()) - self.waiting)

    @property
    def accepted(self) -> int:
        return self.by_state.get(SubmitState.ACCEPTED, 0)

    @property
    def delivered(self) -> int:
        return self.by_status.get("delivered", 0)

    @property
    def failed(self) -> int:
        return self.by_status.get("failed", 0)

    @property
    def pending(self) -> int:
        return self.by_status.get("pending", 0)

    @property
    def rejected(self) -> int:
        return self.by_state.get(SubmitState.REJECTED, 0)

    @property
    def unknown(self) -> int:
        return self.by_state.get(SubmitState.UNKNOWN, 0)

    @property
    def skipped(self) -> int:
        """Not submitted: on the stop-list when their turn came."""
        return self.by_state.get(SubmitState.SKIPPED, 0)

    @property
    def cancelled(self) -> int:
        """Not submitted: the campaign was stopped before their turn."""
        return self.by_state.get(SubmitState.CANCELLED, 0)


async def read_figures(store: Store, campaign: Campaign) -> Figures:
    """The campaign's figures, counted off the event loop when the campaign is big."""
    if campaign.recipient_count < COUNTED_APART_FROM:
        return Figures.read(store, campaign)
    counts = store.statuses.figures_reader(campaign.id)
    rejections = store.message_readers.rejections_reader(campaign.id)
    clicks = store.links.counts_reader(campaign.id) if store.links.has_links(campaign.id) else None
    release = store.message_times.first_release_reader(campaign.id)

    def count() -> Figures:
        return Figures.of(campaign, counts(), rejections(), clicks() if clicks else None, release())

    return await asyncio.to_thread(count)
