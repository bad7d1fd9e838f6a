"""Prometheus figures: sends, statuses, callback latency, Telegram calls."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """One registry per program, so tests and several instances never share counters."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.submissions = Counter(
            "pulse_submissions",
            "Recipients handed to the platform, by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.platform_requests = Counter(
            "pulse_platform_requests",
            "Requests made to the platform, by endpoint",
            ["endpoint"],
            registry=self.registry,
        )
        self.platform_refusals = Counter(
            "pulse_platform_refusals",
            "Platform requests refused (HTTP 429 or 503) or never connected; each cuts concurrency",
            ["reason"],
            registry=self.registry,
        )
        self.submission_concurrency = Gauge(
            "pulse_submission_concurrency",
            "Platform requests allowed in flight now (adapts between 1 and PULSE_MAX_CONCURRENCY)",
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "pulse_event_loop_lag_seconds",
            "How late a callback due every 50 ms ran: the time the event loop was held",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.loop_lag_longest = Gauge(
            "pulse_event_loop_lag_longest_seconds",
            "The longest the event loop was held since the program started",
            registry=self.registry,
        )
        self.gc_pauses = Histogram(
            "pulse_gc_pause_seconds",
            "How long each garbage collection held the program (every thread), by generation",
            ["generation"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
            registry=self.registry,
        )
        self.link_requests = Counter(
            "pulse_link_requests",
            "Requests for tracked short links: counted clicks, preview robots, unknown codes",
            ["kind"],
            registry=self.registry,
        )
        self.statuses = Counter(
            "pulse_statuses",
            "Status callbacks stored, by class",
            ["status_class"],
            registry=self.registry,
        )
        self.callbacks_refused = Counter(
            "pulse_callbacks_refused",
            "Status callbacks refused, by reason",
            ["reason"],
            registry=self.registry,
        )
        self.callback_latency = Histogram(
            "pulse_callback_latency_seconds",
            "Time from a callback's arrival to its answer",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.telegram_calls = Counter(
            "pulse_telegram_calls",
            "Bot API calls, by method and outcome",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.telegram_retry_after = Counter(
            "pulse_telegram_retry_after",
            "Bot API answers 429 (retry_after)",
            registry=self.registry,
        )
        self.scheduled_waiting = Gauge(
            "pulse_scheduled_waiting",
            "Scheduled sends waiting for their time",
            registry=self.registry,
        )
        self.status_commit_size = Histogram(
            "pulse_status_commit_size",
            "Status callbacks stored per database transaction",
            buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
            registry=self.registry,
        )
        self.card_updates = Counter(
            "pulse_card_updates",
            "Status card messages sent, edited, and final reports sent",
            ["kind"],
            registry=self.registry,
        )
        self.card_updates_pending = Gauge(
            "pulse_card_updates_pending",
            "Status cards waiting to be redrawn",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
