"""Events published by customer-care: follow-ups and the complaint loop."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract
from .vocabulary import COMPLAINT_CLASSIFICATIONS, CUSTOMER_CLASSES

SATISFACTION = ("satisfied", "neutral", "unsatisfied")
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
ESCALATION_REASONS = (
    "at_risk",
    "acknowledge_overdue",
    "resolution_overdue",
    "followup_unsatisfied",
    "manual",
)
DEPARTMENTS = ("front_desk", "workshop", "parts", "claims", "customer_care", "management")


class FollowupDue(Schema):
    """A delivered car's follow-up call is planned (within 72 h, never at a rest time)."""

    followup_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    customer_class = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(CUSTOMER_CLASSES)
    )
    mandatory = fields.Boolean(required=True)
    agent_id = fields.String(required=True, allow_none=True)
    delivered_at = fields.AwareDateTime(required=True)
    due_at = fields.AwareDateTime(required=True)
    deadline = fields.AwareDateTime(required=True)


class FollowupDone(Schema):
    """A follow-up ended: the customer was reached (with a result) or could not be."""

    followup_id = fields.String(required=True)
    order_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(("reached", "unreachable")))
    satisfaction = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(SATISFACTION)
    )
    attempts = fields.Integer(required=True, validate=validate.Range(min=1))
    done_at = fields.AwareDateTime(required=True)
    within_72h = fields.Boolean(required=True)
    # The survey's index, 0-100, as a decimal string; null without a survey.
    survey_index = fields.Decimal(as_string=True, required=True, allow_none=True)
    would_recommend = fields.Integer(
        required=True, allow_none=True, validate=validate.Range(min=0, max=10)
    )
    complaint_id = fields.String(required=True, allow_none=True)
    done_by = fields.String(required=True)


class ComplaintRaised(Schema):
    """A complaint was registered (by staff, from a follow-up, or by another service)."""

    complaint_id = fields.String(required=True)
    customer_id = fields.String(required=True, allow_none=True)
    customer_name = fields.String(required=True)
    vehicle_id = fields.String(required=True, allow_none=True)
    order_id = fields.String(required=True, allow_none=True)
    channel = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CHANNELS))
    source = fields.String(required=True, validate=validate.OneOf(COMPLAINT_SOURCES))
    followup_id = fields.String(required=True, allow_none=True)
    description = fields.String(required=True, validate=validate.Length(min=1))
    category = fields.String(
        required=True, allow_none=True, validate=validate.OneOf(COMPLAINT_CLASSIFICATIONS)
    )
    at_risk = fields.Boolean(required=True)
    received_at = fields.AwareDateTime(required=True)
    registered_by = fields.String(required=True)
    acknowledge_by = fields.AwareDateTime(required=True)
    resolve_by = fields.AwareDateTime(required=True)


class ComplaintEscalated(Schema):
    """A complaint went up a level: at risk, a missed deadline, or a person's decision."""

    complaint_id = fields.String(required=True)
    customer_id = fields.String(required=True, allow_none=True)
    level = fields.Integer(required=True, validate=validate.Range(min=1))
    escalated_to = fields.String(required=True)  # the role that now owns it
    reason = fields.String(required=True, validate=validate.OneOf(ESCALATION_REASONS))
    status = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)
    escalated_at = fields.AwareDateTime(required=True)
    escalated_by = fields.String(required=True)


class ComplaintClosed(Schema):
    """The loop is closed: with a classification (顾客投诉分类统计表) and a summary."""

    complaint_id = fields.String(required=True)
    customer_id = fields.String(required=True, allow_none=True)
    vehicle_id = fields.String(required=True, allow_none=True)
    order_id = fields.String(required=True, allow_none=True)
    valid = fields.Boolean(required=True)
    classification = fields.String(
        required=True, validate=validate.OneOf(COMPLAINT_CLASSIFICATIONS)
    )
    department = fields.String(required=True, allow_none=True, validate=validate.OneOf(DEPARTMENTS))
    summary = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True)
    closed_at = fields.AwareDateTime(required=True)
    closed_by = fields.String(required=True)
    within_deadline = fields.Boolean(required=True)
    escalation_level = fields.Integer(required=True, validate=validate.Range(min=0))


EVENTS: list[EventContract] = [
    EventContract(
        "followup_due",
        1,
        "customer-care",
        FollowupDue,
        "A delivered car's follow-up call is planned within 72 hours.",
    ),
    EventContract(
        "followup_done",
        1,
        "customer-care",
        FollowupDone,
        "A follow-up ended: reached with a result, or unreachable.",
    ),
    EventContract(
        "complaint_raised",
        1,
        "customer-care",
        ComplaintRaised,
        "A customer's complaint was registered.",
    ),
    EventContract(
        "complaint_escalated",
        1,
        "customer-care",
        ComplaintEscalated,
        "A complaint went up a level (at risk, deadline missed, or by decision).",
    ),
    EventContract(
        "complaint_closed",
        1,
        "customer-care",
        ComplaintClosed,
        "A complaint was closed with a classification.",
    ),
]
