"""Customer care's routes over HTTP: the six processes, real RabbitMQ and PostgreSQL.

Reception's and parts' events are published onto their exchanges as their outbox
relays would, so these tests do not depend on the other services' routes. The
care agents are loaded by `aftersales seed`'s loader (`seeding.customer_care`).
One system serves the whole module; every test works on
records of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from aftersales_cli.seed_data import GROUP_ID, demo_group
from aftersales_cli.seeding import customer_care as customer_care_loader
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

C = "/api/v1/customer-care"
CST = timezone(timedelta(hours=8))
AGENT_PD = Tenant("cca.song.pd", GROUP_ID, (PUDONG,), ("customer_care_agent",))
MANAGER_PD = Tenant("ccm.liang.pd", GROUP_ID, (PUDONG,), ("customer_care_manager",))
AGENT_SZ = Tenant("cca.wei.sz", GROUP_ID, (SUZHOU,), ("customer_care_agent",))
OEM = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), oem_id="oem-saic-vw")


@pytest.fixture(scope="module")
def system(gateway_system: System) -> Iterator[System]:
    config = {"AMQP_URI": gateway_system.amqp_uri, "serializer": "json"}
    context = Tenant.system(GROUP_ID).to_context()
    with ClusterRpcProxy(config, context_data=context, timeout=30) as rpc:
        # gateway_system seeded the agents (one a site) through this loader already.
        assert customer_care_loader(rpc, demo_group())["agents"] == 0  # idempotent
    # reception's customer_registered events reach the archive asynchronously
    wait_for(
        lambda: len(items(gateway_system.get(f"{C}/customers", AGENT_PD))) == 8,
        20,
        "the Pudong customers are in the archive",
    )
    yield gateway_system


def ok(response: requests.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def items(response: requests.Response) -> list[Any]:
    """The items of one page of a list (every list is a page)."""
    body = ok(response)
    assert set(body) == {"items", "next_cursor"}, body
    return body["items"]


def error(response: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code, body
    assert set(body) == {"code", "message", "fields"}
    return body


def publish(
    system: System,
    source: str,
    event_type: str,
    payload: dict[str, Any],
    site_id: str | None = PUDONG,
    correlation_id: str | None = None,
) -> None:
    validate_payload(event_type, payload)
    envelope = Envelope(event_type, GROUP_ID, site_id, payload, correlation_id)
    publish_event(system.amqp_uri, source, envelope)


def deliver(system: System, customer_id: str, tenant: Tenant = AGENT_PD, **extra: Any) -> str:
    """Reception delivers a seeded customer's car; returns the follow-up it created."""
    vehicle = ok(system.get(f"{C}/customers/{customer_id}", tenant))["vehicles"][0]
    order_id = f"ro-{uuid.uuid4().hex[:12]}"
    delivered_at = datetime.now(UTC) - timedelta(minutes=30)
    payload = {
        **example("vehicle_delivered")["payload"],
        "order_id": order_id,
        "order_number": f"PD-{order_id[-6:]}",
        "customer_id": customer_id,
        "vehicle_id": vehicle["vehicle_id"],
        "vin": vehicle["vin"],
        "plate": vehicle["plate"],
        "mileage": vehicle["mileage"] + 300,
        "delivered_at": delivered_at.isoformat(),
        **extra,
    }
    publish(system, "reception", "vehicle_delivered", payload, tenant.site_ids[0], order_id)

    def created() -> str | None:
        rows = items(system.get(f"{C}/followups?order_id={order_id}", tenant))
        return next((f["followup_id"] for f in rows if f["order_id"] == order_id), None)

    return wait_for(created, 20, "the follow-up of the delivery")


def period() -> str:
    today = datetime.now(CST).date()
    return f"from={(today - timedelta(days=1)).isoformat()}&to={today.isoformat()}"


# ---------------------------------------------------------------- the archive


