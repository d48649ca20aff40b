"""Stock by site, warehouse and bin; the ledger; relocation; scrap; stocktake (盘点)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Conflict, NotFound, ValidationFailed
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain
from .base import KEEPER_ROLES, MANAGER_ROLES, PartsBase
from .domain import ZERO, CountLine, normal
from .models import LedgerEntry, Lot, Part, StockItem, Stocktake, StocktakeLine, Warehouse
from .purchasing import stock_item_out
from .schemas import (
    BinStockOut,
    CountsIn,
    LedgerEntryOut,
    RelocationIn,
    ScrapIn,
    StockQuery,
    StocktakeDecisionIn,
    StocktakeIn,
    StocktakeOut,
)
from .stock import OPEN_STOCKTAKE, ledger_totals, new_id


def count_line(line: StocktakeLine) -> CountLine:
    return CountLine(line.bin, line.part_number, line.book, line.counted, line.unit_cost)


class WarehouseRpc(PartsBase):
    # -- stock ---------------------------------------------------------------------------
    @query
    def list_stock(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Stock items of the caller's sites: on hand, reserved, available, cost, min/max."""
        wanted = load(StockQuery(), filters or {})
        tenant = self._staff()
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        stmt = (
            select(StockItem, Part.name)
            .join(
                Part,
                (Part.group_id == StockItem.group_id) & (Part.part_number == StockItem.part_number),
            )
            .where(StockItem.group_id == tenant.group_id)
            .order_by(StockItem.site_id, StockItem.stock_class.desc(), StockItem.part_number)
        )
        if sites is not None:
            stmt = stmt.where(StockItem.site_id.in_(sites))
        if wanted.get("part_number"):
            stmt = stmt.where(StockItem.part_number == wanted["part_number"])
        if wanted.get("stock_class"):
            stmt = stmt.where(StockItem.stock_class == wanted["stock_class"])
        return [stock_item_out(item, name) for item, name in self.db.session.execute(stmt)]

    @query
    def bin_stock(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """What lies where: quantity per site, warehouse, bin and part, with its oldest lot."""
        wanted = load(StockQuery(), filters or {})
        tenant = self._staff()
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        stmt = (
            select(
                Lot.site_id,
                Lot.stock_class,
                Lot.warehouse_id,
                Lot.bin,
                Lot.part_number,
                func.sum(Lot.remaining).label("quantity"),
                func.min(Lot.received_at).label("oldest_receipt_at"),
            )
            .where(Lot.group_id == tenant.group_id, Lot.remaining > 0)
            .group_by(Lot.site_id, Lot.stock_class, Lot.warehouse_id, Lot.bin, Lot.part_number)
            .order_by(Lot.site_id, Lot.warehouse_id, Lot.bin, Lot.part_number)
        )
        if sites is not None:
            stmt = stmt.where(Lot.site_id.in_(sites))
        for key in ("warehouse_id", "bin", "part_number", "stock_class"):
            if wanted.get(key):
                stmt = stmt.where(getattr(Lot, key) == wanted[key])
        return BinStockOut(many=True).dump([row._asdict() for row in self.db.session.execute(stmt)])

    @query
    def ledger(
        self, site_id: str, part_number: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """The stock card: every movement, newest first, with the balance after it."""
        tenant = self._site(site_id)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
            raise ValidationFailed.on("limit", "a whole number from 1 to 1000", "INVALID_LIMIT")
        stmt = (
            select(LedgerEntry)
            .where(LedgerEntry.group_id == tenant.group_id, LedgerEntry.site_id == site_id)
            .order_by(LedgerEntry.entry_id.desc())
            .limit(limit)
        )
        if part_number:
            stmt = stmt.where(LedgerEntry.part_number == part_number)
        return LedgerEntryOut(many=True).dump(self.db.session.scalars(stmt))

    @query
    def reconcile(self, site_id: str) -> dict[str, Any]:
        """账、卡、物相符: for every stock item, the ledger's quantity and value and the lots'
        quantity agree with the item; and nothing is reserved beyond what is on hand."""
        self._site(site_id)
        rows = ledger_totals(self.db.session, site_id)
        mismatches = [
            {k: (normal(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
            for row in rows
            if not (
                row["on_hand"] == row["ledger_quantity"] == row["lot_quantity"]
                and row["value"] == row["ledger_value"]
                and 0 <= row["reserved"] <= row["on_hand"]
            )
        ]
        return {
            "site_id": site_id,
            "items": len(rows),
            "stock_value": str(
                sum((r["value"] for r in rows if r["stock_class"] == "usable"), Decimal("0.00"))
            ),
            "balanced": not mismatches,
            "mismatches": mismatches,
        }

    # -- relocation and scrap ------------------------------------------------------------
    @command
    def relocate_stock(self, data: dict[str, Any]) -> dict[str, Any]:
        """Move stock between bins (or main warehouses) of a site, keeping each lot's age."""
        fields = load(RelocationIn(), data)
        tenant = self._site(fields["site_id"], *KEEPER_ROLES)
        self._part(tenant.group_id, fields["part_number"])
        book = self._book(tenant)
        source = book.warehouse(fields["site_id"], "main", fields["from_warehouse_id"])
        target = book.warehouse(fields["site_id"], "main", fields["to_warehouse_id"])
        if (source.warehouse_id, fields["from_bin"]) == (target.warehouse_id, fields["to_bin"]):
            raise ValidationFailed.on("to_bin", "that is where it is already", "SAME_BIN")
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
        return {"relocation_id": reference[1], "quantity": normal(fields["quantity"])}

    @command
    def scrap_stock(self, data: dict[str, Any]) -> dict[str, Any]:
        """Write stock off (or send defective stock back to the supplier): a manager's act.

        Reservations that no longer fit become back orders.
        """
        fields = load(ScrapIn(), data)
        tenant = self._site(fields["site_id"], *MANAGER_ROLES)
        self._part(tenant.group_id, fields["part_number"])
        if fields["movement"] == "supplier_return" and fields["stock_class"] != "defective":
            raise ValidationFailed.on(
                "movement", "only defective stock goes back to the supplier", "INVALID_MOVEMENT"
            )
        book = self._book(tenant)
        item = book.item(fields["site_id"], fields["part_number"], fields["stock_class"])
        assert item is not None
        if fields["quantity"] > item.on_hand:
            raise Conflict(
                f"only {normal(item.on_hand)} on hand",
                "INSUFFICIENT_STOCK",
                {"quantity": [f"at most {normal(item.on_hand)}"]},
            )
        self._shed(book, item, fields["quantity"])
        reference = (fields["movement"], new_id("wo"))
        moved = book.book_out(
            item, fields["quantity"], movement=fields["movement"], reference=reference,
            note=fields["reason"],
        )  # fmt: skip
        return {
            "write_off_id": reference[1],
            "quantity": normal(fields["quantity"]),
            "value": str(moved.value),
            "item": stock_item_out(item),
        }

    # -- stocktake -----------------------------------------------------------------------
    def _stocktake(self, stocktake_id: str, lock: bool = False) -> Stocktake:
        stocktake = self.db.session.get(Stocktake, stocktake_id, with_for_update=lock or None)
        return self._visible(stocktake, "stocktake", stocktake_id)

    def _stocktake_out(self, stocktake: Stocktake) -> dict[str, Any]:
        body = StocktakeOut().dump(
            {
                **{
                    c: getattr(stocktake, c)
                    for c in StocktakeOut().fields
                    if c not in ("lines", "report")
                },
                "lines": [
                    {
                        "bin": line.bin,
                        "part_number": line.part_number,
                        "book": line.book,
                        "counted": line.counted,
                        "variance": normal(count_line(line).variance),
                        "unit_cost": line.unit_cost,
                        "variance_value": count_line(line).variance_value,
                    }
                    for line in stocktake.lines
                ],
                "report": domain_report(stocktake),
            }
        )
        body["history"] = self._document_history(
            stocktake.group_id, "stocktake", stocktake.stocktake_id
        )
        return body

    @command
    def start_stocktake(self, data: dict[str, Any]) -> dict[str, Any]:
        """The count sheet: a snapshot of the book per bin and part; the warehouse is
        frozen (nothing in or out) until the manager approves the result."""
        fields = load(StocktakeIn(), data)
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
        if busy is not None:
            raise Conflict(
                "this warehouse is being counted already",
                "STOCKTAKE_OPEN",
                {"stocktake_id": [busy.stocktake_id]},
            )
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

    @command
    def record_counts(self, stocktake_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Counted quantities per bin and part; a part found where the book has none is
        added to the sheet (book 0). A later count of the same line replaces the earlier."""
        fields = load(CountsIn(), data)
        stocktake = self._stocktake(stocktake_id, lock=True)
        tenant = self._site(stocktake.site_id, *KEEPER_ROLES)
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

    @command
    def submit_stocktake(self, stocktake_id: str) -> dict[str, Any]:
        """Every line counted: the variance report goes to the manager."""
        stocktake = self._stocktake(stocktake_id, lock=True)
        tenant = self._site(stocktake.site_id, *KEEPER_ROLES)
        uncounted = [f"{l.bin}/{l.part_number}" for l in stocktake.lines if l.counted is None]  # noqa: E741
        if uncounted:
            raise Conflict(
                f"{len(uncounted)} lines are not counted yet",
                "UNCOUNTED_LINES",
                {"lines": uncounted[:50]},
            )
        stocktake.status = domain.transition("stocktake", stocktake.status, "submit")
        stocktake.submitted_at = utcnow()
        self._history(tenant.group_id, "stocktake", stocktake_id, "submitted", {})
        return self._stocktake_out(stocktake)

    @command
    def decide_stocktake(self, stocktake_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A manager approves (the variance is posted as adjustments) or sends it back to
        be counted again. Only approval moves stock."""
        fields = load(StocktakeDecisionIn(), data)
        stocktake = self._stocktake(stocktake_id, lock=True)
        tenant = self._site(stocktake.site_id, *MANAGER_ROLES)
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

    @query
    def get_stocktake(self, stocktake_id: str) -> dict[str, Any]:
        return self._stocktake_out(self._stocktake(stocktake_id))

    @query
    def list_stocktakes(self, site_id: str | None = None) -> list[dict[str, Any]]:
        tenant = self._staff()
        sites = tenant.visible_sites([site_id] if site_id else None)
        stmt = (
            select(Stocktake)
            .where(Stocktake.group_id == tenant.group_id)
            .order_by(Stocktake.started_at.desc())
            .limit(100)
        )
        if sites is not None:
            stmt = stmt.where(Stocktake.site_id.in_(sites))
        return [
            {
                "stocktake_id": s.stocktake_id,
                "site_id": s.site_id,
                "warehouse_id": s.warehouse_id,
                "kind": s.kind,
                "status": s.status,
                "started_at": s.started_at.isoformat(),
                "report": {k: str(v) for k, v in domain_report(s).items()},
            }
            for s in self.db.session.scalars(stmt)
        ]


def domain_report(stocktake: Stocktake) -> dict[str, Any]:
    report = domain.variance_report([count_line(line) for line in stocktake.lines])
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in report.items()}
