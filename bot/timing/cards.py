"""What people are told about recipients' local times: the preview's quiet-hours note."""

from __future__ import annotations

import html
from datetime import datetime

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.config import Settings
from bot.schedule.when import format_moment
from bot.texts import number, reader_locale
from bot.timing.quiet_hours import QuietHours, held_now

ZONES_SHOWN = 5  # zone lines under the quiet-hours note; the rest are summed up


def quiet_hours_note(settings: Settings, zones: dict[str | None, int], now: datetime) -> str:
    """How many recipients are inside quiet hours now and when they get the message; empty
    when quiet hours are off or nobody is inside them."""
    window = QuietHours.parse(settings.quiet_hours)
    held = held_now(window, now, zones, settings.zone)
    if not held:
        return ""
    total = sum(item.count for item in held)
    locale = reader_locale()
    lines = [
        ngettext(
            "🌙 Quiet hours ({window} in each recipient's local time): {count} recipient is "
            "inside them now and gets the message when they end:",
            "🌙 Quiet hours ({window} in each recipient's local time): {count} recipients are "
            "inside them now and get the message when they end:",
            total,
        ).format(window=window, count=number(total, locale))
    ]
    for item in held[:ZONES_SHOWN]:
        lines.append(
            _("    {count} in {zone}: at {local} their time, {when}").format(
                count=number(item.count, locale),
                zone=html.escape(item.zone or settings.timezone),
                local=f"{window.end:%H:%M}",
                when=format_moment(item.ends, settings.zone, locale),
            )
        )
    if len(held) > ZONES_SHOWN:
        rest = sum(item.count for item in held[ZONES_SHOWN:])
        lines.append(
            _("    {count} in {zones} more zones, later").format(
                count=number(rest, locale), zones=number(len(held) - ZONES_SHOWN, locale)
            )
        )
    return "\n".join(lines)
