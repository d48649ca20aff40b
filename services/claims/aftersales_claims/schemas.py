"""Claims' input and output shapes (the gateway documents its API from these)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import validate_vin

from .domain import (
    ASSESSMENT_KINDS,
    CLAIM_TYPES,
    HOURS_STEP,
    INSURANCE_DOCUMENTS,
    INSURANCE_STATUSES,
    MONEY_STEP,
    STATUSES,
)

MAX_MONEY = Decimal("10000000000")
_text = validate.Length(min=1, max=2000)
_code = validate.Length(min=1, max=40)
_id = validate.Length(min=1, max=40)


class Bounded(fields.Decimal):
    """A decimal string, its bounds and step checked on load.

    Not a `validate.Range`: apispec renders a Decimal field's bounds as text, which
    is not valid OpenAPI; the bounds go into the description instead.
    """

    def __init__(
        self,
        *,
        low: Decimal | int = 0,
        low_inclusive: bool = True,
        high: Decimal | int = MAX_MONEY,
        step: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        self.low, self.low_inclusive = Decimal(low), low_inclusive
        self.high, self.step = Decimal(high), step
        lower = ">=" if low_inclusive else ">"
        text = f"decimal string {lower} {low}, < {high}" + (f", to {step}" if step else "")
        kwargs.setdefault(
            "metadata",
            {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": text},
        )
        super().__init__(as_string=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        number = super()._deserialize(value, attr, data, **kwargs)
        too_low = number < self.low or (number == self.low and not self.low_inclusive)
        if too_low or number >= self.high:
            lower = "at least" if self.low_inclusive else "more than"
            raise ValidationError(f"must be {lower} {self.low} and less than {self.high}")
        if self.step is not None and number != number.quantize(self.step):
            raise ValidationError(f"kept to {self.step}")
        return number


def _money(**kwargs: Any) -> Bounded:
    return Bounded(step=MONEY_STEP, **kwargs)


def _hours(high: int, **kwargs: Any) -> Bounded:
    return Bounded(low=0, low_inclusive=False, high=high, step=HOURS_STEP, **kwargs)


class Vin(fields.String):
    """A VIN in the normal form: format only (17 characters, no I/O/Q); whether the
    car is known, and its check digit, are the vehicle record's business."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return validate_vin(text, check_digit=False)
        except ValidationFailed as exc:
            raise ValidationError(exc.message) from None


def _vin_field(**kwargs: Any) -> Vin:
    return Vin(**kwargs)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- reference data


class WarrantyTermsIn(_Strict):
    brand = fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = fields.String(load_default="", validate=validate.Length(max=100))
    oem_id = fields.String(required=True, validate=_id)
    years = fields.Integer(required=True, validate=validate.Range(min=1, max=15))
    km = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    first_maintenance_months = fields.Integer(required=True, validate=validate.Range(min=1, max=60))
    first_maintenance_km = fields.Integer(
        required=True, validate=validate.Range(min=1, max=100_000)
    )
    first_maintenance_operations = fields.List(
        fields.String(validate=_code), load_default=list, validate=validate.Length(max=20)
    )
    parts_months = fields.Integer(required=True, validate=validate.Range(min=1, max=120))
    parts_km = fields.Integer(required=True, validate=validate.Range(min=1, max=1_000_000))
    duplicate_window_days = fields.Integer(
        load_default=90, validate=validate.Range(min=1, max=3650)
    )


class WarrantyTermsOut(Schema):
    brand = fields.String()
    model = fields.String()
    oem_id = fields.String()
    years = fields.Integer()
    km = fields.Integer()
    first_maintenance_months = fields.Integer()
    first_maintenance_km = fields.Integer()
    first_maintenance_operations = fields.List(fields.String())
    parts_months = fields.Integer()
    parts_km = fields.Integer()
    duplicate_window_days = fields.Integer()
    updated_at = fields.AwareDateTime()
    updated_by = fields.String()


class LaborAllowanceIn(Schema):
    """A labor-time catalog entry (unknown keys, e.g. reception's extras, are ignored)."""

    code = fields.String(required=True, validate=_code)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    standard_hours = _hours(1000, required=True)
    models = fields.List(fields.String(), load_default=list)


