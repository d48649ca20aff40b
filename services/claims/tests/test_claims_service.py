"""ClaimsService on the real broker and PostgreSQL: every RPC and every handler.

One service runs for the module (starting one is the slow part); every test makes
its own vehicles and claims, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from kombu import Connection
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import create_engine, delete, func, select, update

from aftersales_claims.domain import local_date
from aftersales_claims.models import ClaimDecisionRow, WarrantyClaim
from aftersales_claims.service import ClaimsService
from aftersales_claims.testing import listening, oem_message, publish, reception_event
from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, utcnow
from aftersales_core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales_core.etag import IF_MATCH, etag_of
from aftersales_core.identifiers import make_vin
from aftersales_core.messaging import Subscription, event_exchange, oem_exchange
from aftersales_core.outbox import record
from aftersales_core.tables import outbox
from aftersales_core.tenancy import Tenant

G = "grp-claims-svc"
A, B = "site-a", "site-b"
OEM_ID = "oem-test-vw"
CLERK_A = Tenant("cl.a", G, (A,), ("claims_clerk",))
SA_A = Tenant("sa.a", G, (A,), ("service_advisor",))
CLERK_B = Tenant("cl.b", G, (B,), ("claims_clerk",))
ACCIDENT_A = Tenant("acr.a", G, (A,), ("accident_reception",))
HQ = Tenant("hq.g", G, (), ("hq_manager",))
OEM = Tenant("oem.vw", G, (A,), ("oem",), oem_id=OEM_ID)
OTHER_OEM = Tenant("oem.other", G, (A,), ("oem",), oem_id="oem-other")
OTHER_GROUP_CLERK = Tenant("cl.x", "grp-elsewhere", (A,), ("claims_clerk",))
SYSTEM = Tenant.system(G)

TERMS = {
    "brand": "上汽大众",
    "oem_id": OEM_ID,
    "years": 3,
    "km": 100_000,
    "first_maintenance_months": 6,
    "first_maintenance_km": 5_000,
    "first_maintenance_operations": ["MNT-FREE1"],
    "parts_months": 12,
    "parts_km": 10_000,
}
CATALOG = [
    {"code": "BRK-FPAD", "description": "更换前制动片", "standard_hours": "1.0", "models": []},
    {"code": "MNT-FREE1", "description": "首次免费保养", "standard_hours": "1.0", "models": []},
    {"code": "RCL-118", "description": "摆臂螺栓紧固", "standard_hours": "0.5", "models": []},
]

_serials = itertools.count(700_001)


def new_vin() -> str:
    return make_vin(f"LSVAL618SA{next(_serials):06d}")


@pytest.fixture(scope="module")
def claims(amqp_uri: str, make_database: Any) -> Iterator[dict[str, Any]]:
    """The claims service on a migrated database, loaded with terms and a catalog."""
    from nameko.runners import ServiceRunner
    from nameko.standalone.rpc import ClusterRpcProxy

    from aftersales_cli.processes import PROCESSES
    from aftersales_core.config import nameko_config
    from aftersales_core.messaging import declare_topology, subscriptions_of
    from aftersales_core.migrate import upgrade

    url = make_database("claims")
    upgrade(PROCESSES["claims"].migrations_dir(), url)
    config = nameko_config("claims")
    config.update({"AMQP_URI": amqp_uri, "DATABASE_URL": url, "REQUEUE_BASE_DELAY": 0.01})
    declare_topology(amqp_uri, subscriptions_of(ClaimsService))
    runner = ServiceRunner(config)
    runner.add_service(ClaimsService)
    runner.start()
    rpc_config = {"AMQP_URI": amqp_uri, "serializer": "json"}
    with ClusterRpcProxy(rpc_config, context_data=SYSTEM.to_context(), timeout=15) as rpc:
        loaded = rpc.claims.import_reference_data(
            {"group_id": G, "warranty_terms": [TERMS], "labor_operations": CATALOG}
        )
    assert loaded == {"warranty_terms": 1, "labor_operations": 3}
    engine = create_engine(url)
    yield {
        "container": runner.service_map["claims"],
        "engine": engine,
        "amqp_uri": amqp_uri,
    }
    engine.dispose()
    with contextlib.suppress(Exception):
        runner.stop()


def _wait(claims: dict[str, Any], handler: str) -> Any:
    return entrypoint_waiter(claims["container"], handler, timeout=20)


def register(claims: dict[str, Any], vin: str, sale_date: str = "2025-03-18", **extra: Any) -> None:
    payload = {
        "vehicle_id": f"veh-{vin[-6:]}",
        "customer_id": "cus-1",
        "vin": vin,
        "plate": "沪A·12345",
        "brand": "上汽大众",
        "model": "朗逸",
        "sale_date": sale_date,
        "mileage": 10_200,
        **extra,
    }
    with _wait(claims, "on_vehicle_registered"):
        reception_event(claims["amqp_uri"], "vehicle_registered", payload, G, A)


def opened(claims: dict[str, Any], order_id: str, vin: str, **extra: Any) -> Envelope:
    payload = {
        "order_id": order_id,
        "order_number": f"A-{order_id}",
        "order_type": "repair",
        "customer_id": "cus-1",
        "vehicle_id": f"veh-{vin[-6:]}",
        "vin": vin,
        "mileage": 10_230,
        "complaint": "踩刹车时前轮有吱吱声",
        "promised_at": None,
        "service_advisor_id": "sa.a",
        **extra,
    }
    with _wait(claims, "on_order_opened"):
        return reception_event(claims["amqp_uri"], "order_opened", payload, G, A)


def settled(claims: dict[str, Any], order_id: str, vin: str, **extra: Any) -> Envelope:
    payload = {
        "order_id": order_id,
        "order_number": f"A-{order_id}",
        "order_type": "repair",
        "customer_id": "cus-1",
        "vehicle_id": f"veh-{vin[-6:]}",
        "vin": vin,
        "mileage": 10_230,
        "lines": [
            {"line_id": "ln-1", "kind": "labor", "code": "MNT-10K", "description": "保养",
             "quantity": "1.0", "amount": "180.00", "payer": "customer"},
            {"line_id": "ln-2", "kind": "labor", "code": "BRK-FPAD", "description": "更换前制动片",
             "quantity": "1.2", "amount": "144.00", "payer": "warranty"},
            {"line_id": "ln-3", "kind": "part", "code": "5Q0698151B", "description": "前制动片",
             "quantity": "1", "amount": "520.00", "payer": "warranty"},
            {"line_id": "ln-4", "kind": "sublet", "code": "TOW", "description": "拖车",
             "quantity": "1", "amount": "80.00", "payer": "warranty"},
        ],
        "totals_by_payer": {"customer": "180.00", "warranty": "744.00"},
        "discount_total": "0.00",
        "tax_total": "0.00",
        "total": "924.00",
        **extra,
    }  # fmt: skip
    with _wait(claims, "on_order_settled"):
        return reception_event(claims["amqp_uri"], "order_settled", payload, G, A)


def drafted(claims: dict[str, Any], vin: str) -> dict[str, Any]:
    """A vehicle, an RO opened and settled with warranty lines: its draft claim."""
    register(claims, vin)
    order_id = f"ro-{vin[-6:]}"
    opened(claims, order_id, vin)
    settled(claims, order_id, vin)
    return claims_of_order(order_id)[0]


def claims_of_order(order_id: str) -> list[dict[str, Any]]:
    return _RPC.claims.list_warranty_claims({"order_id": order_id})["items"]


_RPC: Any = None


@pytest.fixture(autouse=True)
def clerk_rpc(rpc: Any) -> Any:
    global _RPC
    _RPC = rpc(CLERK_A)
    return _RPC


COMPLETE = {
    "labor": [{"operation_code": "BRK-FPAD", "description": "更换前制动片", "hours": "1.0",
               "amount": "120.00"}],
    "cause": "前制动片摩擦材料脱层",
    "correction": "更换前制动片",
    "causal_part_number": "5Q0698151B",
    "complaint_code": "BRK-NOISE",
    "parts": [{"part_number": "5Q0698151B", "description": "前制动片", "quantity": "1",
               "unit_price": "520.00", "old_part_tag": "OP-1"}],
}  # fmt: skip


def ready(claims: dict[str, Any], vin: str) -> dict[str, Any]:
    """A draft claim completed and appraised: ready to submit."""
    claim = drafted(claims, vin)
    _RPC.claims.update_warranty_claim(claim["claim_id"], COMPLETE)
    return _RPC.claims.record_appraisal(
        claim["claim_id"], {"finding": "材料缺陷", "warranty_fault": True}
    )


@contextlib.contextmanager
def oem_inbox(amqp_uri: str) -> Iterator[Any]:
    with listening(amqp_uri, oem_exchange(), f"to-oem.{OEM_ID}.#", "test-claims-oem-inbox") as q:
        yield q


@contextlib.contextmanager
def claims_events(amqp_uri: str) -> Iterator[Any]:
    with listening(amqp_uri, event_exchange("claims"), "#", "test-claims-events") as q:
        yield q


def decide(claims: dict[str, Any], claim: dict[str, Any], outcome: str, **extra: Any) -> None:
    payload = {
        "claim_id": claim["claim_id"],
        "claim_number": claim["claim_number"],
        "oem_id": OEM_ID,
        "oem_claim_number": "SVW-" + claim["claim_number"],
        "submission_count": claim["submission_count"],
        "outcome": outcome,
        "approved_amount": "0.00",
        "reason_code": None,
        "reason": None,
        "old_parts": [],
        "decided_at": utcnow().isoformat(),
        **extra,
    }
    with _wait(claims, "on_claim_decision"):
        oem_message(claims["amqp_uri"], "claim_decision", payload, G, claim["site_id"])


def pay(claims: dict[str, Any], lines: list[tuple[dict[str, Any], str]], payment_id: str) -> None:
    payload = {
        "payment_id": payment_id,
        "oem_id": OEM_ID,
        "dealer_code": A,
        "paid_on": local_date(utcnow()).isoformat(),
        "claims": [
            {"claim_id": c["claim_id"], "claim_number": c["claim_number"], "amount": amount}
            for c, amount in lines
        ],
        "total": f"{sum(Decimal(amount) for _, amount in lines):.2f}",
    }
    with _wait(claims, "on_claim_payment"):
        oem_message(claims["amqp_uri"], "claim_payment", payload, G, A)


# ---------------------------------------------------------------- reference data


def test_reference_data_is_idempotent_and_terms_are_headquarters_business(
    claims: dict[str, Any], rpc: Any
) -> None:
    again = rpc(SYSTEM).claims.import_reference_data(
        {"group_id": G, "warranty_terms": [TERMS], "labor_operations": CATALOG}
    )
    assert again == {"warranty_terms": 0, "labor_operations": 0}
    with pytest.raises(Forbidden):
        rpc(HQ).claims.import_reference_data({"group_id": "grp-elsewhere"})
    with pytest.raises(Forbidden) as caught:
        rpc(CLERK_A).claims.set_warranty_terms({**TERMS, "model": "ID.4 X"})
    assert caught.value.code == "ROLE_FORBIDDEN"
    ev = rpc(HQ).claims.set_warranty_terms({**TERMS, "model": "ID.4 X", "years": 8, "km": 160_000})
    assert (ev["model"], ev["years"], ev["updated_by"]) == ("ID.4 X", 8, "hq.g")
    listed = rpc(CLERK_A).claims.list_warranty_terms()["items"]
    assert [(t["brand"], t["model"], t["years"]) for t in listed] == [
        ("上汽大众", "", 3),
        ("上汽大众", "ID.4 X", 8),
    ]
    with pytest.raises(ValidationFailed) as caught:
        rpc(HQ).claims.set_warranty_terms({**TERMS, "years": 0, "surprise": 1})
    assert set(caught.value.fields) == {"years", "surprise"}
    with pytest.raises(Forbidden):
        rpc(OEM).claims.list_warranty_terms()


def test_coverage_from_the_vehicle_learnt_from_reception(claims: dict[str, Any], rpc: Any) -> None:
    vin = new_vin()
    register(claims, vin, sale_date="2025-03-18")
    proxy = rpc(SA_A)
    covered = proxy.claims.check_coverage(
        {"vin": vin, "mileage": 10_230, "repair_date": "2026-11-25"}
    )
    assert covered == {
        "vin": vin,
        "brand": "上汽大众",
        "model": "朗逸",
        "sale_date": "2025-03-18",
        "claim_type": "ordinary",
        "covered": True,
        "basis": "vehicle",
        "ends_on": "2028-03-17",
        "km_limit": 100_000,
        "findings": [],
    }
    late = proxy.claims.check_coverage({"vin": vin.lower(), "mileage": 100_001})
    assert not late["covered"]
    assert [f["code"] for f in late["findings"]] == ["WARRANTY_MILEAGE_EXCEEDED"]
    with pytest.raises(NotFound) as caught:
        proxy.claims.check_coverage({"vin": new_vin(), "mileage": 1})
    assert caught.value.code == "VEHICLE_NOT_FOUND"
    with pytest.raises(ValidationFailed) as caught:
        proxy.claims.check_coverage({"vin": "LSVAL618", "mileage": -1})
    assert set(caught.value.fields) == {"vin", "mileage"}


# ---------------------------------------------------------------- drafting from the RO


def test_a_settled_ro_drafts_one_claim_from_its_warranty_lines(claims: dict[str, Any]) -> None:
    vin = new_vin()
    register(claims, vin)
    order_id = f"ro-{vin[-6:]}"
    # Settled arrives before opened (separate queues give no order): still one draft.
    event = settled(claims, order_id, vin)
    [claim] = claims_of_order(order_id)
    assert claim["status"] == "draft" and claim["claim_type"] == "ordinary"
    assert claim["claim_number"].startswith(f"WC-{local_date(utcnow()):%Y%m%d}-")
    assert claim["complaint"] is None
    assert [(x["operation_code"], x["hours"], x["amount"]) for x in claim["labor"]] == [
        ("BRK-FPAD", "1.2", "144.00")
    ]
    assert [(x["part_number"], x["unit_price"], x["old_part_status"]) for x in claim["parts"]] == [
        ("5Q0698151B", "520.00", "kept")
    ]
    assert [(x["description"], x["amount"]) for x in claim["sublets"]] == [("拖车", "80.00")]
    assert claim["claimed_amount"] == "744.00"  # 144 + 520 + 80; the customer's line is not ours
    assert claim["history"][0]["action"] == "drafted" and claim["history"][0]["by"] == "system"

    opened(claims, order_id, vin)
    [claim] = claims_of_order(order_id)
    assert claim["complaint"] == "踩刹车时前轮有吱吱声"
    assert claim["history"][-1]["action"] == "order_opened"

    # The same settlement again (a new event id, e.g. re-sent): no second claim.
    again = Envelope("order_settled", G, A, event.payload)
    with _wait(claims, "on_order_settled"):
        publish(claims["amqp_uri"], event_exchange("reception"), "order_settled", again)
    assert len(claims_of_order(order_id)) == 1


def test_an_ro_without_warranty_lines_drafts_nothing(claims: dict[str, Any]) -> None:
    vin = new_vin()
    register(claims, vin)
    lines = [
        {"line_id": "ln-1", "kind": "labor", "code": "MNT-10K", "description": "保养",
         "quantity": "1.0", "amount": "180.00", "payer": "customer"}
    ]  # fmt: skip
    totals = {"customer": "180.00", "warranty": "0.00", "insurance": "0.00"}
    settled(claims, "ro-plain", vin, lines=lines, totals_by_payer=totals)
    assert claims_of_order("ro-plain") == []
    assert _RPC.claims.list_insurance_claims({"order_id": "ro-plain"})["items"] == []


def test_first_maintenance_is_recognised_from_its_labor_operation(claims: dict[str, Any]) -> None:
    vin = new_vin()
    register(
        claims,
        vin,
        sale_date=(local_date(utcnow()) - timedelta(days=100)).isoformat(),
        mileage=3_700,
    )
    lines = [
        {"line_id": "ln-1", "kind": "labor", "code": "MNT-FREE1", "description": "首保",
         "quantity": "1.0", "amount": "120.00", "payer": "warranty"},
        {"line_id": "ln-2", "kind": "part", "code": "04E115561H", "description": "机油滤清器",
         "quantity": "1", "amount": "48.00", "payer": "warranty"},
    ]  # fmt: skip
    order_id = f"ro-fm-{vin[-6:]}"
    settled(claims, order_id, vin, lines=lines, mileage=3_800, totals_by_payer={"warranty": "168"})
    [claim] = claims_of_order(order_id)
    assert claim["claim_type"] == "first_maintenance"
    found = _RPC.claims.validate_warranty_claim(claim["claim_id"])
    assert found == {"claim_id": claim["claim_id"], "ready": True, "findings": []}


def test_check_in_and_delivery_readings_feed_the_mileage_check(claims: dict[str, Any]) -> None:
    claim = ready(claims, vin := new_vin())
    assert _RPC.claims.validate_warranty_claim(claim["claim_id"])["ready"] is True
    base = {"customer_id": "cus-1", "vehicle_id": f"veh-{vin[-6:]}", "vin": vin}
    with _wait(claims, "on_vehicle_delivered"):
        reception_event(
            claims["amqp_uri"],
            "vehicle_delivered",
            {**base, "order_id": "ro-x", "order_number": "A-x", "order_type": "repair",
             "plate": None, "mileage": 10_236, "complaint": "异响",
             "delivered_at": utcnow().isoformat(), "next_service_date": None,
             "next_service_mileage": None, "service_advisor_id": "sa.a"},
            G, A,
        )  # fmt: skip
    assert _RPC.claims.validate_warranty_claim(claim["claim_id"])["ready"] is True
    with _wait(claims, "on_vehicle_checked_in"):
        reception_event(
            claims["amqp_uri"],
            "vehicle_checked_in",
            {**base, "check_in_id": "chk-x", "appointment_id": None, "mileage": 10_900,
             "complaint": "异响", "checked_in_by": "sa.a"},
            G, A,
        )  # fmt: skip
    found = _RPC.claims.validate_warranty_claim(claim["claim_id"])
    assert [(f["code"], f["field"]) for f in found["findings"]] == [
        ("MILEAGE_DIFFERS_FROM_VISIT", "mileage")
    ]
    assert "10900 km" in found["findings"][0]["message"]


# ---------------------------------------------------------------- findings and submission


def test_findings_list_everything_and_block_the_submission(claims: dict[str, Any]) -> None:
    claim = drafted(claims, new_vin())
    found = _RPC.claims.validate_warranty_claim(claim["claim_id"])
    assert not found["ready"]
    assert sorted((f["code"], f["field"]) for f in found["findings"]) == [
        ("LABOR_HOURS_ABOVE_CATALOG", "labor[0].hours"),  # 1.2 h against the catalog's 1.0
        ("OLD_PART_TAG_MISSING", "parts[0].old_part_tag"),
        ("REQUIRED", "appraisal"),
        ("REQUIRED", "causal_part_number"),
        ("REQUIRED", "cause"),
        ("REQUIRED", "correction"),
    ]
    with pytest.raises(ValidationFailed) as caught:
        _RPC.claims.submit_warranty_claim(claim["claim_id"])
    assert caught.value.code == "CLAIM_NOT_VALID"
    assert set(caught.value.fields) == {f["field"] for f in found["findings"]}
    after = _RPC.claims.get_warranty_claim(claim["claim_id"])
    assert after["status"] == "draft" and after["submission_count"] == 0, "nothing half-written"


def test_submit_sends_the_claim_to_its_oem_and_announces_it(claims: dict[str, Any]) -> None:
    vin = new_vin()
    claim = ready(claims, vin)
    assert claim["claimed_amount"] == "720.00"  # 120 labor + 520 part + 80 sublet
    assert claim["appraisal"]["by"] == "cl.a"
    with oem_inbox(claims["amqp_uri"]) as oem, claims_events(claims["amqp_uri"]) as events:
        sent = _RPC.claims.submit_warranty_claim(claim["claim_id"])
        message = oem.of_type("warranty_claim", claim_id=claim["claim_id"])
        announced = events.of_type("claim_submitted", claim_id=claim["claim_id"])
    assert sent["status"] == "submitted" and sent["submission_count"] == 1
    assert sent["oem_id"] == OEM_ID and sent["sale_date"] == "2025-03-18"
    assert sent["first_submitted_at"] == sent["last_submitted_at"]
    assert [s["submission_count"] for s in sent["submissions"]] == [1]
    payload = validate_payload("warranty_claim", message["payload"])
    assert message["group_id"] == G and message["site_id"] == A
    assert message["correlation_id"] == claim["claim_id"]
    assert payload["dealer_code"] == A and payload["vin"] == vin
    assert payload["submission_count"] == 1 and payload["appeal"] is False
    assert payload["causal_part_number"] == "5Q0698151B"
    assert payload["labor"] == [
        {"line_no": 1, "operation_code": "BRK-FPAD", "description": "更换前制动片",
         "hours": "1.0", "amount": "120.00"}
    ]  # fmt: skip
    assert payload["parts"][0]["old_part_tag"] == "OP-1"
    assert payload["claimed_amount"] == "720.00" and payload["currency"] == "CNY"
    assert payload["appraisal"] == "材料缺陷"
    validate_payload("claim_submitted", announced["payload"])
    assert announced["payload"]["submitted_by"] == "cl.a"
    assert announced["payload"]["claimed_amount"] == "720.00"
    with pytest.raises(Conflict) as caught:
        _RPC.claims.submit_warranty_claim(claim["claim_id"])
    assert caught.value.code == "ILLEGAL_TRANSITION"
    with pytest.raises(Conflict):
        _RPC.claims.update_warranty_claim(claim["claim_id"], {"cause": "x"})


def test_rejected_corrected_resubmitted_approved_paid(claims: dict[str, Any]) -> None:
    claim = ready(claims, new_vin())
    cid = claim["claim_id"]
    with claims_events(claims["amqp_uri"]) as events:
        claim = _RPC.claims.submit_warranty_claim(cid)
        decide(claims, claim, "rejected", reason_code="R03", reason="缺少故障照片")
        rejected = _RPC.claims.get_warranty_claim(cid)
        assert (rejected["status"], rejected["reason_code"]) == ("rejected", "R03")
        decided = events.of_type("claim_decided", claim_id=cid)
        assert decided["payload"]["outcome"] == "rejected"
        assert decided["payload"]["first_pass"] is False
        assert decided["payload"]["approved_amount"] == "0.00"

        corrected = _RPC.claims.update_warranty_claim(
            cid, {"cause": "前制动片摩擦材料脱层（附照片）"}
        )
        assert corrected["status"] == "rejected"
        assert corrected["history"][-1]["action"] == "corrected"
        claim = _RPC.claims.submit_warranty_claim(cid)
        assert (claim["status"], claim["submission_count"]) == ("submitted", 2)
        decide(claims, claim, "approved", approved_amount="720.00")
        approved = _RPC.claims.get_warranty_claim(cid)
        assert (approved["status"], approved["approved_amount"]) == ("approved", "720.00")
        assert approved["oem_claim_number"] == "SVW-" + claim["claim_number"]

        pay(claims, [(approved, "720.00")], "cn-svc-1")
        paid = _RPC.claims.get_warranty_claim(cid)
        announced = events.of_type("claim_paid", claim_id=cid)
    assert (paid["status"], paid["paid_amount"], paid["payment_reference"]) == (
        "paid",
        "720.00",
        "cn-svc-1",
    )
    assert validate_payload("claim_paid", announced["payload"])["days_to_payment"] == 0
    assert [h["action"] for h in paid["history"]] == [
        "drafted",
        "edited",
        "appraised",
        "submitted",
        "decided",
        "corrected",
        "submitted",
        "decided",
        "paid",
    ]
    assert [(d["submission_count"], d["outcome"]) for d in paid["decisions"]] == [
        (1, "rejected"),
        (2, "approved"),
    ]
    today = local_date(utcnow()).isoformat()
    figures = _RPC.claims.warranty_figures({"from": today, "to": today, "site_id": A})
    assert figures["sites"][A]["claims_paid"] >= 1


def test_partial_approval_appeal_and_old_part_instructions(claims: dict[str, Any]) -> None:
    claim = _RPC.claims.submit_warranty_claim(ready(claims, new_vin())["claim_id"])
    decide(
        claims,
        claim,
        "partly_approved",
        approved_amount="600.00",
        reason_code="D12",
        reason="配件按索赔价结算",
        old_parts=[{"line_no": 1, "instruction": "return"}],
    )
    partial = _RPC.claims.get_warranty_claim(claim["claim_id"])
    assert (partial["status"], partial["approved_amount"]) == ("partly_approved", "600.00")
    assert partial["parts"][0]["old_part_status"] == "to_return"
    with pytest.raises(ValidationFailed) as caught:
        _RPC.claims.record_old_part(claim["claim_id"], 1, {"action": "scrapped"})
    assert caught.value.code == "OLD_PART_NOT_INSTRUCTED"
    with pytest.raises(NotFound):
        _RPC.claims.record_old_part(claim["claim_id"], 9, {"action": "returned"})
    returned = _RPC.claims.record_old_part(claim["claim_id"], 1, {"action": "returned"})
    assert returned["parts"][0]["old_part_status"] == "returned"

    with oem_inbox(claims["amqp_uri"]) as oem:
        appealed = _RPC.claims.appeal_warranty_claim(
            claim["claim_id"], {"comments": "配件价格为厂家指导价，请复核"}
        )
        message = oem.of_type("warranty_claim", claim_id=claim["claim_id"])
    assert (appealed["status"], appealed["submission_count"], appealed["appeal"]) == (
        "appealed",
        2,
        True,
    )
    assert message["payload"]["appeal"] is True
    assert message["payload"]["appeal_comments"] == "配件价格为厂家指导价，请复核"
    assert message["payload"]["oem_claim_number"] == "SVW-" + claim["claim_number"]
    decide(claims, appealed, "approved")
    assert _RPC.claims.get_warranty_claim(claim["claim_id"])["approved_amount"] == "720.00"


def test_stale_foreign_and_malformed_oem_messages(claims: dict[str, Any], amqp_uri: str) -> None:
    claim = _RPC.claims.submit_warranty_claim(ready(claims, new_vin())["claim_id"])
    # A decision for a submission that is not the current one is kept but not applied.
    decide(claims, {**claim, "submission_count": 7}, "approved")
    current = _RPC.claims.get_warranty_claim(claim["claim_id"])
    assert current["status"] == "submitted"
    assert current["decisions"][0]["applied"] is False
    assert current["history"][-1]["action"] == "decision_ignored"
    with claims["engine"].connect() as conn:
        rows = conn.execute(
            select(func.count())
            .select_from(ClaimDecisionRow)
            .where(ClaimDecisionRow.claim_id == claim["claim_id"])
        ).scalar_one()
    assert rows == 1

    # Another OEM may not decide this claim; a rejection without a reason code is not a
    # decision: both go to the dead-letter queue for someone to look at.
    sub = Subscription("claims", "oem", "claim_decision")
    decide(claims, claim, "approved", oem_id="oem-other")
    decide(claims, claim, "rejected")
    dlq = sub.queue_name + ".dlq"
    deadline = utcnow() + timedelta(seconds=30)
    depth = 0
    while utcnow() < deadline:
        with Connection(amqp_uri) as conn:
            depth = conn.default_channel.queue_declare(dlq, passive=True).message_count
        if depth >= 2:
            break
        time.sleep(0.2)
    assert depth >= 2
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        dead = [json.loads(channel.basic_get(dlq, no_ack=True).body) for _ in range(depth)]
    assert {d["payload"]["claim_id"] for d in dead} == {claim["claim_id"]}
    assert _RPC.claims.get_warranty_claim(claim["claim_id"])["status"] == "submitted"


def test_payments_only_pay_approved_claims(claims: dict[str, Any]) -> None:
    claim = _RPC.claims.submit_warranty_claim(ready(claims, new_vin())["claim_id"])
    pay(claims, [(claim, "720.00")], "cn-too-early")
    early = _RPC.claims.get_warranty_claim(claim["claim_id"])
    assert early["status"] == "submitted" and early["paid_amount"] is None
    assert early["history"][-1]["action"] == "payment_unexpected"
    decide(claims, claim, "approved")
    pay(claims, [(claim, "710.00")], "cn-short")  # 10.00 short of what was approved
    short = _RPC.claims.get_warranty_claim(claim["claim_id"])
    assert short["status"] == "approved" and short["paid_amount"] is None
    assert short["history"][-1]["action"] == "payment_mismatch"
    pay(
        claims,
        [(claim, "720.00"), ({"claim_id": "wc-nobody", "claim_number": "X"}, "1.00")],
        "cn-2",
    )
    assert _RPC.claims.get_warranty_claim(claim["claim_id"])["status"] == "paid"


def test_withdraw_and_illegal_moves(claims: dict[str, Any]) -> None:
    claim = drafted(claims, new_vin())
    with pytest.raises(ValidationFailed):
        _RPC.claims.withdraw_warranty_claim(claim["claim_id"], {})
    gone = _RPC.claims.withdraw_warranty_claim(claim["claim_id"], {"reason": "客户自费"})
    assert gone["status"] == "withdrawn"
    with pytest.raises(Conflict):
        _RPC.claims.submit_warranty_claim(claim["claim_id"])
    with pytest.raises(Conflict):
        _RPC.claims.appeal_warranty_claim(claim["claim_id"], {"comments": "x"})


def test_a_manual_claim_and_bad_input(claims: dict[str, Any]) -> None:
    vin = new_vin()
    register(claims, vin)
    made = _RPC.claims.draft_warranty_claim(
        {
            "site_id": A,
            "vin": vin.lower(),
            "claim_type": "goodwill",
            "mileage": 10_230,
            "repair_opened_on": local_date(utcnow()).isoformat(),
            "repair_completed_on": local_date(utcnow()).isoformat(),
            "complaint": "异响",
            **COMPLETE,
        }
    )
    assert made["vin"] == vin and made["claim_type"] == "goodwill" and made["order_id"] is None
    assert made["claimed_amount"] == "640.00"
    with pytest.raises(ValidationFailed) as caught:
        _RPC.claims.draft_warranty_claim(
            {
                "site_id": A,
                "vin": vin,
                "claim_type": "free",
                "labor": [{"operation_code": "X", "description": "x", "hours": "0.25",
                           "amount": "1.001"}],
            }
        )  # fmt: skip
    assert set(caught.value.fields) == {"claim_type", "labor"}
    assert set(caught.value.fields["labor"]["0"]) == {"hours", "amount"}
    with pytest.raises(ValidationFailed) as caught:
        _RPC.claims.update_warranty_claim(made["claim_id"], {})
    assert list(caught.value.fields) == ["_schema"]


# ---------------------------------------------------------------- tenancy


def test_sites_hq_and_oems_see_what_is_theirs(claims: dict[str, Any], rpc: Any) -> None:
    draft = drafted(claims, new_vin())
    sent = _RPC.claims.submit_warranty_claim(ready(claims, new_vin())["claim_id"])
    for tenant in (CLERK_B, OTHER_GROUP_CLERK, OTHER_OEM):
        with pytest.raises(NotFound) as caught:
            rpc(tenant).claims.get_warranty_claim(sent["claim_id"])
        assert caught.value.code == "CLAIM_NOT_FOUND"
    with pytest.raises(NotFound):
        rpc(CLERK_B).claims.update_warranty_claim(draft["claim_id"], {"cause": "x"})
    assert sent["claim_id"] not in {
        c["claim_id"] for c in rpc(CLERK_B).claims.list_warranty_claims()["items"]
    }
    assert rpc(HQ).claims.get_warranty_claim(sent["claim_id"])["status"] == "submitted"
    with pytest.raises(Forbidden):
        rpc(HQ).claims.update_warranty_claim(draft["claim_id"], {"cause": "x"})
    with pytest.raises(Forbidden) as caught:
        rpc(SA_A).claims.submit_warranty_claim(draft["claim_id"])
    assert caught.value.code == "ROLE_FORBIDDEN"

    # The OEM sees the claims sent to it (not drafts, not the dealer's workings).
    oem = rpc(OEM).claims
    seen = oem.get_warranty_claim(sent["claim_id"])
    assert seen["claim_number"] == sent["claim_number"]
    assert "history" not in seen and "appraisal" not in seen
    with pytest.raises(NotFound):
        oem.get_warranty_claim(draft["claim_id"])
    listed = oem.list_warranty_claims()["items"]
    assert listed and all(c["oem_id"] == OEM_ID and c["submission_count"] > 0 for c in listed)
    assert draft["claim_id"] not in {c["claim_id"] for c in listed}
    assert rpc(OTHER_OEM).claims.list_warranty_claims()["items"] == []
    with pytest.raises(Forbidden):
        oem.update_warranty_claim(sent["claim_id"], {"cause": "x"})
    for call in (
        lambda: oem.warranty_figures({"from": "2026-01-01", "to": "2026-12-31"}),
        lambda: oem.list_insurance_claims(),
        lambda: oem.check_coverage({"vin": sent["vin"], "mileage": 1}),
        lambda: oem.list_recalls(),
    ):
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Forbidden):
        rpc(CLERK_B).claims.warranty_figures(
            {"from": "2026-01-01", "to": "2026-12-31", "site_id": A}
        )


# ---------------------------------------------------------------- figures


def test_figures_count_the_period_per_site(claims: dict[str, Any], rpc: Any) -> None:
    """Claims first submitted in the period; moved back a year so no other test's count."""
    one = _RPC.claims.submit_warranty_claim(ready(claims, new_vin())["claim_id"])
    two = _RPC.claims.submit_warranty_claim(ready(claims, new_vin())["claim_id"])
    decide(claims, one, "rejected", reason_code="R03")
    decide(claims, two, "partly_approved", approved_amount="700.00", reason_code="D12")
    pay(claims, [(two, "700.00")], "cn-fig")
    back = timedelta(days=365)
    with claims["engine"].begin() as conn:
        for cid in (one["claim_id"], two["claim_id"]):
            conn.execute(
                update(WarrantyClaim)
                .where(WarrantyClaim.claim_id == cid)
                .values(first_submitted_at=WarrantyClaim.first_submitted_at - back)
            )
    day = local_date(utcnow() - back).isoformat()
    figures = rpc(HQ).claims.warranty_figures({"from": day, "to": day})
    assert list(figures["sites"]) == [A]
    total = figures["total"]
    assert total["claims_submitted"] == 2
    assert (total["first_pass_approved"], total["first_pass_approval_rate"]) == (1, "0.5000")
    assert total["rejections_by_reason"] == [{"reason_code": "R03", "count": 1, "rate": "0.5000"}]
    assert total["claimed_amount"] == "1440.00" and total["paid_amount"] == "700.00"
    assert total["average_days_to_payment"] == "365.0"
    with pytest.raises(ValidationFailed) as caught:
        rpc(HQ).claims.warranty_figures({"from": "2026-02-01", "to": "2026-01-01"})
    assert list(caught.value.fields) == ["to"]


