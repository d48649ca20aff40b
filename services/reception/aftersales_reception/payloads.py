"""The payloads of the events reception publishes, built from its rows in one place each.

Plain functions (no nameko, no session): unit-tested against the contracts in
`aftersales_contracts.reception`, and checked against them again when published
(`ReceptionBase._announce`). Shapes are the contracts' (workshop, parts, claims,
customer care and reporting consume them): add only optional fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import domain
from .models import Appointment, CheckIn, Customer, Order, OrderLine, Vehicle
from .views import quantity


def labor_line(line: OrderLine) -> dict[str, Any]:
    return {
        "line_id": line.line_id,
        "operation_code": line.code,
        "description": line.description,
        "standard_hours": quantity("labor", line.quantity),
        "payer": line.payer,
        "skill": line.skill,
    }


def part_line(line: OrderLine) -> dict[str, Any]:
    return {
        "line_id": line.line_id,
        "part_number": line.code,
        "quantity": quantity("part", line.quantity),
        "payer": line.payer,
    }


def customer_registered(customer: Customer, by: str) -> dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "phones": customer.phones,
        "customer_class": customer.customer_class,
        "registered_by": by,
    }


def vehicle_registered(vehicle: Vehicle, customer: Customer) -> dict[str, Any]:
    return {
        "vehicle_id": vehicle.vehicle_id,
        "customer_id": customer.customer_id,
        "vin": vehicle.vin,
        "plate": vehicle.plate,
        "brand": vehicle.brand,
        "model": vehicle.model,
        "sale_date": vehicle.sale_date,
        "mileage": vehicle.mileage,
    }


def appointment_booked(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appointment.appointment_id,
        "customer_id": appointment.customer_id,
        "vehicle_id": appointment.vehicle_id,
        "vin": appointment.vin,
        "slot_start": appointment.slot_start,
        "estimated_hours": appointment.estimated_hours,
        "estimate_amount": appointment.estimate_amount,
        "requested_work": appointment.requested_work,
        "source": appointment.source,
        "service_advisor_id": appointment.service_advisor_id,
    }


def vehicle_checked_in(sheet: CheckIn, by: str) -> dict[str, Any]:
    return {
        "check_in_id": sheet.check_in_id,
        "appointment_id": sheet.appointment_id,
        "customer_id": sheet.customer_id,
        "vehicle_id": sheet.vehicle_id,
        "vin": sheet.vin,
        "mileage": sheet.mileage,
        "complaint": sheet.complaint,
        "checked_in_by": by,
    }


def _order(order: Order, *names: str) -> dict[str, Any]:
    return {name: getattr(order, name) for name in names}


def order_opened(order: Order) -> dict[str, Any]:
    return _order(
        order, "order_id", "order_number", "order_type", "customer_id", "vehicle_id", "vin",
        "mileage", "complaint", "promised_at", "service_advisor_id",
    )  # fmt: skip


def order_approved(
    order: Order, plate: str | None, by: str, approved: list[OrderLine]
) -> dict[str, Any]:
    """The firm lines the workshop dispatches and the warehouse reserves."""
    return {
        **_order(
            order,
            "order_id",
            "order_number",
            "order_type",
            "customer_id",
            "vehicle_id",
            "vin",
            "complaint",
            "promised_at",
        ),  # fmt: skip
        "plate": plate,
        "approved_by": by,
        "labor_lines": [labor_line(x) for x in approved if x.kind == "labor"],
        "part_lines": [part_line(x) for x in approved if x.kind == "part"],
    }


def part_requested(order: Order, lines: list[OrderLine], by: str) -> dict[str, Any] | None:
    """A requisition for the approved part lines; None when there is none."""
    parts = [part_line(x) for x in lines if x.kind == "part"]
    if not parts:
        return None
    return {**_order(order, "order_id", "order_number", "vin"), "approved_by": by, "lines": parts}


def additional_work_approved(
    order: Order, work_id: str, lines: list[OrderLine], by: str
) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "work_id": work_id,
        "promised_at": order.promised_at,
        "approved_by": by,
        "labor_lines": [labor_line(x) for x in lines if x.kind == "labor"],
        "part_lines": [part_line(x) for x in lines if x.kind == "part"],
    }


def additional_work_declined(order: Order, work_id: str, description: str) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "work_id": work_id,
        "vehicle_id": order.vehicle_id,
        "description": description,
    }


def order_cancelled(order: Order, reason: str, by: str, was_approved: bool) -> dict[str, Any]:
    return {
        **_order(order, "order_id", "order_number", "vehicle_id"),
        "reason": reason,
        "cancelled_by": by,
        "was_approved": was_approved,
    }


def order_settled(order: Order, statement: domain.Statement) -> dict[str, Any]:
    """What was charged, line by line and per payer (claims drafts warranty from it)."""
    return {
        **_order(
            order,
            "order_id",
            "order_number",
            "order_type",
            "customer_id",
            "vehicle_id",
            "vin",
            "mileage",
        ),  # fmt: skip
        "lines": [
            {
                "line_id": line.line_id,
                "kind": line.kind,
                "code": line.code,
                "description": line.description,
                "quantity": quantity(line.kind, line.quantity),
                "amount": line.amount,
                "payer": line.payer,
            }
            for line in statement.lines
        ],
        "totals_by_payer": statement.totals_by_payer,
        "discount_total": statement.discount_total,
        "tax_total": statement.tax_total,
        "total": statement.total,
    }


def vehicle_delivered(order: Order, plate: str | None, at: datetime) -> dict[str, Any]:
    return {
        **_order(
            order,
            "order_id",
            "order_number",
            "order_type",
            "customer_id",
            "vehicle_id",
            "vin",
        ),  # fmt: skip
        "plate": plate,
        **_order(order, "mileage", "complaint"),
        "delivered_at": at,
        **_order(order, "next_service_date", "next_service_mileage", "service_advisor_id"),
    }
