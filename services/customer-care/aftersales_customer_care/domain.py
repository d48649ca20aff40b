"""Customer care's rules in plain Python (no nameko, no SQLAlchemy).

- When a customer may be phoned (rest windows, rest days) and when a follow-up is due.
- Follow-up attempts: retry limit, survey scores, the satisfaction that opens a complaint.
- The complaint's closed loop (domain.md step 11) as a state machine, its deadlines
  and escalation levels.
- Reminder dates: next service by date or by mileage (from the average daily distance).
- Lost and loyal customers, churn, and the site figures.

Every instant here is a timezone-aware datetime; a site's rules (call hours, rest
windows) are in its local time, the instants stored and published are UTC.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

# ---------------------------------------------------------------- vocabulary

CUSTOMER_CLASSES = ("member", "regular", "fleet")
# Members are followed up without exception (seeds: 必须保证会员客户的100%的回访).
MANDATORY_CLASSES = frozenset({"member"})

ATTEMPT_OUTCOMES = ("not_reached", "reached")
SATISFACTION = ("satisfied", "neutral", "unsatisfied")
SURVEY_FACTORS = ("advisor", "repair_quality", "timing", "facility", "pickup")
FOLLOWUP_STATES = ("open", "done", "unreachable")

COMPLAINT_CHANNELS = (
    "phone",
    "walk_in",
    "online",
    "followup",
    "oem_hotline",
    "letter",
    "social_media",
    "other",
)
COMPLAINT_SOURCES = ("staff", "followup", "service")
# 顾客投诉分类统计表: what a complaint was about, once closed.
CLASSIFICATIONS = (
    "repair_quality",
    "comeback",
    "service_attitude",
    "waiting_time",
    "price",
    "parts",
    "warranty",
    "facility",
    "communication",
    "other",
)
DEPARTMENTS = ("front_desk", "workshop", "parts", "claims", "customer_care", "management")
# Repair quality goes to the workshop, service to the front desk (domain.md step 11).
_DEPARTMENT_FOR = {
    "repair_quality": "workshop",
    "comeback": "workshop",
    "waiting_time": "workshop",
    "service_attitude": "front_desk",
    "price": "front_desk",
    "communication": "front_desk",
    "parts": "parts",
    "warranty": "claims",
    "facility": "management",
    "other": "customer_care",
}

ESCALATION_REASONS = (
    "at_risk",
    "acknowledge_overdue",
    "resolution_overdue",
    "followup_unsatisfied",
    "manual",
)
# Who hears of a complaint at each escalation level.
_ESCALATION_TARGETS = ("customer_care_manager", "service_director", "hq_manager")

CARE_ROLES = ("customer_care_agent", "customer_care_manager")
COMPLAINT_HANDLER_ROLES = (
    *CARE_ROLES,
    "front_desk_supervisor",
    "service_manager",
    "service_director",
    "hq_manager",
)
APPROVER_ROLES = ("customer_care_manager", "service_manager", "service_director", "hq_manager")
POLICY_ROLES = ("customer_care_manager", "service_director", "hq_manager")

REMINDER_KINDS = ("service_due", "recommendation", "recall", "campaign", "special_order")
REMINDER_OUTCOMES = ("contacted", "booked", "declined", "not_reached")
LOST_REASONS = (
    "moved_away",
    "vehicle_sold",
    "price",
    "service_quality",
    "distance",
    "competitor",
    "insurer_choice",
    "unknown",
    "other",
)

FOLLOWUP_WINDOW = timedelta(hours=72)
ONE_DECIMAL = Decimal("0.1")

# China has one time zone and no daylight saving: a slim image without tzdata still works.
_CHINA_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC"})
_CHINA_STANDARD_TIME = timezone(timedelta(hours=8), "CST")


def zone(name: str) -> tzinfo:
    """The site's time zone by IANA name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name in _CHINA_ZONES:
            return _CHINA_STANDARD_TIME
        raise ValidationFailed.on(
            "timezone", f"unknown time zone {name!r}", "UNKNOWN_TIMEZONE"
        ) from None
    except TypeError:
        raise ValidationFailed.on("timezone", "a time zone name", "UNKNOWN_TIMEZONE") from None


def _aware(at: datetime, name: str = "at") -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return at


# ---------------------------------------------------------------- a site's policy


