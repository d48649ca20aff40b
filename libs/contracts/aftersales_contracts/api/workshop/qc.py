"""The dispatch board, QC, attendance and capacity, figures and comebacks."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..fields import (
    ID,
    Hours,
    Quantity,
    Strict,
    Timestamp,
)
from ..pages import PageQuery
from .codes import (
    ATTENDANCE_STATUSES,
    ITEM_RESULTS,
    MATCHED_BY,
    QC_STATUSES,
    SCHEDULED,
    DayHours,
    Share,
    TotalHours,
    _id,
    _note,
    _nullable,
    _one_of,
    _optional_id,
)
from .jobs import (
    FoundWorkOut,
    JobOut,
    QcCheckOut,
)

# ---------------------------------------------------------------- the dispatch board


class DispatchBoardColumnsOut(Schema):
    unassigned = fields.List(fields.Nested(JobOut), required=True)
    assigned = fields.List(fields.Nested(JobOut), required=True)
    in_progress = fields.List(fields.Nested(JobOut), required=True)
    paused = fields.List(fields.Nested(JobOut), required=True)
    waiting_qc = fields.List(fields.Nested(JobOut), required=True)
    done = fields.List(fields.Nested(JobOut), required=True)


class DispatchBoardCountsOut(Schema):
    unassigned = fields.Integer(required=True)
    assigned = fields.Integer(required=True)
    in_progress = fields.Integer(required=True)
    paused = fields.Integer(required=True)
    waiting_qc = fields.Integer(required=True)
    done = fields.Integer(required=True)


class DispatchBoardOut(Schema):
    site_id = fields.String(required=True)
    columns = fields.Nested(DispatchBoardColumnsOut, required=True)
    counts = fields.Nested(DispatchBoardCountsOut, required=True)
    awaiting_approval = fields.List(fields.Nested(FoundWorkOut), required=True)


# ---------------------------------------------------------------- QC


class QcCheckIn(Strict):
    """A checklist answered item by item: `{"items": {"torque": "ok", ...}}`.

    Items left out count as unchecked, and an unchecked item fails the check. The
    item codes of each stage: `GET /api/v1/workshop/checklists`.
    """

    items = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.String(validate=validate.OneOf(ITEM_RESULTS)),
        required=True,
    )
    remarks = _note(2000)


class OrderCheckIn(QcCheckIn):
    """A road test or final inspection; on failure, the jobs at fault go back."""

    job_ids = fields.List(fields.String(validate=ID), load_default=None, allow_none=True)
    responsible_technician_id = _optional_id()


class ChecklistItemOut(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class QcChecklistsOut(Schema):
    """The items of each QC stage's checklist: answer them by `code`."""

    self_check = fields.List(fields.Nested(ChecklistItemOut), required=True)
    team_leader_check = fields.List(fields.Nested(ChecklistItemOut), required=True)
    road_test = fields.List(fields.Nested(ChecklistItemOut), required=True)
    final_inspection = fields.List(fields.Nested(ChecklistItemOut), required=True)


class OrderChecklistsOut(Schema):
    """The RO-level checklists this RO needs (the road test only where a job needs it)."""

    road_test = fields.List(fields.Nested(ChecklistItemOut))
    final_inspection = fields.List(fields.Nested(ChecklistItemOut), required=True)


class PartWaitingOut(Schema):
    line_id = fields.String(required=True)
    part_number = _nullable()
    quantity = Quantity(required=True, allow_none=True)
    expected_at = fields.Date(required=True, allow_none=True)


class ComebackOut(Schema):
    order_id = fields.String(required=True)
    site_id = fields.String(required=True)
    vin = fields.String(required=True)
    original_order_id = fields.String(required=True)
    original_site_id = fields.String(required=True)
    original_job_id = _nullable()
    technician_id = _nullable(metadata={"description": "the technician it is charged to"})
    matched_by = _one_of(MATCHED_BY, required=True)
    operation_code = _nullable()
    similarity = Share(required=True, allow_none=True)
    days_after_delivery = fields.Integer(required=True)
    detected_at = Timestamp(required=True)


