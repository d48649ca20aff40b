"""Reception's API shapes for repair orders: opening, lines, approval, additional work,
discounts, payments, settlement and delivery; the RO document, its estimate and statement.

The shared codes, role sets and the shapes repair orders reuse (signatures, history,
priced work items) are in `api.reception`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..vocabulary import LINE_KINDS, OLD_PART_DISPOSITIONS, ORDER_TYPES, PAYERS, PAYMENT_METHODS
from .fields import ID, TEXT, Hours, Money, Quantity, Ratio, Strict, Timestamp
from .pages import PageQuery
from .reception import (
    DISCOUNT_STATUSES,
    JOB_STATUSES,
    LINE_STATUSES,
    OPEN,
    ORDER_STATUSES,
    SIGNATURE_METHODS,
    STATEMENT_BASES,
    WORK_STATUSES,
    HistoryOut,
    LineQuantity,
    PartItemOut,
    SignatureIn,
    WorkItemOut,
    mileage_field,
    nullable,
    one_of,
    optional_text,
    req,
)

# ---------------------------------------------------------------- repair orders: input


class LineIn(Strict):
    """One line: labor (operation_code), part (part_number), sublet or misc (priced here)."""

    kind = one_of(LINE_KINDS, required=True)
    operation_code = fields.String(validate=validate.Length(min=1, max=40))
    part_number = fields.String(validate=validate.Length(min=1, max=60))
    code = fields.String(validate=validate.Length(min=1, max=60))
    description = fields.String(validate=validate.Length(min=1, max=300))
    quantity = Quantity(load_default=Decimal("1"))
    unit_price = Money(metadata={"description": "sublet and misc lines only"})
    payer = one_of(PAYERS, load_default=None, allow_none=True)
    to_be_confirmed = fields.Boolean(load_default=False)
    free = fields.Boolean(load_default=False)
    free_reason = optional_text(validate.Length(min=1, max=300))
    skill = optional_text(validate.Length(max=40))
    recommendation_id = optional_text(ID)

    @validates_schema
    def _per_kind(self, data: dict[str, Any], **_: Any) -> None:
        kind = data.get("kind")
        errors: dict[str, list[str]] = {}
        needs = {
            "labor": ("operation_code",),
            "part": ("part_number",),
            "sublet": ("description", "unit_price"),
            "misc": ("description", "unit_price"),
        }.get(kind, ())
        for name in needs:
            if data.get(name) is None:
                errors[name] = [f"required on a {kind} line"]
        not_for = {
            "labor": ("part_number", "unit_price"),
            "part": ("operation_code", "unit_price"),
            "sublet": ("operation_code", "part_number"),
            "misc": ("operation_code", "part_number"),
        }.get(kind, ())
        for name in not_for:
            if data.get(name) is not None:
                errors[name] = [f"not used on a {kind} line"]
        if kind == "labor" and "quantity" in data and data["quantity"] != Decimal("1"):
            errors["quantity"] = ["a labor line's hours come from the labor-time catalog"]
        if data.get("free") and not data.get("free_reason"):
            errors["free_reason"] = ["say why the line is free"]
        if errors:
            raise ValidationError(errors)


class OrderIn(Strict):
    """Opened from a signed check-in sheet (its mileage and complaint), or without one
    with `mileage` and `complaint` (then both are required)."""

    site_id = fields.String(required=True, validate=ID)
    vehicle_id = fields.String(required=True, validate=ID)
    check_in_id = optional_text(ID)
    appointment_id = optional_text(ID)
    order_type = one_of(ORDER_TYPES, required=True)
    mileage = mileage_field(load_default=None, metadata={"description": "required without a sheet"})
    mileage_reason = optional_text()
    complaint = fields.String(
        load_default=None, validate=TEXT, metadata={"description": "required without a sheet"}
    )
    promised_at = Timestamp(load_default=None, allow_none=True)
    old_part_disposition = one_of(OLD_PART_DISPOSITIONS, load_default=None, allow_none=True)
    wash = fields.Boolean(load_default=False)
    notes = optional_text()
    lines = fields.List(fields.Nested(LineIn), load_default=list, validate=validate.Length(max=100))

    @validates_schema
    def _from_check_in_or_given(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("check_in_id"):
            return
        errors = {
            name: ["required without a check-in sheet"]
            for name in ("mileage", "complaint")
            if data.get(name) is None
        }
        if errors:
            raise ValidationError(errors)


class OrderUpdate(Strict):
    promised_at = Timestamp(allow_none=True)
    old_part_disposition = one_of(OLD_PART_DISPOSITIONS)
    wash = fields.Boolean()
    notes = fields.String(allow_none=True, validate=TEXT)


class LinesIn(Strict):
    lines = fields.List(
        fields.Nested(LineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class ApproveIn(Strict):
    signature = fields.Nested(SignatureIn, required=True)


class ConfirmLineIn(Strict):
    """The customer's later word on a to-be-confirmed line."""

    decision = one_of(("approved", "declined"), required=True)
    confirmation = fields.Nested(SignatureIn, required=True)
    promised_at = Timestamp(load_default=None, allow_none=True)
    reason = optional_text()