@dataclass(frozen=True)
class CarePolicy:
    """How one site runs customer care; every field has a sensible default."""

    timezone: str = "Asia/Shanghai"
    # Calls only between day_start and day_end: "after 20:00" is the evening rest.
    day_start: time = time(9, 0)
    day_end: time = time(20, 0)
    rest_windows: tuple[tuple[time, time], ...] = ((time(12, 0), time(14, 0)),)
    # Monday is 0, Sunday 6. Dealers work seven days, so none by default.
    rest_weekdays: tuple[int, ...] = ()
    holidays: tuple[date, ...] = ()
    # Give the customer a day with the car before asking how it went.
    first_call_after_hours: int = 24
    # If the 72 hours cannot hold that day, call no sooner than this after delivery.
    min_call_gap_hours: int = 1
    retry_after_hours: int = 2
    max_attempts: int = 3
    complaint_acknowledge_hours: int = 24
    complaint_resolve_days: int = 7
    lost_after_months: int = 12
    loyal_min_visits: int = 3
    loyal_period_months: int = 12
    reminder_lead_days: int = 7
    recommendation_reminder_days: int = 30

    def __post_init__(self) -> None:
        problems: dict[str, list[str]] = {}
        zone(self.timezone)
        if not self.day_start < self.day_end:
            problems["call_hours"] = ["the day must start before it ends"]
        for start, end in self.rest_windows:
            if not start < end:
                problems["rest_windows"] = [f"{start:%H:%M}-{end:%H:%M} ends before it starts"]
        if any(not 0 <= d <= 6 for d in self.rest_weekdays):
            problems["rest_weekdays"] = ["weekdays are 0 (Monday) to 6 (Sunday)"]
        if len(set(self.rest_weekdays)) == 7:
            problems["rest_weekdays"] = ["at least one day of the week must allow calls"]
        if self.rest_windows and _covers_day(self):
            problems["rest_windows"] = ["the rest windows leave no time for calls"]
        for name in _INT_SETTINGS:
            least = 0 if name in _MAY_BE_ZERO else 1
            if not _is_int_in(getattr(self, name), least, 10_000):
                problems[name] = [f"a whole number of at least {least}"]
        if self.first_call_after_hours >= 72:
            problems["first_call_after_hours"] = ["the follow-up is due within 72 hours"]
        if self.max_attempts > 10:
            problems["max_attempts"] = ["at most 10 attempts"]
        if problems:
            raise ValidationFailed("the site's care policy is invalid", "INVALID_POLICY", problems)

    @property
    def tz(self) -> tzinfo:
        return zone(self.timezone)

    # -- to and from JSON (the stored and the API form) ---------------------------
    def to_settings(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "call_hours": {"start": _hhmm(self.day_start), "end": _hhmm(self.day_end)},
            "rest_windows": [{"start": _hhmm(s), "end": _hhmm(e)} for s, e in self.rest_windows],
            "rest_weekdays": list(self.rest_weekdays),
            "holidays": [d.isoformat() for d in self.holidays],
            **{name: getattr(self, name) for name in _INT_SETTINGS},
        }

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> CarePolicy:
        """A policy from stored or validated settings; missing keys keep their defaults."""
        settings = settings or {}
        changes: dict[str, Any] = {}
        if "timezone" in settings:
            changes["timezone"] = settings["timezone"]
        if "call_hours" in settings:
            changes["day_start"] = _time(settings["call_hours"]["start"])
            changes["day_end"] = _time(settings["call_hours"]["end"])
        if "rest_windows" in settings:
            changes["rest_windows"] = tuple(
                sorted((_time(w["start"]), _time(w["end"])) for w in settings["rest_windows"])
            )
        if "rest_weekdays" in settings:
            changes["rest_weekdays"] = tuple(sorted(set(settings["rest_weekdays"])))
        if "holidays" in settings:
            changes["holidays"] = tuple(sorted({_date(d) for d in settings["holidays"]}))
        for name in _INT_SETTINGS:
            if name in settings:
                changes[name] = settings[name]
        return replace(cls(), **changes)


_MAY_BE_ZERO = frozenset({"min_call_gap_hours", "reminder_lead_days"})
_INT_SETTINGS = (
    "first_call_after_hours",
    "min_call_gap_hours",
    "retry_after_hours",
    "max_attempts",
    "complaint_acknowledge_hours",
    "complaint_resolve_days",
    "lost_after_months",
    "loyal_min_visits",
    "loyal_period_months",
    "reminder_lead_days",
    "recommendation_reminder_days",
)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _time(value: time | str) -> time:
    if isinstance(value, time):
        return value
    if value == "24:00":
        return time.max
    return time.fromisoformat(value)


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _covers_day(policy: CarePolicy) -> bool:
    """True when the rest windows leave no minute between day_start and day_end."""
    cursor = policy.day_start
    for start, end in sorted(policy.rest_windows):
        if start > cursor:
            return False
        cursor = max(cursor, end)
        if cursor >= policy.day_end:
            return True
    return cursor >= policy.day_end


