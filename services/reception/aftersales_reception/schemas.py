"""Reception's input and output shapes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import validate_plate, validate_vin

from .domain import (
    APPOINTMENT_SOURCES,
    CUSTOMER_CLASSES,
    LINE_KINDS,
    OLD_PART_DISPOSITIONS,
    ORDER_STATUSES,
    ORDER_TYPES,
    PAYERS,
    PAYMENT_METHODS,
    SIGNATURE_METHODS,
)

ID = validate.Length(min=1, max=40)
TEXT = validate.Length(min=1, max=2000)


def _decimal_rule(places: int, what: str, *, positive: bool, maximum: int) -> Any:
    def check(value: Decimal) -> None:
        if not value.is_finite() or abs(value) > maximum:
            raise ValidationError(f"{what} must be at most {maximum}")
        if value != value.quantize(Decimal(1).scaleb(-places)):
            raise ValidationError(f"{what} to at most {places} decimal places")
        if value < 0 or (positive and value == 0):
            raise ValidationError(f"{what} must be {'positive' if positive else 'at least 0'}")

    return check


def _decimal(
    places: int, what: str, positive: bool, example: str, maximum: int, **kwargs: Any
) -> Any:
    """Decimals travel as strings (never floats); documented as such in OpenAPI."""
    return fields.Decimal(
        as_string=True,
        validate=_decimal_rule(places, what, positive=positive, maximum=maximum),
        metadata={"type": "string", "format": "decimal", "example": example},
        **kwargs,
    )


# Bounds that keep every figure inside its column (and far beyond any real RO).
MAX_AMOUNT = 10_000_000
MAX_QUANTITY = 10_000
MAX_HOURS = 999


def Money(**kwargs: Any) -> fields.Decimal:  # noqa: N802 - a field factory reads like a field
    """An amount in CNY: a decimal string with at most two places, never negative."""
    return _decimal(2, "an amount", False, "180.00", MAX_AMOUNT, **kwargs)


def Hours(**kwargs: Any) -> fields.Decimal:  # noqa: N802
    """Hours to 0.1 h, positive."""
    return _decimal(1, "hours", True, "1.5", MAX_HOURS, **kwargs)


def Quantity(**kwargs: Any) -> fields.Decimal:  # noqa: N802
    """A positive quantity with at most two places."""
    return _decimal(2, "a quantity", True, "1", MAX_QUANTITY, **kwargs)


class Strict(Schema):
    class Meta:
        unknown = RAISE


# ---------------------------------------------------------------- customers and vehicles


class VehicleIn(Strict):
    vin = fields.String(required=True)
    plate = fields.String(load_default=None, allow_none=True)
    brand = fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = fields.String(required=True, validate=validate.Length(min=1, max=100))
    colour = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    engine_number = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=40)
    )
    sale_date = fields.Date(load_default=None, allow_none=True)
    mileage = fields.Integer(load_default=0, validate=validate.Range(min=0, max=3_000_000))
    check_digit = fields.Boolean(load_default=True)

    @validates_schema
    def _identifiers(self, data: dict[str, Any], **_: Any) -> None:
        """VIN (check digit unless the brand does not use one) and plate, as field errors."""
        errors: dict[str, list[str]] = {}
        for field, check in (
            ("vin", lambda v: validate_vin(v, check_digit=data.get("check_digit", True))),
            ("plate", validate_plate),
        ):
            if data.get(field):
                try:
                    check(data[field])
                except ValidationFailed as exc:
                    errors[field] = [exc.message]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _normalise(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data["vin"] = validate_vin(data["vin"], check_digit=data.pop("check_digit"))
        if data.get("plate"):
            data["plate"] = validate_plate(data["plate"])
        return data


class CustomerIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    phones = fields.List(
        fields.String(validate=validate.Regexp(r"^\+?[0-9 -]{5,20}$")),
        required=True,
        validate=validate.Length(min=1, max=10),
    )
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    customer_class = fields.String(
        load_default="regular", validate=validate.OneOf(CUSTOMER_CLASSES)
    )
    vehicles = fields.List(fields.Nested(VehicleIn), load_default=list)


class VehicleOut(Schema):
    vehicle_id = fields.String()
    customer_id = fields.String()
    site_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    brand = fields.String()
    model = fields.String()
    colour = fields.String(allow_none=True)
    engine_number = fields.String(allow_none=True)
    sale_date = fields.Date(allow_none=True)
    mileage = fields.Integer()


class CustomerOut(Schema):
    customer_id = fields.String()
    group_id = fields.String()
    site_id = fields.String()
    name = fields.String()
    phones = fields.List(fields.String())
    address = fields.String(allow_none=True)
    customer_class = fields.String()
    created_at = fields.AwareDateTime()
    vehicles = fields.List(fields.Nested(VehicleOut))


class RecommendationOut(Schema):
    recommendation_id = fields.String()
    vehicle_id = fields.String()
    order_id = fields.String()
    work_id = fields.String(allow_none=True)
    description = fields.String()
    operations = fields.List(fields.Dict())
    parts = fields.List(fields.Dict())
    estimate_amount = fields.Decimal(as_string=True, places=2, allow_none=True)
    reason = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.AwareDateTime()
    taken_up_order_id = fields.String(allow_none=True)


class RecallOut(Schema):
    recall_id = fields.String()
    oem_id = fields.String()
    kind = fields.String()
    title = fields.String()
    description = fields.String()
    labor_operation_code = fields.String(allow_none=True)
    part_numbers = fields.List(fields.String())
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)


class VisitOut(Schema):
    order_id = fields.String()
    order_number = fields.String()
    site_id = fields.String()
    order_type = fields.String()
    mileage = fields.Integer()
    complaint = fields.String()
    delivered_at = fields.AwareDateTime()
    total = fields.String(allow_none=True)


class VehicleFileOut(VehicleOut):
    """A vehicle's file: history, next service due, what to offer at the next visit."""

    customer = fields.Dict()
    next_service_date = fields.Date(allow_none=True)
    next_service_mileage = fields.Integer(allow_none=True)
    visits = fields.List(fields.Nested(VisitOut))
    recommendations = fields.List(fields.Nested(RecommendationOut))
    recalls = fields.List(fields.Nested(RecallOut))


