"""The workshop's codes, role sets and value fields (see `__init__`)."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from aftersales_core.tenancy import role_set

from ..fields import (
    ID,
    MAX_AMOUNT,
    MAX_HOURS,
    DecimalString,
)

# ---------------------------------------------------------------- codes

UNASSIGNED = "unassigned"
ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
PAUSED = "paused"
WAITING_QC = "waiting_qc"
DONE = "done"
CANCELLED = "cancelled"  # the RO was cancelled: the job leaves the board, nothing more to do
# The dispatch board's columns, in the order work flows through them.
BOARD_COLUMNS: tuple[str, ...] = (UNASSIGNED, ASSIGNED, IN_PROGRESS, PAUSED, WAITING_QC, DONE)
JOB_STATUSES: tuple[str, ...] = (*BOARD_COLUMNS, CANCELLED)

# QC stages.  A job passes self-check and team-leader check while it waits for QC;
# the RO then has a road test (when some job needs one) and the final inspection.
SELF_CHECK = "self_check"
TEAM_LEADER_CHECK = "team_leader_check"
ROAD_TEST = "road_test"
FINAL_INSPECTION = "final_inspection"
QC_STAGES: tuple[str, ...] = (SELF_CHECK, TEAM_LEADER_CHECK, ROAD_TEST, FINAL_INSPECTION)
QC_STATUSES: tuple[str, ...] = ("pending", "passed", "failed")

# Why work stops.  `job_paused` carries the reason as is.
PAUSE_REASONS: tuple[str, ...] = (
    "waiting_for_parts",
    "waiting_for_approval",  # additional work reported, the customer has not answered
    "end_of_shift",
    "break",
    "other_job",  # pulled onto another, more urgent job
    "tooling",  # waiting for a bay, a lift or special tools
    "other",
)
# Why a clock session ended: a pause reason, the work finished, or the RO cancelled.
SESSION_END_REASONS: tuple[str, ...] = (*PAUSE_REASONS, "done", "cancelled")

OK, FAILED, UNCHECKED = "ok", "failed", "unchecked"
ITEM_RESULTS: tuple[str, ...] = (OK, FAILED, UNCHECKED)

ATTENDANCE_STATUSES: tuple[str, ...] = ("present", "leave", "sick", "absent", "training")
SCHEDULED = "scheduled"  # nothing recorded: the shift pattern's hours
WORK_STATUSES: tuple[str, ...] = ("awaiting_approval", "approved", "declined")
MATCHED_BY: tuple[str, ...] = ("operation_code", "complaint")

# ---------------------------------------------------------------- who may do what

DISPATCH_ROLES = role_set(
    "dispatcher", "team_leader", "service_manager", "service_director", "system"
)
TIME_ROLES = role_set("technician", "team_leader")  # clock for themselves
CLOCK_FOR_OTHERS_ROLES = role_set("dispatcher", "service_manager", "service_director", "system")
CLOCKING_ROLES = role_set(*TIME_ROLES, *CLOCK_FOR_OTHERS_ROLES)
INSPECTOR_ROLES = role_set("qc_inspector", "service_manager", "service_director", "system")
ROAD_TEST_ROLES = role_set(*INSPECTOR_ROLES, "team_leader")
SELF_CHECK_ROLES = TIME_ROLES  # the job's own technician
TEAM_CHECK_ROLES = role_set("team_leader", "qc_inspector", "system")
ATTENDANCE_ROLES = role_set("dispatcher", "service_manager", "service_director", "system")
REPORTER_ROLES = role_set("technician", "team_leader", "dispatcher", "qc_inspector", "system")
MY_JOBS_ROLES = TIME_ROLES


# ---------------------------------------------------------------- value fields


def _one_of(codes: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(codes), **kwargs)


def TotalHours(**kwargs: Any) -> DecimalString:  # noqa: N802 - a field factory
    """Hours summed over people or days (a site's year can pass 1,000 h): `"128.0"`."""
    kwargs.setdefault("what", "hours")
    return DecimalString(1, high=MAX_AMOUNT, example="128.0", **kwargs)


def Share(**kwargs: Any) -> DecimalString:  # noqa: N802
    """A ratio to 0.01 (efficiency, a similarity): `"0.95"`."""
    kwargs.setdefault("what", "a ratio")
    return DecimalString(2, low=0, high=MAX_AMOUNT, example="0.95", **kwargs)


def DayHours(**kwargs: Any) -> DecimalString:  # noqa: N802
    """Hours of one day as typed; the workshop refuses more than 24 h or finer than
    0.1 h itself (`HOURS_PRECISION`), so the field lets such figures through."""
    kwargs.setdefault("what", "hours")
    return DecimalString(4, low=None, high=MAX_HOURS, example="8.0", **kwargs)


def _id(**kwargs: Any) -> fields.String:
    return fields.String(validate=ID, **kwargs)


def _optional_id() -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=ID)


def _note(length: int = 500) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=length))


def _nullable(field: type[fields.Field] = fields.String, **kwargs: Any) -> fields.Field:
    return field(required=True, allow_none=True, **kwargs)