# ---------------------------------------------------------------- recalls


def test_a_recall_notice_is_kept_announced_once_and_drives_campaign_claims(
    claims: dict[str, Any],
) -> None:
    vin = new_vin()
    register(claims, vin, sale_date="2016-01-01", mileage=149_900)  # long out of warranty
    today = local_date(utcnow())
    notice = {
        "recall_id": f"RC-{vin[-6:]}",
        "oem_id": OEM_ID,
        "kind": "recall",
        "title": "后悬架摆臂螺栓检查紧固",
        "description": "免费检查并紧固",
        "vins": [vin],
        "labor_operation_code": "RCL-118",
        "part_numbers": [],
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": None,
    }
    with claims_events(claims["amqp_uri"]) as events:
        with _wait(claims, "on_recall_notice"):
            oem_message(claims["amqp_uri"], "recall_notice", notice, G, None)
        announced = events.of_type("recall_announced", recall_id=notice["recall_id"])
        with _wait(claims, "on_recall_notice"):
            oem_message(claims["amqp_uri"], "recall_notice", notice, G, None)
        assert validate_payload("recall_announced", announced["payload"])["vins"] == [vin]
        assert announced["group_id"] == G
        time.sleep(1.5)
        assert not [e for e in events.drain() if e["type"] == "recall_announced"], "announced twice"
        # A changed notice (one more VIN) is kept and announced again.
        other_vin = new_vin()
        with _wait(claims, "on_recall_notice"):
            oem_message(
                claims["amqp_uri"], "recall_notice", {**notice, "vins": [vin, other_vin]}, G, None
            )
        again = events.of_type("recall_announced", recall_id=notice["recall_id"])
        assert sorted(again["payload"]["vins"]) == sorted([vin, other_vin])
    assert [r["recall_id"] for r in _RPC.claims.list_recalls({"vin": vin})["items"]] == [
        notice["recall_id"]
    ]
    assert [r["recall_id"] for r in _RPC.claims.list_recalls({"vin": other_vin})["items"]] == [
        notice["recall_id"]
    ]
    assert _RPC.claims.list_recalls({"vin": new_vin()})["items"] == []

    lines = [
        {"line_id": "ln-1", "kind": "labor", "code": "RCL-118", "description": "摆臂螺栓紧固",
         "quantity": "0.5", "amount": "60.00", "payer": "warranty"}
    ]  # fmt: skip
    order_id = f"ro-rc-{vin[-6:]}"
    opened(claims, order_id, vin, mileage=150_000)
    settled(claims, order_id, vin, lines=lines, mileage=150_000, totals_by_payer={"warranty": "60"})
    [claim] = claims_of_order(order_id)
    assert (claim["claim_type"], claim["recall_id"]) == ("campaign", notice["recall_id"])
    _RPC.claims.update_warranty_claim(
        claim["claim_id"], {"cause": "螺栓扭矩不足", "correction": "紧固"}
    )
    assert _RPC.claims.validate_warranty_claim(claim["claim_id"])["findings"] == []
    sent = _RPC.claims.submit_warranty_claim(claim["claim_id"])
    assert sent["oem_id"] == OEM_ID


