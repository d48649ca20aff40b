"""Complaints (投诉, domain.md step 11): the closed loop as a state machine, who may
take each step, the deadlines counted from when the customer complained, escalation
levels, and the rules of registering one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aftersales_contracts.api.customer_care import (
    APPROVER_ROLES,
    COMPLAINT_ACTIONS,
)
from aftersales_contracts.customer_care import DEPARTMENTS, ESCALATION_REASONS
from aftersales_contracts.vocabulary import COMPLAINT_CLASSIFICATIONS
from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

from .policy import CarePolicy, aware, is_int_in

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
# Who hears of a complaint at each escalation level.
_ESCALATION_TARGETS = ("customer_care_manager", "service_director", "hq_manager")
# A complaint written down later may be dated back this far, not further.
MAX_BACKDATE = timedelta(days=90)
CLOCK_SKEW = timedelta(minutes=5)


class ComplaintState:
    REGISTERED = "registered"  # 投诉受理: who, when, what, channel
    JUDGED = "judged"  # 投诉判断: valid, department to investigate
    INVESTIGATED = "investigated"  # 调查: responsible department and person, findings
    SOLUTION_PROPOSED = "solution_proposed"  # 提出处理方案
    SOLUTION_APPROVED = "solution_approved"  # 主管领导批示
    CARRIED_OUT = "carried_out"  # 实施, the customer signed acceptance
    FOLLOWED_UP = "followed_up"  # 回访
    CLOSED = "closed"  # 总结, classified (an invalid complaint is closed at judgement)


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
    received_at = aware(received_at, "received_at").astimezone(UTC)
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
            complaint.category = _one_of(data, "category", COMPLAINT_CLASSIFICATIONS)
            details["category"] = complaint.category
        if valid:
            complaint.status = ComplaintState.JUDGED
            complaint.department = complaint.department or suggested_department(complaint.category)
        else:
            # An invalid complaint is answered politely and closed with its kind.
            complaint.classification = _one_of(data, "classification", COMPLAINT_CLASSIFICATIONS)
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
        if not is_int_in(number, 1, len(complaint.solutions)):
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
        complaint.classification = _one_of(data, "classification", COMPLAINT_CLASSIFICATIONS)
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


def escalate_by_hand(complaint: Complaint, reason: str) -> int:
    """A person escalates: the new level, or 409 when that reason already did it once."""
    level = escalate_complaint(complaint, reason)
    if level is None:
        raise Conflict(
            "this complaint was already escalated for that reason",
            "ALREADY_ESCALATED",
            {"reason": [reason]},
        )
    return level


def check_action(action: str) -> None:
    """A step of the loop by name (`judge` … `close`, or `escalate`)."""
    if action not in COMPLAINT_ACTIONS:
        raise ValidationFailed.on("action", f"one of {', '.join(COMPLAINT_ACTIONS)}")


def received_at(given: datetime | None, now: datetime) -> datetime:
    """When the customer complained: now, or earlier when written down later (a letter).

    The backdating rule: not from the future (beyond a small clock skew), and at most
    `MAX_BACKDATE` back, so deadlines and figures cannot be rewritten after the fact.
    """
    if given is None:
        return now
    given = aware(given, "received_at")
    if given > now + CLOCK_SKEW:
        raise ValidationFailed.on("received_at", "a complaint cannot come from the future")
    if given < now - MAX_BACKDATE:
        raise ValidationFailed.on("received_at", "at most 90 days back")
    return given


@dataclass(frozen=True)
class Complainant:
    name: str
    phone: str | None


def complainant(
    *,
    customer_id: str | None,
    name: str | None,
    phone: str | None,
    archived: tuple[str, Sequence[str]] | None,
) -> Complainant:
    """Who complains: the name and phone given, else the archive's.

    `archived` is the archive entry's (name, phones) when the customer is there. A
    customer id not (yet) in the archive needs a name: a complaint always says who.
    """
    if archived is None:
        if not name:
            field_ = "customer_id" if customer_id else "customer_name"
            message = (
                "not in the archive yet: give the customer's name too"
                if customer_id
                else "who complains: a customer id or a name"
            )
            raise ValidationFailed.on(field_, message)
        return Complainant(name, phone)
    archived_name, phones = archived
    return Complainant(name or archived_name, phone or (phones[0] if phones else None))
