"""Warranty: the OEMs' terms and coverage, recalls, warranty claims (and what an OEM
sees of them), the findings before submission, the warranty figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, post_load, pre_dump, validate

from ...vocabulary import CLAIM_TYPES
from ..fields import ID, TEXT, DecimalString, Hours, Money, Quantity, Ratio, Strict, Timestamp
from ..pages import PageQuery
from .common import (
    CLAIM_STATUSES,
    CODE,
    COVERAGE_BASES,
    LINE_TEXT,
    MAX_LINE_QUANTITY,
    MILEAGE,
    OLD_PART_ACTIONS,
    OLD_PART_STATUSES,
    OUTCOMES,
    RECALL_KINDS,
    ClaimFindingOut,
    ClaimHistoryOut,
    NonEmpty,
    Period,
    RequiredPeriod,
    Vin,
    one_of,
)

# ---------------------------------------------------------------- reference data


class WarrantyTermsIn(Strict):
    brand = fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "empty: every model of the brand"},
    )
    oem_id = fields.String(required=True, validate=ID)
    years = fields.Integer(required=True, validate=validate.Range(min=1, max=15))
    km = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    first_maintenance_months = fields.Integer(required=True, validate=validate.Range(min=1, max=60))
    first_maintenance_km = fields.Integer(
        required=True, validate=validate.Range(min=1, max=100_000)
    )
    first_maintenance_operations = fields.List(
        fields.String(validate=CODE), load_default=list, validate=validate.Length(max=20)
    )
    parts_months = fields.Integer(required=True, validate=validate.Range(min=1, max=120))
    parts_km = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    duplicate_window_days = fields.Integer(
        load_default=90, validate=validate.Range(min=1, max=3650)
    )


class WarrantyTermsOut(Schema):
    brand = fields.String(required=True)
    model = fields.String(required=True, metadata={"description": "empty: every model"})
    oem_id = fields.String(required=True)
    years = fields.Integer(required=True)
    km = fields.Integer(required=True)
    first_maintenance_months = fields.Integer(required=True)
    first_maintenance_km = fields.Integer(required=True)
    first_maintenance_operations = fields.List(fields.String(), required=True)
    parts_months = fields.Integer(required=True)
    parts_km = fields.Integer(required=True)
    duplicate_window_days = fields.Integer(required=True)
    updated_at = Timestamp(required=True)
    updated_by = fields.String(required=True)


class WarrantyTermsQuery(PageQuery):
    brand = fields.String(validate=validate.Length(min=1, max=60))


class LaborAllowanceIn(Schema):
    """A labor-time catalog entry (unknown keys, e.g. reception's extras, are ignored)."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=CODE)
    description = fields.String(required=True, validate=LINE_TEXT)
    standard_hours = Hours(required=True, low_inclusive=False)
    models = fields.List(fields.String(), load_default=list)


class ClaimsReferenceDataIn(Strict):
    """What `aftersales seed` loads into claims."""

    group_id = fields.String(required=True, validate=ID)
    warranty_terms = fields.List(fields.Nested(WarrantyTermsIn), load_default=list)
    labor_operations = fields.List(fields.Nested(LaborAllowanceIn), load_default=list)


class ClaimsReferenceDataOut(Schema):
    """How many terms and catalog entries were new or changed."""

    warranty_terms = fields.Integer(required=True)
    labor_operations = fields.Integer(required=True)


class WarrantyCoverageQuery(Strict):
    vin = Vin(required=True)
    mileage = fields.Integer(required=True, validate=MILEAGE)
    repair_date = fields.Date(load_default=None, metadata={"description": "default: today"})
    claim_type = one_of(CLAIM_TYPES, load_default="ordinary")
    part_fitted_on = fields.Date(load_default=None)
    part_fitted_mileage = fields.Integer(load_default=None, validate=validate.Range(min=0))
    recall_id = fields.String(load_default=None, validate=validate.Length(max=60))


class WarrantyCoverageOut(Schema):
    vin = fields.String(required=True)
    brand = fields.String(required=True)
    model = fields.String(required=True)
    sale_date = fields.Date(required=True, allow_none=True)
    claim_type = fields.String(required=True)
    covered = fields.Boolean(required=True)
    basis = fields.String(required=True, metadata={"enum": list(COVERAGE_BASES)})
    ends_on = fields.Date(required=True, allow_none=True)
    km_limit = fields.Integer(required=True, allow_none=True)
    findings = fields.List(fields.Nested(ClaimFindingOut), required=True)


class RecallQuery(PageQuery, Period):
    """Recalls newest first; `from`/`to`: those whose window overlaps the period."""

    vin = fields.String(validate=validate.Length(min=1, max=17))
    kind = one_of(RECALL_KINDS)
    oem_id = fields.String(validate=ID)


class OemRecallOut(Schema):
    recall_id = fields.String(required=True)
    oem_id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": list(RECALL_KINDS)})
    title = fields.String(required=True)
    description = fields.String(required=True)
    vins = fields.List(fields.String(), required=True)
    labor_operation_code = fields.String(required=True, allow_none=True)
    part_numbers = fields.List(fields.String(), required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, allow_none=True)
    received_at = Timestamp(required=True)


# ---------------------------------------------------------------- warranty claims: input


class ClaimLaborIn(Strict):
    operation_code = fields.String(required=True, validate=CODE)
    description = fields.String(required=True, validate=LINE_TEXT)
    hours = Hours(required=True, low_inclusive=False, high=100)
    amount = Money(required=True)


class ClaimPartIn(Strict):
    part_number = fields.String(required=True, validate=CODE)
    description = fields.String(required=True, validate=LINE_TEXT)
    quantity = Quantity(required=True, high=MAX_LINE_QUANTITY)
    unit_price = Money(required=True)
    old_part_tag = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=60)
    )


