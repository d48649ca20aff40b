"""The warranty cycle end to end over the real broker, with the OEM simulator running as
a real process (a subprocess, speaking only the documented messages).

Two claims go to the OEM.  The first is rejected (R03: no photos of the failed part),
corrected, resubmitted, approved and paid; the second is partly approved (90 % of
1000.00) and paid.  The figures, by hand:

- first-pass approval: 1 of 2 claims approved on their first submission = 0.5000;
- decisions 3 (A twice, B once), rejections 1, all R03: 1/3 = 0.3333;
- claimed 720.00 + 1000.00 = 1720.00; approved and paid 720.00 + 900.00 = 1620.00;
  paid share 1620/1720 = 0.9419;
- days to payment: both credited the day they were first submitted, 0.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection

from aftersales_claims.domain import local_date
from aftersales_claims.service import ClaimsService
from aftersales_claims.testing import listening, reception_event
from aftersales_contracts import validate_payload
from aftersales_core.envelope import utcnow
from aftersales_core.identifiers import make_vin
from aftersales_core.messaging import event_exchange
from aftersales_core.tenancy import Tenant

G = "grp-oem-flow"
SITE = "site-flow"
OEM_ID = "oem-flow-vw"
CLERK = Tenant("cl.flow", G, (SITE,), ("claims_clerk",))
SYSTEM = Tenant.system(G)
QUEUE = "oem-simulator-claims-flow"

OEM_RULES = {
    "oem_ids": [OEM_ID],
    "warranty": {
        "old_parts": "return",
        "payment": {"enabled": True, "delay_seconds": 0.5},
        "rules": [
            {"when": {"causal_part_number": "5Q0698151B", "submission_count": 1},
             "decide": "reject", "reason_code": "R03", "reason": "缺少故障部件照片"},
            {"when": {"amount_over": "900.00"}, "decide": "partly_approve",
             "approve_share": "0.90", "reason_code": "D12", "reason": "配件按索赔结算价计"},
            {"decide": "approve"},
        ],
    },
}  # fmt: skip


def wait_until(predicate: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout} s")


@pytest.fixture(scope="module")
def system(amqp_uri: str, make_database: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """Claims in this process; the OEM simulator in its own."""
    from nameko.runners import ServiceRunner
    from nameko.standalone.rpc import ClusterRpcProxy

    from aftersales_cli.processes import PROCESSES
    from aftersales_core.config import nameko_config
    from aftersales_core.messaging import declare_topology, subscriptions_of
    from aftersales_core.migrate import upgrade

    url = make_database("claims")
    upgrade(PROCESSES["claims"].migrations_dir(), url)
    config = nameko_config("claims")
    config.update({"AMQP_URI": amqp_uri, "DATABASE_URL": url})
    declare_topology(amqp_uri, subscriptions_of(ClaimsService))
    runner = ServiceRunner(config)
    runner.add_service(ClaimsService)
    runner.start()

    tmp: Path = tmp_path_factory.mktemp("oem")
    (tmp / "rules.json").write_text(json.dumps(OEM_RULES), encoding="utf-8")
    oem = subprocess.Popen(
        [sys.executable, "-m", "aftersales_oem_simulator", "run", "--config",
         str(tmp / "rules.json"), "--amqp-uri", amqp_uri, "--state", str(tmp / "state.db"),
         "--queue", QUEUE],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    ready = threading.Event()
    threading.Thread(
        target=lambda: [ready.set() for line in oem.stdout if "ready" in line],  # type: ignore[union-attr]
        daemon=True,
    ).start()
    assert ready.wait(20), "the OEM simulator did not start"

    rpc_config = {"AMQP_URI": amqp_uri, "serializer": "json"}
    with ClusterRpcProxy(rpc_config, context_data=SYSTEM.to_context(), timeout=15) as rpc:
        rpc.claims.import_reference_data(
            {
                "group_id": G,
                "warranty_terms": [
                    {"brand": "上汽大众", "oem_id": OEM_ID, "years": 3, "km": 100_000,
                     "first_maintenance_months": 6, "first_maintenance_km": 5_000,
                     "parts_months": 12, "parts_km": 10_000}
                ],
                "labor_operations": [
                    {"code": "BRK-FPAD", "description": "更换前制动片", "standard_hours": "1.0"},
                    {"code": "SPK-RPL", "description": "更换火花塞", "standard_hours": "0.8"},
                ],
            }
        )  # fmt: skip
    try:
        yield {"amqp_uri": amqp_uri, "simulator": oem, "tmp": tmp}
    finally:
        if oem.poll() is None:
            oem.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                oem.wait(15)
            if oem.poll() is None:
                oem.kill()
        with contextlib.suppress(Exception):
            runner.stop()
        with Connection(amqp_uri) as conn, contextlib.suppress(Exception):
            conn.default_channel.queue_delete(QUEUE)


def repaired(amqp_uri: str, vin: str, order_id: str, lines: list[dict[str, Any]]) -> None:
    """Reception's facts about a car and its warranty repair, as reception publishes them."""
    reception_event(
        amqp_uri,
        "vehicle_registered",
        {"vehicle_id": f"veh-{order_id}", "customer_id": "cus-1", "vin": vin, "plate": None,
         "brand": "上汽大众", "model": "朗逸", "sale_date": "2025-03-18", "mileage": 0},
        G, SITE,
    )  # fmt: skip
    common = {
        "order_id": order_id,
        "order_number": order_id.upper(),
        "order_type": "warranty",
        "customer_id": "cus-1",
        "vehicle_id": f"veh-{order_id}",
        "vin": vin,
        "mileage": 10_230,
    }
    reception_event(
        amqp_uri,
        "order_opened",
        {**common, "complaint": "故障", "promised_at": None, "service_advisor_id": "sa.flow"},
        G,
        SITE,
    )
    total = f"{sum(float(line['amount']) for line in lines):.2f}"
    reception_event(
        amqp_uri,
        "order_settled",
        {**common, "lines": lines, "totals_by_payer": {"warranty": total},
         "discount_total": "0.00", "tax_total": "0.00", "total": total},
        G, SITE,
    )  # fmt: skip


