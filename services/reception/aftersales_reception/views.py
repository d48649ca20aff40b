"""What reception answers: rows and domain results turned into JSON primitives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aftersales_core.envelope import as_utc, to_primitives

from . import domain
from .models import (
    AdditionalWork,
    Appointment,
    CheckIn,
    History,
    Order,
    OrderLine,
    Payment,
    Recall,
    Recommendation,
)
from .schemas import (
    AdditionalWorkOut,
    AppointmentOut,
    CheckInOut,
    HistoryOut,
    PaymentOut,
    RecallOut,
    RecommendationOut,
)


def quantity(kind: str, value: Decimal) -> str:
    """Hours to 0.1 h; counts without trailing zeros (1, 2.5)."""
    if kind == "labor":
        return str(Decimal(value).quantize(domain.HOURS_STEP))
    value = Decimal(value)
    if value == value.to_integral_value():
        return str(int(value))
    return str(value.normalize())


def utc(value: Any) -> Any:
    return as_utc(value) if value is not None else None


def statement(result: domain.Statement, basis: str, paid: Decimal = domain.ZERO) -> dict[str, Any]:
    due = result.due("customer")
    return {
        "basis": basis,
        "lines": [
            {
                "line_id": line.line_id,
                "kind": line.kind,
                "code": line.code,
                "description": line.description,
                "payer": line.payer,
                "quantity": quantity(line.kind, line.quantity),
                "unit_price": str(domain.money(line.unit_price)),
                "value": str(line.value),
                "amount": str(line.amount),
                "free": line.free,
            }
            for line in result.lines
        ],
        "by_payer": {
            payer: {
                "labor": str(t.labor),
                "parts": str(t.parts),
                "sublet": str(t.sublet),
                "misc": str(t.misc),
                "free": str(t.free),
                "discount": str(t.discount),
                "tax": str(t.tax),
                "total": str(t.total),
            }
            for payer, t in sorted(
                result.by_payer.items(), key=lambda item: domain.PAYERS.index(item[0])
            )
        },
        "totals_by_payer": {
            payer: str(total)
            for payer, total in sorted(
                result.totals_by_payer.items(), key=lambda item: domain.PAYERS.index(item[0])
            )
        },
        "tax_rate": str(result.tax_rate),
        "prices_include_tax": result.prices_include_tax,
        "discount_total": str(result.discount_total),
        "tax_total": str(result.tax_total),
        "total": str(result.total),
        "customer_due": str(due),
        "paid": str(domain.money(paid)),
        "outstanding": str(domain.money(due - paid)),
    }


def line(
    row: OrderLine, job_status: str | None = None, issued: Decimal | None = None
) -> dict[str, Any]:
    return {
        "line_id": row.line_id,
        "seq": row.seq,
        "kind": row.kind,
        "code": row.code,
        "description": row.description,
        "quantity": quantity(row.kind, row.quantity),
        "unit": row.unit,
        "unit_price": str(domain.money(row.unit_price)),
        "amount": str(
            domain.ZERO if row.free else domain.money(Decimal(row.quantity) * row.unit_price)
        ),
        "payer": row.payer,
        "status": row.status,
        "to_be_confirmed": row.to_be_confirmed,
        "free": row.free,
        "free_reason": row.free_reason,
        "skill": row.skill,
        "work_id": row.work_id,
        "recommendation_id": row.recommendation_id,
        "backordered": row.backordered,
        "backordered_until": to_primitives(row.backordered_until),
        "job_status": job_status,
        "issued_quantity": quantity(row.kind, issued) if issued is not None else None,
    }


def history(rows: list[History]) -> list[dict[str, Any]]:
    return HistoryOut(many=True).dump(
        [{"at": utc(h.at), "by": h.by, "action": h.action, "details": h.details} for h in rows]
    )


def appointment(row: Appointment) -> dict[str, Any]:
    data = AppointmentOut().dump(row)
    data["slot_start"] = utc(row.slot_start).isoformat()
    data["created_at"] = utc(row.created_at).isoformat()
    return data


def check_in(row: CheckIn, notices: dict[str, Any]) -> dict[str, Any]:
    data = CheckInOut().dump(row)
    for name in ("signed_at", "created_at"):
        value = getattr(row, name)
        data[name] = utc(value).isoformat() if value else None
    data["notices"] = notices
    return data


def recommendation(row: Recommendation) -> dict[str, Any]:
    data = RecommendationOut().dump(row)
    data["created_at"] = utc(row.created_at).isoformat()
    return data


def recall(row: Recall) -> dict[str, Any]:
    return RecallOut().dump(row)


def additional_work(row: AdditionalWork) -> dict[str, Any]:
    data = AdditionalWorkOut().dump(row)
    for name in ("found_at", "suggested_promised_at", "decided_at"):
        value = getattr(row, name)
        data[name] = utc(value).isoformat() if value else None
    return data


def payment(row: Payment) -> dict[str, Any]:
    data = PaymentOut().dump(row)
    data["received_at"] = utc(row.received_at).isoformat()
    return data


_ORDER_FIELDS = (
    "order_id",
    "order_number",
    "group_id",
    "site_id",
    "customer_id",
    "vehicle_id",
    "vin",
    "plate",
    "check_in_id",
    "appointment_id",
    "order_type",
    "status",
    "mileage",
    "complaint",
    "fuel_level",
    "promised_at",
    "old_part_disposition",
    "wash",
    "notes",
    "service_advisor_id",
    "created_at",
    "approved_at",
    "approved_by",
    "customer_signature",
    "at_risk_at",
    "settled_at",
    "exit_pass_number",
    "delivered_at",
    "next_service_date",
    "next_service_mileage",
    "cancelled_at",
    "cancel_reason",
)


def order_header(row: Order) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in _ORDER_FIELDS}
    for name, value in data.items():
        if hasattr(value, "tzinfo"):
            data[name] = utc(value)
    data["discount"] = {
        "amount": str(domain.money(row.discount_amount or 0)),
        "status": row.discount_status,
        "reason": row.discount_reason,
        "requested_by": row.discount_requested_by,
        "approved_by": row.discount_approved_by,
    }
    return to_primitives(data)


def order_summary(row: Order, pending_additional_work: int) -> dict[str, Any]:
    return to_primitives(
        {
            "order_id": row.order_id,
            "order_number": row.order_number,
            "site_id": row.site_id,
            "customer_id": row.customer_id,
            "vehicle_id": row.vehicle_id,
            "vin": row.vin,
            "plate": row.plate,
            "order_type": row.order_type,
            "status": row.status,
            "promised_at": utc(row.promised_at),
            "service_advisor_id": row.service_advisor_id,
            "created_at": utc(row.created_at),
            "at_risk_at": utc(row.at_risk_at),
            "pending_additional_work": pending_additional_work,
        }
    )


def payments(rows: list[Payment]) -> list[dict[str, Any]]:
    return [payment(p) for p in rows]


__all__ = [
    "AdditionalWorkOut",
    "additional_work",
    "appointment",
    "check_in",
    "history",
    "line",
    "order_header",
    "order_summary",
    "payments",
    "quantity",
    "recall",
    "recommendation",
    "statement",
]
