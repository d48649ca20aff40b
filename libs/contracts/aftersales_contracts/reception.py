"""Events published by reception."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

CUSTOMER_CLASSES = ("member", "regular", "fleet")


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