def test_the_archive_with_agents_and_tenancy(system: System) -> None:
    customers = items(system.get(f"{C}/customers", AGENT_PD))
    assert {c["agent_id"] for c in customers} == {"cca.song.pd"}
    assert {c["site_id"] for c in customers} == {PUDONG}
    members = items(system.get(f"{C}/customers?customer_class=member", AGENT_PD))
    assert {c["customer_class"] for c in members} == {"member"}
    entry = ok(system.get(f"{C}/customers/cus-pd-002", AGENT_PD))
    assert entry["name"] == "李娜" and len(entry["vehicles"]) == 2

    error(system.get(f"{C}/customers/cus-pd-002", ADVISOR_SZ), 404, "CUSTOMER_NOT_FOUND")
    error(system.get(f"{C}/customers/cus-pd-002", OTHER_HQ), 404, "CUSTOMER_NOT_FOUND")
    error(system.get(f"{C}/customers/cus-pd-002", OEM), 404, "CUSTOMER_NOT_FOUND")
    error(system.get(f"{C}/customers", OEM), 403, "ROLE_FORBIDDEN")
    error(system.get(f"{C}/customers?site_id={SUZHOU}", AGENT_PD), 403, "SITE_FORBIDDEN")
    error(system.get(f"{C}/customers"), 401, "TOKEN_MISSING")
    bad = error(system.get(f"{C}/customers?colour=red", AGENT_PD), 400, "VALIDATION_ERROR")
    assert list(bad["fields"]) == ["colour"]
    everyone = items(system.get(f"{C}/customers?limit=200", HQ))
    assert {c["site_id"] for c in everyone} == {PUDONG, SUZHOU, HANGZHOU}


# ---------------------------------------------------------------- the repair path's care part


def test_delivery_follow_up_complaint_and_figures(system: System) -> None:
    """Delivered -> follow-up due -> unsatisfied -> complaint -> closed loop -> figures."""
    followup_id = deliver(system, "cus-pd-003", next_service_mileage=140000)
    followup = ok(system.get(f"{C}/followups/{followup_id}", AGENT_PD))
    assert followup["status"] == "open" and followup["agent_id"] == "cca.song.pd"
    assert followup["customer_name"] == "王建国" and followup["mandatory"] is False
    due_at = datetime.fromisoformat(followup["due_at"]).astimezone(CST)
    assert not 12 <= due_at.hour < 14 and 9 <= due_at.hour < 20  # never at a rest time
    assert datetime.fromisoformat(followup["deadline"]) > datetime.fromisoformat(followup["due_at"])

    tried = ok(
        system.post(
            f"{C}/followups/{followup_id}/attempts", AGENT_PD, json={"outcome": "not_reached"}
        ),
        201,
    )
    assert (tried["status"], tried["attempts"]) == ("open", 1)
    error(
        system.post(
            f"{C}/followups/{followup_id}/attempts", ADVISOR_PD, json={"outcome": "not_reached"}
        ),
        403,
        "ROLE_FORBIDDEN",
    )
    reached = ok(
        system.post(
            f"{C}/followups/{followup_id}/attempts",
            AGENT_PD,
            json={
                "outcome": "reached",
                "satisfaction": "unsatisfied",
                "comment": "保养后发动机灯亮",
                "scores": {"repair_quality": 2, "advisor": 6},
                "would_recommend": 3,
            },
        ),
        201,
    )
    assert (reached["status"], reached["within_72h"]) == ("done", True)
    assert [a["outcome"] for a in reached["attempt_log"]] == ["not_reached", "reached"]
    complaint_id = reached["complaint_id"]
    complaint = ok(system.get(f"{C}/complaints/{complaint_id}", AGENT_PD))
    assert (complaint["status"], complaint["source"], complaint["channel"]) == (
        "registered",
        "followup",
        "followup",
    )
    assert complaint["description"] == "保养后发动机灯亮"

    def step(action: str, body: dict[str, Any], tenant: Tenant = AGENT_PD) -> dict[str, Any]:
        return ok(system.post(f"{C}/complaints/{complaint_id}/{action}", tenant, json=body))

    step("judge", {"valid": True, "note": "已致歉，请客户回厂检查", "category": "repair_quality"})
    step(
        "investigate",
        {
            "department": "workshop",
            "responsible_person": "tl.zhang.pd",
            "findings": "机油压力传感器插头未插到位",
        },
    )
    step(
        "propose",
        {
            "solutions": [
                {"description": "免费返修并赠送一次洗车"},
                {"description": "减免本次工时费", "cost": "180.00"},
            ]
        },
    )
    error(
        system.post(
            f"{C}/complaints/{complaint_id}/approve", AGENT_PD, json={"solution_number": 1}
        ),
        403,
        "ROLE_FORBIDDEN",
    )
    step("approve", {"solution_number": 1, "note": "同意"}, MANAGER_PD)
    step("carry-out", {"customer_accepted": True, "accepted_by": "王建国"})
    step("follow-up", {"customer_satisfied": True, "note": "故障灯已熄灭"})
    closed = step("close", {"classification": "repair_quality", "summary": "返修解决"}, MANAGER_PD)
    assert closed["status"] == "closed" and closed["classification"] == "repair_quality"
    assert [h["action"] for h in closed["history"]] == [
        "register",
        "judge",
        "investigate",
        "propose",
        "approve",
        "carry_out",
        "follow_up",
        "close",
    ]
    error(
        system.post(
            f"{C}/complaints/{complaint_id}/close",
            MANAGER_PD,
            json={"classification": "price", "summary": "again"},
        ),
        409,
        "ILLEGAL_TRANSITION",
    )

    figures = ok(system.get(f"{C}/figures?site_id={PUDONG}&{period()}", AGENT_PD))
    [pudong] = figures["sites"]
    assert pudong["complaints"]["by_category"].get("repair_quality", 0) >= 1
    assert pudong["followups"]["deliveries"] >= 1
    hq = ok(system.get(f"{C}/figures?{period()}", HQ))
    assert {s["site_id"] for s in hq["sites"]} >= {PUDONG, SUZHOU, HANGZHOU}
    assert hq["total"]["complaints"]["closed"] == sum(
        s["complaints"]["closed"] for s in hq["sites"]
    )
    error(system.get(f"{C}/figures?site_id={SUZHOU}", AGENT_PD), 403, "SITE_FORBIDDEN")
    error(system.get(f"{C}/figures?from=2026-13-01", HQ), 400, "VALIDATION_ERROR")
    error(system.get(f"{C}/figures", OEM), 403, "ROLE_FORBIDDEN")


