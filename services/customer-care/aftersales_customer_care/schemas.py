"""Customer care's input and output shapes (the gateway documents its API with them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from .domain import (
    ATTEMPT_OUTCOMES,
    CLASSIFICATIONS,
    COMPLAINT_CHANNELS,
    CUSTOMER_CLASSES,
    DEPARTMENTS,
    LOST_REASONS,
    REMINDER_KINDS,
    REMINDER_OUTCOMES,
    SATISFACTION,
)

_HHMM = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", error="a time as HH:MM")
_TEXT = validate.Length(min=1, max=4000)
_NOTE = validate.Length(max=4000)
_ID = validate.Length(min=1, max=40)


class Strict(Schema):
    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- reference data and policy


class AgentIn(Schema):
    """A customer care agent from the group directory (other staff fields are ignored)."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(required=True, validate=validate.Length(min=1, max=80))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    site_ids = fields.List(fields.String(validate=_ID), required=True)
    roles = fields.List(fields.String(), load_default=lambda: ["customer_care_agent"])


class TimeWindow(Strict):
    start = fields.String(required=True, validate=_HHMM)
    end = fields.String(required=True, validate=_HHMM)


class PolicyIn(Strict):
    """A site's care policy; every field is optional and keeps its default when left out."""

    timezone = fields.String(validate=validate.Length(min=1, max=60))
    call_hours = fields.Nested(TimeWindow)
    rest_windows = fields.List(fields.Nested(TimeWindow), validate=validate.Length(max=10))
    rest_weekdays = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=6)), validate=validate.Length(max=7)
    )
    holidays = fields.List(fields.Date(), validate=validate.Length(max=400))
    first_call_after_hours = fields.Integer(validate=validate.Range(min=1, max=71))
    min_call_gap_hours = fields.Integer(validate=validate.Range(min=0, max=71))
    retry_after_hours = fields.Integer(validate=validate.Range(min=1, max=72))
    max_attempts = fields.Integer(validate=validate.Range(min=1, max=10))
    complaint_acknowledge_hours = fields.Integer(validate=validate.Range(min=1, max=720))
    complaint_resolve_days = fields.Integer(validate=validate.Range(min=1, max=365))
    lost_after_months = fields.Integer(validate=validate.Range(min=1, max=120))
    loyal_min_visits = fields.Integer(validate=validate.Range(min=1, max=100))
    loyal_period_months = fields.Integer(validate=validate.Range(min=1, max=120))
    reminder_lead_days = fields.Integer(validate=validate.Range(min=0, max=180))
    recommendation_reminder_days = fields.Integer(validate=validate.Range(min=1, max=365))


class SitePolicyIn(PolicyIn):
    site_id = fields.String(required=True, validate=_ID)


class ReferenceDataIn(Strict):
    """What `aftersales seed` loads into customer care."""

    group_id = fields.String(required=True, validate=_ID)
    agents = fields.List(fields.Nested(AgentIn), load_default=list)
    site_policies = fields.List(fields.Nested(SitePolicyIn), load_default=list)


# ---------------------------------------------------------------- the archive


class CareSiteQuery(Strict):
    site_id = fields.String(validate=_ID)


class CustomerQuery(CareSiteQuery):
    agent_id = fields.String(validate=validate.Length(min=1, max=80))
    customer_class = fields.String(validate=validate.OneOf(CUSTOMER_CLASSES))
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


class CareVehicleOut(Schema):
    vehicle_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    brand = fields.String()
    model = fields.String()
    sale_date = fields.Date(allow_none=True)
    mileage = fields.Integer()
    recommendations = fields.List(fields.Dict())


class CareCustomerOut(Schema):
    customer_id = fields.String()
    site_id = fields.String()
    name = fields.String()
    phones = fields.List(fields.String())
    customer_class = fields.String()
    agent_id = fields.String(allow_none=True)
    registered_by = fields.String(allow_none=True)
    recorded_for = fields.String(allow_none=True)
    registered_at = fields.AwareDateTime()
    vehicles = fields.List(fields.Nested(CareVehicleOut))
    visits = fields.List(fields.Dict())
    contacts = fields.List(fields.Dict())
    open_reminders = fields.List(fields.Dict())


class SitePolicyOut(Schema):
    site_id = fields.String()
    settings = fields.Nested(PolicyIn)
    updated_by = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(allow_none=True)


# ---------------------------------------------------------------- follow-ups


class Scores(Strict):
    advisor = fields.Integer(validate=validate.Range(min=1, max=10))
    repair_quality = fields.Integer(validate=validate.Range(min=1, max=10))
    timing = fields.Integer(validate=validate.Range(min=1, max=10))
    facility = fields.Integer(validate=validate.Range(min=1, max=10))
    pickup = fields.Integer(validate=validate.Range(min=1, max=10))


