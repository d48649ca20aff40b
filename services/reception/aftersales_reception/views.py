"""What reception answers: rows and domain results turned into the views the API schemas
(`aftersales_contracts.api.reception*`) dump. Values stay Python (datetimes in UTC, dates,
decimals) until the entrypoint dumps the answer through its documented schema; JSON
kept on a row (signatures, decisions, notices) has its timestamps parsed back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from aftersales_core.envelope import as_utc

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
    Vehicle,
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


def instant(value: Any) -> datetime | None:
    """A timestamp kept as ISO text in a JSON column, as an aware datetime."""
    if value is None or isinstance(value, datetime):
        return utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


def day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    data = {name: getattr(row, name) for name in names}
    return {k: utc(v) if isinstance(v, datetime) else v for k, v in data.items()}


_VEHICLE = (
    "vehicle_id", "customer_id", "site_id", "vin", "plate", "brand", "model", "colour",
    "engine_number", "sale_date", "mileage", "next_service_date", "next_service_mileage",
)  # fmt: skip
_VISIT = ("order_id", "order_number", "site_id", "order_type", "mileage", "complaint")


def vehicle_file(row: Vehicle, visits: list[Order]) -> dict[str, Any]:
    """A car, its owner and its service history (delivered ROs, latest first)."""
    return {
        **_fields(row, _VEHICLE),
        "customer": row.customer,
        "visits": [
            {
                **_fields(o, _VISIT),
                "delivered_at": utc(o.delivered_at),
                "total": (o.statement or {}).get("total"),
            }
            for o in visits
        ],
    }


def statement(result: domain.Statement, basis: str, paid: Decimal = domain.ZERO) -> dict[str, Any]:
    """A statement as JSON primitives: it is also frozen as such on the RO when settled."""
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
        "unit_price": domain.money(row.unit_price),
        "amount": domain.ZERO if row.free else domain.money(Decimal(row.quantity) * row.unit_price),
        "payer": row.payer,
        "status": row.status,
        "to_be_confirmed": row.to_be_confirmed,
        "free": row.free,
        "free_reason": row.free_reason,
        "skill": row.skill,
        "work_id": row.work_id,
        "recommendation_id": row.recommendation_id,
        "backordered": row.backordered,
        "backordered_until": row.backordered_until,
        "job_status": job_status,
        "issued_quantity": quantity(row.kind, issued) if issued is not None else None,
    }


def history(rows: list[History]) -> list[dict[str, Any]]:
    return [{"at": utc(h.at), "by": h.by, "action": h.action, "details": h.details} for h in rows]


_APPOINTMENT = (
    "appointment_id", "site_id", "customer_id", "vehicle_id", "vin", "slot_start", "day",
    "estimated_hours", "estimate_amount", "requested_work", "operations", "parts", "source",
    "service_advisor_id", "notes", "status", "reason", "created_at", "created_by",
)  # fmt: skip


def appointment(row: Appointment) -> dict[str, Any]:
    return _fields(row, _APPOINTMENT)


_CHECK_IN = (
    "check_in_id", "site_id", "appointment_id", "customer_id", "vehicle_id", "vin", "mileage",
    "mileage_reason", "previous_mileage", "fuel_level", "damage_marks", "valuables",
    "items_left", "complaint", "status", "signed_by", "signature_method", "signature_ref",
    "signed_at", "created_at", "created_by",
)  # fmt: skip


def check_in(row: CheckIn, notices: dict[str, Any]) -> dict[str, Any]:
    data = _fields(row, _CHECK_IN)
    data["damage_marks"] = [{"note": None, **mark} for mark in row.damage_marks or []]
    data["notices"] = notices
    return data


def stored_notices(notices: dict[str, Any]) -> dict[str, Any]:
    """The notices a signed sheet kept (JSON) as views again."""
    return {
        "recommendations": [
            {**r, "created_at": instant(r.get("created_at"))}
            for r in notices.get("recommendations", [])
        ],
        "recalls": [
            {**r, "starts_on": day(r.get("starts_on")), "ends_on": day(r.get("ends_on"))}
            for r in notices.get("recalls", [])
        ],
    }


_RECOMMENDATION = (
    "recommendation_id", "vehicle_id", "order_id", "work_id", "description", "operations",
    "parts", "estimate_amount", "reason", "status", "created_at", "taken_up_order_id",
)  # fmt: skip


def recommendation(row: Recommendation) -> dict[str, Any]:
    return _fields(row, _RECOMMENDATION)


_RECALL = (
    "recall_id", "oem_id", "kind", "title", "description", "labor_operation_code",
    "part_numbers", "starts_on", "ends_on",
)  # fmt: skip


def recall(row: Recall) -> dict[str, Any]:
    return _fields(row, _RECALL)


_WORK = (
    "work_id", "order_id", "job_id", "description", "found_by", "found_at", "operations",
    "parts", "estimated_hours", "estimate_amount", "suggested_promised_at", "status",
    "decided_by", "decided_at", "decision",
)  # fmt: skip


def additional_work(row: AdditionalWork) -> dict[str, Any]:
    data = _fields(row, _WORK)
    if row.decision:
        confirmation = row.decision.get("confirmation") or {}
        data["decision"] = {
            **row.decision,
            "confirmation": {**confirmation, "at": instant(confirmation.get("at"))},
        }
    return data


def payment(row: Payment) -> dict[str, Any]:
    return _fields(
        row, ("payment_id", "amount", "method", "reference", "received_at", "received_by")
    )


_ORDER = (
    "order_id", "order_number", "group_id", "site_id", "customer_id", "vehicle_id", "vin",
    "plate", "check_in_id", "appointment_id", "order_type", "status", "mileage", "complaint",
    "fuel_level", "promised_at", "old_part_disposition", "wash", "notes", "service_advisor_id",
    "created_at", "approved_at", "approved_by", "at_risk_at", "settled_at", "exit_pass_number",
    "delivered_at", "next_service_date", "next_service_mileage", "cancelled_at", "cancel_reason",
)  # fmt: skip


def order_header(row: Order) -> dict[str, Any]:
    data = _fields(row, _ORDER)
    signature = row.customer_signature
    data["customer_signature"] = (
        {**signature, "signed_at": instant(signature.get("signed_at"))} if signature else None
    )
    data["discount"] = {
        "amount": domain.money(row.discount_amount or 0),
        "status": row.discount_status,
        "reason": row.discount_reason,
        "requested_by": row.discount_requested_by,
        "approved_by": row.discount_approved_by,
    }
    return data


_SUMMARY = (
    "order_id", "order_number", "site_id", "customer_id", "vehicle_id", "vin", "plate",
    "order_type", "status", "promised_at", "service_advisor_id", "created_at", "at_risk_at",
)  # fmt: skip


def order_summary(row: Order, pending_additional_work: int) -> dict[str, Any]:
    return {**_fields(row, _SUMMARY), "pending_additional_work": pending_additional_work}


def payments(rows: list[Payment]) -> list[dict[str, Any]]:
    return [payment(p) for p in rows]


def exit_pass(row: Order) -> dict[str, Any]:
    return {
        **_fields(row, ("exit_pass_number", "order_id", "order_number", "site_id", "vin")),
        "plate": row.plate,
        "settled_at": utc(row.settled_at),
        "issued_by": row.settled_by,
        "total": row.statement["total"],
        "paid": row.statement["paid"],
    }


def pick(row: domain.Pick) -> dict[str, Any]:
    return {
        "part_number": row.part_number,
        "name": row.name,
        "quantity": quantity("part", row.quantity),
        "available": str(row.available) if row.available is not None else None,
        "short": row.short,
        "appointment_ids": row.appointment_ids,
    }