# ---------------------------------------------------------------- insurance claims


def test_insurance_claim_from_intake_to_payment(claims: dict[str, Any], rpc: Any) -> None:
    vin = new_vin()
    acr = rpc(ACCIDENT_A).claims
    with claims_events(claims["amqp_uri"]) as events:
        claim = acr.open_insurance_claim(
            {
                "site_id": A,
                "vin": vin,
                "plate": "沪A·M8F35",
                "insurer": "中国人保财险",
                "policy_number": "PDAA2026310100001",
                "report_number": "RDAA2026310100009",
                "accident_date": local_date(utcnow()).isoformat(),
                "accident_description": "追尾，前保险杠受损",
                "rescue": True,
            }
        )
        opened_event = events.of_type("insurance_claim_opened", vin=vin)
        assert validate_payload("insurance_claim_opened", opened_event["payload"])
        assert opened_event["payload"]["opened_by"] == "acr.a"
        icid = claim["insurance_claim_id"]
        assert claim["status"] == "intake" and claim["claim_number"].startswith("IC-")
        assert claim["missing_documents"] == [
            "policy", "vehicle_licence", "driving_licence", "accident_report",
            "assessment_sheet", "repair_invoice", "owner_id", "payment_authorisation",
        ]  # fmt: skip

        assessed = acr.assess_damage(
            icid,
            {
                "assessor": "人保定损员 刘工",
                "items": [
                    {"kind": "part", "description": "前保险杠皮", "part_number": "5QD807221",
                     "estimated_amount": "1680.00"},
                    {"kind": "paint", "description": "前保险杠喷漆", "estimated_amount": "900.00"},
                    {"kind": "labor", "description": "拆装前保险杠", "quantity": "1.5",
                     "estimated_amount": "300.00"},
                ],
            },
        )  # fmt: skip
        assert (assessed["status"], assessed["estimated_amount"]) == ("assessed", "2880.00")
        assert [i["item_no"] for i in assessed["items"]] == [1, 2, 3]
        with pytest.raises(ValidationFailed) as caught:
            acr.record_insurer_approval(icid, {"items": [{"item_no": 1, "approved_amount": "1"}]})
        assert caught.value.code == "APPROVAL_INCOMPLETE"
        approved = acr.record_insurer_approval(
            icid,
            {
                "items": [
                    {"item_no": 1, "approved_amount": "1500.00"},
                    {"item_no": 2, "approved_amount": "900.00"},
                    {"item_no": 3, "approved_amount": "280.00"},
                ]
            },
        )
        assert (approved["status"], approved["approved_amount"]) == ("approved", "2680.00")
        with pytest.raises(ValidationFailed) as caught:
            acr.submit_insurance_claim(icid)
        assert caught.value.code == "DOCUMENTS_MISSING"
        assert len(caught.value.fields["documents"]) == 8
        for code in approved["missing_documents"]:
            acr.record_insurance_document(icid, code, {"received": True})
        with pytest.raises(ValidationFailed) as caught:
            acr.record_insurance_document(icid, "selfie", {"received": True})
        assert caught.value.code == "UNKNOWN_DOCUMENT"
        submitted = acr.submit_insurance_claim(icid)
        assert submitted["status"] == "submitted" and submitted["missing_documents"] == []
        with pytest.raises(Conflict):
            acr.update_insurance_claim(icid, {"insurer": "中国平安"})
        paid = acr.record_insurance_payment(
            icid, {"amount": "2680.00", "paid_on": local_date(utcnow()).isoformat(),
                   "reference": "PICC-PAY-1"}
        )  # fmt: skip
        settled_event = events.of_type("insurance_claim_settled", insurance_claim_id=icid)
    assert (paid["status"], paid["paid_amount"]) == ("paid", "2680.00")
    assert (
        validate_payload("insurance_claim_settled", settled_event["payload"])["insurer"]
        == "中国人保财险"
    )
    assert [h["action"] for h in paid["history"]][:3] == ["opened", "assessed", "insurer_approved"]
    assert paid["history"][-1]["action"] == "paid"
    with pytest.raises(NotFound):
        rpc(CLERK_B).claims.get_insurance_claim(icid)
    with pytest.raises(Forbidden):
        rpc(SA_A).claims.assess_damage(icid, {"items": []})


