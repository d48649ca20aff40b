"""Adapters without nameko: rows to API views and back, event payloads, in-memory pages.

A view here is the plain dict a route answers (before its Out schema dumps it); the
complaint's view is also what its ETag is computed from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aftersales_core.envelope import Envelope, as_utc, to_primitives
from aftersales_core.ids import new_id  # noqa: F401 - re-exported
from aftersales_core.pages import decode_cursor, encode_cursor

from . import domain
from .domain import AttemptResult, Complaint, FollowupSchedule
from .models import (
    ArchiveCustomer,
    ComplaintEscalation,
    ComplaintHistory,
    ComplaintRow,
    Contact,
    Followup,
    FollowupAttempt,
    Reminder,
    Visit,
)

# The fields a complaint step may change, copied between the row and the domain.
_COMPLAINT_FIELDS = (
    "status",
    "valid",
    "category",
    "classification",
    "department",
    "responsible_person",
    "findings",
    "approved_solution",
    "approved_by",
    "customer_accepted",
    "customer_satisfied",
    "summary",
    "acknowledged_at",
    "closed_at",
    "closed_by",
)


def utc(value: Any) -> Any:
    """Every datetime in a view made UTC-aware (SQLite hands them back naive)."""
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, dict):
        return {k: utc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [utc(v) for v in value]
    return value


def maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def page_in_memory(
    items: Sequence[dict[str, Any]],
    key: Callable[[dict[str, Any]], tuple[Any, ...]],
    *,
    size: int,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    """A page of a list computed in Python (it depends on per-site rules), in `key` order.

    The key (`size` values) must be JSON-plain (str, int) and end in something unique;
    the cursor is the key of the last item, so a page is stable while the list grows.
    """
    ordered = sorted(items, key=key)
    after = decode_cursor(cursor, size)
    if after is not None:
        ordered = [item for item in ordered if list(key(item)) > after]
    rows = ordered[: limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(list(key(rows[-1]))) if more and rows else None
    return {"items": rows, "next_cursor": next_cursor}


def micros(at: datetime) -> int:
    """An instant as whole microseconds since the epoch: a sort key that survives JSON."""
    return int(as_utc(at).timestamp() * 1_000_000)


# ---------------------------------------------------------------- the archive


def customer_view(customer: ArchiveCustomer) -> dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "site_id": customer.site_id,
        "name": customer.name,
        "phones": customer.phones or [],
        "customer_class": customer.customer_class,
        "agent_id": customer.agent_id,
        "registered_by": customer.registered_by,
        "recorded_for": customer.recorded_for,
        "registered_at": as_utc(customer.registered_at),
    }


def contact_view(contact: Contact) -> dict[str, Any]:
    return {
        "at": contact.at,
        "by": contact.by,
        "kind": contact.kind,
        "reference": contact.reference,
        "outcome": contact.outcome,
        "note": contact.note,
    }


def reminder_view(r: Reminder) -> dict[str, Any]:
    return {
        "reminder_id": r.reminder_id,
        "site_id": r.site_id,
        "kind": r.kind,
        "customer_id": r.customer_id,
        "vehicle_id": r.vehicle_id,
        "vin": r.vin,
        "contact_name": r.contact_name,
        "phone": r.phone,
        "agent_id": r.agent_id,
        "title": r.title,
        "details": r.details or {},
        "remind_on": r.remind_on,
        "status": r.status,
        "attempts": r.attempts,
        "outcome": r.outcome,
        "note": r.note,
        "created_at": r.created_at,
        "done_at": r.done_at,
        "done_by": r.done_by,
    }


# ---------------------------------------------------------------- follow-ups


def followup_view(
    f: Followup,
    customer: ArchiveCustomer | None,
    now: datetime,
    attempts: Sequence[FollowupAttempt] | None = None,
) -> dict[str, Any]:
    """A follow-up as the API shows it; with its attempt log when `attempts` is given."""
    deadline = as_utc(f.deadline)
    done_at = maybe_utc(f.done_at)
    out: dict[str, Any] = {
        "followup_id": f.followup_id,
        "site_id": f.site_id,
        "order_id": f.order_id,
        "order_number": f.order_number,
        "customer_id": f.customer_id,
        "customer_name": customer.name if customer else None,
        "phones": (customer.phones or []) if customer else [],
        "vehicle_id": f.vehicle_id,
        "vin": f.vin,
        "plate": f.plate,
        "customer_class": f.customer_class,
        "mandatory": f.mandatory,
        "agent_id": f.agent_id,
        "service_advisor_id": f.service_advisor_id,
        "delivered_at": f.delivered_at,
        "due_at": f.due_at,
        "deadline": deadline,
        "status": f.status,
        "overdue": f.status == "open" and now > deadline,
        "attempts": f.attempts,
        "next_attempt_at": f.next_attempt_at,
        "done_at": done_at,
        "within_72h": None if done_at is None else f.status == "done" and done_at <= deadline,
        "satisfaction": f.satisfaction,
        "scores": f.scores or {},
        "would_recommend": f.would_recommend,
        "survey_index": f.survey_index,
        "comment": f.comment,
        "complaint_id": f.complaint_id,
    }
    if attempts is not None:
        out["attempt_log"] = [
            {
                "number": a.number,
                "at": a.at,
                "by": a.by,
                "outcome": a.outcome,
                "satisfaction": a.satisfaction,
                "at_risk": a.at_risk,
                "callback_at": a.callback_at,
                "comment": a.comment,
            }
            for a in attempts
        ]
    return utc(out)


def attempt_row(
    f: Followup, number: int, fields: dict[str, Any], at: datetime, by: str
) -> FollowupAttempt:
    """One call of a follow-up, as the attempt log keeps it."""
    return FollowupAttempt(
        followup_id=f.followup_id,
        number=number,
        at=at,
        by=by,
        outcome=fields["outcome"],
        satisfaction=fields["satisfaction"],
        at_risk=fields["at_risk"],
        callback_at=fields["callback_at"],
        comment=fields["comment"],
    )


def apply_attempt(
    f: Followup,
    result: AttemptResult,
    fields: dict[str, Any],
    survey_index: Decimal | None,
    at: datetime,
    by: str,
) -> None:
    """Write what `domain.record_attempt` decided, and a reached customer's answers."""
    f.attempts = result.attempts
    f.status = result.status
    f.next_attempt_at = result.next_attempt_at
    if fields["outcome"] == "reached":
        f.satisfaction = fields["satisfaction"]
        f.scores = dict(fields["scores"])
        f.would_recommend = fields["would_recommend"]
        f.survey_index = survey_index
        f.comment = fields["comment"]
    if result.status != "open":
        f.done_at, f.done_by = at, by


