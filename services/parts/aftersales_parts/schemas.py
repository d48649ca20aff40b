"""Parts' input and output shapes (the gateway documents its API with them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from .domain import (
    CLAIMABLE_REASONS,
    MAX_QUANTITY,
    OLD_PART_DISPOSITIONS,
    PO_KINDS,
    QTY_STEP,
    REJECT_REASONS,
    RETURN_CONDITIONS,
    STOCK_CLASSES,
    SUPPLIER_KINDS,
    normal,
)

WAREHOUSE_KIND = validate.OneOf(("main", "defective"))
STOCKTAKE_KINDS = ("monthly", "quarterly", "spot")
TEXT = validate.Length(min=1, max=200)
ID = validate.Length(min=1, max=60)
BIN = validate.Length(min=1, max=40)


class Quantity(fields.Field):
    """A quantity of a part's unit: a decimal string (or number) to 0.001, positive.

    `zero=True` also allows 0 (a count of an empty bin, nothing rejected).
    """

    def __init__(self, *, zero: bool = False, **kwargs: Any) -> None:
        self.zero = zero
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("type", "string")
        kwargs["metadata"].setdefault("example", "2")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError("not a quantity")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError("not a number") from None
        if not amount.is_finite():
            raise ValidationError("not a number")
        if amount < 0 or (amount == 0 and not self.zero):
            raise ValidationError("must be positive" if not self.zero else "cannot be negative")
        if amount > MAX_QUANTITY:  # before quantize: 1e400 cannot be quantized
            raise ValidationError(f"at most {MAX_QUANTITY}")
        if amount != amount.quantize(QTY_STEP):
            raise ValidationError("at most 3 decimal places")
        return amount.quantize(QTY_STEP)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else normal(Decimal(value))


DECIMAL_DOC = {"type": "string", "format": "decimal"}
MAX_AMOUNT = Decimal("100000000")
MAX_ROW_ID = 2**53


def _money_rule(value: Decimal) -> None:
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise ValidationError(f"an amount from 0 to {MAX_AMOUNT}")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError("at most 2 decimal places")


class Money(fields.Decimal):
    """CNY as a decimal string, 0 to 100 000 000, at most two places: a finer figure
    is refused, not rounded; out, always two places ("500" in is "500.00" out)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {"type": "string", "format": "decimal", "example": "48.00"})
        super().__init__(as_string=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount is None:
            return None
        _money_rule(amount)
        return amount.quantize(Decimal("0.01"))

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(Decimal(value).quantize(Decimal("0.01")))


class Strict(Schema):
    class Meta:
        unknown = RAISE


# ------------------------------------------------------------------ catalog


class PartIn(Strict):
    part_number = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(required=True, validate=TEXT)
    unit = fields.String(load_default="pc", validate=validate.Length(min=1, max=20))
    cost = Money(required=True)
    price = Money(required=True)
    models = fields.List(fields.String(validate=TEXT), load_default=list)
    superseded_by = fields.String(load_default=None, allow_none=True, validate=ID)

    @validates_schema
    def _margin(self, data: dict[str, Any], **_: Any) -> None:
        if "price" in data and "cost" in data and data["price"] < data["cost"]:
            raise ValidationError({"price": ["price is below cost"]})


class PartUpdateIn(Strict):
    name = fields.String(validate=TEXT)
    unit = fields.String(validate=validate.Length(min=1, max=20))
    models = fields.List(fields.String(validate=TEXT))
    superseded_by = fields.String(allow_none=True, validate=ID)


class PartOut(Schema):
    part_number = fields.String()
    name = fields.String()
    unit = fields.String()
    cost = Money()
    price = Money()
    models = fields.List(fields.String())
    superseded_by = fields.String(allow_none=True)


class PriceChangeIn(Strict):
    price = Money()
    cost = Money()
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if "price" not in data and "cost" not in data:
            raise ValidationError({"price": ["give a new price, a new cost or both"]})


class PriceChangeOut(Schema):
    part_number = fields.String()
    old_price = Money(allow_none=True)
    new_price = Money()
    old_cost = Money(allow_none=True)
    new_cost = Money()
    effective_at = fields.DateTime()
    changed_by = fields.String()
    reason = fields.String(allow_none=True)


class QuoteIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_numbers = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        required=True,
        validate=validate.Length(min=1, max=200),
    )


class QuoteOut(Schema):
    part_number = fields.String()
    name = fields.String()
    unit = fields.String()
    price = Money()
    available = Quantity(zero=True)
    superseded_by = fields.String(allow_none=True)


class SupplierIn(Strict):
    supplier_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=TEXT)
    kind = fields.String(required=True, validate=validate.OneOf(SUPPLIER_KINDS))
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