def test_accident_ros_link_their_intake_and_make_the_insurer_share(
    claims: dict[str, Any], rpc: Any
) -> None:
    acr = rpc(ACCIDENT_A).claims
    vin_1, vin_2 = new_vin(), new_vin()
    intake = acr.open_insurance_claim({"site_id": A, "vin": vin_1, "insurer": "中国平安"})
    opened(claims, "ro-acc-1", vin_1, order_type="accident")
    opened(claims, "ro-acc-2", vin_2, order_type="accident")  # no intake: one is opened
    linked = acr.get_insurance_claim(intake["insurance_claim_id"])
    assert (linked["order_id"], linked["order_number"]) == ("ro-acc-1", "A-ro-acc-1")
    [made] = acr.list_insurance_claims({"order_id": "ro-acc-2"})["items"]
    assert made["insurer"] is None and made["status"] == "intake" and made["created_by"] == "system"
    acr.update_insurance_claim(made["insurance_claim_id"], {"insurer": "中国人保财险"})
    lines = [
        {"line_id": "ln-1", "kind": "labor", "code": "BDY-PANEL", "description": "钣金喷漆",
         "quantity": "4.0", "amount": "800.00", "payer": "insurance"}
    ]  # fmt: skip
    for order_id, vin, amount in (("ro-acc-1", vin_1, "3000.00"), ("ro-acc-2", vin_2, "1000.00")):
        settled(
            claims, order_id, vin, order_type="accident", lines=lines,
            totals_by_payer={"insurance": amount},
        )  # fmt: skip
    month = f"{local_date(utcnow()):%Y-%m}"
    share = rpc(HQ).claims.insurer_share({"month": month, "site_id": A})
    rows = {r["insurer"]: r for r in share["sites"][A]["insurers"]}
    assert rows["中国平安"]["amount"] == "3000.00" and rows["中国人保财险"]["amount"] == "1000.00"
    assert share["total"]["repairs"] == sum(r["repairs"] for r in rows.values())
    with pytest.raises(ValidationFailed):
        rpc(HQ).claims.insurer_share({"month": "2026-13"})


