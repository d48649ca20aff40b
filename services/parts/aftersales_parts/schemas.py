"""Parts' input and output shapes."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema


class PartIn(Schema):
    part_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(required=True)
    unit = fields.String(load_default="pc")
    cost = fields.Decimal(required=True, as_string=True, places=2, validate=validate.Range(min=0))
    price = fields.Decimal(required=True, as_string=True, places=2, validate=validate.Range(min=0))
    models = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _margin(self, data: dict[str, Any], **_: Any) -> None:
        if data["price"] < data["cost"]:
            raise ValidationError({"price": ["price is below cost"]})


class PartOut(PartIn):
    pass


class ReferenceDataIn(Schema):
    class Meta:
        unknown = RAISE

    group_id = fields.String(required=True)
    parts = fields.List(fields.Nested(PartIn), load_default=list)
