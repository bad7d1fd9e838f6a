"""Owners who lose access: their schedules are paused, never fired on their behalf, and every
admin is owed one card to take each over or cancel it, owed across a stop until Telegram took it."""

from __future__ import annotations

import asyncio
import json
import logging

from bot.schedule.notices import OwnerLostAccess
from bot.schedule.timetable import Fired, Outcome, Timetable
from storage.members import Role
from storage.schedules import Schedule, ScheduleState

log = logging.getLogger(__name__)

OWED_CARD = "paused_card:"  # kv: "<owner>:<admin>" -> ids of paused schedules to show that admin
PAUSED_LISTED = 20  # schedules on the admins' card about a member who lost access


class PausingSchedules(Timetable):
    """Pauses the schedules of members who may no longer send, and hands them to admins."""

    owed_cards: asyncio.Task[None] | None = None  # sending the cards a stop kept from admins

    def pause_owner(self, owner_id: int, *, actor_id: int | None) -> list[Schedule]:
        """Pause every pending schedule of a member who may no longer send; returns them.

        Pausing and owing each admin the card about them is one step, so a stop before the
        cards went out is made good at the next start (`tell_owed`)."""
        with self.store.db.atomic():
            paused = self.store.schedules.pause_owned_by(owner_id)
            for schedule in paused:
                self.store.audit.record(
                    actor_id,
                    "schedule_paused",
                    schedule_id=schedule.id,
                    campaign_id=schedule.campaign_id,
                    owner_id=owner_id,
                )
            self._owe_cards(owner_id, paused)
        for schedule in paused:
            self._unregister(schedule.id)
        if paused:
            log.warning(
                "schedules of %s paused, the owner may no longer send: %s",
                owner_id,
                ", ".join(str(schedule.id) for schedule in paused),
            )
        return paused

    async def _pause_orphan(self, schedule: Schedule) -> Fired:
        with self.store.db.atomic():
            if not self.store.schedules.pause(schedule.id, schedule.run_at):
                return Fired.NOTHING
            self.store.audit.record(
                None,
                "schedule_paused",
                schedule_id=schedule.id,
                campaign_id=schedule.campaign_id,
                owner_id=schedule.owner_id,
            )
            self._owe_cards(schedule.owner_id, [schedule])
        self._unregister(schedule.id)
        log.warning("schedule %s paused at its time: its owner may no longer send", schedule.id)
        await self.tell_admins(schedule.owner_id)
        return Fired.PAUSED

    def _owe_cards(self, owner_id: int, paused: list[Schedule]) -> None:
        """Each admin is owed a card about these paused schedules (kept with any owed before)."""
        if not paused:
            return
        for admin in self.store.members.all():
            if admin.role is Role.ADMIN:
                key = f"{OWED_CARD}{owner_id}:{admin.user_id}"
                owed = json.loads(self.store.kv.get(key) or "[]")
                ids = list(dict.fromkeys([*owed, *(schedule.id for schedule in paused)]))
                self.store.kv.set(key, json.dumps(ids))

    async def tell_admins(self, owner_id: int) -> None:
        """Send each admin the card they are owed about the owner's paused schedules: one card
        listing them, with Take over and Cancel. Owed until Telegram took it."""
        for key, value in self.store.kv.with_prefix(f"{OWED_CARD}{owner_id}:"):
            admin_id = int(key.rsplit(":", 1)[1])
            found = [self.store.schedules.get(schedule_id) for schedule_id in json.loads(value)]
            paused = [s for s in found if s is not None and s.state is ScheduleState.PAUSED]
            if paused:
                card = OwnerLostAccess(
                    owner_id,
                    self._name_of(owner_id),
                    tuple(self.summary(schedule) for schedule in paused[:PAUSED_LISTED]),
                    total=len(paused),
                )
                if not await self.notices.tell(admin_id, card):
                    # Still owed: tried again at the next start, until they are taken care of.
                    log.warning("admin %s not told about paused schedules yet", admin_id)
                    continue
            if self.store.kv.get(key) == value:  # nothing newer was owed meanwhile
                self.store.kv.delete(key)

    async def tell_owed(self) -> None:
        """After a start: the cards about paused schedules that a stop kept from the admins."""
        owners = dict.fromkeys(
            int(key[len(OWED_CARD) :].split(":", 1)[0])
            for key, _value in self.store.kv.with_prefix(OWED_CARD)
        )
        for owner_id in owners:
            try:
                await self.tell_admins(owner_id)
            except Exception:
                log.exception("could not tell admins about the paused schedules of %s", owner_id)

    def take_over(
        self, schedule_id: int, *, actor_id: int, role: Role, chat_id: int, locale: str | None
    ) -> Outcome:
        """An admin becomes the owner of a paused schedule, which then goes out at its time."""
        if role is not Role.ADMIN:
            return Outcome.NOT_ALLOWED
        schedule = self.store.schedules.get(schedule_id)
        if schedule is None or schedule.state is not ScheduleState.PAUSED:
            return Outcome.GONE
        with self.store.db.atomic():
            if not self.store.schedules.take_over(
                schedule_id, owner_id=actor_id, owner_chat_id=chat_id, locale=locale
            ):
                return Outcome.GONE
            self.store.audit.record(
                actor_id,
                "schedule_take_over",
                schedule_id=schedule_id,
                campaign_id=schedule.campaign_id,
                previous_owner=schedule.owner_id,
            )
        # Due or overdue by now, it fires at once and `fire` judges it like any other run.
        self._register(self._get(schedule_id))
        log.info("schedule %s taken over by %s from %s", schedule_id, actor_id, schedule.owner_id)
        return Outcome.DONE