class ClaimsReferenceDataIn(_Strict):
    """What `aftersales seed` loads into claims."""

    group_id = fields.String(required=True, validate=_id)
    warranty_terms = fields.List(fields.Nested(WarrantyTermsIn), load_default=list)
    labor_operations = fields.List(
        fields.Nested(LaborAllowanceIn(unknown="exclude")), load_default=list
    )


class WarrantyCoverageQuery(_Strict):
    vin = _vin_field(required=True)
    mileage = fields.Integer(required=True, validate=validate.Range(min=0, max=3_000_000))
    repair_date = fields.Date(load_default=None)
    claim_type = fields.String(load_default="ordinary", validate=validate.OneOf(CLAIM_TYPES))
    part_fitted_on = fields.Date(load_default=None)
    part_fitted_mileage = fields.Integer(load_default=None, validate=validate.Range(min=0))
    recall_id = fields.String(load_default=None, validate=validate.Length(max=60))


class WarrantyCoverageOut(Schema):
    vin = fields.String()
    brand = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    sale_date = fields.Date(allow_none=True)
    claim_type = fields.String()
    covered = fields.Boolean()
    basis = fields.String()
    ends_on = fields.Date(allow_none=True)
    km_limit = fields.Integer(allow_none=True)
    findings = fields.List(fields.Dict())


# ---------------------------------------------------------------- warranty claims


class ClaimLaborIn(_Strict):
    operation_code = fields.String(required=True, validate=_code)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    hours = _hours(100, required=True)
    amount = _money(required=True)


class ClaimPartIn(_Strict):
    part_number = fields.String(required=True, validate=_code)
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    quantity = Bounded(required=True, low=0, low_inclusive=False, high=10_000)
    unit_price = _money(required=True)
    old_part_tag = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=60)
    )


class ClaimSubletIn(_Strict):
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    amount = _money(required=True)


class _ClaimFields(_Strict):
    """What a clerk may fill in or correct on a claim."""

    claim_type = fields.String(validate=validate.OneOf(CLAIM_TYPES))
    recall_id = fields.String(allow_none=True, validate=validate.Length(max=60))
    mileage = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=3_000_000))
    repair_opened_on = fields.Date(allow_none=True)
    repair_completed_on = fields.Date(allow_none=True)
    complaint_code = fields.String(allow_none=True, validate=_code)
    complaint = fields.String(allow_none=True, validate=_text)
    cause_code = fields.String(allow_none=True, validate=_code)
    cause = fields.String(allow_none=True, validate=_text)
    correction_code = fields.String(allow_none=True, validate=_code)
    correction = fields.String(allow_none=True, validate=_text)
    causal_part_number = fields.String(allow_none=True, validate=_code)
    part_fitted_on = fields.Date(allow_none=True)
    part_fitted_mileage = fields.Integer(allow_none=True, validate=validate.Range(min=0))
    labor = fields.List(fields.Nested(ClaimLaborIn), validate=validate.Length(max=50))
    parts = fields.List(fields.Nested(ClaimPartIn), validate=validate.Length(max=100))
    sublets = fields.List(fields.Nested(ClaimSubletIn), validate=validate.Length(max=20))


