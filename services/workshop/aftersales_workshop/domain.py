"""The workshop's rules, free of nameko and SQLAlchemy (domain.md steps 4, 5 and 7).

The service loads rows, turns them into the plain values here, asks these
functions what may happen, and saves the answer.  Everything is testable in
milliseconds: dispatch and clocking transitions, QC checklists, the progress
watch, comeback detection, capacity and the technician figures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

# Every site of the demo group is in China: one clock, no daylight saving.
SITE_TZ = ZoneInfo("Asia/Shanghai")

HOURS_STEP = Decimal("0.1")
RATIO_STEP = Decimal("0.01")
ZERO = Decimal("0")


def hours(value: Decimal | str | int) -> Decimal:
    """Hours to 0.1 h (half up): how the workshop books and reports time."""
    return Decimal(value).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Exact hours between two instants (not rounded: round totals, not parts)."""
    seconds = Decimal(int((end - start).total_seconds()))
    return max(seconds, ZERO) / Decimal(3600)


def local_date(moment: datetime) -> date:
    """The site's calendar day of an instant (a shift belongs to the day it began)."""
    return moment.astimezone(SITE_TZ).date()


# ---------------------------------------------------------------- jobs and their states

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
# Not worked any more: no capacity booked, no alarm raised.
CLOSED = frozenset({DONE, CANCELLED})
# Work not yet finished by the technician: what the progress watch counts as open.
OPEN_WORK = frozenset({UNASSIGNED, ASSIGNED, IN_PROGRESS, PAUSED})

# QC stages.  A job passes self-check and team-leader check while it waits for QC;
# the RO then has a road test (when some job needs one) and the final inspection.
SELF_CHECK = "self_check"
TEAM_LEADER_CHECK = "team_leader_check"
ROAD_TEST = "road_test"
FINAL_INSPECTION = "final_inspection"
QC_STAGES: tuple[str, ...] = (SELF_CHECK, TEAM_LEADER_CHECK, ROAD_TEST, FINAL_INSPECTION)

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

# Roles (aftersales_core.tenancy.ROLES) that may do what.
DISPATCH_ROLES = ("dispatcher", "team_leader", "service_manager", "service_director", "system")
TIME_ROLES = ("technician", "team_leader")  # clock for themselves
CLOCK_FOR_OTHERS_ROLES = ("dispatcher", "service_manager", "service_director", "system")
INSPECTOR_ROLES = ("qc_inspector", "service_manager", "service_director", "system")
ATTENDANCE_ROLES = ("dispatcher", "service_manager", "service_director", "system")
REPORTER_ROLES = ("technician", "team_leader", "dispatcher", "qc_inspector", "system")


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


def pause(job: Job, reason: str) -> Job:
    """Stop work with a reason: a clocked job's session ends; an idle job is parked."""
    if reason not in PAUSE_REASONS:
        raise ValidationFailed.on("reason", f"one of: {', '.join(PAUSE_REASONS)}", "PAUSE_REASON")
    if job.status not in (IN_PROGRESS, ASSIGNED, PAUSED):
        raise illegal("paused", job.status)
    if job.technician_id is None:
        raise Conflict("dispatch the job to a technician first", "NOT_DISPATCHED")
    return replace(job, status=PAUSED, pause_reason=reason)


def finish(job: Job) -> Job:
    """The technician clocks off for good: the job waits for the self-check."""
    if job.status != IN_PROGRESS:
        raise illegal("finished", job.status)
    return replace(job, status=WAITING_QC, qc_stage=SELF_CHECK)


def cancel(job: Job) -> Job:
    """The RO is cancelled: unfinished work is dropped; finished work stays done (its
    hours were worked and are kept)."""
    if job.status in CLOSED:
        return job
    return replace(job, status=CANCELLED, qc_stage=None, pause_reason=None)


