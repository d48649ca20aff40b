"""Events published by the parts warehouse."""

from __future__ import annotations

from marshmallow import Schema, fields

from .base import EventContract, money


class PartIssued(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    unit_price = money(required=True)
    unit_cost = money(required=True)
    issued_at = fields.AwareDateTime(required=True)
    old_part_recorded = fields.Boolean(required=True)


class PartReturned(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)


class PartBackordered(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    expected_at = fields.Date(required=True, allow_none=True)


class BackorderArrived(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)


class SpecialOrderArrived(Schema):
    sale_id = fields.String(required=True)
    customer_id = fields.String(required=True, allow_none=True)
    customer_name = fields.String(required=True)
    phone = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)


EVENTS = [
    EventContract("part_issued", 1, "parts", PartIssued, "Parts left the warehouse for an RO."),
    EventContract("part_returned", 1, "parts", PartReturned, "Unused parts came back to stock."),
    EventContract(
        "part_backordered",
        1,
        "parts",
        PartBackordered,
        "A requested part was not in stock and was ordered.",
    ),
    EventContract(
        "backorder_arrived",
        1,
        "parts",
        BackorderArrived,
        "A back-ordered part arrived and is reserved for its RO.",
    ),
    EventContract(
        "special_order_arrived",
        1,
        "parts",
        SpecialOrderArrived,
        "A counter customer's special order arrived: call them.",
    ),
]