class WarrantyClaimIn(_ClaimFields):
    """A claim drafted by hand (e.g. goodwill, or an RO that did not come through)."""

    site_id = fields.String(required=True, validate=_id)
    vin = _vin_field(required=True)
    order_id = fields.String(load_default=None, allow_none=True, validate=_id)
    order_number = fields.String(load_default=None, allow_none=True, validate=_code)

    @post_load
    def _default_type(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data.setdefault("claim_type", "ordinary")
        return data


class WarrantyClaimUpdate(_ClaimFields):
    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("nothing to change", "_schema")


class TechnicalAppraisalIn(_Strict):
    finding = fields.String(required=True, validate=_text)
    warranty_fault = fields.Boolean(required=True)


class AppealIn(_Strict):
    comments = fields.String(required=True, validate=_text)


class ClaimReasonIn(_Strict):
    reason = fields.String(required=True, validate=_text)


class OldPartActionIn(_Strict):
    action = fields.String(required=True, validate=validate.OneOf(("returned", "scrapped")))


class WarrantyClaimQuery(_Strict):
    site_id = fields.String(validate=_id)
    status = fields.String(validate=validate.OneOf(STATUSES))
    order_id = fields.String(validate=_id)
    vin = fields.String(validate=validate.Length(max=17))
    claim_type = fields.String(validate=validate.OneOf(CLAIM_TYPES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class WarrantyFiguresQuery(_Strict):
    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")
    site_id = fields.String(validate=_id)

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError("the period ends before it begins", "to")


class ClaimLaborOut(Schema):
    line_no = fields.Integer()
    operation_code = fields.String()
    description = fields.String()
    hours = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)


class ClaimPartOut(Schema):
    line_no = fields.Integer()
    part_number = fields.String()
    description = fields.String()
    quantity = fields.Decimal(as_string=True)
    unit_price = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)
    old_part_tag = fields.String(allow_none=True)
    old_part_status = fields.String(
        metadata={"description": "kept, to_return, to_scrap, returned or scrapped"}
    )


class ClaimSubletOut(Schema):
    line_no = fields.Integer()
    description = fields.String()
    amount = fields.Decimal(as_string=True)


class ClaimHistoryOut(Schema):
    at = fields.AwareDateTime()
    by = fields.String()
    action = fields.String()
    status = fields.String()
    changes = fields.Dict()


class ClaimDecisionOut(Schema):
    submission_count = fields.Integer()
    outcome = fields.String()
    approved_amount = fields.Decimal(as_string=True)
    reason_code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    oem_claim_number = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime()
    applied = fields.Boolean()


class ClaimSubmissionOut(Schema):
    submission_count = fields.Integer()
    submitted_at = fields.AwareDateTime()
    submitted_by = fields.String()
    claimed_amount = fields.Decimal(as_string=True)
    appeal = fields.Boolean()


class WarrantyClaimOut(Schema):
    claim_id = fields.String()
    claim_number = fields.String()
    group_id = fields.String()
    site_id = fields.String()
    status = fields.String()
    claim_type = fields.String()
    oem_id = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    order_number = fields.String(allow_none=True)
    vin = fields.String()
    brand = fields.String(allow_none=True)
    model = fields.String(allow_none=True)
    sale_date = fields.Date(allow_none=True)
    recall_id = fields.String(allow_none=True)
    mileage = fields.Integer(allow_none=True)
    repair_opened_on = fields.Date(allow_none=True)
    repair_completed_on = fields.Date(allow_none=True)
    complaint_code = fields.String(allow_none=True)
    complaint = fields.String(allow_none=True)
    cause_code = fields.String(allow_none=True)
    cause = fields.String(allow_none=True)
    correction_code = fields.String(allow_none=True)
    correction = fields.String(allow_none=True)
    causal_part_number = fields.String(allow_none=True)
    part_fitted_on = fields.Date(allow_none=True)
    part_fitted_mileage = fields.Integer(allow_none=True)
    appraisal = fields.Dict(allow_none=True)
    labor = fields.List(fields.Nested(ClaimLaborOut), attribute="labor_lines")
    parts = fields.List(fields.Nested(ClaimPartOut), attribute="part_lines")
    sublets = fields.List(fields.Nested(ClaimSubletOut), attribute="sublet_lines")
    claimed_amount = fields.Decimal(as_string=True)
    submission_count = fields.Integer()
    appeal = fields.Boolean()
    appeal_comments = fields.String(allow_none=True)
    first_submitted_at = fields.AwareDateTime(allow_none=True)
    last_submitted_at = fields.AwareDateTime(allow_none=True)
    oem_claim_number = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    approved_amount = fields.Decimal(as_string=True, allow_none=True)
    reason_code = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    paid_amount = fields.Decimal(as_string=True, allow_none=True)
    paid_on = fields.Date(allow_none=True)
    payment_reference = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    submissions = fields.List(fields.Nested(ClaimSubmissionOut))
    decisions = fields.List(fields.Nested(ClaimDecisionOut))
    history = fields.List(fields.Nested(ClaimHistoryOut))


class OemClaimOut(WarrantyClaimOut):
    """What an OEM sees of a claim addressed to it: the claim, not the dealer's workings."""

    class Meta:
        exclude = ("history", "created_by", "appraisal")


class ClaimFindingOut(Schema):
    code = fields.String()
    field = fields.String()
    message = fields.String()


class ClaimFindingsOut(Schema):
    claim_id = fields.String()
    ready = fields.Boolean()
    findings = fields.List(fields.Nested(ClaimFindingOut))


class OemRecallOut(Schema):
    recall_id = fields.String()
    oem_id = fields.String()
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    vins = fields.List(fields.String())
    labor_operation_code = fields.String(allow_none=True)
    part_numbers = fields.List(fields.String())
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    received_at = fields.AwareDateTime()


# ---------------------------------------------------------------- insurance claims


class _InsuranceFields(_Strict):
    plate = fields.String(allow_none=True, validate=validate.Length(max=20))
    order_id = fields.String(allow_none=True, validate=_id)
    insurer = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    policy_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    report_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    accident_date = fields.Date(allow_none=True)
    accident_description = fields.String(allow_none=True, validate=_text)
    rescue = fields.Boolean()


class InsuranceClaimIn(_InsuranceFields):
    site_id = fields.String(required=True, validate=_id)
    vin = _vin_field(required=True)


class InsuranceClaimUpdate(_InsuranceFields):
    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("nothing to change", "_schema")


class DamageItemIn(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(ASSESSMENT_KINDS))
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    part_number = fields.String(load_default=None, allow_none=True, validate=_code)
    quantity = Bounded(load_default=Decimal("1"), low=0, low_inclusive=False, high=10_000)
    estimated_amount = _money(required=True)


class DamageAssessmentIn(_Strict):
    assessor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    items = fields.List(
        fields.Nested(DamageItemIn), required=True, validate=validate.Length(min=1, max=200)
    )


class InsurerApprovedItemIn(_Strict):
    item_no = fields.Integer(required=True, validate=validate.Range(min=1))
    approved_amount = _money(required=True)


class InsurerApprovalIn(_Strict):
    items = fields.List(
        fields.Nested(InsurerApprovedItemIn),
        required=True,
        validate=validate.Length(min=1, max=200),
    )

    @validates("items")
    def _unique(self, value: list[dict[str, Any]], **_: Any) -> None:
        numbers = [item["item_no"] for item in value]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("each item once", "items")


class InsuranceDocumentIn(_Strict):
    received = fields.Boolean(required=True)


class InsurancePaymentIn(_Strict):
    amount = _money(required=True, low=0, low_inclusive=False)
    paid_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=60))


