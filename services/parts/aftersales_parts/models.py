"""Parts' tables.

The stock ledger (`ledger_entries`) is the record of every movement; `stock_items`
holds per site, stock class and part the running totals the ledger sums to (on
hand, value) plus what is reserved, and is the row locked (`SELECT … FOR
UPDATE`) while stock changes; `lots` say where stock lies and since when.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aftersales_core.models import declarative_base

Base = declarative_base()

# Integer on SQLite so that an autoincrementing primary key is its ROWID.
_ID = BigInteger().with_variant(Integer(), "sqlite")
QTY = Numeric(14, 3)
MONEY = Numeric(14, 2)
COST = Numeric(14, 4)
TS = DateTime(timezone=True)


class Part(Base):
    """A catalog entry of the group: part number, name, unit, cost and price."""

    __tablename__ = "parts"

    group_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    part_number: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
    superseded_by: Mapped[str | None] = mapped_column(String(60), nullable=True)


class PriceChange(Base):
    """A change of a part's price or cost, with its date: the price history."""

    __tablename__ = "price_changes"

    change_id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(40))
    part_number: Mapped[str] = mapped_column(String(60))
    old_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    new_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    old_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    new_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    effective_at: Mapped[datetime] = mapped_column(TS)
    changed_by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (
        Index("ix_price_changes_part", "group_id", "part_number", "effective_at"),
        Index("ix_price_changes_page", "group_id", "part_number", "effective_at", "change_id"),
    )


class Supplier(Base):
    """An OEM (orders on the OEM exchange) or a local supplier, of one group."""

    __tablename__ = "suppliers"

    supplier_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # oem | local
    oem_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # The sites that order from it by default.
    site_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_time_days: Mapped[int] = mapped_column(Integer, default=5)
    emergency_lead_time_days: Mapped[int] = mapped_column(Integer, default=2)

    __table_args__ = (Index("ix_suppliers_page", "group_id", "name", "supplier_id"),)


class Warehouse(Base):
    """A site's store: `main` holds usable stock, `defective` the defective returns."""

    __tablename__ = "warehouses"

    warehouse_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # main | defective
    # The site's first warehouse of a kind is where stock goes when none is named.
    created_at: Mapped[datetime] = mapped_column(TS)

    __table_args__ = (
        UniqueConstraint("site_id", "name", name="uq_warehouses_site_name"),
        Index("ix_warehouses_page", "group_id", "site_id", "created_at", "warehouse_id"),
    )


class StockItem(Base):
    """One part at one site in one stock class: the totals the ledger sums to."""

    __tablename__ = "stock_items"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    stock_class: Mapped[str] = mapped_column(String(10), primary_key=True)  # usable | defective
    part_number: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40), index=True)
    on_hand: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    min_qty: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    max_qty: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    last_movement_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("value >= 0", name="value_not_negative"),
    )


