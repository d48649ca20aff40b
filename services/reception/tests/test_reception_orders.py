"""Repair orders on the real broker and PostgreSQL: opening, approval, the workshop's and
the warehouse's events, additional work, settlement from what was done, delivery."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import eventlet
import pytest

from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU
from aftersales_contracts import example
from aftersales_core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales_core.tenancy import Tenant
from aftersales_reception.models import History, Order

ADVISOR = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
ADVISOR_2 = Tenant("sa.li.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
SUPERVISOR = Tenant("fds.xu.pd", GROUP_ID, (PUDONG,), ("front_desk_supervisor",))
CASHIER = Tenant("cash.tang.pd", GROUP_ID, (PUDONG,), ("cashier",))
TECHNICIAN = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))
OTHER_ADVISOR = Tenant("sa.qian.sz", GROUP_ID, (SUZHOU,), ("service_advisor",))
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
OTHER_GROUP = Tenant("sa.other", "grp-other", ("site-x",), ("service_advisor",))
SYSTEM = Tenant.system(GROUP_ID)
SIGNATURE = {"signed_by": "张伟", "method": "tablet"}

PROMISED = (datetime.now(UTC) + timedelta(hours=6)).replace(microsecond=0)


def check_in(reception: Any, vehicle: dict[str, Any]) -> dict[str, Any]:
    return reception.as_(ADVISOR).check_in(
        {
            "site_id": PUDONG,
            "vehicle_id": vehicle["vehicle_id"],
            "mileage": vehicle["mileage"] + 650,
            "fuel_level": 50,
            "complaint": "刹车有异响",
            "signature": SIGNATURE,
        }
    )


MAIN_LINES: list[dict[str, Any]] = [
    {"kind": "labor", "operation_code": "MNT-10K"},
    {"kind": "labor", "operation_code": "BRK-FPAD", "payer": "warranty"},
    {"kind": "part", "part_number": "04E115561H"},
    {"kind": "part", "part_number": "5Q0698151B", "payer": "warranty"},
    {"kind": "misc", "description": "洗车", "unit_price": "30.00", "free": True,
     "free_reason": "会员免费洗车"},
    {"kind": "sublet", "code": "SUB-ALN", "description": "四轮定位（外协）",
     "unit_price": "150.00"},
    {"kind": "labor", "operation_code": "DIAG-EL", "to_be_confirmed": True},
]  # fmt: skip


def open_order(
    reception: Any, lines: list[dict[str, Any]] | None = None, **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    vehicle = reception.new_vehicle()
    sheet = check_in(reception, vehicle)
    body = {
        "site_id": PUDONG,
        "vehicle_id": vehicle["vehicle_id"],
        "check_in_id": sheet["check_in_id"],
        "order_type": "repair",
        "promised_at": PROMISED.isoformat(),
        "wash": True,
        "lines": MAIN_LINES if lines is None else lines,
        **overrides,
    }
    return reception.as_(ADVISOR).open_order(body), vehicle


def approved_order(
    reception: Any, lines: list[dict[str, Any]] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    order, vehicle = open_order(reception, lines)
    advisor = reception.as_(ADVISOR)
    advisor.send_for_approval(order["order_id"])
    return advisor.approve_order(order["order_id"], {"signature": SIGNATURE}), vehicle


def events_of(reception: Any, event_type: str, order_id: str) -> list[Any]:
    return [e for e in reception.events(event_type) if e.correlation_id == order_id]


def line_ids(order: dict[str, Any], code: str) -> str:
    [line] = [x for x in order["lines"] if x["code"] == code]
    return line["line_id"]


def workshop(reception: Any, event_type: str, payload: dict[str, Any], **kwargs: Any) -> Any:
    return reception.publish("workshop", event_type, payload, handler=f"on_{event_type}", **kwargs)


def parts(reception: Any, event_type: str, payload: dict[str, Any], **kwargs: Any) -> Any:
    return reception.publish("parts", event_type, payload, handler=f"on_{event_type}", **kwargs)


def dispatch_and_finish(reception: Any, order: dict[str, Any], codes: list[str]) -> list[str]:
    """Every named labor line dispatched, clocked on and finished; returns the job ids."""
    jobs = []
    for code in codes:
        line_id, job_id = line_ids(order, code), f"job-{uuid.uuid4().hex[:8]}"
        base = {"job_id": job_id, "order_id": order["order_id"]}
        workshop(reception, "job_dispatched", {**base, "line_id": line_id,
                 "technician_id": "tech.liu.pd", "team_id": "team-pd-1",
                 "dispatched_by": "disp.ma.pd"})  # fmt: skip
        workshop(reception, "job_started", {**base, "technician_id": "tech.liu.pd",
                 "started_at": datetime.now(UTC).isoformat()})  # fmt: skip
        workshop(reception, "job_done", {**base, "line_id": line_id,
                 "technician_id": "tech.liu.pd", "standard_hours": "1.0",
                 "clocked_hours": "1.2", "done_at": datetime.now(UTC).isoformat()})  # fmt: skip
        jobs.append(job_id)
    return jobs


def qc(reception: Any, order_id: str, jobs: list[str], passed: bool = True, **kw: Any) -> None:
    payload: dict[str, Any] = {"order_id": order_id, "inspector_id": "qc.hu.pd", "job_ids": jobs}
    if passed:
        workshop(reception, "qc_passed", {**payload, "road_test": True}, **kw)
    else:
        workshop(reception, "qc_failed", {**payload, "reasons": ["刹车仍有异响"],
                 "responsible_technician_id": "tech.liu.pd"}, **kw)  # fmt: skip


def issue(reception: Any, order: dict[str, Any], code: str, qty: str, price: str) -> None:
    parts(reception, "part_issued", {
        "order_id": order["order_id"], "requisition_id": "req-1", "line_id": line_ids(order, code),
        "part_number": code, "quantity": qty, "unit_price": price, "unit_cost": "1.00",
        "issued_at": datetime.now(UTC).isoformat(), "old_part_recorded": True,
    })  # fmt: skip


# ---------------------------------------------------------------- opening and approval


def test_open_order_prices_lines_per_payer_and_announces_it(reception: Any) -> None:
    order, vehicle = open_order(reception)
    assert order["status"] == "draft"
    assert order["order_number"].startswith("PUDONG-")
    assert order["mileage"] == vehicle["mileage"] + 650  # from the check-in sheet
    assert order["complaint"] == "刹车有异响"
    assert order["fuel_level"] == 50
    assert order["old_part_disposition"] == "return_to_customer"
    assert order["service_advisor_id"] == "sa.wang.pd"
    lines = {x["code"]: x for x in order["lines"]}
    # Pudong labor rates: customer 180.00/h, warranty 120.00/h
    assert (lines["MNT-10K"]["quantity"], lines["MNT-10K"]["unit_price"]) == ("1.0", "180.00")
    assert (lines["BRK-FPAD"]["payer"], lines["BRK-FPAD"]["amount"]) == ("warranty", "120.00")
    assert (lines["04E115561H"]["description"], lines["04E115561H"]["amount"]) == (
        "机油滤清器", "48.00",
    )  # fmt: skip
    assert lines["5Q0698151B"]["amount"] == "520.00"
    assert (lines["MISC"]["free"], lines["MISC"]["amount"]) == (True, "0.00")
    assert lines["SUB-ALN"]["amount"] == "150.00"
    assert lines["DIAG-EL"]["status"] == "to_be_confirmed"
    assert all(x["status"] == "proposed" for c, x in lines.items() if c != "DIAG-EL")
    # the estimate: customer 180 + 180 (to be confirmed) + 48 + 150 = 558.00, the wash free;
    # warranty 120 + 520 = 640.00
    estimate = order["estimate"]
    assert estimate["totals_by_payer"] == {"customer": "558.00", "warranty": "640.00"}
    assert estimate["by_payer"]["customer"]["free"] == "30.00"
    assert estimate["total"] == "1198.00"
    assert estimate["tax_total"] == "137.82"  # 64.19 + 73.63, 13 % included
    assert order["statement"] is None

    [event] = events_of(reception, "order_opened", order["order_id"])
    assert event.payload["order_number"] == order["order_number"]
    assert event.payload["vin"] == vehicle["vin"]
    assert event.payload["promised_at"] == PROMISED.isoformat()
    second, _ = open_order(reception, [])
    first_no, second_no = int(order["order_number"][-4:]), int(second["order_number"][-4:])
    assert second_no == first_no + 1


def test_approval_sends_the_firm_lines_to_workshop_and_parts(reception: Any) -> None:
    order, vehicle = open_order(reception)
    advisor = reception.as_(ADVISOR)
    with pytest.raises(Conflict) as caught:
        advisor.approve_order(order["order_id"], {"signature": SIGNATURE})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert advisor.send_for_approval(order["order_id"])["status"] == "awaiting_approval"
    with pytest.raises(Conflict) as caught:
        advisor.add_order_lines(order["order_id"], {"lines": [{"kind": "labor",
                                "operation_code": "MNT-OIL"}]})  # fmt: skip
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert advisor.revise_order(order["order_id"])["status"] == "draft"
    revised = advisor.add_order_lines(
        order["order_id"], {"lines": [{"kind": "labor", "operation_code": "TYR-BAL"}]}
    )
    revised = advisor.remove_order_line(order["order_id"], line_ids(revised, "TYR-BAL"))
    advisor.send_for_approval(order["order_id"])
    with pytest.raises(ValidationFailed) as caught:
        advisor.approve_order(order["order_id"], {"signature": {"signed_by": "张伟"}})
    assert list(caught.value.fields) == ["signature"]
    approved = advisor.approve_order(order["order_id"], {"signature": SIGNATURE})
    assert approved["status"] == "approved"
    assert approved["approved_by"] == "sa.wang.pd"
    assert approved["customer_signature"]["signed_by"] == "张伟"
    statuses = {x["code"]: x["status"] for x in approved["lines"]}
    assert statuses["DIAG-EL"] == "to_be_confirmed"
    assert {s for c, s in statuses.items() if c != "DIAG-EL"} == {"approved"}

    [event] = events_of(reception, "order_approved", order["order_id"])
    assert event.payload["plate"] == vehicle["plate"]
    assert [(x["operation_code"], x["standard_hours"], x["payer"])
            for x in event.payload["labor_lines"]] == [
        ("MNT-10K", "1.0", "customer"), ("BRK-FPAD", "1.0", "warranty")]  # fmt: skip
    assert [(x["part_number"], x["quantity"], x["payer"]) for x in event.payload["part_lines"]] == [
        ("04E115561H", "1", "customer"), ("5Q0698151B", "1", "warranty")]  # fmt: skip
    [request] = events_of(reception, "part_requested", order["order_id"])
    assert request.payload["lines"] == event.payload["part_lines"]
    assert request.payload["approved_by"] == "sa.wang.pd"

    history = [h["action"] for h in advisor.order_history(order["order_id"])]
    assert history == ["opened", "sent_for_approval", "revised", "lines_added", "line_removed",
                       "sent_for_approval", "approved"]  # fmt: skip
    for step in (
        lambda: advisor.approve_order(order["order_id"], {"signature": SIGNATURE}),
        lambda: advisor.send_for_approval(order["order_id"]),
        lambda: advisor.settle_order(order["order_id"], {}),
        lambda: advisor.deliver_order(order["order_id"], {}),
        lambda: advisor.remove_order_line(order["order_id"], line_ids(approved, "MNT-10K")),
        lambda: advisor.get_exit_pass(order["order_id"]),
        lambda: advisor.record_payment(order["order_id"], {"amount": "1.00", "method": "cash"}),
    ):
        with pytest.raises(Conflict) as caught:
            step()
        assert caught.value.code in {"ILLEGAL_TRANSITION", "NOT_SETTLED"}


def test_opening_refuses_what_is_wrong_and_writes_nothing(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    vehicle = reception.new_vehicle()
    before = reception.count(Order.__table__)
    body = {"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"], "order_type": "repair"}
    cases = [
        ({}, "VALIDATION_ERROR", {"mileage", "complaint"}),
        ({"mileage": 10, "complaint": "x"}, "MILEAGE_BELOW_LAST", {"mileage"}),
        ({"mileage": 70000, "complaint": "x", "order_type": "tuning"}, "VALIDATION_ERROR",
         {"order_type"}),
        ({"mileage": 70000, "complaint": "x", "lines": [
            {"kind": "labor", "operation_code": "MNT-OIL"},
            {"kind": "part", "part_number": "04E115561H"},
            {"kind": "part", "part_number": "NOT-A-PART"}]}, "PART_UNKNOWN", {"lines"}),
        ({"mileage": 70000, "complaint": "x", "lines": [
            {"kind": "labor", "operation_code": "XYZ"}]}, "OPERATION_UNKNOWN", {"lines"}),
        ({"mileage": 70000, "complaint": "x", "lines": [
            {"kind": "labor", "operation_code": "HV-CHK"}]}, "OPERATION_NOT_FOR_MODEL", {"lines"}),
        ({"mileage": 70000, "complaint": "x", "lines": [
            {"kind": "labor", "operation_code": "MNT-OIL", "unit_price": "1.00"},
            {"kind": "misc", "description": "x", "unit_price": "1.001"},
            {"kind": "misc", "description": "x", "unit_price": "5", "free": True}]},
         "VALIDATION_ERROR", {"lines"}),
    ]  # fmt: skip
    for overrides, code, fields in cases:
        with pytest.raises(ValidationFailed) as caught:
            advisor.open_order({**body, **overrides})
        assert caught.value.code == code, overrides
        assert set(caught.value.fields) == fields, overrides
        if code == "PART_UNKNOWN":
            assert caught.value.fields == {
                "lines": {"2": {"part_number": ["NOT-A-PART is not in the parts catalog"]}}
            }
        if code == "VALIDATION_ERROR" and "lines" in fields:
            assert set(caught.value.fields["lines"]) == {"0", "1", "2"}
            assert list(caught.value.fields["lines"]["2"]) == ["free_reason"]
    unsigned = advisor.check_in({"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                                 "mileage": 70000, "fuel_level": 10, "complaint": "x"})  # fmt: skip
    with pytest.raises(Conflict) as caught:
        advisor.open_order({**body, "check_in_id": unsigned["check_in_id"]})
    assert caught.value.code == "CHECK_IN_NOT_SIGNED"
    assert reception.count(Order.__table__) == before
    signed = advisor.sign_check_in(unsigned["check_in_id"], SIGNATURE)
    advisor.open_order({**body, "check_in_id": signed["check_in_id"]})
    with pytest.raises(Conflict) as caught:
        advisor.open_order({**body, "check_in_id": signed["check_in_id"]})
    assert caught.value.code == "CHECK_IN_USED"
    other = reception.new_vehicle()
    with pytest.raises(ValidationFailed) as caught:
        advisor.open_order({**body, "vehicle_id": other["vehicle_id"],
                            "check_in_id": signed["check_in_id"]})  # fmt: skip
    assert caught.value.code == "CHECK_IN_MISMATCH"
    with pytest.raises(Conflict) as caught:
        draft, _ = open_order(reception, [{"kind": "labor", "operation_code": "DIAG-EL",
                                           "to_be_confirmed": True}])  # fmt: skip
        advisor.send_for_approval(draft["order_id"])
    assert caught.value.code == "ORDER_HAS_NO_LINES"


def test_order_tenancy_and_roles(reception: Any) -> None:
    order, _ = open_order(reception, [{"kind": "labor", "operation_code": "MNT-OIL"}])
    order_id = order["order_id"]
    for tenant in (OTHER_ADVISOR, OTHER_GROUP):
        with pytest.raises(NotFound) as caught:
            reception.as_(tenant).get_order(order_id)
        assert caught.value.code == "ORDER_NOT_FOUND"
        with pytest.raises(NotFound):
            reception.as_(tenant).send_for_approval(order_id)
        listed = reception.as_(tenant).list_orders()["items"]
        assert order_id not in [o["order_id"] for o in listed]
    assert reception.as_(HQ).get_order(order_id)["order_number"] == order["order_number"]
    assert reception.as_(TECHNICIAN).get_order(order_id)["status"] == "draft"
    for tenant in (HQ, TECHNICIAN, CASHIER):
        with pytest.raises(Forbidden) as caught:
            reception.as_(tenant).send_for_approval(order_id)
        assert caught.value.code == "ROLE_FORBIDDEN"
    listed = reception.as_(ADVISOR).list_orders({"site_id": PUDONG, "status": "draft"})["items"]
    assert order_id in [o["order_id"] for o in listed]
    hq = reception.as_(HQ)
    assert order_id in [o["order_id"] for o in hq.list_orders({"status": "open"})["items"]]
    assert order_id not in [o["order_id"] for o in hq.list_orders({"site_id": SUZHOU})["items"]]
    with pytest.raises(ValidationFailed):
        reception.as_(ADVISOR).list_orders({"status": "lost"})


def test_order_numbers_stay_unique_and_gap_free_under_concurrency(reception: Any) -> None:
    vehicles = [reception.new_vehicle() for _ in range(6)]

    def open_one(vehicle: dict[str, Any]) -> str:
        with reception.own_proxy(ADVISOR) as proxy:
            order = proxy.open_order({"site_id": PUDONG, "vehicle_id": vehicle["vehicle_id"],
                                      "order_type": "maintenance", "mileage": 70000,
                                      "complaint": "保养"})  # fmt: skip
        return order["order_number"]

    numbers = list(eventlet.GreenPool(6).imap(open_one, vehicles))
    sequence = sorted(int(n[-4:]) for n in numbers)
    assert len(set(numbers)) == 6
    assert sequence == list(range(sequence[0], sequence[0] + 6))


# ---------------------------------------------------------------- the workshop moves it


def test_workshop_events_move_the_order_whatever_their_order(reception: Any) -> None:
    order, _ = approved_order(reception)
    order_id = order["order_id"]
    advisor = reception.as_(ADVISOR)
    l1, l2 = line_ids(order, "MNT-10K"), line_ids(order, "BRK-FPAD")
    t = datetime.now(UTC)

    def at(minutes: int) -> str:
        return (t + timedelta(minutes=minutes)).isoformat()

    base = {"order_id": order_id, "technician_id": "tech.liu.pd"}
    workshop(reception, "job_dispatched", {**base, "job_id": "j1", "line_id": l1,
             "team_id": None, "dispatched_by": "disp.ma.pd"}, occurred_at=at(1))  # fmt: skip
    assert advisor.get_order(order_id)["status"] == "approved"
    started = workshop(reception, "job_started", {**base, "job_id": "j1",
                       "started_at": at(2)}, occurred_at=at(2))  # fmt: skip
    assert advisor.get_order(order_id)["status"] == "in_progress"
    workshop(reception, "job_done", {**base, "job_id": "j1", "line_id": l1,
             "standard_hours": "1.0", "clocked_hours": "0.9", "done_at": at(10)},
             occurred_at=at(10))  # fmt: skip
    # QC passed is handled before the last job_done it follows: not ready yet
    qc(reception, order_id, ["j1", "j2"], occurred_at=at(30))
    assert advisor.get_order(order_id)["status"] == "in_progress"
    workshop(reception, "job_done", {**base, "job_id": "j2", "line_id": l2,
             "standard_hours": "1.0", "clocked_hours": "1.1", "done_at": at(20)},
             occurred_at=at(20))  # fmt: skip
    ready = advisor.get_order(order_id)
    assert ready["status"] == "ready_for_delivery"
    assert {x["job_status"] for x in ready["lines"] if x["kind"] == "labor" and
            x["status"] == "approved"} == {"done"}  # fmt: skip

    # QC failed later: back to in progress; rework and a new pass: ready again
    qc(reception, order_id, ["j2"], passed=False, occurred_at=at(40))
    assert advisor.get_order(order_id)["status"] == "in_progress"
    workshop(reception, "job_started", {**base, "job_id": "j2", "started_at": at(45)},
             occurred_at=at(45))  # fmt: skip
    workshop(reception, "job_done", {**base, "job_id": "j2", "line_id": l2,
             "standard_hours": "1.0", "clocked_hours": "0.4", "done_at": at(50)},
             occurred_at=at(50))  # fmt: skip
    assert advisor.get_order(order_id)["status"] == "in_progress"
    qc(reception, order_id, ["j1", "j2"], occurred_at=at(60))
    assert advisor.get_order(order_id)["status"] == "ready_for_delivery"

    # a redelivered event is handled once; an event about no order of ours is dropped
    history = len(advisor.order_history(order_id))
    workshop(reception, "job_started", started.payload, event_id=started.event_id,
             occurred_at=started.occurred_at)  # fmt: skip
    workshop(reception, "job_started", {**base, "order_id": "ro-unknown", "job_id": "jx",
             "started_at": at(1)})  # fmt: skip
    assert len(advisor.order_history(order_id)) == history
    workshop(reception, "job_paused", {**base, "job_id": "j1", "reason": "waiting_for_parts"})
    workshop(reception, "order_at_risk", {"order_id": order_id, "promised_at": at(300),
             "elapsed_share": "0.75", "open_jobs": 1})  # fmt: skip
    final = advisor.get_order(order_id)
    assert final["at_risk_at"] is not None
    actions = [h["action"] for h in final["history"]]
    assert actions.count("status_changed") == 4
    assert actions[-2:] == ["job_paused", "at_risk"]
    changes = [h["details"] for h in final["history"] if h["action"] == "status_changed"]
    assert [(c["to"], c["cause"]) for c in changes] == [
        ("in_progress", "job_started"), ("ready_for_delivery", "job_done"),
        ("in_progress", "qc_failed"), ("ready_for_delivery", "qc_passed")]  # fmt: skip
    assert reception.count(History.__table__) > 0


# ---------------------------------------------------------------- additional work


def test_additional_work_approved_and_declined(reception: Any) -> None:
    order, vehicle = approved_order(reception, [{"kind": "labor", "operation_code": "MNT-10K"}])
    order_id = order["order_id"]
    advisor = reception.as_(ADVISOR)
    found = {"order_id": order_id, "job_id": "j1", "found_by": "tech.liu.pd"}
    workshop(reception, "additional_work_found", {**found, "work_id": "aw-1",
             "description": "制动液含水量超标，建议更换",
             "suggested_operations": [{"operation_code": "BRK-FLUID", "description": "换制动液",
                                       "standard_hours": "0.5"}],
             "suggested_parts": [{"part_number": "DOT4-1L", "quantity": "1"}]})  # fmt: skip
    workshop(reception, "additional_work_found", {**found, "work_id": "aw-2",
             "description": "雨刮片老化",
             "suggested_operations": [{"operation_code": "WIP-RPL", "description": "换雨刮",
                                       "standard_hours": "0.2"}],
             "suggested_parts": [{"part_number": "WIPER-2426", "quantity": "1"}]})  # fmt: skip
    pending = {w["work_id"]: w for w in advisor.get_order(order_id)["additional_work"]}
    aw1 = pending["aw-1"]
    assert aw1["status"] == "pending"
    # the catalog's hours win over the suggestion: BRK-FLUID is 0.8 h x 180.00 = 144.00;
    # DOT4-1L 85.00 -> 229.00
    assert aw1["estimated_hours"] == "0.8"
    assert aw1["estimate_amount"] == "229.00"
    assert aw1["parts"][0]["available"] == "30"
    assert aw1["suggested_promised_at"] == (PROMISED + timedelta(minutes=48)).isoformat()
    mine = advisor.list_orders({"site_id": PUDONG, "vehicle_id": order["vehicle_id"]})["items"]
    assert [o["order_id"] for o in mine] == [order_id]
    summary = mine[0]
    assert summary["pending_additional_work"] == 2

    new_promise = (PROMISED + timedelta(hours=1)).isoformat()
    approved = advisor.approve_additional_work(
        order_id,
        "aw-1",
        {"confirmation": {"signed_by": "张伟", "method": "phone"}, "promised_at": new_promise},
    )
    added = [x for x in approved["lines"] if x["work_id"] == "aw-1"]  # fmt: skip
    assert [(x["kind"], x["code"], x["quantity"], x["amount"], x["status"]) for x in added] == [
        ("labor", "BRK-FLUID", "0.8", "144.00", "approved"),
        ("part", "DOT4-1L", "1", "85.00", "approved")]  # fmt: skip
    assert approved["promised_at"] == new_promise
    [event] = events_of(reception, "additional_work_approved", order_id)
    assert event.payload["work_id"] == "aw-1"
    assert event.payload["promised_at"] == new_promise
    assert [x["line_id"] for x in event.payload["labor_lines"]] == [added[0]["line_id"]]
    assert [x["line_id"] for x in event.payload["part_lines"]] == [added[1]["line_id"]]
    requests = events_of(reception, "part_requested", order_id)
    assert [x["part_number"] for x in requests[-1].payload["lines"]] == ["DOT4-1L"]

    declined = advisor.decline_additional_work(order_id, "aw-2", {
        "confirmation": {"signed_by": "张伟", "method": "phone"},
        "reason": "下次再换"})  # fmt: skip
    assert {w["work_id"]: w["status"] for w in declined["additional_work"]} == {
        "aw-1": "approved", "aw-2": "declined"}  # fmt: skip
    [event] = events_of(reception, "additional_work_declined", order_id)
    assert event.payload == {
        "order_id": order_id,
        "work_id": "aw-2",
        "vehicle_id": vehicle["vehicle_id"],
        "description": "雨刮片老化",
    }
    for decide in (
        lambda: advisor.approve_additional_work(order_id, "aw-2", {"confirmation": SIGNATURE}),
        lambda: advisor.decline_additional_work(order_id, "aw-1", {"confirmation": SIGNATURE}),
    ):
        with pytest.raises(Conflict) as caught:
            decide()
        assert caught.value.code == "ADDITIONAL_WORK_DECIDED"
    with pytest.raises(NotFound):
        advisor.approve_additional_work(order_id, "aw-9", {"confirmation": SIGNATURE})

    # the declined work is offered again at the next check-in
    notices = check_in(reception, vehicle)["notices"]
    [recommendation] = notices["recommendations"]
    assert recommendation["description"] == "雨刮片老化"
    assert recommendation["work_id"] == "aw-2"
    assert recommendation["estimate_amount"] == "164.00"  # 0.2 h x 180 + 128.00
    history = [h["action"] for h in advisor.order_history(order_id)]
    assert history.count("additional_work_found") == 2
    assert "additional_work_approved" in history and "additional_work_declined" in history


def test_to_be_confirmed_lines(reception: Any) -> None:
    order, vehicle = open_order(reception, [
        {"kind": "labor", "operation_code": "MNT-10K"},
        {"kind": "labor", "operation_code": "DIAG-EL", "to_be_confirmed": True},
        {"kind": "labor", "operation_code": "AC-SVC", "to_be_confirmed": True},
        {"kind": "part", "part_number": "BAT-6QW60", "to_be_confirmed": True},
    ])  # fmt: skip
    advisor = reception.as_(ADVISOR)
    order_id = order["order_id"]
    confirm = {"decision": "approved", "confirmation": {"signed_by": "张伟", "method": "phone"}}
    # confirmed before the customer signs: approved with the order
    advisor.confirm_line(order_id, line_ids(order, "DIAG-EL"), confirm)
    advisor.send_for_approval(order_id)
    approved = advisor.approve_order(order_id, {"signature": SIGNATURE})
    [event] = events_of(reception, "order_approved", order_id)
    assert [x["operation_code"] for x in event.payload["labor_lines"]] == ["MNT-10K", "DIAG-EL"]
    # confirmed after approval: published as approved additional work
    confirmed = advisor.confirm_line(order_id, line_ids(approved, "BAT-6QW60"), confirm)
    line_id = line_ids(confirmed, "BAT-6QW60")
    [added] = events_of(reception, "additional_work_approved", order_id)
    assert added.payload["work_id"] == f"tbc-{line_id}"
    assert [x["line_id"] for x in added.payload["part_lines"]] == [line_id]
    assert events_of(reception, "part_requested", order_id)[-1].payload["lines"][0]["line_id"] == (
        line_id
    )
    declined = advisor.confirm_line(
        order_id,
        line_ids(approved, "AC-SVC"),
        {**confirm, "decision": "declined", "reason": "太贵"},
    )
    assert {x["code"]: x["status"] for x in declined["lines"]}["AC-SVC"] == "declined"
    with pytest.raises(Conflict) as caught:
        advisor.confirm_line(order_id, line_ids(approved, "AC-SVC"), confirm)
    assert caught.value.code == "LINE_NOT_TO_BE_CONFIRMED"
    notices = advisor.get_vehicle(vehicle["vehicle_id"])["recommendations"]
    assert [r["description"] for r in notices] == ["空调系统检测及加注制冷剂"]
    assert notices[0]["estimate_amount"] == "216.00"  # 1.2 h x 180


def test_cancel_before_work_but_not_after(reception: Any) -> None:
    advisor = reception.as_(ADVISOR)
    draft, _ = open_order(reception, [{"kind": "labor", "operation_code": "MNT-OIL"}])
    cancelled = advisor.cancel_order(draft["order_id"], {"reason": "客户不修了"})
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "客户不修了")
    [event] = events_of(reception, "order_cancelled", draft["order_id"])
    assert event.payload["was_approved"] is False
    with pytest.raises(Conflict):
        advisor.cancel_order(draft["order_id"], {"reason": "again"})

    order, _ = approved_order(reception, [{"kind": "labor", "operation_code": "MNT-OIL"}])
    workshop(
        reception,
        "job_started",
        {
            "job_id": "jc",
            "order_id": order["order_id"],
            "technician_id": "tech.liu.pd",
            "started_at": datetime.now(UTC).isoformat(),
        },
    )
    with pytest.raises(Conflict) as caught:
        advisor.cancel_order(order["order_id"], {"reason": "x"})
    assert caught.value.code == "ILLEGAL_TRANSITION"  # in progress now

    untouched, _ = approved_order(reception, [{"kind": "part", "part_number": "WASH-2L"}])
    issue(reception, untouched, "WASH-2L", "1", "20.00")
    with pytest.raises(Conflict) as caught:
        advisor.cancel_order(untouched["order_id"], {"reason": "x"})
    assert caught.value.code == "WORK_STARTED"


# ---------------------------------------------------------------- settlement and delivery


def test_settlement_from_what_was_done_discounts_payments_and_delivery(reception: Any) -> None:
    order, vehicle = approved_order(reception)
    order_id = order["order_id"]
    advisor, supervisor, cashier = (reception.as_(t) for t in (ADVISOR, SUPERVISOR, CASHIER))
    reception.publish("claims", "recall_announced", {
        "recall_id": f"RC-{order_id}", "oem_id": "oem-saic-vw", "kind": "recall",
        "title": "后悬架摆臂螺栓检查紧固", "description": "检查并紧固",
        "vins": [vehicle["vin"].lower()], "labor_operation_code": "BRK-FPAD", "part_numbers": [],
        "starts_on": "2026-01-01", "ends_on": None}, handler="on_recall_announced",
        site_id=None)  # fmt: skip
    assert [r["recall_id"] for r in advisor.get_vehicle(vehicle["vehicle_id"])["recalls"]] == [
        f"RC-{order_id}"
    ]

    # parts: 2 oil filters issued, 1 returned; the brake pads back-ordered, then issued
    issue(reception, order, "04E115561H", "2", "48.00")
    parts(reception, "part_returned", {"order_id": order_id, "requisition_id": "req-1",
          "line_id": line_ids(order, "04E115561H"), "part_number": "04E115561H",
          "quantity": "1"})  # fmt: skip
    pads = line_ids(order, "5Q0698151B")
    parts(reception, "part_backordered", {"order_id": order_id, "requisition_id": "req-1",
          "line_id": pads, "part_number": "5Q0698151B", "quantity": "1",
          "expected_at": "2026-12-01"})  # fmt: skip
    line = [x for x in advisor.get_order(order_id)["lines"] if x["line_id"] == pads][0]
    assert (line["backordered"], line["backordered_until"]) == (True, "2026-12-01")
    parts(reception, "backorder_arrived", {"order_id": order_id, "requisition_id": "req-1",
          "line_id": pads, "part_number": "5Q0698151B", "quantity": "1"})  # fmt: skip
    line = [x for x in advisor.get_order(order_id)["lines"] if x["line_id"] == pads][0]
    assert (line["backordered"], line["backordered_until"]) == (False, None)
    issue(reception, order, "5Q0698151B", "1", "520.00")

    jobs = dispatch_and_finish(reception, order, ["MNT-10K", "BRK-FPAD"])
    with pytest.raises(Conflict):
        advisor.grant_discount(order_id, {"amount": "1.00", "reason": "x"})  # not ready yet
    qc(reception, order_id, jobs)
    ready = advisor.get_order(order_id)
    assert ready["status"] == "ready_for_delivery"
    # actual: customer labor 180.00 + oil filter 1 x 48.00 + sublet 150.00 = 378.00, wash free,
    # diagnosis never confirmed; warranty 120.00 + 520.00 = 640.00
    statement = advisor.get_statement(order_id)
    assert statement["basis"] == "actual"
    assert statement["totals_by_payer"] == {"customer": "378.00", "warranty": "640.00"}
    assert statement["by_payer"]["customer"]["parts"] == "48.00"
    assert [x["code"] for x in statement["lines"]] == [
        "MNT-10K", "BRK-FPAD", "04E115561H", "5Q0698151B", "MISC", "SUB-ALN"]  # fmt: skip
    assert {x["code"]: x["quantity"] for x in statement["lines"]}["04E115561H"] == "1"

    # 30.00 is 7.9 % of 378.00: above the advisor's 5 %, within the supervisor's 10 %
    pending = advisor.grant_discount(order_id, {"amount": "30.00", "reason": "老客户"})
    assert pending["discount"]["status"] == "pending"
    for blocked in (
        lambda: cashier.record_payment(order_id, {"amount": "10.00", "method": "cash"}),
        lambda: cashier.settle_order(order_id, {}),
    ):
        with pytest.raises(Conflict) as caught:
            blocked()
        assert caught.value.code == "DISCOUNT_PENDING"
    with pytest.raises(Forbidden) as caught:
        advisor.approve_discount(order_id)
    assert caught.value.code == "DISCOUNT_SELF_APPROVAL"
    with pytest.raises(Forbidden) as caught:
        reception.as_(ADVISOR_2).approve_discount(order_id)
    assert caught.value.code == "DISCOUNT_ABOVE_LIMIT"
    assert supervisor.approve_discount(order_id)["discount"]["approved_by"] == "fds.xu.pd"
    # customer 378.00 - 30.00 = 348.00, VAT 40.04; warranty 640.00, VAT 73.63
    statement = advisor.get_statement(order_id)
    assert statement["totals_by_payer"] == {"customer": "348.00", "warranty": "640.00"}
    assert (statement["total"], statement["tax_total"]) == ("988.00", "113.67")
    assert statement["customer_due"] == "348.00"

    paid = cashier.record_payment(order_id, {"amount": "300.00", "method": "cash"})
    assert paid["statement"]["outstanding"] == "48.00"
    with pytest.raises(Conflict) as caught:
        cashier.record_payment(order_id, {"amount": "48.01", "method": "cash"})
    assert caught.value.code == "OVERPAYMENT"
    with pytest.raises(Conflict) as caught:
        cashier.settle_order(order_id, {})
    assert caught.value.code == "PAYMENT_INCOMPLETE"
    settled = cashier.settle_order(
        order_id, {"payments": [{"amount": "48.00", "method": "wechat_pay", "reference": "wx1"}]}
    )
    assert settled["status"] == "settled"
    assert settled["statement"]["paid"] == "348.00"
    assert settled["exit_pass_number"] == f"EP-{order['order_number']}"
    assert [p["amount"] for p in settled["payments"]] == ["300.00", "48.00"]
    [event] = events_of(reception, "order_settled", order_id)
    assert event.payload["totals_by_payer"] == {"customer": "348.00", "warranty": "640.00"}
    assert (event.payload["discount_total"], event.payload["tax_total"],
            event.payload["total"]) == ("30.00", "113.67", "988.00")  # fmt: skip
    assert [(x["kind"], x["code"], x["quantity"], x["amount"], x["payer"])
            for x in event.payload["lines"]] == [
        ("labor", "MNT-10K", "1.0", "180.00", "customer"),
        ("labor", "BRK-FPAD", "1.0", "120.00", "warranty"),
        ("part", "04E115561H", "1", "48.00", "customer"),
        ("part", "5Q0698151B", "1", "520.00", "warranty"),
        ("misc", "MISC", "1", "0.00", "customer"),
        ("sublet", "SUB-ALN", "1", "150.00", "customer")]  # fmt: skip
    exit_pass = advisor.get_exit_pass(order_id)
    assert (exit_pass["total"], exit_pass["paid"], exit_pass["issued_by"]) == (
        "988.00", "348.00", "cash.tang.pd")  # fmt: skip
    # a late event does not change a settled statement
    parts(reception, "part_returned", {"order_id": order_id, "requisition_id": "req-1",
          "line_id": pads, "part_number": "5Q0698151B", "quantity": "1"})  # fmt: skip
    assert advisor.get_statement(order_id)["total"] == "988.00"

    delivered = advisor.deliver_order(
        order_id, {"next_service_date": "2027-06-01", "next_service_mileage": 75000}
    )
    assert delivered["status"] == "delivered"
    [event] = events_of(reception, "vehicle_delivered", order_id)
    assert event.payload["next_service_date"] == "2027-06-01"
    assert event.payload["next_service_mileage"] == 75000
    assert event.payload["mileage"] == order["mileage"]
    file = advisor.get_vehicle(vehicle["vehicle_id"])
    assert (file["next_service_date"], file["next_service_mileage"]) == ("2027-06-01", 75000)
    assert [(v["order_number"], v["total"]) for v in file["visits"]] == [
        (order["order_number"], "988.00")
    ]
    assert file["recalls"] == []  # done on this RO: BRK-FPAD was its labor operation
    with pytest.raises(Conflict):
        advisor.deliver_order(order_id, {})
    actions = [h["action"] for h in delivered["history"]]
    for expected in (
        "discount_requested",
        "discount_approved",
        "payment_received",
        "settled",
        "delivered",
        "part_issued",
        "part_returned",
        "part_backordered",
    ):
        assert expected in actions, expected


def test_delivery_defaults_the_next_service(reception: Any) -> None:
    order, vehicle = approved_order(reception, [{"kind": "labor", "operation_code": "MNT-OIL"}])
    jobs = dispatch_and_finish(reception, order, ["MNT-OIL"])
    qc(reception, order["order_id"], jobs)
    cashier = reception.as_(CASHIER)
    # 0.5 h x 180.00 = 90.00
    cashier.settle_order(order["order_id"], {"payments": [{"amount": "90.00", "method": "cash"}]})
    delivered = reception.as_(ADVISOR).deliver_order(order["order_id"])
    assert delivered["next_service_mileage"] == (order["mileage"] // 10000 + 1) * 10000
    assert delivered["next_service_date"] > order["created_at"][:10]
    assert Decimal(delivered["statement"]["total"]) == Decimal("90.00")


# ---------------------------------------------------------------- consumer contract

CONSUMED = [
    ("workshop", "job_dispatched", "labor"),
    ("workshop", "job_started", None),
    ("workshop", "job_paused", None),
    ("workshop", "job_done", "labor"),
    ("workshop", "additional_work_found", None),
    ("workshop", "order_at_risk", None),
    ("workshop", "qc_failed", None),
    ("workshop", "qc_passed", None),
    ("parts", "part_backordered", "part"),
    ("parts", "backorder_arrived", "part"),
    ("parts", "part_issued", "part"),
    ("parts", "part_returned", "part"),
    ("claims", "recall_announced", None),
]


def test_every_consumed_event_as_its_producer_documents_it(reception: Any) -> None:
    """Each contract example, pointed at an order of ours, is understood and recorded."""
    order, vehicle = approved_order(reception)
    labor, part = line_ids(order, "MNT-10K"), line_ids(order, "04E115561H")
    for source, event_type, line_kind in CONSUMED:
        body = example(event_type)
        payload = dict(body["payload"])
        if "order_id" in payload:
            payload["order_id"] = order["order_id"]
        if line_kind:
            payload["line_id"] = labor if line_kind == "labor" else part
        if event_type == "recall_announced":
            payload["vins"] = [vehicle["vin"]]
        reception.publish(source, event_type, payload, handler=f"on_{event_type}",
                          site_id=body["site_id"], event_id=str(uuid.uuid4()))  # fmt: skip
    seen = reception.as_(ADVISOR).get_order(order["order_id"])
    actions = {h["action"] for h in seen["history"]}
    assert {"job_dispatched", "job_started", "job_paused", "job_done", "additional_work_found",
            "at_risk", "qc_failed", "qc_passed", "part_backordered", "part_arrived",
            "part_issued", "part_returned"} <= actions  # fmt: skip
    assert [w["work_id"] for w in seen["additional_work"]] == ["aw-19e2"]
    recalls = reception.as_(ADVISOR).get_vehicle(vehicle["vehicle_id"])["recalls"]
    assert "RC-2026-118" in [r["recall_id"] for r in recalls]


def test_the_same_issue_under_a_new_event_id_is_one_movement(reception: Any) -> None:
    """Parts retried its announcement with a new event id: the inbox cannot tell, the
    issue document can — the statement counts the part once."""
    order, _ = approved_order(reception)
    part = line_ids(order, "04E115561H")
    payload = {
        "order_id": order["order_id"], "requisition_id": "req-1", "line_id": part,
        "part_number": "04E115561H", "quantity": "1", "unit_price": "48.00",
        "unit_cost": "30.00", "issued_at": datetime.now(UTC).isoformat(),
        "old_part_recorded": True, "issue_id": "iss-once",
    }  # fmt: skip
    for _ in range(2):
        parts(reception, "part_issued", payload)
    seen = reception.as_(ADVISOR).get_order(order["order_id"])
    assert [h["action"] for h in seen["history"]].count("part_issued") == 1
    line = next(x for x in seen["lines"] if x["line_id"] == part)
    assert line["issued_quantity"] == "1"
