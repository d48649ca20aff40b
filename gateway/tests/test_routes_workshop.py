"""The workshop's routes over HTTP: the six processes, real RabbitMQ and PostgreSQL.

Reception's events (an RO approved, additional work approved) are published onto
reception's exchange as its outbox relay would, so these tests do not depend on
reception's own routes.  One system serves the whole module.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from aftersales_cli.seed_data import GROUP_ID
from aftersales_cli.testing import (
    ADVISOR_PD,
    ADVISOR_SZ,
    HANGZHOU,
    HQ,
    OTHER_HQ,
    PUDONG,
    SUZHOU,
    System,
    publish_event,
    wait_for,
)
from aftersales_contracts import example, validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.tenancy import Tenant
from aftersales_workshop.domain import CHECKLISTS

DISPATCHER = Tenant("disp.ma.pd", GROUP_ID, (PUDONG,), ("dispatcher",))
LIU = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))
YANG = Tenant("tech.yang.pd", GROUP_ID, (PUDONG,), ("technician",))
ZHANG = Tenant("tl.zhang.pd", GROUP_ID, (PUDONG,), ("team_leader", "technician"))
INSPECTOR = Tenant("qc.hu.pd", GROUP_ID, (PUDONG,), ("qc_inspector",))
ADVISOR_HZ = Tenant("sa.fu.hz", GROUP_ID, (HANGZHOU,), ("service_advisor",))
DISPATCHER_HZ = Tenant("disp.zou.hz", GROUP_ID, (HANGZHOU,), ("dispatcher",))
OEM = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), oem_id="oem-saic-vw")
PLATE = "沪A·12345"
ALL_OK = {stage: {code: "ok" for code, _ in items} for stage, items in CHECKLISTS.items()}
W = "/api/v1/workshop"


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    return gateway_system


def publish(
    system: System, source: str, event_type: str, payload: dict[str, Any], site_id: str = PUDONG
) -> None:
    validate_payload(event_type, payload)
    envelope = Envelope(event_type, GROUP_ID, site_id, payload, payload.get("order_id"))
    publish_event(system.amqp_uri, source, envelope)


def labor(line_id: str, code: str, hours: str) -> dict[str, Any]:
    return {
        "line_id": line_id,
        "operation_code": code,
        "description": f"{code} 作业",
        "standard_hours": hours,
        "payer": "customer",
        "skill": None,
    }


def approved_order(system: System, lines: list[dict[str, Any]], site_id: str = PUDONG) -> dict:
    """Reception approves a fresh RO; returns the workshop's view once its jobs exist."""
    order_id = f"ro-{uuid.uuid4().hex[:12]}"
    payload = copy.deepcopy(example("order_approved")["payload"])
    payload.update(
        {
            "order_id": order_id,
            "plate": PLATE,
            "labor_lines": lines,
            "part_lines": [],
            "promised_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
        }
    )
    publish(system, "reception", "order_approved", payload, site_id)
    tenant = HQ

    def ready() -> dict | None:
        resp = system.get(f"{W}/orders/{order_id}", tenant)
        return resp.json() if resp.status_code == 200 and resp.json()["jobs"] else None

    return wait_for(ready, 15, "the workshop made the RO's jobs")


def ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, resp.text
    return resp.json()


