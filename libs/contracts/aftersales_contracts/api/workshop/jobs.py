"""The workshop's reference data, people, teams, bays, jobs and additional work."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...vocabulary import PAYERS
from ..fields import (
    ID,
    TEXT,
    Hours,
    Quantity,
    Strict,
    Timestamp,
)
from ..pages import PageQuery
from .codes import (
    ITEM_RESULTS,
    JOB_STATUSES,
    PAUSE_REASONS,
    QC_STAGES,
    SESSION_END_REASONS,
    WORK_STATUSES,
    TotalHours,
    _id,
    _note,
    _nullable,
    _one_of,
    _optional_id,
)

# ---------------------------------------------------------------- reference data (seeding)


class TeamIn(Schema):
    team_id = _id(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    leader_id = fields.String(load_default=None, allow_none=True, validate=ID)


class TechnicianIn(Schema):
    technician_id = _id(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = fields.String(load_default=None, allow_none=True)
    skills = fields.List(fields.String(), load_default=list)
    grade = fields.String(load_default=None, allow_none=True)


class BayIn(Schema):
    bay_id = _id(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(load_default="lift", validate=validate.Length(min=1, max=40))


class WorkshopReferenceDataIn(Strict):
    group_id = fields.String(required=True)
    teams = fields.List(fields.Nested(TeamIn), load_default=list)
    technicians = fields.List(fields.Nested(TechnicianIn), load_default=list)
    bays = fields.List(fields.Nested(BayIn), load_default=list)


class WorkshopReferenceCountsOut(Schema):
    teams = fields.Integer(required=True)
    technicians = fields.Integer(required=True)
    bays = fields.Integer(required=True)


# ---------------------------------------------------------------- people, teams, bays


class TechnicianOut(Schema):
    technician_id = fields.String(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = _nullable()
    skills = fields.List(fields.String(), required=True)
    grade = _nullable()


class TechnicianQuery(PageQuery):
    team_id = fields.String(load_default=None, validate=ID)
    grade = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


class WorkshopTeamOut(Schema):
    """A team, who leads it and who is in it."""

    team_id = fields.String(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    leader_id = _nullable(metadata={"description": "the technician who leads the team"})
    leader_name = _nullable()
    technician_ids = fields.List(fields.String(), required=True)


class WorkshopTeamQuery(PageQuery):
    pass


class WorkshopBayOut(Schema):
    bay_id = fields.String(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class WorkshopBayQuery(PageQuery):
    kind = fields.String(load_default=None, validate=validate.Length(min=1, max=40))


# ---------------------------------------------------------------- jobs


class JobOut(Schema):
    """A job: one approved labor line of an RO, as the workshop works it."""

    job_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_number = _nullable()
    line_id = fields.String(required=True)
    work_id = _nullable(metadata={"description": "the additional work it came from"})
    site_id = fields.String(required=True)
    operation_code = fields.String(required=True)
    description = fields.String(required=True)
    standard_hours = Hours(required=True)
    clocked_hours = TotalHours(required=True)
    payer = _one_of(PAYERS, required=True)
    skill = _nullable()
    status = _one_of(JOB_STATUSES, required=True)
    qc_stage = _nullable(validate=validate.OneOf(QC_STAGES))
    technician_id = _nullable()
    team_id = _nullable()
    bay_id = _nullable()
    planned_date = fields.Date(required=True)
    pause_reason = _nullable(validate=validate.OneOf(PAUSE_REASONS))
    waiting_for_parts = fields.Boolean(required=True)
    plate = _nullable()
    vin = _nullable()
    promised_at = Timestamp(required=True, allow_none=True)
    plate_confirmed_by = _nullable()
    clocked_on_by = _nullable(metadata={"description": "who is clocked on it now"})
    needs_road_test = fields.Boolean(required=True)
    rework_count = fields.Integer(required=True)
    rework_reason = _nullable()
    done_at = Timestamp(required=True, allow_none=True)


class JobHistoryOut(Schema):
    at = Timestamp(required=True)
    by = fields.String(required=True)
    action = fields.String(required=True)
    from_status = _nullable(validate=validate.OneOf(JOB_STATUSES))
    to_status = _one_of(JOB_STATUSES, required=True)
    detail = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "what the action recorded (technician, reason, check…)"},
    )


class ClockSessionOut(Schema):
    technician_id = fields.String(required=True)
    started_at = Timestamp(required=True)
    ended_at = Timestamp(required=True, allow_none=True)
    end_reason = _nullable(validate=validate.OneOf(SESSION_END_REASONS))


class QcItemOut(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    result = _one_of(ITEM_RESULTS, required=True)


class QcCheckOut(Schema):
    check_id = fields.String(required=True)
    order_id = fields.String(required=True)
    job_id = _nullable()
    stage = _one_of(QC_STAGES, required=True)
    checked_by = fields.String(required=True)
    passed = fields.Boolean(required=True)
    items = fields.List(fields.Nested(QcItemOut), required=True)
    reasons = fields.List(fields.String(), required=True)
    job_ids = fields.List(fields.String(), required=True)
    responsible_technician_id = _nullable()
    checked_at = Timestamp(required=True)


class JobDetailOut(JobOut):
    """The job document: its history, clock sessions and checks (carries an ETag)."""

    history = fields.List(fields.Nested(JobHistoryOut), required=True)
    sessions = fields.List(fields.Nested(ClockSessionOut), required=True)
    checks = fields.List(fields.Nested(QcCheckOut), required=True)


class JobCheckedOut(JobOut):
    """A job after its self-check or team-leader check, with that check."""

    check = fields.Nested(QcCheckOut, required=True)


class JobQuery(PageQuery):
    """Jobs of a site, newest first; `from`/`to` bound the planned date."""

    status = fields.String(load_default=None, validate=validate.OneOf(JOB_STATUSES))
    technician_id = fields.String(load_default=None, validate=ID)
    team_id = fields.String(load_default=None, validate=ID)
    order_id = fields.String(load_default=None, validate=ID)
    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")


class MyJobQuery(PageQuery):
    """The signed-in technician's jobs; by default those not done or cancelled."""

    status = fields.String(load_default=None, validate=validate.OneOf(JOB_STATUSES))


