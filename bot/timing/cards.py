"""What people are told about recipients' local times: the preview's quiet-hours note, and
the zones of a send at each recipient's local time on the Schedule card."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.config import Settings
from bot.schedule.when import format_moment
from bot.texts import number, reader_locale
from bot.timing.local_time import LocalSend
from bot.timing.quiet_hours import HeldZone, QuietHours, held_now
from storage.schedules import Schedule, ScheduleMode

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
    lines += _zone_lines(held, window, settings, locale)
    return "\n".join(lines)


def local_send_text(local: LocalSend, settings: Settings, locale: str, *, by_bot: bool) -> str:
    """A send at each recipient's local time on the Schedule card: what it means, then each
    zone with its recipients and when their turn comes (in TIMEZONE)."""
    at = f"{local.wall:%H:%M}"
    if by_bot:
        head = _(
            "🌍 At {time} in each recipient's own zone, by the bot: each zone's recipients are "
            "sent the message when it is {time} there. It can be cancelled, rescheduled or sent "
            "now with /scheduled until the first zone's turn."
        )
    else:
        head = _(
            "🌍 At {time} in each recipient's own zone, by the platform: it is submitted now, "
            "each message with its own sent_date (platform time, {zone}), and can no longer be "
            "cancelled from here."
        )
    lines = [head.format(time=at, zone=html.escape(settings.pulse_timezone))]
    shown = list(local.moments.items())
    for name, moment in shown[:ZONES_SHOWN]:
        lines.append(
            _("• {zone}: {count} — {when}").format(
                zone=html.escape(name or settings.timezone),
                count=number(local.counts.get(name, 0), locale),
                when=format_moment(moment, settings.zone, locale),
            )
        )
    if len(shown) > ZONES_SHOWN:
        rest = sum(local.counts.get(name, 0) for name, _moment in shown[ZONES_SHOWN:])
        last = format_moment(shown[-1][1], settings.zone, locale)
        lines.append(
            _("• {zones} more zones: {count}, the last at {when}").format(
                zones=number(len(shown) - ZONES_SHOWN, locale),
                count=number(rest, locale),
                when=last,
            )
        )
    return "\n".join(lines)


def scheduled_local_text(schedule: Schedule, settings: Settings, locale: str) -> str:
    """The Schedule card's last word for a send at each recipient's local time."""
    wall = datetime.fromisoformat(schedule.local_time or "")
    first = format_moment(schedule.run_at_time, settings.zone, locale)
    if schedule.mode is ScheduleMode.PLATFORM:
        return _(
            "✅ Submitted to the platform as campaign №{campaign}: each recipient gets it at "
            "{time} their time, the first on {when}. It can no longer be cancelled from here."
        ).format(campaign=schedule.campaign_id, time=f"{wall:%H:%M}", when=first)
    return (
        _(
            "✅ Scheduled campaign №{number}: at {time} in each recipient's zone, by the bot; "
            "the first zone's turn is {when}."
        ).format(number=schedule.campaign_id, time=f"{wall:%H:%M}", when=first)
        + "\n"
        + _("See or change it with /scheduled.")
    )


def quiet_at_send(
    settings: Settings, zones: Mapping[str | None, int], at: Mapping[str | None, datetime]
) -> str:
    """For a send by the bot: how many recipients will be inside quiet hours when their turn
    comes (`at`: one moment for everyone under None, or each zone's), and when they get it."""
    window = QuietHours.parse(settings.quiet_hours)
    if window is None:
        return ""
    held: list[HeldZone] = []
    for zone, count in zones.items():
        moment = at.get(zone, at.get(None))
        if count and moment is not None:
            held += held_now(window, moment, {zone: count}, settings.zone)
    if not held:
        return ""
    held.sort(key=lambda item: item.ends)
    total = sum(item.count for item in held)
    locale = reader_locale()
    lines = [
        ngettext(
            "🌙 Quiet hours ({window} in each recipient's local time): {count} recipient will "
            "be inside them at that time and gets the message when they end:",
            "🌙 Quiet hours ({window} in each recipient's local time): {count} recipients will "
            "be inside them at that time and get the message when they end:",
            total,
        ).format(window=window, count=number(total, locale))
    ]
    lines += _zone_lines(held, window, settings, locale)
    return "\n".join(lines)


def _zone_lines(
    held: list[HeldZone], window: QuietHours, settings: Settings, locale: str
) -> list[str]:
    """One line per held zone, the soonest released first; the rest summed up."""
    lines = []
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
    return lines
