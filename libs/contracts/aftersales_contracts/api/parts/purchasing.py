"""Purchase orders, the proposal, shipment notices, receiving, supplier claims."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import (
    ID,
    Money,
    Quantity,
    Strict,
    Timestamp,
)
from .common import (
    BIN,
    CLAIM_STATUSES,
    CLAIMABLE_REASONS,
    DEMANDS,
    MAX_ROW_ID,
    NAME,
    NOTE,
    PO_KINDS,
    PO_STATUSES,
    REJECT_REASONS,
    SHIPMENT_STATUSES,
    N,
    PartsHistoryOut,
    PartsSiteListQuery,
    Qty,
    R,
    SignedQty,
    codes,
    one_of,
)

# ---------------------------------------------------------------- purchasing and receiving


class PurchaseLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    unit_cost = Money(load_default=None, allow_none=True)


class PurchaseOrderIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    supplier_id = fields.String(load_default=None, allow_none=True, validate=ID)
    kind = fields.String(load_default="regular", validate=one_of(PO_KINDS))
    lines = fields.List(fields.Nested(PurchaseLineIn), validate=validate.Length(max=500))
    from_proposal = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=NAME)

    @validates_schema
    def _lines(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("from_proposal") and not data.get("lines"):
            raise ValidationError({"lines": ["give lines, or from_proposal: true"]})
        if data.get("from_proposal") and data.get("lines"):
            raise ValidationError({"lines": ["either lines or from_proposal, not both"]})


class PurchaseOrderLineOut(Schema):
    line_no = fields.Integer(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    received = Qty(**R)
    rejected = Qty(**R)
    outstanding = Qty(**R)
    unit_cost = Money(**R)


class PurchaseOrderOut(Schema):
    po_id = fields.String(**R)
    po_number = fields.String(**R)
    site_id = fields.String(**R)
    supplier_id = fields.String(**R)
    kind = codes(PO_KINDS)
    status = codes(PO_STATUSES)
    created_by = fields.String(**R)
    created_at = Timestamp(**R)
    sent_at = Timestamp(**N)
    expected_at = fields.Date(**N)
    closed_at = Timestamp(**N)
    note = fields.String(**N)
    lines = fields.List(fields.Nested(PurchaseOrderLineOut), **R)


class PurchaseOrderQuery(PartsSiteListQuery):
    status = fields.String(validate=one_of(PO_STATUSES))
    kind = fields.String(validate=one_of(PO_KINDS))
    supplier_id = fields.String(validate=ID)


class ProposalLineOut(Schema):
    part_number = fields.String(**R)
    name = fields.String(**N)
    on_hand = Qty(**R)
    reserved = Qty(**R)
    on_order = Qty(**R)
    waiting = Qty(**R)
    position = SignedQty(**R, metadata={"description": "on hand - reserved + on order - waiting"})
    min_qty = Qty(**N)
    max_qty = Qty(**N)
    quantity = Qty(**R)
    unit_cost = Money(**R)
    amount = Money(**R)


class ProposalOut(Schema):
    site_id = fields.String(**R)
    supplier_id = fields.String(**N)
    lines = fields.List(fields.Nested(ProposalLineOut), **R)
    total = Money(**R)
    parts_reviewed = fields.Integer(**R)


class ReceiptLineIn(Strict):
    line_no = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    counted = Qty(required=True)
    accepted = Qty(required=True)
    rejected = Qty(load_default=Decimal(0))
    reject_reason = fields.String(
        load_default=None, allow_none=True, validate=one_of(REJECT_REASONS)
    )
    bin = fields.String(load_default=None, allow_none=True, validate=BIN)
    unit_cost = Money(load_default=None, allow_none=True)


class ReceiptIn(Strict):
    shipment_id = fields.String(load_default=None, allow_none=True, validate=ID)
    warehouse_id = fields.String(load_default=None, allow_none=True, validate=ID)
    lines = fields.List(
        fields.Nested(ReceiptLineIn), required=True, validate=validate.Length(min=1, max=500)
    )


class ReceiptLineOut(Schema):
    receipt_line_id = fields.Integer(attribute="id", **R)
    line_no = fields.Integer(**R)
    part_number = fields.String(**R)
    expected = Qty(**R)
    counted = Qty(**R)
    accepted = Qty(**R)
    rejected = Qty(**R)
    reject_reason = fields.String(**N, metadata={"enum": [*REJECT_REASONS, None]})
    variance = SignedQty(**R, metadata={"description": "counted - expected"})
    bin = fields.String(**R)
    unit_cost = Money(**R)
    claimed = Qty(**R)


class ReceiptOut(Schema):
    receipt_id = fields.String(**R)
    site_id = fields.String(**R)
    po_id = fields.String(**R)
    shipment_id = fields.String(**N)
    warehouse_id = fields.String(**R)
    received_by = fields.String(**R)
    received_at = Timestamp(**R)
    lines = fields.List(fields.Nested(ReceiptLineOut), **R)


class ServedOut(Schema):
    """A waiting demand the receipt served: an RO's back order or a special order."""

    backorder_id = fields.String(**R)
    demand = codes(DEMANDS)
    order_id = fields.String(**N)
    sale_id = fields.String(**N)
    part_number = fields.String(**R)
    quantity = Qty(**R)


