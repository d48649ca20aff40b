"""Reception's API shapes: what its RPCs load and dump, what the gateway documents.

Customers and vehicles, the labor catalog and rates, appointments, the check-in sheet,
repair orders (RO) with their lines, estimate and statement, additional work, payments
and the exit pass. The codes a client sends or reads (statuses, sources, signature
methods) and the role sets live here too: reception's domain imports them and the
gateway's route rows use the same role sets.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import validate_plate, validate_vin
from aftersales_core.tenancy import role_set

from ..vocabulary import (
    CUSTOMER_CLASSES,
    ORDER_TYPES,
    PAYERS,
)
from .fields import DECIMAL_PATTERN, ID, TEXT, Hours, Money, Quantity, Ratio, Strict, Timestamp
from .pages import PageQuery

# ---------------------------------------------------------------- codes

APPOINTMENT_SOURCES = ("phone", "online", "walk_in", "dealer")
APPOINTMENT_STATUSES = ("booked", "arrived", "cancelled", "no_show")
SIGNATURE_METHODS = ("paper", "tablet", "phone", "sms_link")
CHECK_IN_STATUSES = ("draft", "signed")
ORDER_STATUSES = (
    "draft",
    "awaiting_approval",
    "approved",
    "in_progress",
    "ready_for_delivery",
    "settled",
    "delivered",
    "cancelled",
)
OPEN = "open"  # as a list filter: every status before delivered or cancelled
LINE_STATUSES = ("proposed", "to_be_confirmed", "approved", "declined")
JOB_STATUSES = ("waiting", "dispatched", "in_progress", "done")  # a labor line's work
WORK_STATUSES = ("pending", "approved", "declined", "void")  # void: found after the RO closed
DISCOUNT_STATUSES = ("none", "approved", "pending")
RECOMMENDATION_STATUSES = ("open", "taken_up")
STATEMENT_BASES = ("estimate", "actual")

# ---------------------------------------------------------------- who may do what

# Who works the front desk; the cashier also takes payments and settles.
RECEPTION_ROLES = role_set(
    "service_advisor",
    "front_desk_supervisor",
    "service_manager",
    "service_director",
    "accident_supervisor",
    "accident_reception",
    "system",
)
CASHIER_ROLES = role_set(*RECEPTION_ROLES, "cashier")

# ---------------------------------------------------------------- value fields

MAX_MILEAGE = 3_000_000


def LineQuantity(**kwargs: Any) -> fields.String:  # noqa: N802 - a field factory
    """A line's quantity as the RO shows it: hours to 0.1 h on a labor line (`"1.5"`),
    else the part's unit without trailing zeros (`"2"`, `"0.125"`)."""
    return fields.String(
        metadata={
            "type": "string",
            "format": "decimal",
            "pattern": DECIMAL_PATTERN,
            "description": "hours (labor, to 0.1 h) or the part's unit (to 0.001)",
            "example": "2",
        },
        **kwargs,
    )


def one_of(codes: tuple[str, ...], **kwargs: Any) -> fields.String:
    """A code of `codes` (validated on input, documented as an enum)."""
    return fields.String(validate=validate.OneOf(codes), **kwargs)


def nullable(field: type[fields.Field] = fields.String, **kwargs: Any) -> fields.Field:
    """Always present in an answer, possibly null."""
    return field(required=True, allow_none=True, **kwargs)


def req(field: type[fields.Field] = fields.String, **kwargs: Any) -> fields.Field:
    """Always present in an answer, never null."""
    return field(required=True, **kwargs)


def optional_text(validator: Any = TEXT) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validator)


def mileage_field(**kwargs: Any) -> fields.Integer:
    return fields.Integer(validate=validate.Range(min=0, max=MAX_MILEAGE), **kwargs)


# ---------------------------------------------------------------- customers and vehicles


