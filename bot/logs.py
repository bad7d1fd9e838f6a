"""One line per event, and secrets masked in whatever a log line ends up holding."""

from __future__ import annotations

import atexit
import logging
import queue
import sys
from collections.abc import Iterable
from logging.handlers import QueueHandler, QueueListener

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SecretMask(logging.Filter):
    """Replaces every known secret in a formatted record with ***."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Every secret is masked whatever its length: a short one is still a secret.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = message
        for secret in self.secrets:
            masked = masked.replace(secret, "***")
        if record.exc_info and record.exc_info[1] is not None:
            # Exceptions may carry a URL with the token: format them now, masked.
            text = logging.Formatter().formatException(record.exc_info)
            for secret in self.secrets:
                text = text.replace(secret, "***")
            masked = f"{masked}\n{text}"
            record.exc_info = None
            record.exc_text = None
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def mask_phone(address: str) -> str:
    """Keep the first digits and the last two, so logs identify a number without holding it."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(address) <= 6:
        return "***"
    return f"{address[:4]}***{address[-2:]}"


_listener: QueueListener | None = None


def setup_logging(secrets: Iterable[str], level: int = logging.INFO) -> None:
    """Log lines go to stderr from a thread of their own: the event loop only queues them, so a
    slow disk or a full pipe never holds it. Called again, it replaces the earlier set-up (the
    secrets known by then are masked from then on)."""
    global _listener
    if _listener is not None:
        _listener.stop()  # writes what is queued first
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(SecretMask(secrets))
    lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    _listener = QueueListener(lines, handler)
    _listener.start()
    root = logging.getLogger()
    root.handlers[:] = [QueueHandler(lines)]
    root.setLevel(level)
    # aiogram logs every handled update at INFO: one line per event is enough from our own code.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)


@atexit.register
def _write_queued_lines() -> None:
    if _listener is not None:
        _listener.stop()