class ReceivedOut(ReceiptOut):
    purchase_order_status = codes(PO_STATUSES)
    served = fields.List(fields.Nested(ServedOut), **R)


class ShipmentLineOut(Schema):
    """A line as the OEM's notice has it (figures as sent, even when out of range)."""

    line_no = fields.Integer(**R)
    part_number = fields.String(**R)
    quantity_shipped = fields.String(**R)
    unit_cost = fields.String(allow_none=True)


class ShipmentOut(Schema):
    shipment_id = fields.String(**R)
    site_id = fields.String(**N)
    oem_id = fields.String(**R)
    po_id = fields.String(**R)
    shipped_at = Timestamp(**R)
    expected_at = fields.Date(**N)
    lines = fields.List(fields.Nested(ShipmentLineOut), **R)
    status = codes(SHIPMENT_STATUSES)
    note = fields.String(**N)


class ShipmentQuery(PartsSiteListQuery):
    po_id = fields.String(validate=ID)
    status = fields.String(validate=one_of(SHIPMENT_STATUSES))


class PurchaseOrderDetailOut(PurchaseOrderOut):
    receipts = fields.List(fields.Nested(ReceiptOut), **R)
    shipments = fields.List(fields.Nested(ShipmentOut), **R)
    history = fields.List(fields.Nested(PartsHistoryOut), **R)


class SupplierClaimLineIn(Strict):
    receipt_line_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ROW_ID))
    quantity = Quantity(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=one_of(CLAIMABLE_REASONS))


class SupplierClaimIn(Strict):
    receipt_id = fields.String(required=True, validate=ID)
    lines = fields.List(
        fields.Nested(SupplierClaimLineIn), required=True, validate=validate.Length(min=1, max=100)
    )
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class SupplierClaimDecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("accepted", "rejected")))
    credited = Money(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class SupplierClaimLineOut(Schema):
    receipt_line_id = fields.Integer(**R)
    line_no = fields.Integer(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    reason = codes(CLAIMABLE_REASONS)
    unit_cost = Money(**R)
    amount = Money(**R)


class SupplierClaimOut(Schema):
    claim_id = fields.String(**R)
    site_id = fields.String(**R)
    supplier_id = fields.String(**R)
    receipt_id = fields.String(**R)
    po_id = fields.String(**R)
    lines = fields.List(fields.Nested(SupplierClaimLineOut), **R)
    amount = Money(**R)
    status = codes(CLAIM_STATUSES)
    note = fields.String(**N)
    credited = Money(**N)
    decision_note = fields.String(**N)
    created_by = fields.String(**R)
    created_at = Timestamp(**R)
    decided_at = Timestamp(**N)


class SupplierClaimQuery(PartsSiteListQuery):
    status = fields.String(validate=one_of(CLAIM_STATUSES))