class VehicleIn(Strict):
    vin = fields.String(required=True, metadata={"description": "17 characters, check digit"})
    plate = fields.String(load_default=None, allow_none=True)
    brand = fields.String(required=True, validate=validate.Length(min=1, max=60))
    model = fields.String(required=True, validate=validate.Length(min=1, max=100))
    colour = optional_text(validate.Length(max=40))
    engine_number = optional_text(validate.Length(max=40))
    sale_date = fields.Date(load_default=None, allow_none=True)
    mileage = mileage_field(load_default=0)
    check_digit = fields.Boolean(
        load_default=True, metadata={"description": "false for a brand without a check digit"}
    )

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
    address = optional_text(validate.Length(max=500))
    customer_class = one_of(CUSTOMER_CLASSES, load_default="regular")
    vehicles = fields.List(fields.Nested(VehicleIn), load_default=list)


class VehicleOut(Schema):
    vehicle_id = req()
    customer_id = req()
    site_id = req()
    vin = req()
    plate = nullable()
    brand = req()
    model = req()
    colour = nullable()
    engine_number = nullable()
    sale_date = nullable(fields.Date)
    mileage = req(fields.Integer)


class CustomerOut(Schema):
    customer_id = req()
    group_id = req()
    site_id = req()
    name = req()
    phones = req(fields.List, cls_or_instance=fields.String())
    address = nullable()
    customer_class = one_of(CUSTOMER_CLASSES, required=True)
    created_at = Timestamp(required=True)
    vehicles = fields.List(fields.Nested(VehicleOut), required=True)


class CustomerQuery(PageQuery):
    site_id = fields.String(load_default=None, validate=ID)
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of a name or phone number, a plate or a VIN"},
    )


class LaborOperationQuery(PageQuery):
    q = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of a code or a description"},
    )


class VehicleQuery(PageQuery):
    vin = fields.String(load_default=None, validate=validate.Length(min=1, max=40))
    plate = fields.String(load_default=None, validate=validate.Length(min=1, max=20))


class WorkItemOut(Schema):
    """A labor operation priced for an appointment, additional work or a recommendation."""

    operation_code = req()
    description = req()
    standard_hours = Hours(required=True)
    in_catalog = fields.Boolean(metadata={"description": "found work: is it in the catalog"})
    amount = Money(allow_none=True, metadata={"description": "null: no rate to price it"})


class PartItemOut(Schema):
    """A part priced for an appointment, additional work or a recommendation."""

    part_number = req()
    name = nullable()
    quantity = LineQuantity(required=True)
    unit_price = Money(allow_none=True)
    available = fields.String(allow_none=True, metadata={"description": "stock when priced"})
    amount = Money(allow_none=True)


class RecommendationOut(Schema):
    recommendation_id = req()
    vehicle_id = req()
    order_id = req()
    work_id = nullable()
    description = req()
    operations = fields.List(fields.Nested(WorkItemOut), required=True)
    parts = fields.List(fields.Nested(PartItemOut), required=True)
    estimate_amount = Money(required=True, allow_none=True)
    reason = nullable()
    status = one_of(RECOMMENDATION_STATUSES, required=True)
    created_at = Timestamp(required=True)
    taken_up_order_id = nullable()


class RecallOut(Schema):
    recall_id = req()
    oem_id = req()
    kind = req()
    title = req()
    description = req()
    labor_operation_code = nullable()
    part_numbers = req(fields.List, cls_or_instance=fields.String())
    starts_on = req(fields.Date)
    ends_on = nullable(fields.Date)


class NoticesOut(Schema):
    """What to offer the customer: open recommendations and open recalls for the car."""

    recommendations = fields.List(fields.Nested(RecommendationOut), required=True)
    recalls = fields.List(fields.Nested(RecallOut), required=True)


class VisitOut(Schema):
    order_id = req()
    order_number = req()
    site_id = req()
    order_type = one_of(ORDER_TYPES, required=True)
    mileage = req(fields.Integer)
    complaint = req()
    delivered_at = Timestamp(required=True)
    total = Money(required=True, allow_none=True)


class OwnerOut(Schema):
    customer_id = req()
    name = req()
    phones = req(fields.List, cls_or_instance=fields.String())
    customer_class = one_of(CUSTOMER_CLASSES, required=True)