def after_job_check(job: Job, stage: str, passed: bool) -> Job:
    """A self-check or team-leader check on a job that waits for QC.

    Self-check failed: the technician found it unfinished, back to work.
    Team-leader check failed: rework, back to the same technician.
    Both passed: the job is done.
    """
    if job.status != WAITING_QC or job.qc_stage != stage:
        raise Conflict(
            f"the job is not waiting for a {stage.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [job.status], "qc_stage": [job.qc_stage or ""]},
        )
    if not passed:
        return replace(job, status=ASSIGNED, qc_stage=None)
    if stage == SELF_CHECK:
        return replace(job, qc_stage=TEAM_LEADER_CHECK)
    return replace(job, status=DONE, qc_stage=None)


def send_back(job: Job) -> Job:
    """An RO-level failure (road test, final inspection): the done job is rework."""
    if job.status != DONE:
        raise illegal("sent back as rework", job.status)
    return replace(job, status=ASSIGNED, qc_stage=None, pause_reason=None)


def check_job_checker(
    stage: str, checker_id: str, roles: Iterable[str], job: Job, checker_team_id: str | None
) -> None:
    """Who may sign a job's check: its own technician the self-check; a team leader
    of its team (or an inspector) the team-leader check, never on their own work."""
    roles = set(roles)
    if stage == SELF_CHECK:
        if checker_id != job.technician_id:
            raise Forbidden("the self-check is the job's technician's", "NOT_YOUR_JOB")
        return
    if checker_id == job.technician_id:
        raise Forbidden("a second check is by someone else", "OWN_WORK")
    if "qc_inspector" in roles or "system" in roles:
        return
    if "team_leader" not in roles:
        raise Forbidden("this needs a team leader or a QC inspector", "ROLE_FORBIDDEN")
    if job.team_id is not None and checker_team_id != job.team_id:
        raise Forbidden("you do not lead this job's team", "NOT_YOUR_TEAM")


# ---------------------------------------------------------------- QC checklists

OK, FAILED, UNCHECKED = "ok", "failed", "unchecked"
ITEM_RESULTS = (OK, FAILED, UNCHECKED)

# (code, label) per stage: clients answer by code, reasons quote the label.
CHECKLISTS: dict[str, tuple[tuple[str, str], ...]] = {
    SELF_CHECK: (
        ("work_complete", "作业项目全部完成"),
        ("torque", "紧固件按规定力矩紧固"),
        ("no_leaks", "无漏油、漏水、漏气"),
        ("tools_removed", "无遗留工具、零件及旧件"),
    ),
    TEAM_LEADER_CHECK: (
        ("work_complete", "作业项目全部完成"),
        ("workmanship", "作业质量符合维修标准"),
        ("parts_correct", "更换零件正确，旧件已按要求处理"),
    ),
    ROAD_TEST: (
        ("brakes", "制动性能正常，无跑偏"),
        ("steering", "转向正常，方向盘居中"),
        ("noise", "行驶中无异响"),
        ("warning_lights", "仪表无故障警告灯"),
    ),
    FINAL_INSPECTION: (
        ("fault_fixed", "客户反映的故障已排除"),
        ("all_lines_done", "委托书所列项目全部完成"),
        ("fluids", "机油、冷却液、制动液液位正常"),
        ("lights_instruments", "灯光、仪表工作正常"),
        ("wheel_torque", "车轮螺栓按规定力矩紧固"),
        ("clean_no_damage", "车辆清洁，无新增损伤"),
        ("old_parts", "旧件按客户要求处理"),
    ),
}


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    items: list[dict[str, str]]
    reasons: list[str]


def evaluate_checklist(stage: str, results: Mapping[str, str], remarks: str | None) -> CheckResult:
    """Every item of the stage's checklist must be ok: an unchecked or failed item fails QC."""
    checklist = CHECKLISTS[stage]
    known = {code for code, _ in checklist}
    unknown = sorted(set(results) - known)
    if unknown:
        raise ValidationFailed(
            "not items of this checklist",
            "UNKNOWN_CHECK_ITEM",
            {"items": {code: [f"not on the {stage} checklist"] for code in unknown}},
        )
    bad = {code: value for code, value in results.items() if value not in ITEM_RESULTS}
    if bad:
        raise ValidationFailed(
            "each item is ok, failed or unchecked",
            "VALIDATION_ERROR",
            {"items": {code: [f"one of: {', '.join(ITEM_RESULTS)}"] for code in bad}},
        )
    items = []
    reasons = [remarks.strip()] if remarks and remarks.strip() else []
    failed = False
    for code, label in checklist:
        result = results.get(code, UNCHECKED)
        items.append({"code": code, "label": label, "result": result})
        if result == FAILED:
            failed = True
            reasons.append(f"{label}：不合格")
        elif result == UNCHECKED:
            failed = True
            reasons.append(f"{label}：未检查")
    return CheckResult(not failed, items, reasons if failed else [])