class SupplierOut(Schema):
    supplier_id = fields.String()
    name = fields.String()
    kind = fields.String()
    oem_id = fields.String(allow_none=True)
    site_ids = fields.List(fields.String())
    lead_time_days = fields.Integer()
    emergency_lead_time_days = fields.Integer()


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


class CatalogQuery(Strict):
    q = fields.String(validate=validate.Length(max=100))
    model = fields.String(validate=validate.Length(max=100))


# ------------------------------------------------------------------ warehouses and stock


class WarehouseIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(load_default="main", validate=WAREHOUSE_KIND)


class WarehouseOut(Schema):
    warehouse_id = fields.String()
    site_id = fields.String()
    name = fields.String()
    kind = fields.String()


class StockQuery(Strict):
    site_id = fields.String(validate=ID)
    warehouse_id = fields.String(validate=ID)
    bin = fields.String(validate=BIN)
    part_number = fields.String(validate=ID)
    stock_class = fields.String(validate=validate.OneOf(STOCK_CLASSES))


class StockItemOut(Schema):
    site_id = fields.String()
    stock_class = fields.String()
    part_number = fields.String()
    name = fields.String()
    on_hand = Quantity(zero=True)
    reserved = Quantity(zero=True)
    available = Quantity(zero=True)
    average_cost = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_DOC)
    value = Money()
    min_qty = Quantity(zero=True, allow_none=True)
    max_qty = Quantity(zero=True, allow_none=True)
    last_movement_at = fields.DateTime(allow_none=True)


class BinStockOut(Schema):
    site_id = fields.String()
    stock_class = fields.String()
    warehouse_id = fields.String()
    bin = fields.String()
    part_number = fields.String()
    quantity = Quantity(zero=True)
    oldest_receipt_at = fields.DateTime()


class LedgerEntryOut(Schema):
    entry_id = fields.Integer()
    site_id = fields.String()
    stock_class = fields.String()
    warehouse_id = fields.String()
    bin = fields.String()
    lot_id = fields.Integer()
    part_number = fields.String()
    movement = fields.String()
    quantity = fields.Function(lambda e: normal(e.quantity))
    unit_cost = fields.Decimal(as_string=True, metadata=DECIMAL_DOC)
    value = fields.Decimal(as_string=True, places=2, metadata=DECIMAL_DOC)
    balance_after = Quantity(zero=True)
    reference_kind = fields.String()
    reference_id = fields.String()
    order_id = fields.String(allow_none=True)
    occurred_at = fields.DateTime()
    user_id = fields.String()
    note = fields.String(allow_none=True)


class StockLevelsIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(required=True, validate=ID)
    min_qty = Quantity(required=True, zero=True)
    max_qty = Quantity(required=True)


class RelocationIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(required=True, validate=ID)
    from_warehouse_id = fields.String(required=True, validate=ID)
    from_bin = fields.String(required=True, validate=BIN)
    to_warehouse_id = fields.String(required=True, validate=ID)
    to_bin = fields.String(required=True, validate=BIN)
    quantity = Quantity(required=True)


class ScrapIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(required=True, validate=ID)
    stock_class = fields.String(load_default="usable", validate=validate.OneOf(STOCK_CLASSES))
    quantity = Quantity(required=True)
    movement = fields.String(
        load_default="scrap", validate=validate.OneOf(("scrap", "supplier_return"))
    )
    reason = fields.String(required=True, validate=TEXT)


# ------------------------------------------------------------------ requisitions


class IssueLineIn(Strict):
    line_id = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    old_part = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(OLD_PART_DISPOSITIONS)
    )


