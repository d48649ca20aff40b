"""Parts figures per site and period (domain.md, "Figures the industry uses").

- stock value: the ledger's value up to the end of the period (usable stock);
- turnover: cost of parts issued (to ROs and over the counter, less returns) in the
  period, annualised, / the average of the opening and closing stock value;
- first-time fill rate: requisition lines served from stock at once / lines requested;
- emergency-order share: value of emergency orders / value of all orders placed;
- slow-moving and obsolete stock: on hand with no movement (other than a stocktake
  adjustment or a relocation) in 6 / 12 months before the end of the period.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from aftersales_contracts.api.parts import PartsFiguresOut, PartsFiguresQuery
from aftersales_core.envelope import as_utc

from . import domain
from .base import PartsBase, business_date, day_start
from .domain import ZERO
from .models import (
    LedgerEntry,
    PurchaseOrder,
    PurchaseOrderLine,
    Requisition,
    RequisitionLine,
    StockItem,
)

CONSUMING = ("issue", "counter_sale", "return")
NOT_A_MOVEMENT = ("adjustment", "relocation")
AGEING_LIST_LIMIT = 50


class Figures(PartsBase):
    """The use cases of figures."""

    def figures(self, filters: dict[str, Any]) -> dict[str, Any]:
        """Each visible site's figures for the period side by side, and (for HQ, or
        anyone seeing several sites) the group's total."""
        wanted = self._load(PartsFiguresQuery(), filters)
        tenant = self._staff()
        requested = [wanted["site_id"]] if wanted.get("site_id") else None
        sites = tenant.visible_sites(requested)
        if sites is None:
            sites = tuple(
                self.db.session.scalars(
                    select(StockItem.site_id)
                    .where(StockItem.group_id == tenant.group_id)
                    .distinct()
                    .order_by(StockItem.site_id)
                )
            )
        start, end = wanted["date_from"], wanted["date_to"]
        rows = [self._site_figures(tenant.group_id, site, start, end) for site in sorted(sites)]
        body: dict[str, Any] = {
            "date_from": start,
            "date_to": end,
            "sites": [present(row) for row in rows],
        }
        if len(rows) > 1:
            body["total"] = present(total(rows, (end - start).days + 1))
        return PartsFiguresOut().dump(body)

    def _site_figures(self, group_id: str, site_id: str, start: Any, end: Any) -> dict[str, Any]:
        session = self.db.session
        begin, finish = day_start(start), day_start(end + timedelta(days=1))
        days = (end - start).days + 1
        usable = (
            LedgerEntry.group_id == group_id,
            LedgerEntry.site_id == site_id,
            LedgerEntry.stock_class == "usable",
        )

        def value_before(moment: Any) -> Decimal:
            return Decimal(
                session.scalar(
                    select(func.coalesce(func.sum(LedgerEntry.value), 0)).where(
                        *usable, LedgerEntry.occurred_at < moment
                    )
                )
            )

        opening, closing = value_before(begin), value_before(finish)
        cost = -Decimal(
            session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.value), 0)).where(
                    *usable,
                    LedgerEntry.movement.in_(CONSUMING),
                    LedgerEntry.occurred_at >= begin,
                    LedgerEntry.occurred_at < finish,
                )
            )
        )
        requested, filled = session.execute(
            select(
                func.count(RequisitionLine.id),
                func.count(RequisitionLine.id).filter(RequisitionLine.filled_at_once.is_(True)),
            )
            .join(Requisition, Requisition.requisition_id == RequisitionLine.requisition_id)
            .where(
                Requisition.group_id == group_id,
                Requisition.site_id == site_id,
                Requisition.requested_at >= begin,
                Requisition.requested_at < finish,
                RequisitionLine.known_part.is_(True),
            )
        ).one()
        orders = dict(
            session.execute(
                select(
                    PurchaseOrder.kind,
                    func.sum(PurchaseOrderLine.quantity * PurchaseOrderLine.unit_cost),
                )
                .join(PurchaseOrderLine, PurchaseOrderLine.po_id == PurchaseOrder.po_id)
                .where(
                    PurchaseOrder.group_id == group_id,
                    PurchaseOrder.site_id == site_id,
                    PurchaseOrder.sent_at >= begin,
                    PurchaseOrder.sent_at < finish,
                    PurchaseOrder.status != "cancelled",
                )
                .group_by(PurchaseOrder.kind)
            ).all()
        )
        emergency = domain.money(Decimal(orders.get("emergency") or 0))
        ordered = domain.money(sum((Decimal(v or 0) for v in orders.values()), ZERO))
        ageing = self._ageing(group_id, site_id, finish, end)
        return {
            "site_id": site_id,
            "days": days,
            "opening_stock_value": domain.money(opening),
            "stock_value": domain.money(closing),
            "cost_of_issues": domain.money(cost),
            "lines_requested": requested,
            "lines_filled_at_once": filled,
            "order_value": ordered,
            "emergency_order_value": emergency,
            **ageing,
        }

    def _ageing(self, group_id: str, site_id: str, finish: Any, as_of: Any) -> dict[str, Any]:
        session = self.db.session
        held = session.execute(
            select(
                LedgerEntry.part_number,
                func.sum(LedgerEntry.quantity),
                func.sum(LedgerEntry.value),
            )
            .where(
                LedgerEntry.group_id == group_id,
                LedgerEntry.site_id == site_id,
                LedgerEntry.stock_class == "usable",
                LedgerEntry.occurred_at < finish,
            )
            .group_by(LedgerEntry.part_number)
        ).all()
        last = dict(
            session.execute(
                select(LedgerEntry.part_number, func.max(LedgerEntry.occurred_at))
                .where(
                    LedgerEntry.group_id == group_id,
                    LedgerEntry.site_id == site_id,
                    LedgerEntry.stock_class == "usable",
                    LedgerEntry.occurred_at < finish,
                    LedgerEntry.movement.not_in(NOT_A_MOVEMENT),
                )
                .group_by(LedgerEntry.part_number)
            ).all()
        )
        buckets: dict[str, list[dict[str, Any]]] = {"slow_moving": [], "obsolete": []}
        for part_number, qty, value in sorted(held):
            if not qty or qty <= 0:
                continue
            moved = last.get(part_number)
            state = domain.ageing(business_date(as_utc(moved)) if moved else None, as_of)
            if state in buckets:
                buckets[state].append(
                    {
                        "part_number": part_number,
                        "on_hand": Decimal(qty),
                        "value": domain.money(Decimal(value)),
                        "last_movement_on": business_date(as_utc(moved)) if moved else None,
                    }
                )
        return {
            "slow_moving_value": sum((r["value"] for r in buckets["slow_moving"]), Decimal("0.00")),
            "obsolete_value": sum((r["value"] for r in buckets["obsolete"]), Decimal("0.00")),
            "slow_moving": buckets["slow_moving"],
            "obsolete": buckets["obsolete"],
        }