# ---------------------------------------------------------------- health


def test_health_reports_the_database_and_the_outbox(claims: dict[str, Any], rpc: Any) -> None:
    proxy = rpc()  # no tenant needed

    def pending() -> int:
        return proxy.claims.health()["outbox_pending"]

    deadline = time.monotonic() + 20
    while pending() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proxy.claims.health() == {
        "service": "claims",
        "status": "up",
        "database": {"ok": True, "dialect": "postgresql"},
        "broker": {"ok": True},
        "outbox_pending": 0,
    }
    # An event whose next attempt is an hour away stays pending, and health counts it.
    envelope = Envelope("claim_probe", G, None, {})
    with claims["engine"].begin() as conn:
        record(conn, "claims", envelope, {})
        conn.execute(
            update(outbox)
            .where(outbox.c.event_id == envelope.event_id)
            .values(next_attempt_at=utcnow() + timedelta(hours=1))
        )
    try:
        assert pending() == 1
    finally:
        with claims["engine"].begin() as conn:
            conn.execute(delete(outbox).where(outbox.c.event_id == envelope.event_id))


# ---------------------------------------------------------------- optimistic locking


def test_a_write_with_a_stale_if_match_changes_nothing(claims: dict[str, Any], rpc: Any) -> None:
    from nameko.standalone.rpc import ClusterRpcProxy

    claim = drafted(claims, new_vin())
    current = etag_of(_RPC.claims.get_warranty_claim(claim["claim_id"]))

    def clerk(if_match: str) -> Any:
        context = {**CLERK_A.to_context(), IF_MATCH: if_match}
        config = {"AMQP_URI": claims["amqp_uri"], "serializer": "json"}
        return ClusterRpcProxy(config, context_data=context, timeout=15)

    with clerk('W/"0000"') as stale:
        with pytest.raises(PreconditionFailed) as caught:
            stale.claims.update_warranty_claim(claim["claim_id"], {"cause": "x"})
        assert caught.value.code == "PRECONDITION_FAILED"
        with pytest.raises(PreconditionFailed):
            stale.claims.withdraw_warranty_claim(claim["claim_id"], {"reason": "x"})
    unchanged = _RPC.claims.get_warranty_claim(claim["claim_id"])
    assert (unchanged["cause"], unchanged["status"]) == (None, "draft")
    with clerk(current) as fresh:
        edited = fresh.claims.update_warranty_claim(claim["claim_id"], {"cause": "脱层"})
    assert edited["cause"] == "脱层"
    assert etag_of(_RPC.claims.get_warranty_claim(claim["claim_id"])) == etag_of(edited)

    intake = rpc(ACCIDENT_A).claims.open_insurance_claim({"site_id": A, "vin": new_vin()})
    context = {**ACCIDENT_A.to_context(), IF_MATCH: 'W/"0000"'}
    config = {"AMQP_URI": claims["amqp_uri"], "serializer": "json"}
    with ClusterRpcProxy(config, context_data=context, timeout=15) as stale:
        with pytest.raises(PreconditionFailed):
            stale.claims.close_insurance_claim(intake["insurance_claim_id"], {"reason": "x"})
    assert rpc(ACCIDENT_A).claims.get_insurance_claim(intake["insurance_claim_id"])["status"] == (
        "intake"
    )