class IssueIn(Strict):
    lines = fields.List(
        fields.Nested(IssueLineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class ReturnLineIn(Strict):
    line_id = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    condition = fields.String(load_default="good", validate=validate.OneOf(RETURN_CONDITIONS))


class ReturnIn(Strict):
    lines = fields.List(
        fields.Nested(ReturnLineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class CancelLineIn(Strict):
    quantity = Quantity(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)


class RequisitionLineOut(Schema):
    line_id = fields.String()
    part_number = fields.String()
    payer = fields.String()
    quantity = Quantity(zero=True)
    reserved = Quantity(zero=True)
    backordered = Quantity(zero=True)
    issued = Quantity(zero=True)
    returned = Quantity(zero=True)
    cancelled = Quantity(zero=True)
    status = fields.String()
    filled_at_once = fields.Boolean()
    known_part = fields.Boolean()


class RequisitionOut(Schema):
    requisition_id = fields.String()
    site_id = fields.String()
    order_id = fields.String()
    order_number = fields.String()
    vin = fields.String()
    approved_by = fields.String()
    requested_at = fields.DateTime()
    status = fields.String()
    lines = fields.List(fields.Nested(RequisitionLineOut))


class RequisitionQuery(Strict):
    site_id = fields.String(validate=ID)
    order_id = fields.String(validate=ID)
    status = fields.String(validate=validate.OneOf(("open", "closed")))


class BackOrderOut(Schema):
    backorder_id = fields.String()
    site_id = fields.String()
    part_number = fields.String()
    quantity = Quantity(zero=True)
    outstanding = Quantity(zero=True)
    demand = fields.String()
    requisition_id = fields.String(allow_none=True)
    line_id = fields.String(allow_none=True)
    order_id = fields.String(allow_none=True)
    sale_id = fields.String(allow_none=True)
    po_id = fields.String(allow_none=True)
    expected_at = fields.Date(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class BackOrderQuery(Strict):
    site_id = fields.String(validate=ID)
    status = fields.String(validate=validate.OneOf(("open", "arrived", "cancelled")))
    order_id = fields.String(validate=ID)


# ------------------------------------------------------------------ purchasing


class PurchaseLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    unit_cost = Money(load_default=None, allow_none=True)


class PurchaseOrderIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    supplier_id = fields.String(load_default=None, allow_none=True, validate=ID)
    kind = fields.String(load_default="regular", validate=validate.OneOf(PO_KINDS))
    lines = fields.List(fields.Nested(PurchaseLineIn), validate=validate.Length(max=500))
    from_proposal = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)

    @validates_schema
    def _lines(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("from_proposal") and not data.get("lines"):
            raise ValidationError({"lines": ["give lines, or from_proposal: true"]})
        if data.get("from_proposal") and data.get("lines"):
            raise ValidationError({"lines": ["either lines or from_proposal, not both"]})


class PurchaseOrderLineOut(Schema):
    line_no = fields.Integer()
    part_number = fields.String()
    quantity = Quantity(zero=True)
    received = Quantity(zero=True)
    rejected = Quantity(zero=True)
    outstanding = fields.Function(lambda line: normal(line.quantity - line.received))
    unit_cost = Money()


class PurchaseOrderOut(Schema):
    po_id = fields.String()
    po_number = fields.String()
    site_id = fields.String()
    supplier_id = fields.String()
    kind = fields.String()
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    expected_at = fields.Date(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(PurchaseOrderLineOut))


class PurchaseOrderQuery(Strict):
    site_id = fields.String(validate=ID)
    status = fields.String(validate=validate.Length(max=20))


class ProposalQuery(Strict):
    site_id = fields.String(required=True, validate=ID)


class ProposalLineOut(Schema):
    part_number = fields.String()
    name = fields.String()
    on_hand = Quantity(zero=True)
    reserved = Quantity(zero=True)
    on_order = Quantity(zero=True)
    waiting = Quantity(zero=True)
    position = fields.Function(lambda row: normal(row["position"]))
    min_qty = Quantity(zero=True, allow_none=True)
    max_qty = Quantity(zero=True, allow_none=True)
    quantity = Quantity(zero=True)
    unit_cost = Money()
    amount = Money()


class ReceiptLineIn(Strict):
    line_no = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    counted = Quantity(required=True, zero=True)
    accepted = Quantity(required=True, zero=True)
    rejected = Quantity(load_default=Decimal(0), zero=True)
    reject_reason = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(REJECT_REASONS)
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
    id = fields.Integer(data_key="receipt_line_id")
    line_no = fields.Integer()
    part_number = fields.String()
    expected = Quantity(zero=True)
    counted = Quantity(zero=True)
    accepted = Quantity(zero=True)
    rejected = Quantity(zero=True)
    reject_reason = fields.String(allow_none=True)
    variance = fields.Function(lambda line: normal(line.variance))
    bin = fields.String()
    unit_cost = Money()
    claimed = Quantity(zero=True)


class ReceiptOut(Schema):
    receipt_id = fields.String()
    site_id = fields.String()
    po_id = fields.String()
    shipment_id = fields.String(allow_none=True)
    warehouse_id = fields.String()
    received_by = fields.String()
    received_at = fields.DateTime()
    lines = fields.List(fields.Nested(ReceiptLineOut))


class ShipmentOut(Schema):
    shipment_id = fields.String()
    site_id = fields.String(allow_none=True)
    oem_id = fields.String()
    po_id = fields.String()
    shipped_at = fields.DateTime()
    expected_at = fields.Date(allow_none=True)
    lines = fields.List(fields.Dict())
    status = fields.String()
    note = fields.String(allow_none=True)


class ShipmentQuery(Strict):
    site_id = fields.String(validate=ID)
    po_id = fields.String(validate=ID)


class ClaimLineIn(Strict):
    receipt_line_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ROW_ID))
    quantity = Quantity(required=True)
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(CLAIMABLE_REASONS)
    )


class SupplierClaimIn(Strict):
    receipt_id = fields.String(required=True, validate=ID)
    lines = fields.List(
        fields.Nested(ClaimLineIn), required=True, validate=validate.Length(min=1, max=100)
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ClaimDecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("accepted", "rejected")))
    credited = Money(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class SupplierClaimOut(Schema):
    claim_id = fields.String()
    site_id = fields.String()
    supplier_id = fields.String()
    receipt_id = fields.String()
    po_id = fields.String()
    lines = fields.List(fields.Dict())
    amount = Money()
    status = fields.String()
    note = fields.String(allow_none=True)
    credited = Money(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


# ------------------------------------------------------------------ stocktake


class StocktakeIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    warehouse_id = fields.String(required=True, validate=ID)
    kind = fields.String(load_default="monthly", validate=validate.OneOf(STOCKTAKE_KINDS))


class CountIn(Strict):
    bin = fields.String(required=True, validate=BIN)
    part_number = fields.String(required=True, validate=ID)
    counted = Quantity(required=True, zero=True)


class CountsIn(Strict):
    lines = fields.List(
        fields.Nested(CountIn), required=True, validate=validate.Length(min=1, max=2000)
    )


class StocktakeDecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "recount")))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class StocktakeLineOut(Schema):
    bin = fields.String()
    part_number = fields.String()
    book = Quantity(zero=True)
    counted = Quantity(zero=True, allow_none=True)
    variance = fields.String(metadata={"example": "-2"})
    unit_cost = fields.Decimal(as_string=True, metadata=DECIMAL_DOC)
    variance_value = fields.Decimal(as_string=True, places=2, metadata=DECIMAL_DOC)