# ---------------------------------------------------------------- when to call


def is_rest_day(day: date, policy: CarePolicy) -> bool:
    return day.weekday() in policy.rest_weekdays or day in policy.holidays


def is_call_time(at: datetime, policy: CarePolicy) -> bool:
    """May the customer be phoned at this instant? (Rest windows are [start, end).)"""
    local = _aware(at).astimezone(policy.tz)
    moment = local.time().replace(tzinfo=None)
    if is_rest_day(local.date(), policy):
        return False
    if not policy.day_start <= moment < policy.day_end:
        return False
    return not any(start <= moment < end for start, end in policy.rest_windows)


def next_call_time(at: datetime, policy: CarePolicy) -> datetime:
    """The first instant at or after `at` when a call is allowed (returned in UTC)."""
    tz = policy.tz
    local = _aware(at).astimezone(tz)
    for _ in range(3 * 366):  # every loop either returns or moves forward
        day, moment = local.date(), local.time().replace(tzinfo=None)
        if is_rest_day(day, policy) or moment >= policy.day_end:
            local = datetime.combine(day + timedelta(days=1), policy.day_start, tz)
            continue
        if moment < policy.day_start:
            local = datetime.combine(day, policy.day_start, tz)
            continue
        window_end = next((e for s, e in policy.rest_windows if s <= moment < e), None)
        if window_end is not None:
            if window_end == time.max:
                local = datetime.combine(day + timedelta(days=1), policy.day_start, tz)
            else:
                local = datetime.combine(day, window_end, tz)
            continue
        return local.astimezone(UTC)
    raise ValidationFailed.on("holidays", "no day to call in three years", "INVALID_POLICY")


@dataclass(frozen=True)
class FollowupSchedule:
    due_at: datetime  # when the call is planned: never at a rest time
    deadline: datetime  # delivery + 72 hours: the follow-up counts as on time until then
    mandatory: bool  # members: 100 % followed up


def followup_schedule(
    delivered_at: datetime, customer_class: str | None, policy: CarePolicy
) -> FollowupSchedule:
    """When to call after a delivery.

    A day after delivery (`first_call_after_hours`), moved to the next allowed
    instant; if rest times push that past the 72 hours, the first allowed instant
    after a short gap instead (the customer still gets the call inside the window
    where one exists). A customer of unknown class is treated as a member: better
    one call too many than a member missed.
    """
    delivered_at = _aware(delivered_at, "delivered_at").astimezone(UTC)
    deadline = delivered_at + FOLLOWUP_WINDOW
    due_at = next_call_time(delivered_at + timedelta(hours=policy.first_call_after_hours), policy)
    if due_at >= deadline:
        due_at = next_call_time(delivered_at + timedelta(hours=policy.min_call_gap_hours), policy)
    mandatory = customer_class is None or customer_class in MANDATORY_CLASSES
    return FollowupSchedule(due_at, deadline, mandatory)


# ---------------------------------------------------------------- follow-up attempts


