"""Workshop's nameko service: thin entrypoints that load, ask `domain`, save and publish.

RPCs are grouped as the workshop's day runs: people and capacity, the dispatch
board and dispatch, the technician's time, additional work, quality control,
figures.  Reception's and parts' events build the workshop's view of each RO
and its jobs; a timer watches promised times.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE
from marshmallow import ValidationError as MarshmallowError
from nameko.dependency_providers import Config
from nameko.timer import Timer
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from aftersales_contracts import contract, validate_payload
from aftersales_core.envelope import Envelope, as_utc, utcnow
from aftersales_core.errors import Conflict, NotFound, ValidationFailed
from aftersales_core.service import ServiceBase, command, on_event, query
from aftersales_core.tenancy import Tenant
from aftersales_core.validation import load

from . import domain
from .models import (
    AdditionalWork,
    Attendance,
    Bay,
    ClockSession,
    Comeback,
    Job,
    JobHistory,
    Order,
    PartHold,
    QcCheck,
    Rework,
    RiskNotice,
    ShiftPattern,
    Team,
    Technician,
)
from .schemas import (
    AdditionalWorkIn,
    AttendanceIn,
    ClockOffIn,
    ClockOnIn,
    DispatchIn,
    OrderCheckIn,
    PauseIn,
    PlateCheckIn,
    QcCheckIn,
    ReferenceDataIn,
    ShiftPatternIn,
    TechnicianOut,
)

log = logging.getLogger(__name__)

WATCH_SECONDS = "WORKSHOP_WATCH_SECONDS"
COMEBACK_DAYS = "WORKSHOP_COMEBACK_DAYS"


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def setting(config: dict[str, Any], key: str, default: float) -> float:
    """A number from the nameko config, else the environment, else the default."""
    value = config.get(key, os.environ.get(key))
    return float(value) if value not in (None, "") else default


def parse_day(value: Any, field_name: str = "date") -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed.on(field_name, "a date as YYYY-MM-DD", "INVALID_DATE") from None


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants that bound local days first..last (inclusive)."""
    start = datetime.combine(first, time.min, domain.SITE_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, domain.SITE_TZ).astimezone(UTC)
    return start, end


def iso(value: datetime | None) -> str | None:
    return None if value is None else as_utc(value).isoformat()


class WatchTimer(Timer):
    """nameko's timer with its period read from the config (or the environment) at
    set-up, so a test can run the progress watch every fraction of a second."""

    def __init__(self, setting_key: str, default_seconds: float, **kwargs: Any) -> None:
        self.setting_key = setting_key
        super().__init__(interval=default_seconds, **kwargs)

    def setup(self) -> None:
        self.interval = setting(self.container.config, self.setting_key, self.interval)


def event_payload(event: Envelope) -> dict[str, Any]:
    """An incoming payload loaded by its contract (decimals, datetimes); a broken one
    raises, is requeued and ends in the dead-letter queue."""
    try:
        return contract(event.type).schema(unknown=EXCLUDE).load(event.payload)
    except MarshmallowError as exc:
        raise ValidationFailed(
            f"{event.type} breaks its contract", "CONTRACT", exc.messages
        ) from None