# ---------------------------------------------------------------- complaints


def test_complaint_registration_errors_and_idempotency(system: System) -> None:
    body = {
        "site_id": PUDONG,
        "customer_id": "cus-pd-005",
        "channel": "phone",
        "description": f"预约后到店仍等待一小时 {uuid.uuid4().hex[:6]}",
        "category": "waiting_time",
    }
    key = {"Idempotency-Key": f"cmp-{uuid.uuid4()}"}
    first = ok(system.post(f"{C}/complaints", ADVISOR_PD, json=body, headers=key), 201)
    again = ok(system.post(f"{C}/complaints", ADVISOR_PD, json=body, headers=key), 201)
    assert again["complaint_id"] == first["complaint_id"]
    listed = items(system.get(f"{C}/complaints?customer_id=cus-pd-005", AGENT_PD))
    assert [c["description"] for c in listed].count(body["description"]) == 1
    error(
        system.post(f"{C}/complaints", ADVISOR_PD, json={**body, "channel": "fax"}, headers=key),
        409,
        "IDEMPOTENCY_KEY_REUSED",
    )
    assert first["customer_name"] == "刘洋" and first["department"] == "workshop"

    error(system.post(f"{C}/complaints", ADVISOR_PD), 400, "INVALID_JSON")
    bad = error(
        system.post(f"{C}/complaints", ADVISOR_PD, json={**body, "channel": "fax"}),
        400,
        "VALIDATION_ERROR",
    )
    assert list(bad["fields"]) == ["channel"]
    bad = error(system.post(f"{C}/complaints", ADVISOR_PD, json=[body]), 400, "VALIDATION_ERROR")
    error(system.post(f"{C}/complaints", ADVISOR_SZ, json=body), 403, "SITE_FORBIDDEN")
    error(system.post(f"{C}/complaints", OEM, json=body), 403, "SITE_FORBIDDEN")
    error(
        system.get(f"{C}/complaints/{first['complaint_id']}", ADVISOR_SZ),
        404,
        "COMPLAINT_NOT_FOUND",
    )
    error(system.get(f"{C}/complaints/cmp-nothing", HQ), 404, "COMPLAINT_NOT_FOUND")
    error(system.get(f"{C}/complaints?open=perhaps", AGENT_PD), 400, "VALIDATION_ERROR")

    cid = first["complaint_id"]
    escalated = ok(
        system.post(
            f"{C}/complaints/{cid}/escalate",
            ADVISOR_PD,
            json={"reason": "at_risk", "note": "客户称要打400热线"},
        )
    )
    assert escalated["at_risk"] is True and escalated["escalation_level"] == 1
    assert escalated["escalations"][0]["escalated_to"] == "customer_care_manager"
    error(
        system.post(
            f"{C}/complaints/{cid}/escalate",
            ADVISOR_PD,
            json={"reason": "at_risk", "note": "again"},
        ),
        409,
        "ALREADY_ESCALATED",
    )
    error(
        system.post(f"{C}/complaints/{cid}/approve", MANAGER_PD, json={"solution_number": 1}),
        409,
        "ILLEGAL_TRANSITION",
    )
    bad = error(
        system.post(f"{C}/complaints/{cid}/judge", AGENT_PD, json={"valid": True}),
        400,
        "VALIDATION_ERROR",
    )
    assert list(bad["fields"]) == ["note"]
    at_risk = items(system.get(f"{C}/complaints?open=true&at_risk=true", MANAGER_PD))
    assert cid in {c["complaint_id"] for c in at_risk if c["at_risk"]}


