"""Claims through the gateway over HTTP: warranty terms and coverage, a warranty claim
from draft to payment, tenancy (sites, HQ, the OEM), insurance claims, error shapes.

One seeded system runs for the module.  The OEM's answers are published on the OEM
exchange by the test itself, exactly as the simulator would send them.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from aftersales_claims.domain import local_date
from aftersales_claims.testing import oem_message, reception_event
from aftersales_cli.seed_data import GROUP_ID, demo_group
from aftersales_cli.testing import (
    ADVISOR_PD,
    HQ,
    OTHER_HQ,
    PUDONG,
    SUZHOU,
    System,
    wait_for,
)
from aftersales_core.envelope import utcnow
from aftersales_core.identifiers import make_vin
from aftersales_core.tenancy import Tenant

CLERK_PD = Tenant("cl.luo.pd", GROUP_ID, (PUDONG,), ("claims_clerk",))
CLERK_SZ = Tenant("cl.xia.sz", GROUP_ID, (SUZHOU,), ("claims_clerk",))
ACCIDENT_PD = Tenant("acr.zhu.pd", GROUP_ID, (PUDONG,), ("accident_reception",))
OEM_SVW = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), oem_id="oem-saic-vw")
OEM_GAC = Tenant("oem.gac", GROUP_ID, (), ("oem",), oem_id="oem-gac-toyota")
SVW_TERMS = {
    "brand": "上汽大众",
    "oem_id": "oem-saic-vw",
    "years": 3,
    "km": 100_000,
    "first_maintenance_months": 6,
    "first_maintenance_km": 5_000,
    "first_maintenance_operations": ["MNT-FREE1"],
    "parts_months": 12,
    "parts_km": 10_000,
}
_serials = itertools.count(900_001)


@pytest.fixture(scope="module")
def system(gateway_system: System) -> Iterator[System]:
    """The seeded system, plus what the lead's claims loader will load: the labor catalog."""
    from nameko.standalone.rpc import ClusterRpcProxy

    config = {"AMQP_URI": gateway_system.amqp_uri, "serializer": "json"}
    context = Tenant.system(GROUP_ID).to_context()
    with ClusterRpcProxy(config, context_data=context, timeout=15) as rpc:
        rpc.claims.import_reference_data(
            {"group_id": GROUP_ID, "labor_operations": demo_group()["labor_operations"]}
        )
    yield gateway_system


