"""Requisitions (领料单): reserve on `part_requested`, issue, return, back orders.

Parts leave the warehouse for an RO only here, by a warehouse keeper's issue
against a requisition the advisor approved (no white slips: 严禁白条发货).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from marshmallow import EXCLUDE
from sqlalchemy import select

from aftersales_contracts.api.parts import (
    BackOrderOut,
    BackOrderQuery,
    PartsIssueIn,
    PartsIssueOut,
    PartsReturnIn,
    PartsReturnOut,
    RequisitionDetailOut,
    RequisitionLineCancelIn,
    RequisitionOut,
    RequisitionQuery,
)
from aftersales_contracts.reception import PartRequested, VehicleDelivered
from aftersales_core.envelope import Envelope, as_utc, utcnow

from . import domain
from .base import KEEPER_ROLES, LINE_CANCEL_ROLES, PartsBase
from .domain import ZERO, LineState, money, normal
from .models import BackOrder, Issue, Part, PartReturn, Requisition, RequisitionLine
from .stock import StockBook, new_id

log = logging.getLogger(__name__)


def line_state(line: RequisitionLine) -> LineState:
    return LineState(
        line.quantity, line.reserved, line.issued, line.returned, line.backordered, line.cancelled
    )


def requisition_view(requisition: Requisition) -> dict[str, Any]:
    """A requisition with the status of each line (derived from its quantities)."""
    view = {c: getattr(requisition, c) for c in RequisitionOut().fields if c != "lines"}
    view["lines"] = [
        {
            **{
                c: getattr(line, c)
                for c in (
                    "line_id",
                    "part_number",
                    "payer",
                    "quantity",
                    "reserved",
                    "backordered",
                    "issued",
                    "returned",
                    "cancelled",
                    "filled_at_once",
                    "known_part",
                )
            },
            "status": line_state(line).status if line.known_part else "unknown_part",
        }  # fmt: skip
        for line in requisition.lines
    ]
    return view


def requisition_out(requisition: Requisition) -> dict[str, Any]:
    return RequisitionOut().dump(requisition_view(requisition))


class Requisitions(PartsBase):
    """The use cases of requisitions and back orders."""

    # -- from reception ------------------------------------------------------------------
    def on_part_requested(self, event: Envelope) -> None:
        """Reserve what is on hand (FIFO lots stay put until issue) and back-order the rest.

        Each event is one requisition; two events racing for the last unit are
        serialised on the stock item's row lock: one is served, the other back-ordered.
        """
        data = PartRequested(unknown=EXCLUDE).load(event.payload)
        domain.check_requested(event.site_id, [line["line_id"] for line in data["lines"]])
        group_id, site_id = event.group_id, event.site_id
        session = self.db.session
        # One requisition per RO line: the same fact sent again under a new event id
        # (a producer's retry) must not reserve the stock a second time.
        done = set(
            session.scalars(
                select(RequisitionLine.line_id)
                .join(Requisition, Requisition.requisition_id == RequisitionLine.requisition_id)
                .where(
                    Requisition.group_id == group_id,
                    Requisition.order_id == data["order_id"],
                    RequisitionLine.line_id.in_([line["line_id"] for line in data["lines"]]),
                )
            )
        )
        if done:
            log.warning("part_requested %s: lines %s already requested", event.event_id, done)
            data["lines"] = [line for line in data["lines"] if line["line_id"] not in done]
            if not data["lines"]:
                return
        book = StockBook(session, group_id, data["approved_by"], utcnow())
        requisition = Requisition(
            requisition_id=new_id("req"),
            group_id=group_id,
            site_id=site_id,
            order_id=data["order_id"],
            order_number=data["order_number"],
            vin=data["vin"],
            approved_by=data["approved_by"],
            requested_at=book.now,
            source_event_id=event.event_id,
            status="open",
            lines=[],
        )
        session.add(requisition)
        known = {
            line["part_number"]
            for line in data["lines"]
            if session.get(Part, (group_id, line["part_number"])) is not None
        }
        items = book.items(site_id, known)
        shortfalls: list[BackOrder] = []
        for raw in data["lines"]:
            qty = domain.quantity(raw["quantity"])
            line = RequisitionLine(
                line_id=raw["line_id"],
                part_number=raw["part_number"],
                payer=raw["payer"],
                quantity=qty,
                reserved=ZERO,
                backordered=ZERO,
                issued=ZERO,
                returned=ZERO,
                cancelled=ZERO,
                known_part=raw["part_number"] in known,
                filled_at_once=False,
            )
            requisition.lines.append(line)
            if not line.known_part:
                # Reception prices lines from this catalog; a stranger is kept for the record.
                log.warning("part_requested %s: unknown part %s", event.event_id, line.part_number)
                line.cancelled = qty
                continue
            split = book.reserve(items[line.part_number], qty)
            line.reserved, line.backordered = split.reserved, split.short
            line.filled_at_once = split.short == 0
        session.flush()
        for line in requisition.lines:
            if line.backordered > 0:
                shortfalls.append(
                    self._backorder(
                        group_id,
                        site_id,
                        line.part_number,
                        line.backordered,
                        demand="requisition",
                        requisition_id=requisition.requisition_id,
                        line_pk=line.id,
                        line_id=line.line_id,
                        order_id=requisition.order_id,
                    )
                )
        self._order_shortfall(group_id, site_id, shortfalls)
        for backorder in shortfalls:
            self._announce_backordered(requisition, backorder)
        self._history(
            group_id,
            "requisition",
            requisition.requisition_id,
            "requested",
            {"event_id": event.event_id, "lines": len(requisition.lines)},
            data["approved_by"],
        )

    def on_vehicle_delivered(self, event: Envelope) -> None:
        """The car has left: what was reserved and never issued goes back to free stock,
        and open back orders for it are cancelled (what arrives later is stock)."""
        data = VehicleDelivered(unknown=EXCLUDE).load(event.payload)
        session = self.db.session
        requisitions = list(
            session.scalars(
                select(Requisition).where(
                    Requisition.group_id == event.group_id,
                    Requisition.order_id == data["order_id"],
                    Requisition.status == "open",
                )
            )
        )
        if not requisitions:
            return
        book = StockBook(session, event.group_id, "system", utcnow())
        for requisition in requisitions:
            self._close(book, requisition, "closed at delivery")

    def on_order_cancelled(self, event: Envelope) -> None:
        """The RO will not be worked: its reservations and back orders are dropped (parts
        already issued stay issued until they are returned)."""
        order_id = domain.check_cancelled_event(event.payload.get("order_id"))
        cancelled_by = event.payload.get("cancelled_by")
        user = cancelled_by if isinstance(cancelled_by, str) and cancelled_by else "system"
        session = self.db.session
        requisitions = list(
            session.scalars(
                select(Requisition).where(
                    Requisition.group_id == event.group_id,
                    Requisition.order_id == order_id,
                    Requisition.status == "open",
                )
            )
        )
        book = StockBook(session, event.group_id, user, utcnow())
        reason = event.payload.get("reason")
        for requisition in requisitions:
            self._close(book, requisition, f"RO cancelled: {reason}" if reason else "RO cancelled")

    def _close(self, book: StockBook, requisition: Requisition, note: str) -> None:
        parts = {line.part_number for line in requisition.lines if line.known_part}
        items = book.items(requisition.site_id, parts)
        released = {}
        for line in requisition.lines:
            self.db.session.refresh(line, with_for_update=True)
            if not line.known_part:
                continue
            open_qty = line.reserved + line.backordered
            if open_qty <= 0:
                continue
            self._cancel_backorders(line, line.backordered)
            if line.reserved:
                book.release(items[line.part_number], line.reserved)
                released[line.part_number] = True
            line.cancelled += open_qty
            line.reserved = line.backordered = ZERO
        requisition.status, requisition.closed_at = "closed", book.now
        for number in sorted(released):
            self._serve(book, items[number])
        self._history(
            requisition.group_id, "requisition", requisition.requisition_id, "closed",
            {}, book.user_id, note,
        )  # fmt: skip

    def _cancel_backorders(self, line: RequisitionLine, qty: Decimal) -> None:
        """Take `qty` off the line's open back orders, the newest first."""
        left = qty
        for backorder in self.db.session.scalars(
            select(BackOrder)
            .where(BackOrder.line_pk == line.id, BackOrder.status == "open")
            .order_by(BackOrder.created_at.desc())
            .with_for_update()
        ):
            if left <= 0:
                break
            take = min(left, backorder.outstanding)
            backorder.outstanding -= take
            left -= take
            if backorder.outstanding == 0:
                backorder.status, backorder.closed_at = "cancelled", utcnow()
        line.backordered -= qty - left

    # -- reading -------------------------------------------------------------------------
    def list_requisitions(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Requisitions of the caller's sites, newest first (by RO, by status)."""
        wanted = self._load(RequisitionQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(Requisition).where(Requisition.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Requisition.site_id.in_(sites))
        if wanted.get("order_id"):
            stmt = stmt.where(Requisition.order_id == wanted["order_id"])
        if wanted.get("status"):
            stmt = stmt.where(Requisition.status == wanted["status"])
        keys = (Requisition.requested_at, Requisition.requisition_id)
        return self._page(stmt, keys, wanted, RequisitionOut, requisition_view)

    def get_requisition(self, requisition_id: str) -> dict[str, Any]:
        """A requisition, its issues (with what became of the old parts) and history."""
        requisition = self._requisition(requisition_id)
        view = requisition_view(requisition)
        view["issues"] = [
            {
                "issue_id": i.issue_id,
                "line_id": self._line_id(i.line_pk),
                "part_number": i.part_number,
                "quantity": i.quantity,
                "returned": i.returned,
                "unit_price": i.unit_price,
                "unit_cost": i.unit_cost,
                "old_part": domain.disposition(i.old_part_disposition),
                "issued_by": i.issued_by,
                "issued_at": as_utc(i.issued_at),
            }
            for i in self.db.session.scalars(
                select(Issue)
                .where(Issue.requisition_id == requisition_id)
                .order_by(Issue.issued_at, Issue.issue_id)
            )
        ]
        view["history"] = self._document_history(
            requisition.group_id, "requisition", requisition_id
        )
        return RequisitionDetailOut().dump(view)

    def _line_id(self, line_pk: int) -> str:
        line = self.db.session.get(RequisitionLine, line_pk)
        return line.line_id if line else ""

    def _requisition(self, requisition_id: str) -> Requisition:
        requisition = self.db.session.get(Requisition, requisition_id)
        return self._visible(requisition, "requisition", requisition_id)

    def list_backorders(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Back orders and special orders of the caller's sites, newest first."""
        wanted = self._load(BackOrderQuery(), filters)
        tenant = self._staff()
        sites = self._sites(wanted)
        stmt = select(BackOrder).where(BackOrder.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(BackOrder.site_id.in_(sites))
        for key in ("status", "order_id", "part_number"):
            if wanted.get(key):
                stmt = stmt.where(getattr(BackOrder, key) == wanted[key])
        keys = (BackOrder.created_at, BackOrder.backorder_id)
        return self._page(stmt, keys, wanted, BackOrderOut)

    # -- issue, return, cancel -----------------------------------------------------------
    def _open_lines(
        self, requisition: Requisition, wanted: list[dict[str, Any]]
    ) -> list[tuple[RequisitionLine, dict[str, Any]]]:
        domain.check_open(requisition.status)
        by_id = {line.line_id: line for line in requisition.lines}
        seen: set[str] = set()
        pairs = []
        for index, entry in enumerate(wanted):
            line = by_id.get(entry["line_id"])
            known = line is not None and line.known_part
            domain.check_line_choice(index, entry["line_id"], known, seen)
            assert line is not None
            seen.add(entry["line_id"])
            pairs.append((line, entry))
        return pairs

    def issue_parts(self, requisition_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Hand out parts against an approved requisition: at most what each line holds
        reserved (partial issue allowed), oldest lots first, at moving-average cost."""
        fields = self._load(PartsIssueIn(), data)
        requisition = self._requisition(requisition_id)
        tenant = self._site(requisition.site_id, *KEEPER_ROLES)
        pairs = self._open_lines(requisition, fields["lines"])
        book = self._book(tenant)
        items = book.items(requisition.site_id, [line.part_number for line, _ in pairs])
        issued = []
        for index, (line, entry) in enumerate(pairs):
            self.db.session.refresh(line, with_for_update=True)
            qty = entry["quantity"]
            with domain.at_line(index):
                domain.check_issue(line_state(line), qty, line.payer, entry["old_part"])
            item = items[line.part_number]
            part = self._part(requisition.group_id, line.part_number)
            issue_id = new_id("iss")
            book.release(item, qty)  # first, so reserved never exceeds on hand
            moved = book.book_out(
                item,
                qty,
                movement="issue",
                reference=("issue", issue_id),
                order_id=requisition.order_id,
            )
            line.reserved -= qty
            line.issued += qty
            first = moved.first_lot
            issue = Issue(
                issue_id=issue_id,
                requisition_id=requisition_id,
                line_pk=line.id,
                part_number=line.part_number,
                quantity=qty,
                unit_price=part.price,
                unit_cost=moved.unit_cost,
                value=moved.value,
                returned=ZERO,
                returned_value=ZERO,
                old_part_disposition=entry["old_part"],
                first_received_at=first.received_at,
                warehouse_id=first.warehouse_id,
                bin=first.bin,
                issued_by=tenant.user_id,
                issued_at=book.now,
            )
            self.db.session.add(issue)
            self._publish(
                "part_issued",
                {
                    "order_id": requisition.order_id,
                    "requisition_id": requisition_id,
                    "line_id": line.line_id,
                    "part_number": line.part_number,
                    "quantity": normal(qty),
                    "unit_price": part.price,
                    "unit_cost": issue.unit_cost,
                    "issued_at": book.now,
                    "old_part_recorded": entry["old_part"] is not None,
                    "issue_id": issue_id,
                },
                requisition.group_id,
                requisition.site_id,
                requisition.order_id,
            )
            issued.append(
                {
                    "issue_id": issue_id,
                    "line_id": line.line_id,
                    "part_number": line.part_number,
                    "quantity": qty,
                    "unit_price": part.price,
                    "unit_cost": issue.unit_cost,
                    "bins": [
                        {"warehouse_id": lot.warehouse_id, "bin": lot.bin, "quantity": q}
                        for lot, q in moved.lots
                    ],
                }
            )
        self._history(
            requisition.group_id, "requisition", requisition_id, "issued",
            {"issues": [i["issue_id"] for i in issued]},
        )  # fmt: skip
        return PartsIssueOut().dump(
            {"requisition": requisition_view(requisition), "issued": issued}
        )

    def return_parts(self, requisition_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Take back unused parts: good ones to their bin (keeping their age for FIFO)
        at the cost they went out at, defective ones to the site's defective stock."""
        fields = self._load(PartsReturnIn(), data)
        requisition = self._requisition(requisition_id)
        tenant = self._site(requisition.site_id, *KEEPER_ROLES)
        by_id = {line.line_id: line for line in requisition.lines}
        pairs = []
        for index, entry in enumerate(fields["lines"]):
            line = by_id.get(entry["line_id"])
            domain.check_line_choice(index, entry["line_id"], line is not None, set())
            assert line is not None
            pairs.append((index, line, entry))
        domain.check_no_repeats([entry["line_id"] for _, _, entry in pairs])
        book = self._book(tenant)
        items = book.items(requisition.site_id, [line.part_number for _, line, _ in pairs])
        returned = []
        for index, line, entry in pairs:
            self.db.session.refresh(line, with_for_update=True)
            qty = entry["quantity"]
            with domain.at_line(index):
                domain.check_return(line_state(line), qty)
            line.returned += qty
            for issue, take in self._issues_to_return(line, qty):
                left = issue.quantity - issue.returned
                value = (
                    issue.value - issue.returned_value
                    if take == left
                    else money(issue.value * take / issue.quantity)
                )
                issue.returned += take
                issue.returned_value += value
                return_id = new_id("ret")
                reference = ("return", return_id)
                if entry["condition"] == "good":
                    item = items[line.part_number]
                    warehouse = book.warehouse(requisition.site_id, "main", issue.warehouse_id)
                    book.book_in(
                        item, warehouse, issue.bin, take, movement="return", reference=reference,
                        value=value, received_at=issue.first_received_at,
                        order_id=requisition.order_id,
                    )  # fmt: skip
                else:
                    defective = book.item(requisition.site_id, line.part_number, "defective")
                    assert defective is not None
                    warehouse = book.warehouse(requisition.site_id, "defective")
                    book.book_in(
                        defective, warehouse, "DEFECTIVE", take, movement="return",
                        reference=reference, value=value, order_id=requisition.order_id,
                        note="defective return",
                    )  # fmt: skip
                self.db.session.add(
                    PartReturn(
                        return_id=return_id,
                        requisition_id=requisition_id,
                        line_pk=line.id,
                        part_number=line.part_number,
                        quantity=take,
                        condition=entry["condition"],
                        unit_price=issue.unit_price,
                        value=value,
                        returned_by=tenant.user_id,
                        returned_at=book.now,
                    )
                )
                self._publish(
                    "part_returned",
                    {
                        "order_id": requisition.order_id,
                        "requisition_id": requisition_id,
                        "line_id": line.line_id,
                        "part_number": line.part_number,
                        "quantity": normal(take),
                        "return_id": return_id,
                        "issue_id": issue.issue_id,
                        "unit_price": issue.unit_price,
                        "unit_cost": issue.unit_cost,
                        "condition": entry["condition"],
                        "returned_at": book.now,
                    },
                    requisition.group_id,
                    requisition.site_id,
                    requisition.order_id,
                )
                returned.append(
                    {
                        "return_id": return_id,
                        "line_id": line.line_id,
                        "part_number": line.part_number,
                        "quantity": take,
                        "condition": entry["condition"],
                        "unit_price": issue.unit_price,
                    }
                )
        for number in sorted(items):
            self._serve(book, items[number])
        self._history(
            requisition.group_id, "requisition", requisition_id, "returned",
            {"returns": [r["return_id"] for r in returned]},
        )  # fmt: skip
        return PartsReturnOut().dump(
            {"requisition": requisition_view(requisition), "returned": returned}
        )

    def _issues_to_return(self, line: RequisitionLine, qty: Decimal) -> list[tuple[Issue, Decimal]]:
        """A return undoes the latest issues of the line first."""
        plan = []
        left = qty
        for issue in self.db.session.scalars(
            select(Issue)
            .where(Issue.line_pk == line.id)
            .order_by(Issue.issued_at.desc(), Issue.issue_id.desc())
            .with_for_update()
        ):
            if left <= 0:
                break
            take = min(left, issue.quantity - issue.returned)
            if take > 0:
                plan.append((issue, take))
                left -= take
        assert left == 0, "check_return guarantees enough was issued"
        return plan

    def cancel_requisition_line(
        self, requisition_id: str, line_id: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The customer dropped the work (or the part): what is not issued yet is released,
        back orders first, then the reservation."""
        fields = self._load(RequisitionLineCancelIn(), data)
        requisition = self._requisition(requisition_id)
        tenant = self._site(requisition.site_id, *LINE_CANCEL_ROLES)
        [(line, _)] = self._open_lines(requisition, [{"line_id": line_id}])
        book = self._book(tenant)
        item = book.item(requisition.site_id, line.part_number)
        assert item is not None
        self.db.session.refresh(line, with_for_update=True)
        qty = domain.cancel_quantity(line_state(line), fields["quantity"])
        from_backorder = min(qty, line.backordered)
        self._cancel_backorders(line, from_backorder)
        from_reserved = qty - from_backorder
        if from_reserved:
            line.reserved -= from_reserved
            book.release(item, from_reserved)
        line.cancelled += qty
        self._serve(book, item)
        self._history(
            requisition.group_id, "requisition", requisition_id, "line_cancelled",
            {"line_id": line_id, "quantity": qty}, note=fields["reason"],
        )  # fmt: skip
        return requisition_out(requisition)
