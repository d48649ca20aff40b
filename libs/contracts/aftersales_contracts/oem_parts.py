"""Parts messages on the OEM exchange (`aftersales.oem`).

Dealer to OEM (`to-oem.<oem_id>.parts_order`): a purchase order.  OEM to dealer
(`to-dealer.<group_id>.shipment_notice`): what was shipped against it.  Both
travel in the common envelope; field names follow the STAR parts order /
shipment notice nouns where one exists (noted per field).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract


class OrderLine(Schema):
    line_no = fields.Integer(required=True)  # STAR: LineNumber
    part_number = fields.String(required=True)  # STAR: ItemID
    quantity = fields.Decimal(as_string=True, required=True)  # STAR: OrderQuantity


class PartsOrder(Schema):
    po_id = fields.String(required=True)  # STAR: DocumentIdentification
    po_number = fields.String(required=True)
    oem_id = fields.String(required=True)
    dealer_code = fields.String(required=True)  # STAR: DealerNumberID (the site)
    order_kind = fields.String(required=True, validate=validate.OneOf(("regular", "emergency")))
    lines = fields.List(fields.Nested(OrderLine), required=True, validate=validate.Length(min=1))


class ShippedLine(Schema):
    line_no = fields.Integer(required=True)  # STAR: LineNumber
    part_number = fields.String(required=True)  # STAR: ItemID
    quantity_shipped = fields.Decimal(as_string=True, required=True)  # STAR: ShippedQuantity
    unit_cost = fields.Decimal(as_string=True, required=True, allow_none=True)


class ShipmentNotice(Schema):
    shipment_id = fields.String(required=True)  # STAR: ShipmentID
    po_id = fields.String(required=True)  # the order it answers
    oem_id = fields.String(required=True)
    shipped_at = fields.AwareDateTime(required=True)
    expected_at = fields.Date(required=True, allow_none=True)  # STAR: PromisedDeliveryDate
    lines = fields.List(fields.Nested(ShippedLine), required=True)


EVENTS = [
    EventContract("parts_order", 1, "parts", PartsOrder, "A purchase order to an OEM."),
    EventContract(
        "shipment_notice",
        1,
        "oem",
        ShipmentNotice,
        "An OEM shipped parts against a purchase order.",
    ),
]
