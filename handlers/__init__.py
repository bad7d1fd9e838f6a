"""aiogram routers, one conversation per module, included in this order."""

from __future__ import annotations

from aiogram import Router


def get_routers() -> list[Router]:
    """Fresh routers, in the order they are tried: specific conversations first, the catch-all last.

    Each call builds new ones, so several Dispatchers can live in one process.
    """
    from handlers import (
        approval,
        campaign_card,
        common,
        compose,
        errors,
        me,
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
        errors.build_router(),  # errors reach every router in order: this one takes them all
        common.build_cancel_router(),
        approval.build_router(),  # before compose: a reason replied to a prompt is not a step
        members.build_router(),
        me.build_router(),
        recovery.build_router(),
        compose.build_router(),
        scheduled.build_router(),
        schedule.build_router(),
        templates.build_router(),
        stoplist.build_router(),
        status.build_router(),
        campaign_card.build_router(),
        common.build_router(),
    ]
