"""Insurance claims (理赔): intake, the damage assessment and the insurer's approved
amounts, the documents checklist, payment, and the insurer share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from ..fields import ID, TEXT, Money, Quantity, Ratio, Strict, Timestamp
from ..pages import PageQuery
from .common import (
    ASSESSMENT_KINDS,
    CODE,
    DOCUMENT_CODES,
    INSURANCE_DOCUMENTS,
    INSURANCE_STATUSES,
    LINE_TEXT,
    MAX_LINE_QUANTITY,
    ClaimHistoryOut,
    NonEmpty,
    Period,
    Vin,
    one_of,
)

# ---------------------------------------------------------------- insurance claims: input


class InsuranceFieldsIn(Strict):
    plate = fields.String(allow_none=True, validate=validate.Length(max=20))
    order_id = fields.String(allow_none=True, validate=ID)
    insurer = fields.String(allow_none=True, validate=validate.Length(min=1, max=100))
    policy_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    report_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=60))
    accident_date = fields.Date(allow_none=True)
    accident_description = fields.String(allow_none=True, validate=TEXT)
    rescue = fields.Boolean()


class InsuranceClaimIn(InsuranceFieldsIn):
    site_id = fields.String(required=True, validate=ID)
    vin = Vin(required=True)


class InsuranceClaimUpdate(InsuranceFieldsIn, NonEmpty):
    pass


class DamageItemIn(Strict):
    kind = one_of(ASSESSMENT_KINDS, required=True)
    description = fields.String(required=True, validate=LINE_TEXT)
    part_number = fields.String(load_default=None, allow_none=True, validate=CODE)
    quantity = Quantity(load_default=Decimal("1.000"), high=MAX_LINE_QUANTITY)
    estimated_amount = Money(required=True)


class DamageAssessmentIn(Strict):
    assessor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    items = fields.List(
        fields.Nested(DamageItemIn), required=True, validate=validate.Length(min=1, max=200)
    )


class InsurerApprovedItemIn(Strict):
    item_no = fields.Integer(required=True, validate=validate.Range(min=1))
    approved_amount = Money(required=True)


class InsurerApprovalIn(Strict):
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


class InsuranceDocumentIn(Strict):
    received = fields.Boolean(required=True)


class InsurancePaymentIn(Strict):
    amount = Money(required=True, low_inclusive=False)
    paid_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Length(min=1, max=60))


class InsuranceClaimQuery(PageQuery, Period):
    """Insurance claims newest first; `from`/`to`: opened in the period."""

    site_id = fields.String(validate=ID)
    status = one_of(INSURANCE_STATUSES)
    insurer = fields.String(validate=validate.Length(min=1, max=100))
    order_id = fields.String(validate=ID)
    vin = fields.String(validate=validate.Length(min=1, max=17))


class InsurerShareQuery(Period):
    """The period: `from` and `to`, or a `month` (`YYYY-MM`, the report due by the 5th)."""

    month = fields.String(
        validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a month is written YYYY-MM"),
        metadata={"description": "YYYY-MM: the same as from its first to its last day"},
    )
    site_id = fields.String(validate=ID)

    @validates_schema
    def _one_period(self, data: dict[str, Any], **_: Any) -> None:
        dates = [name for name in ("date_from", "date_to") if data.get(name)]
        if data.get("month") and dates:
            raise ValidationError("either a month or from/to, not both", "month")
        if not data.get("month") and len(dates) < 2:
            raise ValidationError("give from and to (or a month)", "from" if not dates else "to")


# ---------------------------------------------------------------- insurance claims: output


class DamageItemOut(Schema):
    item_no = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(ASSESSMENT_KINDS)})
    description = fields.String(required=True)
    part_number = fields.String(required=True, allow_none=True)
    quantity = Quantity(required=True)
    estimated_amount = Money(required=True)
    approved_amount = Money(required=True, allow_none=True)


InsuranceDocumentsOut = Schema.from_dict(
    {
        code: fields.Boolean(required=True, metadata={"description": label})
        for code, label in INSURANCE_DOCUMENTS.items()
    },
    name="InsuranceDocumentsOut",
)


class InsuranceClaimOut(Schema):
    insurance_claim_id = fields.String(required=True)
    claim_number = fields.String(required=True)
    group_id = fields.String(required=True)
    site_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(INSURANCE_STATUSES)})
    order_id = fields.String(required=True, allow_none=True)
    order_number = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True)
    plate = fields.String(required=True, allow_none=True)
    insurer = fields.String(required=True, allow_none=True)
    policy_number = fields.String(required=True, allow_none=True)
    report_number = fields.String(required=True, allow_none=True)
    accident_date = fields.Date(required=True, allow_none=True)
    accident_description = fields.String(required=True, allow_none=True)
    rescue = fields.Boolean(required=True)
    assessor = fields.String(required=True, allow_none=True)
    items = fields.List(fields.Nested(DamageItemOut), required=True)
    documents = fields.Nested(
        InsuranceDocumentsOut, required=True, metadata={"description": "received or not"}
    )
    missing_documents = fields.List(
        fields.String(metadata={"enum": list(DOCUMENT_CODES)}), required=True
    )
    estimated_amount = Money(required=True, allow_none=True)
    approved_amount = Money(required=True, allow_none=True, what="null until every item is")
    repair_amount = Money(required=True, allow_none=True)
    repaired_on = fields.Date(required=True, allow_none=True)
    submitted_at = Timestamp(required=True, allow_none=True)
    paid_amount = Money(required=True, allow_none=True)
    paid_on = fields.Date(required=True, allow_none=True)
    payment_reference = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    created_by = fields.String(required=True)
    history = fields.List(fields.Nested(ClaimHistoryOut), required=True)


class InsurerShareRowOut(Schema):
    insurer = fields.String(required=True, metadata={"description": "`unknown`: not yet known"})
    repairs = fields.Integer(required=True)
    share = Ratio(required=True, what="the share of the repairs")
    amount = Money(required=True)
    amount_share = Ratio(required=True, allow_none=True, what="the share of the amount")


class InsurerShareScopeOut(Schema):
    repairs = fields.Integer(required=True)
    insurers = fields.List(fields.Nested(InsurerShareRowOut), required=True)


class InsurerShareOut(Schema):
    month = fields.String(required=True, allow_none=True, metadata={"description": "if asked"})
    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)
    sites = fields.Dict(
        keys=fields.String(), values=fields.Nested(InsurerShareScopeOut), required=True
    )
    total = fields.Nested(InsurerShareScopeOut, required=True)
