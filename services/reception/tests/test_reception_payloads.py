"""Every event reception publishes, built by its payload builder from rows that were never
saved, is what its contract says (no broker, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from aftersales_contracts import validate_payload
from aftersales_core.envelope import to_primitives
from aftersales_reception import domain, payloads
from aftersales_reception.models import (
    Appointment,
    CheckIn,
    Customer,
    Order,
    OrderLine,
    Vehicle,
)

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
CUSTOMER = Customer(
    customer_id="cus-1", group_id="grp", site_id="site-pudong", name="周建明",
    phones=["13800000001"], customer_class="member",
)  # fmt: skip
VEHICLE = Vehicle(
    vehicle_id="veh-1", customer_id="cus-1", vin="LSVAL618KA0000001", plate="沪A·12345",
    brand="上汽大众", model="朗逸", sale_date=date(2024, 5, 1), mileage=30500,
)  # fmt: skip
ORDER = Order(
    order_id="ro-1", order_number="PUDONG-20261202-0001", group_id="grp", site_id="site-pudong",
    customer_id="cus-1", vehicle_id="veh-1", vin=VEHICLE.vin, order_type="repair",
    mileage=30500, complaint="刹车异响", promised_at=NOW, service_advisor_id="sa.wang.pd",
    next_service_date=date(2027, 6, 2), next_service_mileage=40000,
)  # fmt: skip
LABOR = OrderLine(
    line_id="ln-1", kind="labor", code="BRK-FPAD", description="更换前刹车片",
    quantity=Decimal("1.0"), unit_price=Decimal("180.00"), payer="customer", skill="brakes",
)  # fmt: skip
PART = OrderLine(
    line_id="ln-2", kind="part", code="5Q0698151B", description="前刹车片",
    quantity=Decimal("1.5"), unit_price=Decimal("398.00"), payer="warranty",
)  # fmt: skip


def _valid(event_type: str, payload: dict) -> dict:
    return validate_payload(event_type, to_primitives(payload))


def test_customers_vehicles_appointments_and_sheets() -> None:
    _valid("customer_registered", payloads.customer_registered(CUSTOMER, "sa.wang.pd"))
    assert _valid("vehicle_registered", payloads.vehicle_registered(VEHICLE, CUSTOMER))[
        "sale_date"] == "2024-05-01"  # fmt: skip
    appointment = Appointment(
        appointment_id="apt-1", customer_id="cus-1", vehicle_id="veh-1", vin=VEHICLE.vin,
        slot_start=NOW, estimated_hours=Decimal("2.0"), estimate_amount=None,
        requested_work=["保养"], source="phone", service_advisor_id="sa.wang.pd",
    )  # fmt: skip
    _valid("appointment_booked", payloads.appointment_booked(appointment))
    sheet = CheckIn(
        check_in_id="chk-1", appointment_id=None, customer_id="cus-1", vehicle_id="veh-1",
        vin=VEHICLE.vin, mileage=30500, complaint="异响",
    )  # fmt: skip
    _valid("vehicle_checked_in", payloads.vehicle_checked_in(sheet, "sa.wang.pd"))


def test_the_order_from_opening_to_delivery() -> None:
    _valid("order_opened", payloads.order_opened(ORDER))
    approved = _valid(
        "order_approved", payloads.order_approved(ORDER, VEHICLE.plate, "sa.wang.pd", [LABOR, PART])
    )
    assert [x["standard_hours"] for x in approved["labor_lines"]] == ["1.0"]
    assert [x["quantity"] for x in approved["part_lines"]] == ["1.5"]
    assert payloads.part_requested(ORDER, [LABOR], "sa.wang.pd") is None
    requested = payloads.part_requested(ORDER, [LABOR, PART], "sa.wang.pd")
    assert [x["line_id"] for x in _valid("part_requested", requested)["lines"]] == ["ln-2"]
    added = payloads.additional_work_approved(ORDER, "aw-1", [LABOR, PART], "sa.wang.pd")
    _valid("additional_work_approved", added)
    _valid("additional_work_declined", payloads.additional_work_declined(ORDER, "aw-2", "雨刮"))
    _valid("order_cancelled", payloads.order_cancelled(ORDER, "客户改主意", "sa.wang.pd", False))
    statement = domain.build_statement(
        [domain.PricedLine("ln-1", "labor", "BRK-FPAD", "更换前刹车片", "customer",
                           Decimal("1.0"), Decimal("180.00"))],
        tax_rate=Decimal("0.13"),
    )  # fmt: skip
    settled = _valid("order_settled", payloads.order_settled(ORDER, statement))
    assert (settled["total"], settled["totals_by_payer"]) == ("180.00", {"customer": "180.00"})
    delivered = _valid("vehicle_delivered", payloads.vehicle_delivered(ORDER, VEHICLE.plate, NOW))
    assert delivered["delivered_at"] == NOW.isoformat()
