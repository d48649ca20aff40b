"""Warranty messages on the OEM exchange (`aftersales.oem`).

Dealer to OEM (`to-oem.<oem_id>.warranty_claim`): one submission of a warranty
claim.  OEM to dealer (`to-dealer.<group_id>.<type>`): `claim_decision` (one per
submission), `claim_payment` (a credit note covering one or more approved
claims) and `recall_notice` (a recall or service campaign for listed VINs).

All travel in the common envelope.  Field names are ours; the STAR 5 field each
one maps to is noted per field and tabled in docs/oem-messages.md.  Money is a
decimal string in CNY, hours a decimal string to 0.1 h, dates ISO 8601.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract, hours, money
from .claims import CLAIM_TYPES, DECISION_OUTCOMES, RECALL_KINDS

OLD_PART_INSTRUCTIONS = ("return", "scrap")


class ClaimLabor(Schema):
    line_no = fields.Integer(required=True)  # STAR: Job/JobNumberString
    operation_code = fields.String(required=True)  # STAR: LaborOperationID
    description = fields.String(required=True)  # STAR: LaborOperationDescription
    hours = hours(required=True)  # STAR ≈ the Job's labor hours (allowance)
    amount = money(required=True)  # STAR ≈ the Job's labor amount


class ClaimPart(Schema):
    line_no = fields.Integer(required=True)
    part_number = fields.String(required=True)  # STAR: ItemID
    description = fields.String(required=True)  # STAR: ItemIdDescription
    quantity = fields.Decimal(as_string=True, required=True)  # STAR ≈ ItemQuantity
    unit_price = money(required=True)  # STAR ≈ UnitPriceAmount
    amount = money(required=True)  # STAR ≈ ExtendedPriceAmount
    old_part_tag = fields.String(required=True, allow_none=True)  # no STAR field: tag number


class ClaimSublet(Schema):
    line_no = fields.Integer(required=True)
    description = fields.String(required=True)  # STAR: Sublet/SubletDescription
    amount = money(required=True)  # STAR: Sublet/SubletAmount


class WarrantyClaim(Schema):
    """One submission of a dealer's warranty claim (STAR: ProcessWarrantyClaim)."""

    claim_id = fields.String(required=True)  # our id; echoed back in every answer
    claim_number = fields.String(required=True)  # STAR: ClaimNumberString
    submission_count = fields.Integer(
        required=True, validate=validate.Range(min=1)
    )  # STAR: ClaimSubmissionCountNumeric
    appeal = fields.Boolean(required=True)  # STAR: WarrantyAppealIndicator
    appeal_comments = fields.String(required=True, allow_none=True)  # STAR: AppealComments
    oem_claim_number = fields.String(required=True, allow_none=True)  # STAR: OEMClaimNumberString
    oem_id = fields.String(required=True)
    dealer_code = fields.String(required=True)  # STAR: DealerNumberID (the site)
    claim_type = fields.String(
        required=True, validate=validate.OneOf(CLAIM_TYPES)
    )  # STAR: ClaimTypeString
    recall_id = fields.String(required=True, allow_none=True)  # STAR: ServiceCampaign
    order_number = fields.String(required=True, allow_none=True)  # STAR: RepairOrderNumberString
    vin = fields.String(required=True, validate=validate.Length(equal=17))  # STAR: VehicleID
    brand = fields.String(required=True)  # STAR ≈ Vehicle/MakeString
    model = fields.String(required=True)  # STAR ≈ Vehicle/ModelDescription
    sale_date = fields.Date(required=True)  # STAR ≈ Vehicle/InServiceDate
    mileage = fields.Integer(
        required=True, validate=validate.Range(min=0)
    )  # STAR: InDistanceMeasure
    repair_opened_on = fields.Date(required=True)  # STAR: RepairOrderOpenedDate
    repair_completed_on = fields.Date(required=True)  # STAR: RepairOrderCompletedDate
    complaint_code = fields.String(required=True, allow_none=True)  # STAR: ComplaintCode
    complaint = fields.String(required=True)  # STAR: ComplaintDescription
    cause_code = fields.String(required=True, allow_none=True)  # STAR: CauseCode
    cause = fields.String(required=True)  # STAR: CauseDescription
    correction_code = fields.String(required=True, allow_none=True)  # no STAR field: OEM code
    correction = fields.String(required=True)  # STAR: CorrectionDescription
    causal_part_number = fields.String(required=True, allow_none=True)  # STAR: ItemID (causal)
    appraisal = fields.String(required=True, allow_none=True)  # STAR: TechnicianNotes
    labor = fields.List(fields.Nested(ClaimLabor), required=True)  # STAR: Job/Labor
    parts = fields.List(fields.Nested(ClaimPart), required=True)  # STAR: Job/Parts
    sublets = fields.List(fields.Nested(ClaimSublet), required=True)  # STAR: Sublet
    claimed_amount = money(required=True)  # STAR ≈ the claim's total amount
    currency = fields.String(required=True, validate=validate.Equal("CNY"))  # STAR: currencyID