def new_followup(
    payload: dict[str, Any],
    event: Envelope,
    delivered_at: datetime,
    customer_class: str | None,
    schedule: FollowupSchedule,
    agent_id: str | None,
) -> Followup:
    """The follow-up a delivery (`vehicle_delivered`) creates, open and due."""
    return Followup(
        followup_id=new_id("fu"),
        group_id=event.group_id,
        site_id=event.site_id,
        order_id=payload["order_id"],
        order_number=payload["order_number"],
        customer_id=payload["customer_id"],
        vehicle_id=payload["vehicle_id"],
        vin=payload["vin"],
        plate=payload.get("plate"),
        customer_class=customer_class,
        mandatory=schedule.mandatory,
        agent_id=agent_id,
        service_advisor_id=payload["service_advisor_id"],
        delivered_at=delivered_at,
        due_at=schedule.due_at,
        deadline=schedule.deadline,
        status="open",
        attempts=0,
        next_attempt_at=schedule.due_at,
        scores={},
    )


def visit_of(payload: dict[str, Any], event: Envelope, delivered_at: datetime) -> Visit:
    """A delivered RO as the archive's visit history keeps it."""
    return Visit(
        order_id=payload["order_id"],
        group_id=event.group_id,
        site_id=event.site_id,
        customer_id=payload["customer_id"],
        vehicle_id=payload["vehicle_id"],
        order_number=payload["order_number"],
        order_type=payload["order_type"],
        mileage=payload["mileage"],
        delivered_at=delivered_at,
        service_advisor_id=payload["service_advisor_id"],
    )


def followup_due_payload(f: Followup) -> dict[str, Any]:
    return {
        "followup_id": f.followup_id,
        "order_id": f.order_id,
        "order_number": f.order_number,
        "customer_id": f.customer_id,
        "vehicle_id": f.vehicle_id,
        "vin": f.vin,
        "customer_class": f.customer_class,
        "mandatory": f.mandatory,
        "agent_id": f.agent_id,
        "delivered_at": f.delivered_at,
        "due_at": f.due_at,
        "deadline": f.deadline,
    }


def followup_done_payload(f: Followup, now: datetime, by: str) -> dict[str, Any]:
    return {
        "followup_id": f.followup_id,
        "order_id": f.order_id,
        "customer_id": f.customer_id,
        "vehicle_id": f.vehicle_id,
        "outcome": "reached" if f.status == "done" else "unreachable",
        "satisfaction": f.satisfaction,
        "attempts": f.attempts,
        "done_at": now,
        "within_72h": f.status == "done" and now <= as_utc(f.deadline),
        "survey_index": f.survey_index,
        "would_recommend": f.would_recommend,
        "complaint_id": f.complaint_id,
        "done_by": by,
    }


# ---------------------------------------------------------------- complaints