class AttemptIn(Strict):
    """One call of a follow-up: not reached, or reached with a result and the survey."""

    outcome = fields.String(required=True, validate=validate.OneOf(ATTEMPT_OUTCOMES))
    satisfaction = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(SATISFACTION)
    )
    scores = fields.Nested(Scores, load_default=dict)
    would_recommend = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10)
    )
    comment = fields.String(load_default=None, allow_none=True, validate=_NOTE)
    # The customer threatens to go further (the OEM's 400 hotline, the media).
    at_risk = fields.Boolean(load_default=False)
    callback_at = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _reached_only(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome") == "not_reached":
            extra = [
                name for name in ("satisfaction", "would_recommend") if data.get(name) is not None
            ] + (["scores"] if data.get("scores") else [])
            if extra:
                raise ValidationError({name: ["only for a reached customer"] for name in extra})
        elif data.get("outcome") == "reached":
            if data.get("satisfaction") is None:
                raise ValidationError({"satisfaction": ["how the reached customer feels"]})
            if data.get("callback_at") is not None:
                raise ValidationError({"callback_at": ["only when the customer was not reached"]})
        if data.get("satisfaction") == "unsatisfied" and not data.get("comment"):
            raise ValidationError({"comment": ["what the customer is unhappy about"]})


class Attempt(Schema):
    number = fields.Integer()
    at = fields.AwareDateTime()
    by = fields.String()
    outcome = fields.String()
    satisfaction = fields.String(allow_none=True)
    at_risk = fields.Boolean()
    callback_at = fields.AwareDateTime(allow_none=True)
    comment = fields.String(allow_none=True)


class FollowupOut(Schema):
    followup_id = fields.String()
    site_id = fields.String()
    order_id = fields.String()
    order_number = fields.String()
    customer_id = fields.String()
    customer_name = fields.String(allow_none=True)
    phones = fields.List(fields.String())
    vehicle_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    customer_class = fields.String(allow_none=True)
    mandatory = fields.Boolean()
    agent_id = fields.String(allow_none=True)
    service_advisor_id = fields.String(allow_none=True)
    delivered_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    deadline = fields.AwareDateTime()
    status = fields.String()
    overdue = fields.Boolean()
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    done_at = fields.AwareDateTime(allow_none=True)
    within_72h = fields.Boolean(allow_none=True)
    satisfaction = fields.String(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    would_recommend = fields.Integer(allow_none=True)
    survey_index = fields.Decimal(as_string=True, allow_none=True)
    comment = fields.String(allow_none=True)
    complaint_id = fields.String(allow_none=True)
    attempt_log = fields.List(fields.Nested(Attempt))


class FollowupQuery(Strict):
    site_id = fields.String()
    status = fields.String(validate=validate.OneOf(("open", "done", "unreachable")))
    agent_id = fields.String()
    overdue = fields.Boolean()
    due_before = fields.AwareDateTime()
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


# ---------------------------------------------------------------- complaints


class ComplaintIn(Strict):
    """A complaint registration (投诉登记表): who, when, what, channel."""

    site_id = fields.String(required=True, validate=_ID)
    customer_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    customer_name = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=200)
    )
    phone = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$")
    )
    vehicle_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    order_id = fields.String(load_default=None, allow_none=True, validate=_ID)
    channel = fields.String(required=True, validate=validate.OneOf(COMPLAINT_CHANNELS))
    description = fields.String(required=True, validate=_TEXT)
    category = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CLASSIFICATIONS)
    )
    at_risk = fields.Boolean(load_default=False)
    # When the customer complained, if it is being written down later (a letter).
    received_at = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def _who(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("customer_id") and not data.get("customer_name"):
            raise ValidationError({"customer_name": ["who complains: a customer id or a name"]})


class JudgeIn(Strict):
    valid = fields.Boolean(required=True)
    note = fields.String(required=True, validate=_TEXT)
    category = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CLASSIFICATIONS)
    )
    classification = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CLASSIFICATIONS)
    )


class InvestigateIn(Strict):
    department = fields.String(required=True, validate=validate.OneOf(DEPARTMENTS))
    responsible_person = fields.String(required=True, validate=validate.Length(min=1, max=200))
    findings = fields.String(required=True, validate=_TEXT)


def _money_amount(value: Decimal) -> None:
    """A cost in CNY: not negative, below ten million, whole fen."""
    if not value.is_finite() or not 0 <= value < 10_000_000:
        raise ValidationError("an amount from 0 to 9 999 999.99")


class SolutionIn(Strict):
    description = fields.String(required=True, validate=_TEXT)
    # What the solution costs the dealer, e.g. a refunded labor charge (CNY).
    cost = fields.Decimal(
        load_default=None, allow_none=True, as_string=True, places=2, validate=_money_amount
    )


class ProposeIn(Strict):
    solutions = fields.List(
        fields.Nested(SolutionIn), required=True, validate=validate.Length(min=1, max=10)
    )


class SolutionApprovalIn(Strict):
    solution_number = fields.Integer(required=True, validate=validate.Range(min=1, max=10))
    note = fields.String(load_default=None, allow_none=True, validate=_NOTE)