def test_rejected_corrected_resubmitted_approved_paid_and_the_figures(
    system: dict[str, Any], rpc: Any
) -> None:
    amqp_uri = system["amqp_uri"]
    clerk = rpc(CLERK).claims
    vin_a, vin_b = make_vin("LSVAL618SA800001"), make_vin("LSVAL618SA800002")
    repaired(amqp_uri, vin_a, "ro-flow-a", [
        {"line_id": "1", "kind": "labor", "code": "BRK-FPAD", "description": "更换前制动片",
         "quantity": "1.0", "amount": "120.00", "payer": "warranty"},
        {"line_id": "2", "kind": "part", "code": "5Q0698151B", "description": "前制动片（套）",
         "quantity": "1", "amount": "600.00", "payer": "warranty"},
    ])  # fmt: skip
    repaired(amqp_uri, vin_b, "ro-flow-b", [
        {"line_id": "1", "kind": "labor", "code": "SPK-RPL", "description": "更换火花塞",
         "quantity": "0.8", "amount": "96.00", "payer": "warranty"},
        {"line_id": "2", "kind": "part", "code": "04E905612C", "description": "火花塞",
         "quantity": "4", "amount": "904.00", "payer": "warranty"},
    ])  # fmt: skip

    def draft(order_id: str) -> dict[str, Any]:
        found = clerk.list_warranty_claims({"order_id": order_id})["items"]
        return found[0] if found and found[0]["complaint"] else None

    a = wait_until(lambda: draft("ro-flow-a"), "claim A drafted from its RO")
    b = wait_until(lambda: draft("ro-flow-b"), "claim B drafted from its RO")
    for claim, part in ((a, "5Q0698151B"), (b, "04E905612C")):
        clerk.update_warranty_claim(
            claim["claim_id"],
            {
                "cause": "部件失效",
                "correction": "更换",
                "causal_part_number": part,
                "parts": [{**p, "old_part_tag": f"TAG-{claim['claim_number']}"}
                          for p in [{k: line[k] for k in ("part_number", "description",
                                     "quantity", "unit_price")} for line in claim["parts"]]],
            },
        )  # fmt: skip
        clerk.record_appraisal(claim["claim_id"], {"finding": "材料缺陷", "warranty_fault": True})

    with listening(amqp_uri, event_exchange("claims"), "#", "test-flow-claims-events") as events:
        clerk.submit_warranty_claim(a["claim_id"])
        clerk.submit_warranty_claim(b["claim_id"])

        def status(claim_id: str, wanted: str) -> dict[str, Any] | None:
            claim = clerk.get_warranty_claim(claim_id)
            return claim if claim["status"] == wanted else None

        rejected = wait_until(lambda: status(a["claim_id"], "rejected"), "A rejected by the OEM")
        assert (rejected["reason_code"], rejected["reason"]) == ("R03", "缺少故障部件照片")
        assert rejected["oem_claim_number"].startswith("OEM-FLOW-VW-")

        # The clerk adds what the OEM asked for and sends it again.
        clerk.update_warranty_claim(a["claim_id"], {"cause": "制动片摩擦材料脱层，已附故障照片"})
        resent = clerk.submit_warranty_claim(a["claim_id"])
        assert resent["submission_count"] == 2

        paid_a = wait_until(lambda: status(a["claim_id"], "paid"), "A approved and paid")
        paid_b = wait_until(lambda: status(b["claim_id"], "paid"), "B partly approved and paid")
        announced = [
            events.of_type(kind, claim_id=cid)
            for kind, cid in (
                ("claim_submitted", a["claim_id"]),
                ("claim_submitted", b["claim_id"]),
                ("claim_decided", a["claim_id"]),
                ("claim_decided", b["claim_id"]),
                ("claim_submitted", a["claim_id"]),
                ("claim_decided", a["claim_id"]),
                ("claim_paid", a["claim_id"]),
                ("claim_paid", b["claim_id"]),
            )
        ]
    for event in announced:
        validate_payload(event["type"], event["payload"])
    assert [d["payload"]["outcome"] for d in announced if d["type"] == "claim_decided"] == [
        "rejected",
        "partly_approved",
        "approved",
    ]

    assert [
        (d["submission_count"], d["outcome"], d["reason_code"]) for d in paid_a["decisions"]
    ] == [
        (1, "rejected", "R03"),
        (2, "approved", None),
    ]
    assert (paid_a["approved_amount"], paid_a["paid_amount"]) == ("720.00", "720.00")
    assert [p["old_part_status"] for p in paid_a["parts"]] == ["to_return"]
    assert (paid_b["outcome"], paid_b["approved_amount"], paid_b["paid_amount"]) == (
        "partly_approved",
        "900.00",
        "900.00",
    )
    assert paid_b["reason_code"] == "D12"
    assert paid_a["payment_reference"].startswith("cn-oem-flow-vw-")
    assert [h["action"] for h in paid_a["history"]][-6:] == [
        "submitted",
        "decided",
        "corrected",
        "submitted",
        "decided",
        "paid",
    ]

    today = local_date(utcnow()).isoformat()
    figures = clerk.warranty_figures({"from": today, "to": today})
    assert figures["sites"][SITE] == figures["total"]
    assert figures["total"] == {
        "claims_submitted": 2,
        "first_pass_approved": 1,
        "first_pass_approval_rate": "0.5000",
        "decisions": 3,
        "rejections": 1,
        "rejection_rate": "0.3333",
        "rejections_by_reason": [{"reason_code": "R03", "count": 1, "rate": "0.3333"}],
        "claims_paid": 2,
        "average_days_to_payment": "0.0",
        "max_days_to_payment": 0,
        "claimed_amount": "1720.00",
        "approved_amount": "1620.00",
        "paid_amount": "1620.00",
        "paid_share": "0.9419",
    }


