"""Claims' rules, in milliseconds: coverage, every pre-submission finding, states, figures,
insurance.  The worked examples are computed by hand in the comments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from aftersales_claims.domain import (
    INSURANCE_DOCUMENTS,
    Appraisal,
    AssessmentItem,
    ClaimFacts,
    ClaimRecord,
    Decision,
    DecisionRecord,
    InsuredRepair,
    LaborAllowance,
    LaborLine,
    MileageReading,
    OtherClaim,
    PartLine,
    Recall,
    SubletLine,
    VehicleFacts,
    WarrantyTerms,
    add_months,
    apply_approval,
    assessment_totals,
    check_decision,
    claimed_amount,
    coverage,
    days_to_payment,
    figures_by_site,
    findings_error,
    guess_claim_type,
    insurer_share,
    local_date,
    missing_documents,
    month_bounds,
    next_insurance_status,
    next_status,
    terms_for,
    validate_claim,
)
from aftersales_core.errors import Conflict, ValidationFailed

VIN = "LSVAL6188SA601234"
SVW = WarrantyTerms(
    brand="上汽大众",
    model="",
    oem_id="oem-saic-vw",
    years=3,
    km=100_000,
    first_maintenance_months=6,
    first_maintenance_km=5_000,
    first_maintenance_operations=("MNT-FREE1",),
    parts_months=12,
    parts_km=10_000,
)
D = Decimal


def judge(claim_type: str = "ordinary", **kwargs: object) -> object:
    args: dict[str, object] = {
        "claim_type": claim_type,
        "vin": VIN,
        "sale_date": date(2025, 3, 18),
        "repair_date": date(2026, 11, 25),
        "mileage": 10_230,
    }
    args.update(kwargs)
    terms = args.pop("terms", SVW)
    return coverage(terms, **args)  # type: ignore[arg-type]


def codes(findings: object) -> list[str]:
    return [f.code for f in findings]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- dates


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2025, 3, 18), 36) == date(2028, 3, 18)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 2) == date(2026, 1, 30)


def test_local_date_is_china_time() -> None:
    # 17:00 UTC is 01:00 the next day in Shanghai; naive means UTC (SQLite).
    assert local_date(datetime(2026, 11, 24, 17, 0, tzinfo=UTC)) == date(2026, 11, 25)
    assert local_date(datetime(2026, 11, 24, 15, 59)) == date(2026, 11, 24)


# ---------------------------------------------------------------- coverage


def test_terms_for_prefers_the_models_own_terms() -> None:
    id4 = replace(SVW, model="ID.4 X", years=8, km=160_000)
    assert terms_for([SVW, id4], "上汽大众", "ID.4 X") is id4
    assert terms_for([SVW, id4], "上汽大众", "朗逸") is SVW
    assert terms_for([SVW, id4], "广汽丰田", "凯美瑞") is None
    assert terms_for([SVW], None, None) is None


def test_vehicle_warranty_runs_three_years_to_the_day_before_the_anniversary() -> None:
    # Sold 2025-03-18: three years end on 2028-03-17.
    last = judge(repair_date=date(2028, 3, 17))
    assert last.covered and last.basis == "vehicle" and last.ends_on == date(2028, 3, 17)
    assert last.km_limit == 100_000
    after = judge(repair_date=date(2028, 3, 18))
    assert not after.covered and codes(after.findings) == ["WARRANTY_EXPIRED"]
    assert after.findings[0].field == "repair_opened_on"


def test_a_leap_day_sale_ends_on_the_last_of_february() -> None:
    ends = judge(sale_date=date(2024, 2, 29), repair_date=date(2027, 2, 28))
    assert ends.covered and ends.ends_on == date(2027, 2, 28)
    assert not judge(sale_date=date(2024, 2, 29), repair_date=date(2027, 3, 1)).covered


def test_vehicle_warranty_ends_at_its_mileage_whichever_first() -> None:
    assert judge(mileage=100_000).covered
    over = judge(mileage=100_001)
    assert codes(over.findings) == ["WARRANTY_MILEAGE_EXCEEDED"]
    assert over.findings[0].field == "mileage"
    both = judge(mileage=120_000, repair_date=date(2029, 1, 1))
    assert codes(both.findings) == ["WARRANTY_EXPIRED", "WARRANTY_MILEAGE_EXCEEDED"]


def test_a_part_replaced_at_the_dealer_has_its_own_warranty() -> None:
    # Vehicle sold 2021-01-10: its warranty ended 2024-01-09.  The causal part was
    # fitted on 2025-09-01 at 80 000 km: covered to 2026-08-31 and 90 000 km.
    base = {
        "sale_date": date(2021, 1, 10),
        "part_fitted_on": date(2025, 9, 1),
        "part_fitted_mileage": 80_000,
    }
    inside = judge(repair_date=date(2026, 8, 31), mileage=90_000, **base)
    assert inside.covered and inside.basis == "parts"
    assert (inside.ends_on, inside.km_limit) == (date(2026, 8, 31), 90_000)
    late = judge(repair_date=date(2026, 9, 1), mileage=89_000, **base)
    assert codes(late.findings) == ["WARRANTY_EXPIRED", "PART_WARRANTY_EXPIRED"]
    far = judge(repair_date=date(2026, 6, 1), mileage=90_001, **base)
    assert codes(far.findings) == ["WARRANTY_EXPIRED", "PART_WARRANTY_MILEAGE_EXCEEDED"]


def test_first_maintenance_within_six_months_or_5000_km() -> None:
    # Sold 2026-05-10: first maintenance due by 2026-11-09 and 5 000 km.
    base = {"sale_date": date(2026, 5, 10)}
    ok = judge("first_maintenance", repair_date=date(2026, 11, 9), mileage=5_000, **base)
    assert ok.covered and ok.basis == "first_maintenance" and ok.ends_on == date(2026, 11, 9)
    late = judge("first_maintenance", repair_date=date(2026, 11, 10), mileage=4_000, **base)
    assert codes(late.findings) == ["FIRST_MAINTENANCE_EXPIRED"]
    far = judge("first_maintenance", repair_date=date(2026, 8, 1), mileage=5_001, **base)
    assert codes(far.findings) == ["FIRST_MAINTENANCE_MILEAGE_EXCEEDED"]


def test_campaign_covers_listed_vins_in_the_recall_window_whatever_the_age() -> None:
    recall = Recall(
        "RC-2026-118", "oem-saic-vw", frozenset({VIN}), "RCL-118", (), date(2026, 11, 20), None
    )
    old = {"sale_date": date(2015, 1, 1), "mileage": 300_000}
    assert judge("campaign", recall=recall, **old).covered
    assert codes(judge("campaign", recall=None, **old).findings) == ["RECALL_UNKNOWN"]
    assert codes(judge("campaign", recall=recall, vin="LSVAL6187RA601235").findings) == [
        "VIN_NOT_IN_RECALL"
    ]
    early = judge("campaign", recall=recall, repair_date=date(2026, 11, 19))
    assert codes(early.findings) == ["RECALL_NOT_ACTIVE"]
    ended = replace(recall, ends_on=date(2026, 11, 24))
    assert codes(judge("campaign", recall=ended).findings) == ["RECALL_NOT_ACTIVE"]


def test_goodwill_is_the_oems_call() -> None:
    assert judge("goodwill", terms=None, sale_date=None).covered


def test_no_terms_no_sale_date_or_repair_before_sale_cannot_be_judged() -> None:
    assert codes(judge(terms=None).findings) == ["NO_WARRANTY_TERMS"]
    assert codes(judge(sale_date=None).findings) == ["SALE_DATE_UNKNOWN"]
    assert codes(judge(repair_date=date(2025, 3, 17)).findings) == ["REPAIR_BEFORE_SALE"]


# ---------------------------------------------------------------- pre-submission validation

TODAY = date(2026, 11, 26)
LAVIDA = VehicleFacts(VIN, "上汽大众", "朗逸", date(2025, 3, 18))
CATALOG = {
    "BRK-FPAD": LaborAllowance("BRK-FPAD", D("1.0")),
    "MNT-FREE1": LaborAllowance("MNT-FREE1", D("1.0")),
    "ENG-TBELT": LaborAllowance("ENG-TBELT", D("3.5"), ("朗逸", "凌渡")),
    "HV-CHK": LaborAllowance("HV-CHK", D("1.5"), ("ID.4 X",)),
}
GOOD = ClaimFacts(
    claim_id="wc-1",
    claim_type="ordinary",
    vin=VIN,
    mileage=10_230,
    repair_opened_on=date(2026, 11, 25),
    repair_completed_on=date(2026, 11, 25),
    complaint="踩刹车时前轮有吱吱声",
    cause="前制动片摩擦材料脱层",
    correction="更换前制动片",
    causal_part_number="5Q0698151B",
    appraisal=Appraisal("材料缺陷", True, "cl.luo.pd"),
    labor=(LaborLine("BRK-FPAD", "更换前制动片", D("1.0"), D("120.00")),),
    parts=(PartLine("5Q0698151B", "前制动片", D("1"), D("520.00"), D("520.00"), "PD-OP-1"),),
)
READINGS = (
    MileageReading(date(2025, 3, 18), 12, "vehicle_registered"),
    MileageReading(date(2026, 5, 2), 6_100, "order_opened"),
    MileageReading(date(2026, 11, 25), 10_230, "vehicle_checked_in"),
)


def check(claim: ClaimFacts = GOOD, **kwargs: object) -> list[str]:
    args: dict[str, object] = {
        "vehicle": LAVIDA,
        "terms": SVW,
        "readings": READINGS,
        "catalog": CATALOG,
        "others": (),
        "recall": None,
        "today": TODAY,
    }
    args.update(kwargs)
    return codes(validate_claim(claim, **args))  # type: ignore[arg-type]


def fields_of(claim: ClaimFacts, **kwargs: object) -> list[tuple[str, str]]:
    args: dict[str, object] = {
        "vehicle": LAVIDA,
        "terms": SVW,
        "readings": READINGS,
        "catalog": CATALOG,
        "others": (),
        "recall": None,
        "today": TODAY,
    }
    args.update(kwargs)
    return [(f.code, f.field) for f in validate_claim(claim, **args)]  # type: ignore[arg-type]


def test_a_complete_claim_has_no_findings() -> None:
    assert check() == []


@pytest.mark.parametrize(
    ("field_name", "value"),
    [("complaint", None), ("cause", "  "), ("correction", ""), ("causal_part_number", None)],
)
def test_required_text_fields(field_name: str, value: object) -> None:
    assert fields_of(replace(GOOD, **{field_name: value})) == [("REQUIRED", field_name)]


def test_required_mileage_and_dates() -> None:
    assert fields_of(replace(GOOD, mileage=None)) == [("REQUIRED", "mileage")]
    assert ("REQUIRED", "mileage") in fields_of(replace(GOOD, mileage=0))
    found = fields_of(replace(GOOD, repair_opened_on=None, repair_completed_on=None))
    assert found == [("REQUIRED", "repair_opened_on"), ("REQUIRED", "repair_completed_on")]


def test_required_appraisal_and_a_negative_appraisal() -> None:
    assert fields_of(replace(GOOD, appraisal=None)) == [("REQUIRED", "appraisal")]
    negative = replace(GOOD, appraisal=Appraisal("使用不当", False, "cl.luo.pd"))
    assert fields_of(negative) == [("APPRAISAL_NOT_WARRANTY", "appraisal")]


def test_nothing_claimed() -> None:
    assert check(replace(GOOD, labor=(), parts=())) == ["NOTHING_CLAIMED"]


def test_a_first_maintenance_needs_no_fault_text_causal_part_appraisal_or_tags() -> None:
    first = ClaimFacts(
        claim_id="wc-2",
        claim_type="first_maintenance",
        vin=VIN,
        mileage=4_200,
        repair_opened_on=date(2025, 9, 1),
        repair_completed_on=date(2025, 9, 1),
        labor=(LaborLine("MNT-FREE1", "首次保养", D("1.0"), D("120.00")),),
        parts=(PartLine("04E115561H", "机油滤清器", D("1"), D("48.00"), D("48.00")),),
    )
    assert check(first, readings=()) == []


def test_a_campaign_claim_needs_its_recall() -> None:
    campaign = replace(GOOD, claim_type="campaign", causal_part_number=None, appraisal=None)
    assert fields_of(campaign) == [("REQUIRED", "recall_id"), ("RECALL_UNKNOWN", "recall_id")]
    recall = Recall("RC-1", "oem-saic-vw", frozenset({VIN}), None, (), date(2026, 11, 1), None)
    assert check(replace(campaign, recall_id="RC-1"), recall=recall) == []


def test_repair_dates_reversed_or_in_the_future() -> None:
    reversed_ = replace(GOOD, repair_completed_on=date(2026, 11, 24))
    assert fields_of(reversed_) == [("REPAIR_DATES_REVERSED", "repair_completed_on")]
    future = replace(GOOD, repair_completed_on=date(2026, 11, 27))
    assert fields_of(future) == [("REPAIR_DATE_IN_FUTURE", "repair_completed_on")]


def test_coverage_findings_come_through() -> None:
    old = replace(LAVIDA, sale_date=date(2022, 1, 20))  # warranty ended 2025-01-19
    assert fields_of(GOOD, vehicle=old) == [("WARRANTY_EXPIRED", "repair_opened_on")]
    assert check(GOOD, terms=None) == ["NO_WARRANTY_TERMS"]
    unsold = replace(LAVIDA, sale_date=None)
    assert fields_of(GOOD, vehicle=unsold) == [("SALE_DATE_UNKNOWN", "sale_date")]
    over = replace(GOOD, mileage=100_500)
    assert "WARRANTY_MILEAGE_EXCEEDED" in check(over, readings=())


def test_an_unknown_vehicle() -> None:
    assert fields_of(GOOD, vehicle=None) == [("VEHICLE_UNKNOWN", "vin")]


def test_mileage_below_an_earlier_reading() -> None:
    # 6 100 km were recorded on 2026-05-02: 6 000 in November is impossible.
    found = validate_claim(
        replace(GOOD, mileage=6_000),
        vehicle=LAVIDA,
        terms=SVW,
        readings=READINGS[:2],
        catalog=CATALOG,
        others=(),
        recall=None,
        today=TODAY,
    )
    assert [(f.code, f.field) for f in found] == [("MILEAGE_BELOW_HISTORY", "mileage")]
    assert "6100 km was already recorded on 2026-05-02" in found[0].message


def test_mileage_must_agree_with_the_visits_own_readings() -> None:
    # The check-in recorded 10 230 km the day the repair began: 10 000 is 230 km off.
    assert fields_of(replace(GOOD, mileage=10_000)) == [("MILEAGE_DIFFERS_FROM_VISIT", "mileage")]
    assert check(replace(GOOD, mileage=10_030)) == [], "200 km is within the tolerance"
    # Delivery after a road test, the same day, a few km more: consistent.
    delivered = (*READINGS, MileageReading(date(2026, 11, 25), 10_262, "vehicle_delivered"))
    assert check(GOOD, readings=delivered) == []
    # A repair over three days: readings inside the window are the visit's too.
    long = replace(GOOD, repair_opened_on=date(2026, 11, 23))
    inside = (*READINGS[:2], MileageReading(date(2026, 11, 24), 10_240, "order_opened"))
    assert check(long, readings=inside) == []


def test_mileage_above_a_later_reading() -> None:
    later = (*READINGS, MileageReading(date(2026, 11, 26), 10_300, "vehicle_checked_in"))
    assert check(replace(GOOD, mileage=10_400), readings=later) == ["MILEAGE_ABOVE_LATER_READING"]
    assert check(replace(GOOD, mileage=10_300), readings=later) == []


def test_mileage_implausibly_far_since_the_last_reading() -> None:
    # 6 100 km on 2026-05-02; 207 days later at most 207 000 km more is plausible.
    readings = READINGS[:2]
    assert check(replace(GOOD, mileage=6_100 + 207_000), readings=readings, terms=None) == [
        "NO_WARRANTY_TERMS"
    ]
    assert check(replace(GOOD, mileage=6_100 + 207_001), readings=readings, terms=None) == [
        "NO_WARRANTY_TERMS",
        "MILEAGE_IMPLAUSIBLE",
    ]


def test_labor_operation_unknown_too_many_hours_or_wrong_model() -> None:
    unknown = replace(GOOD, labor=(LaborLine("XXX-1", "?", D("1.0"), D("120.00")),))
    assert fields_of(unknown) == [("LABOR_OPERATION_UNKNOWN", "labor[0].operation_code")]
    too_long = replace(GOOD, labor=(*GOOD.labor, LaborLine("BRK-FPAD", "再次", D("1.2"), D("1"))))
    assert fields_of(too_long) == [("LABOR_HOURS_ABOVE_CATALOG", "labor[1].hours")]
    ev_only = replace(GOOD, labor=(LaborLine("HV-CHK", "高压检测", D("1.5"), D("180.00")),))
    assert fields_of(ev_only) == [("LABOR_OPERATION_NOT_FOR_MODEL", "labor[0].operation_code")]
    belt = replace(GOOD, labor=(LaborLine("ENG-TBELT", "正时皮带", D("3.5"), D("420.00")),))
    assert check(belt) == []


def other(**kwargs: object) -> OtherClaim:
    base = {
        "claim_id": "wc-0",
        "claim_number": "WC-20260901-0001",
        "claim_type": "ordinary",
        "causal_part_number": "5Q0698151B",
        "recall_id": None,
        "repair_opened_on": date(2026, 8, 27),
        "status": "paid",
    }
    base.update(kwargs)
    return OtherClaim(**base)  # type: ignore[arg-type]


def test_duplicate_claim_for_the_same_vin_and_causal_part_within_the_window() -> None:
    # 2026-08-27 to 2026-11-25 is 90 days: inside the 90-day window; 89 days before is not.
    assert fields_of(GOOD, others=[other()]) == [("DUPLICATE_CLAIM", "causal_part_number")]
    assert check(GOOD, others=[other(repair_opened_on=date(2026, 8, 26))]) == []
    assert check(GOOD, others=[other(causal_part_number="04E115561H")]) == []
    assert check(GOOD, others=[other(status="withdrawn")]) == []
    assert check(GOOD, others=[other(claim_id="wc-1")]) == [], "a claim is not its own duplicate"
    wide = replace(SVW, duplicate_window_days=180)
    assert check(GOOD, terms=wide, others=[other(repair_opened_on=date(2026, 6, 1))]) == [
        "DUPLICATE_CLAIM"
    ]


def test_first_maintenance_and_recalls_are_claimed_once() -> None:
    first = replace(
        GOOD,
        claim_type="first_maintenance",
        mileage=4_000,
        repair_opened_on=date(2025, 9, 1),
        repair_completed_on=date(2025, 9, 1),
        labor=(LaborLine("MNT-FREE1", "首保", D("1.0"), D("120")),),
        parts=(),
    )
    earlier = other(claim_type="first_maintenance", causal_part_number=None)
    assert fields_of(first, readings=(), others=[earlier]) == [
        ("FIRST_MAINTENANCE_ALREADY_CLAIMED", "claim_type")
    ]
    recall = Recall("RC-1", "oem-saic-vw", frozenset({VIN}), None, (), date(2026, 1, 1), None)
    campaign = replace(GOOD, claim_type="campaign", recall_id="RC-1")
    done = other(claim_type="campaign", recall_id="RC-1", repair_opened_on=date(2026, 2, 1))
    assert fields_of(campaign, recall=recall, others=[done]) == [
        ("DUPLICATE_RECALL_CLAIM", "recall_id")
    ]


def test_old_part_tag_missing() -> None:
    untagged = replace(GOOD, parts=(replace(GOOD.parts[0], old_part_tag=None),))
    assert fields_of(untagged) == [("OLD_PART_TAG_MISSING", "parts[0].old_part_tag")]


def test_every_finding_is_listed_at_once_and_becomes_one_error() -> None:
    bad = replace(
        GOOD,
        complaint=None,
        mileage=10_000,
        labor=(LaborLine("BRK-FPAD", "x", D("1.5"), D("1")),),
        parts=(replace(GOOD.parts[0], old_part_tag=""),),
    )
    found = validate_claim(
        bad,
        vehicle=LAVIDA,
        terms=SVW,
        readings=READINGS,
        catalog=CATALOG,
        others=[other()],
        recall=None,
        today=TODAY,
    )
    assert codes(found) == [
        "REQUIRED",
        "MILEAGE_DIFFERS_FROM_VISIT",
        "LABOR_HOURS_ABOVE_CATALOG",
        "DUPLICATE_CLAIM",
        "OLD_PART_TAG_MISSING",
    ]
    error = findings_error(found)
    assert error.code == "CLAIM_NOT_VALID" and error.status == 400
    assert set(error.fields) == {
        "complaint",
        "mileage",
        "labor[0].hours",
        "causal_part_number",
        "parts[0].old_part_tag",
    }
    assert error.fields["complaint"][0].startswith("REQUIRED: ")


def test_claimed_amount_adds_labor_parts_and_sublet() -> None:
    # 120.00 + 520.00 + 85.50 = 725.50
    assert claimed_amount(GOOD.labor, GOOD.parts, [SubletLine("拖车", D("85.5"))]) == D("725.50")


def test_guess_claim_type_from_the_lines() -> None:
    recall = Recall("RC-1", "oem", frozenset(), "RCL-118", (), date(2026, 1, 1), None)
    assert guess_claim_type(["RCL-118"], [], SVW, [recall]) == ("campaign", "RC-1")
    parts_recall = replace(recall, labor_operation_code=None, part_numbers=("5Q0698151B",))
    assert guess_claim_type(["BRK-FPAD"], ["5Q0698151B"], SVW, [parts_recall])[0] == "campaign"
    assert guess_claim_type(["MNT-FREE1"], ["04E115561H"], SVW, []) == ("first_maintenance", None)
    assert guess_claim_type(["MNT-FREE1", "BRK-FPAD"], [], SVW, []) == ("ordinary", None)
    assert guess_claim_type([], ["5Q0698151B"], None, []) == ("ordinary", None)


# ---------------------------------------------------------------- states and decisions


def test_the_claims_way_through_its_states() -> None:
    assert next_status("draft", "submit") == "submitted"
    assert next_status("submitted", "rejected") == "rejected"
    assert next_status("rejected", "edit") == "rejected"
    assert next_status("rejected", "submit") == "submitted"
    assert next_status("submitted", "approved") == "approved"
    assert next_status("approved", "pay") == "paid"
    assert next_status("partly_approved", "appeal") == "appealed"
    assert next_status("appealed", "approved") == "approved"
    assert next_status("rejected", "withdraw") == "withdrawn"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("submitted", "edit"),
        ("submitted", "submit"),
        ("approved", "appeal"),
        ("draft", "approved"),
        ("paid", "pay"),
        ("withdrawn", "submit"),
        ("rejected", "pay"),
    ],
)
def test_illegal_transitions_are_409(status: str, action: str) -> None:
    with pytest.raises(Conflict) as caught:
        next_status(status, action)
    assert caught.value.code == "ILLEGAL_TRANSITION" and caught.value.status == 409


def test_decisions_are_checked_against_the_claim() -> None:
    claimed = D("640.00")
    full = check_decision(Decision("approved", D("0"), None, None), claimed)
    assert full.approved_amount == D("640.00"), "approved means as claimed"
    partial = check_decision(Decision("partly_approved", D("600"), "D12", "差额"), claimed)
    assert partial.approved_amount == D("600.00")
    rejected = check_decision(Decision("rejected", D("640"), "R03", "缺少旧件照片"), claimed)
    assert rejected.approved_amount == D("0.00")
    for bad, code_field in [
        (Decision("rejected", D("0"), None, "no code"), "reason_code"),
        (Decision("partly_approved", D("640"), "D1", None), "approved_amount"),
        (Decision("partly_approved", D("100"), None, None), "reason"),
        (Decision("partly_approved", D("-1"), "D1", None), "approved_amount"),
        (Decision("maybe", D("0"), None, None), "outcome"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            check_decision(bad, claimed)
        assert list(caught.value.fields) == [code_field]


def test_days_to_payment_are_calendar_days() -> None:
    assert days_to_payment(date(2026, 11, 2), date(2026, 11, 20)) == 18
    assert days_to_payment(date(2026, 12, 28), date(2027, 1, 3)) == 6
    assert days_to_payment(date(2026, 11, 2), date(2026, 11, 2)) == 0


# ---------------------------------------------------------------- figures


def record(
    claim_id: str,
    site: str,
    submitted: date,
    claimed: str,
    decisions: list[tuple[int, str, str | None]],
    approved: str | None = None,
    paid: str | None = None,
    paid_on: date | None = None,
) -> ClaimRecord:
    return ClaimRecord(
        claim_id,
        site,
        submitted,
        D(claimed),
        D(approved) if approved is not None else None,
        D(paid) if paid is not None else None,
        paid_on,
        tuple(DecisionRecord(*d) for d in decisions),
    )


FIGURE_RECORDS = [
    # A: rejected (R03), corrected, approved, paid 18 days after first submission.
    record(
        "A",
        "site-pudong",
        date(2026, 11, 2),
        "640.00",
        [(1, "rejected", "R03"), (2, "approved", None)],
        "640.00",
        "640.00",
        date(2026, 11, 20),
    ),
    # B: partly approved first time (800 of 1000), paid 20 days later.
    record(
        "B",
        "site-pudong",
        date(2026, 11, 5),
        "1000.00",
        [(1, "partly_approved", "D12")],
        "800.00",
        "800.00",
        date(2026, 11, 25),
    ),
    # C: rejected twice (R03, then R07).
    record(
        "C",
        "site-pudong",
        date(2026, 11, 10),
        "300.00",
        [(1, "rejected", "R03"), (2, "rejected", "R07")],
        "0.00",
    ),
    # D: submitted, not decided yet.
    record("D", "site-pudong", date(2026, 11, 15), "200.00", []),
    # E (Suzhou): approved first time, paid 10 days later.
    record(
        "E",
        "site-suzhou",
        date(2026, 11, 3),
        "500.00",
        [(1, "approved", None)],
        "500.00",
        "500.00",
        date(2026, 11, 13),
    ),
]


def test_warranty_figures_worked_example() -> None:
    figures = figures_by_site(FIGURE_RECORDS)
    pudong = figures["sites"]["site-pudong"]
    # Pudong: 4 submitted, only B passed first time: 1/4.  Decisions: A 2, B 1, C 2 = 5;
    # rejections R03 ×2, R07 ×1 = 3/5.  Paid A (18 d) and B (20 d): average 19.0.
    # Claimed 640+1000+300+200 = 2140; approved and paid 640+800 = 1440; 1440/2140 = 0.6729.
    assert pudong == {
        "claims_submitted": 4,
        "first_pass_approved": 1,
        "first_pass_approval_rate": "0.2500",
        "decisions": 5,
        "rejections": 3,
        "rejection_rate": "0.6000",
        "rejections_by_reason": [
            {"reason_code": "R03", "count": 2, "rate": "0.4000"},
            {"reason_code": "R07", "count": 1, "rate": "0.2000"},
        ],
        "claims_paid": 2,
        "average_days_to_payment": "19.0",
        "max_days_to_payment": 20,
        "claimed_amount": "2140.00",
        "approved_amount": "1440.00",
        "paid_amount": "1440.00",
        "paid_share": "0.6729",
    }
    suzhou = figures["sites"]["site-suzhou"]
    assert suzhou["first_pass_approval_rate"] == "1.0000"
    assert suzhou["rejection_rate"] == "0.0000" and suzhou["rejections_by_reason"] == []
    assert suzhou["average_days_to_payment"] == "10.0" and suzhou["paid_share"] == "1.0000"
    total = figures["total"]
    # All: 2 of 5 first time; 3 of 6 decisions rejected (R03 2/6, R07 1/6); paid 18, 20,
    # 10 days: 16.0; claimed 2640, paid 1940: 0.7348.
    assert total["first_pass_approval_rate"] == "0.4000"
    assert total["rejection_rate"] == "0.5000"
    assert total["rejections_by_reason"] == [
        {"reason_code": "R03", "count": 2, "rate": "0.3333"},
        {"reason_code": "R07", "count": 1, "rate": "0.1667"},
    ]
    assert total["average_days_to_payment"] == "16.0" and total["max_days_to_payment"] == 20
    assert (total["claimed_amount"], total["paid_amount"], total["paid_share"]) == (
        "2640.00",
        "1940.00",
        "0.7348",
    )


def test_figures_of_nothing_are_empty_not_zero_division() -> None:
    figures = figures_by_site([])
    assert figures["sites"] == {}
    assert figures["total"]["first_pass_approval_rate"] is None
    assert figures["total"]["average_days_to_payment"] is None
    assert figures["total"]["paid_share"] is None


# ---------------------------------------------------------------- insurance


def items() -> list[AssessmentItem]:
    return [
        AssessmentItem(1, "part", "前保险杠皮", D("1"), D("1680.00"), "5QD807221"),
        AssessmentItem(2, "paint", "前保险杠喷漆", D("1"), D("900.00")),
        AssessmentItem(3, "labor", "拆装前保险杠", D("1.5"), D("300.00")),
    ]


def test_damage_assessment_totals_and_the_insurers_approval() -> None:
    assert assessment_totals(items()) == (D("2880.00"), None)
    approved = apply_approval(items(), {1: D("1500"), 2: D("900"), 3: D("280")})
    assert assessment_totals(approved) == (D("2880.00"), D("2680.00"))
    with pytest.raises(ValidationFailed) as caught:
        apply_approval(items(), {1: D("1500"), 2: D("900")})
    assert caught.value.code == "APPROVAL_INCOMPLETE"
    with pytest.raises(ValidationFailed) as caught:
        apply_approval(items(), {1: D("1"), 2: D("1"), 3: D("1"), 9: D("1")})
    assert caught.value.code == "UNKNOWN_ASSESSMENT_ITEM"


def test_documents_checklist() -> None:
    assert missing_documents({}) == list(INSURANCE_DOCUMENTS)
    received = dict.fromkeys(INSURANCE_DOCUMENTS, True)
    assert missing_documents(received) == []
    assert missing_documents({**received, "repair_invoice": False}) == ["repair_invoice"]


def test_insurance_claim_states() -> None:
    assert next_insurance_status("intake", "assess") == "assessed"
    assert next_insurance_status("assessed", "approve") == "approved"
    assert next_insurance_status("approved", "submit") == "submitted"
    assert next_insurance_status("submitted", "pay") == "paid"
    with pytest.raises(Conflict):
        next_insurance_status("intake", "submit")
    with pytest.raises(Conflict):
        next_insurance_status("paid", "edit")


def test_insurer_share_worked_example() -> None:
    rows = [
        InsuredRepair("site-pudong", "中国人保财险", D("1000")),
        InsuredRepair("site-pudong", "中国人保财险", D("2000")),
        InsuredRepair("site-pudong", "中国人保财险", D("3000")),
        InsuredRepair("site-pudong", "中国平安", D("4000")),
        InsuredRepair("site-suzhou", "中国平安", D("1500")),
    ]
    share = insurer_share(rows)
    # Pudong: PICC 3 of 4 repairs, 6000 of 10000 yuan; Ping An 1 of 4, 4000 of 10000.
    assert share["sites"]["site-pudong"] == {
        "repairs": 4,
        "insurers": [
            {
                "insurer": "中国人保财险",
                "repairs": 3,
                "share": "0.7500",
                "amount": "6000.00",
                "amount_share": "0.6000",
            },
            {
                "insurer": "中国平安",
                "repairs": 1,
                "share": "0.2500",
                "amount": "4000.00",
                "amount_share": "0.4000",
            },
        ],
    }
    # All: PICC 3/5 and 6000/11500 = 0.5217; Ping An 2/5 and 5500/11500 = 0.4783.
    total = {row["insurer"]: row for row in share["total"]["insurers"]}
    assert (total["中国人保财险"]["share"], total["中国人保财险"]["amount_share"]) == (
        "0.6000",
        "0.5217",
    )
    assert (total["中国平安"]["share"], total["中国平安"]["amount_share"]) == ("0.4000", "0.4783")


def test_month_bounds() -> None:
    assert month_bounds("2026-11") == (date(2026, 11, 1), date(2026, 12, 1))
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    for bad in ("2026-13", "november", "", "2026"):
        with pytest.raises(ValidationFailed):
            month_bounds(bad)


def test_money_from_the_oem_must_add_up() -> None:
    """An approval at another amount than claimed is refused (it is a partial one);
    a credit short of (or over) what was approved does not mark the claim paid."""
    from aftersales_claims.domain import payment_matches

    claimed = D("574.00")
    with pytest.raises(ValidationFailed) as caught:
        check_decision(Decision("approved", D("100.00"), None, None), claimed)
    assert caught.value.code == "BAD_DECISION" and "approved_amount" in caught.value.fields
    assert (
        check_decision(Decision("approved", claimed, None, None), claimed).approved_amount
        == claimed
    )
    assert payment_matches(D("574.00"), claimed) and payment_matches(D("574"), claimed)
    assert not payment_matches(D("564.00"), claimed)
    assert not payment_matches(D("584.00"), claimed)
    assert not payment_matches(D("574.00"), None)


def test_a_message_of_an_unknown_version_is_refused() -> None:
    from aftersales_claims.domain import check_version

    check_version("claim_payment", 1)
    with pytest.raises(ValidationFailed) as caught:
        check_version("claim_payment", 2)
    assert caught.value.code == "UNSUPPORTED_VERSION" and "version" in caught.value.fields