@dataclass(frozen=True)
class Survey:
    """The satisfaction survey taken on a reached follow-up call."""

    scores: Mapping[str, int]  # factor -> 1..10
    would_recommend: int | None = None  # 0..10

    def __post_init__(self) -> None:
        problems = {}
        unknown = sorted(set(self.scores) - set(SURVEY_FACTORS))
        if unknown:
            problems["scores"] = [f"unknown factors: {', '.join(unknown)}"]
        bad = sorted(k for k, v in self.scores.items() if not _is_int_in(v, 1, 10))
        if bad:
            problems["scores"] = [f"scores are whole numbers 1-10: {', '.join(bad)}"]
        if self.would_recommend is not None and not _is_int_in(self.would_recommend, 0, 10):
            problems["would_recommend"] = ["a whole number 0-10"]
        if problems:
            raise ValidationFailed("the survey is invalid", "INVALID_SURVEY", problems)

    @property
    def index(self) -> Decimal | None:
        """This survey's satisfaction index, 0-100: the mean factor score times ten."""
        if not self.scores:
            return None
        mean = Decimal(sum(self.scores.values())) / len(self.scores)
        return (mean * 10).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _is_int_in(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


@dataclass(frozen=True)
class AttemptResult:
    """What a recorded attempt does to its follow-up."""

    status: str  # open / done / unreachable
    attempts: int
    next_attempt_at: datetime | None
    opens_complaint: bool  # unsatisfied: a complaint (or an escalation of an open one)
    escalate_at_once: bool  # the customer threatens to go further (OEM hotline, media)


def record_attempt(
    *,
    status: str,
    attempts: int,
    outcome: str,
    at: datetime,
    policy: CarePolicy,
    satisfaction: str | None = None,
    at_risk: bool = False,
    callback_at: datetime | None = None,
) -> AttemptResult:
    """Apply one call attempt to a follow-up.

    Not reached: another attempt after `retry_after_hours` (or when the customer
    asked to be called back), never at a rest time; after `max_attempts` the
    follow-up is closed as unreachable. Reached: done, with a satisfaction;
    unsatisfied opens a complaint, and a customer at risk escalates at once.
    """
    if status != "open":
        raise Conflict(
            f"the follow-up is {status}; no more attempts",
            "ILLEGAL_TRANSITION",
            {"status": [status]},
        )
    if outcome not in ATTEMPT_OUTCOMES:
        raise ValidationFailed.on("outcome", f"one of {', '.join(ATTEMPT_OUTCOMES)}")
    attempts += 1
    if outcome == "reached":
        if satisfaction not in SATISFACTION:
            raise ValidationFailed.on(
                "satisfaction", f"a reached customer is {', '.join(SATISFACTION)}"
            )
        unsatisfied = satisfaction == "unsatisfied"
        return AttemptResult("done", attempts, None, unsatisfied or at_risk, at_risk)
    if satisfaction is not None:
        raise ValidationFailed.on("satisfaction", "only a reached customer has a satisfaction")
    if attempts >= policy.max_attempts:
        return AttemptResult("unreachable", attempts, None, False, False)
    if callback_at is not None:
        if callback_at <= at:
            raise ValidationFailed.on("callback_at", "a call-back time lies in the future")
        next_at = callback_at.astimezone(UTC)  # the customer chose it: keep it
    else:
        next_at = next_call_time(at + timedelta(hours=policy.retry_after_hours), policy)
    return AttemptResult("open", attempts, next_at, False, False)


# ---------------------------------------------------------------- complaints


class ComplaintState:
    REGISTERED = "registered"  # 投诉受理: who, when, what, channel
    JUDGED = "judged"  # 投诉判断: valid, department to investigate
    INVESTIGATED = "investigated"  # 调查: responsible department and person, findings
    SOLUTION_PROPOSED = "solution_proposed"  # 提出处理方案
    SOLUTION_APPROVED = "solution_approved"  # 主管领导批示
    CARRIED_OUT = "carried_out"  # 实施, the customer signed acceptance
    FOLLOWED_UP = "followed_up"  # 回访
    CLOSED = "closed"  # 总结, classified (an invalid complaint is closed at judgement)


COMPLAINT_STATES = (
    ComplaintState.REGISTERED,
    ComplaintState.JUDGED,
    ComplaintState.INVESTIGATED,
    ComplaintState.SOLUTION_PROPOSED,
    ComplaintState.SOLUTION_APPROVED,
    ComplaintState.CARRIED_OUT,
    ComplaintState.FOLLOWED_UP,
    ComplaintState.CLOSED,
)

# action -> states it may start from
_ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "judge": (ComplaintState.REGISTERED,),
    "investigate": (ComplaintState.JUDGED, ComplaintState.INVESTIGATED),
    "propose": (ComplaintState.INVESTIGATED, ComplaintState.SOLUTION_PROPOSED),
    "approve": (ComplaintState.SOLUTION_PROPOSED,),
    "carry_out": (ComplaintState.SOLUTION_APPROVED,),
    "follow_up": (ComplaintState.CARRIED_OUT,),
    "close": (ComplaintState.FOLLOWED_UP,),
}
COMPLAINT_ACTIONS = (*_ALLOWED_FROM, "escalate")
_ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "approve": APPROVER_ROLES,
}