class VehicleQuery(Schema):
    vin = fields.String()
    plate = fields.String()


# ---------------------------------------------------------------- reference data


class LaborOperationIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    standard_hours = fields.Decimal(required=True, as_string=True)
    models = fields.List(fields.String(), load_default=list)


class LaborRateIn(Schema):
    site_id = fields.String(required=True, validate=ID)
    payer = fields.String(required=True, validate=validate.OneOf(PAYERS))
    rate = Money(required=True)


class SiteIn(Schema):
    """A site of the directory; fields reception does not keep are ignored."""

    class Meta:
        unknown = EXCLUDE

    site_id = fields.String(required=True, validate=ID)
    group_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12))
    tax_rate = _decimal(4, "a tax rate", False, "0.13", 1, load_default=Decimal("0.13"))
    prices_include_tax = fields.Boolean(load_default=True)


class ReferenceDataIn(Strict):
    """What `aftersales seed` loads into reception."""

    group_id = fields.String(required=True, validate=ID)
    sites = fields.List(fields.Nested(SiteIn), load_default=None)
    labor_operations = fields.List(fields.Nested(LaborOperationIn), load_default=list)
    labor_rates = fields.List(fields.Nested(LaborRateIn), load_default=list)
    customers = fields.List(fields.Dict(), load_default=list)


# ---------------------------------------------------------------- appointments


class PartRequestIn(Strict):
    part_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    quantity = Quantity(load_default=Decimal("1"))


class AppointmentIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    vehicle_id = fields.String(required=True, validate=ID)
    slot_start = fields.AwareDateTime(required=True)
    requested_work = fields.List(
        fields.String(validate=TEXT), required=True, validate=validate.Length(min=1, max=30)
    )
    operations = fields.List(
        fields.String(validate=validate.Length(min=1, max=40)),
        load_default=list,
        validate=validate.Length(max=30),
    )
    parts = fields.List(
        fields.Nested(PartRequestIn), load_default=list, validate=validate.Length(max=50)
    )
    estimated_hours = Hours(load_default=None, allow_none=True)
    source = fields.String(required=True, validate=validate.OneOf(APPOINTMENT_SOURCES))
    service_advisor_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=80)
    )
    notes = fields.String(load_default=None, allow_none=True, validate=TEXT)

    @validates_schema
    def _hours_or_operations(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("operations") and data.get("estimated_hours") is None:
            raise ValidationError(
                "give the labor operations or the estimated hours", "estimated_hours"
            )


class RescheduleIn(Strict):
    slot_start = fields.AwareDateTime(required=True)
    estimated_hours = Hours(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class ReasonIn(Strict):
    reason = fields.String(required=True, validate=TEXT)


class OptionalReasonIn(Strict):
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class AppointmentOut(Schema):
    appointment_id = fields.String()
    site_id = fields.String()
    customer_id = fields.String()
    vehicle_id = fields.String()
    vin = fields.String()
    slot_start = fields.AwareDateTime()
    day = fields.Date()
    estimated_hours = fields.Decimal(as_string=True, places=1)
    estimate_amount = fields.Decimal(as_string=True, places=2, allow_none=True)
    requested_work = fields.List(fields.String())
    operations = fields.List(fields.Dict())
    parts = fields.List(fields.Dict())
    source = fields.String()
    service_advisor_id = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    status = fields.String()
    reason = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()


class AppointmentQuery(Schema):
    site_id = fields.String()
    day = fields.Date(metadata={"description": "the local day, YYYY-MM-DD (default today)"})
    status = fields.String()


class PrePickQuery(Schema):
    site_id = fields.String(required=True)
    day = fields.Date(metadata={"description": "the local day (default tomorrow)"})


class PrePickPartOut(Schema):
    part_number = fields.String()
    name = fields.String(allow_none=True)
    quantity = fields.String()
    available = fields.String(allow_none=True)
    short = fields.Boolean()
    appointment_ids = fields.List(fields.String())


class PrePickOut(Schema):
    site_id = fields.String()
    day = fields.Date()
    appointments = fields.List(fields.Nested(AppointmentOut))
    parts = fields.List(fields.Nested(PrePickPartOut))


# ---------------------------------------------------------------- check-in


class SignatureIn(Strict):
    """Who signed (the customer's name as signed), how, and a reference to the image."""

    signed_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    method = fields.String(required=True, validate=validate.OneOf(SIGNATURE_METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DamageMarkIn(Strict):
    area = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=100))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CheckInEditable(Strict):
    mileage = fields.Integer(required=True, validate=validate.Range(min=0, max=3_000_000))
    mileage_reason = fields.String(load_default=None, allow_none=True, validate=TEXT)
    fuel_level = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    damage_marks = fields.List(
        fields.Nested(DamageMarkIn), load_default=list, validate=validate.Length(max=50)
    )
    valuables = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    items_left = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    complaint = fields.String(required=True, validate=TEXT)


class CheckInIn(CheckInEditable):
    site_id = fields.String(required=True, validate=ID)
    vehicle_id = fields.String(required=True, validate=ID)
    appointment_id = fields.String(load_default=None, allow_none=True, validate=ID)
    signature = fields.Nested(SignatureIn, load_default=None, allow_none=True)


class CheckInOut(Schema):
    check_in_id = fields.String()
    site_id = fields.String()
    appointment_id = fields.String(allow_none=True)
    customer_id = fields.String()
    vehicle_id = fields.String()
    vin = fields.String()
    mileage = fields.Integer()
    mileage_reason = fields.String(allow_none=True)
    previous_mileage = fields.Integer(allow_none=True)
    fuel_level = fields.Integer()
    damage_marks = fields.List(fields.Dict())
    valuables = fields.List(fields.String())
    items_left = fields.List(fields.String())
    complaint = fields.String()
    status = fields.String()
    signed_by = fields.String(allow_none=True)
    signature_method = fields.String(allow_none=True)
    signature_ref = fields.String(allow_none=True)
    signed_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    created_by = fields.String()
    notices = fields.Dict(
        metadata={"description": "open recommendations and recalls for the vehicle"}
    )


# ---------------------------------------------------------------- repair orders


class LineIn(Strict):
    """One line: labor (operation_code), part (part_number), sublet or misc (priced here)."""

    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    operation_code = fields.String(validate=validate.Length(min=1, max=40))
    part_number = fields.String(validate=validate.Length(min=1, max=60))
    code = fields.String(validate=validate.Length(min=1, max=60))
    description = fields.String(validate=validate.Length(min=1, max=300))
    quantity = Quantity(load_default=Decimal("1"))
    unit_price = Money()
    payer = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PAYERS))
    to_be_confirmed = fields.Boolean(load_default=False)
    free = fields.Boolean(load_default=False)
    free_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=300)
    )
    skill = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    recommendation_id = fields.String(load_default=None, allow_none=True, validate=ID)

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
    site_id = fields.String(required=True, validate=ID)
    vehicle_id = fields.String(required=True, validate=ID)
    check_in_id = fields.String(load_default=None, allow_none=True, validate=ID)
    appointment_id = fields.String(load_default=None, allow_none=True, validate=ID)
    order_type = fields.String(required=True, validate=validate.OneOf(ORDER_TYPES))
    mileage = fields.Integer(load_default=None, validate=validate.Range(min=0, max=3_000_000))
    mileage_reason = fields.String(load_default=None, allow_none=True, validate=TEXT)
    complaint = fields.String(load_default=None, validate=TEXT)
    promised_at = fields.AwareDateTime(load_default=None, allow_none=True)
    old_part_disposition = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(OLD_PART_DISPOSITIONS)
    )
    wash = fields.Boolean(load_default=False)
    notes = fields.String(load_default=None, allow_none=True, validate=TEXT)
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
    promised_at = fields.AwareDateTime(allow_none=True)
    old_part_disposition = fields.String(validate=validate.OneOf(OLD_PART_DISPOSITIONS))
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

    decision = fields.String(required=True, validate=validate.OneOf(("approved", "declined")))
    confirmation = fields.Nested(SignatureIn, required=True)
    promised_at = fields.AwareDateTime(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class AdditionalWorkApproveIn(Strict):
    confirmation = fields.Nested(SignatureIn, required=True)
    payer = fields.String(load_default="customer", validate=validate.OneOf(PAYERS))
    promised_at = fields.AwareDateTime(load_default=None, allow_none=True)


class AdditionalWorkDeclineIn(Strict):
    confirmation = fields.Nested(SignatureIn, required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class DiscountIn(Strict):
    amount = Money(required=True)
    reason = fields.String(required=True, validate=TEXT)


class PaymentIn(Strict):
    amount = Money(required=True)
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class SettleIn(Strict):
    payments = fields.List(
        fields.Nested(PaymentIn), load_default=list, validate=validate.Length(max=20)
    )


class DeliverIn(Strict):
    next_service_date = fields.Date(load_default=None, allow_none=True)
    next_service_mileage = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=3_000_000)
    )
    notes = fields.String(load_default=None, allow_none=True, validate=TEXT)