class ClaimSubletIn(Strict):
    description = fields.String(required=True, validate=LINE_TEXT)
    amount = Money(required=True)


class ClaimFieldsIn(Strict):
    """What a clerk may fill in or correct on a claim; lines replace the claim's lines."""

    claim_type = one_of(CLAIM_TYPES)
    recall_id = fields.String(allow_none=True, validate=validate.Length(max=60))
    mileage = fields.Integer(allow_none=True, validate=MILEAGE)
    repair_opened_on = fields.Date(allow_none=True)
    repair_completed_on = fields.Date(allow_none=True)
    complaint_code = fields.String(allow_none=True, validate=CODE)
    complaint = fields.String(allow_none=True, validate=TEXT)
    cause_code = fields.String(allow_none=True, validate=CODE)
    cause = fields.String(allow_none=True, validate=TEXT)
    correction_code = fields.String(allow_none=True, validate=CODE)
    correction = fields.String(allow_none=True, validate=TEXT)
    causal_part_number = fields.String(allow_none=True, validate=CODE)
    part_fitted_on = fields.Date(allow_none=True)
    part_fitted_mileage = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    labor = fields.List(fields.Nested(ClaimLaborIn), validate=validate.Length(max=50))
    parts = fields.List(fields.Nested(ClaimPartIn), validate=validate.Length(max=100))
    sublets = fields.List(fields.Nested(ClaimSubletIn), validate=validate.Length(max=20))