class InsuranceClaimQuery(_Strict):
    site_id = fields.String(validate=_id)
    status = fields.String(validate=validate.OneOf(INSURANCE_STATUSES))
    insurer = fields.String(validate=validate.Length(max=100))
    order_id = fields.String(validate=_id)
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class InsurerShareQuery(_Strict):
    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-\d{2}$"))
    site_id = fields.String(validate=_id)


class DamageItemOut(Schema):
    item_no = fields.Integer()
    kind = fields.String()
    description = fields.String()
    part_number = fields.String(allow_none=True)
    quantity = fields.Decimal(as_string=True)
    estimated_amount = fields.Decimal(as_string=True)
    approved_amount = fields.Decimal(as_string=True, allow_none=True)


class InsuranceClaimOut(Schema):
    insurance_claim_id = fields.String()
    claim_number = fields.String()
    group_id = fields.String()
    site_id = fields.String()
    status = fields.String()
    order_id = fields.String(allow_none=True)
    order_number = fields.String(allow_none=True)
    vin = fields.String()
    plate = fields.String(allow_none=True)
    insurer = fields.String(allow_none=True)
    policy_number = fields.String(allow_none=True)
    report_number = fields.String(allow_none=True)
    accident_date = fields.Date(allow_none=True)
    accident_description = fields.String(allow_none=True)
    rescue = fields.Boolean()
    assessor = fields.String(allow_none=True)
    items = fields.List(fields.Nested(DamageItemOut))
    documents = fields.Dict(keys=fields.String(), values=fields.Boolean())
    missing_documents = fields.List(fields.String())
    estimated_amount = fields.Decimal(as_string=True, allow_none=True)
    approved_amount = fields.Decimal(as_string=True, allow_none=True)
    repair_amount = fields.Decimal(as_string=True, allow_none=True)
    repaired_on = fields.Date(allow_none=True)
    submitted_at = fields.AwareDateTime(allow_none=True)
    paid_amount = fields.Decimal(as_string=True, allow_none=True)
    paid_on = fields.Date(allow_none=True)
    payment_reference = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    history = fields.List(fields.Nested(ClaimHistoryOut))


DOCUMENT_CODES = tuple(INSURANCE_DOCUMENTS)
