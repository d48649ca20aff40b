"""Events published by the workshop."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract, hours


class JobDispatched(Schema):
    job_id = fields.String(required=True)
    order_id = fields.String(required=True)
    line_id = fields.String(required=True)
    technician_id = fields.String(required=True, allow_none=True)
    team_id = fields.String(required=True, allow_none=True)
    dispatched_by = fields.String(required=True)


class JobStarted(Schema):
    job_id = fields.String(required=True)
    order_id = fields.String(required=True)
    technician_id = fields.String(required=True)
    started_at = fields.AwareDateTime(required=True)


class JobPaused(Schema):
    job_id = fields.String(required=True)
    order_id = fields.String(required=True)
    technician_id = fields.String(required=True)
    reason = fields.String(required=True)


class JobDone(Schema):
    job_id = fields.String(required=True)
    order_id = fields.String(required=True)
    line_id = fields.String(required=True)
    technician_id = fields.String(required=True)
    standard_hours = hours(required=True)
    clocked_hours = hours(required=True)
    done_at = fields.AwareDateTime(required=True)


class QcPassed(Schema):
    order_id = fields.String(required=True)
    inspector_id = fields.String(required=True)
    job_ids = fields.List(fields.String(), required=True)
    road_test = fields.Boolean(required=True)


class QcFailed(Schema):
    order_id = fields.String(required=True)
    inspector_id = fields.String(required=True)
    job_ids = fields.List(fields.String(), required=True)
    reasons = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    responsible_technician_id = fields.String(required=True, allow_none=True)


class SuggestedOperation(Schema):
    operation_code = fields.String(required=True)
    description = fields.String(required=True)
    standard_hours = hours(required=True)


class SuggestedPart(Schema):
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)


class AdditionalWorkFound(Schema):
    order_id = fields.String(required=True)
    work_id = fields.String(required=True)
    job_id = fields.String(required=True, allow_none=True)
    description = fields.String(required=True)
    found_by = fields.String(required=True)
    suggested_operations = fields.List(fields.Nested(SuggestedOperation), required=True)
    suggested_parts = fields.List(fields.Nested(SuggestedPart), required=True)


class OrderAtRisk(Schema):
    order_id = fields.String(required=True)
    promised_at = fields.AwareDateTime(required=True)
    elapsed_share = fields.Decimal(as_string=True, required=True)
    open_jobs = fields.Integer(required=True)


class ComebackDetected(Schema):
    """An RO brought a vehicle back with the same complaint within the window."""

    order_id = fields.String(required=True)
    vin = fields.String(required=True)
    original_order_id = fields.String(required=True)
    original_job_id = fields.String(required=True, allow_none=True)
    technician_id = fields.String(required=True, allow_none=True)
    matched_by = fields.String(
        required=True, validate=validate.OneOf(("operation_code", "complaint"))
    )
    operation_code = fields.String(required=True, allow_none=True)
    days_after_delivery = fields.Integer(required=True, validate=validate.Range(min=0))


EVENTS = [
    EventContract(
        "job_dispatched",
        1,
        "workshop",
        JobDispatched,
        "A job was assigned to a technician or team.",
    ),
    EventContract("job_started", 1, "workshop", JobStarted, "A technician clocked on a job."),
    EventContract("job_paused", 1, "workshop", JobPaused, "Work on a job paused, with a reason."),
    EventContract("job_done", 1, "workshop", JobDone, "A job's work is finished."),
    EventContract("qc_passed", 1, "workshop", QcPassed, "The final inspection passed an RO."),
    EventContract("qc_failed", 1, "workshop", QcFailed, "QC failed: the jobs go back as rework."),
    EventContract(
        "additional_work_found",
        1,
        "workshop",
        AdditionalWorkFound,
        "A technician found more work; it needs the customer's approval.",
    ),
    EventContract(
        "order_at_risk",
        1,
        "workshop",
        OrderAtRisk,
        "70–80 % of the promised time has passed with work still open.",
    ),
    EventContract(
        "comeback_detected",
        1,
        "workshop",
        ComebackDetected,
        "A vehicle came back with the same complaint: linked to the original job.",
    ),
]
