"""Warehouses, stock, the ledger and reconciliation, relocation, scrap, stocktake."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..fields import (
    ID,
    Money,
    Quantity,
    Ratio,
    SignedMoney,
    Strict,
    Timestamp,
)
from ..pages import PageQuery
from .common import (
    BIN,
    MOVEMENTS,
    NAME,
    NOTE,
    STOCK_CLASSES,
    STOCKTAKE_KINDS,
    STOCKTAKE_STATUSES,
    WAREHOUSE_KINDS,
    Cost,
    N,
    PartsHistoryOut,
    PartsSiteListQuery,
    Qty,
    R,
    SignedQty,
    codes,
    one_of,
)

# ---------------------------------------------------------------- warehouses and stock


class WarehouseIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(load_default="main", validate=one_of(WAREHOUSE_KINDS))


class WarehouseOut(Schema):
    warehouse_id = fields.String(**R)
    site_id = fields.String(**R)
    name = fields.String(**R)
    kind = codes(tuple(WAREHOUSE_KINDS))


class StockQuery(PartsSiteListQuery):
    warehouse_id = fields.String(validate=ID)
    bin = fields.String(validate=BIN)
    part_number = fields.String(validate=ID)
    stock_class = fields.String(validate=one_of(STOCK_CLASSES))


class StockItemOut(Schema):
    site_id = fields.String(**R)
    stock_class = codes(STOCK_CLASSES)
    part_number = fields.String(**R)
    name = fields.String(**N)
    on_hand = Qty(**R)
    reserved = Qty(**R)
    available = Qty(**R)
    average_cost = Cost(**N)
    value = Money(**R)
    min_qty = Qty(**N)
    max_qty = Qty(**N)
    last_movement_at = Timestamp(**N)


class BinStockOut(Schema):
    site_id = fields.String(**R)
    stock_class = codes(STOCK_CLASSES)
    warehouse_id = fields.String(**R)
    bin = fields.String(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    oldest_receipt_at = Timestamp(**R)


class LedgerQuery(PageQuery):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(validate=ID)
    movement = fields.String(validate=one_of(MOVEMENTS))


class LedgerEntryOut(Schema):
    entry_id = fields.Integer(**R)
    site_id = fields.String(**R)
    stock_class = codes(STOCK_CLASSES)
    warehouse_id = fields.String(**R)
    bin = fields.String(**R)
    lot_id = fields.Integer(**R)
    part_number = fields.String(**R)
    movement = codes(MOVEMENTS)
    quantity = SignedQty(**R)
    unit_cost = Cost(**R)
    value = SignedMoney(**R)
    balance_after = Qty(**R)
    reference_kind = fields.String(**R)
    reference_id = fields.String(**R)
    order_id = fields.String(**N)
    occurred_at = Timestamp(**R)
    user_id = fields.String(**R)
    note = fields.String(**N)


class MismatchOut(Schema):
    """A stock item whose ledger, lots and totals disagree (账、卡、物不符)."""

    site_id = fields.String(**R)
    stock_class = codes(STOCK_CLASSES)
    part_number = fields.String(**R)
    on_hand = SignedQty(**R)
    ledger_quantity = SignedQty(**R)
    lot_quantity = SignedQty(**R)
    value = SignedMoney(**R)
    ledger_value = SignedMoney(**R)
    reserved = SignedQty(**R)


class ReconciliationOut(Schema):
    site_id = fields.String(**R)
    items = fields.Integer(**R, metadata={"description": "stock items checked"})
    stock_value = Money(**R)
    balanced = fields.Boolean(**R)
    mismatches = fields.List(fields.Nested(MismatchOut), **R)


class StockLevelsIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(required=True, validate=ID)
    min_qty = Qty(required=True)
    max_qty = Quantity(required=True)


class RelocationIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(required=True, validate=ID)
    from_warehouse_id = fields.String(required=True, validate=ID)
    from_bin = fields.String(required=True, validate=BIN)
    to_warehouse_id = fields.String(required=True, validate=ID)
    to_bin = fields.String(required=True, validate=BIN)
    quantity = Quantity(required=True)


class RelocationOut(Schema):
    relocation_id = fields.String(**R)
    quantity = Qty(**R)


class ScrapIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    part_number = fields.String(required=True, validate=ID)
    stock_class = fields.String(load_default="usable", validate=one_of(STOCK_CLASSES))
    quantity = Quantity(required=True)
    movement = fields.String(
        load_default="scrap", validate=validate.OneOf(("scrap", "supplier_return"))
    )
    reason = fields.String(required=True, validate=NAME)


class WriteOffOut(Schema):
    write_off_id = fields.String(**R)
    quantity = Qty(**R)
    value = Money(**R)
    item = fields.Nested(StockItemOut, **R)


# ---------------------------------------------------------------- stocktake


class StocktakeIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    warehouse_id = fields.String(required=True, validate=ID)
    kind = fields.String(load_default="monthly", validate=one_of(STOCKTAKE_KINDS))


class StocktakeCountIn(Strict):
    bin = fields.String(required=True, validate=BIN)
    part_number = fields.String(required=True, validate=ID)
    counted = Qty(required=True)


class StocktakeCountsIn(Strict):
    lines = fields.List(
        fields.Nested(StocktakeCountIn), required=True, validate=validate.Length(min=1, max=2000)
    )


class StocktakeDecisionIn(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "recount")))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class StocktakeLineOut(Schema):
    bin = fields.String(**R)
    part_number = fields.String(**R)
    book = Qty(**R)
    counted = Qty(**N)
    variance = SignedQty(**R)
    unit_cost = Cost(**R)
    variance_value = SignedMoney(**R)


class VarianceReportOut(Schema):
    lines = fields.Integer(**R)
    counted = fields.Integer(**R)
    uncounted = fields.Integer(**R)
    with_variance = fields.Integer(**R)
    book_value = Money(**R)
    gain_value = Money(**R)
    loss_value = SignedMoney(**R)
    net_value = SignedMoney(**R)
    accuracy = Ratio(**R, metadata={"description": "lines counted without variance / counted"})


class StocktakeSummaryOut(Schema):
    stocktake_id = fields.String(**R)
    site_id = fields.String(**R)
    warehouse_id = fields.String(**R)
    kind = codes(STOCKTAKE_KINDS)
    status = codes(STOCKTAKE_STATUSES)
    started_by = fields.String(**R)
    started_at = Timestamp(**R)
    submitted_at = Timestamp(**N)
    approved_by = fields.String(**N)
    approved_at = Timestamp(**N)
    report = fields.Nested(VarianceReportOut, **R)


class StocktakeOut(StocktakeSummaryOut):
    """The count sheet with its variance report and history."""

    lines = fields.List(fields.Nested(StocktakeLineOut), **R)
    history = fields.List(fields.Nested(PartsHistoryOut), **R)


class StocktakeQuery(PartsSiteListQuery):
    status = fields.String(validate=one_of(STOCKTAKE_STATUSES))
    warehouse_id = fields.String(validate=ID)