def test_a_recall_sent_by_the_oem_reaches_claims_and_is_announced(
    system: dict[str, Any], rpc: Any
) -> None:
    amqp_uri = system["amqp_uri"]
    vin = make_vin("LSVAL618SA800003")
    recall = {
        "recall_id": "RC-FLOW-1",
        "oem_id": OEM_ID,
        "kind": "campaign",
        "title": "发动机控制单元软件升级",
        "description": "免费升级发动机控制单元软件",
        "vins": [vin],
        "labor_operation_code": "DIAG-EL",
        "part_numbers": [],
        "starts_on": local_date(utcnow()).isoformat(),
        "ends_on": None,
    }
    path = system["tmp"] / "recall.json"
    path.write_text(json.dumps(recall, ensure_ascii=False), encoding="utf-8")
    with listening(amqp_uri, event_exchange("claims"), "recall_announced", "test-flow-recall") as q:
        done = subprocess.run(
            [sys.executable, "-m", "aftersales_oem_simulator", "send-recall", "--group", G,
             "--file", str(path), "--amqp-uri", amqp_uri],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        announced = q.of_type("recall_announced", recall_id="RC-FLOW-1")
    assert validate_payload("recall_announced", announced["payload"])["vins"] == [vin]
    assert [r["recall_id"] for r in rpc(CLERK).claims.list_recalls({"vin": vin})["items"]] == [
        "RC-FLOW-1"
    ]
