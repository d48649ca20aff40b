"""The rules that moved out of the entrypoints, the payloads claims sends, and its API
shapes, in milliseconds (no broker, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from aftersales_claims import messages
from aftersales_claims.domain import (
    Addressee,
    Finding,
    check_document,
    claim_number,
    decision_applies,
    documents_may_change,
    documents_view,
    insured_amount,
    is_addressed,
    is_insured_repair,
    is_payable,
    lines_from_order,
    old_part_done,
    report_days,
    require_addressed,
    require_documents,
    require_ready,
    warranty_lines,
    with_old_part_instructions,
)
from aftersales_claims.models import InsuranceClaim, RecallRow, WarrantyClaim
from aftersales_contracts import validate_payload
from aftersales_contracts.api.claims import (
    DamageItemIn,
    InsuranceClaimUpdate,
    InsurerShareQuery,
    OemClaimOut,
    WarrantyClaimIn,
    WarrantyClaimOut,
    WarrantyClaimQuery,
)
from aftersales_core.envelope import to_primitives
from aftersales_core.errors import Conflict, ValidationFailed
from aftersales_core.validation import load

VIN = "LSVAL6188SA601234"
NOW = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)

# ---------------------------------------------------------------- warranty claims


def test_old_parts_go_back_or_to_scrap_only_as_instructed() -> None:
    assert old_part_done("to_return", "returned") == "returned"
    assert old_part_done("to_scrap", "scrapped") == "scrapped"
    for status, action in (
        ("kept", "returned"),
        ("to_return", "scrapped"),
        ("returned", "returned"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            old_part_done(status, action)
        assert caught.value.code == "OLD_PART_NOT_INSTRUCTED"
        assert list(caught.value.fields) == ["action"]


def test_the_oem_instructions_mark_only_the_lines_they_name() -> None:
    lines = [{"line_no": 1, "old_part_status": "kept"}, {"line_no": 2, "old_part_status": "kept"}]
    marked = with_old_part_instructions(lines, {2: "scrap"})
    assert [line["old_part_status"] for line in marked] == ["kept", "to_scrap"]
    assert lines[1]["old_part_status"] == "kept", "the stored lines are not changed in place"


def test_an_oem_message_must_address_the_claim_it_names() -> None:
    claim = Addressee("grp-1", "oem-vw", "WC-20261125-0001")
    assert is_addressed(claim, Addressee("grp-1", "oem-vw", "WC-20261125-0001"))
    for other in (
        Addressee("grp-2", "oem-vw", "WC-20261125-0001"),  # another group
        Addressee("grp-1", "oem-gac", "WC-20261125-0001"),  # an OEM it was not sent to
        Addressee("grp-1", "oem-vw", "WC-20261125-0002"),  # the wrong number
    ):
        assert not is_addressed(claim, other)
        with pytest.raises(ValidationFailed) as caught:
            require_addressed(claim, other, "wc-1")
        assert caught.value.code == "UNKNOWN_CLAIM"
    with pytest.raises(ValidationFailed):
        require_addressed(None, claim, "wc-nobody")


def test_decisions_apply_to_the_current_submission_of_a_waiting_claim() -> None:
    assert decision_applies(2, 2, "submitted") and decision_applies(2, 2, "appealed")
    assert not decision_applies(1, 2, "submitted"), "an older submission's decision"
    assert not decision_applies(2, 2, "approved"), "already decided"
    assert is_payable("approved") and is_payable("partly_approved")
    assert not is_payable("submitted") and not is_payable("paid")


def test_a_claim_goes_out_only_without_findings() -> None:
    require_ready([])
    with pytest.raises(ValidationFailed) as caught:
        require_ready([Finding("REQUIRED", "cause", "the cause is required")])
    assert caught.value.code == "CLAIM_NOT_VALID" and list(caught.value.fields) == ["cause"]


def test_a_settled_ro_drafts_from_its_warranty_lines() -> None:
    lines = [
        {"kind": "labor", "code": "MNT", "description": "保养", "quantity": "1.0",
         "amount": "180.00", "payer": "customer"},
        {"kind": "labor", "code": "BRK", "description": "制动片", "quantity": "1.2",
         "amount": "144.00", "payer": "warranty"},
        {"kind": "part", "code": "5Q0", "description": "制动片", "quantity": "2",
         "amount": "1040.00", "payer": "warranty"},
        {"kind": "part", "code": "RET", "description": "退回", "quantity": "0",
         "amount": "0.00", "payer": "warranty"},
        {"kind": "sublet", "code": "TOW", "description": "拖车", "quantity": "1",
         "amount": "80.00", "payer": "warranty"},
    ]  # fmt: skip
    labor, parts, sublets = lines_from_order(warranty_lines(lines))
    assert [(x["operation_code"], x["hours"]) for x in labor] == [("BRK", "1.2")]
    assert [(x["part_number"], x["unit_price"]) for x in parts] == [("5Q0", Decimal("520.00"))]
    assert sublets == [{"description": "拖车", "amount": "80.00"}]
    assert claim_number("WC", date(2026, 11, 25), 7) == "WC-20261125-0007"


# ---------------------------------------------------------------- insurance claims


def test_the_documents_checklist() -> None:
    check_document("policy")
    with pytest.raises(ValidationFailed) as caught:
        check_document("selfie")
    assert caught.value.code == "UNKNOWN_DOCUMENT"
    documents_may_change("approved")
    for status in ("paid", "closed"):
        with pytest.raises(Conflict):
            documents_may_change(status)
    view = documents_view({"policy": True, "selfie": True})
    assert view["policy"] is True and view["owner_id"] is False and "selfie" not in view
    with pytest.raises(ValidationFailed) as caught:
        require_documents({"policy": True})
    assert caught.value.code == "DOCUMENTS_MISSING" and len(caught.value.fields["documents"]) == 7
    require_documents(dict.fromkeys(view, True))


def test_which_ros_belong_to_an_insurance_claim() -> None:
    assert insured_amount({"customer": "100.00"}) == Decimal("0.00")
    assert insured_amount({"insurance": "2400"}) == Decimal("2400.00")
    assert is_insured_repair("accident", Decimal("0"))
    assert is_insured_repair("repair", Decimal("1.00"))
    assert not is_insured_repair("repair", Decimal("0.00"))


def test_a_report_is_a_month_or_from_to() -> None:
    assert report_days("2026-02", None, None) == (date(2026, 2, 1), date(2026, 2, 28))
    assert report_days(None, date(2026, 1, 5), date(2026, 1, 5)) == (
        date(2026, 1, 5),
        date(2026, 1, 5),
    )
    with pytest.raises(ValidationFailed):
        report_days(None, date(2026, 1, 5), None)
    with pytest.raises(ValidationFailed):
        report_days(None, date(2026, 1, 5), date(2026, 1, 4))


# ---------------------------------------------------------------- payloads


def _claim() -> WarrantyClaim:
    return WarrantyClaim(
        claim_id="wc-1", claim_number="WC-20261125-0001", group_id="grp-1", site_id="site-a",
        status="approved", claim_type="ordinary", oem_id="oem-vw", order_id="ro-1",
        order_number="A-1", vin=VIN, brand="上汽大众", model="朗逸", sale_date=date(2025, 3, 18),
        recall_id=None, mileage=10_230, repair_opened_on=date(2026, 11, 25),
        repair_completed_on=date(2026, 11, 25), complaint="异响", cause="脱层", correction="更换",
        complaint_code=None, cause_code=None, correction_code=None,
        causal_part_number="5Q0698151B", appraisal={"finding": "材料缺陷"},
        labor_lines=[{"line_no": 1, "operation_code": "BRK", "description": "制动片",
                      "hours": "1.0", "amount": "120.00"}],
        part_lines=[{"line_no": 1, "part_number": "5Q0698151B", "description": "制动片",
                     "quantity": "1.000", "unit_price": "520.00", "amount": "520.00",
                     "old_part_tag": "OP-1", "old_part_status": "kept"}],
        sublet_lines=[], claimed_amount=Decimal("640.00"), submission_count=1, appeal=False,
        appeal_comments=None, oem_claim_number="SVW-1", outcome="approved",
        approved_amount=Decimal("640.00"), reason_code=None, reason=None,
        paid_amount=Decimal("640.00"),
        paid_on=date(2026, 11, 30), payment_reference="cn-1", first_submitted_at=NOW,
        last_submitted_at=NOW, decided_at=NOW, created_at=NOW, created_by="cl.a", updated_at=NOW,
    )  # fmt: skip


def _insurance_claim() -> InsuranceClaim:
    return InsuranceClaim(
        insurance_claim_id="ic-1", claim_number="IC-20261125-0001", group_id="grp-1",
        site_id="site-a", status="paid", order_id=None, vin=VIN, plate="沪A·M8F35",
        insurer="中国人保财险", policy_number="P-1", report_number="R-1",
        accident_date=date(2026, 11, 20), approved_amount=Decimal("2400.00"),
        paid_amount=Decimal("2400.00"), paid_on=date(2026, 11, 30), payment_reference="PAY-1",
    )  # fmt: skip


def _recall() -> RecallRow:
    return RecallRow(
        group_id="grp-1", recall_id="RC-1", oem_id="oem-vw", kind="recall", title="摆臂",
        description="紧固", vins=[VIN], labor_operation_code="RCL-118", part_numbers=[],
        starts_on=date(2026, 11, 1), ends_on=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("event_type", "build"),
    [
        ("claim_submitted", lambda: messages.claim_submitted(_claim(), "cl.a")),
        ("claim_decided", lambda: messages.claim_decided(_claim(), True)),
        ("claim_paid", lambda: messages.claim_paid(_claim(), 5)),
        ("warranty_claim", lambda: messages.warranty_claim_message(_claim())),
        (
            "insurance_claim_opened",
            lambda: messages.insurance_claim_opened(_insurance_claim(), "a"),
        ),
        ("insurance_claim_settled", lambda: messages.insurance_claim_settled(_insurance_claim())),
        ("recall_announced", lambda: messages.recall_announced(_recall())),
    ],
)
def test_every_payload_claims_sends_keeps_its_contract(event_type: str, build: Any) -> None:
    validate_payload(event_type, to_primitives(build()))


# ---------------------------------------------------------------- API shapes


def test_what_an_oem_sees_of_a_claim() -> None:
    claim = _claim()
    claim.history, claim.submissions, claim.decisions = [], [], []
    dealer, oem = WarrantyClaimOut().dump(claim), OemClaimOut().dump(claim)
    assert {"history", "created_by", "appraisal"} <= set(dealer)
    assert set(dealer) - set(oem) == {"history", "created_by", "appraisal"}
    assert oem["parts"][0]["quantity"] == "1.000" and oem["claimed_amount"] == "640.00"


def test_input_shapes_refuse_what_is_not_meant() -> None:
    drafted = load(WarrantyClaimIn(), {"site_id": "site-a", "vin": VIN.lower()})
    assert (drafted["vin"], drafted["claim_type"]) == (VIN, "ordinary")
    with pytest.raises(ValidationFailed) as caught:
        load(InsuranceClaimUpdate(), {})
    assert list(caught.value.fields) == ["_schema"]
    item = load(DamageItemIn(), {"kind": "paint", "description": "喷漆", "estimated_amount": "900"})
    assert item["quantity"] == Decimal("1.000")
    query = load(WarrantyClaimQuery(), {"from": "2026-11-01", "status": "draft"})
    assert (query["limit"], query["cursor"], query["date_from"]) == (50, None, date(2026, 11, 1))
    with pytest.raises(ValidationFailed) as caught:
        load(WarrantyClaimQuery(), {"from": "2026-11-02", "to": "2026-11-01"})
    assert list(caught.value.fields) == ["to"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "from"),
        ({"from": "2026-11-01"}, "to"),
        ({"month": "2026-11", "from": "2026-11-01"}, "month"),
        ({"month": "2026-13"}, "month"),
    ],
)
def test_the_insurer_share_wants_one_period(params: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load(InsurerShareQuery(), params)
    assert field in caught.value.fields
    assert load(InsurerShareQuery(), {"month": "2026-11"})["month"] == "2026-11"