# ---------------------------------------------------------------- reminders, lost and loyal


def test_reminders_lost_and_loyal_customers(system: System) -> None:
    sale_id = f"cs-{uuid.uuid4().hex[:6]}"
    publish(
        system,
        "parts",
        "special_order_arrived",
        {**example("special_order_arrived")["payload"], "sale_id": sale_id},
        PUDONG,
        sale_id,
    )

    def arrived() -> dict[str, Any] | None:
        rows = items(system.get(f"{C}/reminders?kind=special_order", AGENT_PD))
        return next((r for r in rows if r["details"]["sale_id"] == sale_id), None)

    reminder = wait_for(arrived, 20, "the special-order call")
    assert reminder["contact_name"] == "刘女士" and reminder["status"] == "open"
    assert items(system.get(f"{C}/reminders?kind=special_order", AGENT_SZ)) == []
    done = ok(
        system.post(
            f"{C}/reminders/{reminder['reminder_id']}/calls",
            ADVISOR_PD,
            json={"outcome": "contacted", "note": "下午来取"},
        )
    )
    assert (done["status"], done["done_by"]) == ("done", "sa.wang.pd")
    error(
        system.post(
            f"{C}/reminders/{reminder['reminder_id']}/calls",
            ADVISOR_PD,
            json={"outcome": "contacted"},
        ),
        409,
        "ILLEGAL_TRANSITION",
    )
    error(
        system.post(
            f"{C}/reminders/{reminder['reminder_id']}/calls",
            AGENT_SZ,
            json={"outcome": "contacted"},
        ),
        404,
        "REMINDER_NOT_FOUND",
    )
    error(system.get(f"{C}/reminders?kind=postcard", AGENT_PD), 400, "VALIDATION_ERROR")

    # The seeded customers were registered today: nobody is lost yet.
    assert items(system.get(f"{C}/lost-vehicles", AGENT_PD)) == []
    vehicle_id = ok(system.get(f"{C}/customers/cus-pd-006", AGENT_PD))["vehicles"][0]["vehicle_id"]
    recorded = ok(
        system.post(
            f"{C}/vehicles/{vehicle_id}/lost-reason",
            AGENT_PD,
            json={"reason": "competitor", "note": "去了路边店"},
        ),
        201,
    )
    assert recorded["reason"] == "competitor"
    error(
        system.post(f"{C}/vehicles/{vehicle_id}/lost-reason", AGENT_SZ, json={"reason": "price"}),
        404,
        "VEHICLE_NOT_FOUND",
    )
    error(
        system.post(f"{C}/vehicles/{vehicle_id}/lost-reason", AGENT_PD, json={"reason": "aliens"}),
        400,
        "VALIDATION_ERROR",
    )
    assert items(system.get(f"{C}/loyal-customers", AGENT_PD)) == []
    error(system.get(f"{C}/loyal-customers?from=soon", AGENT_PD), 400, "VALIDATION_ERROR")