class WorkshopOrderOut(Schema):
    order_id = fields.String(required=True)
    order_number = _nullable()
    site_id = fields.String(required=True)
    vin = _nullable()
    plate = _nullable()
    complaint = _nullable()
    promised_at = Timestamp(required=True, allow_none=True)
    delivered_at = Timestamp(required=True, allow_none=True)
    cancelled_at = Timestamp(required=True, allow_none=True)
    qc_status = _one_of(QC_STATUSES, required=True)
    needs_road_test = fields.Boolean(required=True)
    jobs = fields.List(fields.Nested(JobOut), required=True)
    checks = fields.List(fields.Nested(QcCheckOut), required=True)
    checklists = fields.Nested(OrderChecklistsOut, required=True)
    additional_work = fields.List(fields.Nested(FoundWorkOut), required=True)
    parts_waiting = fields.List(fields.Nested(PartWaitingOut), required=True)
    comeback = fields.Nested(ComebackOut, required=True, allow_none=True)


class OrderCheckedOut(WorkshopOrderOut):
    """An RO after its road test or final inspection, with that check."""

    check = fields.Nested(QcCheckOut, required=True)


# ---------------------------------------------------------------- attendance and capacity


class AttendanceEntryIn(Strict):
    technician_id = _id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ATTENDANCE_STATUSES))
    hours = DayHours(load_default=None, allow_none=True)
    note = _note()


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
    hours = DayHours(required=True)


class ShiftPatternOut(Schema):
    """A site's working days (ISO weekdays, Monday = 1) and hours per technician."""

    site_id = fields.String(required=True)
    working_days = fields.List(fields.Integer(), required=True)
    hours = Hours(required=True)


class AttendanceEntryOut(Schema):
    technician_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = _nullable()
    status = _one_of((*ATTENDANCE_STATUSES, SCHEDULED), required=True)
    hours = Hours(required=True)
    note = _nullable()
    recorded = fields.Boolean(required=True)


class AttendanceOut(Schema):
    site_id = fields.String(required=True)
    date = fields.Date(required=True)
    pattern = fields.Nested(ShiftPatternOut, required=True)
    technicians = fields.List(fields.Nested(AttendanceEntryOut), required=True)
    total_hours = TotalHours(required=True)


class WorkshopDayQuery(Schema):
    date = fields.Date(required=True)


class CapacityOut(Schema):
    site_id = fields.String(required=True)
    date = fields.Date(required=True)
    available_hours = TotalHours(required=True)
    booked_hours = TotalHours(required=True)


# ---------------------------------------------------------------- figures and comebacks


class WorkshopPeriodQuery(Strict):
    """A period of local days, `from` to `to` inclusive (at most a year)."""

    site_id = fields.String(load_default=None, allow_none=True, validate=ID)
    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")


class ComebackQuery(WorkshopPeriodQuery, PageQuery):
    pass


class WorkshopFiguresOut(Schema):
    sold_hours = TotalHours(required=True)
    clocked_hours = TotalHours(required=True)
    attended_hours = TotalHours(required=True)
    efficiency = Share(required=True, allow_none=True, metadata={"description": "sold ÷ clocked"})
    productivity = Share(
        required=True, allow_none=True, metadata={"description": "clocked ÷ attended"}
    )
    proficiency = Share(required=True, allow_none=True, metadata={"description": "sold ÷ attended"})
    reworks = fields.Integer(required=True)
    comebacks = fields.Integer(required=True)


class TechnicianFiguresOut(WorkshopFiguresOut):
    technician_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = _nullable()
    site_id = fields.String(required=True)


class TeamFiguresOut(WorkshopFiguresOut):
    team_id = _nullable(metadata={"description": "null: technicians in no team"})
    name = _nullable()
    site_id = fields.String(required=True)


class SiteFiguresOut(WorkshopFiguresOut):
    site_id = fields.String(required=True)


class WorkshopPeriodFiguresOut(Schema):
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    technicians = fields.List(fields.Nested(TechnicianFiguresOut), required=True)
    teams = fields.List(fields.Nested(TeamFiguresOut), required=True)
    sites = fields.List(fields.Nested(SiteFiguresOut), required=True)
    total = fields.Nested(WorkshopFiguresOut, required=True)