class StocktakeOut(Schema):
    stocktake_id = fields.String()
    site_id = fields.String()
    warehouse_id = fields.String()
    kind = fields.String()
    status = fields.String()
    started_by = fields.String()
    started_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(StocktakeLineOut))
    report = fields.Dict()


# ------------------------------------------------------------------ counter sales


class SaleLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)


class CounterSaleIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    customer_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?[0-9\- ]{5,30}$"))
    deposit = Money(load_default=Decimal("0.00"))
    lines = fields.List(
        fields.Nested(SaleLineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class SaleCompleteIn(Strict):
    paid = Money(required=True)


class CounterSaleLineOut(Schema):
    line_no = fields.Integer()
    part_number = fields.String()
    quantity = Quantity(zero=True)
    unit_price = Money()
    reserved = Quantity(zero=True)
    special_ordered = Quantity(zero=True)
    issued = Quantity(zero=True)


class CounterSaleOut(Schema):
    sale_id = fields.String()
    site_id = fields.String()
    customer_id = fields.String(allow_none=True)
    customer_name = fields.String()
    phone = fields.String()
    deposit = Money()
    total = Money()
    balance_due = fields.Function(lambda sale: str(sale.total - sale.deposit))
    paid = Money(allow_none=True)
    status = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(CounterSaleLineOut))


# ------------------------------------------------------------------ group


class TransferLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)


class TransferIn(Strict):
    from_site_id = fields.String(required=True, validate=ID)
    to_site_id = fields.String(required=True, validate=ID)
    reason = fields.String(load_default=None, allow_none=True, validate=TEXT)
    lines = fields.List(
        fields.Nested(TransferLineIn), required=True, validate=validate.Length(min=1, max=100)
    )

    @validates_schema
    def _two_sites(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_site_id") == data.get("to_site_id"):
            raise ValidationError({"to_site_id": ["a transfer goes to another site"]})


class TransferReceiveLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    received = Quantity(required=True, zero=True)


class TransferReceiveIn(Strict):
    warehouse_id = fields.String(load_default=None, allow_none=True, validate=ID)
    bin = fields.String(load_default=None, allow_none=True, validate=BIN)
    lines = fields.List(fields.Nested(TransferReceiveLineIn), load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=TEXT)


class TransferLineOut(Schema):
    part_number = fields.String()
    quantity = Quantity(zero=True)
    shipped = Quantity(zero=True)
    received = Quantity(zero=True)
    value = Money()


class TransferOut(Schema):
    transfer_id = fields.String()
    from_site_id = fields.String()
    to_site_id = fields.String()
    status = fields.String()
    reason = fields.String(allow_none=True)
    requested_by = fields.String()
    requested_at = fields.DateTime()
    shipped_by = fields.String(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    received_by = fields.String(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(TransferLineOut))


class LocatorQuery(Strict):
    part_number = fields.String(required=True, validate=ID)


class FiguresQuery(Strict):
    site_id = fields.String(validate=ID)
    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and (end < start or (end - start).days > 366 * 2):
            raise ValidationError({"to": ["the period runs forwards, at most two years"]})