@dataclass
class Complaint:
    """A complaint's state as the rules see it; the service maps it to its row."""

    status: str = ComplaintState.REGISTERED
    valid: bool | None = None
    category: str | None = None
    classification: str | None = None
    department: str | None = None
    responsible_person: str | None = None
    findings: str | None = None
    solutions: list[dict[str, Any]] = field(default_factory=list)
    approved_solution: int | None = None
    approved_by: str | None = None
    customer_accepted: bool | None = None
    customer_satisfied: bool | None = None
    summary: str | None = None
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    escalation_level: int = 0
    escalation_reasons: list[str] = field(default_factory=list)
    at_risk: bool = False


@dataclass(frozen=True)
class Transition:
    action: str
    from_status: str
    to_status: str
    details: dict[str, Any]
    closes: bool = False


def suggested_department(category: str | None) -> str | None:
    """Where a complaint of this kind is investigated (repair quality → workshop, …)."""
    return _DEPARTMENT_FOR.get(category) if category else None


def complaint_deadlines(received_at: datetime, policy: CarePolicy) -> tuple[datetime, datetime]:
    """Acknowledge by, resolve by: counted from when the customer complained."""
    received_at = _aware(received_at, "received_at").astimezone(UTC)
    return (
        received_at + timedelta(hours=policy.complaint_acknowledge_hours),
        received_at + timedelta(days=policy.complaint_resolve_days),
    )


def _need(data: Mapping[str, Any], name: str, message: str) -> Any:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed.on(name, message, "REQUIRED")
    return value


def _one_of(data: Mapping[str, Any], name: str, allowed: Sequence[str]) -> str:
    value = _need(data, name, f"one of {', '.join(allowed)}")
    if value not in allowed:
        raise ValidationFailed.on(name, f"one of {', '.join(allowed)}")
    return value


def apply_complaint_action(
    complaint: Complaint,
    action: str,
    data: Mapping[str, Any],
    *,
    by: str,
    roles: Iterable[str],
    at: datetime,
) -> Transition:
    """Move a complaint one step along its closed loop, or refuse with a 409/403/400.

    The complaint is changed in place; the returned transition is what the
    history records (who and when are the caller's).
    """
    if action not in COMPLAINT_ACTIONS:
        raise ValidationFailed.on("action", f"one of {', '.join(COMPLAINT_ACTIONS)}")
    if action == "escalate":
        raise ValueError("escalations go through escalate_complaint()")
    before = complaint.status
    if before not in _ALLOWED_FROM[action]:
        raise Conflict(
            f"a complaint that is {before} cannot be {action.replace('_', ' ')}d now",
            "ILLEGAL_TRANSITION",
            {"status": [before], "action": [action]},
        )
    needed = _ACTION_ROLES.get(action)
    if needed and not set(needed).intersection(roles):
        raise Forbidden(
            "this needs one of the roles: " + ", ".join(needed),
            "ROLE_FORBIDDEN",
            {"roles": list(needed)},
        )
    details: dict[str, Any] = {}
    closes = False
    if action == "judge":
        valid = data.get("valid")
        if not isinstance(valid, bool):
            raise ValidationFailed.on("valid", "true or false", "REQUIRED")
        note = _need(data, "note", "what the customer was told")
        complaint.valid = valid
        complaint.acknowledged_at = at
        details = {"valid": valid, "note": note}
        if data.get("category") is not None:
            complaint.category = _one_of(data, "category", CLASSIFICATIONS)
            details["category"] = complaint.category
        if valid:
            complaint.status = ComplaintState.JUDGED
            complaint.department = complaint.department or suggested_department(complaint.category)
        else:
            # An invalid complaint is answered politely and closed with its kind.
            complaint.classification = _one_of(data, "classification", CLASSIFICATIONS)
            complaint.summary = note
            complaint.status = ComplaintState.CLOSED
            complaint.closed_at, complaint.closed_by = at, by
            details["classification"] = complaint.classification
            closes = True
    elif action == "investigate":
        complaint.department = _one_of(data, "department", DEPARTMENTS)
        complaint.responsible_person = _need(data, "responsible_person", "who is responsible")
        complaint.findings = _need(data, "findings", "what the investigation found")
        complaint.status = ComplaintState.INVESTIGATED
        details = {
            "department": complaint.department,
            "responsible_person": complaint.responsible_person,
            "findings": complaint.findings,
        }
    elif action == "propose":
        solutions = data.get("solutions")
        if not isinstance(solutions, list) or not 1 <= len(solutions) <= 10:
            raise ValidationFailed.on("solutions", "one to ten proposed solutions", "REQUIRED")
        cleaned = []
        for number, solution in enumerate(solutions, 1):
            text = solution.get("description") if isinstance(solution, Mapping) else None
            if not isinstance(text, str) or not text.strip():
                raise ValidationFailed.on("solutions", f"solution {number} has no description")
            cost = solution.get("cost")
            cleaned.append(
                {"number": number, "description": text, "cost": None if cost is None else cost}
            )
        complaint.solutions = cleaned
        complaint.approved_solution = None
        complaint.status = ComplaintState.SOLUTION_PROPOSED
        details = {"solutions": cleaned}
    elif action == "approve":
        number = data.get("solution_number")
        if not _is_int_in(number, 1, len(complaint.solutions)):
            count = len(complaint.solutions)
            raise ValidationFailed.on(
                "solution_number", f"the number of a proposed solution, 1-{count}"
            )
        complaint.approved_solution = number
        complaint.approved_by = by
        complaint.status = ComplaintState.SOLUTION_APPROVED
        details = {"solution_number": number, "note": data.get("note")}
    elif action == "carry_out":
        accepted = data.get("customer_accepted")
        if not isinstance(accepted, bool):
            raise ValidationFailed.on("customer_accepted", "true or false", "REQUIRED")
        complaint.customer_accepted = accepted
        details = {"customer_accepted": accepted, "note": data.get("note")}
        if accepted:
            details["accepted_by"] = _need(data, "accepted_by", "who signed the acceptance")
            complaint.status = ComplaintState.CARRIED_OUT
        else:
            # The customer did not accept: back to finding another solution.
            complaint.status = ComplaintState.INVESTIGATED
            complaint.approved_solution = None
    elif action == "follow_up":
        satisfied = data.get("customer_satisfied")
        if not isinstance(satisfied, bool):
            raise ValidationFailed.on("customer_satisfied", "true or false", "REQUIRED")
        complaint.customer_satisfied = satisfied
        details = {"customer_satisfied": satisfied, "note": _need(data, "note", "what was said")}
        # Still unhappy after the solution: the loop goes round again.
        complaint.status = ComplaintState.FOLLOWED_UP if satisfied else ComplaintState.INVESTIGATED
    elif action == "close":
        complaint.classification = _one_of(data, "classification", CLASSIFICATIONS)
        complaint.summary = _need(data, "summary", "a summary of the complaint and its handling")
        if data.get("department") is not None:
            complaint.department = _one_of(data, "department", DEPARTMENTS)
        complaint.status = ComplaintState.CLOSED
        complaint.closed_at, complaint.closed_by = at, by
        details = {"classification": complaint.classification, "summary": complaint.summary}
        closes = True
    return Transition(action, before, complaint.status, details, closes)