class OrderQuery(Schema):
    site_id = fields.String()
    status = fields.String(validate=validate.OneOf(("open", *ORDER_STATUSES)))
    vehicle_id = fields.String()
    customer_id = fields.String()


class LineOut(Schema):
    line_id = fields.String()
    seq = fields.Integer()
    kind = fields.String()
    code = fields.String()
    description = fields.String()
    quantity = fields.String()
    unit = fields.String(allow_none=True)
    unit_price = fields.Decimal(as_string=True, places=2)
    amount = fields.Decimal(as_string=True, places=2)
    payer = fields.String()
    status = fields.String()
    to_be_confirmed = fields.Boolean()
    free = fields.Boolean()
    free_reason = fields.String(allow_none=True)
    skill = fields.String(allow_none=True)
    work_id = fields.String(allow_none=True)
    recommendation_id = fields.String(allow_none=True)
    backordered = fields.Boolean()
    backordered_until = fields.Date(allow_none=True)
    job_status = fields.String(allow_none=True)
    issued_quantity = fields.String(allow_none=True)


class PayerTotalsOut(Schema):
    labor = fields.String()
    parts = fields.String()
    sublet = fields.String()
    misc = fields.String()
    free = fields.String()
    discount = fields.String()
    tax = fields.String()
    total = fields.String()