def _error(resp: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with a JSON content type; returns the inner object."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in resp.text
    if code is not None:
        assert error["code"] == code, error
    return error


def _ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    return resp.json()


def _patch(system: System, path: str, tenant: Tenant, **kwargs: Any) -> requests.Response:
    return system.request("PATCH", path, tenant, **kwargs)


def _put(system: System, path: str, tenant: Tenant, **kwargs: Any) -> requests.Response:
    return system.request("PUT", path, tenant, **kwargs)


def _new_car(system: System) -> str:
    """A customer with a Lavida sold in March 2025, registered at reception; claims learns it."""
    vin = make_vin(f"LSVAL618SA{next(_serials):06d}")
    customer = {
        "site_id": PUDONG,
        "name": f"索赔测试 {uuid.uuid4().hex[:6]}",
        "phones": ["13900000000"],
        "vehicles": [
            {"vin": vin, "plate": "沪A·12345", "brand": "上汽大众", "model": "朗逸",
             "sale_date": "2025-03-18", "mileage": 10_100}
        ],
    }  # fmt: skip
    _ok(system.post("/api/v1/customers", ADVISOR_PD, json=customer), 201)
    wait_for(
        lambda: (
            system.get(
                "/api/v1/warranty-coverage", CLERK_PD, params={"vin": vin, "mileage": "9000"}
            ).status_code
            == 200
        ),
        15,
        "claims learnt the vehicle",
    )
    return vin


def _draft(system: System, vin: str, **overrides: Any) -> dict[str, Any]:
    today = local_date(utcnow()).isoformat()
    body = {
        "site_id": PUDONG,
        "vin": vin,
        "mileage": 10_230,
        "repair_opened_on": today,
        "repair_completed_on": today,
        "complaint": "踩刹车时前轮有吱吱声",
        "labor": [{"operation_code": "BRK-FPAD", "description": "更换前制动片", "hours": "1.2",
                   "amount": "144.00"}],
        "parts": [{"part_number": "5Q0698151B", "description": "前制动片（套）", "quantity": "1",
                   "unit_price": "520.00"}],
        **overrides,
    }  # fmt: skip
    return _ok(system.post("/api/v1/warranty-claims", CLERK_PD, json=body), 201)


def _ready(system: System, vin: str) -> dict[str, Any]:
    claim = _draft(system, vin)
    path = f"/api/v1/warranty-claims/{claim['claim_id']}"
    fixes = {
        "cause": "摩擦材料脱层",
        "correction": "更换前制动片",
        "causal_part_number": "5Q0698151B",
        "labor": [{"operation_code": "BRK-FPAD", "description": "更换前制动片", "hours": "1.0",
                   "amount": "120.00"}],
        "parts": [{"part_number": "5Q0698151B", "description": "前制动片（套）", "quantity": "1",
                   "unit_price": "520.00", "old_part_tag": "PD-OP-9"}],
    }  # fmt: skip
    _ok(_patch(system, path, CLERK_PD, json=fixes))
    return _ok(
        system.post(
            path + "/appraisal", CLERK_PD, json={"finding": "材料缺陷", "warranty_fault": True}
        )
    )


def _decide(system: System, claim: dict[str, Any], outcome: str, **extra: Any) -> dict[str, Any]:
    """The OEM's decision on the claim's current submission, as the OEM would send it."""
    oem_message(
        system.amqp_uri,
        "claim_decision",
        {
            "claim_id": claim["claim_id"],
            "claim_number": claim["claim_number"],
            "oem_id": "oem-saic-vw",
            "oem_claim_number": "OEM-SAIC-VW-2026-0000001",
            "submission_count": claim["submission_count"],
            "outcome": outcome,
            "approved_amount": claim["claimed_amount"],
            "reason_code": None,
            "reason": None,
            "old_parts": [],
            "decided_at": utcnow().isoformat(),
            **extra,
        },
        GROUP_ID,
        claim["site_id"],
    )
    path = f"/api/v1/warranty-claims/{claim['claim_id']}"
    return wait_for(
        lambda: (c := system.get(path, CLERK_PD).json())["status"] != claim["status"] and c,
        15,
        f"the claim is {outcome}",
    )


# ---------------------------------------------------------------- terms and coverage


def test_warranty_terms_are_set_by_headquarters(system: System) -> None:
    error = _error(_put(system, "/api/v1/warranty-terms", CLERK_PD, json=SVW_TERMS), 403)
    assert error["code"] == "ROLE_FORBIDDEN"
    # The seed loaded these terms as the system; headquarters changes them.
    longer = {**SVW_TERMS, "km": 120000}
    set_ = _ok(_put(system, "/api/v1/warranty-terms", HQ, json=longer))
    assert (set_["brand"], set_["model"], set_["oem_id"], set_["km"], set_["updated_by"]) == (
        "上汽大众",
        "",
        "oem-saic-vw",
        120000,
        "hq.chen",
    )
    _ok(_put(system, "/api/v1/warranty-terms", HQ, json=SVW_TERMS))
    listed = _ok(system.get("/api/v1/warranty-terms", ADVISOR_PD))["items"]
    assert ("上汽大众", "") in {(t["brand"], t["model"]) for t in listed}
    error = _error(
        _put(system, "/api/v1/warranty-terms", HQ, json={**SVW_TERMS, "km": "lots"}),
        400,
        "VALIDATION_ERROR",
    )
    assert list(error["fields"]) == ["km"]
    _error(system.get("/api/v1/warranty-terms", OEM_SVW), 403, "ROLE_FORBIDDEN")


def test_coverage_is_judged_on_the_day_and_mileage(system: System) -> None:
    _ok(_put(system, "/api/v1/warranty-terms", HQ, json=SVW_TERMS))
    vin = _new_car(system)
    covered = _ok(
        system.get(
            "/api/v1/warranty-coverage",
            ADVISOR_PD,
            params={"vin": vin, "mileage": "10230", "repair_date": "2026-11-25"},
        )
    )
    assert (covered["covered"], covered["ends_on"], covered["km_limit"]) == (
        True,
        "2028-03-17",
        100_000,
    )
    over = _ok(
        system.get(
            "/api/v1/warranty-coverage", ADVISOR_PD, params={"vin": vin, "mileage": "100001"}
        )
    )
    assert over["covered"] is False
    assert [f["code"] for f in over["findings"]] == ["WARRANTY_MILEAGE_EXCEEDED"]
    error = _error(
        system.get("/api/v1/warranty-coverage", ADVISOR_PD, params={"vin": vin, "mileage": "x"}),
        400,
    )
    assert list(error["fields"]) == ["mileage"]
    _error(
        system.get(
            "/api/v1/warranty-coverage",
            ADVISOR_PD,
            params={"vin": make_vin("LSVAL618SA899999"), "mileage": "1"},
        ),
        404,
        "VEHICLE_NOT_FOUND",
    )


# ---------------------------------------------------------------- a warranty claim over HTTP


def test_a_warranty_claim_from_draft_to_payment(system: System) -> None:
    _ok(_put(system, "/api/v1/warranty-terms", HQ, json=SVW_TERMS))
    vin = _new_car(system)
    key = {"Idempotency-Key": f"draft-{vin}"}
    today = local_date(utcnow()).isoformat()
    body = {
        "site_id": PUDONG,
        "vin": vin,
        "mileage": 10_230,
        "repair_opened_on": today,
        "repair_completed_on": today,
        "complaint": "踩刹车时前轮有吱吱声",
        "labor": [{"operation_code": "BRK-FPAD", "description": "更换前制动片", "hours": "1.2",
                   "amount": "144.00"}],
    }  # fmt: skip
    first = _ok(system.post("/api/v1/warranty-claims", CLERK_PD, json=body, headers=key), 201)
    again = _ok(system.post("/api/v1/warranty-claims", CLERK_PD, json=body, headers=key), 201)
    assert again["claim_id"] == first["claim_id"], "a retry returns the first claim"
    path = f"/api/v1/warranty-claims/{first['claim_id']}"

    findings = _ok(system.get(path + "/findings", CLERK_PD))
    assert findings["ready"] is False
    assert {(f["code"], f["field"]) for f in findings["findings"]} == {
        ("REQUIRED", "cause"),
        ("REQUIRED", "correction"),
        ("REQUIRED", "causal_part_number"),
        ("REQUIRED", "appraisal"),
        ("LABOR_HOURS_ABOVE_CATALOG", "labor[0].hours"),
    }
    error = _error(system.post(path + "/submit", CLERK_PD), 400, "CLAIM_NOT_VALID")
    assert "labor[0].hours" in error["fields"]

    _ok(
        _patch(
            system,
            path,
            CLERK_PD,
            json={
                "cause": "摩擦材料脱层",
                "correction": "更换前制动片",
                "causal_part_number": "5Q0698151B",
                "labor": [{"operation_code": "BRK-FPAD", "description": "更换前制动片",
                           "hours": "1.0", "amount": "120.00"}],
                "parts": [{"part_number": "5Q0698151B", "description": "前制动片（套）",
                           "quantity": "1", "unit_price": "520.00", "old_part_tag": "PD-OP-7"}],
            },
        )
    )  # fmt: skip
    _ok(
        system.post(
            path + "/appraisal", ADVISOR_PD, json={"finding": "材料缺陷", "warranty_fault": True}
        )
    )
    assert _ok(system.get(path + "/findings", CLERK_PD)) == {
        "claim_id": first["claim_id"],
        "ready": True,
        "findings": [],
    }
    sent = _ok(system.post(path + "/submit", CLERK_PD, headers={"Idempotency-Key": f"s1-{vin}"}))
    assert (sent["status"], sent["submission_count"], sent["claimed_amount"]) == (
        "submitted",
        1,
        "640.00",
    )
    replay = _ok(system.post(path + "/submit", CLERK_PD, headers={"Idempotency-Key": f"s1-{vin}"}))
    assert replay["submission_count"] == 1, "the retried submit was not sent twice"
    _error(system.post(path + "/submit", CLERK_PD), 409, "ILLEGAL_TRANSITION")
    _error(_patch(system, path, CLERK_PD, json={"cause": "x"}), 409, "ILLEGAL_TRANSITION")

    rejected = _decide(system, sent, "rejected", reason_code="R03", reason="缺少故障部件照片")
    assert (rejected["status"], rejected["reason_code"]) == ("rejected", "R03")
    _ok(_patch(system, path, CLERK_PD, json={"cause": "摩擦材料脱层（附照片）"}))
    resent = _ok(system.post(path + "/submit", CLERK_PD))
    assert resent["submission_count"] == 2
    approved = _decide(
        system, resent, "approved", old_parts=[{"line_no": 1, "instruction": "return"}]
    )
    assert approved["status"] == "approved"
    returned = _ok(system.post(path + "/old-parts/1", CLERK_PD, json={"action": "returned"}))
    assert returned["parts"][0]["old_part_status"] == "returned"
    _error(system.post(path + "/old-parts/one", CLERK_PD, json={"action": "returned"}), 404)

    oem_message(
        system.amqp_uri,
        "claim_payment",
        {
            "payment_id": f"cn-http-{vin[-6:]}",
            "oem_id": "oem-saic-vw",
            "dealer_code": PUDONG,
            "paid_on": today,
            "claims": [
                {"claim_id": first["claim_id"], "claim_number": first["claim_number"],
                 "amount": "640.00"}
            ],
            "total": "640.00",
        },
        GROUP_ID,
        PUDONG,
    )  # fmt: skip
    paid = wait_for(
        lambda: (c := system.get(path, CLERK_PD).json())["status"] == "paid" and c, 15, "paid"
    )
    assert (paid["paid_amount"], paid["paid_on"]) == ("640.00", today)

    figures = _ok(
        system.get(
            "/api/v1/warranty-figures",
            CLERK_PD,
            params={"from": today, "to": today, "site_id": PUDONG},
        )
    )
    site = figures["sites"][PUDONG]
    assert site["claims_paid"] >= 1 and Decimal(site["paid_amount"]) >= Decimal("640.00")
    assert {"reason_code": "R03"}.items() <= site["rejections_by_reason"][0].items()
    error = _error(system.get("/api/v1/warranty-figures", CLERK_PD, params={"from": today}), 400)
    assert list(error["fields"]) == ["to"]


# ---------------------------------------------------------------- tenancy


def test_sites_headquarters_and_oems_see_only_theirs(system: System) -> None:
    _ok(_put(system, "/api/v1/warranty-terms", HQ, json=SVW_TERMS))
    draft = _draft(system, _new_car(system))
    ready = _ready(system, _new_car(system))
    sent = _ok(system.post(f"/api/v1/warranty-claims/{ready['claim_id']}/submit", CLERK_PD))
    for claim in (draft, sent):
        path = f"/api/v1/warranty-claims/{claim['claim_id']}"
        _error(system.get(path, CLERK_SZ), 404, "CLAIM_NOT_FOUND")
        _error(system.get(path, OTHER_HQ), 404, "CLAIM_NOT_FOUND")
        _error(system.get(path, OEM_GAC), 404, "CLAIM_NOT_FOUND")
        assert _ok(system.get(path, HQ))["claim_id"] == claim["claim_id"]
    _error(
        _patch(
            system, f"/api/v1/warranty-claims/{draft['claim_id']}", ADVISOR_PD, json={"cause": "x"}
        ),
        403,
        "ROLE_FORBIDDEN",
    )
    _error(
        system.get("/api/v1/warranty-claims", CLERK_SZ, params={"site_id": PUDONG}),
        403,
        "SITE_FORBIDDEN",
    )
    pudong = {c["claim_id"] for c in _ok(system.get("/api/v1/warranty-claims", CLERK_PD))["items"]}
    assert {draft["claim_id"], sent["claim_id"]} <= pudong
    suzhou = {c["claim_id"] for c in _ok(system.get("/api/v1/warranty-claims", CLERK_SZ))["items"]}
    assert not pudong & suzhou

    # The OEM: claims sent to it, without the dealer's workings; no drafts, nothing else.
    seen = _ok(system.get(f"/api/v1/warranty-claims/{sent['claim_id']}", OEM_SVW))
    assert seen["claim_number"] == sent["claim_number"] and "history" not in seen
    _error(system.get(f"/api/v1/warranty-claims/{draft['claim_id']}", OEM_SVW), 404)
    listed = _ok(system.get("/api/v1/warranty-claims", OEM_SVW))["items"]
    assert sent["claim_id"] in {c["claim_id"] for c in listed}
    assert all(c["oem_id"] == "oem-saic-vw" and c["submission_count"] > 0 for c in listed)
    assert _ok(system.get("/api/v1/warranty-claims", OEM_GAC))["items"] == []
    today = local_date(utcnow()).isoformat()
    for path, params in (
        ("/api/v1/warranty-figures", {"from": today, "to": today}),
        ("/api/v1/insurance-claims", {}),
        ("/api/v1/insurer-share", {"month": today[:7]}),
        ("/api/v1/recalls", {}),
        ("/api/v1/customers", {}),
    ):
        _error(system.get(path, OEM_SVW, params=params), 403, "ROLE_FORBIDDEN")
    _error(
        system.post(f"/api/v1/warranty-claims/{sent['claim_id']}/appeal", OEM_SVW,
                    json={"comments": "x"}),
        403,
    )  # fmt: skip


def test_bad_input_has_the_one_error_shape(system: System) -> None:
    error = _error(
        system.post(
            "/api/v1/warranty-claims",
            CLERK_PD,
            json={"site_id": PUDONG, "vin": "LSVAL618", "claim_type": "free",
                  "parts": [{"part_number": "X", "description": "x", "quantity": "0",
                             "unit_price": "1.005"}]},
        ),
        400,
        "VALIDATION_ERROR",
    )  # fmt: skip
    assert set(error["fields"]) == {"vin", "claim_type", "parts"}
    assert set(error["fields"]["parts"]["0"]) == {"quantity", "unit_price"}
    _error(
        system.post(
            "/api/v1/warranty-claims",
            CLERK_PD,
            data=b"{",
            headers={"Content-Type": "application/json"},
        ),
        400,
        "INVALID_JSON",
    )
    _error(
        system.post("/api/v1/warranty-claims", CLERK_SZ, json=_draft_body(PUDONG)),
        403,
        "SITE_FORBIDDEN",
    )
    _error(system.get("/api/v1/warranty-claims/wc-nope", CLERK_PD), 404, "CLAIM_NOT_FOUND")
    _error(system.get("/api/v1/warranty-claims", CLERK_PD, params={"status": "lost"}), 400)
    _error(system.get("/api/v1/warranty-claims"), 401, "TOKEN_MISSING")


def _draft_body(site_id: str) -> dict[str, Any]:
    return {"site_id": site_id, "vin": make_vin("LSVAL618SA899998")}


# ---------------------------------------------------------------- insurance claims


def test_an_insurance_claim_over_http_and_the_insurer_share(system: System) -> None:
    vin = make_vin(f"LSVAL618SA{next(_serials):06d}")
    opened = _ok(
        system.post(
            "/api/v1/insurance-claims",
            ACCIDENT_PD,
            json={"site_id": PUDONG, "vin": vin, "plate": "沪A·M8F35", "insurer": "中国人保财险",
                  "policy_number": "PDAA2026", "report_number": "RDAA2026",
                  "accident_date": local_date(utcnow()).isoformat()},
        ),
        201,
    )  # fmt: skip
    path = f"/api/v1/insurance-claims/{opened['insurance_claim_id']}"
    # Reception opens the accident RO: it is linked to this intake.
    reception_event(
        system.amqp_uri,
        "order_opened",
        {"order_id": f"ro-{vin[-6:]}", "order_number": f"PD-{vin[-6:]}", "order_type": "accident",
         "customer_id": "cus-pd-001", "vehicle_id": "veh-x", "vin": vin, "mileage": 20_000,
         "complaint": "追尾", "promised_at": None, "service_advisor_id": "acr.zhu.pd"},
        GROUP_ID, PUDONG,
    )  # fmt: skip
    linked = wait_for(
        lambda: (c := system.get(path, ACCIDENT_PD).json())["order_id"] and c, 15, "RO linked"
    )
    assert linked["order_number"] == f"PD-{vin[-6:]}"
    _error(system.post(path + "/submit", ACCIDENT_PD), 409, "ILLEGAL_TRANSITION")
    assessed = _ok(
        system.post(
            path + "/assessment",
            ACCIDENT_PD,
            json={"items": [
                {"kind": "part", "description": "前保险杠皮", "estimated_amount": "1680.00"},
                {"kind": "paint", "description": "前保险杠喷漆", "estimated_amount": "900.00"},
            ]},
        )
    )  # fmt: skip
    assert assessed["estimated_amount"] == "2580.00"
    approved = _ok(
        system.post(
            path + "/insurer-approval",
            ACCIDENT_PD,
            json={"items": [{"item_no": 1, "approved_amount": "1500.00"},
                            {"item_no": 2, "approved_amount": "900.00"}]},
        )
    )  # fmt: skip
    assert approved["approved_amount"] == "2400.00"
    error = _error(system.post(path + "/submit", ACCIDENT_PD), 400, "DOCUMENTS_MISSING")
    assert len(error["fields"]["documents"]) == 8
    for code in approved["missing_documents"]:
        _ok(_put(system, f"{path}/documents/{code}", ACCIDENT_PD, json={"received": True}))
    _error(
        _put(system, f"{path}/documents/selfie", ACCIDENT_PD, json={"received": True}),
        400,
        "UNKNOWN_DOCUMENT",
    )
    assert _ok(system.post(path + "/submit", ACCIDENT_PD))["status"] == "submitted"
    payment = {"amount": "2400.00", "paid_on": local_date(utcnow()).isoformat(), "reference": "P-1"}
    key = {"Idempotency-Key": f"pay-{vin}"}
    paid = _ok(system.post(path + "/payment", ACCIDENT_PD, json=payment, headers=key))
    assert _ok(system.post(path + "/payment", ACCIDENT_PD, json=payment, headers=key)) == paid
    assert (paid["status"], paid["paid_amount"]) == ("paid", "2400.00")
    _error(system.get(path, CLERK_SZ), 404, "INSURANCE_CLAIM_NOT_FOUND")
    _error(system.post(path + "/payment", ADVISOR_PD, json=payment), 403, "ROLE_FORBIDDEN")

    # Reception settles the RO: the repair counts for its insurer this month.
    month = f"{local_date(utcnow()):%Y-%m}"

    def counted() -> Any:
        share = system.get("/api/v1/insurer-share", HQ, params={"month": month}).json()
        rows = {r["insurer"]: r for r in share["total"]["insurers"]}
        return share if "中国人保财险" in rows else None

    reception_event(
        system.amqp_uri,
        "order_settled",
        {"order_id": f"ro-{vin[-6:]}", "order_number": f"PD-{vin[-6:]}", "order_type": "accident",
         "customer_id": "cus-pd-001", "vehicle_id": "veh-x", "vin": vin, "mileage": 20_000,
         "lines": [{"line_id": "1", "kind": "labor", "code": "BDY-PANEL", "description": "钣喷",
                    "quantity": "4.0", "amount": "2400.00", "payer": "insurance"}],
         "totals_by_payer": {"insurance": "2400.00"}, "discount_total": "0.00",
         "tax_total": "0.00", "total": "2400.00"},
        GROUP_ID, PUDONG,
    )  # fmt: skip
    share = wait_for(counted, 15, "the repair is counted for its insurer")
    assert share["month"] == month and PUDONG in share["sites"]
    _error(system.get("/api/v1/insurer-share", HQ, params={"month": "2026-13"}), 400)
    _error(
        system.get("/api/v1/insurer-share", CLERK_SZ, params={"month": month, "site_id": PUDONG}),
        403,
        "SITE_FORBIDDEN",
    )
    closing = _ok(
        system.post("/api/v1/insurance-claims", ACCIDENT_PD, json={"site_id": PUDONG, "vin": vin}),
        201,
    )
    closed = _ok(
        system.post(
            f"/api/v1/insurance-claims/{closing['insurance_claim_id']}/close",
            ACCIDENT_PD,
            json={"reason": "客户自行承担"},
        )
    )
    assert closed["status"] == "closed"


# ---------------------------------------------------------------- ETags, pages, periods


def test_a_stale_if_match_changes_no_warranty_claim(system: System) -> None:
    _ok(_put(system, "/api/v1/warranty-terms", HQ, json=SVW_TERMS))
    claim = _draft(system, _new_car(system))
    path = f"/api/v1/warranty-claims/{claim['claim_id']}"
    read = system.get(path, CLERK_PD)
    first = read.headers["ETag"]
    edited = _patch(system, path, CLERK_PD, json={"cause": "摩擦材料脱层"},
                    headers={"If-Match": first})  # fmt: skip
    assert _ok(edited)["cause"] == "摩擦材料脱层"
    second = edited.headers["ETag"]
    assert second != first and system.get(path, CLERK_PD).headers["ETag"] == second
    error = _error(
        _patch(system, path, CLERK_PD, json={"cause": "x"}, headers={"If-Match": first}),
        412,
        "PRECONDITION_FAILED",
    )
    assert "If-Match" in error["fields"]
    _error(
        system.post(
            path + "/withdraw", CLERK_PD, json={"reason": "x"}, headers={"If-Match": first}
        ),
        412,
    )
    assert _ok(system.get(path, CLERK_PD))["cause"] == "摩擦材料脱层", "nothing changed"
    # The ETag of a write's own answer is the one the next write sends.
    appraised = system.post(path + "/appraisal", CLERK_PD,
                            json={"finding": "材料缺陷", "warranty_fault": True},
                            headers={"If-Match": second})  # fmt: skip
    assert _ok(appraised)["appraisal"]["warranty_fault"] is True
    gone = system.post(path + "/withdraw", CLERK_PD, json={"reason": "客户自费"},
                       headers={"If-Match": appraised.headers["ETag"]})  # fmt: skip
    assert _ok(gone)["status"] == "withdrawn"


def test_a_stale_if_match_changes_no_insurance_claim(system: System) -> None:
    vin = make_vin(f"LSVAL618SA{next(_serials):06d}")
    opened = _ok(
        system.post("/api/v1/insurance-claims", ACCIDENT_PD, json={"site_id": PUDONG, "vin": vin}),
        201,
    )
    path = f"/api/v1/insurance-claims/{opened['insurance_claim_id']}"
    first = system.get(path, ACCIDENT_PD).headers["ETag"]
    edited = _patch(system, path, ACCIDENT_PD, json={"insurer": "中国平安"},
                    headers={"If-Match": first})  # fmt: skip
    assert _ok(edited)["insurer"] == "中国平安"
    _error(
        _patch(system, path, ACCIDENT_PD, json={"insurer": "中国人保财险"},
               headers={"If-Match": first}),
        412,
        "PRECONDITION_FAILED",
    )  # fmt: skip
    _error(
        _put(system, f"{path}/documents/policy", ACCIDENT_PD, json={"received": True},
             headers={"If-Match": first}),
        412,
    )  # fmt: skip
    now = _ok(system.get(path, ACCIDENT_PD))
    assert (now["insurer"], now["documents"]["policy"]) == ("中国平安", False), "nothing changed"
    ticked = _put(system, f"{path}/documents/policy", ACCIDENT_PD, json={"received": True},
                  headers={"If-Match": edited.headers["ETag"]})  # fmt: skip
    assert _ok(ticked)["documents"]["policy"] is True


def test_claim_lists_are_pages_with_filters(system: System) -> None:
    _ok(_put(system, "/api/v1/warranty-terms", HQ, json=SVW_TERMS))
    made = [_draft(system, _new_car(system))["claim_id"] for _ in range(3)]
    today = local_date(utcnow()).isoformat()
    params = {"site_id": PUDONG, "status": "draft", "from": today, "to": today, "limit": 2}
    first = _ok(system.get("/api/v1/warranty-claims", CLERK_PD, params=params))
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert [c["claim_id"] for c in first["items"]] == made[::-1][:2], "newest first"
    second = _ok(
        system.get("/api/v1/warranty-claims", CLERK_PD,
                   params={**params, "cursor": first["next_cursor"]})
    )  # fmt: skip
    assert second["items"][0]["claim_id"] == made[0]
    assert not {c["claim_id"] for c in first["items"]} & {c["claim_id"] for c in second["items"]}
    assert all(c["status"] == "draft" for c in first["items"] + second["items"])
    before = _ok(system.get("/api/v1/warranty-claims", CLERK_PD,
                            params={"from": "2020-01-01", "to": "2020-01-31"}))  # fmt: skip
    assert before == {"items": [], "next_cursor": None}
    _error(system.get("/api/v1/warranty-claims", CLERK_PD, params={"cursor": "nonsense"}), 400)
    _error(system.get("/api/v1/warranty-claims", CLERK_PD, params={"limit": "201"}), 400)
    error = _error(
        system.get(
            "/api/v1/insurance-claims", ACCIDENT_PD, params={"from": today, "to": "2020-01-01"}
        ),
        400,
    )
    assert list(error["fields"]) == ["to"]
    insurance = _ok(system.get("/api/v1/insurance-claims", ACCIDENT_PD, params={"limit": 1}))
    assert len(insurance["items"]) <= 1 and "next_cursor" in insurance
    recalls = _ok(system.get("/api/v1/recalls", CLERK_PD, params={"kind": "recall", "limit": 5}))
    assert set(recalls) == {"items", "next_cursor"}


def test_the_insurer_share_takes_a_period_or_a_month(system: System) -> None:
    today = local_date(utcnow())
    month = _ok(system.get("/api/v1/insurer-share", HQ, params={"month": f"{today:%Y-%m}"}))
    assert month["month"] == f"{today:%Y-%m}" and month["from"] == f"{today:%Y-%m}-01"
    period = _ok(
        system.get("/api/v1/insurer-share", HQ,
                   params={"from": month["from"], "to": month["to"]})
    )  # fmt: skip
    assert period["month"] is None
    assert (period["sites"], period["total"]) == (month["sites"], month["total"])
    _error(system.get("/api/v1/insurer-share", HQ), 400)
    _error(
        system.get("/api/v1/insurer-share", HQ,
                   params={"month": f"{today:%Y-%m}", "from": month["from"]}),
        400,
    )  # fmt: skip