# ---------------------------------------------------------------- the site's policy


def test_site_policy_over_http(system: System) -> None:
    policy = ok(system.get(f"{C}/sites/{HANGZHOU}/policy", HQ))
    assert policy["settings"]["call_hours"] == {"start": "09:00", "end": "20:00"}
    manager_hz = Tenant("ccm.lou.hz", GROUP_ID, (HANGZHOU,), ("customer_care_manager",))
    agent_hz = Tenant("cca.zheng.hz", GROUP_ID, (HANGZHOU,), ("customer_care_agent",))
    error(
        system.request("PATCH", f"{C}/sites/{HANGZHOU}/policy", agent_hz, json={"max_attempts": 5}),
        403,
        "ROLE_FORBIDDEN",
    )
    error(
        system.request(
            "PATCH", f"{C}/sites/{HANGZHOU}/policy", MANAGER_PD, json={"max_attempts": 5}
        ),
        403,
        "SITE_FORBIDDEN",
    )
    bad = error(
        system.request(
            "PATCH",
            f"{C}/sites/{HANGZHOU}/policy",
            manager_hz,
            json={"rest_windows": [{"start": "21:00", "end": "19:00"}]},
        ),
        400,
        "INVALID_POLICY",
    )
    assert list(bad["fields"]) == ["rest_windows"]
    error(
        system.request(
            "PATCH", f"{C}/sites/{HANGZHOU}/policy", manager_hz, json={"rest_weekdays": [9]}
        ),
        400,
        "VALIDATION_ERROR",
    )
    changed = ok(
        system.request(
            "PATCH",
            f"{C}/sites/{HANGZHOU}/policy",
            manager_hz,
            json={"rest_weekdays": [6], "holidays": ["2027-10-01"]},
        )
    )
    assert changed["settings"]["rest_weekdays"] == [6]
    assert changed["settings"]["holidays"] == ["2027-10-01"]
    assert changed["updated_by"] == "ccm.lou.hz"
    error(system.get(f"{C}/sites/{HANGZHOU}/policy", OEM), 404, "SITE_NOT_FOUND")


def test_complaints_carry_an_etag_and_refuse_an_old_one(system: System) -> None:
    body = {
        "site_id": PUDONG,
        "customer_id": "cus-pd-004",
        "channel": "phone",
        "description": f"洗车没洗干净 {uuid.uuid4().hex[:6]}",
    }
    created = system.post(f"{C}/complaints", ADVISOR_PD, json=body)
    assert created.status_code == 201, created.text
    cid = created.json()["complaint_id"]
    read = system.get(f"{C}/complaints/{cid}", AGENT_PD)
    assert read.json() == created.json()  # the registration answers the document
    first = read.headers["ETag"]
    judge = {"valid": True, "note": "已致歉", "category": "facility"}
    judged = system.post(f"{C}/complaints/{cid}/judge", AGENT_PD, json=judge,
                         headers={"If-Match": first})  # fmt: skip
    assert judged.status_code == 200, judged.text
    assert judged.headers["ETag"] not in ("", first)
    stale = error(
        system.post(
            f"{C}/complaints/{cid}/investigate",
            AGENT_PD,
            json={"department": "management", "responsible_person": "x", "findings": "y"},
            headers={"If-Match": first},
        ),
        412,
        "PRECONDITION_FAILED",
    )
    assert list(stale["fields"]) == ["If-Match"]
    now = system.get(f"{C}/complaints/{cid}", AGENT_PD)
    assert now.json() == judged.json() and now.headers["ETag"] == judged.headers["ETag"]
    investigated = system.post(
        f"{C}/complaints/{cid}/investigate",
        AGENT_PD,
        json={"department": "management", "responsible_person": "x", "findings": "y"},
        headers={"If-Match": now.headers["ETag"]},
    )
    assert ok(investigated)["status"] == "investigated"


