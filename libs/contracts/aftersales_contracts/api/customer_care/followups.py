"""Follow-ups (回访): calls, attempts and the survey: their shapes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ...customer_care import SATISFACTION
from ...vocabulary import CUSTOMER_CLASSES
from ..fields import ID, DecimalString, Strict, Timestamp
from .archive import CareSiteQuery
from .codes import (
    ATTEMPT_OUTCOMES,
    FOLLOWUP_STATES,
    NOTE,
    USER_ID,
    one_of,
)

# ---------------------------------------------------------------- follow-ups


class FollowupScores(Strict):
    """Survey scores 1–10 by factor; a factor not asked is left out."""

    advisor = fields.Integer(validate=validate.Range(min=1, max=10))
    repair_quality = fields.Integer(validate=validate.Range(min=1, max=10))
    timing = fields.Integer(validate=validate.Range(min=1, max=10))
    facility = fields.Integer(validate=validate.Range(min=1, max=10))
    pickup = fields.Integer(validate=validate.Range(min=1, max=10))


class FollowupAttemptIn(Strict):
    """One call of a follow-up: not reached, or reached with a result and the survey."""

    outcome = one_of(ATTEMPT_OUTCOMES, required=True)
    satisfaction = one_of(SATISFACTION, load_default=None, allow_none=True)
    scores = fields.Nested(FollowupScores, load_default=dict)
    would_recommend = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10)
    )
    comment = fields.String(load_default=None, allow_none=True, validate=NOTE)
    # The customer threatens to go further (the OEM's 400 hotline, the media).
    at_risk = fields.Boolean(load_default=False)
    callback_at = Timestamp(load_default=None, allow_none=True)

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


class FollowupAttemptOut(Schema):
    number = fields.Integer(required=True)
    at = Timestamp(required=True)
    by = fields.String(required=True)
    outcome = one_of(ATTEMPT_OUTCOMES, required=True)
    satisfaction = one_of(SATISFACTION, required=True, allow_none=True)
    at_risk = fields.Boolean(required=True)
    callback_at = Timestamp(required=True, allow_none=True)
    comment = fields.String(required=True, allow_none=True)


class FollowupOut(Schema):
    followup_id = fields.String(required=True)
    site_id = fields.String(required=True)
    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True, allow_none=True)
    phones = fields.List(fields.String(), required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    plate = fields.String(required=True, allow_none=True)
    customer_class = one_of(CUSTOMER_CLASSES, required=True, allow_none=True)
    mandatory = fields.Boolean(required=True)
    agent_id = fields.String(required=True, allow_none=True)
    service_advisor_id = fields.String(required=True, allow_none=True)
    delivered_at = Timestamp(required=True)
    due_at = Timestamp(required=True)
    deadline = Timestamp(required=True, metadata={"description": "delivery + 72 hours"})
    status = one_of(FOLLOWUP_STATES, required=True)
    overdue = fields.Boolean(required=True)
    attempts = fields.Integer(required=True)
    next_attempt_at = Timestamp(required=True, allow_none=True)
    done_at = Timestamp(required=True, allow_none=True)
    within_72h = fields.Boolean(required=True, allow_none=True)
    satisfaction = one_of(SATISFACTION, required=True, allow_none=True)
    scores = fields.Nested(FollowupScores, required=True)
    would_recommend = fields.Integer(required=True, allow_none=True)
    survey_index = DecimalString(
        1, required=True, allow_none=True, what="the survey index, 0–100", example="86.0"
    )
    comment = fields.String(required=True, allow_none=True)
    complaint_id = fields.String(required=True, allow_none=True)


class FollowupDetailOut(FollowupOut):
    attempt_log = fields.List(fields.Nested(FollowupAttemptOut), required=True)


class FollowupQuery(CareSiteQuery):
    status = one_of(FOLLOWUP_STATES)
    agent_id = fields.String(validate=USER_ID)
    order_id = fields.String(validate=ID)
    overdue = fields.Boolean()
    due_before = Timestamp(metadata={"description": "open ones whose next call is due by then"})
