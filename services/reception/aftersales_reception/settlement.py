"""Settlement from what was done and issued: discounts within authority, payments, the
exit pass, and delivery."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftersales_contracts.api.reception import CASHIER_ROLES
from aftersales_contracts.api.reception_orders import (
    DeliverIn,
    DiscountIn,
    ExitPassOut,
    PaymentIn,
    SettleIn,
    StatementOut,
)
from aftersales_core.envelope import utcnow
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, payloads, views
from .base import ReceptionBase


class SettlementEntrypoints(ReceptionBase):
    # ================================================================ settlement and delivery

    @query
    def get_statement(self, order_id: str) -> dict[str, Any]:
        """The settlement statement: frozen once settled, else built from what was done."""
        order = self._order(order_id)
        if order.statement:
            return StatementOut().dump(order.statement)
        domain.require_order_status(
            order.status, domain.WORKSHOP_STATUSES, "build a settlement statement"
        )
        return StatementOut().dump(self._actual_statement_view(order))

    @command
    def grant_discount(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A discount on the customer's share: within the caller's limit it applies at once,
        above it a supervisor must approve it."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(DiscountIn(), data)
        domain.require_order_status(order.status, {"ready_for_delivery"}, "grant a discount")
        gross = self._customer_gross(order)
        decision = domain.discount_decision(
            fields["amount"], gross, tenant.roles, self._discount_limits()
        )
        order.discount_amount = fields["amount"]
        order.discount_reason = fields["reason"]
        order.discount_requested_by = tenant.user_id
        order.discount_status = domain.granted_discount_status(fields["amount"], decision)
        order.discount_approved_by = tenant.user_id if decision == "approved" else None
        self._history(
            "order",
            order,
            tenant.user_id,
            "discount_granted" if decision == "approved" else "discount_requested",
            {"amount": fields["amount"], "reason": fields["reason"], "of": gross},
        )
        return self._order_doc(order)

    @command
    def approve_discount(self, order_id: str) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        domain.check_discount_waiting(order.discount_status)
        gross = self._customer_gross(order)
        domain.check_discount_approver(
            Decimal(order.discount_amount),
            gross,
            tenant.roles,
            self._discount_limits(),
            tenant.user_id,
            order.discount_requested_by or "",
        )
        order.discount_status = "approved"
        order.discount_approved_by = tenant.user_id
        self._history(
            "order", order, tenant.user_id, "discount_approved",
            {"amount": order.discount_amount, "requested_by": order.discount_requested_by},
        )  # fmt: skip
        return self._order_doc(order)

    @command
    def record_payment(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order_for_change(order_id, CASHIER_ROLES)
        fields = load(PaymentIn(), data)
        domain.require_order_status(order.status, {"ready_for_delivery"}, "take a payment")
        self._add_payment(order, fields, tenant.user_id)
        return self._order_doc(order)

    @command
    def settle_order(self, order_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Freeze the statement, take the last payments, issue the exit pass."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id, CASHIER_ROLES)
        fields = load(SettleIn(), data or {})
        target = domain.order_transition(order.status, "settle")
        for payment in fields["payments"]:
            self._add_payment(order, payment, tenant.user_id)
        domain.check_no_pending_discount(order.discount_status)
        statement = self._actual_statement(order)
        paid = self._paid(order)
        domain.check_paid_in_full(paid, statement.due("customer"))
        now = utcnow()
        order.statement = views.statement(statement, "actual", paid)
        order.settled_at = now
        order.settled_by = tenant.user_id
        order.exit_pass_number = f"EP-{order.order_number}"
        self._set_status(
            order, target, tenant.user_id, "settled",
            {"total": order.statement["total"], "exit_pass_number": order.exit_pass_number},
        )  # fmt: skip
        self._announce_order("order_settled", order, payloads.order_settled(order, statement))
        return self._order_doc(order)

    @query
    def get_exit_pass(self, order_id: str) -> dict[str, Any]:
        order = self._order(order_id)
        domain.check_settled(order.exit_pass_number, order.status)
        return ExitPassOut().dump(views.exit_pass(order))

    @command
    def deliver_order(self, order_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Hand the car over: record the next service date and mileage on the vehicle."""
        tenant = self.caller.tenant
        order = self._order_for_change(order_id)
        fields = load(DeliverIn(), data or {})
        target = domain.order_transition(order.status, "deliver")
        now = utcnow()
        default_date, default_mileage = domain.next_service(domain.local_day(now), order.mileage)
        order.next_service_date = fields["next_service_date"] or default_date
        order.next_service_mileage = fields["next_service_mileage"] or default_mileage
        order.delivered_at = now
        order.delivered_by = tenant.user_id
        vehicle = self._vehicle(order.vehicle_id)
        vehicle.next_service_date = order.next_service_date
        vehicle.next_service_mileage = order.next_service_mileage
        self._complete_recalls(order)
        self._set_status(
            order, target, tenant.user_id, "delivered",
            {"next_service_date": order.next_service_date,
             "next_service_mileage": order.next_service_mileage, "notes": fields["notes"]},
        )  # fmt: skip
        self._announce_order(
            "vehicle_delivered", order, payloads.vehicle_delivered(order, vehicle.plate, now)
        )
        return self._order_doc(order)
