"""Reception's routes over HTTP: the service advisor's whole day through the gateway, on
real RabbitMQ and PostgreSQL with every service running (one system for the module).

The workshop's and the warehouse's facts that move a repair order (jobs done, QC, parts
issued) are published on their exchanges as their outboxes would, so these tests do not
depend on how those services are driven.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import requests

from aftersales_cli.seed_data import GROUP_ID
from aftersales_cli.testing import (
    ADVISOR_PD,
    ADVISOR_SZ,
    HQ,
    OTHER_ADVISOR,
    PUDONG,
    System,
    publish_event,
    wait_for,
)
from aftersales_core.clock import SITE_TZ, local_date
from aftersales_core.envelope import Envelope
from aftersales_core.identifiers import make_vin
from aftersales_core.tenancy import Tenant

CASHIER_PD = Tenant("cash.tang.pd", GROUP_ID, (PUDONG,), ("cashier",))
SUPERVISOR_PD = Tenant("fds.xu.pd", GROUP_ID, (PUDONG,), ("front_desk_supervisor",))
SIGNATURE = {"signed_by": "周先生", "method": "tablet"}
_serials = iter(range(700_001, 799_999))


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    return gateway_system


# ---------------------------------------------------------------- helpers


def _error(resp: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape; returns the inner object."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert "Traceback" not in resp.text
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def _ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    return resp.json()


def _local(day_offset: int, hour: int) -> str:
    day = local_date(datetime.now(UTC)) + timedelta(days=day_offset)
    return datetime.combine(day, time(hour), SITE_TZ).isoformat()


def _new_vehicle(system: System, mileage: int = 30000) -> dict[str, Any]:
    serial = next(_serials)
    customer = _ok(
        system.post(
            "/api/v1/customers",
            ADVISOR_PD,
            json={
                "site_id": PUDONG,
                "name": "周建明",
                "phones": [f"138{serial:08d}"],
                "customer_class": "member",
                "vehicles": [
                    {
                        "vin": make_vin(f"LSVAL618KA{serial:06d}"),
                        "plate": f"沪B·{serial % 100000:05d}",
                        "brand": "上汽大众",
                        "model": "朗逸",
                        "mileage": mileage,
                    }
                ],
            },
        ),
        201,
    )
    return customer["vehicles"][0]


def _publish(system: System, source: str, event_type: str, payload: dict[str, Any]) -> None:
    envelope = Envelope(event_type, GROUP_ID, PUDONG, payload, payload.get("order_id"))
    publish_event(system.amqp_uri, source, envelope)


def _order(system: System, order_id: str, tenant: Tenant = ADVISOR_PD) -> dict[str, Any]:
    return _ok(system.get(f"/api/v1/orders/{order_id}", tenant))


def _until(system: System, order_id: str, predicate: Any, what: str) -> dict[str, Any]:
    return wait_for(
        lambda: (lambda o: o if predicate(o) else None)(_order(system, order_id)), 15, what
    )


def _line(order: dict[str, Any], code: str) -> str:
    [line] = [x for x in order["lines"] if x["code"] == code]
    return line["line_id"]


def _finish_jobs(system: System, order: dict[str, Any], codes: list[str]) -> list[str]:
    jobs = []
    for code in codes:
        job_id = f"job-{uuid.uuid4().hex[:8]}"
        now = datetime.now(UTC).isoformat()
        base = {"job_id": job_id, "order_id": order["order_id"], "technician_id": "tech.liu.pd"}
        _publish(system, "workshop", "job_started", {**base, "started_at": now})
        _publish(system, "workshop", "job_done", {**base, "line_id": _line(order, code),
                 "standard_hours": "1.0", "clocked_hours": "1.0", "done_at": now})  # fmt: skip
        jobs.append(job_id)
    return jobs


def _opened(system: System, lines: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    vehicle = _new_vehicle(system)
    sheet = _ok(
        system.post(
            "/api/v1/check-ins",
            ADVISOR_PD,
            json={"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"], "mileage": 30500,
                  "fuel_level": 60, "complaint": "保养", "signature": SIGNATURE},
        ),
        201,
    )  # fmt: skip
    return _ok(
        system.post(
            "/api/v1/orders",
            ADVISOR_PD,
            json={"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                  "check_in_id": sheet["check_in_id"], "order_type": "maintenance",
                  "lines": lines, **extra},
        ),
        201,
    )  # fmt: skip


def _approved(system: System, lines: list[dict[str, Any]]) -> dict[str, Any]:
    order = _opened(system, lines)
    path = f"/api/v1/orders/{order['order_id']}"
    _ok(system.post(f"{path}/send-for-approval", ADVISOR_PD))
    return _ok(system.post(f"{path}/approve", ADVISOR_PD, json={"signature": SIGNATURE}))


# ---------------------------------------------------------------- the advisor's day


def test_the_advisors_day_from_appointment_to_delivery(system: System) -> None:
    vehicle = _new_vehicle(system)
    # 1. appointment: the workshop's capacity (6 technicians x 8 h at Pudong) allows it
    booked = _ok(
        system.post(
            "/api/v1/appointments",
            ADVISOR_PD,
            json={"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                  "slot_start": _local(1, 9), "requested_work": ["常规保养", "刹车异响"],
                  "operations": ["MNT-10K", "BRK-FPAD"], "source": "phone"},
        ),
        201,
    )  # fmt: skip
    assert (booked["estimated_hours"], booked["estimate_amount"]) == ("2.0", "360.00")
    tomorrow = _ok(system.get("/api/v1/appointments", ADVISOR_PD,
                              params={"site_id": PUDONG, "day": booked["day"]}))  # fmt: skip
    assert booked["appointment_id"] in [a["appointment_id"] for a in tomorrow["items"]]
    pick = _ok(system.get("/api/v1/appointments/pre-pick", ADVISOR_PD, params={"site_id": PUDONG}))
    assert pick["day"] == booked["day"]
    assert booked["appointment_id"] in [a["appointment_id"] for a in pick["appointments"]]

    # 2. check-in: draft, corrected, signed (immutable from then on)
    draft = _ok(
        system.post(
            "/api/v1/check-ins",
            ADVISOR_PD,
            json={"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                  "appointment_id": booked["appointment_id"], "mileage": 31200, "fuel_level": 30,
                  "damage_marks": [{"area": "后保险杠", "kind": "凹陷"}],
                  "valuables": ["行车记录仪"], "items_left": ["雨伞"],
                  "complaint": "刹车时有异响"},
        ),
        201,
    )  # fmt: skip
    sheet_path = f"/api/v1/check-ins/{draft['check_in_id']}"
    patched = _ok(system.request("PATCH", sheet_path, ADVISOR_PD, json={"fuel_level": 25}))
    assert patched["fuel_level"] == 25
    signed = _ok(system.post(f"{sheet_path}/sign", ADVISOR_PD, json=SIGNATURE))
    assert signed["status"] == "signed"
    _error(system.request("PATCH", sheet_path, ADVISOR_PD, json={"fuel_level": 5}), 409,
           "CHECK_IN_SIGNED")  # fmt: skip
    arrived = _ok(system.get(f"/api/v1/appointments/{booked['appointment_id']}", ADVISOR_PD))
    assert arrived["status"] == "arrived"

    # 3. repair order: lines with payers, a to-be-confirmed line, promised time, wash
    promised = (datetime.now(UTC) + timedelta(hours=5)).replace(microsecond=0).isoformat()
    order = _ok(
        system.post(
            "/api/v1/orders",
            ADVISOR_PD,
            headers={"Idempotency-Key": f"open-{draft['check_in_id']}"},
            json={"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                  "check_in_id": draft["check_in_id"], "order_type": "repair",
                  "promised_at": promised, "old_part_disposition": "return_to_customer",
                  "wash": True, "lines": [
                      {"kind": "labor", "operation_code": "MNT-10K"},
                      {"kind": "labor", "operation_code": "BRK-FPAD", "payer": "warranty"},
                      {"kind": "sublet", "code": "SUB-ALN", "description": "四轮定位（外协）",
                       "unit_price": "150.00"},
                      {"kind": "misc", "description": "洗车", "unit_price": "30.00",
                       "free": True, "free_reason": "会员免费洗车"},
                      {"kind": "labor", "operation_code": "DIAG-EL", "to_be_confirmed": True},
                  ]},
        ),
        201,
    )  # fmt: skip
    order_id = order["order_id"]
    assert order["status"] == "draft" and order["mileage"] == 31200
    assert order["estimate"]["totals_by_payer"] == {"customer": "510.00", "warranty": "120.00"}
    # a retried request with the same key does not open a second RO
    again = system.post("/api/v1/orders", ADVISOR_PD,
                        headers={"Idempotency-Key": f"open-{draft['check_in_id']}"},
                        json={"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                              "check_in_id": draft["check_in_id"], "order_type": "repair",
                              "promised_at": promised, "old_part_disposition":
                              "return_to_customer", "wash": True, "lines": [
                                  {"kind": "labor", "operation_code": "MNT-10K"},
                                  {"kind": "labor", "operation_code": "BRK-FPAD",
                                   "payer": "warranty"},
                                  {"kind": "sublet", "code": "SUB-ALN",
                                   "description": "四轮定位（外协）", "unit_price": "150.00"},
                                  {"kind": "misc", "description": "洗车", "unit_price": "30.00",
                                   "free": True, "free_reason": "会员免费洗车"},
                                  {"kind": "labor", "operation_code": "DIAG-EL",
                                   "to_be_confirmed": True}]})  # fmt: skip
    assert _ok(again, 201)["order_id"] == order_id
    mine = _ok(
        system.get("/api/v1/orders", ADVISOR_PD, params={"vehicle_id": vehicle["vehicle_id"]})
    )
    assert [o["order_id"] for o in mine["items"]] == [order_id]

    path = f"/api/v1/orders/{order_id}"
    _error(system.post(f"{path}/approve", ADVISOR_PD, json={"signature": SIGNATURE}), 409,
           "ILLEGAL_TRANSITION")  # fmt: skip
    _ok(system.post(f"{path}/send-for-approval", ADVISOR_PD))
    approved = _ok(system.post(f"{path}/approve", ADVISOR_PD, json={"signature": SIGNATURE}))
    assert approved["status"] == "approved"

    # 4-7. the workshop works it (its facts arrive as events): in progress, then QC passed
    jobs = _finish_jobs(system, approved, ["MNT-10K"])
    _until(system, order_id, lambda o: o["status"] == "in_progress", "in progress")
    jobs += _finish_jobs(system, approved, ["BRK-FPAD"])
    _until(system, order_id, lambda o: {x["job_status"] for x in o["lines"]
           if x["kind"] == "labor" and x["status"] == "approved"} == {"done"},
           "jobs done")  # fmt: skip
    _publish(system, "workshop", "qc_passed", {"order_id": order_id, "inspector_id": "qc.hu.pd",
             "job_ids": jobs, "road_test": True})  # fmt: skip
    _until(system, order_id, lambda o: o["status"] == "ready_for_delivery", "ready")

    # 8. settlement from what was done: customer 180 + 150 (the diagnosis never confirmed,
    #    the wash free) = 330.00; warranty 120.00
    statement = _ok(system.get(f"{path}/statement", ADVISOR_PD))
    assert statement["totals_by_payer"] == {"customer": "330.00", "warranty": "120.00"}
    # 16.50 is 5 % of 330.00: within the advisor's own limit
    discounted = _ok(system.post(f"{path}/discount", ADVISOR_PD,
                                 json={"amount": "16.50", "reason": "会员折扣"}))  # fmt: skip
    assert discounted["discount"]["status"] == "approved"
    assert discounted["statement"]["customer_due"] == "313.50"
    paid = _ok(system.post(f"{path}/payments", CASHIER_PD,
                           json={"amount": "300.00", "method": "cash"}), 201)  # fmt: skip
    assert paid["statement"]["outstanding"] == "13.50"
    _error(system.get(f"{path}/exit-pass", ADVISOR_PD), 409, "NOT_SETTLED")
    settled = _ok(
        system.post(
            f"{path}/settle",
            CASHIER_PD,
            json={"payments": [{"amount": "13.50", "method": "alipay"}]},
        )
    )
    assert settled["status"] == "settled"
    assert (settled["statement"]["total"], settled["statement"]["tax_total"]) == (
        "433.50", "49.88")  # 313.50 (VAT 36.07) + 120.00 (VAT 13.81)  # fmt: skip
    exit_pass = _ok(system.get(f"{path}/exit-pass", ADVISOR_PD))
    assert exit_pass["exit_pass_number"] == f"EP-{order['order_number']}"

    # 9. delivery: the next service date and mileage go onto the vehicle
    delivered = _ok(system.post(f"{path}/deliver", ADVISOR_PD,
                                json={"next_service_date": "2027-06-01",
                                      "next_service_mileage": 40000}))  # fmt: skip
    assert delivered["status"] == "delivered"
    file = _ok(system.get(f"/api/v1/vehicles/{vehicle['vehicle_id']}", ADVISOR_PD))
    assert (file["next_service_date"], file["next_service_mileage"]) == ("2027-06-01", 40000)
    assert [v["order_id"] for v in file["visits"]] == [order_id]
    history = _ok(system.get(f"{path}/history", ADVISOR_PD))
    assert [h["action"] for h in history][:3] == ["opened", "sent_for_approval", "approved"]
    assert history[-1]["action"] == "delivered" and history[-1]["by"] == "sa.wang.pd"
    assert {"settled", "payment_received", "discount_granted", "status_changed"} <= {
        h["action"] for h in history
    }


def test_additional_work_decisions(system: System) -> None:
    order = _approved(system, [{"kind": "labor", "operation_code": "MNT-10K"}])
    order_id = order["order_id"]
    for work_id, code, hours, part in (
        ("aw-a", "BRK-FLUID", "0.8", ["DOT4-1L"]),
        ("aw-b", "WIP-RPL", "0.2", []),
    ):
        _publish(system, "workshop", "additional_work_found", {
            "order_id": order_id, "work_id": f"{work_id}-{order_id}", "job_id": None,
            "description": f"建议{code}", "found_by": "tech.liu.pd",
            "suggested_operations": [{"operation_code": code, "description": code,
                                      "standard_hours": hours}],
            "suggested_parts": [{"part_number": p, "quantity": "1"} for p in part]})  # fmt: skip
    found = _until(system, order_id, lambda o: len(o["additional_work"]) == 2, "found")
    # priced at once, the part by the parts service: 0.8 h x 180.00 + 85.00; 0.2 h x 180.00
    assert {w["estimate_amount"] for w in found["additional_work"]} == {"229.00", "36.00"}
    path = f"/api/v1/orders/{order_id}/additional-work"
    confirmation = {"confirmation": {"signed_by": "周先生", "method": "phone"}}
    approved = _ok(system.post(f"{path}/aw-a-{order_id}/approve", ADVISOR_PD, json=confirmation))
    assert [x["code"] for x in approved["lines"]] == ["MNT-10K", "BRK-FLUID", "DOT4-1L"]
    declined = _ok(system.post(f"{path}/aw-b-{order_id}/decline", ADVISOR_PD,
                               json={**confirmation, "reason": "下次"}))  # fmt: skip
    assert {w["status"] for w in declined["additional_work"]} == {"approved", "declined"}
    _error(system.post(f"{path}/aw-b-{order_id}/approve", ADVISOR_PD, json=confirmation), 409,
           "ADDITIONAL_WORK_DECIDED")  # fmt: skip
    _error(system.post(f"{path}/aw-zzz/approve", ADVISOR_PD, json=confirmation), 404)
    _error(system.post(f"{path}/aw-b-{order_id}/approve", ADVISOR_SZ, json=confirmation), 404,
           "ORDER_NOT_FOUND")  # fmt: skip
    vehicle = _ok(system.get(f"/api/v1/vehicles/{order['vehicle_id']}", ADVISOR_PD))
    assert [r["work_id"] for r in vehicle["recommendations"]] == [f"aw-b-{order_id}"]


def test_appointment_changes_and_capacity(system: System) -> None:
    vehicle = _new_vehicle(system)
    body = {
        "site_id": PUDONG,
        "vehicle_id": vehicle["vehicle_id"],
        "slot_start": _local(20, 9),
        "requested_work": ["大保养"],
        "estimated_hours": "48.1",
        "source": "online",
    }
    error = _error(system.post("/api/v1/appointments", ADVISOR_PD, json=body), 409,
                   "CAPACITY_EXCEEDED")  # fmt: skip
    assert error["fields"] == {"estimated_hours": ["at most 48.0 h free that day"]}
    booked = _ok(system.post("/api/v1/appointments", ADVISOR_PD,
                             json={**body, "estimated_hours": "3.0"}), 201)  # fmt: skip
    path = f"/api/v1/appointments/{booked['appointment_id']}"
    moved = _ok(
        system.post(
            f"{path}/reschedule",
            ADVISOR_PD,
            json={"slot_start": _local(21, 14), "reason": "客户改时间"},
        )
    )
    assert moved["day"] != booked["day"]
    _error(system.post(f"{path}/no-show", ADVISOR_PD), 409, "SLOT_NOT_BEGUN")
    _error(system.post(f"{path}/cancel", ADVISOR_PD, json={}), 400, "VALIDATION_ERROR")
    _ok(system.post(f"{path}/cancel", ADVISOR_PD, json={"reason": "客户取消"}))
    _error(system.post(f"{path}/arrive", ADVISOR_PD), 409, "ILLEGAL_TRANSITION")
    history = _ok(system.get(path, ADVISOR_PD))["history"]
    assert [h["action"] for h in history] == ["booked", "rescheduled", "cancelled"]
    # the workshop does not answer: refused, never booked on a guess
    with system.stopped("workshop"):
        error = _error(system.post("/api/v1/appointments", ADVISOR_PD,
                                   json={**body, "estimated_hours": "1.0"}), 503)  # fmt: skip
        assert error["code"] in {"SERVICE_TIMEOUT", "SERVICE_UNAVAILABLE"}
    days = _ok(system.get("/api/v1/appointments", ADVISOR_PD,
                          params={"site_id": PUDONG, "day": booked["day"]}))  # fmt: skip
    assert [a["appointment_id"] for a in days["items"]
            if a["vehicle_id"] == vehicle["vehicle_id"]] == []  # fmt: skip


def test_errors_tenancy_and_roles_over_http(system: System) -> None:
    order = _opened(system, [{"kind": "labor", "operation_code": "MNT-OIL"}])
    path = f"/api/v1/orders/{order['order_id']}"
    _error(system.get(path), 401)
    _error(system.get(path, ADVISOR_SZ), 404, "ORDER_NOT_FOUND")
    _error(system.get(path, OTHER_ADVISOR), 404, "ORDER_NOT_FOUND")
    assert _ok(system.get(path, HQ))["order_id"] == order["order_id"]
    _error(system.post(f"{path}/send-for-approval", HQ), 403, "ROLE_FORBIDDEN")
    _error(system.post(f"{path}/settle", ADVISOR_PD), 409, "ILLEGAL_TRANSITION")
    _error(system.get(f"{path}/statement", ADVISOR_PD), 409, "ILLEGAL_TRANSITION")
    error = _error(system.post(f"{path}/lines", ADVISOR_PD,
                               json={"lines": [{"kind": "labor", "operation_code": "NOPE"}]}),
                   400, "OPERATION_UNKNOWN")  # fmt: skip
    assert error["fields"] == {"lines": {"0": {"operation_code": [
        "NOPE is not in the labor-time catalog"]}}}  # fmt: skip
    error = _error(
        system.post(
            f"{path}/lines", ADVISOR_PD, json={"lines": [{"kind": "misc", "description": "x"}]}
        ),
        400,
    )
    assert error["fields"] == {"lines": {"0": {"unit_price": ["required on a misc line"]}}}
    _error(system.request("DELETE", f"{path}/lines/ln-nope", ADVISOR_PD), 404, "LINE_NOT_FOUND")
    # quantities go to 0.001 (litres, metres): 0.0001 is finer than both fields allow
    for hostile in ("1e30", "NaN", "-1", "0.0001", 1e30):
        error = _error(system.post(f"{path}/lines", ADVISOR_PD, json={"lines": [
            {"kind": "misc", "description": "x", "unit_price": hostile, "quantity": hostile}]}),
            400, "VALIDATION_ERROR")  # fmt: skip
        assert set(error["fields"]["lines"]["0"]) == {"unit_price", "quantity"}, hostile
    broken = {"data": b"{", "headers": {"Content-Type": "application/json"}}
    _error(system.post(f"{path}/cancel", ADVISOR_PD, **broken), 400, "INVALID_JSON")
    patched = _ok(system.request("PATCH", path, ADVISOR_PD, json={"wash": True, "notes": "加急"}))
    assert (patched["wash"], patched["notes"]) == (True, "加急")
    cancelled = _ok(system.post(f"{path}/cancel", ADVISOR_PD, json={"reason": "客户改主意"}))
    assert cancelled["status"] == "cancelled"
    error = _error(system.get("/api/v1/orders", ADVISOR_PD, params={"limit": "x"}), 400,
                   "VALIDATION_ERROR")  # fmt: skip
    assert list(error["fields"]) == ["limit"]
    _error(system.get("/api/v1/orders", ADVISOR_PD, params={"site_id": "site-suzhou"}), 403)
    suzhou = _ok(system.get("/api/v1/orders", ADVISOR_SZ))["items"]
    assert order["order_id"] not in [o["order_id"] for o in suzhou]
    rates = _ok(system.get(f"/api/v1/sites/{PUDONG}/labor-rates", ADVISOR_PD))
    assert {r["payer"]: r["rate"] for r in rates}["warranty"] == "120.00"


def test_part_lines_are_priced_by_the_parts_service(system: System) -> None:
    order = _opened(system, [
        {"kind": "part", "part_number": "04E115561H", "quantity": "2"},
        {"kind": "part", "part_number": "G052195M4"},
    ])  # fmt: skip
    assert [(x["code"], x["unit_price"], x["amount"]) for x in order["lines"]] == [
        ("04E115561H", "48.00", "96.00"), ("G052195M4", "398.00", "398.00")]  # fmt: skip
    error = _error(system.post(f"/api/v1/orders/{order['order_id']}/lines", ADVISOR_PD,
                               json={"lines": [{"kind": "part", "part_number": "NOPE-1"}]}),
                   400, "PART_UNKNOWN")  # fmt: skip
    assert list(error["fields"]["lines"]["0"]) == ["part_number"]


# ---------------------------------------------------------------- documents, searches, pages


def test_a_stale_if_match_changes_no_repair_order(system: System) -> None:
    order = _opened(system, [{"kind": "labor", "operation_code": "MNT-OIL"}])
    path = f"/api/v1/orders/{order['order_id']}"
    read = system.get(path, ADVISOR_PD)
    first = read.headers["ETag"]
    assert _ok(read) == order  # the write answered the document its GET shows
    patched = system.request("PATCH", path, ADVISOR_PD, headers={"If-Match": first},
                             json={"notes": "客户等候"})  # fmt: skip
    assert _ok(patched)["notes"] == "客户等候"
    second = patched.headers["ETag"]
    assert second != first and system.get(path, ADVISOR_PD).headers["ETag"] == second
    # the other advisor's edit, sent with the version they read first: refused, unchanged
    _error(system.request("PATCH", path, ADVISOR_PD, headers={"If-Match": first},
                          json={"notes": "覆盖"}), 412, "PRECONDITION_FAILED")  # fmt: skip
    _error(system.post(f"{path}/send-for-approval", ADVISOR_PD, headers={"If-Match": first}),
           412, "PRECONDITION_FAILED")  # fmt: skip
    after = system.get(path, ADVISOR_PD)
    assert (_ok(after)["notes"], _ok(after)["status"]) == ("客户等候", "draft")
    assert after.headers["ETag"] == second
    sent = system.post(f"{path}/send-for-approval", ADVISOR_PD, headers={"If-Match": second})
    assert _ok(sent)["status"] == "awaiting_approval"


def test_a_stale_if_match_changes_no_appointment(system: System) -> None:
    vehicle = _new_vehicle(system)
    booked = system.post("/api/v1/appointments", ADVISOR_PD, json={
        "site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"], "slot_start": _local(25, 9),
        "requested_work": ["保养"], "estimated_hours": "1.0", "source": "phone"})  # fmt: skip
    path = f"/api/v1/appointments/{_ok(booked, 201)['appointment_id']}"
    read = system.get(path, ADVISOR_PD)
    assert read.headers["ETag"] == booked.headers["ETag"]
    moved = system.post(f"{path}/reschedule", ADVISOR_PD,
                        headers={"If-Match": read.headers["ETag"]},
                        json={"slot_start": _local(26, 10)})  # fmt: skip
    assert _ok(moved)["day"] != _ok(read)["day"]
    _error(system.post(f"{path}/cancel", ADVISOR_PD, headers={"If-Match": read.headers["ETag"]},
                       json={"reason": "客户取消"}), 412, "PRECONDITION_FAILED")  # fmt: skip
    assert _ok(system.get(path, ADVISOR_PD))["status"] == "booked"
    cancelled = system.post(
        f"{path}/cancel",
        ADVISOR_PD,
        headers={"If-Match": moved.headers["ETag"]},
        json={"reason": "改期"},
    )
    assert _ok(cancelled)["status"] == "cancelled"


def test_customers_are_found_by_name_phone_plate_and_vin(system: System) -> None:
    vehicle = _new_vehicle(system)
    customer = _ok(system.get(f"/api/v1/customers/{vehicle['customer_id']}", ADVISOR_PD))
    phone, plate, vin = customer["phones"][0], vehicle["plate"], vehicle["vin"]
    for q in (phone[3:], plate.replace("·", ""), plate.lower(), vin[-8:], vin):
        found = _ok(system.get("/api/v1/customers", ADVISOR_PD, params={"q": q, "limit": 200}))
        assert customer["customer_id"] in [c["customer_id"] for c in found["items"]], q
    named = _ok(system.get("/api/v1/customers", ADVISOR_PD, params={"q": "周建"}))
    assert named["items"] and all("周建" in c["name"] for c in named["items"])
    nobody = _ok(system.get("/api/v1/customers", ADVISOR_PD, params={"q": "13800000000x%"}))
    assert nobody == {"items": [], "next_cursor": None}
    assert _ok(system.get("/api/v1/customers", ADVISOR_SZ, params={"q": vin}))["items"] == []
    cars = _ok(system.get("/api/v1/vehicles", ADVISOR_PD, params={"plate": plate}))
    assert [v["vehicle_id"] for v in cars["items"]] == [vehicle["vehicle_id"]]


def test_repair_orders_are_found_and_paged_never_capped(system: System) -> None:
    vehicle = _new_vehicle(system)
    opened = []
    for _ in range(3):
        opened.append(_ok(system.post("/api/v1/orders", ADVISOR_PD, json={
            "site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"], "order_type": "repair",
            "mileage": 30100, "complaint": "异响", "lines": []}), 201))  # fmt: skip
    ids = [o["order_id"] for o in reversed(opened)]  # newest first
    seen, cursor = [], None
    while True:
        params = {"vehicle_id": vehicle["vehicle_id"], "limit": 2}
        if cursor:
            params["cursor"] = cursor
        listed = _ok(system.get("/api/v1/orders", ADVISOR_PD, params=params))
        seen += [o["order_id"] for o in listed["items"]]
        cursor = listed["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    today = opened[0]["created_at"][:10]
    by = {
        "number": {"number": opened[1]["order_number"]},
        "plate": {"plate": vehicle["plate"].replace("·", "")},
        "advisor": {"plate": vehicle["plate"], "advisor": "sa.wang.pd", "status": "draft"},
        "dates": {"plate": vehicle["plate"], "from": "2020-01-01", "to": "2099-12-31"},
    }
    for what, params in by.items():
        listed = _ok(system.get("/api/v1/orders", ADVISOR_PD, params={**params, "limit": 200}))
        expected = [opened[1]["order_id"]] if what == "number" else ids
        assert [o["order_id"] for o in listed["items"]] == expected, (what, today)
    none = {"plate": vehicle["plate"], "to": "2020-01-01"}
    assert _ok(system.get("/api/v1/orders", ADVISOR_PD, params=none))["items"] == []
    _error(system.get("/api/v1/orders", ADVISOR_PD, params={"from": "2026-02-01",
           "to": "2026-01-01"}), 400, "INVALID_PERIOD")  # fmt: skip
    _error(system.get("/api/v1/orders", ADVISOR_PD, params={"cursor": "nonsense!"}), 400,
           "INVALID_CURSOR")  # fmt: skip
