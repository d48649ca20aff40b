"""People and capacity: the site's shift pattern (an edited document with an ETag),
attendance day by day, and the hours a day has (reception books appointments on it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.workshop import (
    AttendanceIn,
    AttendanceOut,
    CapacityOut,
    ShiftPatternIn,
    ShiftPatternOut,
)
from aftersales_core.envelope import utcnow
from aftersales_core.etag import require_match
from aftersales_core.service import command, query
from aftersales_core.tenancy import Tenant
from aftersales_core.validation import load

from . import domain
from .base import WorkshopBase
from .models import Attendance, Job, ShiftPattern, Technician
from .views import attendance_entry, pattern_view


class Capacity(WorkshopBase):
    @query
    def capacity(self, site_id: str, day: str | None) -> dict[str, Any]:
        """Technician hours present on a day and standard hours of open jobs planned for it.

        Reception limits appointments with it.
        """
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        the_day = domain.parse_day(day)
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
        return CapacityOut().dump(
            {
                "site_id": site_id,
                "date": the_day,
                "available_hours": available,
                "booked_hours": booked_hours,
            }
        )

    # ---------------------------------------------------------------- the shift pattern
    @query
    def shift_pattern(self, site_id: str) -> dict[str, Any]:
        """A site's working days and hours per technician (the default when never set)."""
        self.caller.tenant.require_site(site_id)
        return ShiftPatternOut().dump(pattern_view(site_id, self._pattern(site_id)))

    @command
    def set_shift_pattern(self, site_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Replace a site's regular working days and hours per technician.

        With `If-Match`, refused (412) when the pattern changed since it was read.
        """
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        tenant.require_role(*domain.ATTENDANCE_ROLES)
        fields = load(ShiftPatternIn(), data)
        row = self.db.session.scalars(
            select(ShiftPattern).where(ShiftPattern.site_id == site_id).with_for_update()
        ).first()
        require_match(
            self.caller.context,
            ShiftPatternOut().dump(pattern_view(site_id, self._pattern(site_id))),
        )
        pattern = domain.check_pattern(fields["working_days"], fields["hours"])
        if row is None:
            row = ShiftPattern(site_id=site_id, group_id=tenant.group_id)
            self.db.session.add(row)
        row.working_days = sorted(pattern.working_days)
        row.hours = pattern.hours
        row.updated_by = tenant.user_id
        row.updated_at = utcnow()
        return ShiftPatternOut().dump(pattern_view(site_id, pattern))

    # ---------------------------------------------------------------- attendance
    @command
    def record_attendance(self, site_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record who was present on a day, for how long (or on leave, sick, absent)."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        tenant.require_role(*domain.ATTENDANCE_ROLES)
        fields = load(AttendanceIn(), data)
        the_day: date = fields["date"]
        scheduled = self._pattern(site_id).hours_on(the_day)
        session = self.db.session
        for index, entry in enumerate(fields["entries"]):
            tech = session.get(Technician, entry["technician_id"])
            present = domain.entry_hours(
                index,
                (tech.group_id, tech.site_id) if tech else None,
                (tenant.group_id, site_id),
                entry["status"],
                entry["hours"],
                scheduled,
            )
            row = session.get(Attendance, (entry["technician_id"], the_day))
            if row is None:
                row = Attendance(technician_id=entry["technician_id"], day=the_day)
                session.add(row)
            row.group_id, row.site_id = tenant.group_id, site_id
            row.status, row.hours, row.note = entry["status"], present, entry["note"]
            row.recorded_by, row.recorded_at = tenant.user_id, utcnow()
        session.flush()
        return self._attendance(tenant, site_id, the_day)

    @query
    def attendance(self, site_id: str, day: str | None) -> dict[str, Any]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        return self._attendance(tenant, site_id, domain.parse_day(day))

    def _attendance(self, tenant: Tenant, site_id: str, the_day: date) -> dict[str, Any]:
        pattern = self._pattern(site_id)
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
        entries = [
            attendance_entry(t, rows.get(t.technician_id), pattern.hours_on(the_day))
            for t in self._technicians(tenant.group_id, [site_id])
        ]
        return AttendanceOut().dump(
            {
                "site_id": site_id,
                "date": the_day,
                "pattern": pattern_view(site_id, pattern),
                "technicians": entries,
                "total_hours": domain.hours(sum((e["hours"] for e in entries), domain.ZERO)),
            }
        )