# Operations that change how the car drives are proven on the road (code prefixes of
# the labor-time catalog): brakes, alignment and tyres, engine, diagnosis, steering,
# suspension, transmission.
ROAD_TEST_PREFIXES = ("BRK", "ALN", "TYR", "ENG", "DIAG", "STR", "SUS", "TRN")


def needs_road_test(operation_code: str) -> bool:
    return operation_code.upper().split("-", 1)[0] in ROAD_TEST_PREFIXES


def responsible_technician(technicians: Iterable[str | None]) -> str | None:
    """The technician a failure is charged to: the one who did the failed jobs, if one did."""
    named = {t for t in technicians if t}
    return named.pop() if len(named) == 1 else None


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


# ---------------------------------------------------------------- attendance and capacity

ATTENDANCE_STATUSES = ("present", "leave", "sick", "absent", "training")
MAX_DAY_HOURS = Decimal("24")


@dataclass(frozen=True)
class ShiftPattern:
    """A site's regular day: which weekdays (ISO, Monday = 1) and how many hours.

    4S stores open every day and technicians take turns off (轮休), which
    attendance records; so unless a site says otherwise every day is a
    working day of 8.0 h for each technician.
    """

    working_days: frozenset[int] = frozenset(range(1, 8))
    hours: Decimal = Decimal("8.0")

    def hours_on(self, day: date) -> Decimal:
        return self.hours if day.isoweekday() in self.working_days else ZERO


DEFAULT_PATTERN = ShiftPattern()


def check_pattern(working_days: Sequence[int], day_hours: Decimal) -> ShiftPattern:
    days = frozenset(working_days)
    if not days or not days <= set(range(1, 8)):
        raise ValidationFailed.on(
            "working_days", "ISO weekdays, Monday = 1 to Sunday = 7", "WORKING_DAYS"
        )
    return ShiftPattern(days, check_day_hours(day_hours, "hours"))


def check_day_hours(value: Decimal, field_name: str = "hours") -> Decimal:
    if value < 0 or value > MAX_DAY_HOURS or value != value.quantize(HOURS_STEP):
        raise ValidationFailed.on(field_name, "between 0 and 24 hours, to 0.1 h", "HOURS_PRECISION")
    return value


def attendance_hours(status: str, given: Decimal | None, scheduled: Decimal) -> Decimal:
    """Hours present on a day from an attendance entry.

    Present without hours means the scheduled shift; leave, sickness, absence
    and off-site training are no hours in the workshop.
    """
    if status != "present":
        if given not in (None, ZERO):
            raise ValidationFailed.on(
                "hours", f"someone on {status} is present 0 hours", "ATTENDANCE_HOURS"
            )
        return ZERO
    if given is None:
        return scheduled
    return check_day_hours(given)


def attended_on(day: date, pattern: ShiftPattern, recorded: Decimal | None) -> Decimal:
    """A technician's hours present on a day: what attendance says, else the pattern."""
    return recorded if recorded is not None else pattern.hours_on(day)


def capacity(
    day: date,
    pattern: ShiftPattern,
    technicians: Iterable[str],
    recorded: Mapping[str, Decimal],
    booked: Iterable[Decimal],
) -> tuple[Decimal, Decimal]:
    """(available, booked) technician hours of a site on a day.

    Available: each technician's hours present (attendance, else the shift pattern).
    Booked: standard hours of open jobs planned for the day.
    """
    available = sum((attended_on(day, pattern, recorded.get(t)) for t in technicians), start=ZERO)
    return hours(available), hours(sum(booked, start=ZERO))


# ---------------------------------------------------------------- progress watch

AT_RISK_SHARE = Decimal("0.70")