class AdditionalWorkApproveIn(Strict):
    confirmation = fields.Nested(SignatureIn, required=True)
    payer = one_of(PAYERS, load_default="customer")
    promised_at = Timestamp(load_default=None, allow_none=True)


class AdditionalWorkDeclineIn(Strict):
    confirmation = fields.Nested(SignatureIn, required=True)
    reason = optional_text()


class DiscountIn(Strict):
    amount = Money(required=True)
    reason = fields.String(required=True, validate=TEXT)


class PaymentIn(Strict):
    amount = Money(required=True)
    method = one_of(PAYMENT_METHODS, required=True)
    reference = optional_text(validate.Length(max=100))


class SettleIn(Strict):
    payments = fields.List(
        fields.Nested(PaymentIn), load_default=list, validate=validate.Length(max=20)
    )


class DeliverIn(Strict):
    next_service_date = fields.Date(load_default=None, allow_none=True)
    next_service_mileage = mileage_field(load_default=None, allow_none=True)
    notes = optional_text()


class OrderQuery(PageQuery):
    site_id = fields.String(load_default=None, validate=ID)
    status = one_of((OPEN, *ORDER_STATUSES), load_default=None)
    number = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=40),
        metadata={"description": "the RO number or its beginning"},
    )
    plate = fields.String(load_default=None, validate=validate.Length(min=1, max=20))
    advisor = fields.String(
        load_default=None, validate=ID, metadata={"description": "service_advisor_id"}
    )
    vehicle_id = fields.String(load_default=None, validate=ID)
    customer_id = fields.String(load_default=None, validate=ID)
    date_from = fields.Date(
        load_default=None, data_key="from", metadata={"description": "opened on or after"}
    )
    date_to = fields.Date(
        load_default=None, data_key="to", metadata={"description": "opened on or before"}
    )


# ---------------------------------------------------------------- repair orders: output


class LineOut(Schema):
    line_id = req()
    seq = req(fields.Integer)
    kind = one_of(LINE_KINDS, required=True)
    code = req()
    description = req()
    quantity = LineQuantity(required=True)
    unit = nullable()
    unit_price = Money(required=True)
    amount = Money(required=True, metadata={"description": "0.00 on a free line"})
    payer = one_of(PAYERS, required=True)
    status = one_of(LINE_STATUSES, required=True)
    to_be_confirmed = req(fields.Boolean)
    free = req(fields.Boolean)
    free_reason = nullable()
    skill = nullable()
    work_id = nullable()
    recommendation_id = nullable()
    backordered = req(fields.Boolean)
    backordered_until = nullable(fields.Date)
    job_status = one_of(JOB_STATUSES, required=True, allow_none=True)
    issued_quantity = LineQuantity(required=True, allow_none=True)


class PayerTotalsOut(Schema):
    labor = Money(required=True)
    parts = Money(required=True)
    sublet = Money(required=True)
    misc = Money(required=True)
    free = Money(required=True, metadata={"description": "value given away, not charged"})
    discount = Money(required=True)
    tax = Money(required=True)
    total = Money(required=True)


class StatementLineOut(Schema):
    line_id = req()
    kind = one_of(LINE_KINDS, required=True)
    code = req()
    description = req()
    payer = one_of(PAYERS, required=True)
    quantity = LineQuantity(required=True)
    unit_price = Money(required=True)
    value = Money(required=True)
    amount = Money(required=True)
    free = req(fields.Boolean)


class StatementOut(Schema):
    basis = one_of(STATEMENT_BASES, required=True)
    lines = fields.List(fields.Nested(StatementLineOut), required=True)
    by_payer = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PAYERS)),
        values=fields.Nested(PayerTotalsOut),
        required=True,
    )
    totals_by_payer = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PAYERS)), values=Money(), required=True
    )
    tax_rate = Ratio(required=True)
    prices_include_tax = req(fields.Boolean)
    discount_total = Money(required=True)
    tax_total = Money(required=True)
    total = Money(required=True)
    customer_due = Money(required=True)
    paid = Money(required=True)
    outstanding = Money(required=True)
    discount_exceeds_share = fields.Boolean(
        metadata={"description": "true: work was undone after the discount; grant it again"}
    )