class StatementLineOut(Schema):
    line_id = fields.String()
    kind = fields.String()
    code = fields.String()
    description = fields.String()
    payer = fields.String()
    quantity = fields.String()
    unit_price = fields.String()
    value = fields.String()
    amount = fields.String()
    free = fields.Boolean()


class StatementOut(Schema):
    basis = fields.String(metadata={"description": "estimate (approved lines) or actual"})
    lines = fields.List(fields.Nested(StatementLineOut))
    by_payer = fields.Dict(keys=fields.String(), values=fields.Nested(PayerTotalsOut))
    totals_by_payer = fields.Dict(keys=fields.String(), values=fields.String())
    tax_rate = fields.String()
    prices_include_tax = fields.Boolean()
    discount_total = fields.String()
    tax_total = fields.String()
    total = fields.String()
    customer_due = fields.String()
    paid = fields.String()
    outstanding = fields.String()


class AdditionalWorkOut(Schema):
    work_id = fields.String()
    order_id = fields.String()
    job_id = fields.String(allow_none=True)
    description = fields.String()
    found_by = fields.String()
    found_at = fields.AwareDateTime()
    operations = fields.List(fields.Dict())
    parts = fields.List(fields.Dict())
    estimated_hours = fields.Decimal(as_string=True, places=1)
    estimate_amount = fields.Decimal(as_string=True, places=2, allow_none=True)
    suggested_promised_at = fields.AwareDateTime(allow_none=True)
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision = fields.Dict(allow_none=True)


class PaymentOut(Schema):
    payment_id = fields.String()
    amount = fields.Decimal(as_string=True, places=2)
    method = fields.String()
    reference = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    received_by = fields.String()


class HistoryOut(Schema):
    at = fields.AwareDateTime()
    by = fields.String()
    action = fields.String()
    details = fields.Dict()


class OrderOut(Schema):
    order_id = fields.String()
    order_number = fields.String()
    group_id = fields.String()
    site_id = fields.String()
    customer_id = fields.String()
    vehicle_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    check_in_id = fields.String(allow_none=True)
    appointment_id = fields.String(allow_none=True)
    order_type = fields.String()
    status = fields.String()
    mileage = fields.Integer()
    complaint = fields.String()
    fuel_level = fields.Integer(allow_none=True)
    promised_at = fields.AwareDateTime(allow_none=True)
    old_part_disposition = fields.String()
    wash = fields.Boolean()
    notes = fields.String(allow_none=True)
    service_advisor_id = fields.String()
    created_at = fields.AwareDateTime()
    approved_at = fields.AwareDateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)
    customer_signature = fields.Dict(allow_none=True)
    at_risk_at = fields.AwareDateTime(allow_none=True)
    discount = fields.Dict()
    settled_at = fields.AwareDateTime(allow_none=True)
    exit_pass_number = fields.String(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    next_service_date = fields.Date(allow_none=True)
    next_service_mileage = fields.Integer(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))
    estimate = fields.Nested(StatementOut)
    statement = fields.Nested(StatementOut, allow_none=True)
    additional_work = fields.List(fields.Nested(AdditionalWorkOut))
    payments = fields.List(fields.Nested(PaymentOut))
    history = fields.List(fields.Nested(HistoryOut))


class OrderSummaryOut(Schema):
    order_id = fields.String()
    order_number = fields.String()
    site_id = fields.String()
    customer_id = fields.String()
    vehicle_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    order_type = fields.String()
    status = fields.String()
    promised_at = fields.AwareDateTime(allow_none=True)
    service_advisor_id = fields.String()
    created_at = fields.AwareDateTime()
    at_risk_at = fields.AwareDateTime(allow_none=True)
    pending_additional_work = fields.Integer()


class ExitPassOut(Schema):
    exit_pass_number = fields.String()
    order_id = fields.String()
    order_number = fields.String()
    site_id = fields.String()
    vin = fields.String()
    plate = fields.String(allow_none=True)
    settled_at = fields.AwareDateTime()
    issued_by = fields.String()
    total = fields.String()
    paid = fields.String()
