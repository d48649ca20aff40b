"""The simulated OEM's rules and state, without a broker: decisions, shipments, payments,
idempotency, and that every answer keeps the documented message contracts."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aftersales_contracts import example, validate_payload
from aftersales_oem_simulator.cli import read_config
from aftersales_oem_simulator.rules import ConfigError, decide, load_config, ship
from aftersales_oem_simulator.simulator import Simulator, State, recall_envelope

G = "grp-huadong"


def claim(**overrides: Any) -> dict[str, Any]:
    payload = example("warranty_claim")["payload"]
    payload.update(overrides)
    return payload


RULES = {
    "warranty": {
        "old_parts": "scrap",
        "rules": [
            {"when": {"claim_type": "goodwill"}, "decide": "reject", "reason_code": "G01",
             "reason": "不予善意"},
            {"when": {"causal_part_number": ["5Q0698151B", "X"], "submission_count": 1},
             "decide": "reject", "reason_code": "R03", "reason": "缺少照片"},
            {"when": {"amount_over": "1000.00"}, "decide": "partly_approve",
             "approve_share": "0.9", "reason_code": "D12", "reason": "结算价"},
            {"when": {"labor_operation_code": "ENG-TBELT"}, "decide": "partly_approve",
             "deduct": "100.00", "reason_code": "D20", "old_parts": "return"},
            {"when": {"appeal": True}, "decide": "partly_approve", "approve_amount": "5000.00",
             "reason_code": "D30"},
        ],
    },
    "parts": {
        "delay_days": 3,
        "rules": [
            {"when": {"part_number": "04E198119A"}, "ship_share": "0.5", "delay_days": 7},
            {"when": {"part_number": "NOPE"}, "ship_share": "0"},
        ],
        "unit_costs": {"5QD698151B": "402"},
    },
}  # fmt: skip


@pytest.fixture
def config() -> Any:
    return load_config(RULES)


def test_first_matching_rule_decides(config: Any) -> None:
    goodwill = decide(config, claim(claim_type="goodwill"), G)
    assert (goodwill.outcome, goodwill.approved_amount, goodwill.reason_code) == (
        "rejected",
        Decimal("0.00"),
        "G01",
    )
    assert goodwill.old_parts == ()
    first = decide(config, claim(causal_part_number="5Q0698151B", submission_count=1), G)
    assert (first.outcome, first.reason_code, first.reason) == ("rejected", "R03", "缺少照片")
    second = decide(config, claim(causal_part_number="5Q0698151B", submission_count=2), G)
    assert (second.outcome, second.approved_amount, second.reason_code) == (
        "approved",
        Decimal("640.00"),
        None,
    )
    assert second.old_parts == ({"line_no": 1, "instruction": "scrap"},)
    assert second.rule == "default: approve"


def test_partial_approvals_by_share_amount_or_deduction(config: Any) -> None:
    big = decide(config, claim(claimed_amount="1234.56", submission_count=2), G)
    # 1234.56 × 0.9 = 1111.104 -> 1111.10
    assert (big.outcome, big.approved_amount, big.reason_code) == (
        "partly_approved",
        Decimal("1111.10"),
        "D12",
    )
    belt = claim(
        submission_count=2,
        labor=[{"line_no": 1, "operation_code": "ENG-TBELT", "description": "x", "hours": "3.5",
                "amount": "420.00"}],
    )  # fmt: skip
    deducted = decide(config, belt, G)
    assert (deducted.outcome, deducted.approved_amount) == ("partly_approved", Decimal("540.00"))
    assert deducted.old_parts == ({"line_no": 1, "instruction": "return"},)
    appeal = decide(config, claim(appeal=True, submission_count=2), G)
    # 5000 is more than the 640 claimed: that is a full approval, not a partial one.
    assert (appeal.outcome, appeal.approved_amount, appeal.reason_code) == (
        "approved",
        Decimal("640.00"),
        None,
    )


def test_configuration_errors_name_the_place() -> None:
    for raw, where in [
        ({"warranty": {"rules": [{"decide": "maybe"}]}}, "warranty.rules[0].decide"),
        ({"warranty": {"rules": [{"decide": "reject"}]}}, "reason_code"),
        ({"warranty": {"rules": [{"decide": "partly_approve"}]}}, "approve_share"),
        ({"warranty": {"rules": [{"decide": "approve", "when": {"colour": "red"}}]}}, "colour"),
        ({"parts": {"rules": [{"ship_share": "2"}]}}, "ship_share"),
        ({"warranty": {"old_parts": "keep"}}, "old_parts"),
        ({"recalls": [{"recall_id": "RC"}]}, "group_id"),
        ({"warranty": {"rules": [{"decide": "approve", "when": {"amount_over": "x"}}]}}, "x"),
    ]:
        with pytest.raises(ConfigError) as caught:
            load_config(raw)
        assert where in str(caught.value), (raw, caught.value)


def test_the_packaged_demo_configuration_loads() -> None:
    demo = load_config(read_config(None))
    assert demo.warranty_rules and demo.parts_rules and demo.payment_enabled


def test_shipments_full_partial_none_and_delayed(config: Any) -> None:
    order = {
        "po_id": "po-1",
        "po_number": "PD-PO-1",
        "oem_id": "oem-saic-vw",
        "dealer_code": "site-pudong",
        "order_kind": "regular",
        "lines": [
            {"line_no": 1, "part_number": "5QD698151B", "quantity": "2"},
            {"line_no": 2, "part_number": "04E198119A", "quantity": "3"},
            {"line_no": 3, "part_number": "NOPE", "quantity": "5"},
            {"line_no": 4, "part_number": "G052195M4", "quantity": "1.5"},
        ],
    }
    shipment = ship(config, order, date(2026, 11, 24))
    assert shipment is not None
    assert shipment.lines == (
        {"line_no": 1, "part_number": "5QD698151B", "quantity_shipped": "2", "unit_cost": "402.00"},
        {"line_no": 2, "part_number": "04E198119A", "quantity_shipped": "1", "unit_cost": None},
        {"line_no": 4, "part_number": "G052195M4", "quantity_shipped": "1.5", "unit_cost": None},
    )  # 3 × 0.5 = 1.5 -> 1 (whole parts); NOPE not shipped; 1.5 litres ship whole
    assert shipment.expected_at == date(2026, 12, 1)  # the slowest line: 7 days
    nothing = {**order, "lines": [order["lines"][2]]}
    assert ship(config, nothing, date(2026, 11, 24)) is None


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def simulator(raw: dict[str, Any] | None = None) -> tuple[Simulator, Clock]:
    clock = Clock()
    raw = raw or RULES
    return Simulator(load_config(raw), "amqp://unused", State(":memory:"), clock=clock), clock


def outgoing(sim: Simulator, now: float) -> list[tuple[str, dict[str, Any]]]:
    return [(key, json.loads(body)) for _, key, _, body in sim.state.due(now)]


def test_a_claim_is_decided_once_and_paid_after_the_delay() -> None:
    sim, clock = simulator()
    body = example("warranty_claim")
    body["payload"]["submission_count"] = 2
    assert "approved" in sim.handle(body, "to-oem.oem-saic-vw.warranty_claim")
    assert sim.handle(body, "to-oem.oem-saic-vw.warranty_claim") == "duplicate, ignored"
    [(key, decision)] = outgoing(sim, clock.now)
    assert key == f"to-dealer.{G}.claim_decision"
    assert decision["correlation_id"] == body["payload"]["claim_id"]
    assert decision["site_id"] == body["site_id"]
    payload = validate_payload("claim_decision", decision["payload"])
    assert payload["oem_claim_number"].startswith("OEM-SAIC-VW-")
    assert (payload["outcome"], payload["approved_amount"]) == ("approved", "640.00")

    assert sim.batch_payments() == 0, "the credit waits for its delay (1 s by default)"
    clock.now += 1
    assert sim.batch_payments() == 1
    credits = [m for k, m in outgoing(sim, clock.now) if k.endswith("claim_payment")]
    assert len(credits) == 1
    credit = validate_payload("claim_payment", credits[0]["payload"])
    assert credit["claims"] == [
        {"claim_id": "wc-4f2a9c1e7b30", "claim_number": "WC-20261126-0001", "amount": "640.00"}
    ]
    assert credit["total"] == "640.00" and credit["dealer_code"] == body["site_id"]
    clock.now += 10
    assert sim.batch_payments() == 0, "paid once"


def test_a_new_decision_replaces_an_unpaid_payment_and_credits_are_batched() -> None:
    sim, clock = simulator({"warranty": {"payment": {"delay_seconds": 5}}})
    first = example("warranty_claim")
    sim.handle(first, "to-oem.oem-saic-vw.warranty_claim")
    again = example("warranty_claim")
    again["event_id"] = "7b7e2a10-5c4d-4e8f-9a1b-2c3d4e5f6a7b"
    again["payload"].update(submission_count=2, appeal=True)
    sim.handle(again, "to-oem.oem-saic-vw.warranty_claim")
    other = example("warranty_claim")
    other["event_id"] = "8b7e2a10-5c4d-4e8f-9a1b-2c3d4e5f6a7b"
    other["payload"].update(claim_id="wc-other", claim_number="WC-2", claimed_amount="100.00")
    sim.handle(other, "to-oem.oem-saic-vw.warranty_claim")
    decisions = [m for k, m in outgoing(sim, clock.now) if k.endswith("claim_decision")]
    numbers = {m["payload"]["claim_id"]: m["payload"]["oem_claim_number"] for m in decisions}
    assert len(decisions) == 3 and len(set(numbers.values())) == 2, "one OEM number per claim"
    clock.now += 5
    assert sim.batch_payments() == 2
    [credit] = [m for k, m in outgoing(sim, clock.now) if k.endswith("claim_payment")]
    assert sorted((c["claim_id"], c["amount"]) for c in credit["payload"]["claims"]) == [
        ("wc-4f2a9c1e7b30", "640.00"),
        ("wc-other", "100.00"),
    ]
    assert credit["payload"]["total"] == "740.00"


def test_a_parts_order_is_answered_with_a_shipment_notice() -> None:
    sim, clock = simulator()
    order = example("parts_order")
    assert "1 line(s) shipped" in sim.handle(order, "to-oem.oem-saic-vw.parts_order")
    [(key, notice)] = outgoing(sim, clock.now)
    assert key == f"to-dealer.{G}.shipment_notice"
    payload = validate_payload("shipment_notice", notice["payload"])
    assert payload["po_id"] == "po-7a1c" and notice["correlation_id"] == "po-7a1c"
    assert payload["lines"] == [
        {"line_no": 1, "part_number": "5QD698151B", "quantity_shipped": "2", "unit_cost": "402.00"}
    ]
    unknown = {**order, "event_id": "00000000-0000-4000-8000-000000000001", "type": "hello"}
    assert "not something this OEM answers" in sim.handle(unknown, "to-oem.x.hello")


def test_recall_notices_have_a_content_fixed_id() -> None:
    recall = example("recall_notice")["payload"]
    one, two = recall_envelope(G, recall), recall_envelope(G, dict(recall))
    assert one["event_id"] == two["event_id"]
    assert recall_envelope("grp-other", recall)["event_id"] != one["event_id"]
    changed = recall_envelope(G, {**recall, "vins": []})
    assert changed["event_id"] != one["event_id"]
    validate_payload("recall_notice", one["payload"])
    sim, clock = simulator()
    assert sim.queue_recall(G, recall) is True
    assert sim.queue_recall(G, recall) is False
    assert [k for k, _ in outgoing(sim, clock.now)] == [f"to-dealer.{G}.recall_notice"]