def escalation_target(level: int) -> str:
    """Who a complaint escalated to this level goes to."""
    return _ESCALATION_TARGETS[min(level, len(_ESCALATION_TARGETS)) - 1]


def escalate_complaint(complaint: Complaint, reason: str) -> int | None:
    """Raise the complaint one level; None when this reason already escalated it.

    Deadline and at-risk escalations happen once per complaint; manual and
    follow-up escalations may repeat. A closed complaint is not escalated.
    """
    if reason not in ESCALATION_REASONS:
        raise ValidationFailed.on("reason", f"one of {', '.join(ESCALATION_REASONS)}")
    if complaint.status == ComplaintState.CLOSED:
        if reason in ("manual", "at_risk"):
            raise Conflict("a closed complaint is not escalated", "ILLEGAL_TRANSITION")
        return None
    once = reason in ("at_risk", "acknowledge_overdue", "resolution_overdue")
    if once and reason in complaint.escalation_reasons:
        return None
    complaint.escalation_level += 1
    complaint.escalation_reasons.append(reason)
    if reason == "at_risk":
        complaint.at_risk = True
    return complaint.escalation_level


def overdue_reasons(
    *,
    status: str,
    acknowledged_at: datetime | None,
    acknowledge_by: datetime,
    resolve_by: datetime,
    now: datetime,
) -> list[str]:
    """Which deadlines an open complaint has missed at `now`."""
    if status == ComplaintState.CLOSED:
        return []
    reasons = []
    if acknowledged_at is None and now > acknowledge_by:
        reasons.append("acknowledge_overdue")
    if now > resolve_by:
        reasons.append("resolution_overdue")
    return reasons