def to_domain(row: ComplaintRow) -> Complaint:
    return Complaint(
        status=row.status,
        valid=row.valid,
        category=row.category,
        classification=row.classification,
        department=row.department,
        responsible_person=row.responsible_person,
        findings=row.findings,
        solutions=list(row.solutions or []),
        approved_solution=row.approved_solution,
        approved_by=row.approved_by,
        customer_accepted=row.customer_accepted,
        customer_satisfied=row.customer_satisfied,
        summary=row.summary,
        acknowledged_at=maybe_utc(row.acknowledged_at),
        closed_at=maybe_utc(row.closed_at),
        closed_by=row.closed_by,
        escalation_level=row.escalation_level or 0,
        escalation_reasons=list(row.escalation_reasons or []),
        at_risk=bool(row.at_risk),
    )


def from_domain(row: ComplaintRow, complaint: Complaint, now: datetime) -> None:
    for name in _COMPLAINT_FIELDS:
        setattr(row, name, getattr(complaint, name))
    row.solutions = to_primitives(complaint.solutions)
    row.updated_at = now


def complaint_view(row: ComplaintRow, now: datetime) -> dict[str, Any]:
    """A complaint as a list shows it (no history)."""
    return utc(
        {
            "complaint_id": row.complaint_id,
            "site_id": row.site_id,
            "customer_id": row.customer_id,
            "customer_name": row.customer_name,
            "phone": row.phone,
            "vehicle_id": row.vehicle_id,
            "order_id": row.order_id,
            "followup_id": row.followup_id,
            "channel": row.channel,
            "source": row.source,
            "description": row.description,
            "category": row.category,
            "at_risk": row.at_risk,
            "received_at": row.received_at,
            "registered_at": row.registered_at,
            "registered_by": row.registered_by,
            "acknowledge_by": row.acknowledge_by,
            "resolve_by": row.resolve_by,
            "acknowledged_at": row.acknowledged_at,
            "status": row.status,
            "valid": row.valid,
            "department": row.department,
            "responsible_person": row.responsible_person,
            "findings": row.findings,
            "solutions": row.solutions or [],
            "approved_solution": row.approved_solution,
            "approved_by": row.approved_by,
            "customer_accepted": row.customer_accepted,
            "customer_satisfied": row.customer_satisfied,
            "classification": row.classification,
            "summary": row.summary,
            "closed_at": row.closed_at,
            "closed_by": row.closed_by,
            "escalation_level": row.escalation_level,
            "overdue": domain.overdue_reasons(
                status=row.status,
                acknowledged_at=maybe_utc(row.acknowledged_at),
                acknowledge_by=as_utc(row.acknowledge_by),
                resolve_by=as_utc(row.resolve_by),
                now=now,
            ),
        }
    )


def complaint_detail_view(
    row: ComplaintRow,
    history: Sequence[ComplaintHistory],
    escalations: Sequence[ComplaintEscalation],
    now: datetime,
) -> dict[str, Any]:
    """A complaint with its history (who, when, what) and escalations: the document."""
    out = complaint_view(row, now)
    out["history"] = [
        utc(
            {
                "at": h.at,
                "by": h.by,
                "action": h.action,
                "from_status": h.from_status,
                "to_status": h.to_status,
                "details": h.details or {},
            }
        )
        for h in history
    ]
    out["escalations"] = [
        utc(
            {
                "level": e.level,
                "reason": e.reason,
                "escalated_to": e.escalated_to,
                "note": e.note,
                "at": e.at,
                "by": e.by,
            }
        )
        for e in escalations
    ]
    return out


def complaint_raised_payload(row: ComplaintRow, at_risk: bool) -> dict[str, Any]:
    return {
        "complaint_id": row.complaint_id,
        "customer_id": row.customer_id,
        "customer_name": row.customer_name,
        "vehicle_id": row.vehicle_id,
        "order_id": row.order_id,
        "channel": row.channel,
        "source": row.source,
        "followup_id": row.followup_id,
        "description": row.description,
        "category": row.category,
        "at_risk": at_risk,
        "received_at": row.received_at,
        "registered_by": row.registered_by,
        "acknowledge_by": row.acknowledge_by,
        "resolve_by": row.resolve_by,
    }


def complaint_escalated_payload(
    row: ComplaintRow, reason: str, target: str, note: str | None, by: str, now: datetime
) -> dict[str, Any]:
    return {
        "complaint_id": row.complaint_id,
        "customer_id": row.customer_id,
        "level": row.escalation_level,
        "escalated_to": target,
        "reason": reason,
        "status": row.status,
        "note": note,
        "escalated_at": now,
        "escalated_by": by,
    }


def complaint_closed_payload(row: ComplaintRow, by: str, now: datetime) -> dict[str, Any]:
    return {
        "complaint_id": row.complaint_id,
        "customer_id": row.customer_id,
        "vehicle_id": row.vehicle_id,
        "order_id": row.order_id,
        "valid": bool(row.valid),
        "classification": row.classification,
        "department": row.department,
        "summary": row.summary,
        "received_at": row.received_at,
        "closed_at": now,
        "closed_by": by,
        "within_deadline": now <= as_utc(row.resolve_by),
        "escalation_level": row.escalation_level,
    }


def as_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)
