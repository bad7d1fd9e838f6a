"""Timed sends: creating schedules, registering them with APScheduler, firing each run exactly once.

Design:
- The `schedules` table is the source of truth; APScheduler only holds one `DateTrigger` job per
  pending schedule (`schedule:<id>`), rebuilt from the table at every start.
- A schedule points at a source campaign in state `scheduled`, made by `Sender.create` with the
  composed draft and recipients. A one-off schedule launches that campaign. A recurring one keeps
  it as a template that is never submitted: each run copies it (fields and recipient rows, one
  INSERT ... SELECT each) into a new campaign and launches the copy.
- A run is claimed in the database (a conditional UPDATE on state `pending` and the expected
  `run_at`) in the same transaction that makes its campaign due for submission, so a second
  fire, a stale job or a restart finds the run taken, and a stop, crash or error between the
  claim and the start leaves a campaign that the next start resumes like any other: once.
- Jobs have `misfire_grace_time=None`: APScheduler runs a late job however late, and `fire`
  decides from the table. A run found less than SCHEDULE_GRACE_MINUTES late is sent; a later one
  becomes `missed` and its owner is asked (Send now / Discard). For a recurring schedule only the
  latest missed run is asked about; the series continues with its next run after now.
- A schedule whose owner may no longer send (revoked, or made a viewer) is `paused`, never
  fired: at the revocation, and again at its time if it was still pending then. Every admin gets
  a card to take it over (it then fires normally, on the admin's behalf) or cancel it.
- Platform mode submits at once with `sent_date` (the time in PULSE_TIMEZONE); its row is kept
  as `done` so /scheduled can show it until its time, but it cannot be cancelled from here.
- The service holds no `Bot` and no `I18n`: what it tells people (a missed run, the admins'
  card) is a `Notice` of plain facts (notices.py) told through the injected `notices`, and
  cards.py says how each reads.

Its parts, one job each, all on `Timetable` (timetable.py: the table, the jobs, the clock):
creating.py makes schedules; firing.py fires runs; pausing.py handles owners who lost access;
managing.py is what members change from /scheduled.
"""

from __future__ import annotations

from bot.schedule.creating import CreatingSchedules
from bot.schedule.managing import ManagingSchedules
from bot.schedule.timetable import CampaignSender, Fired, Outcome, Owner, job_id, stamp_of

__all__ = [
    "CampaignSender",
    "Fired",
    "Outcome",
    "Owner",
    "SchedulingService",
    "job_id",
    "stamp_of",
]


class SchedulingService(CreatingSchedules, ManagingSchedules):
    """Creates, fires and manages scheduled sends: one object over the schedules table, each of
    its jobs in a module of its own (creating, firing, pausing, managing, on `Timetable`)."""