def total(rows: list[dict[str, Any]], days: int) -> dict[str, Any]:
    summed = {
        key: sum((row[key] for row in rows), Decimal("0.00") if "value" in key or "cost" in key
                 else 0)
        for key in (
            "opening_stock_value", "stock_value", "cost_of_issues", "lines_requested",
            "lines_filled_at_once", "order_value", "emergency_order_value",
            "slow_moving_value", "obsolete_value",
        )
    }  # fmt: skip
    return {"site_id": None, "days": days, **summed, "slow_moving": [], "obsolete": []}


def present(row: dict[str, Any]) -> dict[str, Any]:
    """The ratios from the sums; the ageing lists cut to their first entries."""
    average = (row["opening_stock_value"] + row["stock_value"]) / 2
    return {
        **row,
        "slow_moving": row["slow_moving"][:AGEING_LIST_LIMIT],
        "obsolete": row["obsolete"][:AGEING_LIST_LIMIT],
        "turnover": domain.turnover(row["cost_of_issues"], average, row["days"]),
        "first_time_fill_rate": domain.share(
            Decimal(row["lines_filled_at_once"]), Decimal(row["lines_requested"])
        ),
        "emergency_order_share": domain.share(row["emergency_order_value"], row["order_value"]),
        "obsolete_share": domain.share(row["obsolete_value"], row["stock_value"]),
    }
