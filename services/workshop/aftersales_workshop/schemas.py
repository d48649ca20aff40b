"""Workshop's input and output shapes (the gateway documents its API with them).

Names start with "Workshop"/"Job"/"Qc" where another service might use the
plain word, because the OpenAPI document has one namespace for every schema.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .domain import (
    ATTENDANCE_STATUSES,
    BOARD_COLUMNS,
    ITEM_RESULTS,
    JOB_STATUSES,
    PAUSE_REASONS,
    QC_STAGES,
)

_ID = validate.Length(min=1, max=40)
_TEXT = validate.Length(min=1, max=2000)


def positive(maximum: int, step: Decimal | None = None) -> Callable[[Decimal], None]:
    """More than zero, at most `maximum`, and a whole number of `step`s if given.

    A function, not `validate.Range`: apispec would print Range's bounds of a
    decimal-as-string field as strings, which OpenAPI refuses.  A finer figure
    than the step is refused, not rounded: 0.85 h is a typing error.
    """

    def check(value: Decimal) -> None:
        if not 0 < value <= maximum:
            raise ValidationError(f"more than 0 and at most {maximum}")
        if step is not None and value != value.quantize(step):
            raise ValidationError(f"to {step} at most")

    return check


class Strict(Schema):
    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- reference data


class TeamIn(Schema):
    team_id = fields.String(required=True, validate=_ID)
    site_id = fields.String(required=True)
    name = fields.String(required=True)


class TechnicianIn(Schema):
    technician_id = fields.String(required=True, validate=_ID)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = fields.String(load_default=None, allow_none=True)
    skills = fields.List(fields.String(), load_default=list)
    grade = fields.String(load_default=None, allow_none=True)


class TechnicianOut(TechnicianIn):
    pass


class BayIn(Schema):
    bay_id = fields.String(required=True, validate=_ID)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(load_default="lift", validate=validate.Length(min=1, max=40))


class ReferenceDataIn(Strict):
    group_id = fields.String(required=True)
    teams = fields.List(fields.Nested(TeamIn), load_default=list)
    technicians = fields.List(fields.Nested(TechnicianIn), load_default=list)
    bays = fields.List(fields.Nested(BayIn), load_default=list)


# ---------------------------------------------------------------- dispatch and time


class DispatchIn(Strict):
    technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    team_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    bay_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    planned_date = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PlateCheckIn(Strict):
    """The plate (or VIN) the technician reads off the car."""

    plate = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    vin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=17))
    technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)


class ClockOnIn(Strict):
    technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)


class ClockOffIn(Strict):
    """Clock off: `done` when the work is finished, else a pause with a reason."""

    technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    done = fields.Boolean(load_default=False)
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(PAUSE_REASONS)
    )


class PauseIn(Strict):
    technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    reason = fields.String(required=True, validate=validate.OneOf(PAUSE_REASONS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


# ---------------------------------------------------------------- QC


class QcCheckIn(Strict):
    """A checklist answered item by item: `{"items": {"torque": "ok", ...}}`.

    Items left out count as unchecked, and an unchecked item fails the check.
    """

    items = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.String(validate=validate.OneOf(ITEM_RESULTS)),
        required=True,
    )
    remarks = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class OrderCheckIn(QcCheckIn):
    """A road test or final inspection; on failure, the jobs at fault go back."""

    job_ids = fields.List(fields.String(validate=_ID), load_default=None, allow_none=True)
    responsible_technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)


# ---------------------------------------------------------------- additional work


class SuggestedOperationIn(Strict):
    operation_code = fields.String(required=True, validate=_ID)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    standard_hours = fields.Decimal(
        as_string=True, required=True, validate=positive(999, Decimal("0.1"))
    )


class SuggestedPartIn(Strict):
    part_number = fields.String(required=True, validate=_ID)
    quantity = fields.Decimal(as_string=True, required=True, validate=positive(100000))


class AdditionalWorkIn(Strict):
    description = fields.String(required=True, validate=_TEXT)
    suggested_operations = fields.List(fields.Nested(SuggestedOperationIn), load_default=list)
    suggested_parts = fields.List(fields.Nested(SuggestedPartIn), load_default=list)
    # Park the job as waiting for the customer's answer (its session ends).
    pause = fields.Boolean(load_default=False)
    technician_id = fields.String(load_default=None, allow_none=True, validate=_ID)


# ---------------------------------------------------------------- attendance


class AttendanceEntryIn(Strict):
    technician_id = fields.String(required=True, validate=_ID)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    hours = fields.Decimal(as_string=True, load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class AttendanceIn(Strict):
    date = fields.Date(required=True)
    entries = fields.List(
        fields.Nested(AttendanceEntryIn), required=True, validate=validate.Length(min=1, max=500)
    )


class ShiftPatternIn(Strict):
    working_days = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=7)),
        required=True,
        validate=validate.Length(min=1, max=7),
    )
    hours = fields.Decimal(as_string=True, required=True)


class WorkshopPeriodQuery(Schema):
    site_id = fields.String(load_default=None, allow_none=True)
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)


class WorkshopDayQuery(Schema):
    date = fields.Date(required=True)


# ---------------------------------------------------------------- outputs (documentation)


class JobOut(Schema):
    job_id = fields.String()
    order_id = fields.String()
    order_number = fields.String(allow_none=True)
    line_id = fields.String()
    work_id = fields.String(allow_none=True)
    site_id = fields.String()
    operation_code = fields.String()
    description = fields.String()
    standard_hours = fields.String(metadata={"example": "1.0"})
    clocked_hours = fields.String(metadata={"example": "0.8"})
    payer = fields.String()
    skill = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))
    qc_stage = fields.String(allow_none=True)
    technician_id = fields.String(allow_none=True)
    team_id = fields.String(allow_none=True)
    bay_id = fields.String(allow_none=True)
    planned_date = fields.String()
    pause_reason = fields.String(allow_none=True)
    waiting_for_parts = fields.Boolean()
    plate = fields.String(allow_none=True)
    vin = fields.String(allow_none=True)
    promised_at = fields.String(allow_none=True)
    plate_confirmed_by = fields.String(allow_none=True)
    clocked_on_by = fields.String(allow_none=True)
    needs_road_test = fields.Boolean()
    rework_count = fields.Integer()
    rework_reason = fields.String(allow_none=True)
    done_at = fields.String(allow_none=True)


class DispatchBoardOut(Schema):
    site_id = fields.String()
    columns = fields.Dict(
        keys=fields.String(validate=validate.OneOf(BOARD_COLUMNS)),
        values=fields.List(fields.Nested(JobOut)),
    )
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    awaiting_approval = fields.List(fields.Dict())


class QcCheckOut(Schema):
    check_id = fields.String()
    order_id = fields.String()
    job_id = fields.String(allow_none=True)
    stage = fields.String(validate=validate.OneOf(QC_STAGES))
    checked_by = fields.String()
    passed = fields.Boolean()
    items = fields.List(fields.Dict())
    reasons = fields.List(fields.String())
    job_ids = fields.List(fields.String())
    responsible_technician_id = fields.String(allow_none=True)
    checked_at = fields.String()


class WorkshopOrderOut(Schema):
    order_id = fields.String()
    order_number = fields.String(allow_none=True)
    site_id = fields.String()
    vin = fields.String(allow_none=True)
    plate = fields.String(allow_none=True)
    complaint = fields.String(allow_none=True)
    promised_at = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    cancelled_at = fields.String(allow_none=True)
    qc_status = fields.String()
    needs_road_test = fields.Boolean()
    jobs = fields.List(fields.Nested(JobOut))
    checks = fields.List(fields.Nested(QcCheckOut))
    checklists = fields.Dict()
    additional_work = fields.List(fields.Dict())
    parts_waiting = fields.List(fields.Dict())
    comeback = fields.Dict(allow_none=True)


class CapacityOut(Schema):
    site_id = fields.String()
    date = fields.String(metadata={"example": "2026-11-25"})
    available_hours = fields.String(metadata={"example": "48.0"})
    booked_hours = fields.String(metadata={"example": "12.5"})


class TechnicianSuggestionOut(Schema):
    technician_id = fields.String()
    name = fields.String()
    team_id = fields.String(allow_none=True)
    has_skill = fields.Boolean()
    present = fields.Boolean()
    load_hours = fields.String()
    free_hours = fields.String()
    grade = fields.String(allow_none=True)
    clocked_on = fields.String(allow_none=True)


class DispatchSuggestionOut(Schema):
    job_id = fields.String()
    skill = fields.String(allow_none=True)
    technicians = fields.List(fields.Nested(TechnicianSuggestionOut))
    team_id = fields.String(allow_none=True)


class WorkshopFiguresOut(Schema):
    date_from = fields.String()
    date_to = fields.String()
    technicians = fields.List(fields.Dict())
    teams = fields.List(fields.Dict())
    sites = fields.List(fields.Dict())
    total = fields.Dict()
