"""Complaints (投诉): registration, the steps of the closed loop, the document."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...customer_care import (
    COMPLAINT_CHANNELS,
    COMPLAINT_SOURCES,
    DEPARTMENTS,
    ESCALATION_REASONS,
)
from ...vocabulary import COMPLAINT_CLASSIFICATIONS
from ..fields import ID, Money, Strict, Timestamp
from .archive import CareSiteQuery
from .codes import (
    COMPLAINT_ACTIONS,
    COMPLAINT_STATES,
    LONG_TEXT,
    MANUAL_ESCALATIONS,
    NAME,
    NOTE,
    one_of,
)

# ---------------------------------------------------------------- complaints


class ComplaintIn(Strict):
    """A complaint registration (投诉登记表): who, when, what, channel."""

    site_id = fields.String(required=True, validate=ID)
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    customer_name = fields.String(load_default=None, allow_none=True, validate=NAME)
    phone = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$")
    )
    vehicle_id = fields.String(load_default=None, allow_none=True, validate=ID)
    order_id = fields.String(load_default=None, allow_none=True, validate=ID)
    channel = one_of(COMPLAINT_CHANNELS, required=True)
    description = fields.String(required=True, validate=LONG_TEXT)
    category = one_of(COMPLAINT_CLASSIFICATIONS, load_default=None, allow_none=True)
    at_risk = fields.Boolean(load_default=False)
    received_at = Timestamp(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "when the customer complained, if written down later "
            "(at most 90 days back); default now"
        },
    )

    @validates_schema
    def _who(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("customer_id") and not data.get("customer_name"):
            raise ValidationError({"customer_name": ["who complains: a customer id or a name"]})


class ComplaintJudgeIn(Strict):
    valid = fields.Boolean(required=True)
    note = fields.String(required=True, validate=LONG_TEXT)
    category = one_of(COMPLAINT_CLASSIFICATIONS, load_default=None, allow_none=True)
    classification = one_of(
        COMPLAINT_CLASSIFICATIONS,
        load_default=None,
        allow_none=True,
        metadata={"description": "required when the complaint is judged invalid"},
    )


class ComplaintInvestigateIn(Strict):
    department = one_of(DEPARTMENTS, required=True)
    responsible_person = fields.String(required=True, validate=NAME)
    findings = fields.String(required=True, validate=LONG_TEXT)


class ComplaintSolutionIn(Strict):
    description = fields.String(required=True, validate=LONG_TEXT)
    # What the solution costs the dealer, e.g. a refunded labor charge (CNY).
    cost = Money(load_default=None, allow_none=True, high=10_000_000)


class ComplaintProposeIn(Strict):
    solutions = fields.List(
        fields.Nested(ComplaintSolutionIn), required=True, validate=validate.Length(min=1, max=10)
    )


class ComplaintApproveIn(Strict):
    solution_number = fields.Integer(required=True, validate=validate.Range(min=1, max=10))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ComplaintCarryOutIn(Strict):
    customer_accepted = fields.Boolean(required=True)
    accepted_by = fields.String(
        load_default=None,
        allow_none=True,
        validate=NAME,
        metadata={"description": "who signed the acceptance; required when accepted"},
    )
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ComplaintFollowUpIn(Strict):
    customer_satisfied = fields.Boolean(required=True)
    note = fields.String(required=True, validate=LONG_TEXT)


class ComplaintCloseIn(Strict):
    classification = one_of(COMPLAINT_CLASSIFICATIONS, required=True)
    summary = fields.String(required=True, validate=LONG_TEXT)
    department = one_of(DEPARTMENTS, load_default=None, allow_none=True)


class ComplaintEscalateIn(Strict):
    reason = one_of(MANUAL_ESCALATIONS, required=True)
    note = fields.String(required=True, validate=LONG_TEXT)


COMPLAINT_STEP_SCHEMAS: dict[str, type[Schema]] = {
    "judge": ComplaintJudgeIn,
    "investigate": ComplaintInvestigateIn,
    "propose": ComplaintProposeIn,
    "approve": ComplaintApproveIn,
    "carry_out": ComplaintCarryOutIn,
    "follow_up": ComplaintFollowUpIn,
    "close": ComplaintCloseIn,
    "escalate": ComplaintEscalateIn,
}


class ComplaintSolutionOut(Schema):
    number = fields.Integer(required=True)
    description = fields.String(required=True)
    cost = Money(required=True, allow_none=True)


class ComplaintHistoryOut(Schema):
    at = Timestamp(required=True)
    by = fields.String(required=True)
    action = one_of(("register", *COMPLAINT_ACTIONS), required=True)
    from_status = one_of(COMPLAINT_STATES, required=True, allow_none=True)
    to_status = one_of(COMPLAINT_STATES, required=True)
    details = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "what the step recorded: the fields of its request "
            "(register: channel, source, description, category, at_risk; escalate: "
            "level, reason, escalated_to, note)"
        },
    )


class ComplaintEscalationOut(Schema):
    level = fields.Integer(required=True)
    reason = one_of(ESCALATION_REASONS, required=True)
    escalated_to = fields.String(required=True, metadata={"description": "the role"})
    note = fields.String(required=True, allow_none=True)
    at = Timestamp(required=True)
    by = fields.String(required=True)


class ComplaintOut(Schema):
    complaint_id = fields.String(required=True)
    site_id = fields.String(required=True)
    customer_id = fields.String(required=True, allow_none=True)
    customer_name = fields.String(required=True)
    phone = fields.String(required=True, allow_none=True)
    vehicle_id = fields.String(required=True, allow_none=True)
    order_id = fields.String(required=True, allow_none=True)
    followup_id = fields.String(required=True, allow_none=True)
    channel = one_of(COMPLAINT_CHANNELS, required=True)
    source = one_of(COMPLAINT_SOURCES, required=True)
    description = fields.String(required=True)
    category = one_of(COMPLAINT_CLASSIFICATIONS, required=True, allow_none=True)
    at_risk = fields.Boolean(required=True)
    received_at = Timestamp(required=True)
    registered_at = Timestamp(required=True)
    registered_by = fields.String(required=True)
    acknowledge_by = Timestamp(required=True)
    resolve_by = Timestamp(required=True)
    acknowledged_at = Timestamp(required=True, allow_none=True)
    status = one_of(COMPLAINT_STATES, required=True)
    valid = fields.Boolean(required=True, allow_none=True)
    department = one_of(DEPARTMENTS, required=True, allow_none=True)
    responsible_person = fields.String(required=True, allow_none=True)
    findings = fields.String(required=True, allow_none=True)
    solutions = fields.List(fields.Nested(ComplaintSolutionOut), required=True)
    approved_solution = fields.Integer(required=True, allow_none=True)
    approved_by = fields.String(required=True, allow_none=True)
    customer_accepted = fields.Boolean(required=True, allow_none=True)
    customer_satisfied = fields.Boolean(required=True, allow_none=True)
    classification = one_of(COMPLAINT_CLASSIFICATIONS, required=True, allow_none=True)
    summary = fields.String(required=True, allow_none=True)
    closed_at = Timestamp(required=True, allow_none=True)
    closed_by = fields.String(required=True, allow_none=True)
    escalation_level = fields.Integer(required=True)
    overdue = fields.List(
        one_of(("acknowledge_overdue", "resolution_overdue")),
        required=True,
        metadata={"description": "the deadlines this open complaint has missed"},
    )


class ComplaintDetailOut(ComplaintOut):
    history = fields.List(fields.Nested(ComplaintHistoryOut), required=True)
    escalations = fields.List(fields.Nested(ComplaintEscalationOut), required=True)


class ComplaintQuery(CareSiteQuery):
    status = one_of(COMPLAINT_STATES)
    open = fields.Boolean(metadata={"description": "true: not closed; false: closed"})
    customer_id = fields.String(validate=ID)
    classification = one_of(COMPLAINT_CLASSIFICATIONS)
    at_risk = fields.Boolean()