def test_the_site_policy_carries_an_etag(system: System) -> None:
    manager_sz = Tenant("ccm.gu.sz", GROUP_ID, (SUZHOU,), ("customer_care_manager",))
    path = f"{C}/sites/{SUZHOU}/policy"
    first = system.get(path, manager_sz).headers["ETag"]
    same = {"max_attempts": 3}  # the default again: a change of who and when only
    changed = system.request("PATCH", path, manager_sz, json=same, headers={"If-Match": first})
    assert ok(changed)["updated_by"] == "ccm.gu.sz"
    assert changed.headers["ETag"] != first
    error(
        system.request("PATCH", path, manager_sz, json={"max_attempts": 5},
                       headers={"If-Match": first}),
        412,
        "PRECONDITION_FAILED",
    )  # fmt: skip
    assert ok(system.get(path, HQ))["settings"]["max_attempts"] == 3


def test_lists_are_pages_with_a_cursor(system: System) -> None:
    first = ok(system.get(f"{C}/customers?limit=3", AGENT_PD))
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = ok(system.get(f"{C}/customers", AGENT_PD, params={"cursor": first["next_cursor"]}))
    ids = [c["customer_id"] for c in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 8 and rest["next_cursor"] is None
    found = items(system.get(f"{C}/customers", AGENT_PD, params={"q": "李娜"}))
    assert [c["customer_id"] for c in found] == ["cus-pd-002"]
    error(system.get(f"{C}/customers?cursor=nonsense", AGENT_PD), 400, "INVALID_CURSOR")
    error(system.get(f"{C}/complaints?limit=0", AGENT_PD), 400, "VALIDATION_ERROR")
    for path in ("followups", "complaints", "reminders", "lost-vehicles", "loyal-customers"):
        page = ok(system.get(f"{C}/{path}?limit=1", HQ))
        assert set(page) == {"items", "next_cursor"} and len(page["items"]) <= 1


def test_openapi_documents_customer_care(system: System) -> None:
    paths = ok(system.get("/openapi.json"))["paths"]
    mine = {(method, path) for path, ops in paths.items() if path.startswith(C) for method in ops}
    assert mine == {
        ("get", f"{C}/customers"),
        ("get", f"{C}/customers/{{customer_id}}"),
        ("get", f"{C}/followups"),
        ("get", f"{C}/followups/{{followup_id}}"),
        ("post", f"{C}/followups/{{followup_id}}/attempts"),
        ("post", f"{C}/complaints"),
        ("get", f"{C}/complaints"),
        ("get", f"{C}/complaints/{{complaint_id}}"),
        *(
            ("post", f"{C}/complaints/{{complaint_id}}/{action}")
            for action in (
                "judge",
                "investigate",
                "propose",
                "approve",
                "carry-out",
                "follow-up",
                "close",
                "escalate",
            )
        ),
        ("get", f"{C}/reminders"),
        ("post", f"{C}/reminders/{{reminder_id}}/calls"),
        ("get", f"{C}/lost-vehicles"),
        ("post", f"{C}/vehicles/{{vehicle_id}}/lost-reason"),
        ("get", f"{C}/loyal-customers"),
        ("get", f"{C}/figures"),
        ("get", f"{C}/sites/{{site_id}}/policy"),
        ("patch", f"{C}/sites/{{site_id}}/policy"),
    }
    attempt = paths[f"{C}/followups/{{followup_id}}/attempts"]["post"]
    assert "Idempotency-Key" in {p.get("name") for p in attempt["parameters"]}
    assert {"201", "400", "401", "403", "404", "409"} <= set(attempt["responses"])


@pytest.mark.parametrize("raw", ["null", "[]", "42", '"text"', "{", '{"a": NaN}'])
def test_hostile_bodies_on_every_write(system: System, raw: str) -> None:
    for path in (
        f"{C}/complaints",
        f"{C}/followups/fu-none/attempts",
        f"{C}/complaints/cmp-none/judge",
        f"{C}/reminders/rem-none/calls",
        f"{C}/vehicles/veh-none/lost-reason",
    ):
        resp = system.post(path, MANAGER_PD, data=raw, headers={"Content-Type": "application/json"})
        assert 400 <= resp.status_code < 500, (path, resp.status_code, resp.text[:300])
        assert set(resp.json()["error"]) == {"code", "message", "fields"}
    resp = system.request(
        "PATCH",
        f"{C}/sites/{PUDONG}/policy",
        MANAGER_PD,
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 400, resp.text[:300]
