"""The workshop's outgoing event payloads, built in one place from its rows.

Shapes are the contracts of `aftersales_contracts.workshop` (reception consumes them:
only optional fields may ever be added); `WorkshopBase._publish` validates each payload
against its contract before it enters the outbox, and the unit tests build every one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from aftersales_core.envelope import as_utc

from . import domain
from .models import AdditionalWork, Job, Order


def job_dispatched(job: Job, by: str) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "line_id": job.line_id,
        "technician_id": job.technician_id,
        "team_id": job.team_id,
        "dispatched_by": by,
    }


def job_started(job: Job, technician_id: str, at: datetime) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "technician_id": technician_id,
        "started_at": at.isoformat(),
    }


def job_paused(job: Job, technician_id: str, reason: str) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "technician_id": technician_id,
        "reason": reason,
    }


def job_done(job: Job, clocked_hours: Decimal, at: datetime) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "line_id": job.line_id,
        "technician_id": job.technician_id,
        "standard_hours": str(domain.hours(job.standard_hours)),
        "clocked_hours": str(clocked_hours),
        "done_at": at.isoformat(),
    }


def qc_passed(
    order_id: str, inspector_id: str, job_ids: list[str], road_test: bool
) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "inspector_id": inspector_id,
        "job_ids": job_ids,
        "road_test": road_test,
    }


def qc_failed(
    jobs: list[Job], inspector_id: str, reasons: list[str], responsible: str | None
) -> dict[str, Any]:
    return {
        "order_id": jobs[0].order_id,
        "inspector_id": inspector_id,
        "job_ids": [j.job_id for j in jobs],
        "reasons": reasons,
        "responsible_technician_id": responsible,
    }


def additional_work_found(work: AdditionalWork) -> dict[str, Any]:
    return {
        "order_id": work.order_id,
        "work_id": work.work_id,
        "job_id": work.job_id,
        "description": work.description,
        "found_by": work.found_by,
        "suggested_operations": work.suggested_operations,
        "suggested_parts": work.suggested_parts,
    }


def order_at_risk(order: Order, share: Decimal, open_jobs: int) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "promised_at": as_utc(order.promised_at).isoformat(),
        "elapsed_share": str(share),
        "open_jobs": open_jobs,
    }


def comeback_detected(
    order: Order, original_order_id: str, match: domain.ComebackMatch
) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "vin": order.vin,
        "original_order_id": original_order_id,
        "original_job_id": match.original_job_id,
        "technician_id": match.technician_id,
        "matched_by": match.matched_by,
        "operation_code": match.operation_code,
        "days_after_delivery": match.days_after_delivery,
    }