class OldPartInstruction(Schema):
    line_no = fields.Integer(required=True)  # the part line of the claim
    instruction = fields.String(required=True, validate=validate.OneOf(OLD_PART_INSTRUCTIONS))


class ClaimDecision(Schema):
    """The OEM's answer to one submission (STAR: AcknowledgeWarrantyClaim / reconciliation)."""

    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)  # STAR: ClaimNumberString
    oem_id = fields.String(required=True)
    oem_claim_number = fields.String(required=True)  # STAR: OEMClaimNumberString
    submission_count = fields.Integer(
        required=True, validate=validate.Range(min=1)
    )  # STAR: ClaimSubmissionCountNumeric (the submission answered)
    outcome = fields.String(
        required=True, validate=validate.OneOf(DECISION_OUTCOMES)
    )  # STAR: ClaimStatusCode; FullDebitIndicator / PartialDebitIndicator
    approved_amount = money(required=True)  # STAR: ToBePaidAmount
    reason_code = fields.String(required=True, allow_none=True)  # STAR: DebitReasonCode
    reason = fields.String(required=True, allow_none=True)  # STAR: AdjustmentReason
    old_parts = fields.List(fields.Nested(OldPartInstruction), required=True)
    decided_at = fields.AwareDateTime(required=True)


class PaidClaim(Schema):
    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)  # STAR: ClaimNumberString
    amount = money(required=True)  # STAR: ToBePaidAmount (as credited)


class ClaimPayment(Schema):
    """A credit to the dealer for approved claims (STAR: warranty reconciliation/credit)."""

    payment_id = fields.String(required=True)  # STAR ≈ DocumentIdentification (credit)
    oem_id = fields.String(required=True)
    dealer_code = fields.String(required=True)  # STAR: DealerNumberID
    paid_on = fields.Date(required=True)  # STAR ≈ the credit's payment date
    claims = fields.List(fields.Nested(PaidClaim), required=True, validate=validate.Length(min=1))
    total = money(required=True)


class RecallNotice(Schema):
    """A recall or service campaign for listed VINs (STAR: ServiceCampaign)."""

    recall_id = fields.String(required=True)  # STAR ≈ ServiceCampaign identifier
    oem_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(RECALL_KINDS))
    title = fields.String(required=True)  # STAR ≈ ServiceCampaign description
    description = fields.String(required=True)
    vins = fields.List(fields.String(), required=True)  # STAR: VehicleID
    labor_operation_code = fields.String(required=True, allow_none=True)  # STAR: LaborOperationID
    part_numbers = fields.List(fields.String(), required=True)  # STAR: ItemID
    starts_on = fields.Date(required=True)  # STAR ≈ campaign start date
    ends_on = fields.Date(required=True, allow_none=True)  # STAR ≈ campaign end date


EVENTS: list[EventContract] = [
    EventContract(
        "warranty_claim", 1, "claims", WarrantyClaim, "A warranty claim submission to an OEM."
    ),
    EventContract(
        "claim_decision",
        1,
        "oem",
        ClaimDecision,
        "An OEM approved, partly approved or rejected a warranty claim submission.",
    ),
    EventContract(
        "claim_payment",
        1,
        "oem",
        ClaimPayment,
        "An OEM credited the dealer for approved warranty claims.",
    ),
    EventContract(
        "recall_notice",
        1,
        "oem",
        RecallNotice,
        "An OEM announced a recall or service campaign for listed vehicles.",
    ),
]