class CarryOutIn(Strict):
    customer_accepted = fields.Boolean(required=True)
    accepted_by = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=200)
    )
    note = fields.String(load_default=None, allow_none=True, validate=_NOTE)


class FollowUpIn(Strict):
    customer_satisfied = fields.Boolean(required=True)
    note = fields.String(required=True, validate=_TEXT)


class CloseIn(Strict):
    classification = fields.String(required=True, validate=validate.OneOf(CLASSIFICATIONS))
    summary = fields.String(required=True, validate=_TEXT)
    department = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(DEPARTMENTS)
    )


class EscalateIn(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(("at_risk", "manual")))
    note = fields.String(required=True, validate=_TEXT)


ACTION_SCHEMAS: dict[str, type[Schema]] = {
    "judge": JudgeIn,
    "investigate": InvestigateIn,
    "propose": ProposeIn,
    "approve": SolutionApprovalIn,
    "carry_out": CarryOutIn,
    "follow_up": FollowUpIn,
    "close": CloseIn,
    "escalate": EscalateIn,
}


class HistoryEntry(Schema):
    at = fields.AwareDateTime()
    by = fields.String()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    details = fields.Dict()


class EscalationOut(Schema):
    level = fields.Integer()
    reason = fields.String()
    escalated_to = fields.String()
    note = fields.String(allow_none=True)
    at = fields.AwareDateTime()
    by = fields.String()


class ComplaintOut(Schema):
    complaint_id = fields.String()
    site_id = fields.String()
    customer_id = fields.String(allow_none=True)
    customer_name = fields.String()
    phone = fields.String(allow_none=True)
    vehicle_id = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    followup_id = fields.String(allow_none=True)
    channel = fields.String()
    source = fields.String()
    description = fields.String()
    category = fields.String(allow_none=True)
    at_risk = fields.Boolean()
    received_at = fields.AwareDateTime()
    registered_at = fields.AwareDateTime()
    registered_by = fields.String()
    acknowledge_by = fields.AwareDateTime()
    resolve_by = fields.AwareDateTime()
    acknowledged_at = fields.AwareDateTime(allow_none=True)
    status = fields.String()
    valid = fields.Boolean(allow_none=True)
    department = fields.String(allow_none=True)
    responsible_person = fields.String(allow_none=True)
    findings = fields.String(allow_none=True)
    solutions = fields.List(fields.Dict())
    approved_solution = fields.Integer(allow_none=True)
    approved_by = fields.String(allow_none=True)
    customer_accepted = fields.Boolean(allow_none=True)
    customer_satisfied = fields.Boolean(allow_none=True)
    classification = fields.String(allow_none=True)
    summary = fields.String(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    escalation_level = fields.Integer()
    overdue = fields.List(fields.String())
    history = fields.List(fields.Nested(HistoryEntry))
    escalations = fields.List(fields.Nested(EscalationOut))


class ComplaintQuery(Strict):
    site_id = fields.String()
    status = fields.String()
    open = fields.Boolean()
    customer_id = fields.String()
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


# ---------------------------------------------------------------- reminders, lost customers


class ReminderDoneIn(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(REMINDER_OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=_NOTE)


class ReminderOut(Schema):
    reminder_id = fields.String()
    site_id = fields.String()
    kind = fields.String()
    customer_id = fields.String(allow_none=True)
    vehicle_id = fields.String(allow_none=True)
    vin = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    agent_id = fields.String(allow_none=True)
    title = fields.String()
    details = fields.Dict()
    remind_on = fields.Date()
    status = fields.String()
    attempts = fields.Integer()
    outcome = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    done_at = fields.AwareDateTime(allow_none=True)
    done_by = fields.String(allow_none=True)


class ReminderQuery(Strict):
    site_id = fields.String()
    kind = fields.String(validate=validate.OneOf(REMINDER_KINDS))
    status = fields.String(validate=validate.OneOf(("open", "done", "cancelled")))
    due_by = fields.Date()
    agent_id = fields.String()
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


class LostReasonIn(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(LOST_REASONS))
    note = fields.String(load_default=None, allow_none=True, validate=_NOTE)


class LostVehicleOut(Schema):
    vehicle_id = fields.String()
    customer_id = fields.String()
    customer_name = fields.String(allow_none=True)
    site_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    model = fields.String()
    last_activity_at = fields.AwareDateTime()
    last_visit_at = fields.AwareDateTime(allow_none=True)
    lost_since = fields.AwareDateTime()
    reason = fields.String(allow_none=True)
    reason_note = fields.String(allow_none=True)


class LoyalCustomerOut(Schema):
    customer_id = fields.String()
    name = fields.String(allow_none=True)
    site_id = fields.String()
    customer_class = fields.String(allow_none=True)
    visits = fields.Integer()
    last_visit_at = fields.AwareDateTime()


class PeriodQuery(Strict):
    site_id = fields.String(validate=_ID)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
