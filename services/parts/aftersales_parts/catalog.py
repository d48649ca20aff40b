"""The catalog, its price history, suppliers, warehouses and the reference-data loader."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Conflict, NotFound, ValidationFailed
from aftersales_core.service import command, query
from aftersales_core.validation import load

from .base import CATALOG_ROLES, KEEPER_ROLES, PartsBase
from .models import LedgerEntry, Part, PriceChange, StockItem, Supplier, Warehouse
from .schemas import (
    CatalogQuery,
    PartIn,
    PartOut,
    PartUpdateIn,
    PriceChangeIn,
    PriceChangeOut,
    QuoteIn,
    QuoteOut,
    ReferenceDataIn,
    SupplierIn,
    SupplierOut,
    WarehouseIn,
    WarehouseOut,
)


class CatalogRpc(PartsBase):
    # -- reference data ------------------------------------------------------------------
    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's catalog, suppliers and opening stock (used by `aftersales seed`).

        Idempotent: a part or supplier already there is left as it is, and opening stock
        is booked only for a part of a site whose ledger is still empty.
        """
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant = self.caller.tenant
        tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"parts": 0, "suppliers": 0, "stock": 0}
        for part in fields["parts"]:
            if session.get(Part, (group_id, part["part_number"])) is None:
                session.add(Part(group_id=group_id, **part))
                counts["parts"] += 1
        for supplier in fields["suppliers"]:
            found = session.get(Supplier, supplier["supplier_id"])
            if found is None:
                session.add(Supplier(group_id=group_id, **supplier))
                counts["suppliers"] += 1
            elif found.group_id != group_id:
                raise Conflict(
                    f"supplier id {supplier['supplier_id']} is taken",
                    "SUPPLIER_TAKEN",
                    {"suppliers": [supplier["supplier_id"]]},
                )
        session.flush()
        book = self._book(user_id=tenant.user_id)
        started: set[tuple[str, str]] = set()
        for index, row in enumerate(fields["stock"]):
            key = (row["site_id"], row["part_number"])
            self._part(group_id, row["part_number"], f"stock.{index}.part_number")
            if key not in started and session.scalar(
                select(LedgerEntry.entry_id)
                .where(LedgerEntry.site_id == key[0], LedgerEntry.part_number == key[1])
                .limit(1)
            ):
                continue
            started.add(key)
            warehouse = self._warehouse_named(book, row["site_id"], row["warehouse"])
            item = book.item(row["site_id"], row["part_number"])
            assert item is not None
            book.book_in(
                item,
                warehouse,
                row["bin"],
                row["quantity"],
                movement="opening",
                reference=("opening", row["site_id"]),
                unit_cost=row["unit_cost"],
                note="opening balance",
            )
            counts["stock"] += 1
        return counts

    def _warehouse_named(self, book: Any, site_id: str, name: str) -> Warehouse:
        found = self.db.session.scalars(
            select(Warehouse).where(Warehouse.site_id == site_id, Warehouse.name == name)
        ).first()
        if found is not None:
            if found.group_id != book.group_id:
                raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
            return found
        return book.add_warehouse(site_id, name, "main")

    # -- catalog -------------------------------------------------------------------------
    @query
    def list_parts(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """The group's catalog, optionally by text (number or name) or vehicle model."""
        tenant = self.caller.tenant
        wanted = load(CatalogQuery(), filters or {})
        stmt = select(Part).where(Part.group_id == tenant.group_id).order_by(Part.part_number)
        if text := wanted.get("q"):
            like = f"%{text}%"
            stmt = stmt.where(or_(Part.part_number.ilike(like), Part.name.ilike(like)))
        rows = list(self.db.session.scalars(stmt))
        if model := wanted.get("model"):
            rows = [p for p in rows if not p.models or model in p.models]
        return PartOut(many=True).dump(rows)

    @query
    def get_part(self, part_number: str) -> dict[str, Any]:
        part = self.db.session.get(Part, (self.caller.tenant.group_id, part_number))
        if part is None:
            raise NotFound(f"part {part_number} not found", "PART_NOT_FOUND")
        return PartOut().dump(part)

    @command
    def add_part(self, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self._staff(*CATALOG_ROLES)
        fields = load(PartIn(), data)
        if self.db.session.get(Part, (tenant.group_id, fields["part_number"])) is not None:
            raise Conflict(
                f"part {fields['part_number']} is already in the catalog",
                "PART_EXISTS",
                {"part_number": [fields["part_number"]]},
            )
        if fields.get("superseded_by"):
            self._part(tenant.group_id, fields["superseded_by"], "superseded_by")
        part = Part(group_id=tenant.group_id, **fields)
        self.db.session.add(part)
        self._price_change(part, None, None, "added to the catalog")
        return PartOut().dump(part)

    @command
    def update_part(self, part_number: str, data: dict[str, Any]) -> dict[str, Any]:
        """Name, unit, models and supersession (the new part that replaces this one)."""
        tenant = self._staff(*CATALOG_ROLES)
        fields = load(PartUpdateIn(), data)
        part = self.db.session.get(Part, (tenant.group_id, part_number))
        if part is None:
            raise NotFound(f"part {part_number} not found", "PART_NOT_FOUND")
        new = fields.get("superseded_by")
        if new:
            if new == part_number:
                raise ValidationFailed.on("superseded_by", "a part cannot replace itself")
            self._part(tenant.group_id, new, "superseded_by")
            seen = {part_number}
            step = new
            while step is not None:  # A -> B -> A would send the counter in circles
                if step in seen:
                    raise ValidationFailed.on(
                        "superseded_by", "that would make a circle", "SUPERSESSION_LOOP"
                    )
                seen.add(step)
                nxt = self.db.session.get(Part, (tenant.group_id, step))
                step = nxt.superseded_by if nxt is not None else None
        for key, value in fields.items():
            setattr(part, key, value)
        return PartOut().dump(part)

    @command
    def change_price(self, part_number: str, data: dict[str, Any]) -> dict[str, Any]:
        """A new price and/or cost from today; the old one is kept with its dates."""
        tenant = self._staff(*CATALOG_ROLES)
        fields = load(PriceChangeIn(), data)
        part = self.db.session.get(Part, (tenant.group_id, part_number))
        if part is None:
            raise NotFound(f"part {part_number} not found", "PART_NOT_FOUND")
        new_price = fields.get("price", part.price)
        new_cost = fields.get("cost", part.cost)
        if new_price < new_cost:
            raise ValidationFailed.on("price", "price is below cost", "PRICE_BELOW_COST")
        if (new_price, new_cost) == (part.price, part.cost):
            raise Conflict("nothing changes", "NO_CHANGE", {"price": [str(part.price)]})
        old_price, old_cost = part.price, part.cost
        part.price, part.cost = new_price, new_cost
        change = self._price_change(part, old_price, old_cost, fields.get("reason"))
        return PriceChangeOut().dump(change)

    def _price_change(
        self, part: Part, old_price: Decimal | None, old_cost: Decimal | None, reason: str | None
    ) -> PriceChange:
        change = PriceChange(
            group_id=part.group_id,
            part_number=part.part_number,
            old_price=old_price,
            new_price=part.price,
            old_cost=old_cost,
            new_cost=part.cost,
            effective_at=utcnow(),
            changed_by=self.caller.tenant.user_id,
            reason=reason,
        )
        self.db.session.add(change)
        return change

    @query
    def price_history(self, part_number: str) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        self.get_part(part_number)
        rows = self.db.session.scalars(
            select(PriceChange)
            .where(PriceChange.group_id == tenant.group_id, PriceChange.part_number == part_number)
            .order_by(PriceChange.effective_at, PriceChange.change_id)
        )
        return PriceChangeOut(many=True).dump(rows)

    @query
    def quote(self, site_id: str, part_numbers: list[str]) -> list[dict[str, Any]]:
        """Price and availability (on hand less reserved) at a site, for pricing RO lines.

        One entry per part number asked, in that order; an unknown one fails the call.
        """
        fields = load(QuoteIn(), {"site_id": site_id, "part_numbers": part_numbers})
        tenant = self._site(fields["site_id"])
        session = self.db.session
        unknown = [
            n for n in fields["part_numbers"] if session.get(Part, (tenant.group_id, n)) is None
        ]
        if unknown:
            raise ValidationFailed(
                "unknown part number: " + ", ".join(unknown),
                "UNKNOWN_PART",
                {"part_numbers": [f"unknown part number {n}" for n in unknown]},
            )
        items = {
            item.part_number: item
            for item in session.scalars(
                select(StockItem).where(
                    StockItem.site_id == fields["site_id"],
                    StockItem.stock_class == "usable",
                    StockItem.group_id == tenant.group_id,
                    StockItem.part_number.in_(fields["part_numbers"]),
                )
            )
        }
        result = []
        for number in fields["part_numbers"]:
            part = session.get(Part, (tenant.group_id, number))
            item = items.get(number)
            available = (item.on_hand - item.reserved) if item else Decimal(0)
            result.append(
                {
                    "part_number": number,
                    "name": part.name,
                    "unit": part.unit,
                    "price": part.price,
                    "available": available,
                    "superseded_by": part.superseded_by,
                }
            )
        return QuoteOut(many=True).dump(result)

    # -- suppliers -----------------------------------------------------------------------
    @query
    def list_suppliers(self) -> list[dict[str, Any]]:
        tenant = self._staff()
        rows = self.db.session.scalars(
            select(Supplier).where(Supplier.group_id == tenant.group_id).order_by(Supplier.name)
        )
        return SupplierOut(many=True).dump(rows)

    @command
    def save_supplier(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a supplier, or change one (its id stays)."""
        tenant = self._staff(*CATALOG_ROLES)
        fields = load(SupplierIn(), data)
        supplier = self.db.session.get(Supplier, fields["supplier_id"])
        if supplier is not None and supplier.group_id != tenant.group_id:
            raise Conflict(
                "that supplier id is taken", "SUPPLIER_TAKEN", {"supplier_id": ["taken"]}
            )
        if supplier is None:
            supplier = Supplier(group_id=tenant.group_id, **fields)
            self.db.session.add(supplier)
        else:
            for key, value in fields.items():
                setattr(supplier, key, value)
        return SupplierOut().dump(supplier)

    # -- warehouses ----------------------------------------------------------------------
    @query
    def list_warehouses(self, site_id: str | None = None) -> list[dict[str, Any]]:
        tenant = self._staff()
        sites = tenant.visible_sites([site_id] if site_id else None)
        stmt = (
            select(Warehouse)
            .where(Warehouse.group_id == tenant.group_id)
            .order_by(Warehouse.site_id, Warehouse.created_at)
        )
        if sites is not None:
            stmt = stmt.where(Warehouse.site_id.in_(sites))
        return WarehouseOut(many=True).dump(self.db.session.scalars(stmt))

    @command
    def add_warehouse(self, data: dict[str, Any]) -> dict[str, Any]:
        fields = load(WarehouseIn(), data)
        tenant = self._site(fields["site_id"], *KEEPER_ROLES)
        taken = self.db.session.scalars(
            select(Warehouse).where(
                Warehouse.site_id == fields["site_id"], Warehouse.name == fields["name"]
            )
        ).first()
        if taken is not None:
            raise Conflict("that warehouse exists", "WAREHOUSE_EXISTS", {"name": [fields["name"]]})
        warehouse = self._book(tenant).add_warehouse(
            fields["site_id"], fields["name"], fields["kind"]
        )
        return WarehouseOut().dump(warehouse)
