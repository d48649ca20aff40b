"""Repair orders from opening to approval, to-be-confirmed lines, cancelling, reading, and
the customer's decisions on additional work."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aftersales_contracts.api.reception import HistoryOut, ReasonIn
from aftersales_contracts.api.reception_orders import (
    AdditionalWorkApproveIn,
    AdditionalWorkDeclineIn,
    ApproveIn,
    ConfirmLineIn,
    LinesIn,
    OrderIn,
    OrderQuery,
    OrderSummaryOut,
    OrderUpdate,
)
from aftersales_core.envelope import utcnow
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, payloads, queries, views
from .base import ReceptionBase
from .models import Order


class OrderEntrypoints(ReceptionBase):
    # ================================================================ repair orders

    @command
    def open_order(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open an RO in draft, from a signed check-in sheet (or with mileage and complaint)."""
        tenant = self.caller.tenant
        fields = load(OrderIn(), data)
        domain.check_promise(fields["promised_at"], utcnow())
        self._require_staff(tenant, fields["site_id"])
        site = self._site(tenant.group_id, fields["site_id"])
        vehicle = self._vehicle(fields["vehicle_id"])
        opening = self._opening(fields, vehicle)
        order = self._new_order(site, vehicle, opening, fields, tenant.user_id)
        self._add_lines(order, vehicle, fields["lines"], tenant.user_id, "lines")
        self._history(
            "order",
            order,
            tenant.user_id,
            "opened",
            {
                "order_number": order.order_number,
                "lines": [line.line_id for line in order.lines],
                "promised_at": order.promised_at,
            },
        )
        self._announce_order("order_opened", order, payloads.order_opened(order))
        return self._order_doc(order)

    @command
    def update_order(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Promised time, old-part disposition, wash and notes, until the car is settled."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(OrderUpdate(), data)
        domain.check_promise(fields.get("promised_at"), utcnow())
        domain.require_order_status(order.status, domain.OPEN_STATUSES - {"settled"}, "update")
        changed = {}
        for name, value in fields.items():
            old = getattr(order, name)
            if (views.utc(old) if isinstance(old, datetime) else old) != value:
                changed[name] = {"from": old, "to": value}
                setattr(order, name, value)
        if changed:
            self._history("order", order, tenant.user_id, "updated", changed)
        return self._order_doc(order)

    @command
    def add_order_lines(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(LinesIn(), data)
        domain.require_order_status(order.status, domain.EDITABLE_STATUSES, "add lines")
        vehicle = self._vehicle(order.vehicle_id)
        added = self._add_lines(order, vehicle, fields["lines"], tenant.user_id, "lines")
        notes = [self._line_note(x) for x in added]
        self._history("order", order, tenant.user_id, "lines_added", {"lines": notes})
        return self._order_doc(order)

    @command
    def remove_order_line(self, order_id: str, line_id: str) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        domain.require_order_status(order.status, domain.EDITABLE_STATUSES, "remove lines")
        line = self._line(order, line_id)
        order.lines.remove(line)
        self._history("order", order, tenant.user_id, "line_removed", self._line_note(line))
        return self._order_doc(order)

    @command
    def send_for_approval(self, order_id: str) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        target = domain.order_transition(order.status, "send_for_approval")
        domain.check_has_proposed_lines({line.status for line in order.lines})
        self._set_status(order, target, tenant.user_id, "sent_for_approval")
        return self._order_doc(order)

    @command
    def revise_order(self, order_id: str) -> dict[str, Any]:
        """The customer wants changes before signing: back to draft."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        target = domain.order_transition(order.status, "revise")
        self._set_status(order, target, tenant.user_id, "revised")
        return self._order_doc(order)

    @command
    def approve_order(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer signed: the firm lines may be worked and their parts issued."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        signature = load(ApproveIn(), data)["signature"]
        target = domain.order_transition(order.status, "approve")
        now = utcnow()
        approved = [line for line in order.lines if line.status == "proposed"]
        for line in approved:
            line.status = "approved"
        order.approved_at = now
        order.approved_by = tenant.user_id
        order.customer_signature = {**signature, "signed_at": now.isoformat()}
        self._take_up_recommendations(order, approved)
        self._set_status(
            order, target, tenant.user_id, "approved",
            {"signed_by": signature["signed_by"], "method": signature["method"],
             "lines": [line.line_id for line in approved]},
        )  # fmt: skip
        vehicle = self._vehicle(order.vehicle_id)
        self._announce_order(
            "order_approved",
            order,
            payloads.order_approved(order, vehicle.plate, tenant.user_id, approved),
        )
        self._request_parts(order, approved, tenant.user_id)
        return self._order_doc(order)

    @command
    def confirm_line(self, order_id: str, line_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer's later word on a to-be-confirmed line: approved lines are worked."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(ConfirmLineIn(), data)
        domain.check_promise(fields["promised_at"], utcnow())
        line = self._line(order, line_id)
        domain.check_line_to_be_confirmed(line.status, line_id)
        domain.require_order_status(
            order.status, domain.OPEN_STATUSES - {"settled"}, "confirm lines"
        )
        confirmation = {**fields["confirmation"], "at": utcnow().isoformat()}
        note = {**self._line_note(line), "confirmation": confirmation}
        if fields["decision"] == "declined":
            line.status = "declined"
            vehicle = self._vehicle(order.vehicle_id)
            self._recommend(
                order, vehicle, None, line.description, self._lines_as_items([line]),
                domain.money(line.quantity * line.unit_price), fields["reason"], tenant.user_id,
            )  # fmt: skip
            self._history("order", order, tenant.user_id, "line_declined", note)
            return self._order_doc(order)
        if order.status in domain.WORKSHOP_STATUSES:
            line.status = "approved"
            if fields["promised_at"]:
                order.promised_at = fields["promised_at"]
            self._history("order", order, tenant.user_id, "line_confirmed", note)
            self._publish_added_work(order, f"tbc-{line.line_id}", [line], tenant.user_id)
            self._recompute(order, tenant.user_id, "line_confirmed")
        else:
            line.status = "proposed"  # approved with the order when the customer signs it
            self._history("order", order, tenant.user_id, "line_confirmed", note)
        return self._order_doc(order)

    @command
    def cancel_order(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        reason = load(ReasonIn(), data)["reason"]
        target = domain.order_transition(order.status, "cancel")
        was_approved = order.status == "approved"
        if was_approved:
            started, issued = queries.work_begun(self.db.session, order.order_id)
            domain.check_cancellable(order.status, started, issued)
        order.cancelled_at = utcnow()
        order.cancel_reason = reason
        self._set_status(order, target, tenant.user_id, "cancelled", {"reason": reason})
        self._announce_order(
            "order_cancelled",
            order,
            payloads.order_cancelled(order, reason, tenant.user_id, was_approved),
        )
        return self._order_doc(order)

    @query
    def get_order(self, order_id: str) -> dict[str, Any]:
        return self._order_doc(self._order(order_id))

    @query
    def order_history(self, order_id: str) -> list[dict[str, Any]]:
        order = self._order(order_id)
        return HistoryOut(many=True).dump(views.history(self._history_of("order", order.order_id)))

    @query
    def list_orders(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the ROs of the caller's sites, newest first, found by number, plate,
        status ("open": not yet delivered or cancelled), advisor, car, customer or the
        local days they were opened on."""
        tenant = self.caller.tenant
        fields = load(OrderQuery(), params or {})
        sites = tenant.visible_sites([fields["site_id"]] if fields["site_id"] else None)
        stmt = queries.orders(tenant.group_id, sites, fields)
        result = self._page(stmt, (Order.created_at, Order.order_id), fields, lambda row: row)
        pending = queries.pending_work(self.db.session, [o.order_id for o in result["items"]])
        result["items"] = OrderSummaryOut(many=True).dump(
            [views.order_summary(o, pending.get(o.order_id, 0)) for o in result["items"]]
        )
        return result

    # ================================================================ additional work

    @command
    def approve_additional_work(
        self, order_id: str, work_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The customer said yes: lines added, promised time moved, workshop and parts told."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(AdditionalWorkApproveIn(), data)
        domain.check_promise(fields["promised_at"], utcnow())
        work = self._pending_work(order, work_id)
        vehicle = self._vehicle(order.vehicle_id)
        lines_in = domain.work_lines(work.operations, work.parts, fields["payer"])
        added = self._add_lines(
            order, vehicle, lines_in, tenant.user_id, "work", status="approved", work_id=work_id
        )
        before = order.promised_at
        order.promised_at = fields["promised_at"] or work.suggested_promised_at or order.promised_at
        confirmation = self._decide(
            work, "approved", fields["confirmation"], tenant.user_id, payer=fields["payer"]
        )
        self._history(
            "order",
            order,
            tenant.user_id,
            "additional_work_approved",
            {
                "work_id": work_id,
                "lines": [self._line_note(x) for x in added],
                "promised_at": {"from": before, "to": order.promised_at},
                "confirmation": confirmation,
            },
        )
        self._publish_added_work(order, work_id, added, tenant.user_id)
        self._recompute(order, tenant.user_id, "additional_work_approved")
        return self._order_doc(order)

    @command
    def decline_additional_work(
        self, order_id: str, work_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The customer said no: kept as a recommendation on the vehicle for the next visit."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(AdditionalWorkDeclineIn(), data)
        work = self._pending_work(order, work_id)
        vehicle = self._vehicle(order.vehicle_id)
        confirmation = self._decide(
            work, "declined", fields["confirmation"], tenant.user_id, reason=fields["reason"]
        )
        recommendation = self._recommend(
            order, vehicle, work_id, work.description,
            {"operations": work.operations, "parts": work.parts},
            work.estimate_amount, fields["reason"], tenant.user_id,
        )  # fmt: skip
        self._history(
            "order",
            order,
            tenant.user_id,
            "additional_work_declined",
            {
                "work_id": work_id,
                "recommendation_id": recommendation.recommendation_id,
                "confirmation": confirmation,
            },
        )
        self._announce_order(
            "additional_work_declined", order,
            payloads.additional_work_declined(order, work_id, work.description),
        )  # fmt: skip
        return self._order_doc(order)