def elapsed_share(start: datetime, promised_at: datetime, now: datetime) -> Decimal:
    """How much of the promised time has passed, to 0.01 (1.00 once it is due)."""
    span = (promised_at - start).total_seconds()
    if span <= 0:
        return Decimal("1.00")
    share = Decimal(str((now - start).total_seconds())) / Decimal(str(span))
    return max(share, ZERO).quantize(RATIO_STEP, rounding=ROUND_HALF_UP)


def at_risk(
    start: datetime, promised_at: datetime, now: datetime, statuses: Iterable[str]
) -> tuple[Decimal, int] | None:
    """(elapsed share, open jobs) when an RO needs the advisor's attention, else None.

    Once 70 % of the time from approval to the promised delivery has passed, an
    RO whose work is not near done is at risk.  "Near done" means every job is
    at least finished by its technician (waiting QC or done): what is left is
    checking, not work.  Past 80 % it is reported all the same: late is better
    than silent.
    """
    open_jobs = sum(1 for s in statuses if s in OPEN_WORK)
    if open_jobs == 0:
        return None
    share = elapsed_share(start, promised_at, now)
    if share < AT_RISK_SHARE:
        return None
    return share, open_jobs


# ---------------------------------------------------------------- comebacks

DEFAULT_COMEBACK_DAYS = 30
COMPLAINT_SIMILARITY = Decimal("0.5")
# Routine service recurs by design; it never makes a comeback by itself.
MAINTENANCE_PREFIXES = ("MNT",)


def is_maintenance(operation_code: str) -> bool:
    return operation_code.upper().split("-", 1)[0] in MAINTENANCE_PREFIXES


