"""The catalog, its price history, suppliers, warehouses and the reference-data loader."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast, or_, select

from aftersales_contracts.api.pages import PageQuery
from aftersales_contracts.api.parts import (
    CatalogQuery,
    PartIn,
    PartOut,
    PartsQuoteIn,
    PartsQuoteOut,
    PartsSiteListQuery,
    PartUpdateIn,
    PriceChangeIn,
    PriceChangeOut,
    ReferenceDataIn,
    SupplierFields,
    SupplierIn,
    SupplierOut,
    WarehouseIn,
    WarehouseOut,
)
from aftersales_core.envelope import utcnow
from aftersales_core.errors import NotFound
from aftersales_core.search import contains

from . import domain
from .base import CATALOG_ROLES, KEEPER_ROLES, PartsBase
from .models import LedgerEntry, Part, PriceChange, StockItem, Supplier, Warehouse
from .stock import StockBook


class Catalog(PartsBase):
    """The use cases of catalog, prices, suppliers, warehouses."""

    # -- reference data ------------------------------------------------------------------
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's catalog, suppliers and opening stock (used by `aftersales seed`).

        Idempotent: a part or supplier already there is left as it is, and opening stock
        is booked only for a part of a site whose ledger is still empty.
        """
        fields = self._load(ReferenceDataIn(), data)
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
            owner = found.group_id if found is not None else None
            domain.check_supplier_id(supplier["supplier_id"], owner, group_id, "suppliers")
            if found is None:
                session.add(Supplier(group_id=group_id, **supplier))
                counts["suppliers"] += 1
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
                item, warehouse, row["bin"], row["quantity"], movement="opening",
                reference=("opening", row["site_id"]), unit_cost=row["unit_cost"],
                note="opening balance",
            )  # fmt: skip
            counts["stock"] += 1
        return counts

    def _warehouse_named(self, book: StockBook, site_id: str, name: str) -> Warehouse:
        found = self.db.session.scalars(
            select(Warehouse).where(Warehouse.site_id == site_id, Warehouse.name == name)
        ).first()
        if found is not None:
            if found.group_id != book.group_id:
                raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
            return found
        return book.add_warehouse(site_id, name, "main")

    # -- catalog -------------------------------------------------------------------------
    def list_parts(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """The group's catalog by part number, optionally by text (number or name) or
        vehicle model (a part listing no models fits every model)."""
        tenant = self.caller.tenant
        wanted = self._load(CatalogQuery(), filters)
        stmt = select(Part).where(Part.group_id == tenant.group_id)
        if text := wanted.get("q"):
            stmt = stmt.where(or_(contains(Part.part_number, text), contains(Part.name, text)))
        if model := wanted.get("model"):
            models = cast(Part.models, Text)
            stmt = stmt.where(
                or_(models == "[]", models.contains(json.dumps(model), autoescape=True))
            )
        return self._page(stmt, (Part.part_number,), wanted, PartOut, descending=False)

    def _catalog_part(self, part_number: str, lock: bool = False) -> Part:
        part = self.db.session.get(
            Part, (self.caller.tenant.group_id, part_number), with_for_update=lock or None
        )
        if part is None:
            raise NotFound(f"part {part_number} not found", "PART_NOT_FOUND")
        return part

    def get_part(self, part_number: str) -> dict[str, Any]:
        return PartOut().dump(self._catalog_part(part_number))

    def add_part(self, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self._staff(*CATALOG_ROLES)
        fields = self._load(PartIn(), data)
        exists = self.db.session.get(Part, (tenant.group_id, fields["part_number"])) is not None
        domain.check_new_part(fields["part_number"], exists)
        if fields.get("superseded_by"):
            self._part(tenant.group_id, fields["superseded_by"], "superseded_by")
        part = Part(group_id=tenant.group_id, **fields)
        self.db.session.add(part)
        self._price_change(part, None, None, "added to the catalog")
        return PartOut().dump(part)

    def update_part(self, part_number: str, data: dict[str, Any]) -> dict[str, Any]:
        """Name, unit, models and supersession (the new part that replaces this one)."""
        tenant = self._staff(*CATALOG_ROLES)
        fields = self._load(PartUpdateIn(), data)
        part = self._catalog_part(part_number, lock=True)
        self._require_match(PartOut().dump(part))
        if new := fields.get("superseded_by"):
            self._part(tenant.group_id, new, "superseded_by")

            def replaced_by(number: str) -> str | None:
                found = self.db.session.get(Part, (tenant.group_id, number))
                return found.superseded_by if found is not None else None

            domain.check_supersession(part_number, new, replaced_by)
        for key, value in fields.items():
            setattr(part, key, value)
        return PartOut().dump(part)

    def change_price(self, part_number: str, data: dict[str, Any]) -> dict[str, Any]:
        """A new price and/or cost from today; the old one is kept with its dates."""
        self._staff(*CATALOG_ROLES)
        fields = self._load(PriceChangeIn(), data)
        part = self._catalog_part(part_number, lock=True)
        new_price = fields.get("price", part.price)
        new_cost = fields.get("cost", part.cost)
        domain.check_price_change((part.price, part.cost), (new_price, new_cost))
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

    def price_history(
        self, part_number: str, filters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A part's prices and costs, oldest first."""
        tenant = self.caller.tenant
        wanted = self._load(PageQuery(), filters)
        self._catalog_part(part_number)
        stmt = select(PriceChange).where(
            PriceChange.group_id == tenant.group_id, PriceChange.part_number == part_number
        )
        keys = (PriceChange.effective_at, PriceChange.change_id)
        return self._page(stmt, keys, wanted, PriceChangeOut, descending=False)

    def quote(self, site_id: str, part_numbers: list[str]) -> list[dict[str, Any]]:
        """Price and availability (on hand less reserved) at a site, for pricing RO lines.

        One entry per part number asked, in that order; an unknown one fails the call.
        """
        return self.quote_parts({"site_id": site_id, "part_numbers": part_numbers})

    def quote_parts(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """`quote` with its arguments as one body (the HTTP API's)."""
        fields = self._load(PartsQuoteIn(), data)
        tenant = self._site(fields["site_id"])
        session = self.db.session
        numbers = fields["part_numbers"]
        parts = {n: session.get(Part, (tenant.group_id, n)) for n in numbers}
        domain.check_known_parts([n for n in numbers if parts[n] is None])
        items = {
            item.part_number: item
            for item in session.scalars(
                select(StockItem).where(
                    StockItem.site_id == fields["site_id"],
                    StockItem.stock_class == "usable",
                    StockItem.group_id == tenant.group_id,
                    StockItem.part_number.in_(numbers),
                )
            )
        }
        result = []
        for number in numbers:
            part, item = parts[number], items.get(number)
            result.append(
                {
                    "part_number": number,
                    "name": part.name,
                    "unit": part.unit,
                    "price": part.price,
                    "available": (item.on_hand - item.reserved) if item else Decimal(0),
                    "superseded_by": part.superseded_by,
                }
            )
        return PartsQuoteOut(many=True).dump(result)

    # -- suppliers -----------------------------------------------------------------------
    def list_suppliers(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        tenant = self._staff()
        wanted = self._load(PageQuery(), filters)
        stmt = select(Supplier).where(Supplier.group_id == tenant.group_id)
        keys = (Supplier.name, Supplier.supplier_id)
        return self._page(stmt, keys, wanted, SupplierOut, descending=False)

    def _supplier_of_group(self, supplier_id: str, lock: bool = False) -> Supplier:
        tenant = self._staff()
        supplier = self.db.session.get(Supplier, supplier_id, with_for_update=lock or None)
        if supplier is None or supplier.group_id != tenant.group_id:
            raise NotFound(f"supplier {supplier_id} not found", "SUPPLIER_NOT_FOUND")
        return supplier

    def get_supplier(self, supplier_id: str) -> dict[str, Any]:
        return SupplierOut().dump(self._supplier_of_group(supplier_id))

    def save_supplier(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a supplier (an id in use is a 409: changing one is `update_supplier`)."""
        tenant = self._staff(*CATALOG_ROLES)
        fields = self._load(SupplierIn(), data)
        supplier = self.db.session.get(Supplier, fields["supplier_id"], with_for_update=True)
        owner = supplier.group_id if supplier is not None else None
        domain.check_new_supplier(fields["supplier_id"], owner, tenant.group_id)
        domain.check_supplier_is_yours(
            fields["site_ids"], fields["site_ids"], tenant.site_ids, tenant.is_hq
        )
        supplier = Supplier(group_id=tenant.group_id, **fields)
        self.db.session.add(supplier)
        return SupplierOut().dump(supplier)

    def update_supplier(self, supplier_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Change a supplier (name, kind, OEM, default sites, lead times): the whole of it."""
        tenant = self._staff(*CATALOG_ROLES)
        fields = self._load(SupplierFields(), data)
        supplier = self._supplier_of_group(supplier_id, lock=True)
        self._require_match(SupplierOut().dump(supplier))
        domain.check_supplier_is_yours(
            supplier.site_ids or [], fields["site_ids"], tenant.site_ids, tenant.is_hq
        )
        for key, value in fields.items():
            setattr(supplier, key, value)
        return SupplierOut().dump(supplier)

    # -- warehouses ----------------------------------------------------------------------
    def list_warehouses(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        wanted = self._load(PartsSiteListQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(Warehouse).where(Warehouse.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Warehouse.site_id.in_(sites))
        keys = (Warehouse.site_id, Warehouse.created_at, Warehouse.warehouse_id)
        return self._page(stmt, keys, wanted, WarehouseOut, descending=False)

    def add_warehouse(self, data: dict[str, Any]) -> dict[str, Any]:
        fields = self._load(WarehouseIn(), data)
        tenant = self._site(fields["site_id"], *KEEPER_ROLES)
        taken = self.db.session.scalars(
            select(Warehouse).where(
                Warehouse.site_id == fields["site_id"], Warehouse.name == fields["name"]
            )
        ).first()
        domain.check_new_warehouse(fields["name"], taken is not None)
        warehouse = self._book(tenant).add_warehouse(
            fields["site_id"], fields["name"], fields["kind"]
        )
        return WarehouseOut().dump(warehouse)