def test_a_claim_names_only_a_repair_order_of_its_own_site(
    claims: dict[str, Any], rpc: Any
) -> None:
    """Another site's (or group's) order number was accepted unchecked: the claim was
    tied to the wrong car and suppressed the real site's own claim."""
    vin = new_vin()
    register(claims, vin)
    opened(claims, "ro-site-a-1", vin)
    for tenant, site in ((CLERK_B, B), (OTHER_GROUP_CLERK, A)):
        with pytest.raises((ValidationFailed, Forbidden)) as caught:
            rpc(tenant).claims.draft_warranty_claim(
                {"site_id": site, "vin": vin, "order_id": "ro-site-a-1"}
            )
        if isinstance(caught.value, ValidationFailed):
            assert caught.value.code == "ORDER_NOT_FOUND" and "order_id" in caught.value.fields
    accident_b = Tenant("acr.b", G, (B,), ("accident_reception",))
    with pytest.raises(ValidationFailed) as caught:
        rpc(accident_b).claims.open_insurance_claim(
            {"site_id": B, "vin": vin, "order_id": "ro-site-a-1"}
        )
    assert caught.value.code == "ORDER_NOT_FOUND"
    with pytest.raises(ValidationFailed):
        rpc(ACCIDENT_A).claims.open_insurance_claim(
            {"site_id": A, "vin": vin, "order_id": "ro-never-opened"}
        )
    linked = rpc(ACCIDENT_A).claims.open_insurance_claim(
        {"site_id": A, "vin": vin, "order_id": "ro-site-a-1"}
    )
    assert linked["order_number"] == "A-ro-site-a-1"
