"""Rows as the API shows them: plain dicts of Python values (decimals, dates, aware
datetimes) that the documented Out schemas of `aftersales_contracts.api.workshop`
dump. No nameko here; the service's mixins call these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aftersales_core.envelope import as_utc

from . import domain
from .models import AdditionalWork, Attendance, Bay, Comeback, PartHold, QcCheck, Technician


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC (SQLite hands datetimes back naive; PostgreSQL in its own zone)."""
    return None if value is None else as_utc(value)


def check_view(c: QcCheck) -> dict[str, Any]:
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
        "checked_at": utc(c.checked_at),
    }


def work_view(w: AdditionalWork) -> dict[str, Any]:
    return {
        "work_id": w.work_id,
        "order_id": w.order_id,
        "job_id": w.job_id,
        "description": w.description,
        "found_by": w.found_by,
        "suggested_operations": w.suggested_operations,
        "suggested_parts": w.suggested_parts,
        "status": w.status,
        "found_at": utc(w.found_at),
        "decided_at": utc(w.decided_at),
    }


def comeback_view(c: Comeback) -> dict[str, Any]:
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
        "similarity": c.similarity,
        "days_after_delivery": c.days_after_delivery,
        "detected_at": utc(c.detected_at),
    }


def part_waiting_view(h: PartHold) -> dict[str, Any]:
    return {
        "line_id": h.line_id,
        "part_number": h.part_number,
        "quantity": h.quantity,
        "expected_at": h.expected_at,
    }


def technician_view(t: Technician) -> dict[str, Any]:
    return {
        "technician_id": t.technician_id,
        "site_id": t.site_id,
        "name": t.name,
        "team_id": t.team_id,
        "skills": list(t.skills or ()),
        "grade": t.grade,
    }


def bay_view(b: Bay) -> dict[str, Any]:
    return {"bay_id": b.bay_id, "site_id": b.site_id, "name": b.name, "kind": b.kind}


def pattern_view(site_id: str, pattern: domain.ShiftPattern) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "working_days": sorted(pattern.working_days),
        "hours": pattern.hours,
    }


def attendance_entry(t: Technician, row: Attendance | None, scheduled: Any) -> dict[str, Any]:
    """A technician's day: what was recorded, else the shift pattern's hours."""
    return {
        "technician_id": t.technician_id,
        "name": t.name,
        "team_id": t.team_id,
        "status": row.status if row else "scheduled",
        "hours": domain.hours(row.hours if row else scheduled),
        "note": row.note if row else None,
        "recorded": row is not None,
    }
