"""Events published by claims: recalls received, warranty claims, insurance claims."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract, money
from .vocabulary import CLAIM_TYPES

DECISION_OUTCOMES = ("approved", "partly_approved", "rejected")
RECALL_KINDS = ("recall", "campaign")


class RecallAnnounced(Schema):
    """An OEM recall or campaign received on the OEM exchange, for the group's vehicles."""

    recall_id = fields.String(required=True)
    oem_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(RECALL_KINDS))
    title = fields.String(required=True)
    description = fields.String(required=True)
    vins = fields.List(fields.String(), required=True)
    labor_operation_code = fields.String(required=True, allow_none=True)
    part_numbers = fields.List(fields.String(), required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, allow_none=True)


class ClaimSubmitted(Schema):
    """A warranty claim went to its OEM (first submission, resubmission or appeal)."""

    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    oem_id = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    claim_type = fields.String(required=True, validate=validate.OneOf(CLAIM_TYPES))
    causal_part_number = fields.String(required=True, allow_none=True)
    submission_count = fields.Integer(required=True, validate=validate.Range(min=1))
    appeal = fields.Boolean(required=True)
    claimed_amount = money(required=True)
    submitted_by = fields.String(required=True)


class ClaimDecided(Schema):
    """The OEM decided one submission of a warranty claim."""

    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    oem_id = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    submission_count = fields.Integer(required=True, validate=validate.Range(min=1))
    outcome = fields.String(required=True, validate=validate.OneOf(DECISION_OUTCOMES))
    claimed_amount = money(required=True)
    approved_amount = money(required=True)
    reason_code = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    first_pass = fields.Boolean(required=True)  # approved (fully or partly) on submission 1


class ClaimPaid(Schema):
    """The OEM credited the dealer for an approved warranty claim."""

    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    oem_id = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    claimed_amount = money(required=True)
    approved_amount = money(required=True)
    paid_amount = money(required=True)
    paid_on = fields.Date(required=True)
    payment_reference = fields.String(required=True)
    days_to_payment = fields.Integer(required=True, validate=validate.Range(min=0))


class InsuranceClaimOpened(Schema):
    """Accident intake: a repair an insurer is expected to pay for."""

    insurance_claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    plate = fields.String(required=True, allow_none=True)
    insurer = fields.String(required=True, allow_none=True)
    policy_number = fields.String(required=True, allow_none=True)
    report_number = fields.String(required=True, allow_none=True)
    accident_date = fields.Date(required=True, allow_none=True)
    opened_by = fields.String(required=True)


class InsuranceClaimSettled(Schema):
    """The insurer paid an accident repair."""

    insurance_claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    order_id = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    insurer = fields.String(required=True)
    approved_amount = money(required=True, allow_none=True)
    paid_amount = money(required=True)
    paid_on = fields.Date(required=True)
    payment_reference = fields.String(required=True)


EVENTS: list[EventContract] = [
    EventContract(
        "recall_announced",
        1,
        "claims",
        RecallAnnounced,
        "An OEM recall or campaign affecting listed vehicles of the group.",
    ),
    EventContract(
        "claim_submitted",
        1,
        "claims",
        ClaimSubmitted,
        "A warranty claim was sent to its OEM (again, if submission_count > 1).",
    ),
    EventContract(
        "claim_decided",
        1,
        "claims",
        ClaimDecided,
        "The OEM approved, partly approved or rejected a warranty claim submission.",
    ),
    EventContract(
        "claim_paid", 1, "claims", ClaimPaid, "The OEM credited an approved warranty claim."
    ),
    EventContract(
        "insurance_claim_opened",
        1,
        "claims",
        InsuranceClaimOpened,
        "An accident repair was taken in as an insurance claim.",
    ),
    EventContract(
        "insurance_claim_settled",
        1,
        "claims",
        InsuranceClaimSettled,
        "An insurer paid an accident repair.",
    ),
]