class VehicleFileOut(VehicleOut):
    """A vehicle's file: history, next service due, what to offer at the next visit."""

    customer = fields.Nested(OwnerOut, required=True)
    next_service_date = nullable(fields.Date)
    next_service_mileage = nullable(fields.Integer)
    visits = fields.List(fields.Nested(VisitOut), required=True)
    recommendations = fields.List(fields.Nested(RecommendationOut), required=True)
    recalls = fields.List(fields.Nested(RecallOut), required=True)


# ---------------------------------------------------------------- reference data


class LaborOperationIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    description = fields.String(required=True, validate=validate.Length(min=1, max=300))
    standard_hours = fields.Decimal(required=True, as_string=True)  # the domain checks it
    models = fields.List(fields.String(), load_default=list)


class LaborRateIn(Schema):
    site_id = fields.String(required=True, validate=ID)
    payer = one_of(PAYERS, required=True)
    rate = Money(required=True)


class SiteIn(Schema):
    """A site of the directory; fields reception does not keep are ignored."""

    class Meta:
        unknown = EXCLUDE

    site_id = fields.String(required=True, validate=ID)
    group_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    code = optional_text(validate.Length(max=12))
    tax_rate = Ratio(load_default=Decimal("0.13"), high=1, what="a tax rate")
    prices_include_tax = fields.Boolean(load_default=True)


class ReceptionReferenceDataIn(Strict):
    """What `aftersales seed` loads into reception: the group's sites (from the directory),
    its labor catalog, rates and customers."""

    group_id = fields.String(required=True, validate=ID)
    sites = fields.List(fields.Nested(SiteIn), load_default=None)
    labor_operations = fields.List(fields.Nested(LaborOperationIn), load_default=list)
    labor_rates = fields.List(fields.Nested(LaborRateIn), load_default=list)
    customers = fields.List(fields.Dict(), load_default=list)


class LaborOperationOut(Schema):
    code = req()
    description = req()
    standard_hours = Hours(required=True)
    models = fields.List(
        fields.String(), required=True, metadata={"description": "empty: every model"}
    )


class LaborRateOut(Schema):
    site_id = req()
    payer = one_of(PAYERS, required=True)
    rate = Money(required=True, metadata={"description": "per hour"})


# ---------------------------------------------------------------- appointments


class PartRequestIn(Strict):
    part_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    quantity = Quantity(load_default=Decimal("1"))


class AppointmentIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    vehicle_id = fields.String(required=True, validate=ID)
    slot_start = Timestamp(required=True)
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
    estimated_hours = Hours(
        load_default=None,
        allow_none=True,
        low_inclusive=False,
        metadata={"description": "required without operations"},
    )
    source = one_of(APPOINTMENT_SOURCES, required=True)
    service_advisor_id = optional_text(validate.Length(min=1, max=80))
    notes = optional_text()

    @validates_schema
    def _hours_or_operations(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("operations") and data.get("estimated_hours") is None:
            raise ValidationError(
                "give the labor operations or the estimated hours", "estimated_hours"
            )


class RescheduleIn(Strict):
    slot_start = Timestamp(required=True)
    estimated_hours = Hours(load_default=None, allow_none=True, low_inclusive=False)
    reason = optional_text()


class ReasonIn(Strict):
    reason = fields.String(required=True, validate=TEXT)


class OptionalReasonIn(Strict):
    reason = optional_text()


class HistoryOut(Schema):
    at = Timestamp(required=True)
    by = req()
    action = req()
    details = req(fields.Dict, metadata={"description": "what changed; depends on the action"})


class AppointmentOut(Schema):
    appointment_id = req()
    site_id = req()
    customer_id = req()
    vehicle_id = req()
    vin = req()
    slot_start = Timestamp(required=True)
    day = req(fields.Date, metadata={"description": "the slot's local day"})
    estimated_hours = Hours(required=True)
    estimate_amount = Money(required=True, allow_none=True)
    requested_work = req(fields.List, cls_or_instance=fields.String())
    operations = fields.List(fields.Nested(WorkItemOut), required=True)
    parts = fields.List(fields.Nested(PartItemOut), required=True)
    source = one_of(APPOINTMENT_SOURCES, required=True)
    service_advisor_id = nullable()
    notes = nullable()
    status = one_of(APPOINTMENT_STATUSES, required=True)
    reason = nullable()
    created_at = Timestamp(required=True)
    created_by = req()


class AppointmentFileOut(AppointmentOut):
    """One appointment as a document (what its ETag covers): with its history."""

    history = fields.List(fields.Nested(HistoryOut), required=True)


class AppointmentQuery(PageQuery):
    """A day (`day`, default today) or a period (`from`, `to`: local days, inclusive)."""

    site_id = fields.String(load_default=None, validate=ID)
    day = fields.Date(load_default=None, metadata={"description": "one local day"})
    date_from = fields.Date(load_default=None, data_key="from")
    date_to = fields.Date(load_default=None, data_key="to")
    status = one_of(APPOINTMENT_STATUSES, load_default=None)


class PrePickQuery(Strict):
    site_id = fields.String(required=True, validate=ID)
    day = fields.Date(load_default=None, metadata={"description": "local day (default tomorrow)"})


class PrePickPartOut(Schema):
    part_number = req()
    name = nullable()
    quantity = LineQuantity(required=True)
    available = nullable(metadata={"description": "stock now; null: not stocked here"})
    short = req(fields.Boolean)
    appointment_ids = req(fields.List, cls_or_instance=fields.String())


class PrePickOut(Schema):
    site_id = req()
    day = req(fields.Date)
    appointments = fields.List(fields.Nested(AppointmentOut), required=True)
    parts = fields.List(fields.Nested(PrePickPartOut), required=True)


# ---------------------------------------------------------------- check-in


class SignatureIn(Strict):
    """Who signed (the customer's name as signed), how, and a reference to the image."""

    signed_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    method = one_of(SIGNATURE_METHODS, required=True)
    reference = optional_text(validate.Length(max=500))


class DamageMarkIn(Strict):
    area = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.Length(min=1, max=100))
    note = optional_text(validate.Length(max=500))


class _Items(fields.List):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            fields.String(validate=validate.Length(min=1, max=200)),
            load_default=list,
            validate=validate.Length(max=50),
            **kwargs,
        )


class CheckInEditable(Strict):
    mileage = mileage_field(required=True)
    mileage_reason = optional_text()
    fuel_level = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    damage_marks = fields.List(
        fields.Nested(DamageMarkIn), load_default=list, validate=validate.Length(max=50)
    )
    valuables = _Items()
    items_left = _Items()
    complaint = fields.String(required=True, validate=TEXT)


class CheckInIn(CheckInEditable):
    site_id = fields.String(required=True, validate=ID)
    vehicle_id = fields.String(required=True, validate=ID)
    appointment_id = optional_text(ID)
    signature = fields.Nested(SignatureIn, load_default=None, allow_none=True)


class DamageMarkOut(Schema):
    area = req()
    kind = req()
    note = nullable()


class CheckInOut(Schema):
    check_in_id = req()
    site_id = req()
    appointment_id = nullable()
    customer_id = req()
    vehicle_id = req()
    vin = req()
    mileage = req(fields.Integer)
    mileage_reason = nullable()
    previous_mileage = nullable(fields.Integer)
    fuel_level = req(fields.Integer)
    damage_marks = fields.List(fields.Nested(DamageMarkOut), required=True)
    valuables = req(fields.List, cls_or_instance=fields.String())
    items_left = req(fields.List, cls_or_instance=fields.String())
    complaint = req()
    status = one_of(CHECK_IN_STATUSES, required=True)
    signed_by = nullable()
    signature_method = nullable()
    signature_ref = nullable()
    signed_at = Timestamp(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    created_by = req()
    notices = fields.Nested(NoticesOut, required=True)
    history = fields.List(fields.Nested(HistoryOut), metadata={"description": "on GET"})