# ---------------------------------------------------------------- reminders


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def _usable(readings: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    """Readings in date order; one lower than an earlier one (a typing error, a
    replaced instrument cluster) is ignored."""
    usable: list[tuple[date, int]] = []
    for day, km in sorted(readings):
        if usable and km < usable[-1][1]:
            continue
        usable.append((day, km))
    return usable


def average_daily_km(readings: Iterable[tuple[date, int]]) -> Decimal | None:
    """The vehicle's average daily distance: from the first to the last usable
    reading; None when they span less than a day."""
    usable = _usable(readings)
    if len(usable) < 2:
        return None
    (first_day, first_km), (last_day, last_km) = usable[0], usable[-1]
    days = (last_day - first_day).days
    if days < 1:
        return None
    return Decimal(last_km - first_km) / days


def mileage_due_date(readings: Sequence[tuple[date, int]], target_km: int) -> date | None:
    """When the odometer should reach `target_km`, at the average daily distance."""
    usable = _usable(readings)
    if not usable:
        return None
    last_day, last_km = usable[-1]
    if last_km >= target_km:
        return last_day
    per_day = average_daily_km(readings)
    if per_day is None or per_day <= 0:
        return None
    return last_day + timedelta(days=math.ceil(Decimal(target_km - last_km) / per_day))


@dataclass(frozen=True)
class ServiceReminder:
    service_due_on: date  # the earlier of the date- and mileage-based due dates
    basis: str  # "date" or "mileage"
    remind_on: date  # lead days before, never before the delivery
    mileage_due_on: date | None


def next_service_reminder(
    *,
    delivered_on: date,
    next_service_date: date | None,
    next_service_mileage: int | None,
    readings: Sequence[tuple[date, int]],
    policy: CarePolicy,
) -> ServiceReminder | None:
    """The reminder for the next service: by date or by mileage, whichever comes first."""
    mileage_date = (
        mileage_due_date(readings, next_service_mileage)
        if next_service_mileage is not None
        else None
    )
    candidates = [
        (d, basis) for d, basis in ((next_service_date, "date"), (mileage_date, "mileage")) if d
    ]
    if not candidates:
        return None
    due_on, basis = min(candidates, key=lambda c: (c[0], c[1] != "date"))
    remind_on = max(delivered_on, due_on - timedelta(days=policy.reminder_lead_days))
    return ServiceReminder(due_on, basis, remind_on, mileage_date)


# ---------------------------------------------------------------- agents


def pick_agent(load: Mapping[str, int]) -> str | None:
    """The agent with the fewest customers (ties: the first by id); None without agents."""
    if not load:
        return None
    return min(load, key=lambda agent: (load[agent], agent))


def balance(load: Mapping[str, int], newcomers: Sequence[str]) -> dict[str, str]:
    """Assign each newcomer to the least-loaded agent, one at a time."""
    counts = dict(load)
    assigned: dict[str, str] = {}
    for customer in newcomers:
        agent = pick_agent(counts)
        if agent is None:
            break
        assigned[customer] = agent
        counts[agent] += 1
    return assigned


# ---------------------------------------------------------------- lost and loyal


def lost_since(last_activity: datetime, policy: CarePolicy) -> datetime:
    """When a customer or vehicle with this last activity counts as lost."""
    local = last_activity.astimezone(policy.tz)
    return datetime.combine(
        add_months(local.date(), policy.lost_after_months), local.timetz()
    ).astimezone(UTC)


def is_lost(last_activity: datetime, now: datetime, policy: CarePolicy) -> bool:
    return lost_since(last_activity, policy) <= now


def churn(
    activity: Mapping[str, Sequence[datetime]],
    start: datetime,
    end: datetime,
    policy: CarePolicy,
) -> tuple[int, int]:
    """(customers lost in [start, end), customers active at start).

    A customer is active at an instant when their last activity (a visit, or
    their registration) lies less than `lost_after_months` before it; they are
    lost in the period when active at its start and lost by its end with no
    activity in between.
    """
    active = lost = 0
    for times in activity.values():
        before_start = [t for t in times if t <= start]
        if not before_start or is_lost(max(before_start), start, policy):
            continue
        active += 1
        before_end = [t for t in times if t < end]
        if is_lost(max(before_end), end, policy):
            lost += 1
    return lost, active


def loyal(visits: Sequence[datetime], start: datetime, end: datetime, policy: CarePolicy) -> bool:
    """Loyal: at least `loyal_min_visits` visits in the period (seeds: 回厂次数)."""
    return sum(1 for v in visits if start <= v < end) >= policy.loyal_min_visits


# ---------------------------------------------------------------- figures


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage to 0.1, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / denominator).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def mean(values: Sequence[Decimal | int]) -> Decimal | None:
    if not values:
        return None
    total = sum((Decimal(v) for v in values), Decimal(0))
    return (total / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FollowupFact:
    """One delivery's follow-up, as far as the figures need it."""

    customer_class: str | None
    status: str
    attempts: int
    deadline: datetime
    done_at: datetime | None
    satisfaction: str | None = None
    scores: Mapping[str, int] = field(default_factory=dict)
    would_recommend: int | None = None

    @property
    def on_time(self) -> bool:
        return self.status == "done" and self.done_at is not None and self.done_at <= self.deadline


@dataclass(frozen=True)
class ComplaintFact:
    received_in_period: bool
    closed_in_period: bool
    status: str
    valid: bool | None
    classification: str | None
    escalated: bool


def care_figures(
    *,
    followups: Sequence[FollowupFact],
    complaints: Sequence[ComplaintFact],
    orders: int,
    churn_counts: tuple[int, int],
    loyal_customers: int,
    now: datetime,
) -> dict[str, Any]:
    """The customer-care figures of one site (or several: pass their facts together).

    Definitions (domain.md): follow-ups done within 72 h ÷ deliveries; reach
    rate = follow-ups reached ÷ follow-ups attempted; CSI = the mean survey index
    (mean factor score × 10, 0-100); complaint rate = complaints ÷ 100 ROs;
    churn = customers lost in the period ÷ active customers at its start.
    """
    deliveries = len(followups)
    members = [f for f in followups if f.customer_class in MANDATORY_CLASSES]
    attempted = [f for f in followups if f.attempts > 0]
    reached = [f for f in followups if f.status == "done"]
    on_time = [f for f in followups if f.on_time]
    surveys = [Survey(dict(f.scores), f.would_recommend) for f in reached if f.scores]
    indexes = [s.index for s in surveys if s.index is not None]
    recommend = [f.would_recommend for f in reached if f.would_recommend is not None]
    promoters = sum(1 for r in recommend if r >= 9)
    detractors = sum(1 for r in recommend if r <= 6)
    satisfaction = Counter(f.satisfaction for f in reached if f.satisfaction)
    raised = [c for c in complaints if c.received_in_period]
    closed = [c for c in complaints if c.closed_in_period and c.status == ComplaintState.CLOSED]
    by_category = Counter(c.classification for c in closed if c.valid and c.classification)
    lost, active = churn_counts
    return {
        "followups": {
            "deliveries": deliveries,
            "done_within_72h": len(on_time),
            "done_within_72h_rate": rate(len(on_time), deliveries),
            "member_deliveries": len(members),
            "member_done_within_72h": sum(1 for f in members if f.on_time),
            "member_done_within_72h_rate": rate(sum(1 for f in members if f.on_time), len(members)),
            "attempted": len(attempted),
            "reached": len(reached),
            "reach_rate": rate(len(reached), len(attempted)),
            "unreachable": sum(1 for f in followups if f.status == "unreachable"),
            "open": sum(1 for f in followups if f.status == "open"),
            "overdue": sum(1 for f in followups if f.status == "open" and now > f.deadline),
            "satisfaction": {s: satisfaction.get(s, 0) for s in SATISFACTION},
        },
        "csi": {
            "surveys": len(surveys),
            "csi": mean(indexes),
            "factors": {
                factor: mean([s.scores[factor] for s in surveys if factor in s.scores])
                for factor in SURVEY_FACTORS
            },
            "would_recommend_answers": len(recommend),
            # % promoters (9-10) minus % detractors (0-6), -100..100
            "net_promoter_score": rate(promoters - detractors, len(recommend)),
        },
        "complaints": {
            "raised": len(raised),
            "repair_orders": orders,
            "per_100_repair_orders": (
                (Decimal(len(raised)) * 100 / orders).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
                if orders
                else None
            ),
            "closed": len(closed),
            "closed_invalid": sum(1 for c in closed if c.valid is False),
            "by_category": {k: by_category[k] for k in CLASSIFICATIONS if by_category[k]},
            "escalated": sum(1 for c in raised if c.escalated),
            "open": sum(1 for c in raised if c.status != ComplaintState.CLOSED),
        },
        "customers": {
            "active_at_start": active,
            "lost": lost,
            "churn_rate": rate(lost, active),
            "loyal": loyal_customers,
        },
    }
