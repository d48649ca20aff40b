"""What every area of the workshop service shares: loading what the caller may see,
turning rows into the domain's values and back, the job view, history and events.

`WorkshopService` is these mixins joined (`service.py`); each area's RPCs live in
its own module (`board`, `clocking`, `additional_work`, `qc`, `capacity`, `figures`,
`handlers`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from nameko.dependency_providers import Config
from sqlalchemy import select

from aftersales_contracts import validate_payload
from aftersales_contracts.api.workshop import JobDetailOut, JobOut
from aftersales_core.envelope import as_utc, utcnow
from aftersales_core.errors import NotFound
from aftersales_core.service import ServiceBase

from . import domain
from .models import (
    Attendance,
    ClockSession,
    Job,
    JobHistory,
    Order,
    PartHold,
    QcCheck,
    ShiftPattern,
    Technician,
)
from .views import check_view, utc

WATCH_SECONDS = "WORKSHOP_WATCH_SECONDS"
COMEBACK_DAYS = "WORKSHOP_COMEBACK_DAYS"


class WorkshopBase(ServiceBase):
    """The workshop's database, caller and config, and the helpers every area uses."""

    name = "workshop"
    config = Config()

    # ---------------------------------------------------------------- loading
    def _job(self, job_id: str, lock: bool = False) -> Job:
        """A job the caller may see; another group's or site's job is "not found"."""
        tenant = self.caller.tenant
        stmt = select(Job).where(Job.job_id == job_id)
        if lock:
            stmt = stmt.with_for_update()
        job = self.db.session.scalars(stmt).first()
        if job is None or job.group_id != tenant.group_id or not tenant.can_see_site(job.site_id):
            raise NotFound(f"job {job_id} not found", "JOB_NOT_FOUND")
        return job

    def _order(self, order_id: str, lock: bool = False) -> Order:
        tenant = self.caller.tenant
        stmt = select(Order).where(Order.order_id == order_id)
        if lock:
            stmt = stmt.with_for_update()
        order = self.db.session.scalars(stmt).first()
        if (
            order is None
            or order.group_id != tenant.group_id
            or not tenant.can_see_site(order.site_id)
        ):
            raise NotFound(f"repair order {order_id} not found", "ORDER_NOT_FOUND")
        return order

    def _site_technician(
        self, where: Job | Order, technician_id: str, field_name: str = "technician_id"
    ) -> Technician:
        tech = self.db.session.get(Technician, technician_id)
        domain.require_site_member(
            (tech.group_id, tech.site_id) if tech else None,
            (where.group_id, where.site_id),
            field_name,
            "technician",
            "UNKNOWN_TECHNICIAN",
        )
        assert tech is not None
        return tech

    def _actor(self, job: Job, requested: str | None) -> Technician:
        """The technician an action on the job is for (see `domain.actor`)."""
        tenant = self.caller.tenant
        tenant.require_site(job.site_id)
        technician_id = domain.actor(tenant.user_id, tenant.roles, requested, job.technician_id)
        return self._site_technician(job, technician_id)

    def _technicians(self, group_id: str, sites: Iterable[str] | None) -> list[Technician]:
        stmt = select(Technician).where(Technician.group_id == group_id)
        if sites is not None:
            stmt = stmt.where(Technician.site_id.in_(list(sites)))
        return list(self.db.session.scalars(stmt.order_by(Technician.technician_id)))

    def _pattern(self, site_id: str) -> domain.ShiftPattern:
        row = self.db.session.get(ShiftPattern, site_id)
        if row is None:
            return domain.DEFAULT_PATTERN
        return domain.ShiftPattern(frozenset(row.working_days), domain.hours(row.hours))

    def _recorded_hours(
        self, technicians: Iterable[str], first: date, last: date
    ) -> dict[tuple[str, date], Decimal]:
        techs = list(technicians)
        if not techs:
            return {}
        rows = self.db.session.execute(
            select(Attendance.technician_id, Attendance.day, Attendance.hours).where(
                Attendance.technician_id.in_(techs),
                Attendance.day >= first,
                Attendance.day <= last,
            )
        ).all()
        return {(tech, day): domain.hours(hours) for tech, day, hours in rows}

    # ---------------------------------------------------------------- jobs and the domain
    @staticmethod
    def _state(job: Job) -> domain.Job:
        return domain.Job(
            job.status,
            job.technician_id,
            job.team_id,
            job.plate_confirmed_by,
            job.qc_stage,
            job.pause_reason,
        )

    @staticmethod
    def _apply(job: Job, state: domain.Job) -> None:
        job.status, job.technician_id, job.team_id = (
            state.status,
            state.technician_id,
            state.team_id,
        )
        job.plate_confirmed_by, job.qc_stage = state.plate_confirmed_by, state.qc_stage
        job.pause_reason = state.pause_reason
        job.updated_at = utcnow()

    def _history(
        self,
        job: Job,
        action: str,
        from_status: str | None,
        detail: dict[str, Any],
        by: str | None = None,
    ) -> None:
        self.db.session.add(
            JobHistory(
                job_id=job.job_id,
                at=utcnow(),
                by=by or self.caller.tenant.user_id,
                action=action,
                from_status=from_status,
                to_status=job.status,
                detail={k: v for k, v in detail.items() if v is not None},
            )
        )

    def _publish(self, event_type: str, where: Job | Order, payload: dict[str, Any]) -> None:
        """Into the outbox, in this transaction; checked against its contract first."""
        validate_payload(event_type, payload)
        self.db.publish(
            event_type,
            payload,
            group_id=where.group_id,
            site_id=where.site_id,
            correlation_id=where.order_id,
        )

    def _close_session(self, job: Job, reason: str) -> None:
        open_session = self.db.session.scalars(
            select(ClockSession).where(
                ClockSession.job_id == job.job_id, ClockSession.ended_at.is_(None)
            )
        ).first()
        if open_session is not None:
            open_session.ended_at = utcnow()
            open_session.end_reason = reason

    # ---------------------------------------------------------------- the job view
    def _clocked(self, job_ids: list[str]) -> dict[str, Decimal]:
        """Hours clocked on each job, all sessions (an open one up to now), to 0.1 h."""
        now = utcnow()
        exact: dict[str, Decimal] = {j: domain.ZERO for j in job_ids}
        if job_ids:
            for job_id, began, ended in self.db.session.execute(
                select(ClockSession.job_id, ClockSession.started_at, ClockSession.ended_at).where(
                    ClockSession.job_id.in_(job_ids)
                )
            ):
                exact[job_id] += domain.hours_between(
                    as_utc(began), as_utc(ended) if ended else now
                )
        return {j: domain.hours(h) for j, h in exact.items()}

    def _job_views(self, jobs: list[Job]) -> list[dict[str, Any]]:
        """Jobs as `JobOut` shows them, with what their ROs and clocks say."""
        if not jobs:
            return []
        session = self.db.session
        ids = [j.job_id for j in jobs]
        order_ids = {j.order_id for j in jobs}
        orders = {
            o.order_id: o
            for o in session.scalars(select(Order).where(Order.order_id.in_(order_ids)))
        }
        waiting_parts = set(
            session.scalars(
                select(PartHold.order_id).where(
                    PartHold.order_id.in_(order_ids), PartHold.arrived_at.is_(None)
                )
            )
        )
        clocked = self._clocked(ids)
        on_now = dict(
            session.execute(
                select(ClockSession.job_id, ClockSession.technician_id).where(
                    ClockSession.job_id.in_(ids), ClockSession.ended_at.is_(None)
                )
            ).all()
        )
        views = []
        for j in jobs:
            order = orders.get(j.order_id)
            views.append(
                {
                    "job_id": j.job_id,
                    "order_id": j.order_id,
                    "order_number": order.order_number if order else None,
                    "line_id": j.line_id,
                    "work_id": j.work_id,
                    "site_id": j.site_id,
                    "operation_code": j.operation_code,
                    "description": j.description,
                    "standard_hours": domain.hours(j.standard_hours),
                    "clocked_hours": clocked[j.job_id],
                    "payer": j.payer,
                    "skill": domain.job_skill(j.skill, j.operation_code),
                    "status": j.status,
                    "qc_stage": j.qc_stage,
                    "technician_id": j.technician_id,
                    "team_id": j.team_id,
                    "bay_id": j.bay_id,
                    "planned_date": j.planned_date,
                    "pause_reason": j.pause_reason,
                    "waiting_for_parts": j.order_id in waiting_parts,
                    "plate": order.plate if order else None,
                    "vin": order.vin if order else None,
                    "promised_at": utc(order.promised_at) if order else None,
                    "plate_confirmed_by": j.plate_confirmed_by,
                    "clocked_on_by": on_now.get(j.job_id),
                    "needs_road_test": domain.needs_road_test(j.operation_code),
                    "rework_count": j.rework_count,
                    "rework_reason": j.rework_reason,
                    "done_at": utc(j.done_at),
                }
            )
        return views

    def _job_out(self, job: Job) -> dict[str, Any]:
        return JobOut().dump(self._job_views([job])[0])

    def _job_document(self, job: Job) -> dict[str, Any]:
        """The job with its history, clock sessions and checks, dumped as `GET` sends it
        (its digest is the job's ETag)."""
        session = self.db.session
        view = self._job_views([job])[0]
        view["history"] = [
            {
                "at": utc(h.at),
                "by": h.by,
                "action": h.action,
                "from_status": h.from_status,
                "to_status": h.to_status,
                "detail": h.detail,
            }
            for h in session.scalars(
                select(JobHistory).where(JobHistory.job_id == job.job_id).order_by(JobHistory.id)
            )
        ]
        view["sessions"] = [
            {
                "technician_id": s.technician_id,
                "started_at": utc(s.started_at),
                "ended_at": utc(s.ended_at),
                "end_reason": s.end_reason,
            }
            for s in session.scalars(
                select(ClockSession)
                .where(ClockSession.job_id == job.job_id)
                .order_by(ClockSession.started_at)
            )
        ]
        view["checks"] = [
            check_view(c)
            for c in session.scalars(
                select(QcCheck).where(QcCheck.job_id == job.job_id).order_by(QcCheck.checked_at)
            )
        ]
        return JobDetailOut().dump(view)
