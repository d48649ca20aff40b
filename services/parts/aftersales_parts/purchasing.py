"""Replenishment: min/max, the proposed order, purchase orders, shipment notices,
receiving against the order, and claims to the supplier."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE
from sqlalchemy import func, select

from aftersales_contracts.api.parts import (
    PartsReasonIn,
    PartsSiteQuery,
    ProposalOut,
    PurchaseOrderDetailOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderQuery,
    ReceiptIn,
    ReceiptOut,
    ReceivedOut,
    ShipmentOut,
    ShipmentQuery,
    StockItemOut,
    StockLevelsIn,
    SupplierClaimDecisionIn,
    SupplierClaimIn,
    SupplierClaimOut,
    SupplierClaimQuery,
)
from aftersales_contracts.oem_parts import ShipmentNotice
from aftersales_core.envelope import Envelope, as_utc, utcnow
from aftersales_core.errors import NotFound

from . import domain
from .base import KEEPER_ROLES, PLANNER_ROLES, PartsBase
from .domain import ZERO, PlanningRow, money, normal
from .models import (
    BackOrder,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    Receipt,
    ReceiptLine,
    Shipment,
    StockItem,
    Supplier,
    SupplierClaim,
)
from .stock import new_id

log = logging.getLogger(__name__)

OPEN_PO = ("draft", "sent", "partly_received")


def stock_item_view(item: StockItem, name: str | None = None) -> dict[str, Any]:
    """A stock item as the API shows it: with what is available and its average cost."""
    valuation = domain.Valuation(item.on_hand, item.value)
    return {
        "site_id": item.site_id,
        "stock_class": item.stock_class,
        "part_number": item.part_number,
        "name": name,
        "on_hand": item.on_hand,
        "reserved": item.reserved,
        "available": item.on_hand - item.reserved,
        "average_cost": valuation.average_cost,
        "value": item.value,
        "min_qty": item.min_qty,
        "max_qty": item.max_qty,
        "last_movement_at": as_utc(item.last_movement_at) if item.last_movement_at else None,
    }


class Purchasing(PartsBase):
    """The use cases of replenishment, purchasing, receiving, supplier claims."""

    # -- min/max and the proposal --------------------------------------------------------
    def set_stock_levels(self, data: dict[str, Any]) -> dict[str, Any]:
        """Minimum and maximum stock of a part at a site (最高最低库存)."""
        fields = self._load(StockLevelsIn(), data)
        tenant = self._site(fields["site_id"], *PLANNER_ROLES)
        part = self._part(tenant.group_id, fields["part_number"])
        domain.check_min_max(fields["min_qty"], fields["max_qty"])
        item = self._book(tenant).item(fields["site_id"], fields["part_number"])
        assert item is not None
        item.min_qty, item.max_qty = fields["min_qty"], fields["max_qty"]
        return StockItemOut().dump(stock_item_view(item, part.name))

    def _planning(self, group_id: str, site_id: str) -> list[PlanningRow]:
        session = self.db.session
        items = {
            item.part_number: item
            for item in session.scalars(
                select(StockItem).where(
                    StockItem.group_id == group_id,
                    StockItem.site_id == site_id,
                    StockItem.stock_class == "usable",
                )
            )
        }
        on_order = dict(
            session.execute(
                select(
                    PurchaseOrderLine.part_number,
                    func.sum(PurchaseOrderLine.quantity - PurchaseOrderLine.received),
                )
                .join(PurchaseOrder, PurchaseOrder.po_id == PurchaseOrderLine.po_id)
                .where(
                    PurchaseOrder.group_id == group_id,
                    PurchaseOrder.site_id == site_id,
                    PurchaseOrder.status.in_(OPEN_PO),
                )
                .group_by(PurchaseOrderLine.part_number)
            ).all()
        )
        waiting = dict(
            session.execute(
                select(BackOrder.part_number, func.sum(BackOrder.outstanding))
                .where(
                    BackOrder.group_id == group_id,
                    BackOrder.site_id == site_id,
                    BackOrder.status == "open",
                )
                .group_by(BackOrder.part_number)
            ).all()
        )
        rows = []
        for number in sorted(set(items) | set(on_order) | set(waiting)):
            item = items.get(number)
            rows.append(
                PlanningRow(
                    number,
                    item.on_hand if item else ZERO,
                    item.reserved if item else ZERO,
                    Decimal(on_order.get(number) or 0),
                    Decimal(waiting.get(number) or 0),
                    item.min_qty if item else None,
                    item.max_qty if item else None,
                )
            )
        return rows

    def _proposal(self, group_id: str, site_id: str) -> list[dict[str, Any]]:
        lines = []
        for row in self._planning(group_id, site_id):
            qty = domain.proposed_quantity(row)
            part = self.db.session.get(Part, (group_id, row.part_number))
            lines.append(
                {
                    "part_number": row.part_number,
                    "name": part.name if part else None,
                    "on_hand": row.on_hand,
                    "reserved": row.reserved,
                    "on_order": row.on_order,
                    "waiting": row.waiting,
                    "position": row.position,
                    "min_qty": row.min_qty,
                    "max_qty": row.max_qty,
                    "quantity": qty,
                    "unit_cost": part.cost if part else ZERO,
                    "amount": money(qty * (part.cost if part else ZERO)),
                }
            )
        return lines

    def order_proposal(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The proposed regular order: every part whose stock position (on hand − reserved
        + on order − waiting) is below its minimum, up to its maximum; and any waiting
        demand no order covers yet."""
        site_id = self._load(PartsSiteQuery(), filters)["site_id"]
        tenant = self._site(site_id)
        every = self._proposal(tenant.group_id, site_id)
        lines = [line for line in every if line["quantity"] > 0]
        supplier = self._default_supplier(tenant.group_id, site_id)
        return ProposalOut().dump(
            {
                "site_id": site_id,
                "supplier_id": supplier.supplier_id if supplier else None,
                "lines": lines,
                "total": sum((line["amount"] for line in lines), Decimal("0.00")),
                "parts_reviewed": len(every),
            }
        )

    # -- purchase orders -----------------------------------------------------------------
    def _supplier(self, group_id: str, supplier_id: str | None, site_id: str) -> Supplier:
        if supplier_id is None:
            found: Supplier = domain.require_supplier(self._default_supplier(group_id, site_id))
            return found
        supplier = self.db.session.get(Supplier, supplier_id)
        if supplier is None or supplier.group_id != group_id:
            raise NotFound(f"supplier {supplier_id} not found", "SUPPLIER_NOT_FOUND")
        return supplier

    def create_purchase_order(self, data: dict[str, Any]) -> dict[str, Any]:
        """A draft order: given lines, or the proposal's (`from_proposal`)."""
        fields = self._load(PurchaseOrderIn(), data)
        site_id = fields["site_id"]
        tenant = self._site(site_id, *PLANNER_ROLES)
        supplier = self._supplier(tenant.group_id, fields["supplier_id"], site_id)
        if fields["from_proposal"]:
            lines = [
                (line["part_number"], line["quantity"], None)
                for line in self._proposal(tenant.group_id, site_id)
                if line["quantity"] > 0
            ]
            domain.check_proposal(lines)
        else:
            lines = []
            seen: set[str] = set()
            for index, line in enumerate(fields["lines"]):
                self._part(tenant.group_id, line["part_number"], f"lines.{index}.part_number")
                domain.check_unique_part(index, line["part_number"], seen)
                lines.append((line["part_number"], line["quantity"], line["unit_cost"]))
        po = self._new_purchase_order(
            tenant.group_id, site_id, supplier, fields["kind"], lines, tenant.user_id,
            fields["note"],
        )  # fmt: skip
        self.db.session.flush()
        return self._po_out(po, detail=True)

    def _po(self, po_id: str, lock: bool = False) -> PurchaseOrder:
        po = self.db.session.get(PurchaseOrder, po_id, with_for_update=lock or None)
        return self._visible(po, "purchase order", po_id)

    def _po_view(self, po: PurchaseOrder, detail: bool = False) -> dict[str, Any]:
        """A purchase order as the API shows it; `detail`: with its receipts, shipment
        notices and history (the document a buyer edits, and its ETag)."""
        view = {c: getattr(po, c) for c in PurchaseOrderOut().fields if c != "lines"}
        view["lines"] = [
            {
                **{
                    c: getattr(line, c)
                    for c in (
                        "line_no",
                        "part_number",
                        "quantity",
                        "received",
                        "rejected",
                        "unit_cost",
                    )
                },
                "outstanding": line.quantity - line.received,
            }  # fmt: skip
            for line in po.lines
        ]
        if detail:
            session = self.db.session
            view["receipts"] = list(
                session.scalars(
                    select(Receipt).where(Receipt.po_id == po.po_id).order_by(Receipt.received_at)
                )
            )
            view["shipments"] = list(
                session.scalars(
                    select(Shipment).where(Shipment.po_id == po.po_id).order_by(Shipment.id)
                )
            )
            view["history"] = self._document_history(po.group_id, "purchase_order", po.po_id)
        return view

    def _po_out(self, po: PurchaseOrder, detail: bool = False) -> dict[str, Any]:
        schema = PurchaseOrderDetailOut() if detail else PurchaseOrderOut()
        return schema.dump(self._po_view(po, detail))

    def _po_to_change(self, po_id: str, *roles: str) -> PurchaseOrder:
        """The order locked for a change by one of `roles`, as the caller last read it."""
        po = self._po(po_id, lock=True)
        self._site(po.site_id, *roles)
        self._require_match(self._po_out(po, detail=True))
        return po

    def get_purchase_order(self, po_id: str) -> dict[str, Any]:
        return self._po_out(self._po(po_id), detail=True)

    def list_purchase_orders(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Purchase orders of the caller's sites, newest first."""
        wanted = self._load(PurchaseOrderQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(PurchaseOrder).where(PurchaseOrder.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(PurchaseOrder.site_id.in_(sites))
        for key in ("status", "kind", "supplier_id"):
            if wanted.get(key):
                stmt = stmt.where(getattr(PurchaseOrder, key) == wanted[key])
        keys = (PurchaseOrder.created_at, PurchaseOrder.po_id)
        return self._page(stmt, keys, wanted, PurchaseOrderOut, self._po_view)

    def send_purchase_order(self, po_id: str) -> dict[str, Any]:
        po = self._po_to_change(po_id, *PLANNER_ROLES)
        self._send_purchase_order(po, po.supplier, self.tenant.user_id)
        self.db.session.flush()
        return self._po_out(po, detail=True)

    def cancel_purchase_order(self, po_id: str, data: dict[str, Any] | None = None) -> dict:
        """Only before anything was received; back orders placed on it wait for another."""
        reason = self._load(PartsReasonIn(), data)["reason"]
        po = self._po_to_change(po_id, *PLANNER_ROLES)
        po.status = domain.transition("purchase_order", po.status, "cancel")
        po.closed_at = utcnow()
        for backorder in self.db.session.scalars(
            select(BackOrder).where(BackOrder.po_id == po_id, BackOrder.status == "open")
        ):
            backorder.po_id, backorder.expected_at = None, None
        self._history(po.group_id, "purchase_order", po_id, "cancelled", note=reason)
        self.db.session.flush()
        return self._po_out(po, detail=True)

    def close_purchase_order(self, po_id: str, data: dict[str, Any] | None = None) -> dict:
        """Short-close a partly received order: the rest will not come."""
        reason = self._load(PartsReasonIn(), data)["reason"]
        po = self._po_to_change(po_id, *PLANNER_ROLES)
        po.status = domain.transition("purchase_order", po.status, "close")
        po.closed_at = utcnow()
        self._history(po.group_id, "purchase_order", po_id, "closed", note=reason)
        self.db.session.flush()
        return self._po_out(po, detail=True)

    # -- shipment notices from the OEM ---------------------------------------------------
    def on_shipment_notice(self, message: Envelope) -> None:
        """Record what the OEM shipped against an order and when it should arrive; the
        order's open back orders take the new expected date. A notice for an order we do
        not know is kept as `unmatched` for the buyer, not thrown away."""
        data = ShipmentNotice(unknown=EXCLUDE).load(message.payload)
        session = self.db.session
        duplicate = session.scalars(
            select(Shipment).where(
                Shipment.group_id == message.group_id,
                Shipment.oem_id == data["oem_id"],
                Shipment.shipment_id == data["shipment_id"],
            )
        ).first()
        if duplicate is not None:
            log.info("shipment notice %s seen before", data["shipment_id"])
            return
        po = session.get(PurchaseOrder, data["po_id"], with_for_update=True)
        status, note, site_id = "in_transit", None, None
        if po is None or po.group_id != message.group_id:
            status, note = "unmatched", "no such purchase order"
        elif po.supplier.kind != "oem" or po.supplier.oem_id != data["oem_id"]:
            status, note, site_id = "unmatched", "the order is not with this OEM", po.site_id
        elif po.status not in ("sent", "partly_received"):
            status, note, site_id = "unmatched", f"the order is {po.status}", po.site_id
        elif problem := domain.notice_problem(data["lines"]):
            status, note, site_id = "unmatched", problem, po.site_id
        else:
            site_id = po.site_id
            numbers = {line.line_no: line.part_number for line in po.lines}
            wrong = [
                line["line_no"]
                for line in data["lines"]
                if numbers.get(line["line_no"]) != line["part_number"]
            ]
            if wrong:
                note = f"lines {wrong[:20]} do not match the order"
            if data["expected_at"] is not None:
                po.expected_at = data["expected_at"]
                for backorder in session.scalars(
                    select(BackOrder).where(BackOrder.po_id == po.po_id, BackOrder.status == "open")
                ):
                    backorder.expected_at = data["expected_at"]
            self._history(
                po.group_id, "purchase_order", po.po_id, "shipment_noticed",
                {"shipment_id": data["shipment_id"], "expected_at": data["expected_at"]},
                f"oem:{data['oem_id']}",
            )  # fmt: skip
        session.add(
            Shipment(
                shipment_id=data["shipment_id"],
                group_id=message.group_id,
                site_id=site_id,
                oem_id=data["oem_id"],
                po_id=data["po_id"],
                shipped_at=data["shipped_at"],
                expected_at=data["expected_at"],
                lines=message.payload["lines"],
                status=status,
                note=note,
                noticed_at=utcnow(),
            )
        )

    def list_shipments(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Shipment notices of the caller's sites, newest first (HQ: also those matching
        no order)."""
        wanted = self._load(ShipmentQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(Shipment).where(Shipment.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Shipment.site_id.in_(sites))
        for key in ("po_id", "status"):
            if wanted.get(key):
                stmt = stmt.where(getattr(Shipment, key) == wanted[key])
        return self._page(stmt, (Shipment.noticed_at, Shipment.id), wanted, ShipmentOut)

    # -- receiving -----------------------------------------------------------------------
    def receive_goods(self, po_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Receive against the order (入库验收): count, accept or reject with a reason,
        record the variance and put away to bins; back orders waiting for these parts
        are served first."""
        fields = self._load(ReceiptIn(), data)
        po = self._po(po_id, lock=True)
        tenant = self._site(po.site_id, *KEEPER_ROLES)
        domain.transition("purchase_order", po.status, "receive_part")
        session = self.db.session
        shipped: dict[int, dict[str, Any]] = {}
        shipment = None
        if fields["shipment_id"]:
            shipment = session.scalars(
                select(Shipment).where(
                    Shipment.group_id == po.group_id,
                    Shipment.po_id == po_id,
                    Shipment.shipment_id == fields["shipment_id"],
                )
            ).first()
            if shipment is None:
                raise NotFound(
                    f"no shipment {fields['shipment_id']} for this order", "SHIPMENT_NOT_FOUND"
                )
            domain.check_shipment(shipment.shipment_id, shipment.status)
            shipped = {line["line_no"]: line for line in shipment.lines}
        by_no = {line.line_no: line for line in po.lines}
        domain.check_receipt_lines([entry["line_no"] for entry in fields["lines"]], set(by_no))
        book = self._book(tenant)
        warehouse = book.warehouse(po.site_id, "main", fields["warehouse_id"])
        items = book.items(po.site_id, [by_no[e["line_no"]].part_number for e in fields["lines"]])
        receipt = Receipt(
            receipt_id=new_id("rcv"),
            group_id=po.group_id,
            site_id=po.site_id,
            po_id=po_id,
            shipment_id=fields["shipment_id"],
            warehouse_id=warehouse.warehouse_id,
            received_by=tenant.user_id,
            received_at=book.now,
            lines=[],
        )
        session.add(receipt)
        for index, entry in enumerate(fields["lines"]):
            po_line = by_no[entry["line_no"]]
            item = items[po_line.part_number]
            outstanding = po_line.quantity - po_line.received
            notice = shipped.get(entry["line_no"])
            expected = Decimal(notice["quantity_shipped"]) if notice else outstanding
            with domain.at_line(index):
                check = domain.check_receipt_line(
                    outstanding=outstanding,
                    expected=expected,
                    counted=entry["counted"],
                    accepted=entry["accepted"],
                    rejected=entry["rejected"],
                    reason=entry["reject_reason"],
                )
            unit_cost = entry["unit_cost"]
            if unit_cost is None and notice and notice.get("unit_cost") is not None:
                unit_cost = money(notice["unit_cost"])
            if unit_cost is None:
                unit_cost = po_line.unit_cost
            bin_code = domain.require_bin(
                entry["bin"] or book.default_bin(item, warehouse),
                po_line.part_number,
                {"lines": {str(index): {"bin": ["required for a part new to the warehouse"]}}},
            )
            if entry["accepted"] > 0:
                book.book_in(
                    item, warehouse, bin_code, entry["accepted"], movement="receipt",
                    reference=("receipt", receipt.receipt_id), unit_cost=unit_cost,
                    note=f"{po.po_number} line {po_line.line_no}",
                )  # fmt: skip
            po_line.received += entry["accepted"]
            po_line.rejected += entry["rejected"]
            receipt.lines.append(
                ReceiptLine(
                    line_no=po_line.line_no,
                    part_number=po_line.part_number,
                    expected=expected,
                    counted=entry["counted"],
                    accepted=entry["accepted"],
                    rejected=entry["rejected"],
                    reject_reason=entry["reject_reason"] if entry["rejected"] else None,
                    variance=check.variance,
                    bin=bin_code,
                    unit_cost=unit_cost,
                    claimed=ZERO,
                )
            )
        complete = all(line.received >= line.quantity for line in po.lines)
        po.status = domain.transition(
            "purchase_order", po.status, "receive_all" if complete else "receive_part"
        )
        if complete:
            po.closed_at = book.now
        if shipment is not None:
            shipment.status = "received"
        served = []
        for number in sorted(items):
            served.extend(self._serve(book, items[number], prefer_po=po_id))
        self._history(
            po.group_id, "purchase_order", po_id, "received",
            {"receipt_id": receipt.receipt_id, "status": po.status},
        )  # fmt: skip
        session.flush()
        view = {c: getattr(receipt, c) for c in ReceiptOut().fields}
        view["purchase_order_status"] = po.status
        view["served"] = [
            {
                "backorder_id": s.backorder.backorder_id,
                "demand": s.backorder.demand,
                "order_id": s.backorder.order_id,
                "sale_id": s.backorder.sale_id,
                "part_number": s.backorder.part_number,
                "quantity": s.quantity,
            }
            for s in served
        ]
        return ReceivedOut().dump(view)

    def get_receipt(self, receipt_id: str) -> dict[str, Any]:
        receipt = self._visible(self.db.session.get(Receipt, receipt_id), "receipt", receipt_id)
        return ReceiptOut().dump(receipt)

    # -- supplier claims -----------------------------------------------------------------
    def create_supplier_claim(self, data: dict[str, Any]) -> dict[str, Any]:
        """Claim parts received damaged or wrong from the supplier (配件索赔)."""
        fields = self._load(SupplierClaimIn(), data)
        receipt = self._visible(
            self.db.session.get(Receipt, fields["receipt_id"]), "receipt", fields["receipt_id"]
        )
        tenant = self._site(receipt.site_id, *PLANNER_ROLES)
        po = self.db.session.get(PurchaseOrder, receipt.po_id)
        assert po is not None
        by_id = {line.id: line for line in receipt.lines}
        lines, amount = [], Decimal("0.00")
        for index, entry in enumerate(fields["lines"]):
            line = by_id.get(entry["receipt_line_id"])
            reason = domain.check_claim_line(
                index,
                line is not None,
                entry["reason"] or (line.reject_reason if line else None),
                entry["quantity"],
                line.rejected if line else ZERO,
                line.claimed if line else ZERO,
            )
            assert line is not None
            line.claimed += entry["quantity"]
            line_amount = money(entry["quantity"] * line.unit_cost)
            amount += line_amount
            lines.append(
                {
                    "receipt_line_id": line.id,
                    "line_no": line.line_no,
                    "part_number": line.part_number,
                    "quantity": normal(entry["quantity"]),
                    "reason": reason,
                    "unit_cost": str(line.unit_cost),
                    "amount": str(line_amount),
                }
            )
        claim = SupplierClaim(
            claim_id=new_id("sc"),
            group_id=receipt.group_id,
            site_id=receipt.site_id,
            supplier_id=po.supplier_id,
            receipt_id=receipt.receipt_id,
            po_id=po.po_id,
            lines=lines,
            amount=amount,
            status="submitted",
            note=fields["note"],
            created_by=tenant.user_id,
            created_at=utcnow(),
        )
        self.db.session.add(claim)
        self._history(claim.group_id, "supplier_claim", claim.claim_id, "submitted", {})
        return SupplierClaimOut().dump(claim)

    def decide_supplier_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The supplier's answer: accepted with the amount credited, or rejected."""
        fields = self._load(SupplierClaimDecisionIn(), data)
        claim = self._visible(
            self.db.session.get(SupplierClaim, claim_id, with_for_update=True),
            "supplier claim",
            claim_id,
        )
        self._site(claim.site_id, *PLANNER_ROLES)
        action = "accept" if fields["decision"] == "accepted" else "reject"
        claim.status = domain.transition("supplier_claim", claim.status, action)
        claim.credited = domain.credited(action == "accept", claim.amount, fields["credited"])
        claim.decision_note, claim.decided_at = fields["note"], utcnow()
        self._history(
            claim.group_id, "supplier_claim", claim_id, fields["decision"],
            {"credited": claim.credited}, note=fields["note"],
        )  # fmt: skip
        return SupplierClaimOut().dump(claim)

    def list_supplier_claims(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Claims to suppliers of the caller's sites, newest first."""
        wanted = self._load(SupplierClaimQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(SupplierClaim).where(SupplierClaim.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(SupplierClaim.site_id.in_(sites))
        if wanted.get("status"):
            stmt = stmt.where(SupplierClaim.status == wanted["status"])
        keys = (SupplierClaim.created_at, SupplierClaim.claim_id)
        return self._page(stmt, keys, wanted, SupplierClaimOut)