class DispatchIn(Strict):
    technician_id = _optional_id()
    team_id = _optional_id()
    bay_id = _optional_id()
    planned_date = fields.Date(load_default=None, allow_none=True)
    note = _note()


class PlateCheckIn(Strict):
    """The plate (or VIN) the technician reads off the car."""

    plate = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    vin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=17))
    technician_id = _optional_id()


class ClockOnIn(Strict):
    technician_id = _optional_id()


class ClockOffIn(Strict):
    """Clock off: `done` when the work is finished, else a pause with a reason."""

    technician_id = _optional_id()
    done = fields.Boolean(load_default=False)
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(PAUSE_REASONS)
    )


class PauseIn(Strict):
    technician_id = _optional_id()
    reason = fields.String(required=True, validate=validate.OneOf(PAUSE_REASONS))
    note = _note()


class TechnicianSuggestionOut(Schema):
    technician_id = fields.String(required=True)
    name = fields.String(required=True)
    team_id = _nullable()
    has_skill = fields.Boolean(required=True)
    present = fields.Boolean(required=True)
    load_hours = TotalHours(required=True)
    free_hours = TotalHours(required=True)
    grade = _nullable()
    clocked_on = _nullable(metadata={"description": "the job they are clocked on now"})


class DispatchSuggestionOut(Schema):
    job_id = fields.String(required=True)
    skill = _nullable()
    team_id = _nullable(metadata={"description": "the team of the best-placed technician"})
    technicians = fields.List(fields.Nested(TechnicianSuggestionOut), required=True)


# ---------------------------------------------------------------- additional work


class SuggestedOperationIn(Strict):
    operation_code = _id(required=True)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    standard_hours = Hours(required=True, low_inclusive=False)


class SuggestedPartIn(Strict):
    part_number = _id(required=True)
    quantity = Quantity(required=True)


class AdditionalWorkIn(Strict):
    description = fields.String(required=True, validate=TEXT)
    suggested_operations = fields.List(fields.Nested(SuggestedOperationIn), load_default=list)
    suggested_parts = fields.List(fields.Nested(SuggestedPartIn), load_default=list)
    # Park the job as waiting for the customer's answer (its session ends).
    pause = fields.Boolean(load_default=False)
    technician_id = _optional_id()


class SuggestedOperationOut(Schema):
    operation_code = fields.String(required=True)
    description = fields.String(required=True)
    standard_hours = Hours(required=True)


class SuggestedPartOut(Schema):
    part_number = fields.String(required=True)
    quantity = Quantity(required=True)


class FoundWorkOut(Schema):
    """Additional work found on a job, as the workshop knows it."""

    work_id = fields.String(required=True)
    order_id = fields.String(required=True)
    job_id = _nullable(metadata={"description": "null when the advisor added it"})
    description = fields.String(required=True)
    found_by = _nullable()
    suggested_operations = fields.List(fields.Nested(SuggestedOperationOut), required=True)
    suggested_parts = fields.List(fields.Nested(SuggestedPartOut), required=True)
    status = _one_of(WORK_STATUSES, required=True)
    found_at = Timestamp(required=True, allow_none=True)
    decided_at = Timestamp(required=True, allow_none=True)


class AdditionalWorkReportedOut(FoundWorkOut):
    job = fields.Nested(
        JobOut, metadata={"description": "the job, parked: only when `pause` was asked"}
    )
