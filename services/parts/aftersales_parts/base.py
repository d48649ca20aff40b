"""What every use case of parts shares: the worker's database and caller, who may do
what, documents' history, outgoing events, and ordering what stock could not meet.

A use case is plain Python: the nameko service builds one per call from its `db` and
`caller` dependencies and calls it; the use case loads rows, asks the domain, saves and
publishes. It raises not-found and forbidden itself; every other refusal comes from the
domain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from marshmallow import Schema
from sqlalchemy import Select, select

from aftersales_contracts import validate_payload
from aftersales_contracts.api.pages import page_of
from aftersales_contracts.api.parts import (
    CATALOG_ROLES,
    COUNTER_ROLES,
    KEEPER_ROLES,
    LINE_CANCEL_ROLES,
    MANAGER_ROLES,
    PLANNER_ROLES,
    TRANSFER_ROLES,
)
from aftersales_core.clock import SITE_TZ
from aftersales_core.envelope import as_utc, to_primitives, utcnow
from aftersales_core.errors import Forbidden, NotFound
from aftersales_core.etag import require_match
from aftersales_core.pages import page
from aftersales_core.tenancy import Tenant
from aftersales_core.validation import load

from . import domain
from .domain import normal
from .models import (
    BackOrder,
    CounterSale,
    CounterSaleLine,
    DocumentHistory,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    StockItem,
    Supplier,
)
from .stock import Served, StockBook, new_id, next_number

log = logging.getLogger(__name__)

# Business dates (expected dates, PO numbers, figures' periods) are the site's calendar.
BUSINESS_TZ = SITE_TZ


def business_date(moment: datetime) -> date:
    return moment.astimezone(BUSINESS_TZ).date()


def day_start(day: date) -> datetime:
    """Midnight of a business day, as a UTC instant."""
    return datetime(day.year, day.month, day.day, tzinfo=BUSINESS_TZ).astimezone(UTC)


class PartsBase:
    """A group of use cases on one worker's database, for one caller."""

    def __init__(self, db: Any, caller: Any) -> None:
        self.db = db  # aftersales_core.db.WorkerDb: session, publish, send_to_oem
        self.caller = caller  # aftersales_core.service.Caller: context and tenant

    # -- who ---------------------------------------------------------------------------
    @property
    def tenant(self) -> Tenant:
        return self.caller.tenant

    def _staff(self, *roles: str) -> Tenant:
        tenant = self.caller.tenant
        if tenant.is_oem:
            raise Forbidden("an OEM does not see site records", "ROLE_FORBIDDEN")
        if roles:
            tenant.require_role(*roles)
        return tenant

    def _site(self, site_id: str, *roles: str) -> Tenant:
        """The caller acting at a site they named: another site is 403."""
        tenant = self._staff(*roles)
        tenant.require_site(site_id)
        return tenant

    def _visible(self, record: Any, kind: str, record_id: str) -> Any:
        """A record of another group or another site is not found, not forbidden."""
        tenant = self._staff()
        if (
            record is None
            or record.group_id != tenant.group_id
            or not tenant.can_see_site(record.site_id)
        ):
            code = kind.upper().replace(" ", "_") + "_NOT_FOUND"
            raise NotFound(f"{kind} {record_id} not found", code)
        return record

    def _book(self, tenant: Tenant | None = None, user_id: str | None = None) -> StockBook:
        tenant = tenant or self.tenant
        return StockBook(self.db.session, tenant.group_id, user_id or tenant.user_id, utcnow())

    def _part(self, group_id: str, part_number: str, field: str = "part_number") -> Part:
        found = self.db.session.get(Part, (group_id, part_number))
        part: Part = domain.require_part(found, part_number, field)
        return part

    # -- reading -----------------------------------------------------------------------
    def _load(self, schema: Schema, data: Any) -> Any:
        return load(schema, data if data is not None else {})

    def _sites(self, wanted: dict[str, Any]) -> tuple[str, ...] | None:
        """The sites a list covers: the one asked for (if the caller's), else all theirs."""
        tenant = self._staff()
        return tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)

    def _page(
        self,
        stmt: Select[Any],
        keys: tuple[Any, ...],
        wanted: dict[str, Any],
        item: type[Schema],
        view: Callable[[Any], Any] = lambda row: row,
        *,
        descending: bool = True,
    ) -> dict[str, Any]:
        """One page of a list (newest first unless told), each row's `view` dumped
        through `item`: `{"items": [...], "next_cursor": ...}`."""
        found = page(
            self.db.session, stmt, keys, limit=wanted["limit"], cursor=wanted["cursor"],
            dump=view, descending=descending,
        )  # fmt: skip
        return page_of(item)().dump(found)

    def _require_match(self, view: Any) -> None:
        """Optimistic locking: a write sent with a stale `If-Match` changes nothing (412).
        The document is locked and `view` is exactly what its GET answers."""
        require_match(self.caller.context, view)

    def _history(
        self,
        group_id: str,
        document: str,
        document_id: str,
        action: str,
        detail: dict[str, Any] | None = None,
        user_id: str | None = None,
        note: str | None = None,
    ) -> None:
        self.db.session.add(
            DocumentHistory(
                group_id=group_id,
                document=document,
                document_id=document_id,
                action=action,
                user_id=user_id or self.caller.user_id or "system",
                at=utcnow(),
                detail=domain_primitives(detail or {}),
                note=note,
            )
        )

    def _document_history(self, group_id: str, document: str, document_id: str) -> list[dict]:
        rows = self.db.session.scalars(
            select(DocumentHistory)
            .where(
                DocumentHistory.group_id == group_id,
                DocumentHistory.document == document,
                DocumentHistory.document_id == document_id,
            )
            .order_by(DocumentHistory.id)
        )
        return [
            {
                "action": row.action,
                "user_id": row.user_id,
                "at": as_utc(row.at),
                "detail": row.detail,
                "note": row.note,
            }
            for row in rows
        ]

    # -- events ------------------------------------------------------------------------
    def _publish(
        self, event_type: str, payload: dict[str, Any], group_id: str, site_id: str, corr: str
    ) -> None:
        """Every outgoing event is checked against its contract before it is recorded."""
        payload = domain_primitives(payload)
        validate_payload(event_type, payload)
        self.db.publish(
            event_type, payload, group_id=group_id, site_id=site_id, correlation_id=corr
        )

    def _announce_backordered(self, requisition: Requisition, backorder: BackOrder) -> None:
        self._publish(
            "part_backordered",
            {
                "order_id": requisition.order_id,
                "requisition_id": requisition.requisition_id,
                "line_id": backorder.line_id,
                "part_number": backorder.part_number,
                "quantity": normal(backorder.quantity),
                "expected_at": backorder.expected_at,
                "backorder_id": backorder.backorder_id,
                "po_id": backorder.po_id,
            },
            requisition.group_id,
            requisition.site_id,
            requisition.order_id,
        )

    def _announce_served(self, served: list[Served]) -> None:
        """Tell those waiting: an RO's back order arrived, or a special order did."""
        for entry in served:
            bo = entry.backorder
            if bo.demand == "requisition":
                self._publish(
                    "backorder_arrived",
                    {
                        "order_id": bo.order_id,
                        "requisition_id": bo.requisition_id,
                        "line_id": bo.line_id,
                        "part_number": bo.part_number,
                        "quantity": normal(entry.quantity),
                        "backorder_id": bo.backorder_id,
                    },
                    bo.group_id,
                    bo.site_id,
                    bo.order_id or bo.backorder_id,
                )
            else:
                sale = self.db.session.get(CounterSale, bo.sale_id)
                assert sale is not None
                self._publish(
                    "special_order_arrived",
                    {
                        "sale_id": sale.sale_id,
                        "customer_id": sale.customer_id,
                        "customer_name": sale.customer_name,
                        "phone": sale.phone,
                        "part_number": bo.part_number,
                        "quantity": normal(entry.quantity),
                        "ready": sale.status == "ready",
                    },
                    bo.group_id,
                    bo.site_id,
                    sale.sale_id,
                )

    def _serve(
        self, book: StockBook, item: StockItem, prefer_po: str | None = None
    ) -> list[Served]:
        served = book.serve_waiting(item, prefer_po)
        self._announce_served(served)
        return served

    def _shed(self, book: StockBook, item: StockItem, loss: Decimal) -> None:
        """Before stock is lost (a stocktake loss, scrap) below what is reserved, the
        newest reservations give way and become back orders, ordered like any other."""
        shortfalls: list[BackOrder] = []
        announce: list[tuple[Requisition, BackOrder]] = []
        for holder, qty in book.shed_reservations(item, item.on_hand - loss):
            if isinstance(holder, RequisitionLine):
                holder.backordered += qty
                requisition = holder.requisition
                backorder = self._backorder(
                    book.group_id, item.site_id, item.part_number, qty,
                    demand="requisition", requisition_id=requisition.requisition_id,
                    line_pk=holder.id, line_id=holder.line_id, order_id=requisition.order_id,
                )  # fmt: skip
                announce.append((requisition, backorder))
            else:
                assert isinstance(holder, CounterSaleLine)
                holder.special_ordered += qty
                sale = self.db.session.get(CounterSale, holder.sale_id)
                assert sale is not None
                sale.status = domain.transition("counter_sale", sale.status, "short")
                backorder = self._backorder(
                    book.group_id, item.site_id, item.part_number, qty,
                    demand="counter_sale", sale_id=sale.sale_id, sale_line_pk=holder.id,
                )  # fmt: skip
            shortfalls.append(backorder)
        self._order_shortfall(book.group_id, item.site_id, shortfalls)
        for requisition, backorder in announce:
            self._announce_backordered(requisition, backorder)

    # -- back orders and emergency orders ----------------------------------------------
    def _backorder(
        self,
        group_id: str,
        site_id: str,
        part_number: str,
        qty: Decimal,
        **demand: Any,
    ) -> BackOrder:
        backorder = BackOrder(
            backorder_id=new_id("bo"),
            group_id=group_id,
            site_id=site_id,
            part_number=part_number,
            quantity=qty,
            outstanding=qty,
            status="open",
            created_at=utcnow(),
            **demand,
        )
        self.db.session.add(backorder)
        return backorder

    def _order_shortfall(self, group_id: str, site_id: str, backorders: list[BackOrder]) -> None:
        """What stock could not meet is ordered at once: an emergency order to the site's
        default supplier, sent immediately; its lead time gives the expected date.

        With no supplier for the site the back order waits (expected date unknown) and
        shows in the planner's proposal.
        """
        if not backorders:
            return
        supplier = self._default_supplier(group_id, site_id)
        if supplier is None:
            log.warning("no supplier for %s: %d back orders wait", site_id, len(backorders))
            return
        wanted: dict[str, Decimal] = {}
        for bo in backorders:
            wanted[bo.part_number] = wanted.get(bo.part_number, Decimal(0)) + bo.outstanding
        po = self._new_purchase_order(
            group_id, site_id, supplier, "emergency", sorted(wanted.items()), "system"
        )
        self._send_purchase_order(po, supplier, "system")
        for bo in backorders:
            bo.po_id, bo.expected_at = po.po_id, po.expected_at

    def _default_supplier(self, group_id: str, site_id: str) -> Supplier | None:
        suppliers = list(
            self.db.session.scalars(
                select(Supplier)
                .where(Supplier.group_id == group_id)
                .order_by(Supplier.kind != "oem", Supplier.supplier_id)
            )
        )
        for supplier in suppliers:
            if site_id in (supplier.site_ids or []):
                return supplier
        return None

    def _new_purchase_order(
        self,
        group_id: str,
        site_id: str,
        supplier: Supplier,
        kind: str,
        lines: list[tuple[str, Decimal]] | list[tuple[str, Decimal, Decimal | None]],
        user_id: str,
        note: str | None = None,
    ) -> PurchaseOrder:
        now = utcnow()
        prefix = f"{site_code(site_id)}-PO-{business_date(now):%Y%m%d}"
        po = PurchaseOrder(
            po_id=new_id("po"),
            po_number=f"{prefix}-{next_number(self.db.session, prefix):03d}",
            group_id=group_id,
            site_id=site_id,
            supplier_id=supplier.supplier_id,
            kind=kind,
            status="draft",
            created_by=user_id,
            created_at=now,
            note=note,
            lines=[],
        )
        for number, (part_number, qty, *cost) in enumerate(lines, 1):
            unit_cost = cost[0] if cost and cost[0] is not None else None
            if unit_cost is None:
                unit_cost = self._part(group_id, part_number).cost
            po.lines.append(
                PurchaseOrderLine(
                    line_no=number,
                    part_number=part_number,
                    quantity=qty,
                    received=Decimal(0),
                    rejected=Decimal(0),
                    unit_cost=unit_cost,
                )
            )
        self.db.session.add(po)
        self._history(group_id, "purchase_order", po.po_id, "created", {"kind": kind}, user_id)
        return po

    def _send_purchase_order(self, po: PurchaseOrder, supplier: Supplier, user_id: str) -> None:
        """An OEM's order goes out on the OEM exchange (through the outbox); a local
        supplier's is placed by phone or its portal, so only its state changes here."""
        po.status = domain.transition("purchase_order", po.status, "send")
        now = utcnow()
        po.sent_at = now
        lead = (
            supplier.emergency_lead_time_days if po.kind == "emergency" else supplier.lead_time_days
        )
        po.expected_at = business_date(now) + timedelta(days=lead)
        if supplier.kind == "oem":
            assert supplier.oem_id
            payload = {
                "po_id": po.po_id,
                "po_number": po.po_number,
                "oem_id": supplier.oem_id,
                "dealer_code": po.site_id,
                "order_kind": po.kind,
                "lines": [
                    {"line_no": line.line_no, "part_number": line.part_number,
                     "quantity": normal(line.quantity)}
                    for line in po.lines
                ],
            }  # fmt: skip
            validate_payload("parts_order", payload)
            self.db.send_to_oem(
                "parts_order",
                payload,
                oem_id=supplier.oem_id,
                group_id=po.group_id,
                site_id=po.site_id,
                correlation_id=po.po_id,
            )
        self._history(
            po.group_id, "purchase_order", po.po_id, "sent", {"expected_at": po.expected_at},
            user_id,
        )  # fmt: skip


def site_code(site_id: str) -> str:
    """`site-pudong` -> `PUDONG`: the short name in document numbers."""
    return site_id.removeprefix("site-").upper()[:12]


def domain_primitives(value: Any) -> Any:
    return to_primitives(value)


__all__ = [
    "BUSINESS_TZ",
    "CATALOG_ROLES",
    "COUNTER_ROLES",
    "KEEPER_ROLES",
    "LINE_CANCEL_ROLES",
    "MANAGER_ROLES",
    "PLANNER_ROLES",
    "PartsBase",
    "TRANSFER_ROLES",
    "business_date",
    "day_start",
    "site_code",
]