class Lot(Base):
    """A quantity received at one time into one bin; issued first in, first out."""

    __tablename__ = "lots"

    lot_id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    stock_class: Mapped[str] = mapped_column(String(10))
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.warehouse_id"))
    bin: Mapped[str] = mapped_column(String(40))
    part_number: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(TS)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    remaining: Mapped[Decimal] = mapped_column(QTY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    source: Mapped[str] = mapped_column(String(20))

    __table_args__ = (
        CheckConstraint("remaining >= 0", name="remaining_not_negative"),
        Index("ix_lots_stock", "site_id", "stock_class", "part_number"),
    )


class LedgerEntry(Base):
    """One movement of stock: the ledger on-hand is always the sum of."""

    __tablename__ = "ledger_entries"

    entry_id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    stock_class: Mapped[str] = mapped_column(String(10))
    warehouse_id: Mapped[str] = mapped_column(String(60))
    bin: Mapped[str] = mapped_column(String(40))
    lot_id: Mapped[int] = mapped_column(_ID)
    part_number: Mapped[str] = mapped_column(String(60))
    movement: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(QTY)  # signed: + in, - out
    unit_cost: Mapped[Decimal] = mapped_column(COST)
    value: Mapped[Decimal] = mapped_column(MONEY)  # signed
    balance_after: Mapped[Decimal] = mapped_column(QTY)  # the item's on hand after: the card
    reference_kind: Mapped[str] = mapped_column(String(20))
    reference_id: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    occurred_at: Mapped[datetime] = mapped_column(TS)
    user_id: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (
        Index("ix_ledger_item", "site_id", "stock_class", "part_number", "entry_id"),
        Index("ix_ledger_reference", "reference_kind", "reference_id"),
        Index("ix_ledger_time", "group_id", "occurred_at"),
        Index("ix_ledger_page", "site_id", "entry_id"),
    )


class Requisition(Base):
    """The approved request to issue parts to an RO (领料单), from `part_requested`."""

    __tablename__ = "requisitions"

    requisition_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str] = mapped_column(String(60), index=True)
    order_number: Mapped[str] = mapped_column(String(60))
    vin: Mapped[str] = mapped_column(String(17))
    approved_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(TS)
    source_event_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # open | closed
    closed_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    lines: Mapped[list[RequisitionLine]] = relationship(
        back_populates="requisition", order_by="RequisitionLine.id", cascade="all"
    )

    __table_args__ = (
        Index("ix_requisitions_site", "site_id", "requested_at"),
        Index("ix_requisitions_page", "group_id", "requested_at", "requisition_id"),
    )


class RequisitionLine(Base):
    """quantity = reserved + backordered + issued + cancelled; returns come on top."""

    __tablename__ = "requisition_lines"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    requisition_id: Mapped[str] = mapped_column(ForeignKey("requisitions.requisition_id"))
    line_id: Mapped[str] = mapped_column(String(60))
    part_number: Mapped[str] = mapped_column(String(60))
    payer: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    reserved: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    backordered: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    issued: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    returned: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    cancelled: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    filled_at_once: Mapped[bool] = mapped_column(Boolean)  # first-time fill
    known_part: Mapped[bool] = mapped_column(Boolean, default=True)

    requisition: Mapped[Requisition] = relationship(back_populates="lines")

    __table_args__ = (
        UniqueConstraint("requisition_id", "line_id", name="uq_requisition_lines_line"),
        CheckConstraint(
            "reserved >= 0 AND backordered >= 0 AND issued >= 0 AND cancelled >= 0 "
            "AND returned >= 0 AND returned <= issued",
            name="quantities_not_negative",
        ),
    )


class Issue(Base):
    """Parts handed out against a requisition line (发料), with price and cost then."""

    __tablename__ = "issues"

    issue_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    requisition_id: Mapped[str] = mapped_column(String(60), index=True)
    line_pk: Mapped[int] = mapped_column(ForeignKey("requisition_lines.id"))
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    value: Mapped[Decimal] = mapped_column(MONEY)  # at moving-average cost
    returned: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    returned_value: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    # The vocabulary's old-part disposition (return_to_customer / scrap / keep_for_warranty).
    old_part_disposition: Mapped[str | None] = mapped_column(String(30), nullable=True)
    first_received_at: Mapped[datetime] = mapped_column(TS)  # the oldest lot it came from
    warehouse_id: Mapped[str] = mapped_column(String(60))
    bin: Mapped[str] = mapped_column(String(40))
    issued_by: Mapped[str] = mapped_column(String(80))
    issued_at: Mapped[datetime] = mapped_column(TS)


class PartReturn(Base):
    """Parts coming back from an RO, good (to stock) or defective (to defective stock)."""

    __tablename__ = "part_returns"

    return_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    requisition_id: Mapped[str] = mapped_column(String(60), index=True)
    line_pk: Mapped[int] = mapped_column(ForeignKey("requisition_lines.id"))
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    condition: Mapped[str] = mapped_column(String(10))
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    value: Mapped[Decimal] = mapped_column(MONEY)
    returned_by: Mapped[str] = mapped_column(String(80))
    returned_at: Mapped[datetime] = mapped_column(TS)