def error(resp: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    return body["error"]


def test_dispatch_clocking_additional_work_and_qc_over_http(system: System) -> None:
    order = approved_order(
        system, [labor("ln-1", "BRK-FPAD", "1.0"), labor("ln-2", "MNT-OIL", "0.5")]
    )
    order_id = order["order_id"]
    jobs = {j["line_id"]: j for j in order["jobs"]}
    brakes, oil = jobs["ln-1"]["job_id"], jobs["ln-2"]["job_id"]
    assert order["needs_road_test"] and order["qc_status"] == "pending"
    assert [c["code"] for c in order["checklists"]["final_inspection"]][:2] == [
        "fault_fixed",
        "all_lines_done",
    ]

    board = ok(system.get(f"{W}/sites/{PUDONG}/board", DISPATCHER))
    assert {brakes, oil} <= {j["job_id"] for j in board["columns"]["unassigned"]}
    suggestion = ok(system.get(f"{W}/jobs/{brakes}/suggestions", DISPATCHER))
    assert suggestion["skill"] == "brakes"
    assert suggestion["technicians"][0]["technician_id"] == "tech.liu.pd"

    # Dispatch, retried with the same key: one dispatch.
    key = {"Idempotency-Key": f"dispatch-{brakes}"}
    first = ok(
        system.post(
            f"{W}/jobs/{brakes}/dispatch",
            DISPATCHER,
            headers=key,
            json={"technician_id": "tech.liu.pd"},
        )
    )
    again = ok(
        system.post(
            f"{W}/jobs/{brakes}/dispatch",
            DISPATCHER,
            headers=key,
            json={"technician_id": "tech.liu.pd"},
        )
    )
    assert first == again and first["status"] == "assigned"
    history = ok(system.get(f"{W}/jobs/{brakes}", DISPATCHER))["history"]
    assert [h["action"] for h in history] == ["created", "dispatched"]
    ok(system.post(f"{W}/jobs/{oil}/dispatch", DISPATCHER, json={"technician_id": "tech.yang.pd"}))

    # Clocking: not before the plate is checked; the right plate, then on.
    error(system.post(f"{W}/jobs/{brakes}/clock-on", LIU), 409, "PLATE_NOT_CONFIRMED")
    wrong = error(
        system.post(f"{W}/jobs/{brakes}/plate-check", LIU, json={"plate": "沪B·12345"}),
        400,
        "PLATE_MISMATCH",
    )
    assert list(wrong["fields"]) == ["plate"]
    ok(system.post(f"{W}/jobs/{brakes}/plate-check", LIU, json={"plate": "沪A12345"}))
    started = ok(system.post(f"{W}/jobs/{brakes}/clock-on", LIU))
    assert started["status"] == "in_progress" and started["clocked_on_by"] == "tech.liu.pd"

    # Additional work found: reported, the job parked until the customer answers.
    found = ok(
        system.post(
            f"{W}/jobs/{brakes}/additional-work",
            LIU,
            json={
                "description": "刹车油含水量超标，建议更换",
                "suggested_operations": [
                    {
                        "operation_code": "BRK-FLUID",
                        "description": "更换制动液",
                        "standard_hours": "0.8",
                    }
                ],
                "suggested_parts": [{"part_number": "DOT4-1L", "quantity": "1"}],
                "pause": True,
            },
        ),
        201,
    )
    assert found["status"] == "awaiting_approval" and found["job"]["status"] == "paused"
    board = ok(system.get(f"{W}/sites/{PUDONG}/board", DISPATCHER))
    assert found["work_id"] in {w["work_id"] for w in board["awaiting_approval"]}
    assert brakes in {j["job_id"] for j in board["columns"]["paused"]}
    approved = copy.deepcopy(example("additional_work_approved")["payload"])
    approved.update(
        {
            "order_id": order_id,
            "work_id": found["work_id"],
            "labor_lines": [labor("ln-5", "BRK-FLUID", "0.8")],
            "part_lines": [],
        }
    )
    publish(system, "reception", "additional_work_approved", approved)

    def fluid_job() -> dict | None:
        view = ok(system.get(f"{W}/orders/{order_id}", DISPATCHER))
        return next((j for j in view["jobs"] if j["line_id"] == "ln-5"), None)

    fluid = wait_for(fluid_job, 15, "the approved additional work became a job")
    assert fluid["status"] == "unassigned" and fluid["work_id"] == found["work_id"]

    # Work on: brakes resumed and finished, oil and the brake fluid by Yang.
    ok(system.post(f"{W}/jobs/{brakes}/clock-on", LIU, json={}))
    done = ok(system.post(f"{W}/jobs/{brakes}/clock-off", LIU, json={"done": True}))
    assert (done["status"], done["qc_stage"]) == ("waiting_qc", "self_check")
    for job_id in (oil, fluid["job_id"]):
        if job_id != oil:
            ok(
                system.post(
                    f"{W}/jobs/{job_id}/dispatch",
                    DISPATCHER,
                    json={"technician_id": "tech.yang.pd"},
                )
            )
        ok(system.post(f"{W}/jobs/{job_id}/plate-check", YANG, json={"vin": order["vin"][-6:]}))
        ok(system.post(f"{W}/jobs/{job_id}/clock-on", YANG))
        paused = ok(system.post(f"{W}/jobs/{job_id}/pause", YANG, json={"reason": "break"}))
        assert paused["pause_reason"] == "break"
        ok(system.post(f"{W}/jobs/{job_id}/clock-on", YANG))
        ok(system.post(f"{W}/jobs/{job_id}/clock-off", YANG, json={"done": True}))

    # QC: self-checks; the team leader fails the brakes (rework), then passes them.
    for job_id, tech in ((brakes, LIU), (oil, YANG), (fluid["job_id"], YANG)):
        ok(system.post(f"{W}/jobs/{job_id}/self-check", tech, json={"items": ALL_OK["self_check"]}))
    failed = ok(
        system.post(
            f"{W}/jobs/{brakes}/team-leader-check",
            ZHANG,
            json={
                "items": {**ALL_OK["team_leader_check"], "workmanship": "failed"},
                "remarks": "制动片未涂抹消音膏",
            },
        )
    )
    assert (failed["status"], failed["rework_count"]) == ("assigned", 1)
    assert failed["check"]["reasons"][0] == "制动片未涂抹消音膏"
    ok(system.post(f"{W}/jobs/{brakes}/clock-on", LIU))
    ok(system.post(f"{W}/jobs/{brakes}/clock-off", LIU, json={"done": True}))
    ok(system.post(f"{W}/jobs/{brakes}/self-check", LIU, json={"items": ALL_OK["self_check"]}))
    for job_id in (brakes, oil, fluid["job_id"]):
        passed = ok(
            system.post(
                f"{W}/jobs/{job_id}/team-leader-check",
                ZHANG,
                json={"items": ALL_OK["team_leader_check"]},
            )
        )
        assert passed["status"] == "done"

    # The RO: road test, a failed final inspection (rework), then a pass.
    error(
        system.post(
            f"{W}/orders/{order_id}/final-inspection",
            INSPECTOR,
            json={"items": ALL_OK["final_inspection"]},
        ),
        409,
        "ROAD_TEST_REQUIRED",
    )
    ok(
        system.post(
            f"{W}/orders/{order_id}/road-test", INSPECTOR, json={"items": ALL_OK["road_test"]}
        )
    )
    failed_qc = ok(
        system.post(
            f"{W}/orders/{order_id}/final-inspection",
            INSPECTOR,
            json={
                "items": {**ALL_OK["final_inspection"], "fault_fixed": "failed"},
                "remarks": "刹车片安装后仍有异响",
                "job_ids": [brakes],
            },
        )
    )
    assert failed_qc["qc_status"] == "failed"
    assert failed_qc["check"]["responsible_technician_id"] == "tech.liu.pd"
    ok(system.post(f"{W}/jobs/{brakes}/clock-on", LIU))
    ok(system.post(f"{W}/jobs/{brakes}/clock-off", LIU, json={"done": True}))
    ok(system.post(f"{W}/jobs/{brakes}/self-check", LIU, json={"items": ALL_OK["self_check"]}))
    ok(
        system.post(
            f"{W}/jobs/{brakes}/team-leader-check",
            ZHANG,
            json={"items": ALL_OK["team_leader_check"]},
        )
    )
    ok(
        system.post(
            f"{W}/orders/{order_id}/road-test", INSPECTOR, json={"items": ALL_OK["road_test"]}
        )
    )
    final = ok(
        system.post(
            f"{W}/orders/{order_id}/final-inspection",
            INSPECTOR,
            json={"items": ALL_OK["final_inspection"]},
        )
    )
    assert final["qc_status"] == "passed"
    assert {j["status"] for j in final["jobs"]} == {"done"}
    brake_job = ok(system.get(f"{W}/jobs/{brakes}", ADVISOR_PD))
    assert brake_job["rework_count"] == 2
    assert [c["stage"] for c in brake_job["checks"]] == [
        "self_check",
        "team_leader_check",
        "self_check",
        "team_leader_check",
        "self_check",
        "team_leader_check",
    ]


def test_capacity_attendance_and_figures_over_http(system: System) -> None:
    day = "2030-01-07"  # a Monday
    capacity = ok(system.get(f"{W}/sites/{HANGZHOU}/capacity?date={day}", DISPATCHER_HZ))
    # Four technicians x 8.0 h by default.
    assert capacity == {
        "site_id": HANGZHOU,
        "date": day,
        "available_hours": "32.0",
        "booked_hours": "0.0",
    }
    body = {"date": day, "entries": [{"technician_id": "tech.ni.hz", "status": "leave"}]}
    attendance = ok(system.post(f"{W}/sites/{HANGZHOU}/attendance", DISPATCHER_HZ, json=body))
    assert attendance["total_hours"] == "24.0"
    assert (
        ok(
            system.get(
                f"{W}/sites/{HANGZHOU}/attendance?date={day}",
                ADVISOR_PD.__class__("sa.fu.hz", GROUP_ID, (HANGZHOU,), ("service_advisor",)),
            )
        )["total_hours"]
        == "24.0"
    )
    pattern = ok(
        system.request(
            "PUT",
            f"{W}/sites/{HANGZHOU}/shift-pattern",
            DISPATCHER_HZ,
            json={"working_days": [1, 2, 3, 4, 5, 6], "hours": "8.0"},
        )
    )
    assert pattern["working_days"] == [1, 2, 3, 4, 5, 6]
    sunday = ok(system.get(f"{W}/sites/{HANGZHOU}/capacity?date=2030-01-06", HQ))
    assert sunday["available_hours"] == "0.0"
    bad = error(system.get(f"{W}/sites/{HANGZHOU}/capacity", HQ), 400, "INVALID_DATE")
    assert list(bad["fields"]) == ["date"]
    error(
        system.get(f"{W}/sites/{HANGZHOU}/capacity?date={day}", ADVISOR_PD), 403, "SITE_FORBIDDEN"
    )

    # Figures: every site of the group for HQ, a site's own for its staff.
    today = datetime.now(UTC).date().isoformat()
    group = ok(system.get(f"{W}/figures?from=2025-01-06&to=2025-01-06", HQ))
    assert [s["site_id"] for s in group["sites"]] == [HANGZHOU, PUDONG, SUZHOU]
    assert group["total"]["attended_hours"] == "128.0"  # 16 technicians x 8.0 h
    assert group["total"]["efficiency"] is None
    own = ok(system.get(f"{W}/figures?site_id={PUDONG}&from=2025-01-06&to=2025-01-06", DISPATCHER))
    assert [s["site_id"] for s in own["sites"]] == [PUDONG]
    assert {t["team_id"] for t in own["teams"]} == {"team-pd-1", "team-pd-2"}
    error(
        system.get(f"{W}/figures?site_id={SUZHOU}&from={today}&to={today}", DISPATCHER),
        403,
        "SITE_FORBIDDEN",
    )
    error(system.get(f"{W}/figures?from={today}", HQ), 400, "INVALID_DATE")
    assert ok(system.get(f"{W}/comebacks?from={today}&to={today}", HQ))["items"] == []
    assert ok(system.get(f"{W}/figures?from={today}&to={today}", OTHER_HQ))["sites"] == []


def test_tenancy_and_error_shapes(system: System) -> None:
    order = approved_order(system, [labor("ln-1", "MNT-OIL", "0.5")])
    job_id = order["jobs"][0]["job_id"]
    assert system.get(f"{W}/jobs/{job_id}").status_code == 401
    error(system.get(f"{W}/jobs/{job_id}", ADVISOR_SZ), 404, "JOB_NOT_FOUND")
    error(system.get(f"{W}/orders/{order['order_id']}", ADVISOR_SZ), 404, "ORDER_NOT_FOUND")
    error(system.get(f"{W}/jobs/{job_id}", OEM), 404, "JOB_NOT_FOUND")
    error(system.get(f"{W}/sites/{PUDONG}/board", ADVISOR_SZ), 403, "SITE_FORBIDDEN")
    error(system.get(f"{W}/sites/{PUDONG}/board", OEM), 403, "SITE_FORBIDDEN")
    error(system.get(f"{W}/jobs/job-nope", DISPATCHER), 404, "JOB_NOT_FOUND")
    error(
        system.post(f"{W}/jobs/{job_id}/dispatch", LIU, json={"technician_id": "tech.liu.pd"}),
        403,
        "ROLE_FORBIDDEN",
    )
    error(system.post(f"{W}/jobs/{job_id}/clock-on", LIU), 409, "NOT_DISPATCHED")
    bad = error(
        system.post(f"{W}/jobs/{job_id}/dispatch", DISPATCHER, json={"tech": "x"}),
        400,
        "VALIDATION_ERROR",
    )
    assert list(bad["fields"]) == ["tech"]
    error(
        system.post(
            f"{W}/jobs/{job_id}/dispatch",
            DISPATCHER,
            data="{not json",
            headers={"Content-Type": "application/json"},
        ),
        400,
        "INVALID_JSON",
    )
    error(system.post(f"{W}/jobs/{job_id}/pause", DISPATCHER), 400, "INVALID_JSON")
    unknown = error(
        system.post(
            f"{W}/orders/{order['order_id']}/final-inspection",
            INSPECTOR,
            json={"items": {"smell": "ok"}},
        ),
        409,
        "JOBS_NOT_DONE",
    )
    assert unknown["fields"] == {"job_ids": [job_id]}
    assert ok(system.get(f"{W}/jobs/{job_id}", HQ))["status"] == "unassigned"
    technicians = ok(system.get(f"/api/v1/sites/{PUDONG}/technicians", DISPATCHER))["items"]
    assert technicians[0]["site_id"] == PUDONG
    assert ok(system.get(f"{W}/sites/{PUDONG}/bays", DISPATCHER))["items"] == []


def test_job_etag_guards_dispatch(system: System) -> None:
    order = approved_order(system, [labor("ln-1", "MNT-OIL", "0.5")])
    job_id = order["jobs"][0]["job_id"]
    read = system.get(f"{W}/jobs/{job_id}", DISPATCHER)
    assert ok(read)["status"] == "unassigned"
    etag = read.headers["ETag"]
    first = system.post(
        f"{W}/jobs/{job_id}/dispatch",
        DISPATCHER,
        headers={"If-Match": etag},
        json={"technician_id": "tech.liu.pd"},
    )
    assert ok(first)["technician_id"] == "tech.liu.pd"
    assert first.headers["ETag"] != etag
    assert first.headers["ETag"] == system.get(f"{W}/jobs/{job_id}", DISPATCHER).headers["ETag"]
    stale = system.post(
        f"{W}/jobs/{job_id}/dispatch",
        DISPATCHER,
        headers={"If-Match": etag},
        json={"technician_id": "tech.yang.pd"},
    )
    error(stale, 412, "PRECONDITION_FAILED")
    after = ok(system.get(f"{W}/jobs/{job_id}", DISPATCHER))
    assert after["technician_id"] == "tech.liu.pd"
    assert [h["action"] for h in after["history"]] == ["created", "dispatched"]
    current = system.get(f"{W}/jobs/{job_id}", DISPATCHER).headers["ETag"]
    again = system.post(
        f"{W}/jobs/{job_id}/dispatch",
        DISPATCHER,
        headers={"If-Match": current},
        json={"technician_id": "tech.yang.pd"},
    )
    assert ok(again)["technician_id"] == "tech.yang.pd"


def test_shift_pattern_etag(system: System) -> None:
    read = system.get(f"{W}/sites/{SUZHOU}/shift-pattern", HQ)
    assert ok(read)["site_id"] == SUZHOU
    etag = read.headers["ETag"]
    dispatcher_sz = Tenant("disp.sz", GROUP_ID, (SUZHOU,), ("dispatcher",))
    body = {"working_days": [1, 2, 3, 4, 5], "hours": "7.5"}
    put = system.request(
        "PUT", f"{W}/sites/{SUZHOU}/shift-pattern", dispatcher_sz, headers={"If-Match": etag},
        json=body,
    )  # fmt: skip
    assert ok(put) == {"site_id": SUZHOU, "working_days": [1, 2, 3, 4, 5], "hours": "7.5"}
    assert put.headers["ETag"] != etag
    stale = system.request(
        "PUT", f"{W}/sites/{SUZHOU}/shift-pattern", dispatcher_sz, headers={"If-Match": etag},
        json={"working_days": [1], "hours": "8.0"},
    )  # fmt: skip
    error(stale, 412, "PRECONDITION_FAILED")
    assert ok(system.get(f"{W}/sites/{SUZHOU}/shift-pattern", HQ))["hours"] == "7.5"
    error(
        system.request("PUT", f"{W}/sites/{SUZHOU}/shift-pattern", ADVISOR_SZ, json=body),
        403,
        "ROLE_FORBIDDEN",
    )


def test_lists_pages_teams_checklists_and_my_jobs(system: System) -> None:
    order = approved_order(
        system,
        [labor("ln-1", "MNT-OIL", "0.5"), labor("ln-2", "BRK-FPAD", "1.0")],
    )
    oil, brakes = (j["job_id"] for j in sorted(order["jobs"], key=lambda j: j["line_id"]))
    ok(system.post(f"{W}/jobs/{oil}/dispatch", DISPATCHER, json={"technician_id": "tech.wu.pd"}))

    # Technicians: pages of two, every technician once.
    seen: list[str] = []
    cursor = ""
    while True:
        page = ok(system.get(f"/api/v1/sites/{PUDONG}/technicians?limit=2{cursor}", DISPATCHER))
        seen += [t["technician_id"] for t in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert len(seen) == len(set(seen)) == 6
    team = ok(system.get(f"/api/v1/sites/{PUDONG}/technicians?team_id=team-pd-2", DISPATCHER))
    assert {t["team_id"] for t in team["items"]} == {"team-pd-2"}
    error(
        system.get(f"/api/v1/sites/{PUDONG}/technicians?limit=0", DISPATCHER),
        400,
        "VALIDATION_ERROR",
    )

    teams = ok(system.get(f"{W}/sites/{PUDONG}/teams", DISPATCHER))["items"]
    leaders = {t["team_id"]: t["leader_id"] for t in teams}
    assert leaders == {"team-pd-1": "tl.zhang.pd", "team-pd-2": "tl.huang.pd"}
    assert "tech.liu.pd" in next(t for t in teams if t["team_id"] == "team-pd-1")["technician_ids"]

    checklists = ok(system.get(f"{W}/checklists", LIU))
    assert [i["code"] for i in checklists["self_check"]] == [c for c, _ in CHECKLISTS["self_check"]]

    jobs = ok(system.get(f"{W}/sites/{PUDONG}/jobs?order_id={order['order_id']}", DISPATCHER))
    assert {j["job_id"] for j in jobs["items"]} == {oil, brakes}
    unassigned = ok(
        system.get(
            f"{W}/sites/{PUDONG}/jobs?order_id={order['order_id']}&status=unassigned",
            DISPATCHER,
        )
    )
    assert [j["job_id"] for j in unassigned["items"]] == [brakes]

    wu = Tenant("tech.wu.pd", GROUP_ID, (PUDONG,), ("technician",))
    mine = ok(system.get(f"{W}/my-jobs", wu))["items"]
    assert oil in {j["job_id"] for j in mine}
    assert all(j["technician_id"] == "tech.wu.pd" or j["technician_id"] is None for j in mine)
    error(system.get(f"{W}/my-jobs", DISPATCHER), 403, "ROLE_FORBIDDEN")
