"""Counter sales with special orders, the group parts locator, inter-site transfers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.parts import (
    CounterSaleCompleteIn,
    CounterSaleDetailOut,
    CounterSaleIn,
    CounterSaleOut,
    CounterSaleQuery,
    LocatorOut,
    LocatorQuery,
    PartsReasonIn,
    TransferDetailOut,
    TransferIn,
    TransferOut,
    TransferQuery,
    TransferReceiveIn,
)
from aftersales_core.envelope import utcnow
from aftersales_core.errors import NotFound

from . import domain
from .base import COUNTER_ROLES, KEEPER_ROLES, TRANSFER_ROLES, PartsBase
from .domain import ZERO, money, normal
from .models import (
    BackOrder,
    CounterSale,
    CounterSaleLine,
    Lot,
    Part,
    StockItem,
    Transfer,
    TransferLine,
    Warehouse,
)
from .stock import new_id


class Sales(PartsBase):
    """The use cases of counter sales, the locator, transfers."""

    # -- counter sales -------------------------------------------------------------------
    def create_counter_sale(self, data: dict[str, Any]) -> dict[str, Any]:
        """Sell over the counter: what is in stock is reserved for the customer; what is
        not becomes a special order, ordered at once, against a deposit (订金)."""
        fields = self._load(CounterSaleIn(), data)
        site_id = fields["site_id"]
        tenant = self._site(site_id, *COUNTER_ROLES)
        parts: list[Part] = []
        for index, line in enumerate(fields["lines"]):
            parts.append(self._part(tenant.group_id, line["part_number"],
                                    f"lines.{index}.part_number"))  # fmt: skip
        domain.check_no_repeats([p.part_number for p in parts], "part")
        book = self._book(tenant)
        items = book.items(site_id, [p.part_number for p in parts])
        sale = CounterSale(
            sale_id=new_id("cs"),
            group_id=tenant.group_id,
            site_id=site_id,
            customer_id=fields["customer_id"],
            customer_name=fields["customer_name"],
            phone=fields["phone"],
            deposit=fields["deposit"],
            total=Decimal("0.00"),
            status="ready",
            created_by=tenant.user_id,
            created_at=book.now,
            lines=[],
        )
        for number, (line, part) in enumerate(zip(fields["lines"], parts, strict=True), 1):
            split = book.reserve(items[part.part_number], line["quantity"])
            sale.lines.append(
                CounterSaleLine(
                    line_no=number,
                    part_number=part.part_number,
                    quantity=line["quantity"],
                    unit_price=part.price,
                    reserved=split.reserved,
                    special_ordered=split.short,
                    issued=ZERO,
                )
            )
            sale.total += money(line["quantity"] * part.price)
        special = [line for line in sale.lines if line.special_ordered > 0]
        domain.check_sale(sale.total, sale.deposit, bool(special))
        if special:
            sale.status = "waiting"
        self.db.session.add(sale)
        self.db.session.flush()
        backorders = [
            self._backorder(
                tenant.group_id,
                site_id,
                line.part_number,
                line.special_ordered,
                demand="counter_sale",
                sale_id=sale.sale_id,
                sale_line_pk=line.id,
            )  # fmt: skip
            for line in special
        ]
        self._order_shortfall(tenant.group_id, site_id, backorders)
        self._history(tenant.group_id, "counter_sale", sale.sale_id, "created",
                      {"status": sale.status, "deposit": sale.deposit})  # fmt: skip
        return self._sale_out(sale)

    def _sale(self, sale_id: str, lock: bool = False) -> CounterSale:
        sale = self.db.session.get(CounterSale, sale_id, with_for_update=lock or None)
        return self._visible(sale, "counter sale", sale_id)

    def _sale_view(self, sale: CounterSale) -> dict[str, Any]:
        view = {
            c: getattr(sale, c)
            for c in CounterSaleOut().fields
            if c not in ("backorders", "balance_due")
        }
        view["balance_due"] = sale.total - sale.deposit
        view["backorders"] = list(
            self.db.session.scalars(
                select(BackOrder)
                .where(BackOrder.sale_id == sale.sale_id)
                .order_by(BackOrder.created_at, BackOrder.backorder_id)
            )
        )
        return view

    def _sale_out(self, sale: CounterSale) -> dict[str, Any]:
        return CounterSaleOut().dump(self._sale_view(sale))

    def get_counter_sale(self, sale_id: str) -> dict[str, Any]:
        sale = self._sale(sale_id)
        view = self._sale_view(sale)
        view["history"] = self._document_history(sale.group_id, "counter_sale", sale_id)
        return CounterSaleDetailOut().dump(view)

    def list_counter_sales(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Counter sales of the caller's sites, newest first."""
        wanted = self._load(CounterSaleQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(CounterSale).where(CounterSale.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(CounterSale.site_id.in_(sites))
        if wanted.get("status"):
            stmt = stmt.where(CounterSale.status == wanted["status"])
        keys = (CounterSale.created_at, CounterSale.sale_id)
        return self._page(stmt, keys, wanted, CounterSaleOut, self._sale_view)

    def complete_counter_sale(self, sale_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer pays the balance and takes the parts: they leave the warehouse."""
        fields = self._load(CounterSaleCompleteIn(), data)
        sale = self._sale(sale_id, lock=True)
        tenant = self._site(sale.site_id, *COUNTER_ROLES)
        status = domain.transition("counter_sale", sale.status, "complete")
        due = sale.total - sale.deposit
        domain.check_payment(fields["paid"], due)
        book = self._book(tenant)
        items = book.items(sale.site_id, [line.part_number for line in sale.lines])
        for line in sale.lines:
            item = items[line.part_number]
            book.release(item, line.reserved)
            moved = book.book_out(
                item, line.reserved, movement="counter_sale", reference=("counter_sale", sale_id)
            )
            line.issued, line.reserved, line.unit_cost = line.reserved, ZERO, moved.unit_cost
        sale.status, sale.paid, sale.closed_at = status, fields["paid"], book.now
        self._history(tenant.group_id, "counter_sale", sale_id, "completed", {"paid": due})
        return self._sale_out(sale)

    def cancel_counter_sale(self, sale_id: str, data: dict[str, Any] | None = None) -> dict:
        """Reservations go back to stock, special orders are dropped (what arrives is
        stock), and the deposit is refunded."""
        reason = self._load(PartsReasonIn(), data)["reason"]
        sale = self._sale(sale_id, lock=True)
        tenant = self._site(sale.site_id, *COUNTER_ROLES)
        status = domain.transition("counter_sale", sale.status, "cancel")
        book = self._book(tenant)
        items = book.items(sale.site_id, [line.part_number for line in sale.lines])
        for backorder in self.db.session.scalars(
            select(BackOrder)
            .where(BackOrder.sale_id == sale_id, BackOrder.status == "open")
            .with_for_update()
        ):
            backorder.status, backorder.closed_at = "cancelled", book.now
        for line in sale.lines:
            book.release(items[line.part_number], line.reserved)
            line.reserved = line.special_ordered = ZERO
        sale.status, sale.closed_at = status, book.now
        for number in sorted(items):
            self._serve(book, items[number])
        self._history(tenant.group_id, "counter_sale", sale_id, "cancelled",
                      {"deposit_refunded": sale.deposit}, note=reason)  # fmt: skip
        return self._sale_out(sale)

    # -- group locator -------------------------------------------------------------------
    def locate_part(self, part_number: str) -> dict[str, Any]:
        """Where in the group a part is available: every site of the caller's group
        (quantities only), never another group's."""
        wanted = self._load(LocatorQuery(), {"part_number": part_number})
        tenant = self._staff()
        found = self.db.session.get(Part, (tenant.group_id, wanted["part_number"]))
        if found is None:
            raise NotFound(f"part {part_number} not found", "PART_NOT_FOUND")
        numbers = [found.part_number]
        if found.superseded_by:
            numbers.append(found.superseded_by)
        sites: list[dict[str, Any]] = []
        for item in self.db.session.scalars(
            select(StockItem)
            .where(
                StockItem.group_id == tenant.group_id,
                StockItem.stock_class == "usable",
                StockItem.part_number.in_(numbers),
                StockItem.on_hand > 0,
            )
            .order_by(StockItem.site_id)
        ):
            bins = self.db.session.execute(
                select(Lot.warehouse_id, Lot.bin, Lot.remaining)
                .where(
                    Lot.site_id == item.site_id,
                    Lot.stock_class == "usable",
                    Lot.part_number == item.part_number,
                    Lot.remaining > 0,
                )
                .order_by(Lot.received_at)
            ).all()
            sites.append(
                {
                    "site_id": item.site_id,
                    "part_number": item.part_number,
                    "on_hand": item.on_hand,
                    "reserved": item.reserved,
                    "available": item.on_hand - item.reserved,
                    "yours": tenant.can_see_site(item.site_id),
                    "bins": [{"warehouse_id": w, "bin": b, "quantity": q} for w, b, q in bins],
                }
            )
        sites.sort(key=lambda s: (s["part_number"] != found.part_number, -s["available"]))
        return LocatorOut().dump(
            {
                "part_number": found.part_number,
                "name": found.name,
                "superseded_by": found.superseded_by,
                "sites": sites,
            }
        )

    # -- transfers between sites ---------------------------------------------------------
    def _group_site(self, group_id: str, site_id: str, field: str) -> None:
        """A site is the group's if it keeps stock in this group: others are not found."""
        owner = self.db.session.scalars(
            select(Warehouse.group_id).where(Warehouse.site_id == site_id)
        ).first()
        domain.check_group_site(site_id, field, group_id, owner)

    def _transfer(self, transfer_id: str, lock: bool = False) -> Transfer:
        tenant = self._staff()
        transfer = self.db.session.get(Transfer, transfer_id, with_for_update=lock or None)
        if (
            transfer is None
            or transfer.group_id != tenant.group_id
            or not (
                tenant.can_see_site(transfer.from_site_id)
                or tenant.can_see_site(transfer.to_site_id)
            )
        ):
            raise NotFound(f"transfer {transfer_id} not found", "TRANSFER_NOT_FOUND")
        return transfer

    def _transfer_out(self, transfer: Transfer, history: bool = False) -> dict[str, Any]:
        if not history:
            return TransferOut().dump(transfer)
        view = {c: getattr(transfer, c) for c in TransferOut().fields}
        view["history"] = self._document_history(
            transfer.group_id, "transfer", transfer.transfer_id
        )
        return TransferDetailOut().dump(view)

    def request_transfer(self, data: dict[str, Any]) -> dict[str, Any]:
        """A site asks another site of its group for parts (调拨申请)."""
        fields = self._load(TransferIn(), data)
        tenant = self._site(fields["to_site_id"], *TRANSFER_ROLES)
        self._group_site(tenant.group_id, fields["from_site_id"], "from_site_id")
        transfer = Transfer(
            transfer_id=new_id("tr"),
            group_id=tenant.group_id,
            from_site_id=fields["from_site_id"],
            to_site_id=fields["to_site_id"],
            status="requested",
            reason=fields["reason"],
            requested_by=tenant.user_id,
            requested_at=utcnow(),
            lines=[],
        )
        domain.check_no_repeats([line["part_number"] for line in fields["lines"]], "part")
        for index, line in enumerate(fields["lines"]):
            self._part(tenant.group_id, line["part_number"], f"lines.{index}.part_number")
            transfer.lines.append(
                TransferLine(
                    part_number=line["part_number"],
                    quantity=line["quantity"],
                    shipped=ZERO,
                    received=ZERO,
                    value=ZERO,
                )
            )
        self.db.session.add(transfer)
        self._history(tenant.group_id, "transfer", transfer.transfer_id, "requested", {})
        return self._transfer_out(transfer)

    def get_transfer(self, transfer_id: str) -> dict[str, Any]:
        return self._transfer_out(self._transfer(transfer_id), history=True)

    def list_transfers(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Transfers to or from the caller's sites, newest first."""
        wanted = self._load(TransferQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(Transfer).where(Transfer.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Transfer.from_site_id.in_(sites) | Transfer.to_site_id.in_(sites))
        if wanted.get("status"):
            stmt = stmt.where(Transfer.status == wanted["status"])
        keys = (Transfer.requested_at, Transfer.transfer_id)
        return self._page(stmt, keys, wanted, TransferOut)

    def ship_transfer(self, transfer_id: str) -> dict[str, Any]:
        """The sending site ships what was asked from its free stock (not what is reserved)."""
        transfer = self._transfer(transfer_id, lock=True)
        tenant = self._site(transfer.from_site_id, *KEEPER_ROLES)
        transfer.status = domain.transition("transfer", transfer.status, "ship")
        book = self._book(tenant)
        items = book.items(transfer.from_site_id, [line.part_number for line in transfer.lines])
        for index, line in enumerate(transfer.lines):
            item = items[line.part_number]
            domain.check_free_to_ship(
                index, line.part_number, line.quantity, item.on_hand - item.reserved
            )
            moved = book.book_out(
                item, line.quantity, movement="transfer_out", reference=("transfer", transfer_id)
            )
            line.shipped, line.value = line.quantity, moved.value
        transfer.shipped_by, transfer.shipped_at = tenant.user_id, book.now
        self._history(tenant.group_id, "transfer", transfer_id, "shipped", {})
        return self._transfer_out(transfer)

    def receive_transfer(self, transfer_id: str, data: dict[str, Any] | None = None) -> dict:
        """The receiving site books in what arrived, at the cost it was shipped at; a
        shortfall is recorded on the transfer. Back orders waiting here are served first."""
        fields = self._load(TransferReceiveIn(), data)
        transfer = self._transfer(transfer_id, lock=True)
        tenant = self._site(transfer.to_site_id, *KEEPER_ROLES)
        transfer.status = domain.transition("transfer", transfer.status, "receive")
        counted = {line.part_number: line.shipped for line in transfer.lines}
        for index, entry in enumerate(fields["lines"] or []):
            domain.check_transfer_line(index, entry["part_number"] in counted)
            counted[entry["part_number"]] = entry["received"]
        book = self._book(tenant)
        warehouse = book.warehouse(transfer.to_site_id, "main", fields["warehouse_id"])
        items = book.items(transfer.to_site_id, counted)
        short = []
        for index, line in enumerate(transfer.lines):
            received = counted[line.part_number]
            domain.check_received(index, received, line.shipped)
            line.received = received
            if received < line.shipped:
                short.append(f"{line.part_number}: {normal(line.shipped - received)} missing")
            if received == 0:
                continue
            item = items[line.part_number]
            bin_code = domain.require_bin(
                fields["bin"] or book.default_bin(item, warehouse), line.part_number
            )
            value = (
                line.value
                if received == line.shipped
                else money(line.value * received / line.shipped)
            )
            book.book_in(
                item, warehouse, bin_code, received, movement="transfer_in",
                reference=("transfer", transfer_id), value=value,
            )  # fmt: skip
        transfer.received_by, transfer.received_at = tenant.user_id, book.now
        transfer.note = "; ".join(short) or fields["note"]
        for number in sorted(items):
            self._serve(book, items[number])
        self._history(tenant.group_id, "transfer", transfer_id, "received",
                      {"short": short}, note=fields["note"])  # fmt: skip
        return self._transfer_out(transfer)

    def reject_transfer(self, transfer_id: str, data: dict[str, Any] | None = None) -> dict:
        """The sending site says no (or the requesting site withdraws)."""
        reason = self._load(PartsReasonIn(), data)["reason"]
        transfer = self._transfer(transfer_id, lock=True)
        tenant = self._staff(*TRANSFER_ROLES)
        if tenant.can_see_site(transfer.from_site_id):
            action = "reject"
        else:
            tenant.require_site(transfer.to_site_id)
            action = "cancel"
        transfer.status = domain.transition("transfer", transfer.status, action)
        transfer.note = reason
        self._history(tenant.group_id, "transfer", transfer_id, transfer.status, {}, note=reason)
        return self._transfer_out(transfer)