class WorkshopService(ServiceBase):
    name = "workshop"
    config = Config()

    # ================================================================ reference data
    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's teams, technicians and bays (idempotent; used by `aftersales seed`)."""
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        self.caller.tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"teams": 0, "technicians": 0, "bays": 0}
        for model, key, rows in (
            (Team, "team_id", "teams"),
            (Technician, "technician_id", "technicians"),
            (Bay, "bay_id", "bays"),
        ):
            for index, row in enumerate(fields[rows]):
                if model is Technician:
                    self._check_team(group_id, index, row)
                if session.get(model, row[key]) is None:
                    session.add(model(group_id=group_id, **row))
                    counts[rows] += 1
            session.flush()
        return counts

    def _check_team(self, group_id: str, index: int, technician: dict[str, Any]) -> None:
        """A technician's team must be a team of the same group and site."""
        team_id = technician.get("team_id")
        if not team_id:
            return
        team = self.db.session.get(Team, team_id)
        if team is None or (team.group_id, team.site_id) != (group_id, technician["site_id"]):
            message = f"team {team_id} is not a team of site {technician['site_id']}"
            raise ValidationFailed(
                message, "UNKNOWN_TEAM", {"technicians": {index: {"team_id": [message]}}}
            )

    @query
    def list_technicians(self, site_id: str) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        return TechnicianOut(many=True).dump(self._technicians(tenant.group_id, [site_id]))

    @query
    def list_bays(self, site_id: str) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        rows = self.db.session.scalars(
            select(Bay)
            .where(Bay.group_id == tenant.group_id, Bay.site_id == site_id)
            .order_by(Bay.bay_id)
        ).all()
        return [
            {"bay_id": b.bay_id, "site_id": b.site_id, "name": b.name, "kind": b.kind} for b in rows
        ]

    # ================================================================ attendance and capacity
    @query
    def capacity(self, site_id: str, day: str) -> dict[str, Any]:
        """Technician hours present on a day and standard hours of open jobs planned for it.

        Reception limits appointments with it.
        """
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        the_day = parse_day(day)
        technicians = [t.technician_id for t in self._technicians(tenant.group_id, [site_id])]
        recorded = self._recorded_hours(technicians, the_day, the_day)
        booked = self.db.session.scalars(
            select(Job.standard_hours).where(
                Job.group_id == tenant.group_id,
                Job.site_id == site_id,
                Job.planned_date == the_day,
                Job.status.not_in(domain.CLOSED),
            )
        ).all()
        available, booked_hours = domain.capacity(
            the_day,
            self._pattern(site_id),
            technicians,
            {tech: hours for (tech, _day), hours in recorded.items()},
            booked,
        )
        return {
            "site_id": site_id,
            "date": the_day.isoformat(),
            "available_hours": str(available),
            "booked_hours": str(booked_hours),
        }

    @command
    def set_shift_pattern(self, site_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A site's regular working days and hours per technician."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        tenant.require_role(*domain.ATTENDANCE_ROLES)
        fields = load(ShiftPatternIn(), data)
        pattern = domain.check_pattern(fields["working_days"], fields["hours"])
        row = self.db.session.get(ShiftPattern, site_id)
        if row is None:
            row = ShiftPattern(site_id=site_id, group_id=tenant.group_id)
            self.db.session.add(row)
        row.working_days = sorted(pattern.working_days)
        row.hours = pattern.hours
        row.updated_by = tenant.user_id
        row.updated_at = utcnow()
        return self._pattern_out(site_id, pattern)

    @command
    def record_attendance(self, site_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record who was present on a day, for how long (or on leave, sick, absent)."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        tenant.require_role(*domain.ATTENDANCE_ROLES)
        fields = load(AttendanceIn(), data)
        the_day: date = fields["date"]
        pattern = self._pattern(site_id)
        session = self.db.session
        for index, entry in enumerate(fields["entries"]):
            tech = session.get(Technician, entry["technician_id"])
            if tech is None or (tech.group_id, tech.site_id) != (tenant.group_id, site_id):
                raise ValidationFailed(
                    "not a technician of this site",
                    "UNKNOWN_TECHNICIAN",
                    {"entries": {str(index): {"technician_id": ["not a technician of this site"]}}},
                )
            try:
                present = domain.attendance_hours(
                    entry["status"], entry["hours"], pattern.hours_on(the_day)
                )
            except ValidationFailed as exc:
                raise ValidationFailed(
                    exc.message, exc.code, {"entries": {str(index): exc.fields}}
                ) from None
            row = session.get(Attendance, (tech.technician_id, the_day))
            if row is None:
                row = Attendance(technician_id=tech.technician_id, day=the_day)
                session.add(row)
            row.group_id, row.site_id = tenant.group_id, site_id
            row.status, row.hours, row.note = entry["status"], present, entry["note"]
            row.recorded_by, row.recorded_at = tenant.user_id, utcnow()
        session.flush()
        return self._attendance(tenant, site_id, the_day)

    @query
    def attendance(self, site_id: str, day: str) -> dict[str, Any]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        return self._attendance(tenant, site_id, parse_day(day))

    def _attendance(self, tenant: Tenant, site_id: str, the_day: date) -> dict[str, Any]:
        pattern = self._pattern(site_id)
        techs = self._technicians(tenant.group_id, [site_id])
        rows = {
            a.technician_id: a
            for a in self.db.session.scalars(
                select(Attendance).where(
                    Attendance.site_id == site_id,
                    Attendance.day == the_day,
                    Attendance.group_id == tenant.group_id,
                )
            )
        }
        entries = []
        for t in techs:
            row = rows.get(t.technician_id)
            entries.append(
                {
                    "technician_id": t.technician_id,
                    "name": t.name,
                    "team_id": t.team_id,
                    "status": row.status if row else "scheduled",
                    "hours": str(domain.hours(row.hours if row else pattern.hours_on(the_day))),
                    "note": row.note if row else None,
                    "recorded": row is not None,
                }
            )
        total = sum((Decimal(e["hours"]) for e in entries), start=domain.ZERO)
        return {
            "site_id": site_id,
            "date": the_day.isoformat(),
            "pattern": self._pattern_out(site_id, pattern),
            "technicians": entries,
            "total_hours": str(domain.hours(total)),
        }

    def _pattern(self, site_id: str) -> domain.ShiftPattern:
        row = self.db.session.get(ShiftPattern, site_id)
        if row is None:
            return domain.DEFAULT_PATTERN
        return domain.ShiftPattern(frozenset(row.working_days), domain.hours(row.hours))

    @staticmethod
    def _pattern_out(site_id: str, pattern: domain.ShiftPattern) -> dict[str, Any]:
        return {
            "site_id": site_id,
            "working_days": sorted(pattern.working_days),
            "hours": str(pattern.hours),
        }

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

    def _technicians(self, group_id: str, sites: Iterable[str] | None) -> list[Technician]:
        stmt = select(Technician).where(Technician.group_id == group_id)
        if sites is not None:
            stmt = stmt.where(Technician.site_id.in_(list(sites)))
        return list(self.db.session.scalars(stmt.order_by(Technician.technician_id)))

    # ================================================================ the dispatch board
    @query
    def dispatch_board(self, site_id: str) -> dict[str, Any]:
        """Every job of a site's ROs still in the workshop, by column, and the
        additional work waiting for customers' answers."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        jobs = list(
            self.db.session.scalars(
                select(Job)
                .join(Order, Order.order_id == Job.order_id)
                .where(
                    Job.group_id == tenant.group_id,
                    Job.site_id == site_id,
                    Order.delivered_at.is_(None),
                    Order.cancelled_at.is_(None),
                    Job.status != domain.CANCELLED,
                )
                .order_by(Job.created_at, Job.job_id)
            )
        )
        views = self._job_views(jobs)
        columns: dict[str, list[dict[str, Any]]] = {s: [] for s in domain.BOARD_COLUMNS}
        for view in views:
            columns[view["status"]].append(view)
        waiting = self.db.session.scalars(
            select(AdditionalWork)
            .join(Order, Order.order_id == AdditionalWork.order_id)
            .where(
                AdditionalWork.group_id == tenant.group_id,
                AdditionalWork.site_id == site_id,
                AdditionalWork.status == "awaiting_approval",
                Order.delivered_at.is_(None),
                Order.cancelled_at.is_(None),
            )
            .order_by(AdditionalWork.found_at)
        ).all()
        return {
            "site_id": site_id,
            "columns": columns,
            "counts": {status: len(items) for status, items in columns.items()},
            "awaiting_approval": [self._work_out(w) for w in waiting],
        }

    @query
    def get_job(self, job_id: str) -> dict[str, Any]:
        """A job with its history, clock sessions and checks."""
        job = self._job(job_id)
        session = self.db.session
        view = self._job_views([job])[0]
        view["history"] = [
            {
                "at": iso(h.at),
                "by": h.by,
                "action": h.action,
                "from_status": h.from_status,
                "to_status": h.to_status,
                "detail": h.detail,
            }
            for h in session.scalars(
                select(JobHistory).where(JobHistory.job_id == job_id).order_by(JobHistory.id)
            )
        ]
        view["sessions"] = [
            {
                "technician_id": s.technician_id,
                "started_at": iso(s.started_at),
                "ended_at": iso(s.ended_at),
                "end_reason": s.end_reason,
            }
            for s in session.scalars(
                select(ClockSession)
                .where(ClockSession.job_id == job_id)
                .order_by(ClockSession.started_at)
            )
        ]
        view["checks"] = [
            self._check_out(c)
            for c in session.scalars(
                select(QcCheck).where(QcCheck.job_id == job_id).order_by(QcCheck.checked_at)
            )
        ]
        return view

    @query
    def suggest_dispatch(self, job_id: str) -> dict[str, Any]:
        """Technicians ranked for a job: the skill it needs, present today, least loaded."""
        job = self._job(job_id)
        session = self.db.session
        techs = self._technicians(job.group_id, [job.site_id])
        ids = [t.technician_id for t in techs]
        load: dict[str, Decimal] = defaultdict(lambda: domain.ZERO)
        for tech_id, standard in session.execute(
            select(Job.technician_id, Job.standard_hours).where(
                Job.technician_id.in_(ids),
                Job.status.in_((domain.ASSIGNED, domain.IN_PROGRESS, domain.PAUSED)),
                Job.job_id != job.job_id,
            )
        ):
            load[tech_id] += standard
        busy = dict(
            session.execute(
                select(ClockSession.technician_id, ClockSession.job_id).where(
                    ClockSession.technician_id.in_(ids), ClockSession.ended_at.is_(None)
                )
            ).all()
        )
        today = domain.local_date(utcnow())
        pattern = self._pattern(job.site_id)
        recorded = self._recorded_hours(ids, today, today)
        skill = domain.job_skill(job.skill, job.operation_code)
        ranked = domain.suggest(
            skill,
            [
                domain.Candidate(
                    t.technician_id,
                    t.name,
                    t.team_id,
                    tuple(t.skills or ()),
                    t.grade,
                    load[t.technician_id],
                    domain.attended_on(today, pattern, recorded.get((t.technician_id, today))),
                    busy.get(t.technician_id),
                )
                for t in techs
            ],
        )
        return {
            "job_id": job.job_id,
            "skill": skill,
            "team_id": ranked[0].team_id if ranked else None,
            "technicians": [
                {
                    "technician_id": s.technician_id,
                    "name": s.name,
                    "team_id": s.team_id,
                    "has_skill": s.has_skill,
                    "present": s.present,
                    "load_hours": str(s.load_hours),
                    "free_hours": str(s.free_hours),
                    "grade": s.grade,
                    "clocked_on": s.clocked_on,
                }
                for s in ranked
            ],
        }

    @command
    def dispatch(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Assign a job to a technician and/or team; a re-dispatch keeps the history."""
        tenant = self.caller.tenant
        tenant.require_role(*domain.DISPATCH_ROLES)
        fields = load(DispatchIn(), data)
        job = self._job(job_id, lock=True)
        session = self.db.session
        technician = team_id = None
        if fields["technician_id"]:
            technician = self._site_technician(job, fields["technician_id"])
            team_id = technician.team_id
        if fields["team_id"]:
            team = session.get(Team, fields["team_id"])
            if team is None or (team.group_id, team.site_id) != (job.group_id, job.site_id):
                raise ValidationFailed.on("team_id", "not a team of this site", "UNKNOWN_TEAM")
            if technician is not None and technician.team_id != team.team_id:
                raise ValidationFailed.on(
                    "team_id", "the technician is not in this team", "TEAM_MISMATCH"
                )
            team_id = team.team_id
        if self._only_team_leader(tenant):
            own = session.get(Technician, tenant.user_id)
            if own is None or own.team_id is None or team_id != own.team_id:
                raise ValidationFailed.on(
                    "team_id", "a team leader dispatches within their own team", "NOT_YOUR_TEAM"
                )
        if fields["bay_id"]:
            bay = session.get(Bay, fields["bay_id"])
            if bay is None or (bay.group_id, bay.site_id) != (job.group_id, job.site_id):
                raise ValidationFailed.on("bay_id", "not a bay of this site", "UNKNOWN_BAY")
            job.bay_id = bay.bay_id
        before = self._state(job)
        after = domain.dispatch(before, technician.technician_id if technician else None, team_id)
        if fields["planned_date"]:
            job.planned_date = fields["planned_date"]
        action = "dispatched" if before.status == domain.UNASSIGNED else "redispatched"
        self._apply(job, after)
        self._history(
            job,
            action,
            before.status,
            {
                "technician_id": after.technician_id,
                "team_id": after.team_id,
                "previous_technician_id": before.technician_id,
                "previous_team_id": before.team_id,
                "bay_id": job.bay_id,
                "planned_date": job.planned_date.isoformat(),
                "note": fields["note"],
            },
        )
        self._publish(
            "job_dispatched",
            job,
            {
                "job_id": job.job_id,
                "order_id": job.order_id,
                "line_id": job.line_id,
                "technician_id": after.technician_id,
                "team_id": after.team_id,
                "dispatched_by": tenant.user_id,
            },
        )
        return self._job_views([job])[0]

    # ================================================================ the technician's time
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
        return self._job_views([job])[0]

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
            raise Conflict(
                f"{technician_id} is clocked on another job", "TECHNICIAN_BUSY"
            ) from None
        self._history(job, "clocked_on", before.status, {"technician_id": tech.technician_id})
        self._publish(
            "job_started",
            job,
            {
                "job_id": job.job_id,
                "order_id": job.order_id,
                "technician_id": tech.technician_id,
                "started_at": now.isoformat(),
            },
        )
        return self._job_views([job])[0]

    @command
    def clock_off(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Clock off: finished (`done`: on to the self-check) or paused with a reason."""
        fields = load(ClockOffIn(), data)
        if not fields["done"]:
            return self._pause(job_id, fields["technician_id"], fields["reason"] or "end_of_shift")
        job = self._job(job_id, lock=True)
        tech = self._actor(job, fields["technician_id"])
        before = self._state(job)
        after = domain.finish(before)
        if before.technician_id != tech.technician_id:
            raise Conflict("the job is clocked by someone else", "NOT_DISPATCHED_TO_YOU")
        self._close_session(job, "done")
        self._apply(job, after)
        self._history(job, "finished", before.status, {"technician_id": tech.technician_id})
        return self._job_views([job])[0]

    @command
    def pause_job(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Stop work on a job with a reason (waiting for parts, for approval, ...)."""
        fields = load(PauseIn(), data)
        return self._pause(job_id, fields["technician_id"], fields["reason"], fields["note"])

    def _pause(
        self, job_id: str, technician_id: str | None, reason: str, note: str | None = None
    ) -> dict[str, Any]:
        job = self._job(job_id, lock=True)
        tech = self._actor(job, technician_id)
        before = self._state(job)
        after = domain.pause(before, reason)
        if before.technician_id != tech.technician_id:
            raise Conflict(
                f"the job is dispatched to {before.technician_id}", "NOT_DISPATCHED_TO_YOU"
            )
        self._close_session(job, reason)
        self._apply(job, after)
        self._history(
            job,
            "paused",
            before.status,
            {"reason": reason, "note": note, "technician_id": tech.technician_id},
        )
        self._publish(
            "job_paused",
            job,
            {
                "job_id": job.job_id,
                "order_id": job.order_id,
                "technician_id": tech.technician_id,
                "reason": reason,
            },
        )
        return self._job_views([job])[0]

    def _close_session(self, job: Job, reason: str) -> None:
        open_session = self.db.session.scalars(
            select(ClockSession).where(
                ClockSession.job_id == job.job_id, ClockSession.ended_at.is_(None)
            )
        ).first()
        if open_session is not None:
            open_session.ended_at = utcnow()
            open_session.end_reason = reason

    # ================================================================ additional work
    @command
    def report_additional_work(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """More work found on a job: reception asks the customer; nothing is done unapproved."""
        tenant = self.caller.tenant
        tenant.require_role(*domain.REPORTER_ROLES)
        fields = load(AdditionalWorkIn(), data)
        job = self._job(job_id, lock=True)
        order = self.db.session.get(Order, job.order_id)
        if order.delivered_at is not None:
            raise Conflict("the car has been delivered", "ORDER_DELIVERED")
        if order.cancelled_at is not None:
            raise Conflict("the repair order was cancelled", "ORDER_CANCELLED")
        work = AdditionalWork(
            work_id=new_id("aw"),
            group_id=job.group_id,
            site_id=job.site_id,
            order_id=job.order_id,
            job_id=job.job_id,
            description=fields["description"],
            found_by=tenant.user_id,
            suggested_operations=[
                {**op, "standard_hours": str(op["standard_hours"])}
                for op in fields["suggested_operations"]
            ],
            suggested_parts=[
                {**p, "quantity": str(p["quantity"])} for p in fields["suggested_parts"]
            ],
            status="awaiting_approval",
            found_at=utcnow(),
        )
        self.db.session.add(work)
        self._history(job, "additional_work_found", job.status, {"work_id": work.work_id})
        self._publish(
            "additional_work_found",
            job,
            {
                "order_id": job.order_id,
                "work_id": work.work_id,
                "job_id": job.job_id,
                "description": work.description,
                "found_by": tenant.user_id,
                "suggested_operations": work.suggested_operations,
                "suggested_parts": work.suggested_parts,
            },
        )
        result = self._work_out(work)
        if fields["pause"] and job.status in (domain.IN_PROGRESS, domain.ASSIGNED):
            self.db.session.flush()
            result["job"] = self._pause(job.job_id, fields["technician_id"], "waiting_for_approval")
        return result

    # ================================================================ quality control
    @command
    def self_check(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The technician's own check of finished work; a failure is back to work, not rework."""
        return self._job_check(job_id, domain.SELF_CHECK, load(QcCheckIn(), data))

    @command
    def team_leader_check(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The team leader's check: passed, the job is done; failed, it is rework."""
        return self._job_check(job_id, domain.TEAM_LEADER_CHECK, load(QcCheckIn(), data))

    def _job_check(self, job_id: str, stage: str, fields: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        job = self._job(job_id, lock=True)
        checker = self.db.session.get(Technician, tenant.user_id)
        before = self._state(job)
        domain.check_job_checker(
            stage, tenant.user_id, tenant.roles, before, checker.team_id if checker else None
        )
        result = domain.evaluate_checklist(stage, fields["items"], fields["remarks"])
        after = domain.after_job_check(before, stage, result.passed)
        check = self._record_check(
            job.order_id, job, stage, result, [job.job_id], job.technician_id
        )
        self._apply(job, after)
        self._history(
            job,
            f"{stage}_{'passed' if result.passed else 'failed'}",
            before.status,
            {"check_id": check.check_id, "reasons": result.reasons},
        )
        if after.status == domain.DONE:
            self._job_done(job)
        elif stage == domain.TEAM_LEADER_CHECK:
            self._rework([job], check, result.reasons, job.technician_id)
        view = self._job_views([job])[0]
        view["check"] = self._check_out(check)
        return view

    def _job_done(self, job: Job) -> None:
        now = utcnow()
        job.done_at = now
        job.done_by = job.technician_id
        if job.first_done_at is None:
            job.first_done_at = now
        self._publish(
            "job_done",
            job,
            {
                "job_id": job.job_id,
                "order_id": job.order_id,
                "line_id": job.line_id,
                "technician_id": job.technician_id,
                "standard_hours": str(domain.hours(job.standard_hours)),
                "clocked_hours": str(self._clocked([job.job_id])[job.job_id]),
                "done_at": now.isoformat(),
            },
        )

    @command
    def road_test(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The road test of an RO whose work is done (brakes, steering, noises)."""
        tenant = self.caller.tenant
        tenant.require_role(*domain.INSPECTOR_ROLES, "team_leader")
        return self._order_check(order_id, domain.ROAD_TEST, load(OrderCheckIn(), data))

    @command
    def final_inspection(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The inspector's final check of an RO: passed, the car may be delivered
        (`qc_passed`); failed, the jobs at fault go back as rework (`qc_failed`)."""
        tenant = self.caller.tenant
        tenant.require_role(*domain.INSPECTOR_ROLES)
        return self._order_check(order_id, domain.FINAL_INSPECTION, load(OrderCheckIn(), data))

    def _order_check(self, order_id: str, stage: str, fields: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        if order.cancelled_at is not None:
            raise Conflict("the repair order was cancelled", "ORDER_CANCELLED")
        session = self.db.session
        jobs = list(
            session.scalars(
                select(Job)
                .where(Job.order_id == order_id, Job.status != domain.CANCELLED)
                .order_by(Job.job_id)
            )
        )
        if not jobs:
            raise Conflict("the RO has no jobs yet", "NO_JOBS")
        unfinished = [j.job_id for j in jobs if j.status != domain.DONE]
        if unfinished:
            raise Conflict(
                "every job must be done (self-check and team-leader check) first",
                "JOBS_NOT_DONE",
                {"job_ids": unfinished},
            )
        if stage == domain.FINAL_INSPECTION and order.qc_status == "passed":
            raise Conflict("the final inspection has passed already", "QC_ALREADY_PASSED")
        road_test_done = self._road_test_passed(order, jobs)
        if stage == domain.FINAL_INSPECTION and self._needs_road_test(jobs) and not road_test_done:
            raise Conflict(
                "this RO needs a passed road test after its last job was done",
                "ROAD_TEST_REQUIRED",
            )
        result = domain.evaluate_checklist(stage, fields["items"], fields["remarks"])
        by_id = {j.job_id: j for j in jobs}
        if result.passed:
            check = self._record_check(order_id, None, stage, result, list(by_id), None, order)
            if stage == domain.FINAL_INSPECTION:
                order.qc_status, order.qc_passed_at = "passed", check.checked_at
                self._publish(
                    "qc_passed",
                    order,
                    {
                        "order_id": order_id,
                        "inspector_id": tenant.user_id,
                        "job_ids": list(by_id),
                        "road_test": road_test_done,
                    },
                )
            return {**self._order_view(order), "check": self._check_out(check)}
        failed_ids = fields["job_ids"]
        if failed_ids is None:
            needing = [j.job_id for j in jobs if domain.needs_road_test(j.operation_code)]
            failed_ids = needing if stage == domain.ROAD_TEST and needing else list(by_id)
        strangers = [j for j in failed_ids if j not in by_id]
        if strangers or not failed_ids:
            raise ValidationFailed.on("job_ids", "jobs of this RO, at least one", "UNKNOWN_JOB")
        failed = [by_id[j] for j in dict.fromkeys(failed_ids)]
        responsible = fields["responsible_technician_id"] or domain.responsible_technician(
            j.technician_id for j in failed
        )
        if responsible is not None:
            self._site_technician(order, responsible, "responsible_technician_id")
        check = self._record_check(
            order_id, None, stage, result, [j.job_id for j in failed], responsible, order
        )
        order.qc_status = "failed"
        for job in failed:
            before = self._state(job)
            self._apply(job, domain.send_back(before))
            self._history(
                job,
                f"{stage}_failed",
                before.status,
                {"check_id": check.check_id, "reasons": result.reasons},
            )
        self._rework(failed, check, result.reasons, responsible)
        return {**self._order_view(order), "check": self._check_out(check)}

    def _rework(
        self, jobs: list[Job], check: QcCheck, reasons: list[str], responsible: str | None
    ) -> None:
        """Jobs back to their technician with the reason; charged; reception told."""
        for job in jobs:
            job.rework_count += 1
            job.rework_reason = "；".join(reasons)
            self.db.session.add(
                Rework(
                    group_id=job.group_id,
                    site_id=job.site_id,
                    job_id=job.job_id,
                    order_id=job.order_id,
                    check_id=check.check_id,
                    stage=check.stage,
                    technician_id=responsible,
                    reasons=reasons,
                    at=check.checked_at,
                )
            )
        self._publish(
            "qc_failed",
            jobs[0],
            {
                "order_id": jobs[0].order_id,
                "inspector_id": check.checked_by,
                "job_ids": [j.job_id for j in jobs],
                "reasons": reasons,
                "responsible_technician_id": responsible,
            },
        )

    def _record_check(
        self,
        order_id: str,
        job: Job | None,
        stage: str,
        result: domain.CheckResult,
        job_ids: list[str],
        responsible: str | None,
        order: Order | None = None,
    ) -> QcCheck:
        where = job if job is not None else order
        assert where is not None
        check = QcCheck(
            check_id=new_id("qc"),
            group_id=where.group_id,
            site_id=where.site_id,
            order_id=order_id,
            job_id=job.job_id if job is not None else None,
            stage=stage,
            checked_by=self.caller.tenant.user_id,
            passed=result.passed,
            items=result.items,
            reasons=result.reasons,
            job_ids=job_ids,
            responsible_technician_id=None if result.passed else responsible,
            checked_at=utcnow(),
        )
        self.db.session.add(check)
        self.db.session.flush()
        return check

    def _needs_road_test(self, jobs: Iterable[Job]) -> bool:
        return any(domain.needs_road_test(j.operation_code) for j in jobs)

    def _road_test_passed(self, order: Order, jobs: list[Job]) -> bool:
        """A road test passed since the last job was (re)done."""
        last_done = max((as_utc(j.done_at) for j in jobs if j.done_at), default=None)
        latest = self.db.session.scalars(
            select(QcCheck)
            .where(QcCheck.order_id == order.order_id, QcCheck.stage == domain.ROAD_TEST)
            .order_by(QcCheck.checked_at.desc())
        ).first()
        if latest is None or not latest.passed:
            return False
        return last_done is None or as_utc(latest.checked_at) >= last_done

    # ================================================================ orders
    @query
    def get_order(self, order_id: str) -> dict[str, Any]:
        """An RO as the workshop sees it: jobs, QC, additional work, parts waited for."""
        return self._order_view(self._order(order_id))

    def _order_view(self, order: Order) -> dict[str, Any]:
        session = self.db.session
        jobs = list(
            session.scalars(
                select(Job).where(Job.order_id == order.order_id).order_by(Job.created_at)
            )
        )
        needs_road_test = self._needs_road_test(jobs)
        checklists = {
            stage: [{"code": c, "label": label} for c, label in domain.CHECKLISTS[stage]]
            for stage in (
                (domain.ROAD_TEST, domain.FINAL_INSPECTION)
                if needs_road_test
                else (domain.FINAL_INSPECTION,)
            )
        }
        comeback = session.get(Comeback, order.order_id)
        holds = session.scalars(select(PartHold).where(PartHold.order_id == order.order_id))
        works = session.scalars(
            select(AdditionalWork)
            .where(AdditionalWork.order_id == order.order_id)
            .order_by(AdditionalWork.found_at)
        )
        return {
            "order_id": order.order_id,
            "order_number": order.order_number,
            "site_id": order.site_id,
            "vin": order.vin,
            "plate": order.plate,
            "complaint": order.complaint,
            "promised_at": iso(order.promised_at),
            "delivered_at": iso(order.delivered_at),
            "cancelled_at": iso(order.cancelled_at),
            "qc_status": order.qc_status,
            "needs_road_test": needs_road_test,
            "jobs": self._job_views(jobs),
            "checks": [
                self._check_out(c)
                for c in session.scalars(
                    select(QcCheck)
                    .where(QcCheck.order_id == order.order_id)
                    .order_by(QcCheck.checked_at)
                )
            ],
            "checklists": checklists,
            "additional_work": [self._work_out(w) for w in works],
            "parts_waiting": [
                {
                    "line_id": h.line_id,
                    "part_number": h.part_number,
                    "quantity": format(h.quantity.normalize(), "f"),
                    "expected_at": h.expected_at.isoformat() if h.expected_at else None,
                }
                for h in holds
                if h.arrived_at is None
            ],
            "comeback": self._comeback_out(comeback) if comeback else None,
        }

    # ================================================================ figures and comebacks
    @query
    def figures(self, site_id: str | None, date_from: str, date_to: str) -> dict[str, Any]:
        """Hours sold, clocked and attended per technician, team, site and in total, with
        efficiency, productivity and proficiency, rework and comeback counts."""
        tenant = self.caller.tenant
        first, last = parse_day(date_from, "date_from"), parse_day(date_to, "date_to")
        period = domain.days(first, last)
        sites = tenant.visible_sites([site_id] if site_id else None)
        techs = self._technicians(tenant.group_id, sites)
        ids = [t.technician_id for t in techs]
        start, end = day_bounds(first, last)
        session = self.db.session
        now = utcnow()

        sold: dict[str, list[Decimal]] = defaultdict(list)
        for tech_id, standard in session.execute(
            select(Job.done_by, Job.standard_hours).where(
                Job.done_by.in_(ids), Job.first_done_at >= start, Job.first_done_at < end
            )
        ):
            sold[tech_id].append(standard)
        sessions: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for tech_id, began, ended in session.execute(
            select(
                ClockSession.technician_id, ClockSession.started_at, ClockSession.ended_at
            ).where(
                ClockSession.technician_id.in_(ids),
                ClockSession.started_at >= start,
                ClockSession.started_at < end,
            )
        ):
            sessions[tech_id].append((as_utc(began), as_utc(ended) if ended else now))
        reworks = self._count_by(Rework.technician_id, Rework.at, ids, start, end)
        comebacks = self._count_by(Comeback.technician_id, Comeback.detected_at, ids, start, end)
        recorded = self._recorded_hours(ids, first, last)
        today = domain.local_date(now)
        patterns = {t.site_id: self._pattern(t.site_id) for t in techs}

        per_tech = {}
        for t in techs:
            attended = [
                domain.attended_on(d, patterns[t.site_id], recorded.get((t.technician_id, d)))
                for d in period
                if d <= today  # the future is not attended yet
            ]
            per_tech[t.technician_id] = domain.technician_figures(
                sold[t.technician_id],
                sessions[t.technician_id],
                attended,
                reworks.get(t.technician_id, 0),
                comebacks.get(t.technician_id, 0),
            )
        teams = {
            t.team_id: t
            for t in session.scalars(select(Team).where(Team.group_id == tenant.group_id))
        }

        def grouped(key: Any) -> dict[Any, domain.Figures]:
            found: dict[Any, list[domain.Figures]] = defaultdict(list)
            for t in techs:
                found[key(t)].append(per_tech[t.technician_id])
            return {k: domain.total(v) for k, v in found.items()}

        by_team = grouped(lambda t: (t.site_id, t.team_id))
        by_site = grouped(lambda t: t.site_id)
        return {
            "date_from": first.isoformat(),
            "date_to": last.isoformat(),
            "technicians": [
                {
                    "technician_id": t.technician_id,
                    "name": t.name,
                    "team_id": t.team_id,
                    "site_id": t.site_id,
                    **per_tech[t.technician_id].as_dict(),
                }
                for t in techs
            ],
            "teams": [
                {
                    "team_id": team_id,
                    "name": teams[team_id].name if team_id in teams else None,
                    "site_id": site,
                    **figures.as_dict(),
                }
                for (site, team_id), figures in sorted(
                    by_team.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
                )
            ],
            "sites": [{"site_id": s, **f.as_dict()} for s, f in sorted(by_site.items())],
            "total": domain.total(per_tech.values()).as_dict(),
        }

    def _count_by(
        self, who: Any, when: Any, ids: list[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        return dict(
            self.db.session.execute(
                select(who, func.count())
                .where(who.in_(ids), when >= start, when < end)
                .group_by(who)
            ).all()
        )

    @query
    def list_comebacks(
        self, site_id: str | None, date_from: str, date_to: str
    ) -> list[dict[str, Any]]:
        """Comebacks detected in a period, at (or charged to) the sites you see."""
        tenant = self.caller.tenant
        first, last = parse_day(date_from, "date_from"), parse_day(date_to, "date_to")
        domain.days(first, last)
        sites = tenant.visible_sites([site_id] if site_id else None)
        start, end = day_bounds(first, last)
        stmt = (
            select(Comeback)
            .where(
                Comeback.group_id == tenant.group_id,
                Comeback.detected_at >= start,
                Comeback.detected_at < end,
            )
            .order_by(Comeback.detected_at)
        )
        if sites is not None:
            stmt = stmt.where(Comeback.site_id.in_(sites) | Comeback.original_site_id.in_(sites))
        return [self._comeback_out(c) for c in self.db.session.scalars(stmt)]

    # ================================================================ events from reception
    @on_event("reception", "order_opened")
    def on_order_opened(self, event: Envelope) -> None:
        """Know the RO (vehicle, complaint, promise) and whether it is a comeback."""
        p = event_payload(event)
        order = self._upsert_order(event, p["order_id"])
        order.opened_at = order.opened_at or as_utc(datetime.fromisoformat(event.occurred_at))
        self._fill(
            order, p, ("order_number", "order_type", "customer_id", "vehicle_id", "complaint")
        )
        order.vin = order.vin or p["vin"].upper()
        if order.promised_at is None and p["promised_at"] is not None:
            order.promised_at = as_utc(p["promised_at"])
        self._detect_comeback(order)

    @on_event("reception", "order_approved")
    def on_order_approved(self, event: Envelope) -> None:
        """One job per approved labor line, keyed by (order, line): a repeat adds nothing."""
        p = event_payload(event)
        order = self._upsert_order(event, p["order_id"])
        approved_at = as_utc(datetime.fromisoformat(event.occurred_at))
        order.approved_at = order.approved_at or approved_at
        self._fill(
            order,
            p,
            ("order_number", "order_type", "customer_id", "vehicle_id", "complaint", "plate"),
            overwrite=True,
        )
        order.vin = p["vin"].upper()
        if p["promised_at"] is not None:
            order.promised_at = as_utc(p["promised_at"])
        self._add_jobs(order, p["labor_lines"], None, approved_at)
        self._detect_comeback(order)

    @on_event("reception", "additional_work_approved")
    def on_additional_work_approved(self, event: Envelope) -> None:
        """The customer said yes: the work becomes jobs (only now can it be clocked)."""
        p = event_payload(event)
        order = self._upsert_order(event, p["order_id"])
        at = as_utc(datetime.fromisoformat(event.occurred_at))
        if p["promised_at"] is not None:
            order.promised_at = as_utc(p["promised_at"])
        work = self._work(
            event,
            p["work_id"],
            p["order_id"],
            " / ".join(line["description"] for line in p["labor_lines"]),
        )
        work.status, work.decided_at, work.decided_by = "approved", at, p["approved_by"]
        self._add_jobs(order, p["labor_lines"], p["work_id"], at)

    @on_event("reception", "additional_work_declined")
    def on_additional_work_declined(self, event: Envelope) -> None:
        """The customer said no: reception keeps it as a recommendation; nothing to do here."""
        p = event_payload(event)
        self._upsert_order(event, p["order_id"])
        work = self._work(event, p["work_id"], p["order_id"], p["description"])
        work.status = "declined"
        work.decided_at = as_utc(datetime.fromisoformat(event.occurred_at))

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        """The car left: its jobs leave the board; a later return may be a comeback."""
        p = event_payload(event)
        order = self._upsert_order(event, p["order_id"])
        order.delivered_at = as_utc(p["delivered_at"])
        self._fill(
            order,
            p,
            ("order_number", "order_type", "customer_id", "vehicle_id", "complaint", "plate"),
        )
        order.vin = order.vin or p["vin"].upper()

    @on_event("reception", "order_cancelled")
    def on_order_cancelled(self, event: Envelope) -> None:
        """The RO will not be worked: its open jobs are dropped (a clock running on one
        stops), and they leave the board and the day's booked hours."""
        p = event_payload(event)
        order = self._upsert_order(event, p["order_id"])
        at = as_utc(datetime.fromisoformat(event.occurred_at))
        order.cancelled_at = order.cancelled_at or at
        for job in self.db.session.scalars(
            select(Job).where(Job.order_id == order.order_id).with_for_update()
        ):
            before = self._state(job)
            after = domain.cancel(before)
            if after == before:
                continue
            self._close_session(job, "cancelled")
            self._apply(job, after)
            self._history(
                job,
                "cancelled",
                before.status,
                {"reason": p["reason"], "cancelled_by": p["cancelled_by"]},
                by="system",
            )

    # ================================================================ events from parts
    @on_event("parts", "part_backordered")
    def on_part_backordered(self, event: Envelope) -> None:
        """A part of the RO is on back order: its jobs show "waiting for parts"."""
        p = event_payload(event)
        hold = self.db.session.get(PartHold, (p["order_id"], p["line_id"]))
        if hold is None:
            hold = PartHold(
                order_id=p["order_id"],
                line_id=p["line_id"],
                group_id=event.group_id,
                site_id=event.site_id or "",
                created_at=utcnow(),
            )
            self.db.session.add(hold)
        hold.requisition_id, hold.part_number = p["requisition_id"], p["part_number"]
        hold.quantity, hold.expected_at, hold.arrived_at = p["quantity"], p["expected_at"], None

    @on_event("parts", "backorder_arrived")
    def on_backorder_arrived(self, event: Envelope) -> None:
        p = event_payload(event)
        hold = self.db.session.get(PartHold, (p["order_id"], p["line_id"]))
        if hold is not None:
            hold.arrived_at = as_utc(datetime.fromisoformat(event.occurred_at))

    # ================================================================ the progress watch
    @WatchTimer.decorator(WATCH_SECONDS, 60.0)
    def watch_progress(self) -> int:
        """Tell reception about ROs past 70 % of their promised time with work still open.

        One `order_at_risk` per RO per promised time (a new promise may be at risk
        again); each notice commits on its own, so a second workshop instance
        racing this one costs a rolled-back insert, not a duplicate event.
        """
        now = utcnow()
        session = self.db.session
        sent = 0
        candidates = session.scalars(
            select(Order).where(
                Order.promised_at.is_not(None),
                Order.delivered_at.is_(None),
                Order.cancelled_at.is_(None),
                Order.approved_at.is_not(None),
                ~exists().where(
                    RiskNotice.order_id == Order.order_id,
                    RiskNotice.promised_at == Order.promised_at,
                ),
            )
        ).all()
        statuses: dict[str, list[str]] = defaultdict(list)
        if candidates:
            for order_id, status in session.execute(
                select(Job.order_id, Job.status).where(
                    Job.order_id.in_([o.order_id for o in candidates])
                )
            ):
                statuses[order_id].append(status)
        for order in candidates:
            risk = domain.at_risk(
                as_utc(order.approved_at), as_utc(order.promised_at), now, statuses[order.order_id]
            )
            if risk is None:
                continue
            share, open_jobs = risk
            session.add(
                RiskNotice(
                    order_id=order.order_id,
                    promised_at=order.promised_at,
                    elapsed_share=share,
                    open_jobs=open_jobs,
                    noticed_at=now,
                )
            )
            self._publish(
                "order_at_risk",
                order,
                {
                    "order_id": order.order_id,
                    "promised_at": iso(order.promised_at),
                    "elapsed_share": str(share),
                    "open_jobs": open_jobs,
                },
            )
            try:
                self.db.commit()
                sent += 1
            except IntegrityError:
                self.db.rollback()
        self.db.rollback()
        return sent

    # ================================================================ helpers: orders and jobs
    def _upsert_order(self, event: Envelope, order_id: str) -> Order:
        order = self.db.session.get(Order, order_id)
        if order is None:
            order = Order(
                order_id=order_id,
                group_id=event.group_id,
                site_id=event.site_id or "",
                qc_status="pending",
                created_at=utcnow(),
            )
            self.db.session.add(order)
        return order

    @staticmethod
    def _fill(
        order: Order, p: dict[str, Any], names: Iterable[str], overwrite: bool = False
    ) -> None:
        for name in names:
            if p.get(name) is not None and (overwrite or getattr(order, name) is None):
                setattr(order, name, p[name])

    def _add_jobs(
        self, order: Order, lines: list[dict[str, Any]], work_id: str | None, at: datetime
    ) -> None:
        if order.cancelled_at is not None:
            return  # an approval overtaken by the cancellation: nothing to work
        session = self.db.session
        existing = set(session.scalars(select(Job.line_id).where(Job.order_id == order.order_id)))
        added = False
        for line in lines:
            if line["line_id"] in existing:
                continue
            now = utcnow()
            job = Job(
                job_id=new_id("job"),
                group_id=order.group_id,
                site_id=order.site_id,
                order_id=order.order_id,
                line_id=line["line_id"],
                work_id=work_id,
                operation_code=line["operation_code"],
                description=line["description"],
                standard_hours=domain.hours(line["standard_hours"]),
                payer=line["payer"],
                skill=line.get("skill"),
                status=domain.UNASSIGNED,
                planned_date=domain.local_date(at),
                rework_count=0,
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            session.flush()
            self._history(
                job, "created", None, {"line_id": job.line_id, "work_id": work_id}, by="system"
            )
            existing.add(line["line_id"])
            added = True
        if added and order.qc_status == "passed":
            order.qc_status, order.qc_passed_at = "pending", None  # new work: QC again

    def _work(
        self, event: Envelope, work_id: str, order_id: str, description: str
    ) -> AdditionalWork:
        work = self.db.session.get(AdditionalWork, work_id)
        if work is None:  # added by the advisor directly, or our row is not here
            work = AdditionalWork(
                work_id=work_id,
                group_id=event.group_id,
                site_id=event.site_id or "",
                order_id=order_id,
                description=description,
                suggested_operations=[],
                suggested_parts=[],
                status="awaiting_approval",
            )
            self.db.session.add(work)
        return work

    def _detect_comeback(self, order: Order) -> None:
        """Link the RO to an earlier delivery of the same car with the same complaint."""
        if not order.vin or order.complaint is None:
            return
        session = self.db.session
        session.flush()
        existing = session.get(Comeback, order.order_id)
        if existing is not None and existing.matched_by == "operation_code":
            return
        opened = as_utc(order.opened_at or order.approved_at or utcnow())
        window = int(setting(self.config, COMEBACK_DAYS, domain.DEFAULT_COMEBACK_DAYS))
        past_orders = list(
            session.scalars(
                select(Order).where(
                    Order.group_id == order.group_id,
                    Order.vin == order.vin,
                    Order.order_id != order.order_id,
                    Order.delivered_at.is_not(None),
                    Order.delivered_at >= opened - timedelta(days=window),
                    Order.delivered_at <= opened,
                )
            )
        )
        if not past_orders:
            return
        past_jobs: dict[str, list[domain.PastJob]] = defaultdict(list)
        for j in session.scalars(
            select(Job).where(Job.order_id.in_([o.order_id for o in past_orders]))
        ):
            past_jobs[j.order_id].append(
                domain.PastJob(
                    j.job_id, j.operation_code, j.done_by or j.technician_id, j.standard_hours
                )
            )
        codes = tuple(
            session.scalars(select(Job.operation_code).where(Job.order_id == order.order_id))
        )
        match = domain.find_comeback(
            domain.NewOrder(
                order.order_id, order.vin, order.order_type, order.complaint, opened, codes
            ),
            [
                domain.PastOrder(
                    o.order_id,
                    o.vin or "",
                    o.order_type,
                    o.complaint or "",
                    as_utc(o.delivered_at),
                    tuple(past_jobs[o.order_id]),
                )
                for o in past_orders
            ],
            window,
        )
        if match is None or (existing is not None and match.matched_by != "operation_code"):
            return
        original = next(o for o in past_orders if o.order_id == match.original_order_id)
        row = existing or Comeback(order_id=order.order_id, detected_at=utcnow())
        row.group_id, row.site_id, row.vin = order.group_id, order.site_id, order.vin
        row.original_order_id, row.original_site_id = original.order_id, original.site_id
        row.original_job_id, row.technician_id = match.original_job_id, match.technician_id
        row.matched_by, row.operation_code = match.matched_by, match.operation_code
        row.similarity, row.days_after_delivery = match.similarity, match.days_after_delivery
        if existing is None:
            session.add(row)
            self._publish(
                "comeback_detected",
                order,
                {
                    "order_id": order.order_id,
                    "vin": order.vin,
                    "original_order_id": original.order_id,
                    "original_job_id": match.original_job_id,
                    "technician_id": match.technician_id,
                    "matched_by": match.matched_by,
                    "operation_code": match.operation_code,
                    "days_after_delivery": match.days_after_delivery,
                },
            )

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
        if tech is None or (tech.group_id, tech.site_id) != (where.group_id, where.site_id):
            raise ValidationFailed.on(
                field_name, "not a technician of this site", "UNKNOWN_TECHNICIAN"
            )
        return tech

    @staticmethod
    def _only_team_leader(tenant: Tenant) -> bool:
        others = set(domain.DISPATCH_ROLES) - {"team_leader"}
        return tenant.has_role("team_leader") and not tenant.has_role(*others)

    def _actor(self, job: Job, requested: str | None) -> Technician:
        """The technician an action on the job is for: the caller, or — for a dispatcher
        or team leader clocking for someone — the one they name (default: the job's)."""
        tenant = self.caller.tenant
        tenant.require_site(job.site_id)
        if requested and requested != tenant.user_id:
            tenant.require_role(*domain.CLOCK_FOR_OTHERS_ROLES)
            technician_id = requested
        elif requested or tenant.has_role(*domain.TIME_ROLES):
            tenant.require_role(*domain.TIME_ROLES)
            technician_id = tenant.user_id
        elif tenant.has_role(*domain.CLOCK_FOR_OTHERS_ROLES) and job.technician_id:
            technician_id = job.technician_id
        else:
            tenant.require_role(*domain.TIME_ROLES, *domain.CLOCK_FOR_OTHERS_ROLES)
            raise ValidationFailed.on(
                "technician_id", "say which technician this is for", "TECHNICIAN_REQUIRED"
            )
        return self._site_technician(job, technician_id)

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
                    "standard_hours": str(domain.hours(j.standard_hours)),
                    "clocked_hours": str(clocked[j.job_id]),
                    "payer": j.payer,
                    "skill": domain.job_skill(j.skill, j.operation_code),
                    "status": j.status,
                    "qc_stage": j.qc_stage,
                    "technician_id": j.technician_id,
                    "team_id": j.team_id,
                    "bay_id": j.bay_id,
                    "planned_date": j.planned_date.isoformat(),
                    "pause_reason": j.pause_reason,
                    "waiting_for_parts": j.order_id in waiting_parts,
                    "plate": order.plate if order else None,
                    "vin": order.vin if order else None,
                    "promised_at": iso(order.promised_at) if order else None,
                    "plate_confirmed_by": j.plate_confirmed_by,
                    "clocked_on_by": on_now.get(j.job_id),
                    "needs_road_test": domain.needs_road_test(j.operation_code),
                    "rework_count": j.rework_count,
                    "rework_reason": j.rework_reason,
                    "done_at": iso(j.done_at),
                }
            )
        return views

    @staticmethod
    def _check_out(c: QcCheck) -> dict[str, Any]:
        return {
            "check_id": c.check_id,
            "order_id": c.order_id,
            "job_id": c.job_id,
            "stage": c.stage,
            "checked_by": c.checked_by,
            "passed": c.passed,
            "items": c.items,
            "reasons": c.reasons,
            "job_ids": c.job_ids,
            "responsible_technician_id": c.responsible_technician_id,
            "checked_at": iso(c.checked_at),
        }

    @staticmethod
    def _work_out(w: AdditionalWork) -> dict[str, Any]:
        return {
            "work_id": w.work_id,
            "order_id": w.order_id,
            "job_id": w.job_id,
            "description": w.description,
            "found_by": w.found_by,
            "suggested_operations": w.suggested_operations,
            "suggested_parts": w.suggested_parts,
            "status": w.status,
            "found_at": iso(w.found_at),
            "decided_at": iso(w.decided_at),
        }

    @staticmethod
    def _comeback_out(c: Comeback) -> dict[str, Any]:
        return {
            "order_id": c.order_id,
            "site_id": c.site_id,
            "vin": c.vin,
            "original_order_id": c.original_order_id,
            "original_site_id": c.original_site_id,
            "original_job_id": c.original_job_id,
            "technician_id": c.technician_id,
            "matched_by": c.matched_by,
            "operation_code": c.operation_code,
            "similarity": None if c.similarity is None else str(c.similarity),
            "days_after_delivery": c.days_after_delivery,
            "detected_at": iso(c.detected_at),
        }