class WarrantyClaimIn(ClaimFieldsIn):
    """A claim drafted by hand (e.g. goodwill, or an RO that did not come through)."""

    site_id = fields.String(required=True, validate=ID)
    vin = Vin(required=True)
    order_id = fields.String(load_default=None, allow_none=True, validate=ID)
    order_number = fields.String(load_default=None, allow_none=True, validate=CODE)

    @post_load
    def _default_type(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data.setdefault("claim_type", "ordinary")
        return data


class WarrantyClaimUpdate(ClaimFieldsIn, NonEmpty):
    pass


class TechnicalAppraisalIn(Strict):
    finding = fields.String(required=True, validate=TEXT)
    warranty_fault = fields.Boolean(required=True)


class AppealIn(Strict):
    comments = fields.String(required=True, validate=TEXT)


class ClaimReasonIn(Strict):
    reason = fields.String(required=True, validate=TEXT)


class OldPartActionIn(Strict):
    action = one_of(OLD_PART_ACTIONS, required=True)


class WarrantyClaimQuery(PageQuery, Period):
    """Claims newest first; `from`/`to`: drafted in the period."""

    site_id = fields.String(validate=ID)
    status = one_of(CLAIM_STATUSES)
    order_id = fields.String(validate=ID)
    vin = fields.String(validate=validate.Length(min=1, max=17))
    claim_type = one_of(CLAIM_TYPES)


class WarrantyFiguresQuery(RequiredPeriod):
    """The claims first submitted in the period."""

    site_id = fields.String(validate=ID)


# ---------------------------------------------------------------- warranty claims: output


class ClaimLaborOut(Schema):
    line_no = fields.Integer(required=True)
    operation_code = fields.String(required=True)
    description = fields.String(required=True)
    hours = Hours(required=True)
    amount = Money(required=True)


class ClaimPartOut(Schema):
    line_no = fields.Integer(required=True)
    part_number = fields.String(required=True)
    description = fields.String(required=True)
    quantity = Quantity(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)
    old_part_tag = fields.String(required=True, allow_none=True)
    old_part_status = fields.String(required=True, metadata={"enum": list(OLD_PART_STATUSES)})


class ClaimSubletOut(Schema):
    line_no = fields.Integer(required=True)
    description = fields.String(required=True)
    amount = Money(required=True)


class AppraisalOut(Schema):
    finding = fields.String(required=True)
    warranty_fault = fields.Boolean(required=True)
    by = fields.String(required=True)
    at = Timestamp(required=True)

    @pre_dump
    def _stored(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """Kept with the claim as JSON: its moment is an ISO string there."""
        if isinstance(data.get("at"), str):
            return {**data, "at": datetime.fromisoformat(data["at"])}
        return data


class ClaimDecisionOut(Schema):
    submission_count = fields.Integer(required=True)
    outcome = fields.String(required=True, metadata={"enum": list(OUTCOMES)})
    approved_amount = Money(required=True)
    reason_code = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    oem_claim_number = fields.String(required=True, allow_none=True)
    decided_at = Timestamp(required=True)
    applied = fields.Boolean(
        required=True, metadata={"description": "false: for an older submission, kept only"}
    )


class ClaimSubmissionOut(Schema):
    submission_count = fields.Integer(required=True)
    submitted_at = Timestamp(required=True)
    submitted_by = fields.String(required=True)
    claimed_amount = Money(required=True)
    appeal = fields.Boolean(required=True)


_DEALER_ONLY = "the dealer's own workings: not shown to an OEM"


class WarrantyClaimOut(Schema):
    """A warranty claim. An OEM sees the claims sent to it without `appraisal`,
    `created_by` and `history`."""

    claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    group_id = fields.String(required=True)
    site_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(CLAIM_STATUSES)})
    claim_type = fields.String(required=True, metadata={"enum": list(CLAIM_TYPES)})
    oem_id = fields.String(required=True, allow_none=True)
    order_id = fields.String(required=True, allow_none=True)
    order_number = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True)
    brand = fields.String(required=True, allow_none=True, metadata={"description": "as sent"})
    model = fields.String(required=True, allow_none=True, metadata={"description": "as sent"})
    sale_date = fields.Date(required=True, allow_none=True, metadata={"description": "as sent"})
    recall_id = fields.String(required=True, allow_none=True)
    mileage = fields.Integer(required=True, allow_none=True)
    repair_opened_on = fields.Date(required=True, allow_none=True)
    repair_completed_on = fields.Date(required=True, allow_none=True)
    complaint_code = fields.String(required=True, allow_none=True)
    complaint = fields.String(required=True, allow_none=True)
    cause_code = fields.String(required=True, allow_none=True)
    cause = fields.String(required=True, allow_none=True)
    correction_code = fields.String(required=True, allow_none=True)
    correction = fields.String(required=True, allow_none=True)
    causal_part_number = fields.String(required=True, allow_none=True)
    part_fitted_on = fields.Date(required=True, allow_none=True)
    part_fitted_mileage = fields.Integer(required=True, allow_none=True)
    appraisal = fields.Nested(AppraisalOut, allow_none=True, metadata={"description": _DEALER_ONLY})
    labor = fields.List(fields.Nested(ClaimLaborOut), required=True, attribute="labor_lines")
    parts = fields.List(fields.Nested(ClaimPartOut), required=True, attribute="part_lines")
    sublets = fields.List(fields.Nested(ClaimSubletOut), required=True, attribute="sublet_lines")
    claimed_amount = Money(required=True)
    submission_count = fields.Integer(required=True)
    appeal = fields.Boolean(required=True)
    appeal_comments = fields.String(required=True, allow_none=True)
    first_submitted_at = Timestamp(required=True, allow_none=True)
    last_submitted_at = Timestamp(required=True, allow_none=True)
    oem_claim_number = fields.String(required=True, allow_none=True)
    outcome = fields.String(
        required=True,
        allow_none=True,
        metadata={"enum": [*OUTCOMES, None], "description": "null until the OEM decided"},
    )
    approved_amount = Money(required=True, allow_none=True)
    reason_code = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    decided_at = Timestamp(required=True, allow_none=True)
    paid_amount = Money(required=True, allow_none=True)
    paid_on = fields.Date(required=True, allow_none=True)
    payment_reference = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    created_by = fields.String(metadata={"description": _DEALER_ONLY})
    submissions = fields.List(fields.Nested(ClaimSubmissionOut), required=True)
    decisions = fields.List(fields.Nested(ClaimDecisionOut), required=True)
    history = fields.List(fields.Nested(ClaimHistoryOut), metadata={"description": _DEALER_ONLY})


