"""A job's life on the workshop floor: dispatch, the plate check, clocking, pauses.

The service turns its rows into `Job` values, asks these functions what may happen,
and saves the answer; every refusal of the dispatch board and the technician's
time is raised here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import NoReturn

from aftersales_contracts.api.workshop import (
    ASSIGNED,
    CANCELLED,
    CLOCK_FOR_OTHERS_ROLES,
    DISPATCH_ROLES,
    DONE,
    IN_PROGRESS,
    PAUSE_REASONS,
    PAUSED,
    SELF_CHECK,
    TIME_ROLES,
    UNASSIGNED,
    WAITING_QC,
)
from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

from .common import ZERO, hours

# Not worked any more: no capacity booked, no alarm raised.
CLOSED = frozenset({DONE, CANCELLED})
# Work not yet finished by the technician: what the progress watch counts as open.
OPEN_WORK = frozenset({UNASSIGNED, ASSIGNED, IN_PROGRESS, PAUSED})


def illegal(action: str, status: str) -> Conflict:
    return Conflict(
        f"a job that is {status} cannot be {action}",
        "ILLEGAL_TRANSITION",
        {"status": [status]},
    )


@dataclass(frozen=True)
class Job:
    """What the rules need to know about a job."""

    status: str
    technician_id: str | None = None
    team_id: str | None = None
    plate_confirmed_by: str | None = None
    qc_stage: str | None = None
    pause_reason: str | None = None


def dispatch(job: Job, technician_id: str | None, team_id: str | None) -> Job:
    """Assign (or re-assign) a job to a technician, a team, or a technician of a team.

    A job being clocked cannot change hands: its technician clocks off first.
    A paused job stays paused under its new technician, with its reason.  A new
    technician checks the plate again.
    """
    if job.status not in (UNASSIGNED, ASSIGNED, PAUSED):
        raise illegal("dispatched", job.status)
    if technician_id is None and team_id is None:
        raise ValidationFailed.on(
            "technician_id", "dispatch to a technician or a team", "DISPATCH_TARGET"
        )
    confirmed = job.plate_confirmed_by if job.plate_confirmed_by == technician_id else None
    status = PAUSED if job.status == PAUSED else ASSIGNED
    return replace(
        job,
        status=status,
        technician_id=technician_id,
        team_id=team_id,
        plate_confirmed_by=confirmed,
    )


def normalise_plate(plate: str) -> str:
    """A plate as characters only: 沪A·12345, 沪a 12345 and 沪A12345 are one plate."""
    text = unicodedata.normalize("NFKC", plate)
    return "".join(c for c in text.upper() if c.isalnum())


def check_plate(
    order_plate: str | None, order_vin: str | None, plate: str | None, vin: str | None
) -> None:
    """The technician reads the car and it must be the RO's car (by plate, else by VIN).

    A VIN may be given whole or as its last six characters (what is stamped on
    the dashboard plate most legibly).
    """
    if plate:
        if not order_plate:
            raise ValidationFailed.on(
                "plate", "this RO's car has no plate on file: check the VIN", "PLATE_UNKNOWN"
            )
        if normalise_plate(plate) != normalise_plate(order_plate):
            raise ValidationFailed.on(
                "plate", "the plate does not match the repair order", "PLATE_MISMATCH"
            )
        return
    if vin:
        given = "".join(vin.split()).upper()
        if not order_vin:
            raise Conflict("the RO's VIN is not known yet", "ORDER_NOT_READY", {"vin": [given]})
        if len(given) not in (6, 17) or not order_vin.upper().endswith(given):
            raise ValidationFailed.on(
                "vin", "the VIN does not match the repair order", "VIN_MISMATCH"
            )
        return
    raise ValidationFailed.on("plate", "give the plate (or the VIN) you read", "PLATE_REQUIRED")


def clock_on(
    job: Job,
    technician_id: str,
    technician_team_id: str | None,
    busy_on_job: str | None,
) -> Job:
    """Start (or resume) work: dispatched first, the plate checked, one job at a time."""
    if job.status == UNASSIGNED:
        raise Conflict("the job has not been dispatched", "NOT_DISPATCHED")
    if job.status not in (ASSIGNED, PAUSED):
        raise illegal("clocked on", job.status)
    if job.technician_id is not None and job.technician_id != technician_id:
        raise Conflict(
            f"the job is dispatched to {job.technician_id}",
            "NOT_DISPATCHED_TO_YOU",
            {"technician_id": [technician_id]},
        )
    if job.technician_id is None and job.team_id != technician_team_id:
        raise Conflict(
            f"the job is dispatched to team {job.team_id}",
            "NOT_DISPATCHED_TO_YOU",
            {"technician_id": [technician_id]},
        )
    if job.plate_confirmed_by != technician_id:
        raise Conflict(
            "check the plate against the repair order before clocking on",
            "PLATE_NOT_CONFIRMED",
        )
    if busy_on_job is not None:
        raise Conflict(
            f"{technician_id} is clocked on job {busy_on_job}",
            "TECHNICIAN_BUSY",
            {"job_id": [busy_on_job]},
        )
    return replace(job, status=IN_PROGRESS, technician_id=technician_id, pause_reason=None)


def confirm_plate(job: Job, technician_id: str, technician_team_id: str | None) -> Job:
    """Only the job's technician (or a member of its team) confirms the car."""
    if job.status not in (ASSIGNED, PAUSED, IN_PROGRESS):
        raise illegal("checked against its car", job.status)
    mine = job.technician_id == technician_id or (
        job.technician_id is None and job.team_id is not None and job.team_id == technician_team_id
    )
    if not mine:
        raise Conflict(
            "the job is not dispatched to you",
            "NOT_DISPATCHED_TO_YOU",
            {"technician_id": [technician_id]},
        )
    return replace(job, plate_confirmed_by=technician_id)


