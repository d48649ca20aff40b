"""Reception's input and output shapes."""

from __future__ import annotations

from typing import Any

from marshmallow import (
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

from .domain import CUSTOMER_CLASSES, PAYERS


class VehicleIn(Schema):
    class Meta:
        unknown = RAISE

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


class CustomerIn(Schema):
    class Meta:
        unknown = RAISE

    site_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
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


class LaborOperationIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    description = fields.String(required=True)
    standard_hours = fields.Decimal(required=True, as_string=True)
    models = fields.List(fields.String(), load_default=list)


class LaborRateIn(Schema):
    site_id = fields.String(required=True)
    payer = fields.String(required=True, validate=validate.OneOf(PAYERS))
    rate = fields.Decimal(required=True, as_string=True, validate=validate.Range(min=0))


class ReferenceDataIn(Schema):
    """What `aftersales seed` loads into reception."""

    class Meta:
        unknown = RAISE

    group_id = fields.String(required=True)
    labor_operations = fields.List(fields.Nested(LaborOperationIn), load_default=list)
    labor_rates = fields.List(fields.Nested(LaborRateIn), load_default=list)
    customers = fields.List(fields.Dict(), load_default=list)