def normalise_complaint(text: str) -> str:
    """A complaint as letters and digits only: full-width, case, spaces and punctuation
    do not make two complaints different."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if c.isalnum())


def complaint_similarity(a: str, b: str) -> Decimal:
    """Dice coefficient of the character bigrams of two normalised complaints (0..1).

    Chinese has no spaces to split words on; bigrams of characters carry the
    words (刹车, 异响, 前轮) whatever the customer's phrasing around them.
    """
    x, y = normalise_complaint(a), normalise_complaint(b)
    if not x or not y:
        return ZERO
    if x == y:
        return Decimal(1)

    def grams(s: str) -> set[str]:
        return {s[i : i + 2] for i in range(len(s) - 1)} or {s}

    gx, gy = grams(x), grams(y)
    value = Decimal(2 * len(gx & gy)) / Decimal(len(gx) + len(gy))
    return value.quantize(RATIO_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PastJob:
    job_id: str
    operation_code: str
    technician_id: str | None
    standard_hours: Decimal


@dataclass(frozen=True)
class PastOrder:
    """An RO delivered earlier, with the jobs the workshop did on it."""

    order_id: str
    vin: str
    order_type: str | None
    complaint: str
    delivered_at: datetime
    jobs: tuple[PastJob, ...] = ()


@dataclass(frozen=True)
class NewOrder:
    order_id: str
    vin: str
    order_type: str | None
    complaint: str
    opened_at: datetime
    operation_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComebackMatch:
    original_order_id: str
    original_job_id: str | None
    technician_id: str | None
    matched_by: str  # "operation_code" or "complaint"
    operation_code: str | None
    similarity: Decimal | None
    days_after_delivery: int


def find_comeback(
    new: NewOrder, history: Iterable[PastOrder], window_days: int = DEFAULT_COMEBACK_DAYS
) -> ComebackMatch | None:
    """Is this RO the same vehicle back with the same complaint within the window?

    Same vehicle: the same VIN.  Within the window: opened no later than
    `window_days` after the earlier RO's delivery.  Same complaint, either
      1. a repair operation of the new RO (routine maintenance, MNT-*, aside) was
         done on the earlier RO — the same work again; or
      2. neither RO is a maintenance RO and the complaints, normalised, have a
         bigram similarity of at least 0.5 — the customer describes the same fault.
    The latest matching delivery wins; the comeback is charged to the job that
    did that work (by operation), else to the earlier RO's largest repair job.
    """
    window = timedelta(days=window_days)
    repair_codes = [c for c in new.operation_codes if not is_maintenance(c)]
    for past in sorted(history, key=lambda p: p.delivered_at, reverse=True):
        if past.order_id == new.order_id or past.vin.upper() != new.vin.upper():
            continue
        since = new.opened_at - past.delivered_at
        if since < timedelta(0) or since > window:
            continue
        days = since.days
        for code in repair_codes:
            job = next((j for j in past.jobs if j.operation_code == code), None)
            if job is not None:
                return ComebackMatch(
                    past.order_id, job.job_id, job.technician_id, "operation_code", code, None, days
                )
        if "maintenance" in (new.order_type, past.order_type):
            continue
        similarity = complaint_similarity(new.complaint, past.complaint)
        if similarity >= COMPLAINT_SIMILARITY:
            job = _main_job(past.jobs)
            return ComebackMatch(
                past.order_id,
                job.job_id if job else None,
                job.technician_id if job else None,
                "complaint",
                job.operation_code if job else None,
                similarity,
                days,
            )
    return None


def _main_job(jobs: Sequence[PastJob]) -> PastJob | None:
    repairs = [j for j in jobs if not is_maintenance(j.operation_code)] or list(jobs)
    if not repairs:
        return None
    return max(repairs, key=lambda j: (j.standard_hours, j.job_id))


# ---------------------------------------------------------------- technician figures


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A ratio to 0.01, or None where the denominator is zero (not "infinitely good")."""
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(RATIO_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """One technician's (or a team's, a site's) hours and counts for a period."""

    sold_hours: Decimal = ZERO
    clocked_hours: Decimal = ZERO
    attended_hours: Decimal = ZERO
    reworks: int = 0
    comebacks: int = 0

    @property
    def efficiency(self) -> Decimal | None:
        """Sold ÷ clocked: how fast the work is done against the catalog."""
        return ratio(self.sold_hours, self.clocked_hours)

    @property
    def productivity(self) -> Decimal | None:
        """Clocked ÷ attended: how much of the time present is spent on jobs."""
        return ratio(self.clocked_hours, self.attended_hours)

    @property
    def proficiency(self) -> Decimal | None:
        """Sold ÷ attended: hours sold for every hour present."""
        return ratio(self.sold_hours, self.attended_hours)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.sold_hours + other.sold_hours,
            self.clocked_hours + other.clocked_hours,
            self.attended_hours + other.attended_hours,
            self.reworks + other.reworks,
            self.comebacks + other.comebacks,
        )

    def as_dict(self) -> dict[str, object]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "sold_hours": str(self.sold_hours),
            "clocked_hours": str(self.clocked_hours),
            "attended_hours": str(self.attended_hours),
            "efficiency": text(self.efficiency),
            "productivity": text(self.productivity),
            "proficiency": text(self.proficiency),
            "reworks": self.reworks,
            "comebacks": self.comebacks,
        }


def technician_figures(
    sold: Iterable[Decimal],
    sessions: Iterable[tuple[datetime, datetime]],
    attended: Iterable[Decimal],
    reworks: int = 0,
    comebacks: int = 0,
) -> Figures:
    """A technician's figures for a period.

    sold: standard hours of the jobs they completed (each job once, on its first
    completion: rework adds clocked time, never sold time);
    sessions: their clock sessions (start, end) — summed exactly, rounded once;
    attended: their hours present, day by day.
    """
    clocked = sum((hours_between(start, end) for start, end in sessions), start=ZERO)
    return Figures(
        hours(sum(sold, start=ZERO)),
        hours(clocked),
        hours(sum(attended, start=ZERO)),
        reworks,
        comebacks,
    )


def total(figures: Iterable[Figures]) -> Figures:
    """A team's or a site's figures: the hours and counts of its technicians added up,
    the ratios taken from the sums (never averaged)."""
    return sum(figures, start=Figures())


def days(date_from: date, date_to: date) -> list[date]:
    if date_to < date_from:
        raise ValidationFailed.on("date_to", "the period ends before it starts", "PERIOD")
    if (date_to - date_from).days > 366:
        raise ValidationFailed.on("date_to", "a period is at most a year", "PERIOD")
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]