def pause(job: Job, reason: str, by: str | None = None) -> Job:
    """Stop work with a reason: a clocked job's session ends; an idle job is parked.

    `by`: the technician pausing it, who must be the one it is dispatched to.
    """
    if reason not in PAUSE_REASONS:
        raise ValidationFailed.on("reason", f"one of: {', '.join(PAUSE_REASONS)}", "PAUSE_REASON")
    if job.status not in (IN_PROGRESS, ASSIGNED, PAUSED):
        raise illegal("paused", job.status)
    if job.technician_id is None:
        raise Conflict("dispatch the job to a technician first", "NOT_DISPATCHED")
    if by is not None and by != job.technician_id:
        raise Conflict(f"the job is dispatched to {job.technician_id}", "NOT_DISPATCHED_TO_YOU")
    return replace(job, status=PAUSED, pause_reason=reason)


def finish(job: Job, by: str | None = None) -> Job:
    """The technician clocks off for good: the job waits for the self-check.

    `by`: the technician clocking off, who must be the one clocked on it.
    """
    if job.status != IN_PROGRESS:
        raise illegal("finished", job.status)
    if by is not None and by != job.technician_id:
        raise Conflict("the job is clocked by someone else", "NOT_DISPATCHED_TO_YOU")
    return replace(job, status=WAITING_QC, qc_stage=SELF_CHECK)


def busy_elsewhere(technician_id: str) -> NoReturn:
    """Two clock-ons raced and the database let only one through: this one lost."""
    raise Conflict(f"{technician_id} is clocked on another job", "TECHNICIAN_BUSY")


def cancel(job: Job) -> Job:
    """The RO is cancelled: unfinished work is dropped; finished work stays done (its
    hours were worked and are kept)."""
    if job.status in CLOSED:
        return job
    return replace(job, status=CANCELLED, qc_stage=None, pause_reason=None)


# ---------------------------------------------------------------- who, which team, which bay

Place = tuple[str, str]  # (group_id, site_id) of a technician, team, bay, job or RO


def require_site_member(
    found: Place | None, where: Place, field_name: str, what: str, code: str
) -> None:
    """A technician, team or bay named in a request must belong to the job's site."""
    if found != where:
        raise ValidationFailed.on(field_name, f"not a {what} of this site", code)


def dispatch_team(
    technician_team: str | None,
    technician_given: bool,
    team_id: str | None,
    team_place: Place | None,
    where: Place,
) -> str | None:
    """The team a dispatch puts the job in: the named team (of this site, and the
    technician's own), else the technician's team."""
    team = technician_team if technician_given else None
    if team_id:
        require_site_member(team_place, where, "team_id", "team", "UNKNOWN_TEAM")
        if technician_given and technician_team != team_id:
            raise ValidationFailed.on(
                "team_id", "the technician is not in this team", "TEAM_MISMATCH"
            )
        team = team_id
    return team


def only_team_leader(roles: Iterable[str]) -> bool:
    """A team leader without a dispatcher's or a manager's role."""
    held = set(roles)
    return "team_leader" in held and not held & (set(DISPATCH_ROLES) - {"team_leader"})


