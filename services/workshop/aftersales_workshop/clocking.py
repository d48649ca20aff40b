"""The technician's time: the plate check, clocking on and off, pauses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from aftersales_contracts.api.workshop import ClockOffIn, ClockOnIn, PauseIn, PlateCheckIn
from aftersales_core.envelope import utcnow
from aftersales_core.ids import new_id
from aftersales_core.service import command
from aftersales_core.validation import load

from . import domain, events
from .base import WorkshopBase
from .models import ClockSession, Job, Order


class Clocking(WorkshopBase):
    @command
    def confirm_plate(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The technician checks the car against the RO before touching it."""
        fields = load(PlateCheckIn(), data)
        job = self._job(job_id, lock=True)
        tech = self._actor(job, fields["technician_id"])
        order = self.db.session.get(Order, job.order_id)
        domain.check_plate(order.plate, order.vin, fields["plate"], fields["vin"])
        before = self._state(job)
        self._apply(job, domain.confirm_plate(before, tech.technician_id, tech.team_id))
        job.plate_confirmed_at = utcnow()
        self._history(
            job,
            "plate_confirmed",
            before.status,
            {"technician_id": tech.technician_id, "plate": fields["plate"], "vin": fields["vin"]},
        )
        return self._job_out(job)

    @command
    def clock_on(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Start or resume work; one technician is on one job at a time."""
        fields = load(ClockOnIn(), data)
        job = self._job(job_id, lock=True)
        tech = self._actor(job, fields["technician_id"])
        session = self.db.session
        busy = session.scalars(
            select(ClockSession.job_id).where(
                ClockSession.technician_id == tech.technician_id, ClockSession.ended_at.is_(None)
            )
        ).first()
        before = self._state(job)
        self._apply(job, domain.clock_on(before, tech.technician_id, tech.team_id, busy))
        now = utcnow()
        session.add(
            ClockSession(
                session_id=new_id("cs"),
                job_id=job.job_id,
                group_id=job.group_id,
                site_id=job.site_id,
                technician_id=tech.technician_id,
                started_at=now,
            )
        )
        technician_id = tech.technician_id
        try:
            session.flush()
        except IntegrityError:
            # Two clock-ons raced and the index let one through.  Roll back before
            # anything else: the failed flush left every loaded row expired.
            self.db.rollback()
            domain.busy_elsewhere(technician_id)
        self._history(job, "clocked_on", before.status, {"technician_id": tech.technician_id})
        self._publish("job_started", job, events.job_started(job, tech.technician_id, now))
        return self._job_out(job)

    @command
    def clock_off(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Clock off: finished (`done`: on to the self-check) or paused with a reason."""
        fields = load(ClockOffIn(), data)
        if not fields["done"]:
            reason = fields["reason"] or "end_of_shift"
            return self._job_out(self._pause(job_id, fields["technician_id"], reason))
        job = self._job(job_id, lock=True)
        tech = self._actor(job, fields["technician_id"])
        before = self._state(job)
        after = domain.finish(before, tech.technician_id)
        self._close_session(job, "done")
        self._apply(job, after)
        self._history(job, "finished", before.status, {"technician_id": tech.technician_id})
        return self._job_out(job)

    @command
    def pause_job(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Stop work on a job with a reason (waiting for parts, for approval, ...)."""
        fields = load(PauseIn(), data)
        job = self._pause(job_id, fields["technician_id"], fields["reason"], fields["note"])
        return self._job_out(job)

    def _pause(
        self, job_id: str, technician_id: str | None, reason: str, note: str | None = None
    ) -> Job:
        """Pause the job (its clock session ends) and tell reception; the job, saved."""
        job = self._job(job_id, lock=True)
        tech = self._actor(job, technician_id)
        before = self._state(job)
        after = domain.pause(before, reason, tech.technician_id)
        self._close_session(job, reason)
        self._apply(job, after)
        self._history(
            job,
            "paused",
            before.status,
            {"reason": reason, "note": note, "technician_id": tech.technician_id},
        )
        self._publish("job_paused", job, events.job_paused(job, tech.technician_id, reason))
        return job
