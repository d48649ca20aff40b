"""Events published by the parts warehouse."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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
    # Optional (added in version 1, consumers may ignore): the issue document.
    issue_id = fields.String()


class PartReturned(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    # Optional: the price and cost of the issue being returned (a credit is quantity x
    # unit_price), "good" (back to stock) or "defective" (to the defective stock).
    return_id = fields.String()
    issue_id = fields.String()
    unit_price = money()
    unit_cost = money()
    condition = fields.String(validate=validate.OneOf(("good", "defective")))
    returned_at = fields.AwareDateTime()


class PartBackordered(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    expected_at = fields.Date(required=True, allow_none=True)
    # Optional: the back order and the purchase order placed for it.
    backorder_id = fields.String()
    po_id = fields.String(allow_none=True)


class BackorderArrived(Schema):
    order_id = fields.String(required=True)
    requisition_id = fields.String(required=True)
    line_id = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    backorder_id = fields.String()  # optional


class SpecialOrderArrived(Schema):
    sale_id = fields.String(required=True)
    customer_id = fields.String(required=True, allow_none=True)
    customer_name = fields.String(required=True)
    phone = fields.String(required=True)
    part_number = fields.String(required=True)
    quantity = fields.Decimal(as_string=True, required=True)
    ready = fields.Boolean()  # optional: every part of the sale is in


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
