"""The catalog, prices, quotes and suppliers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import (
    ID,
    Money,
    Quantity,
    Strict,
    Timestamp,
)
from ..pages import PageQuery
from .common import (
    BIN,
    NAME,
    SUPPLIER_KINDS,
    N,
    Qty,
    R,
    codes,
    one_of,
)

# ---------------------------------------------------------------- catalog and suppliers


class PartIn(Strict):
    part_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(required=True, validate=NAME)
    unit = fields.String(load_default="pc", validate=validate.Length(min=1, max=20))
    cost = Money(required=True)
    price = Money(required=True)
    models = fields.List(fields.String(validate=NAME), load_default=list)
    superseded_by = fields.String(load_default=None, allow_none=True, validate=ID)

    @validates_schema
    def _margin(self, data: dict[str, Any], **_: Any) -> None:
        if "price" in data and "cost" in data and data["price"] < data["cost"]:
            raise ValidationError({"price": ["price is below cost"]})


class PartUpdateIn(Strict):
    name = fields.String(validate=NAME)
    unit = fields.String(validate=validate.Length(min=1, max=20))
    models = fields.List(fields.String(validate=NAME))
    superseded_by = fields.String(allow_none=True, validate=ID)


class PartOut(Schema):
    part_number = fields.String(**R)
    name = fields.String(**R)
    unit = fields.String(**R)
    cost = Money(**R)
    price = Money(**R)
    models = fields.List(fields.String(), **R)
    superseded_by = fields.String(**N)


class CatalogQuery(PageQuery):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "number or name"})
    model = fields.String(validate=validate.Length(max=100), metadata={"description": "model"})


class PriceChangeIn(Strict):
    price = Money()
    cost = Money()
    reason = fields.String(load_default=None, allow_none=True, validate=NAME)

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if "price" not in data and "cost" not in data:
            raise ValidationError({"price": ["give a new price, a new cost or both"]})


class PriceChangeOut(Schema):
    part_number = fields.String(**R)
    old_price = Money(**N)
    new_price = Money(**R)
    old_cost = Money(**N)
    new_cost = Money(**R)
    effective_at = Timestamp(**R)
    changed_by = fields.String(**R)
    reason = fields.String(**N)


class PartsQuoteIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_numbers = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        required=True,
        validate=validate.Length(min=1, max=200),
    )


class PartsQuoteOut(Schema):
    part_number = fields.String(**R)
    name = fields.String(**R)
    unit = fields.String(**R)
    price = Money(**R)
    available = Qty(**R)
    superseded_by = fields.String(**N)


class SupplierFields(Strict):
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=one_of(SUPPLIER_KINDS))
    oem_id = fields.String(load_default=None, allow_none=True, validate=ID)
    site_ids = fields.List(fields.String(validate=ID), load_default=list)
    lead_time_days = fields.Integer(load_default=5, validate=validate.Range(min=0, max=365))
    emergency_lead_time_days = fields.Integer(
        load_default=2, validate=validate.Range(min=0, max=365)
    )

    @validates_schema
    def _oem(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("kind") == "oem" and not data.get("oem_id"):
            raise ValidationError({"oem_id": ["an OEM supplier needs its oem_id"]})
        if data.get("kind") == "local" and data.get("oem_id"):
            raise ValidationError({"oem_id": ["a local supplier has no oem_id"]})


class SupplierIn(SupplierFields):
    supplier_id = fields.String(required=True, validate=ID)


class SupplierOut(Schema):
    supplier_id = fields.String(**R)
    name = fields.String(**R)
    kind = codes(SUPPLIER_KINDS)
    oem_id = fields.String(**N)
    site_ids = fields.List(fields.String(), **R)
    lead_time_days = fields.Integer(**R)
    emergency_lead_time_days = fields.Integer(**R)


class OpeningStockIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    warehouse = fields.String(required=True, validate=validate.Length(min=1, max=100))
    bin = fields.String(required=True, validate=BIN)
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    unit_cost = Money(required=True)


class ReferenceDataIn(Strict):
    group_id = fields.String(required=True)
    parts = fields.List(fields.Nested(PartIn), load_default=list)
    suppliers = fields.List(fields.Nested(SupplierIn), load_default=list)
    stock = fields.List(fields.Nested(OpeningStockIn), load_default=list)