def check_leader_dispatch(roles: Iterable[str], own_team: str | None, team_id: str | None) -> None:
    """A team leader (and nothing more) dispatches within their own team only."""
    if only_team_leader(roles) and (own_team is None or team_id != own_team):
        raise ValidationFailed.on(
            "team_id", "a team leader dispatches within their own team", "NOT_YOUR_TEAM"
        )


def actor(
    user_id: str, roles: Iterable[str], requested: str | None, job_technician_id: str | None
) -> str:
    """The technician an action on a job is for: the caller, or — for a dispatcher or
    manager clocking for someone — the one they name (default: the job's)."""
    held = set(roles)

    def require(*needed: str) -> None:
        if not held & set(needed):
            raise Forbidden(
                "this needs one of the roles: " + ", ".join(needed),
                "ROLE_FORBIDDEN",
                {"roles": list(needed)},
            )

    if requested and requested != user_id:
        require(*CLOCK_FOR_OTHERS_ROLES)
        return requested
    if requested or held & set(TIME_ROLES):
        require(*TIME_ROLES)
        return user_id
    if held & set(CLOCK_FOR_OTHERS_ROLES) and job_technician_id:
        return job_technician_id
    require(*TIME_ROLES, *CLOCK_FOR_OTHERS_ROLES)
    raise ValidationFailed.on(
        "technician_id", "say which technician this is for", "TECHNICIAN_REQUIRED"
    )


def check_order_open(delivered: bool, cancelled: bool) -> None:
    """Work is only reported on an RO still in the workshop."""
    if delivered:
        raise Conflict("the car has been delivered", "ORDER_DELIVERED")
    if cancelled:
        raise Conflict("the repair order was cancelled", "ORDER_CANCELLED")


# ---------------------------------------------------------------- skills and suggestions

# Catalog code prefix -> the skill the work needs, when the RO line does not say.
SKILL_BY_PREFIX: dict[str, str] = {
    "MNT": "maintenance",
    "OIL": "maintenance",
    "WIP": "maintenance",
    "SPK": "maintenance",
    "BRK": "brakes",
    "ALN": "alignment",
    "TYR": "alignment",
    "DIAG": "diagnosis",
    "ENG": "engine",
    "AC": "air_conditioning",
    "BAT": "electrical",
    "ELC": "electrical",
    "HV": "ev_high_voltage",
    "BDY": "body",
    "PNT": "paint",
}

GRADES: tuple[str, ...] = ("junior", "intermediate", "senior", "master")


def job_skill(line_skill: str | None, operation_code: str) -> str | None:
    """The skill a job needs: the RO line's, else the one its catalog code implies."""
    if line_skill:
        return line_skill
    return SKILL_BY_PREFIX.get(operation_code.upper().split("-", 1)[0])


@dataclass(frozen=True)
class Candidate:
    technician_id: str
    name: str
    team_id: str | None
    skills: tuple[str, ...]
    grade: str | None
    load_hours: Decimal  # standard hours still to do on jobs dispatched to them
    available_hours: Decimal  # hours present today
    clocked_on: str | None = None  # the job they are clocked on now


@dataclass(frozen=True)
class Suggestion:
    technician_id: str
    name: str
    team_id: str | None
    has_skill: bool
    present: bool
    load_hours: Decimal
    free_hours: Decimal
    grade: str | None
    clocked_on: str | None


def suggest(skill: str | None, candidates: Iterable[Candidate]) -> list[Suggestion]:
    """Technicians best placed for a job: with the skill, present, least loaded.

    Ties go to the higher grade, then to the id (a stable order).  Nobody is
    left out: an absent or unskilled technician is listed last, so the
    dispatcher still sees the whole site.
    """
    ranked = []
    for c in candidates:
        has_skill = skill is None or skill in c.skills
        present = c.available_hours > 0
        free = max(c.available_hours - c.load_hours, ZERO)
        grade_rank = GRADES.index(c.grade) if c.grade in GRADES else -1
        key = (not has_skill, not present, c.load_hours, -grade_rank, c.technician_id)
        ranked.append(
            (
                key,
                Suggestion(
                    c.technician_id,
                    c.name,
                    c.team_id,
                    has_skill,
                    present,
                    hours(c.load_hours),
                    hours(free),
                    c.grade,
                    c.clocked_on,
                ),
            )
        )
    return [s for _, s in sorted(ranked, key=lambda pair: pair[0])]
