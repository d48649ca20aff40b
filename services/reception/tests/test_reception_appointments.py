"""Appointments, the pre-pick list and the check-in sheet, on the real broker and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import eventlet
import pytest

from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU
from aftersales_core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    ValidationFailed,
)
from aftersales_core.tenancy import Tenant
from aftersales_reception import domain
from aftersales_reception.models import Appointment, CheckIn, History

ADVISOR = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
OTHER_ADVISOR = Tenant("sa.qian.sz", GROUP_ID, (SUZHOU,), ("service_advisor",))
TECHNICIAN = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
SYSTEM = Tenant.system(GROUP_ID)


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    today = domain.local_day(datetime.now(domain.LOCAL_TZ))
    return datetime.combine(today + timedelta(days=day_offset), time(hour, minute), domain.LOCAL_TZ)


def booking(vehicle_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "site_id": PUDONG,
        "vehicle_id": vehicle_id,
        "slot_start": local(1, 9, 30).isoformat(),
        "requested_work": ["1万公里保养", "刹车异响检查"],
        "operations": ["MNT-10K", "BRK-FPAD"],
        "parts": [{"part_number": "04E115561H"}, {"part_number": "G052195M4", "quantity": "1"}],
        "source": "phone",
    }
    body.update(overrides)
    return body


def booked_events(reception: Any, vehicle_id: str) -> list[Any]:
    found = reception.events("appointment_booked")
    return [e for e in found if e.payload["vehicle_id"] == vehicle_id]


# ---------------------------------------------------------------- booking


def test_book_prices_the_estimate_and_announces_it(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle = reception.new_vehicle()
    booked = advisor.book_appointment(booking(vehicle["vehicle_id"]))
    # 1.0 h + 1.0 h at the Pudong customer rate of 180.00 = 360.00; parts 48.00 + 398.00
    assert booked["estimated_hours"] == "2.0"
    assert booked["estimate_amount"] == "806.00"
    assert booked["status"] == "booked"
    assert booked["day"] == (local(1, 0).date()).isoformat()
    assert booked["service_advisor_id"] == "sa.wang.pd"
    assert [p["unit_price"] for p in booked["parts"]] == ["48.00", "398.00"]
    assert [o["amount"] for o in booked["operations"]] == ["180.00", "180.00"]
    assert reception.workshop.calls == [(PUDONG, booked["day"])]

    [event] = booked_events(reception, vehicle["vehicle_id"])[:1]
    assert event.payload["appointment_id"] == booked["appointment_id"]
    assert event.payload["vin"] == vehicle["vin"]
    assert event.payload["estimate_amount"] == "806.00"
    assert event.payload["estimated_hours"] == "2.0"
    assert (event.group_id, event.site_id) == (GROUP_ID, PUDONG)

    # hours without operations: no price to estimate
    walk_in = advisor.book_appointment(
        booking(
            vehicle["vehicle_id"],
            operations=[],
            parts=[],
            estimated_hours="0.5",
            source="walk_in",
            slot_start=local(0, 0).isoformat(),
        )
    )
    assert walk_in["estimate_amount"] is None
    assert walk_in["estimated_hours"] == "0.5"

    listed = advisor.list_appointments({"site_id": PUDONG, "day": booked["day"]})["items"]
    assert booked["appointment_id"] in [a["appointment_id"] for a in listed]
    assert walk_in["appointment_id"] not in [a["appointment_id"] for a in listed]
    today = [a["appointment_id"] for a in advisor.list_appointments()["items"]]
    assert walk_in["appointment_id"] in today and booked["appointment_id"] not in today
    slots = [a["slot_start"] for a in listed]
    assert slots == sorted(slots)


def test_capacity_limits_booking_and_a_silent_workshop_refuses(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle_id = reception.new_vehicle()["vehicle_id"]
    day = local(12, 0).date().isoformat()
    reception.workshop.hours[(PUDONG, day)] = "4.0"
    slot = local(12, 10).isoformat()
    first = advisor.book_appointment(booking(vehicle_id, slot_start=slot))  # 2.0 of 4.0
    advisor.book_appointment(booking(vehicle_id, slot_start=slot, estimated_hours="2.0"))
    before = reception.count(Appointment.__table__)
    with pytest.raises(Conflict) as caught:
        advisor.book_appointment(booking(vehicle_id, slot_start=slot, estimated_hours="0.1"))
    assert caught.value.code == "CAPACITY_EXCEEDED"
    assert caught.value.fields == {"estimated_hours": ["at most 0.0 h free that day"]}
    # a cancelled appointment frees its hours
    advisor.cancel_appointment(first["appointment_id"], {"reason": "客户改期"})
    advisor.book_appointment(booking(vehicle_id, slot_start=slot, operations=["MNT-OIL"]))

    reception.workshop.delay = 2.0  # longer than reception's 1 s deadline
    with pytest.raises(ServiceUnavailable) as caught:
        advisor.book_appointment(booking(vehicle_id))
    assert caught.value.code == "SERVICE_TIMEOUT"
    reception.workshop.delay = 0.0
    assert reception.count(Appointment.__table__) == before + 1
    assert len(booked_events(reception, vehicle_id)) == 3


def test_concurrent_bookings_cannot_overbook_a_day(reception: Any) -> None:
    vehicle_id = reception.new_vehicle()["vehicle_id"]
    day = local(17, 0).date().isoformat()
    reception.workshop.hours[(PUDONG, day)] = "5.0"

    def book(_: int) -> str:
        with reception.own_proxy(ADVISOR) as proxy:
            try:
                proxy.book_appointment(
                    booking(vehicle_id, slot_start=local(17, 10).isoformat(), estimated_hours="2.0")
                )
                return "booked"
            except Conflict as exc:
                return exc.code

    results = sorted(eventlet.GreenPool(5).imap(book, range(5)))
    # 5.0 h fit two bookings of 2.0 h, never three
    assert results == ["CAPACITY_EXCEEDED"] * 3 + ["booked"] * 2


def test_booking_refuses_bad_input_on_the_field(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle_id = reception.new_vehicle()["vehicle_id"]
    before = reception.count(Appointment.__table__)
    cases = [
        ({"operations": ["NOPE"]}, "OPERATION_UNKNOWN", {"operations": {"0": ["NOPE"]}}),
        ({"operations": ["HV-CHK"]}, "OPERATION_NOT_FOR_MODEL", {"operations": {"0": None}}),
        (
            {"parts": [{"part_number": "04E115561H"}, {"part_number": "XX-1"}]},
            "PART_UNKNOWN",
            {"parts": {"1": {"part_number": None}}},
        ),
        ({"slot_start": local(-1, 9).isoformat()}, "SLOT_IN_PAST", {"slot_start": None}),
        ({"source": "fax"}, "VALIDATION_ERROR", {"source": None}),
        (
            {"operations": [], "estimated_hours": None},
            "VALIDATION_ERROR",
            {"estimated_hours": None},
        ),
        ({"estimated_hours": "1.25"}, "VALIDATION_ERROR", {"estimated_hours": None}),
        ({"slot_start": "2026-11-25T09:30:00"}, "VALIDATION_ERROR", {"slot_start": None}),
    ]
    for overrides, code, fields in cases:
        with pytest.raises(ValidationFailed) as caught:
            advisor.book_appointment(booking(vehicle_id, **overrides))
        assert caught.value.code == code, overrides
        assert caught.value.fields.keys() == fields.keys(), overrides
        for name, sub in fields.items():
            if isinstance(sub, dict):
                assert sub.keys() == caught.value.fields[name].keys(), overrides
    assert reception.count(Appointment.__table__) == before
    assert booked_events(reception, vehicle_id) == []


def test_appointment_tenancy(reception: Any) -> None:
    vehicle_id = reception.new_vehicle()["vehicle_id"]
    booked = reception.as_(ADVISOR).book_appointment(booking(vehicle_id))
    with pytest.raises(Forbidden) as caught:
        reception.as_(OTHER_ADVISOR).book_appointment(booking(vehicle_id))
    assert caught.value.code == "SITE_FORBIDDEN"
    with pytest.raises(NotFound) as caught:
        reception.as_(OTHER_ADVISOR).get_appointment(booked["appointment_id"])
    assert caught.value.code == "APPOINTMENT_NOT_FOUND"
    with pytest.raises(NotFound):
        reception.as_(OTHER_ADVISOR).cancel_appointment(booked["appointment_id"], {"reason": "x"})
    with pytest.raises(Forbidden) as caught:
        reception.as_(TECHNICIAN).book_appointment(booking(vehicle_id))
    assert caught.value.code == "ROLE_FORBIDDEN"
    # headquarters sees every site but does not book
    assert reception.as_(HQ).get_appointment(booked["appointment_id"])["site_id"] == PUDONG
    with pytest.raises(Forbidden):
        reception.as_(HQ).cancel_appointment(booked["appointment_id"], {"reason": "x"})
    assert reception.as_(OTHER_ADVISOR).list_appointments({"day": booked["day"]})["items"] == []
    seen_by_hq = reception.as_(HQ).list_appointments({"day": booked["day"]})["items"]
    assert booked["appointment_id"] in [a["appointment_id"] for a in seen_by_hq]


# ---------------------------------------------------------------- changing appointments


def test_reschedule_cancel_no_show_and_arrive(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle_id = reception.new_vehicle()["vehicle_id"]
    booked = advisor.book_appointment(booking(vehicle_id))
    later = local(13, 14)
    reception.workshop.hours[(PUDONG, later.date().isoformat())] = "2.0"
    moved = advisor.reschedule_appointment(
        booked["appointment_id"], {"slot_start": later.isoformat(), "reason": "客户出差"}
    )
    assert moved["day"] == later.date().isoformat()
    assert moved["slot_start"] == later.astimezone(UTC).isoformat()
    # rescheduling within the same day does not count the appointment twice
    advisor.reschedule_appointment(
        booked["appointment_id"], {"slot_start": later.replace(hour=15).isoformat()}
    )
    with pytest.raises(Conflict) as caught:
        advisor.reschedule_appointment(
            booked["appointment_id"], {"slot_start": later.isoformat(), "estimated_hours": "2.1"}
        )
    assert caught.value.code == "CAPACITY_EXCEEDED"

    with pytest.raises(Conflict) as caught:
        advisor.mark_no_show(booked["appointment_id"])
    assert caught.value.code == "SLOT_NOT_BEGUN"
    with pytest.raises(ValidationFailed) as caught:
        advisor.cancel_appointment(booked["appointment_id"], {})
    assert list(caught.value.fields) == ["reason"]
    cancelled = advisor.cancel_appointment(booked["appointment_id"], {"reason": "车已卖"})
    assert (cancelled["status"], cancelled["reason"]) == ("cancelled", "车已卖")
    for step in (
        lambda: advisor.cancel_appointment(booked["appointment_id"], {"reason": "again"}),
        lambda: advisor.mark_arrived(booked["appointment_id"]),
        lambda: advisor.reschedule_appointment(
            booked["appointment_id"], {"slot_start": later.isoformat()}
        ),
    ):
        with pytest.raises(Conflict) as caught:
            step()
        assert caught.value.code == "ILLEGAL_TRANSITION"

    today = advisor.book_appointment(booking(vehicle_id, slot_start=local(0, 0).isoformat()))
    assert advisor.mark_no_show(today["appointment_id"])["status"] == "no_show"
    arriving = advisor.book_appointment(booking(vehicle_id))
    assert advisor.mark_arrived(arriving["appointment_id"])["status"] == "arrived"

    history = advisor.get_appointment(booked["appointment_id"])["history"]
    assert [h["action"] for h in history] == ["booked", "rescheduled", "rescheduled", "cancelled"]
    assert history[1]["details"]["reason"] == "客户出差"
    assert history[1]["by"] == "sa.wang.pd"
    assert reception.count(History.__table__) >= 7
    assert advisor.get_appointment(today["appointment_id"])["history"][-1]["action"] == "no_show"


def test_pre_pick_list_for_tomorrow(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    first = reception.new_vehicle()["vehicle_id"]
    second = reception.new_vehicle()["vehicle_id"]
    a = advisor.book_appointment(booking(first, slot_start=local(14, 9).isoformat()))
    b = advisor.book_appointment(
        booking(
            second,
            slot_start=local(14, 8).isoformat(),
            operations=["BRK-FDISC"],
            parts=[
                {"part_number": "5Q0615301F", "quantity": "5"},
                {"part_number": "04E115561H", "quantity": "2"},
            ],
        )
    )
    # cancelled and other days' appointments are not picked
    c = advisor.book_appointment(booking(first, slot_start=local(14, 11).isoformat()))
    advisor.cancel_appointment(c["appointment_id"], {"reason": "x"})
    advisor.book_appointment(booking(first, slot_start=local(15, 9).isoformat()))

    assert (
        advisor.pre_pick_list({"site_id": PUDONG})["day"] == local(1, 0).date().isoformat()
    )  # tomorrow
    pick = advisor.pre_pick_list({"site_id": PUDONG, "day": local(14, 0).date().isoformat()})
    assert [x["appointment_id"] for x in pick["appointments"]] == [
        b["appointment_id"],
        a["appointment_id"],
    ]
    parts = {p["part_number"]: p for p in pick["parts"]}
    assert parts["04E115561H"]["quantity"] == "3"  # 1 + 2
    assert parts["04E115561H"]["available"] == "60"
    assert parts["04E115561H"]["short"] is False
    assert parts["5Q0615301F"]["quantity"] == "5"
    assert parts["5Q0615301F"]["available"] == "4"  # Pudong holds 4 brake discs
    assert parts["5Q0615301F"]["short"] is True
    assert sorted(parts["04E115561H"]["appointment_ids"]) == sorted(
        [a["appointment_id"], b["appointment_id"]]
    )
    day = local(16, 0).date().isoformat()
    assert advisor.pre_pick_list({"site_id": PUDONG, "day": day})["parts"] == []
    with pytest.raises(Forbidden):
        reception.as_(OTHER_ADVISOR).pre_pick_list({"site_id": PUDONG})


# ---------------------------------------------------------------- check-in


def sheet(vehicle_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "site_id": PUDONG,
        "vehicle_id": vehicle_id,
        "mileage": 63010,
        "fuel_level": 40,
        "damage_marks": [{"area": "左前门", "kind": "划痕", "note": "约5厘米"}],
        "valuables": ["行车记录仪"],
        "items_left": ["儿童座椅", "雨伞"],
        "complaint": "踩刹车时前轮有吱吱声，早上更明显",
    }
    body.update(overrides)
    return body


def checked_in(reception: Any, vehicle_id: str) -> list[Any]:
    found = reception.events("vehicle_checked_in")
    return [e for e in found if e.payload["vehicle_id"] == vehicle_id]


SIGNATURE = {"signed_by": "张伟", "method": "tablet", "reference": "sig/2026/11/25/001.png"}


def test_check_in_sheet_draft_update_sign_then_immutable(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle = reception.new_vehicle()
    booked = advisor.book_appointment(booking(vehicle["vehicle_id"]))
    before = reception.count(CheckIn.__table__)
    with pytest.raises(ValidationFailed) as caught:
        advisor.check_in(sheet(vehicle["vehicle_id"], mileage=60000))
    assert caught.value.code == "MILEAGE_BELOW_LAST"
    assert reception.count(CheckIn.__table__) == before

    draft = advisor.check_in(sheet(vehicle["vehicle_id"], appointment_id=booked["appointment_id"]))
    assert draft["status"] == "draft"
    assert draft["previous_mileage"] == 62350  # the car's registered mileage
    assert draft["signed_at"] is None
    assert advisor.get_appointment(booked["appointment_id"])["status"] == "arrived"
    assert checked_in(reception, vehicle["vehicle_id"]) == []

    updated = advisor.update_check_in(draft["check_in_id"], {"fuel_level": 35, "mileage": 63020})
    assert (updated["fuel_level"], updated["mileage"]) == (35, 63020)
    with pytest.raises(ValidationFailed) as caught:
        advisor.update_check_in(draft["check_in_id"], {"fuel_level": 101})
    assert list(caught.value.fields) == ["fuel_level"]

    signed = advisor.sign_check_in(draft["check_in_id"], SIGNATURE)
    assert signed["status"] == "signed"
    assert signed["signed_by"] == "张伟"
    assert signed["signature_method"] == "tablet"
    assert signed["signed_at"]
    for change in (
        lambda: advisor.update_check_in(draft["check_in_id"], {"fuel_level": 10}),
        lambda: advisor.sign_check_in(draft["check_in_id"], SIGNATURE),
    ):
        with pytest.raises(Conflict) as caught:
            change()
        assert caught.value.code == "CHECK_IN_SIGNED"
    assert advisor.get_check_in(draft["check_in_id"])["fuel_level"] == 35

    [event] = checked_in(reception, vehicle["vehicle_id"])
    assert event.payload == {
        "check_in_id": draft["check_in_id"],
        "appointment_id": booked["appointment_id"],
        "customer_id": vehicle["customer_id"],
        "vehicle_id": vehicle["vehicle_id"],
        "vin": vehicle["vin"],
        "mileage": 63020,
        "complaint": "踩刹车时前轮有吱吱声，早上更明显",
        "checked_in_by": "sa.wang.pd",
    }
    assert advisor.get_vehicle(vehicle["vehicle_id"])["mileage"] == 63020
    history = advisor.get_check_in(draft["check_in_id"])["history"]
    assert [h["action"] for h in history] == ["created", "updated", "signed"]
    assert history[1]["details"]["fuel_level"] == {"from": 40, "to": 35}


def test_check_in_signed_at_once_with_a_replaced_odometer(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle = reception.new_vehicle()
    signed = advisor.check_in(
        sheet(
            vehicle["vehicle_id"],
            mileage=120,
            mileage_reason="仪表总成更换，里程归零",
            signature=SIGNATURE,
        )
    )
    assert signed["status"] == "signed"
    assert signed["mileage"] == 120 and signed["previous_mileage"] == 62350
    assert advisor.get_vehicle(vehicle["vehicle_id"])["mileage"] == 120
    assert len(checked_in(reception, vehicle["vehicle_id"])) == 1
    # the next reading is checked against the new odometer
    with pytest.raises(ValidationFailed):
        advisor.check_in(sheet(vehicle["vehicle_id"], mileage=100))


def test_check_in_refusals(reception: Any) -> None:
    before = reception.count(CheckIn.__table__)
    advisor = reception.as_(ADVISOR)
    vehicle_id = reception.new_vehicle()["vehicle_id"]
    other_vehicle = reception.new_vehicle()["vehicle_id"]
    booked = advisor.book_appointment(booking(other_vehicle))
    with pytest.raises(ValidationFailed) as caught:
        advisor.check_in(sheet(vehicle_id, appointment_id=booked["appointment_id"]))
    assert caught.value.code == "APPOINTMENT_MISMATCH"
    advisor.cancel_appointment(booked["appointment_id"], {"reason": "x"})
    with pytest.raises(Conflict) as caught:
        advisor.check_in(sheet(other_vehicle, appointment_id=booked["appointment_id"]))
    assert caught.value.code == "ILLEGAL_TRANSITION"
    with pytest.raises(ValidationFailed) as caught:
        advisor.check_in(sheet(vehicle_id, complaint="", signature={"signed_by": "x"}))
    assert set(caught.value.fields) == {"complaint", "signature"}
    with pytest.raises(NotFound) as caught:
        advisor.check_in(sheet("veh-nope"))
    assert caught.value.code == "VEHICLE_NOT_FOUND"
    with pytest.raises(NotFound):  # another site's car is none of their business
        reception.as_(OTHER_ADVISOR).check_in(sheet(vehicle_id, site_id=SUZHOU))
    with pytest.raises(Forbidden):
        reception.as_(OTHER_ADVISOR).check_in(sheet(vehicle_id))
    assert reception.count(CheckIn.__table__) == before