class OemClaimOut(WarrantyClaimOut):
    """What an OEM sees of a claim addressed to it: the claim, not the dealer's workings."""

    class Meta:
        exclude = ("history", "created_by", "appraisal")


class ClaimFindingsOut(Schema):
    claim_id = fields.String(required=True)
    ready = fields.Boolean(required=True, metadata={"description": "true: no finding"})
    findings = fields.List(fields.Nested(ClaimFindingOut), required=True)


class RejectionsOut(Schema):
    reason_code = fields.String(required=True, metadata={"description": "empty: none given"})
    count = fields.Integer(required=True)
    rate = Ratio(required=True, what="the share of the decisions received")


class WarrantyFiguresOut(Schema):
    """One site's (or the total's) warranty figures; a rate is null when nothing to divide."""

    claims_submitted = fields.Integer(required=True)
    first_pass_approved = fields.Integer(required=True)
    first_pass_approval_rate = Ratio(required=True, allow_none=True)
    decisions = fields.Integer(required=True)
    rejections = fields.Integer(required=True)
    rejection_rate = Ratio(required=True, allow_none=True)
    rejections_by_reason = fields.List(fields.Nested(RejectionsOut), required=True)
    claims_paid = fields.Integer(required=True)
    average_days_to_payment = DecimalString(1, required=True, allow_none=True, what="days")
    max_days_to_payment = fields.Integer(required=True, allow_none=True)
    claimed_amount = Money(required=True)
    approved_amount = Money(required=True)
    paid_amount = Money(required=True)
    paid_share = Ratio(required=True, allow_none=True)


class WarrantyFiguresReportOut(Schema):
    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)
    sites = fields.Dict(
        keys=fields.String(), values=fields.Nested(WarrantyFiguresOut), required=True
    )
    total = fields.Nested(WarrantyFiguresOut, required=True)
