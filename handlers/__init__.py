"""aiogram routers, one conversation per module, included in this order."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    """Routers in the order they are tried: specific conversations first, the catch-all last."""
    from handlers import (
        common,
        compose,
        members,
        recovery,
        schedule,
        scheduled,
        status,
        stoplist,
        templates,
    )

    # /cancel before every conversation, so no wizard step can swallow it;
    # common last, since it ends with the catch-all for unknown commands.
    return [
        common.cancel_router,
        members.router,
        recovery.router,
        compose.router,
        scheduled.router,  # before schedule.router, which ends with its stale-card catch-all
        schedule.router,
        templates.router,
        stoplist.router,
        status.router,
        common.router,
    ]