class ConfirmationOut(Schema):
    signed_by = req()
    method = one_of(SIGNATURE_METHODS, required=True)
    reference = fields.String(allow_none=True)
    at = Timestamp(required=True)


class WorkDecisionOut(Schema):
    decision = one_of(("approved", "declined"), required=True)
    payer = one_of(PAYERS)
    reason = fields.String(allow_none=True)
    confirmation = fields.Nested(ConfirmationOut, required=True)


class OrderAdditionalWorkOut(Schema):
    work_id = req()
    order_id = req()
    job_id = nullable()
    description = req()
    found_by = req()
    found_at = Timestamp(required=True)
    operations = fields.List(fields.Nested(WorkItemOut), required=True)
    parts = fields.List(fields.Nested(PartItemOut), required=True)
    estimated_hours = Hours(required=True)
    estimate_amount = Money(required=True, allow_none=True)
    suggested_promised_at = Timestamp(required=True, allow_none=True)
    status = one_of(WORK_STATUSES, required=True)
    decided_by = nullable()
    decided_at = Timestamp(required=True, allow_none=True)
    decision = fields.Nested(WorkDecisionOut, required=True, allow_none=True)


class PaymentOut(Schema):
    payment_id = req()
    amount = Money(required=True)
    method = one_of(PAYMENT_METHODS, required=True)
    reference = nullable()
    received_at = Timestamp(required=True)
    received_by = req()


class SignatureOut(Schema):
    signed_by = req()
    method = one_of(SIGNATURE_METHODS, required=True)
    reference = fields.String(allow_none=True)
    signed_at = Timestamp(required=True)


class DiscountOut(Schema):
    amount = Money(required=True)
    status = one_of(DISCOUNT_STATUSES, required=True)
    reason = nullable()
    requested_by = nullable()
    approved_by = nullable()


class OrderOut(Schema):
    """A repair order as a document (what its ETag covers)."""

    order_id = req()
    order_number = req()
    group_id = req()
    site_id = req()
    customer_id = req()
    vehicle_id = req()
    vin = req()
    plate = nullable()
    check_in_id = nullable()
    appointment_id = nullable()
    order_type = one_of(ORDER_TYPES, required=True)
    status = one_of(ORDER_STATUSES, required=True)
    mileage = req(fields.Integer)
    complaint = req()
    fuel_level = nullable(fields.Integer)
    promised_at = Timestamp(required=True, allow_none=True)
    old_part_disposition = one_of(OLD_PART_DISPOSITIONS, required=True)
    wash = req(fields.Boolean)
    notes = nullable()
    service_advisor_id = req()
    created_at = Timestamp(required=True)
    approved_at = Timestamp(required=True, allow_none=True)
    approved_by = nullable()
    customer_signature = fields.Nested(SignatureOut, required=True, allow_none=True)
    at_risk_at = Timestamp(required=True, allow_none=True)
    discount = fields.Nested(DiscountOut, required=True)
    settled_at = Timestamp(required=True, allow_none=True)
    exit_pass_number = nullable()
    delivered_at = Timestamp(required=True, allow_none=True)
    next_service_date = nullable(fields.Date)
    next_service_mileage = nullable(fields.Integer)
    cancelled_at = Timestamp(required=True, allow_none=True)
    cancel_reason = nullable()
    lines = fields.List(fields.Nested(LineOut), required=True)
    estimate = fields.Nested(StatementOut, required=True)
    statement = fields.Nested(
        StatementOut,
        required=True,
        allow_none=True,
        metadata={"description": "to date once approved; frozen when settled"},
    )
    additional_work = fields.List(fields.Nested(OrderAdditionalWorkOut), required=True)
    payments = fields.List(fields.Nested(PaymentOut), required=True)
    history = fields.List(fields.Nested(HistoryOut), required=True)


class OrderSummaryOut(Schema):
    order_id = req()
    order_number = req()
    site_id = req()
    customer_id = req()
    vehicle_id = req()
    vin = req()
    plate = nullable()
    order_type = one_of(ORDER_TYPES, required=True)
    status = one_of(ORDER_STATUSES, required=True)
    promised_at = Timestamp(required=True, allow_none=True)
    service_advisor_id = req()
    created_at = Timestamp(required=True)
    at_risk_at = Timestamp(required=True, allow_none=True)
    pending_additional_work = req(fields.Integer)


class ExitPassOut(Schema):
    exit_pass_number = req()
    order_id = req()
    order_number = req()
    site_id = req()
    vin = req()
    plate = nullable()
    settled_at = Timestamp(required=True)
    issued_by = req()
    total = Money(required=True)
    paid = Money(required=True)
