"""Events published by reception (the service advisor's facts)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract, hours, money, payer

CUSTOMER_CLASSES = ("member", "regular", "fleet")
ORDER_TYPES = ("maintenance", "repair", "warranty", "accident", "internal")
APPOINTMENT_SOURCES = ("phone", "online", "walk_in", "dealer")


class CustomerRegistered(Schema):
    customer_id = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1))
    phones = fields.List(fields.String(), required=True)
    customer_class = fields.String(required=True, validate=validate.OneOf(CUSTOMER_CLASSES))
    registered_by = fields.String(required=True, allow_none=True)


class VehicleRegistered(Schema):
    vehicle_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    plate = fields.String(required=True, allow_none=True)
    brand = fields.String(required=True)
    model = fields.String(required=True)
    sale_date = fields.Date(required=True, allow_none=True)
    mileage = fields.Integer(required=True, validate=validate.Range(min=0))


class AppointmentBooked(Schema):
    appointment_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    slot_start = fields.AwareDateTime(required=True)
    estimated_hours = hours(required=True)
    estimate_amount = money(required=True, allow_none=True)
    requested_work = fields.List(fields.String(), required=True)
    source = fields.String(required=True, validate=validate.OneOf(APPOINTMENT_SOURCES))
    service_advisor_id = fields.String(required=True, allow_none=True)


class VehicleCheckedIn(Schema):
    check_in_id = fields.String(required=True)
    appointment_id = fields.String(required=True, allow_none=True)
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    mileage = fields.Integer(required=True)
    complaint = fields.String(required=True)
    checked_in_by = fields.String(required=True)


class OrderOpened(Schema):
    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    order_type = fields.String(required=True, validate=validate.OneOf(ORDER_TYPES))
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    mileage = fields.Integer(required=True)
    complaint = fields.String(required=True)
    promised_at = fields.AwareDateTime(required=True, allow_none=True)
    service_advisor_id = fields.String(required=True)


class LaborLine(Schema):
    """An approved labor line: what the workshop makes a job of."""

    line_id = fields.String(required=True)
    operation_code = fields.String(required=True)
    description = fields.String(required=True)
    standard_hours = hours(required=True)
    payer = fields.String(required=True, validate=payer)
    skill = fields.String(load_default=None, allow_none=True)


class PartLine(Schema):
    """An approved part line: what the warehouse reserves and issues."""

    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(
        as_string=True, required=True, validate=validate.Range(min=0, min_inclusive=False)
    )
    payer = fields.String(required=True, validate=payer)


class OrderApproved(Schema):
    """The customer signed: every line here may be worked and issued."""

    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    order_type = fields.String(required=True, validate=validate.OneOf(ORDER_TYPES))
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    plate = fields.String(required=True, allow_none=True)
    complaint = fields.String(required=True)
    promised_at = fields.AwareDateTime(required=True, allow_none=True)
    approved_by = fields.String(required=True)
    labor_lines = fields.List(fields.Nested(LaborLine), required=True)
    part_lines = fields.List(fields.Nested(PartLine), required=True)


class PartRequested(Schema):
    """An approved requisition for an RO's part lines: parts reserves and issues against it."""

    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    vin = fields.String(required=True)
    approved_by = fields.String(required=True)
    lines = fields.List(fields.Nested(PartLine), required=True, validate=validate.Length(min=1))


class AdditionalWorkApproved(Schema):
    order_id = fields.String(required=True)
    work_id = fields.String(required=True)
    promised_at = fields.AwareDateTime(required=True, allow_none=True)
    approved_by = fields.String(required=True)
    labor_lines = fields.List(fields.Nested(LaborLine), required=True)
    part_lines = fields.List(fields.Nested(PartLine), required=True)


class AdditionalWorkDeclined(Schema):
    order_id = fields.String(required=True)
    work_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    description = fields.String(required=True)


class SettledLine(Schema):
    line_id = fields.String(required=True)
    kind = fields.String(
        required=True, validate=validate.OneOf(("labor", "part", "sublet", "misc"))
    )
    code = fields.String(required=True)
    description = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    amount = money(required=True)
    payer = fields.String(required=True, validate=payer)


class OrderSettled(Schema):
    """The settlement statement: what was done and issued, split by payer."""

    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    order_type = fields.String(required=True, validate=validate.OneOf(ORDER_TYPES))
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    mileage = fields.Integer(required=True)
    lines = fields.List(fields.Nested(SettledLine), required=True)
    totals_by_payer = fields.Dict(keys=fields.String(validate=payer), values=money(), required=True)
    discount_total = money(required=True)
    tax_total = money(required=True)
    total = money(required=True)


class VehicleDelivered(Schema):
    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    order_type = fields.String(required=True, validate=validate.OneOf(ORDER_TYPES))
    customer_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    plate = fields.String(required=True, allow_none=True)
    mileage = fields.Integer(required=True)
    complaint = fields.String(required=True)
    delivered_at = fields.AwareDateTime(required=True)
    next_service_date = fields.Date(required=True, allow_none=True)
    next_service_mileage = fields.Integer(required=True, allow_none=True)
    service_advisor_id = fields.String(required=True)


class OrderCancelled(Schema):
    """The RO will not be worked: the workshop drops its jobs, the warehouse its reservations."""

    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    reason = fields.String(required=True)
    cancelled_by = fields.String(required=True)
    was_approved = fields.Boolean(required=True)


EVENTS = [
    EventContract(
        "customer_registered",
        1,
        "reception",
        CustomerRegistered,
        "A customer was added to a site's records.",
    ),
    EventContract(
        "vehicle_registered",
        1,
        "reception",
        VehicleRegistered,
        "A vehicle was added to a customer's records.",
    ),
    EventContract(
        "appointment_booked", 1, "reception", AppointmentBooked, "A visit was booked into a slot."
    ),
    EventContract(
        "vehicle_checked_in", 1, "reception", VehicleCheckedIn, "The check-in sheet was signed."
    ),
    EventContract("order_opened", 1, "reception", OrderOpened, "A repair order was opened."),
    EventContract(
        "order_approved",
        1,
        "reception",
        OrderApproved,
        "The customer signed the RO: its lines may be worked and issued.",
    ),
    EventContract(
        "part_requested",
        1,
        "reception",
        PartRequested,
        "An approved requisition of an RO's part lines.",
    ),
    EventContract(
        "additional_work_approved",
        1,
        "reception",
        AdditionalWorkApproved,
        "The customer approved additional work: new lines.",
    ),
    EventContract(
        "additional_work_declined",
        1,
        "reception",
        AdditionalWorkDeclined,
        "The customer declined additional work: kept as a recommendation.",
    ),
    EventContract(
        "order_settled", 1, "reception", OrderSettled, "The settlement statement was paid."
    ),
    EventContract(
        "vehicle_delivered", 1, "reception", VehicleDelivered, "The car left with its exit pass."
    ),
    EventContract(
        "order_cancelled",
        1,
        "reception",
        OrderCancelled,
        "A repair order was cancelled before any work or issue.",
    ),
]