class BackOrder(Base):
    """Demand stock could not meet: an RO's line or a counter sale's special order."""

    __tablename__ = "back_orders"

    backorder_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    outstanding: Mapped[Decimal] = mapped_column(QTY)
    demand: Mapped[str] = mapped_column(String(20))  # requisition | counter_sale
    requisition_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    line_pk: Mapped[int | None] = mapped_column(_ID, nullable=True)
    line_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    sale_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    sale_line_pk: Mapped[int | None] = mapped_column(_ID, nullable=True)
    po_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    expected_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # open | arrived | cancelled
    created_at: Mapped[datetime] = mapped_column(TS)
    closed_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    __table_args__ = (
        Index("ix_back_orders_waiting", "site_id", "part_number", "status"),
        Index("ix_back_orders_page", "group_id", "created_at", "backorder_id"),
        CheckConstraint("outstanding >= 0", name="outstanding_not_negative"),
    )


class PurchaseOrder(Base):
    """An order to the OEM (sent on the OEM exchange) or to a local supplier (订货单)."""

    __tablename__ = "purchase_orders"

    po_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    po_number: Mapped[str] = mapped_column(String(60), unique=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.supplier_id"))
    kind: Mapped[str] = mapped_column(String(10))  # regular | emergency
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(TS)
    sent_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    expected_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        order_by="PurchaseOrderLine.line_no", cascade="all"
    )
    supplier: Mapped[Supplier] = relationship()

    __table_args__ = (Index("ix_purchase_orders_page", "group_id", "created_at", "po_id"),)


class PurchaseOrderLine(Base):
    __tablename__ = "purchase_order_lines"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    po_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.po_id"))
    line_no: Mapped[int] = mapped_column(Integer)
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    received: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))  # accepted
    rejected: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)

    __table_args__ = (UniqueConstraint("po_id", "line_no", name="uq_purchase_order_lines_no"),)


