"""Stock by site, warehouse and bin; the ledger; relocation; scrap; stocktake (盘点)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, tuple_

from aftersales_contracts.api.pages import page_of
from aftersales_contracts.api.parts import (
    BinStockOut,
    LedgerEntryOut,
    LedgerQuery,
    PartsSiteQuery,
    ReconciliationOut,
    RelocationIn,
    RelocationOut,
    ScrapIn,
    StockItemOut,
    StockQuery,
    StocktakeCountsIn,
    StocktakeDecisionIn,
    StocktakeIn,
    StocktakeOut,
    StocktakeQuery,
    StocktakeSummaryOut,
    WriteOffOut,
)
from aftersales_core.envelope import as_utc, utcnow
from aftersales_core.errors import NotFound
from aftersales_core.pages import decode_cursor, encode_cursor
from aftersales_core.tenancy import Tenant

from . import domain
from .base import KEEPER_ROLES, MANAGER_ROLES, PartsBase
from .domain import ZERO, CountLine
from .models import LedgerEntry, Lot, Part, StockItem, Stocktake, StocktakeLine, Warehouse
from .purchasing import stock_item_view
from .stock import OPEN_STOCKTAKE, ledger_totals, new_id


def count_line(line: StocktakeLine) -> CountLine:
    return CountLine(line.bin, line.part_number, line.book, line.counted, line.unit_cost)


class Stockkeeping(PartsBase):
    """The use cases of stock, ledger, relocation, scrap, stocktake."""

    # -- stock ---------------------------------------------------------------------------
    def list_stock(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Stock items of the caller's sites: on hand, reserved, available, cost, min/max."""
        wanted = self._load(StockQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(StockItem).where(StockItem.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(StockItem.site_id.in_(sites))
        for key in ("part_number", "stock_class"):
            if wanted.get(key):
                stmt = stmt.where(getattr(StockItem, key) == wanted[key])
        keys = (StockItem.site_id, StockItem.stock_class, StockItem.part_number)

        def view(item: StockItem) -> dict[str, Any]:
            part = self.db.session.get(Part, (item.group_id, item.part_number))
            return stock_item_view(item, part.name if part else None)

        return self._page(stmt, keys, wanted, StockItemOut, view, descending=False)

    def bin_stock(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """What lies where: quantity per site, warehouse, bin and part, with its oldest lot."""
        wanted = self._load(StockQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        group = (Lot.site_id, Lot.warehouse_id, Lot.bin, Lot.part_number, Lot.stock_class)
        stmt = (
            select(
                *group,
                func.sum(Lot.remaining).label("quantity"),
                func.min(Lot.received_at).label("oldest_receipt_at"),
            )
            .where(Lot.group_id == tenant.group_id, Lot.remaining > 0)
            .group_by(*group)
            .order_by(*group)
            .limit(wanted["limit"] + 1)
        )
        if sites is not None:
            stmt = stmt.where(Lot.site_id.in_(sites))
        for key in ("warehouse_id", "bin", "part_number", "stock_class"):
            if wanted.get(key):
                stmt = stmt.where(getattr(Lot, key) == wanted[key])
        after = decode_cursor(wanted["cursor"], len(group))
        if after is not None:
            stmt = stmt.where(tuple_(*group) > tuple_(*after))
        rows = [row._asdict() for row in self.db.session.execute(stmt)]
        more = len(rows) > wanted["limit"]
        rows = rows[: wanted["limit"]]
        for row in rows:
            row["oldest_receipt_at"] = as_utc(row["oldest_receipt_at"])
        last = [rows[-1][c.key] for c in group] if more and rows else None
        return page_of(BinStockOut)().dump(
            {"items": rows, "next_cursor": encode_cursor(last) if last else None}
        )

    def ledger(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The stock card of a site: every movement, newest first, with the balance after."""
        wanted = self._load(LedgerQuery(), filters)
        tenant = self._site(wanted["site_id"])
        stmt = select(LedgerEntry).where(
            LedgerEntry.group_id == tenant.group_id, LedgerEntry.site_id == wanted["site_id"]
        )
        for key in ("part_number", "movement"):
            if wanted.get(key):
                stmt = stmt.where(getattr(LedgerEntry, key) == wanted[key])
        return self._page(stmt, (LedgerEntry.entry_id,), wanted, LedgerEntryOut)

    def reconcile(self, filters: dict[str, Any]) -> dict[str, Any]:
        """账、卡、物相符: for every stock item, the ledger's quantity and value and the lots'
        quantity agree with the item; and nothing is reserved beyond what is on hand."""
        wanted = self._load(PartsSiteQuery(), filters)
        site_id = wanted["site_id"]
        self._site(site_id)
        rows = ledger_totals(self.db.session, site_id)
        mismatches = [
            row
            for row in rows
            if not (
                row["on_hand"] == row["ledger_quantity"] == row["lot_quantity"]
                and row["value"] == row["ledger_value"]
                and 0 <= row["reserved"] <= row["on_hand"]
            )
        ]
        return ReconciliationOut().dump(
            {
                "site_id": site_id,
                "items": len(rows),
                "stock_value": sum(
                    (r["value"] for r in rows if r["stock_class"] == "usable"), Decimal("0.00")
                ),
                "balanced": not mismatches,
                "mismatches": mismatches,
            }
        )

    # -- relocation and scrap ------------------------------------------------------------
    def relocate_stock(self, data: dict[str, Any]) -> dict[str, Any]:
        """Move stock between bins (or main warehouses) of a site, keeping each lot's age."""
        fields = self._load(RelocationIn(), data)
        tenant = self._site(fields["site_id"], *KEEPER_ROLES)
        self._part(tenant.group_id, fields["part_number"])
        book = self._book(tenant)
        source = book.warehouse(fields["site_id"], "main", fields["from_warehouse_id"])
        target = book.warehouse(fields["site_id"], "main", fields["to_warehouse_id"])
        domain.check_relocation(
            (source.warehouse_id, fields["from_bin"]), (target.warehouse_id, fields["to_bin"])
        )
        item = book.item(fields["site_id"], fields["part_number"])
        assert item is not None
        reference = ("relocation", new_id("mv"))
        moved = book.book_out(
            item, fields["quantity"], movement="relocation", reference=reference,
            warehouse_id=source.warehouse_id, bin_code=fields["from_bin"],
        )  # fmt: skip
        shares = domain.split_value(moved.value, [q for _, q in moved.lots])
        for (lot, qty), share in zip(moved.lots, shares, strict=True):
            book.book_in(
                item, target, fields["to_bin"], qty, movement="relocation", reference=reference,
                value=share, received_at=lot.received_at,
            )  # fmt: skip
        return RelocationOut().dump({"relocation_id": reference[1], "quantity": fields["quantity"]})

    def scrap_stock(self, data: dict[str, Any]) -> dict[str, Any]:
        """Write stock off (or send defective stock back to the supplier): a manager's act.

        Reservations that no longer fit become back orders.
        """
        fields = self._load(ScrapIn(), data)
        tenant = self._site(fields["site_id"], *MANAGER_ROLES)
        part = self._part(tenant.group_id, fields["part_number"])
        book = self._book(tenant)
        if fields["movement"] == "supplier_return":  # refused before an item is made
            domain.check_write_off("supplier_return", fields["stock_class"], ZERO, ZERO)
        item = book.item(fields["site_id"], fields["part_number"], fields["stock_class"])
        assert item is not None
        domain.check_write_off(
            fields["movement"], fields["stock_class"], fields["quantity"], item.on_hand
        )
        self._shed(book, item, fields["quantity"])
        reference = (fields["movement"], new_id("wo"))
        moved = book.book_out(
            item, fields["quantity"], movement=fields["movement"], reference=reference,
            note=fields["reason"],
        )  # fmt: skip
        return WriteOffOut().dump(
            {
                "write_off_id": reference[1],
                "quantity": fields["quantity"],
                "value": moved.value,
                "item": stock_item_view(item, part.name),
            }
        )

    # -- stocktake -----------------------------------------------------------------------
    def _stocktake(self, stocktake_id: str, lock: bool = False) -> Stocktake:
        stocktake = self.db.session.get(Stocktake, stocktake_id, with_for_update=lock or None)
        return self._visible(stocktake, "stocktake", stocktake_id)

    def _stocktake_view(self, stocktake: Stocktake) -> dict[str, Any]:
        view = {c: getattr(stocktake, c) for c in StocktakeSummaryOut().fields if c != "report"}
        view["report"] = domain.variance_report([count_line(line) for line in stocktake.lines])
        return view

    def _stocktake_out(self, stocktake: Stocktake) -> dict[str, Any]:
        """The count sheet, its variance report and history (the document and its ETag)."""
        view = self._stocktake_view(stocktake)
        view["lines"] = [
            {
                "bin": line.bin,
                "part_number": line.part_number,
                "book": line.book,
                "counted": line.counted,
                "variance": count_line(line).variance,
                "unit_cost": line.unit_cost,
                "variance_value": count_line(line).variance_value,
            }
            for line in stocktake.lines
        ]
        view["history"] = self._document_history(
            stocktake.group_id, "stocktake", stocktake.stocktake_id
        )
        return StocktakeOut().dump(view)

    def _stocktake_to_change(self, stocktake_id: str, *roles: str) -> tuple[Stocktake, Tenant]:
        """The count sheet locked for a change by one of `roles`, as the caller last read it."""
        stocktake = self._stocktake(stocktake_id, lock=True)
        tenant = self._site(stocktake.site_id, *roles)
        self._require_match(self._stocktake_out(stocktake))
        return stocktake, tenant

    def start_stocktake(self, data: dict[str, Any]) -> dict[str, Any]:
        """The count sheet: a snapshot of the book per bin and part; the warehouse is
        frozen (nothing in or out) until the manager approves the result."""
        fields = self._load(StocktakeIn(), data)
        tenant = self._site(fields["site_id"], *KEEPER_ROLES)
        warehouse = self.db.session.get(Warehouse, fields["warehouse_id"])
        if (
            warehouse is None
            or warehouse.group_id != tenant.group_id
            or (warehouse.site_id != fields["site_id"])
        ):
            raise NotFound(f"warehouse {fields['warehouse_id']} not found", "WAREHOUSE_NOT_FOUND")
        busy = self.db.session.scalars(
            select(Stocktake).where(
                Stocktake.warehouse_id == warehouse.warehouse_id,
                Stocktake.status.in_(OPEN_STOCKTAKE),
            )
        ).first()
        domain.check_no_open_count(busy.stocktake_id if busy is not None else None)
        stock_class = domain.WAREHOUSE_KINDS[warehouse.kind]
        book = self._book(tenant)
        stocktake = Stocktake(
            stocktake_id=new_id("st"),
            group_id=tenant.group_id,
            site_id=warehouse.site_id,
            warehouse_id=warehouse.warehouse_id,
            kind=fields["kind"],
            status="counting",
            started_by=tenant.user_id,
            started_at=book.now,
            lines=[],
        )
        rows = self.db.session.execute(
            select(Lot.bin, Lot.part_number, func.sum(Lot.remaining))
            .where(Lot.warehouse_id == warehouse.warehouse_id, Lot.remaining > 0)
            .group_by(Lot.bin, Lot.part_number)
            .order_by(Lot.bin, Lot.part_number)
        ).all()
        for bin_code, part_number, qty in rows:
            stocktake.lines.append(
                StocktakeLine(
                    bin=bin_code,
                    part_number=part_number,
                    book=qty,
                    counted=None,
                    unit_cost=self._unit_cost(tenant.group_id, warehouse.site_id, stock_class,
                                              part_number),
                )
            )  # fmt: skip
        self.db.session.add(stocktake)
        self._history(tenant.group_id, "stocktake", stocktake.stocktake_id, "started", {})
        self.db.session.flush()
        return self._stocktake_out(stocktake)

    def _unit_cost(
        self, group_id: str, site_id: str, stock_class: str, part_number: str
    ) -> Decimal:
        """What a variance is valued at: the moving average, or the catalog cost."""
        item = self.db.session.get(StockItem, (site_id, stock_class, part_number))
        average = domain.Valuation(item.on_hand, item.value).average_cost if item else None
        if average is not None:
            return average
        return self._part(group_id, part_number).cost

    def record_counts(self, stocktake_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Counted quantities per bin and part; a part found where the book has none is
        added to the sheet (book 0). A later count of the same line replaces the earlier."""
        fields = self._load(StocktakeCountsIn(), data)
        stocktake, tenant = self._stocktake_to_change(stocktake_id, *KEEPER_ROLES)
        domain.transition("stocktake", stocktake.status, "count")
        warehouse = self.db.session.get(Warehouse, stocktake.warehouse_id)
        assert warehouse is not None
        by_key = {(line.bin, line.part_number): line for line in stocktake.lines}
        for index, entry in enumerate(fields["lines"]):
            key = (entry["bin"], entry["part_number"])
            line = by_key.get(key)
            if line is None:
                self._part(tenant.group_id, entry["part_number"], f"lines.{index}.part_number")
                line = StocktakeLine(
                    bin=entry["bin"],
                    part_number=entry["part_number"],
                    book=ZERO,
                    unit_cost=self._unit_cost(
                        tenant.group_id,
                        stocktake.site_id,
                        domain.WAREHOUSE_KINDS[warehouse.kind],
                        entry["part_number"],
                    ),
                )
                stocktake.lines.append(line)
                by_key[key] = line
            line.counted, line.counted_by = entry["counted"], tenant.user_id
        self._history(
            tenant.group_id, "stocktake", stocktake_id, "counted", {"lines": len(fields["lines"])}
        )
        self.db.session.flush()
        return self._stocktake_out(stocktake)

    def submit_stocktake(self, stocktake_id: str) -> dict[str, Any]:
        """Every line counted: the variance report goes to the manager."""
        stocktake, tenant = self._stocktake_to_change(stocktake_id, *KEEPER_ROLES)
        domain.check_all_counted([count_line(line) for line in stocktake.lines])
        stocktake.status = domain.transition("stocktake", stocktake.status, "submit")
        stocktake.submitted_at = utcnow()
        self._history(tenant.group_id, "stocktake", stocktake_id, "submitted", {})
        return self._stocktake_out(stocktake)

    def decide_stocktake(self, stocktake_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A manager approves (the variance is posted as adjustments) or sends it back to
        be counted again. Only approval moves stock."""
        fields = self._load(StocktakeDecisionIn(), data)
        stocktake, tenant = self._stocktake_to_change(stocktake_id, *MANAGER_ROLES)
        if fields["decision"] == "recount":
            stocktake.status = domain.transition("stocktake", stocktake.status, "recount")
            self._history(tenant.group_id, "stocktake", stocktake_id, "recount", {},
                          note=fields["note"])  # fmt: skip
            return self._stocktake_out(stocktake)
        stocktake.status = domain.transition("stocktake", stocktake.status, "approve")
        stocktake.approved_by, stocktake.approved_at = tenant.user_id, utcnow()
        self.db.session.flush()  # the warehouse is no longer frozen for these adjustments
        warehouse = self.db.session.get(Warehouse, stocktake.warehouse_id)
        assert warehouse is not None
        stock_class = domain.WAREHOUSE_KINDS[warehouse.kind]
        book = self._book(tenant)
        changed = sorted(
            (line for line in stocktake.lines if count_line(line).variance != 0),
            key=lambda line: (line.part_number, line.bin),
        )
        items = {}
        for number in sorted({line.part_number for line in changed}):
            items[number] = book.item(stocktake.site_id, number, stock_class)
        reference = ("stocktake", stocktake_id)
        for line in changed:
            item = items[line.part_number]
            variance = count_line(line).variance
            if variance > 0:
                book.book_in(
                    item, warehouse, line.bin, variance, movement="adjustment",
                    reference=reference, unit_cost=line.unit_cost, note="stocktake gain",
                )  # fmt: skip
            else:
                self._shed(book, item, -variance)
                book.book_out(
                    item, -variance, movement="adjustment", reference=reference,
                    warehouse_id=warehouse.warehouse_id, bin_code=line.bin,
                    note="stocktake loss",
                )  # fmt: skip
        for number in sorted(items):
            self._serve(book, items[number])
        self._history(
            tenant.group_id, "stocktake", stocktake_id, "approved",
            {"adjusted_lines": len(changed)}, note=fields["note"],
        )  # fmt: skip
        return self._stocktake_out(stocktake)

    def get_stocktake(self, stocktake_id: str) -> dict[str, Any]:
        return self._stocktake_out(self._stocktake(stocktake_id))

    def list_stocktakes(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Stocktakes of the caller's sites, newest first, each with its variance report."""
        wanted = self._load(StocktakeQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(Stocktake).where(Stocktake.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Stocktake.site_id.in_(sites))
        for key in ("status", "warehouse_id"):
            if wanted.get(key):
                stmt = stmt.where(getattr(Stocktake, key) == wanted[key])
        keys = (Stocktake.started_at, Stocktake.stocktake_id)
        return self._page(stmt, keys, wanted, StocktakeSummaryOut, self._stocktake_view)
