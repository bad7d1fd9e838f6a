"""What a submission pass reports when it ends: why it ended, why it paused, what became of its rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from bot.platform.reasons import Reason


class RunEnd(StrEnum):
    DONE = "done"  # no row of the campaign is left to take
    PAUSED = "paused"  # the platform is unavailable, refuses the account, or answers unreadably
    STOPPED = "stopped"  # the program is stopping; untaken rows stay `new`


class PauseKind(StrEnum):
    REFUSED = "refused"  # a refusal about the whole account: nothing was created
    UNAVAILABLE = "unavailable"  # the platform took nothing, even after the retries
    UNKNOWN = "unknown"  # answers in a row that could not be read


@dataclass(frozen=True)
class Pause:
    """Why a run paused; a refusal keeps the platform's words verbatim in `reason`."""

    kind: PauseKind
    reason: Reason


@dataclass
class RunReport:
    end: RunEnd
    pause: Pause | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    refused: int = 0  # requests the platform refused (429, 503) or that could not connect
    levels: tuple[int, int] = (0, 0)  # lowest and highest concurrency while this pass ran