class Shipment(Base):
    """A shipment notice from an OEM: what is on its way against an order."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    shipment_id: Mapped[str] = mapped_column(String(60))
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    oem_id: Mapped[str] = mapped_column(String(60))
    po_id: Mapped[str] = mapped_column(String(60), index=True)
    shipped_at: Mapped[datetime] = mapped_column(TS)
    expected_at: Mapped[date | None] = mapped_column(Date, nullable=True)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # in_transit | received | unmatched
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    noticed_at: Mapped[datetime] = mapped_column(TS)

    __table_args__ = (
        UniqueConstraint("group_id", "oem_id", "shipment_id", name="uq_shipments_notice"),
        Index("ix_shipments_page", "group_id", "noticed_at", "id"),
    )


class Receipt(Base):
    """Goods received against an order (入库验收): counted, accepted, rejected."""

    __tablename__ = "receipts"

    receipt_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    po_id: Mapped[str] = mapped_column(ForeignKey("purchase_orders.po_id"))
    shipment_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    warehouse_id: Mapped[str] = mapped_column(String(60))
    received_by: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(TS)

    lines: Mapped[list[ReceiptLine]] = relationship(order_by="ReceiptLine.id", cascade="all")


class ReceiptLine(Base):
    __tablename__ = "receipt_lines"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    receipt_id: Mapped[str] = mapped_column(ForeignKey("receipts.receipt_id"))
    line_no: Mapped[int] = mapped_column(Integer)
    part_number: Mapped[str] = mapped_column(String(60))
    expected: Mapped[Decimal] = mapped_column(QTY)
    counted: Mapped[Decimal] = mapped_column(QTY)
    accepted: Mapped[Decimal] = mapped_column(QTY)
    rejected: Mapped[Decimal] = mapped_column(QTY)
    reject_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    variance: Mapped[Decimal] = mapped_column(QTY)
    bin: Mapped[str] = mapped_column(String(40))
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    claimed: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))


class SupplierClaim(Base):
    """A claim to the supplier for parts received damaged or wrong (配件索赔)."""

    __tablename__ = "supplier_claims"

    claim_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    supplier_id: Mapped[str] = mapped_column(String(60))
    receipt_id: Mapped[str] = mapped_column(ForeignKey("receipts.receipt_id"))
    po_id: Mapped[str] = mapped_column(String(60))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(20))  # submitted | accepted | rejected
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    credited: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(TS)
    decided_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    __table_args__ = (Index("ix_supplier_claims_page", "group_id", "created_at", "claim_id"),)


class Stocktake(Base):
    """A count of one warehouse (盘点): snapshot, counts, variance, manager approval."""

    __tablename__ = "stocktakes"

    stocktake_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    warehouse_id: Mapped[str] = mapped_column(ForeignKey("warehouses.warehouse_id"))
    kind: Mapped[str] = mapped_column(String(20))  # monthly | quarterly | spot
    status: Mapped[str] = mapped_column(String(20))
    started_by: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(TS)
    submitted_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    lines: Mapped[list[StocktakeLine]] = relationship(order_by="StocktakeLine.id", cascade="all")

    __table_args__ = (Index("ix_stocktakes_page", "group_id", "started_at", "stocktake_id"),)


class StocktakeLine(Base):
    __tablename__ = "stocktake_lines"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    stocktake_id: Mapped[str] = mapped_column(ForeignKey("stocktakes.stocktake_id"))
    bin: Mapped[str] = mapped_column(String(40))
    part_number: Mapped[str] = mapped_column(String(60))
    book: Mapped[Decimal] = mapped_column(QTY)
    counted: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    unit_cost: Mapped[Decimal] = mapped_column(COST)
    counted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)

    __table_args__ = (
        UniqueConstraint("stocktake_id", "bin", "part_number", name="uq_stocktake_lines_bin"),
    )


class CounterSale(Base):
    """A sale over the parts counter; a special order takes a deposit (订金)."""

    __tablename__ = "counter_sales"

    sale_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    customer_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30))
    deposit: Mapped[Decimal] = mapped_column(MONEY)
    total: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(20))  # waiting | ready | completed | cancelled
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(TS)
    closed_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    paid: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)

    lines: Mapped[list[CounterSaleLine]] = relationship(
        order_by="CounterSaleLine.line_no", cascade="all"
    )

    __table_args__ = (Index("ix_counter_sales_page", "group_id", "created_at", "sale_id"),)


class CounterSaleLine(Base):
    __tablename__ = "counter_sale_lines"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("counter_sales.sale_id"))
    line_no: Mapped[int] = mapped_column(Integer)
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    reserved: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    special_ordered: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))  # still awaited
    issued: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)


class Transfer(Base):
    """Parts moving between two sites of one group: request, ship, receive."""

    __tablename__ = "transfers"

    transfer_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40), index=True)
    from_site_id: Mapped[str] = mapped_column(String(40))
    to_site_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime] = mapped_column(TS)
    shipped_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    received_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    lines: Mapped[list[TransferLine]] = relationship(order_by="TransferLine.id", cascade="all")

    __table_args__ = (Index("ix_transfers_page", "group_id", "requested_at", "transfer_id"),)


class TransferLine(Base):
    __tablename__ = "transfer_lines"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    transfer_id: Mapped[str] = mapped_column(ForeignKey("transfers.transfer_id"))
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(QTY)
    shipped: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    received: Mapped[Decimal] = mapped_column(QTY, default=Decimal(0))
    value: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))  # cost shipped


class DocumentCounter(Base):
    """The last number given in a scope (e.g. a site's purchase orders of one day)."""

    __tablename__ = "document_counters"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class DocumentHistory(Base):
    """Every change of a parts document: who, when, what."""

    __tablename__ = "document_history"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(String(30))
    document_id: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(TS)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_document_history_doc", "document", "document_id", "id"),)
