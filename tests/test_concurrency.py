"""The adaptive concurrency as a pure object: fed latencies and refusals, its level is checked."""

from __future__ import annotations

import pytest

from bot.platform.concurrency import AdaptiveConcurrency


def answer_rounds(limit: AdaptiveConcurrency, rounds: int, latency: float) -> list[int]:
    """Answer `rounds` full round trips at `latency`; return the level after each."""
    levels = []
    for _ in range(rounds):
        tickets = [limit.ticket() for _ in range(limit.level)]
        for ticket in tickets:
            limit.answered(latency, ticket)
        levels.append(limit.level)
    return levels


def test_starts_at_the_configured_level_within_the_ceiling() -> None:
    assert AdaptiveConcurrency(8, 64).level == 8
    assert AdaptiveConcurrency(100, 64).level == 64
    assert AdaptiveConcurrency(0, 64).level == 1
    with pytest.raises(ValueError, match="ceiling"):
        AdaptiveConcurrency(8, 0)


def test_grows_by_one_per_round_trip_while_latency_stays_at_its_best() -> None:
    limit = AdaptiveConcurrency(8, 64)
    assert answer_rounds(limit, 5, 0.020) == [9, 10, 11, 12, 13]


def test_never_grows_above_the_ceiling() -> None:
    limit = AdaptiveConcurrency(8, 12)
    levels = answer_rounds(limit, 20, 0.020)
    assert max(levels) == 12
    assert levels[-1] == 12


def test_a_refusal_halves_the_level_at_once_and_counts() -> None:
    limit = AdaptiveConcurrency(40, 64)
    limit.refused(limit.ticket())
    assert limit.level == 20
    assert limit.refusals == 1


def test_refusals_of_requests_sent_before_a_cut_do_not_cut_again() -> None:
    limit = AdaptiveConcurrency(32, 64)
    tickets = [limit.ticket() for _ in range(32)]
    for ticket in tickets[:10]:  # ten requests of the same round trip refused
        limit.refused(ticket)
    assert limit.level == 16
    assert limit.refusals == 10
    # A refusal of a request sent after the cut cuts again.
    limit.refused(limit.ticket())
    assert limit.level == 8


def test_the_level_never_falls_below_one() -> None:
    limit = AdaptiveConcurrency(2, 64)
    for _ in range(5):
        limit.refused(limit.ticket())
    assert limit.level == 1


def test_rising_latency_cuts_the_level_by_a_quarter() -> None:
    limit = AdaptiveConcurrency(16, 64)
    answer_rounds(limit, 2, 0.020)  # the best is 20 ms; the level grew to 18
    assert limit.level == 18
    assert answer_rounds(limit, 1, 0.100) == [13]  # five times slower: 18 × 0.75


def test_latency_a_little_above_the_best_holds_the_level() -> None:
    limit = AdaptiveConcurrency(16, 64)
    answer_rounds(limit, 1, 0.020)
    # 36 ms is neither near 20 ms (at most 35 ms) nor rising (above 45 ms).
    assert answer_rounds(limit, 3, 0.036) == [17, 17, 17]
    assert answer_rounds(limit, 1, 0.020) == [18]


def test_slow_answers_to_requests_sent_before_a_cut_are_not_counted() -> None:
    limit = AdaptiveConcurrency(20, 64)
    answer_rounds(limit, 1, 0.020)
    old = [limit.ticket() for _ in range(limit.level)]
    limit.refused(limit.ticket())
    assert limit.level == 10
    for ticket in old:  # the queue the refusal came from drains slowly
        limit.answered(0.500, ticket)
    assert limit.level == 10
    assert answer_rounds(limit, 1, 0.020) == [11]


def test_a_platform_that_became_slower_for_good_gets_a_new_baseline() -> None:
    limit = AdaptiveConcurrency(8, 64, best_rounds=10)
    answer_rounds(limit, 3, 0.010)
    assert limit.best == pytest.approx(0.010)
    levels = answer_rounds(limit, 40, 0.050)
    # Cut while 50 ms looked slow against 10 ms, then growing again once 50 ms is the best.
    assert limit.best == pytest.approx(0.050)
    assert min(levels) < 11
    assert levels[-1] > levels[-10]


def test_a_refused_level_is_approached_carefully_then_probed_again() -> None:
    limit = AdaptiveConcurrency(16, 64, careful_rounds=4)
    answer_rounds(limit, 1, 0.020)
    assert limit.level == 17
    limit.refused(limit.ticket())  # the platform's limit is 16 in flight
    assert limit.level == 8
    levels = answer_rounds(limit, 8, 0.020)
    assert levels == [9, 10, 11, 12, 13, 14, 15, 16]
    # Just below the refused level it takes four clean rounds to step up.
    assert answer_rounds(limit, 4, 0.020) == [16, 16, 16, 17]
    # A clean round at the refused level: the limit moved, growth goes on as usual.
    assert answer_rounds(limit, 2, 0.020) == [18, 19]


def test_against_a_hard_limit_refusals_stay_under_one_percent() -> None:
    """A platform that refuses any request above 16 in flight, answered round by round."""
    limit = AdaptiveConcurrency(8, 64)
    requests = 0
    for _ in range(2_000):
        tickets = [limit.ticket() for _ in range(limit.level)]
        for position, ticket in enumerate(tickets):
            requests += 1
            if position >= 16:
                limit.refused(ticket)
            else:
                limit.answered(0.020, ticket)
    assert limit.refusals > 0
    assert limit.refusals / requests < 0.01
    assert limit.level <= 17


def test_a_round_ending_while_the_program_runs_late_is_cut_and_growth_resumes_after() -> None:
    limit = AdaptiveConcurrency(8, 64)
    answer_rounds(limit, 8, 0.020)
    assert limit.level == 16
    # Answers as fast as ever, but the event loop is late: a quarter less, once per round.
    tickets = [limit.ticket() for _ in range(limit.level)]
    for ticket in tickets:
        limit.answered(0.020, ticket, crowded=True)
    assert limit.level == 12
    assert limit.refusals == 0
    assert answer_rounds(limit, 2, 0.020) == [13, 14]
