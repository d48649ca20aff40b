"""The stock book: every movement of stock goes through here, and only here.

A movement locks the stock item (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's
single connection serialises anyway), changes its totals with the domain's
moving-average `Valuation`, moves lots first in, first out, and writes one
ledger row per lot touched, all in the caller's transaction.  So on-hand is
always the sum of the ledger, the lots hold exactly that quantity, and the
ledger's value column sums to the item's value (账、卡、物相符).

Lock order, to keep PostgreSQL free of deadlocks: a document row first (PO,
transfer, sale, stocktake), then stock items sorted by key, then requisition
lines and back orders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aftersales_core.errors import NotFound
from aftersales_core.ids import new_id  # noqa: F401 - re-exported

from . import domain
from .domain import ZERO, Valuation, money
from .models import (
    BackOrder,
    CounterSale,
    CounterSaleLine,
    DocumentCounter,
    LedgerEntry,
    Lot,
    Requisition,
    RequisitionLine,
    StockItem,
    Stocktake,
    Warehouse,
)

DEFAULT_WAREHOUSES = {"main": "配件主库", "defective": "不良品库"}
OPEN_STOCKTAKE = ("counting", "counted")

Publish = Callable[..., Any]


@dataclass
class Moved:
    """What one movement did: its value and the lots it touched."""

    value: Decimal
    lots: list[tuple[Lot, Decimal]]

    @property
    def unit_cost(self) -> Decimal:
        qty = sum((q for _, q in self.lots), ZERO)
        return money(self.value / qty) if qty else ZERO

    @property
    def first_lot(self) -> Lot:
        return self.lots[0][0]


@dataclass
class Served:
    """Stock reserved for a waiting demand (an RO's back order or a special order)."""

    backorder: BackOrder
    quantity: Decimal


class StockBook:
    """Stock movements of one group, within one transaction."""

    def __init__(self, session: Session, group_id: str, user_id: str, now: datetime) -> None:
        self.session = session
        self.group_id = group_id
        self.user_id = user_id
        self.now = now

    # -- items and warehouses ------------------------------------------------------------
    def item(
        self, site_id: str, part_number: str, stock_class: str = "usable", *, create: bool = True
    ) -> StockItem | None:
        """The stock item, locked for this transaction; made (empty) if missing."""
        key = {"site_id": site_id, "stock_class": stock_class, "part_number": part_number}
        item = self._locked(key)
        if item is None and create:
            self._insert_if_missing(key)
            item = self._locked(key)
        if item is not None and item.group_id != self.group_id:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        return item

    def items(self, site_id: str, part_numbers: Iterable[str]) -> dict[str, StockItem]:
        """Several usable items locked in key order (the one order every path uses)."""
        found: dict[str, StockItem] = {}
        for number in sorted(set(part_numbers)):
            item = self.item(site_id, number)
            assert item is not None
            found[number] = item
        return found

    def _locked(self, key: dict[str, str]) -> StockItem | None:
        return self.session.scalars(
            select(StockItem)
            .filter_by(**key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()

    def _insert_if_missing(self, key: dict[str, str]) -> None:
        """Two workers may create the same item at once: the second one waits, then finds it."""
        values = {**key, "group_id": self.group_id, "on_hand": 0, "reserved": 0, "value": 0}
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            stmt: Any = postgresql.insert(StockItem).values(**values).on_conflict_do_nothing()
        elif dialect == "sqlite":
            stmt = sqlite.insert(StockItem).values(**values).on_conflict_do_nothing()
        else:  # pragma: no cover - only PostgreSQL and SQLite are supported
            self.session.add(StockItem(**values))
            self.session.flush()
            return
        self.session.execute(stmt)

    def warehouse(
        self, site_id: str, kind: str = "main", warehouse_id: str | None = None
    ) -> Warehouse:
        """A site's warehouse by id, or its first of a kind (made on first use)."""
        if warehouse_id is not None:
            found = self.session.get(Warehouse, warehouse_id)
            if found is None or found.group_id != self.group_id or found.site_id != site_id:
                raise NotFound(f"warehouse {warehouse_id} not found", "WAREHOUSE_NOT_FOUND")
            domain.check_warehouse_kind(warehouse_id, found.kind, kind)
            return found
        found = self.session.scalars(
            select(Warehouse)
            .where(Warehouse.site_id == site_id, Warehouse.kind == kind)
            .order_by(Warehouse.created_at, Warehouse.warehouse_id)
        ).first()
        if found is not None and found.group_id != self.group_id:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        if found is None:
            found = self.add_warehouse(site_id, DEFAULT_WAREHOUSES[kind], kind)
        return found

    def add_warehouse(self, site_id: str, name: str, kind: str) -> Warehouse:
        warehouse = Warehouse(
            warehouse_id=new_id("wh"),
            group_id=self.group_id,
            site_id=site_id,
            name=name,
            kind=kind,
            created_at=self.now,
        )
        self.session.add(warehouse)
        self.session.flush()
        return warehouse

    def check_not_counting(self, warehouse_ids: Iterable[str]) -> None:
        """A warehouse being counted is frozen: no stock moves in or out until approval."""
        ids = set(warehouse_ids)
        if not ids:
            return
        busy = self.session.scalars(
            select(Stocktake.warehouse_id).where(
                Stocktake.warehouse_id.in_(ids), Stocktake.status.in_(OPEN_STOCKTAKE)
            )
        ).first()
        domain.check_not_counting(busy)

    # -- movements -----------------------------------------------------------------------
    def book_in(
        self,
        item: StockItem,
        warehouse: Warehouse,
        bin_code: str,
        qty: Decimal,
        *,
        movement: str,
        reference: tuple[str, str],
        unit_cost: Decimal | None = None,
        value: Decimal | None = None,
        received_at: datetime | None = None,
        order_id: str | None = None,
        note: str | None = None,
    ) -> Moved:
        """Stock in: a new lot in a bin, at a unit cost or at an exact value."""
        self._check_class(item, warehouse)
        self.check_not_counting([warehouse.warehouse_id])
        valuation = Valuation(item.on_hand, item.value)
        if value is None:
            assert unit_cost is not None
            value = valuation.receive(qty, unit_cost)
        else:
            valuation.add(qty, value)
        domain.check_item_value(valuation.value)
        item.on_hand, item.value = valuation.on_hand, valuation.value
        lot = Lot(
            group_id=self.group_id,
            site_id=item.site_id,
            stock_class=item.stock_class,
            warehouse_id=warehouse.warehouse_id,
            bin=bin_code,
            part_number=item.part_number,
            received_at=received_at or self.now,
            quantity=qty,
            remaining=qty,
            unit_cost=money(value / qty),
            source=movement,
        )
        self.session.add(lot)
        self.session.flush()
        self._ledger(item, lot, movement, qty, value, reference, order_id, note)
        return Moved(value, [(lot, qty)])

    def book_out(
        self,
        item: StockItem,
        qty: Decimal,
        *,
        movement: str,
        reference: tuple[str, str],
        warehouse_id: str | None = None,
        bin_code: str | None = None,
        order_id: str | None = None,
        note: str | None = None,
    ) -> Moved:
        """Stock out at the moving average, oldest lots first; never below zero."""
        lots = self.lots(item, warehouse_id, bin_code)
        plan = domain.fifo(
            [
                domain.Lot(lot.lot_id, lot.received_at, lot.remaining, lot.warehouse_id, lot.bin)
                for lot in lots
            ],
            qty,
        )
        by_id = {lot.lot_id: lot for lot in lots}
        self.check_not_counting({step.warehouse_id for step, _ in plan})
        valuation = Valuation(item.on_hand, item.value)
        value = valuation.take(qty)
        item.on_hand, item.value = valuation.on_hand, valuation.value
        shares = domain.split_value(value, [q for _, q in plan])
        touched = []
        for (step, take), share in zip(plan, shares, strict=True):
            lot = by_id[step.lot_id]
            lot.remaining -= take
            touched.append((lot, take))
            self._ledger(item, lot, movement, -take, -share, reference, order_id, note)
        return Moved(value, touched)

    def lots(
        self, item: StockItem, warehouse_id: str | None = None, bin_code: str | None = None
    ) -> list[Lot]:
        stmt = (
            select(Lot)
            .where(
                Lot.site_id == item.site_id,
                Lot.stock_class == item.stock_class,
                Lot.part_number == item.part_number,
                Lot.remaining > 0,
            )
            .order_by(Lot.received_at, Lot.lot_id)
        )
        if warehouse_id is not None:
            stmt = stmt.where(Lot.warehouse_id == warehouse_id)
        if bin_code is not None:
            stmt = stmt.where(Lot.bin == bin_code)
        return list(self.session.scalars(stmt))

    def default_bin(self, item: StockItem, warehouse: Warehouse) -> str | None:
        """Where this part is kept in that warehouse: the bin of its latest lot."""
        return self.session.scalar(
            select(Lot.bin)
            .where(
                Lot.warehouse_id == warehouse.warehouse_id,
                Lot.part_number == item.part_number,
            )
            .order_by(Lot.received_at.desc(), Lot.lot_id.desc())
            .limit(1)
        )

    def _check_class(self, item: StockItem, warehouse: Warehouse) -> None:
        domain.check_holds_class(
            warehouse.warehouse_id, warehouse.name, warehouse.kind, item.stock_class
        )

    def _ledger(
        self,
        item: StockItem,
        lot: Lot,
        movement: str,
        qty: Decimal,
        value: Decimal,
        reference: tuple[str, str],
        order_id: str | None,
        note: str | None,
    ) -> None:
        item.last_movement_at = self.now
        self.session.add(
            LedgerEntry(
                group_id=self.group_id,
                site_id=item.site_id,
                stock_class=item.stock_class,
                warehouse_id=lot.warehouse_id,
                bin=lot.bin,
                lot_id=lot.lot_id,
                part_number=item.part_number,
                movement=movement,
                quantity=qty,
                unit_cost=(value / qty).quantize(domain.COST_STEP) if qty else ZERO,
                value=value,
                balance_after=item.on_hand,
                reference_kind=reference[0],
                reference_id=reference[1],
                order_id=order_id,
                occurred_at=self.now,
                user_id=self.user_id,
                note=note,
            )
        )

    # -- reservations --------------------------------------------------------------------
    def reserve(self, item: StockItem, wanted: Decimal) -> domain.Split:
        split = domain.reserve(item.on_hand, item.reserved, wanted)
        item.reserved += split.reserved
        return split

    def release(self, item: StockItem, qty: Decimal) -> None:
        item.reserved -= qty

    def waiting(self, site_id: str, part_number: str) -> list[BackOrder]:
        """Open back orders and special orders for a part at a site, oldest first."""
        return list(
            self.session.scalars(
                select(BackOrder)
                .where(
                    BackOrder.site_id == site_id,
                    BackOrder.part_number == part_number,
                    BackOrder.status == "open",
                )
                .order_by(BackOrder.created_at, BackOrder.backorder_id)
                .with_for_update()
            )
        )

    def serve_waiting(self, item: StockItem, prefer_po: str | None = None) -> list[Served]:
        """Reserve newly available stock for those waiting: an RO's back order first
        (and, among equals, those ordered on `prefer_po`), then special orders."""
        if item.stock_class != "usable":
            return []
        waiting = self.waiting(item.site_id, item.part_number)
        waiting.sort(
            key=lambda bo: (bo.demand != "requisition", bo.po_id != prefer_po, bo.created_at)
        )
        free = item.on_hand - item.reserved
        served: list[Served] = []
        for key, qty in domain.allocate(
            free, [(bo.backorder_id, bo.outstanding) for bo in waiting]
        ):
            backorder = next(bo for bo in waiting if bo.backorder_id == key)
            backorder.outstanding -= qty
            if backorder.outstanding == 0:
                backorder.status, backorder.closed_at = "arrived", self.now
            item.reserved += qty
            if backorder.demand == "requisition":
                line = self.session.get(RequisitionLine, backorder.line_pk, with_for_update=True)
                assert line is not None
                line.backordered -= qty
                line.reserved += qty
            else:
                sale_line = self.session.get(CounterSaleLine, backorder.sale_line_pk)
                assert sale_line is not None
                sale_line.special_ordered -= qty
                sale_line.reserved += qty
                sale = self.session.get(CounterSale, sale_line.sale_id)
                assert sale is not None
                if sale.status == "waiting" and all(
                    line.special_ordered == 0 for line in sale.lines
                ):
                    sale.status = domain.transition("counter_sale", sale.status, "arrive")
            served.append(Served(backorder, qty))
        return served

    def shed_reservations(
        self, item: StockItem, on_hand_after: Decimal
    ) -> list[tuple[Any, Decimal]]:
        """Before a loss leaves less on hand than reserved: the newest reservations give way.

        Returns (requisition line or counter-sale line, quantity) that lost their
        reservation; the caller turns them into back orders.
        """
        if item.reserved <= on_hand_after:
            return []
        holders: list[tuple[datetime, str, Any]] = []
        for line in self.session.scalars(
            select(RequisitionLine)
            .join(Requisition, Requisition.requisition_id == RequisitionLine.requisition_id)
            .where(
                Requisition.site_id == item.site_id,
                RequisitionLine.part_number == item.part_number,
                RequisitionLine.reserved > 0,
            )
            .with_for_update(of=RequisitionLine)
        ):
            holders.append((line.requisition.requested_at, f"r{line.id}", line))
        for sale_line in self.session.scalars(
            select(CounterSaleLine)
            .join(CounterSale, CounterSale.sale_id == CounterSaleLine.sale_id)
            .where(
                CounterSale.site_id == item.site_id,
                CounterSaleLine.part_number == item.part_number,
                CounterSaleLine.reserved > 0,
            )
        ):
            sale = self.session.get(CounterSale, sale_line.sale_id)
            assert sale is not None
            holders.append((sale.created_at, f"s{sale_line.id}", sale_line))
        holders.sort(key=lambda h: (h[0], h[1]))
        by_key = {key: holder for _, key, holder in holders}
        cut = domain.excess_reservations(
            on_hand_after, [(key, holder.reserved) for _, key, holder in holders]
        )
        shed = []
        for key, qty in cut:
            holder = by_key[key]
            holder.reserved -= qty
            item.reserved -= qty
            shed.append((holder, qty))
        return shed


def next_number(session: Session, scope: str) -> int:
    """The next number in a scope, race-free: the counter row is locked until commit."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(DocumentCounter).values(scope=scope, last=0).on_conflict_do_nothing())
    counter = session.scalars(
        select(DocumentCounter)
        .where(DocumentCounter.scope == scope)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    counter.last += 1
    return counter.last


def ledger_totals(session: Session, site_id: str | None = None) -> list[dict[str, Any]]:
    """Reconcile 账、卡、物 per stock item: ledger sums, lot sums and the item's totals."""
    ledger = select(
        LedgerEntry.site_id,
        LedgerEntry.stock_class,
        LedgerEntry.part_number,
        func.sum(LedgerEntry.quantity).label("qty"),
        func.sum(LedgerEntry.value).label("value"),
    ).group_by(LedgerEntry.site_id, LedgerEntry.stock_class, LedgerEntry.part_number)
    lots = select(
        Lot.site_id, Lot.stock_class, Lot.part_number, func.sum(Lot.remaining).label("qty")
    ).group_by(Lot.site_id, Lot.stock_class, Lot.part_number)
    items = select(StockItem)
    if site_id is not None:
        ledger = ledger.where(LedgerEntry.site_id == site_id)
        lots = lots.where(Lot.site_id == site_id)
        items = items.where(StockItem.site_id == site_id)
    ledger_rows = {(r.site_id, r.stock_class, r.part_number): r for r in session.execute(ledger)}
    lot_rows = {(r.site_id, r.stock_class, r.part_number): r.qty for r in session.execute(lots)}
    result = []
    for item in session.scalars(items):
        key = (item.site_id, item.stock_class, item.part_number)
        row = ledger_rows.get(key)
        result.append(
            {
                "site_id": item.site_id,
                "stock_class": item.stock_class,
                "part_number": item.part_number,
                "on_hand": item.on_hand,
                "ledger_quantity": row.qty if row else ZERO,
                "lot_quantity": lot_rows.get(key) or ZERO,
                "value": item.value,
                "ledger_value": row.value if row else ZERO,
                "reserved": item.reserved,
            }
        )
    return result
