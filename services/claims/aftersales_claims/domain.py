"""Claims' rules in plain Python: warranty coverage, pre-submission validation, the
claim's states, the warranty figures, and insurance claims.

Nothing here knows nameko or SQLAlchemy: the service loads facts into these
dataclasses, asks the rules, and saves what they answer.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aftersales_core.errors import Conflict, ValidationFailed

# Business dates (repair dates, periods, days to payment) are China Standard Time,
# which has no daylight saving: a fixed offset needs no time-zone database.
LOCAL_TZ = timezone(timedelta(hours=8), "CST")

MONEY_STEP = Decimal("0.01")
HOURS_STEP = Decimal("0.1")
RATE_STEP = Decimal("0.0001")

CLAIM_TYPES = ("ordinary", "first_maintenance", "campaign", "goodwill")
OUTCOMES = ("approved", "partly_approved", "rejected")
APPROVED_OUTCOMES = frozenset({"approved", "partly_approved"})

# A car does not plausibly cover more than this in a day between two readings.
MAX_DAILY_KM = 1000
# Readings of one visit (check-in, RO, delivery after a road test) agree to this many km.
VISIT_TOLERANCE_KM = 200
DEFAULT_DUPLICATE_WINDOW_DAYS = 90


def local_date(moment: datetime) -> date:
    """The calendar date in China of a moment (naive datetimes are UTC, as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).date()


def money(value: Decimal | str | int) -> Decimal:
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part ÷ whole to four places; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day (29 Feb -> 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One reason a claim cannot go to the OEM yet, on the field to fix."""

    code: str
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def findings_error(findings: Sequence[Finding]) -> ValidationFailed:
    """All findings at once, as one error whose fields name every field at fault."""
    fields: dict[str, list[str]] = defaultdict(list)
    for finding in findings:
        fields[finding.field].append(f"{finding.code}: {finding.message}")
    return ValidationFailed(
        f"the claim has {len(findings)} finding(s) to fix before it can be submitted",
        "CLAIM_NOT_VALID",
        dict(fields),
    )


# ---------------------------------------------------------------- warranty terms


@dataclass(frozen=True)
class WarrantyTerms:
    """An OEM's warranty for a brand (model "" ) or one of its models."""

    brand: str
    model: str  # "" = every model of the brand
    oem_id: str
    years: int  # vehicle warranty from the sale date ...
    km: int  # ... or this mileage, whichever comes first
    first_maintenance_months: int  # first free maintenance within ...
    first_maintenance_km: int  # ... or this mileage
    first_maintenance_operations: tuple[str, ...]  # labor operations that are first maintenance
    parts_months: int  # a part replaced at the dealer is warranted for ...
    parts_km: int  # ... or this distance from its fitting
    duplicate_window_days: int = DEFAULT_DUPLICATE_WINDOW_DAYS


def terms_for(
    all_terms: Iterable[WarrantyTerms], brand: str | None, model: str | None
) -> WarrantyTerms | None:
    """The model's own terms, else the brand's."""
    by_key = {(t.brand, t.model): t for t in all_terms}
    if brand is None:
        return None
    return by_key.get((brand, model or "")) or by_key.get((brand, ""))


@dataclass(frozen=True)
class Recall:
    recall_id: str
    oem_id: str
    vins: frozenset[str]
    labor_operation_code: str | None
    part_numbers: tuple[str, ...]
    starts_on: date
    ends_on: date | None


@dataclass(frozen=True)
class Coverage:
    """Whether the OEM pays for a repair, and until when / how far its warranty runs."""

    covered: bool
    basis: str  # vehicle, parts, first_maintenance, recall, goodwill, none
    ends_on: date | None
    km_limit: int | None
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "covered": self.covered,
            "basis": self.basis,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "km_limit": self.km_limit,
            "findings": [f.to_dict() for f in self.findings],
        }


def _last_day(start: date, months: int) -> date:
    """The last day of a period of `months` from `start`: the day before the anniversary.

    A start on a day the end month lacks (29 Feb, 31 Aug) has its anniversary on the
    first of the next month, so the period's last day is the end month's last day.
    """
    anniversary = add_months(start, months)
    if anniversary.day < start.day:
        return anniversary
    return anniversary - timedelta(days=1)


def coverage(
    terms: WarrantyTerms | None,
    *,
    claim_type: str,
    vin: str,
    sale_date: date | None,
    repair_date: date,
    mileage: int,
    part_fitted_on: date | None = None,
    part_fitted_mileage: int | None = None,
    recall: Recall | None = None,
) -> Coverage:
    """Judge a repair against the terms, on the day of repair and at its mileage.

    - ordinary: the vehicle warranty (years or km from the sale date, whichever
      first); a causal part replaced earlier at the dealer is also covered by the
      parts warranty from its fitting, even after the vehicle warranty ended;
    - first_maintenance: within its months or km from the sale date;
    - campaign: the VIN is listed in the recall and the repair falls in its window;
    - goodwill: the OEM's discretion, nothing to judge here.
    """
    findings: list[Finding] = []

    def fail(basis: str, ends_on: date | None = None, km: int | None = None) -> Coverage:
        return Coverage(False, basis, ends_on, km, tuple(findings))

    if claim_type == "goodwill":
        return Coverage(True, "goodwill", None, None, ())
    if claim_type == "campaign":
        if recall is None:
            findings.append(Finding("RECALL_UNKNOWN", "recall_id", "no such recall or campaign"))
            return fail("recall")
        if vin not in recall.vins:
            findings.append(
                Finding("VIN_NOT_IN_RECALL", "vin", f"the VIN is not listed in {recall.recall_id}")
            )
        if repair_date < recall.starts_on or (recall.ends_on and repair_date > recall.ends_on):
            findings.append(
                Finding(
                    "RECALL_NOT_ACTIVE",
                    "repair_opened_on",
                    f"{recall.recall_id} runs {recall.starts_on} to {recall.ends_on or 'open end'}",
                )
            )
        return Coverage(not findings, "recall", recall.ends_on, None, tuple(findings))

    if terms is None:
        findings.append(
            Finding("NO_WARRANTY_TERMS", "vin", "no warranty terms for this brand and model")
        )
        return fail("none")
    if sale_date is None:
        findings.append(Finding("SALE_DATE_UNKNOWN", "sale_date", "the sale date is not known"))
        return fail("none")
    if repair_date < sale_date:
        findings.append(
            Finding("REPAIR_BEFORE_SALE", "repair_opened_on", f"the car was sold on {sale_date}")
        )
        return fail("none")

    if claim_type == "first_maintenance":
        ends_on = _last_day(sale_date, terms.first_maintenance_months)
        if repair_date > ends_on:
            findings.append(
                Finding(
                    "FIRST_MAINTENANCE_EXPIRED",
                    "repair_opened_on",
                    f"first maintenance was due by {ends_on}",
                )
            )
        if mileage > terms.first_maintenance_km:
            findings.append(
                Finding(
                    "FIRST_MAINTENANCE_MILEAGE_EXCEEDED",
                    "mileage",
                    f"first maintenance was due by {terms.first_maintenance_km} km",
                )
            )
        return Coverage(
            not findings, "first_maintenance", ends_on, terms.first_maintenance_km, tuple(findings)
        )

    ends_on = _last_day(sale_date, terms.years * 12)
    vehicle: list[Finding] = []
    if repair_date > ends_on:
        vehicle.append(
            Finding(
                "WARRANTY_EXPIRED", "repair_opened_on", f"the vehicle warranty ended on {ends_on}"
            )
        )
    if mileage > terms.km:
        vehicle.append(
            Finding(
                "WARRANTY_MILEAGE_EXCEEDED",
                "mileage",
                f"the vehicle warranty ends at {terms.km} km",
            )
        )
    if not vehicle:
        return Coverage(True, "vehicle", ends_on, terms.km, ())
    if part_fitted_on is None:
        return Coverage(False, "vehicle", ends_on, terms.km, tuple(vehicle))

    parts_ends_on = _last_day(part_fitted_on, terms.parts_months)
    parts_km_limit = (part_fitted_mileage or 0) + terms.parts_km
    if repair_date > parts_ends_on:
        findings.append(
            Finding(
                "PART_WARRANTY_EXPIRED",
                "part_fitted_on",
                f"the replaced part's warranty ended on {parts_ends_on}",
            )
        )
    if mileage > parts_km_limit:
        findings.append(
            Finding(
                "PART_WARRANTY_MILEAGE_EXCEEDED",
                "mileage",
                f"the replaced part's warranty ends at {parts_km_limit} km",
            )
        )
    if findings:
        findings[:0] = vehicle
        return fail("parts", parts_ends_on, parts_km_limit)
    return Coverage(True, "parts", parts_ends_on, parts_km_limit, ())


# ---------------------------------------------------------------- warranty claims


@dataclass(frozen=True)
class LaborLine:
    operation_code: str
    description: str
    hours: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PartLine:
    part_number: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    old_part_tag: str | None = None


@dataclass(frozen=True)
class SubletLine:
    description: str
    amount: Decimal


@dataclass(frozen=True)
class Appraisal:
    """The technical appraisal: is the fault one the OEM warrants?"""

    finding: str
    warranty_fault: bool
    appraised_by: str


@dataclass(frozen=True)
class ClaimFacts:
    """What a claim says, as validation needs it."""

    claim_id: str
    claim_type: str
    vin: str
    mileage: int | None
    repair_opened_on: date | None
    repair_completed_on: date | None
    complaint: str | None = None
    cause: str | None = None
    correction: str | None = None
    causal_part_number: str | None = None
    recall_id: str | None = None
    appraisal: Appraisal | None = None
    part_fitted_on: date | None = None
    part_fitted_mileage: int | None = None
    labor: tuple[LaborLine, ...] = ()
    parts: tuple[PartLine, ...] = ()
    sublets: tuple[SubletLine, ...] = ()


@dataclass(frozen=True)
class VehicleFacts:
    vin: str
    brand: str
    model: str
    sale_date: date | None


@dataclass(frozen=True)
class MileageReading:
    read_on: date
    mileage: int
    source: str


@dataclass(frozen=True)
class LaborAllowance:
    """A labor-time catalog entry: the most hours a claim may carry for the operation."""

    code: str
    standard_hours: Decimal
    models: tuple[str, ...] = ()  # empty = every model


@dataclass(frozen=True)
class OtherClaim:
    """Another claim on the same VIN, for the duplicate check."""

    claim_id: str
    claim_number: str
    claim_type: str
    causal_part_number: str | None
    recall_id: str | None
    repair_opened_on: date | None
    status: str


def claimed_amount(
    labor: Iterable[LaborLine], parts: Iterable[PartLine], sublets: Iterable[SubletLine]
) -> Decimal:
    total = sum((line.amount for line in (*labor, *parts, *sublets)), Decimal("0"))
    return money(total)


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _required(claim: ClaimFacts) -> list[Finding]:
    found: list[Finding] = []

    def need(field_name: str, what: str) -> None:
        found.append(Finding("REQUIRED", field_name, f"{what} is required"))

    textual = claim.claim_type != "first_maintenance"
    if claim.mileage is None or claim.mileage <= 0:
        need("mileage", "the mileage on the day of repair")
    if claim.repair_opened_on is None:
        need("repair_opened_on", "the date the repair began")
    if claim.repair_completed_on is None:
        need("repair_completed_on", "the date the repair was completed")
    if textual and _blank(claim.complaint):
        need("complaint", "the customer's complaint")
    if textual and _blank(claim.cause):
        need("cause", "the cause of the fault")
    if textual and _blank(claim.correction):
        need("correction", "the correction made")
    if claim.claim_type in ("ordinary", "goodwill") and _blank(claim.causal_part_number):
        need("causal_part_number", "the causal part")
    if claim.claim_type == "campaign" and _blank(claim.recall_id):
        need("recall_id", "the recall or campaign")
    if claim.claim_type in ("ordinary", "goodwill"):
        if claim.appraisal is None:
            need("appraisal", "the technical appraisal")
        elif not claim.appraisal.warranty_fault:
            found.append(
                Finding(
                    "APPRAISAL_NOT_WARRANTY",
                    "appraisal",
                    "the technical appraisal found no warranty fault",
                )
            )
    if not claim.labor and not claim.parts and not claim.sublets:
        found.append(Finding("NOTHING_CLAIMED", "labor", "a claim needs labor, parts or sublet"))
    return found


def _dates(claim: ClaimFacts, today: date) -> list[Finding]:
    found: list[Finding] = []
    opened, completed = claim.repair_opened_on, claim.repair_completed_on
    if opened and completed and completed < opened:
        found.append(
            Finding("REPAIR_DATES_REVERSED", "repair_completed_on", "completed before it began")
        )
    for name, value in (("repair_opened_on", opened), ("repair_completed_on", completed)):
        if value and value > today:
            found.append(Finding("REPAIR_DATE_IN_FUTURE", name, f"{value} is after today"))
    return found


def _mileage(claim: ClaimFacts, readings: Sequence[MileageReading]) -> list[Finding]:
    """The claim's mileage against the vehicle's recorded readings.

    Readings before the repair began may not exceed it; readings after it was
    completed may not be below it; readings of the visit itself (check-in, the
    RO, delivery after a road test) may differ by at most VISIT_TOLERANCE_KM; and
    the car may not have covered more than MAX_DAILY_KM a day since the last
    earlier reading.
    """
    if claim.mileage is None or claim.repair_opened_on is None:
        return []
    opened, mileage = claim.repair_opened_on, claim.mileage
    completed = max(opened, claim.repair_completed_on or opened)
    found: list[Finding] = []
    earlier = [r for r in readings if r.read_on < opened]
    during = [r for r in readings if opened <= r.read_on <= completed]
    later = [r for r in readings if r.read_on > completed]
    if above := [r for r in earlier if r.mileage > mileage]:
        worst = max(above, key=lambda r: r.mileage)
        found.append(
            Finding(
                "MILEAGE_BELOW_HISTORY",
                "mileage",
                f"{worst.mileage} km was already recorded on {worst.read_on} ({worst.source})",
            )
        )
    if off := [r for r in during if abs(r.mileage - mileage) > VISIT_TOLERANCE_KM]:
        worst = max(off, key=lambda r: abs(r.mileage - mileage))
        found.append(
            Finding(
                "MILEAGE_DIFFERS_FROM_VISIT",
                "mileage",
                f"this visit recorded {worst.mileage} km on {worst.read_on} ({worst.source})",
            )
        )
    if below := [r for r in later if r.mileage < mileage]:
        worst = min(below, key=lambda r: r.mileage)
        found.append(
            Finding(
                "MILEAGE_ABOVE_LATER_READING",
                "mileage",
                f"only {worst.mileage} km was recorded later, on {worst.read_on} ({worst.source})",
            )
        )
    if before := [r for r in earlier if r.mileage <= mileage]:
        last = max(before, key=lambda r: (r.read_on, r.mileage))
        days = (opened - last.read_on).days
        if (mileage - last.mileage) > MAX_DAILY_KM * days:
            found.append(
                Finding(
                    "MILEAGE_IMPLAUSIBLE",
                    "mileage",
                    f"{mileage - last.mileage} km in {days} day(s) since {last.read_on} "
                    f"is more than {MAX_DAILY_KM} km a day",
                )
            )
    return found


def _labor(
    claim: ClaimFacts, vehicle: VehicleFacts | None, catalog: dict[str, LaborAllowance]
) -> list[Finding]:
    found: list[Finding] = []
    for index, line in enumerate(claim.labor):
        entry = catalog.get(line.operation_code)
        where = f"labor[{index}]"
        if entry is None:
            found.append(
                Finding(
                    "LABOR_OPERATION_UNKNOWN",
                    f"{where}.operation_code",
                    f"{line.operation_code} is not in the labor-time catalog",
                )
            )
            continue
        if entry.models and vehicle is not None and vehicle.model not in entry.models:
            found.append(
                Finding(
                    "LABOR_OPERATION_NOT_FOR_MODEL",
                    f"{where}.operation_code",
                    f"{line.operation_code} does not apply to the {vehicle.model}",
                )
            )
        if line.hours > entry.standard_hours:
            found.append(
                Finding(
                    "LABOR_HOURS_ABOVE_CATALOG",
                    f"{where}.hours",
                    f"{line.hours} h claimed; the catalog allows {entry.standard_hours} h "
                    f"for {line.operation_code}",
                )
            )
    return found


def _duplicates(claim: ClaimFacts, others: Sequence[OtherClaim], window_days: int) -> list[Finding]:
    found: list[Finding] = []
    live = [o for o in others if o.claim_id != claim.claim_id and o.status != "withdrawn"]
    if claim.claim_type == "first_maintenance":
        for other in live:
            if other.claim_type == "first_maintenance":
                found.append(
                    Finding(
                        "FIRST_MAINTENANCE_ALREADY_CLAIMED",
                        "claim_type",
                        f"claim {other.claim_number} already claims the first maintenance",
                    )
                )
        return found
    if claim.claim_type == "campaign" and claim.recall_id:
        for other in live:
            if other.claim_type == "campaign" and other.recall_id == claim.recall_id:
                found.append(
                    Finding(
                        "DUPLICATE_RECALL_CLAIM",
                        "recall_id",
                        f"claim {other.claim_number} already claims {claim.recall_id}",
                    )
                )
        return found
    if _blank(claim.causal_part_number) or claim.repair_opened_on is None:
        return found
    for other in live:
        if other.causal_part_number != claim.causal_part_number or other.repair_opened_on is None:
            continue
        if abs((other.repair_opened_on - claim.repair_opened_on).days) <= window_days:
            found.append(
                Finding(
                    "DUPLICATE_CLAIM",
                    "causal_part_number",
                    f"claim {other.claim_number} claims {claim.causal_part_number} on this VIN "
                    f"within {window_days} days",
                )
            )
    return found


def _old_parts(claim: ClaimFacts) -> list[Finding]:
    """Replaced parts are kept for the OEM; first-maintenance consumables are not."""
    if claim.claim_type == "first_maintenance":
        return []
    return [
        Finding(
            "OLD_PART_TAG_MISSING",
            f"parts[{index}].old_part_tag",
            f"the old {line.part_number} needs its tag before the claim goes out",
        )
        for index, line in enumerate(claim.parts)
        if _blank(line.old_part_tag)
    ]


def validate_claim(
    claim: ClaimFacts,
    *,
    vehicle: VehicleFacts | None,
    terms: WarrantyTerms | None,
    readings: Sequence[MileageReading],
    catalog: dict[str, LaborAllowance],
    others: Sequence[OtherClaim],
    recall: Recall | None,
    today: date,
) -> list[Finding]:
    """Every finding at once, so the clerk fixes the claim in one pass."""
    found = _required(claim) + _dates(claim, today)
    if vehicle is None:
        found.append(Finding("VEHICLE_UNKNOWN", "vin", "the vehicle is not known to claims"))
    if claim.repair_opened_on is not None and claim.mileage is not None:
        judged = coverage(
            terms,
            claim_type=claim.claim_type,
            vin=claim.vin,
            sale_date=vehicle.sale_date if vehicle else None,
            repair_date=claim.repair_opened_on,
            mileage=claim.mileage,
            part_fitted_on=claim.part_fitted_on,
            part_fitted_mileage=claim.part_fitted_mileage,
            recall=recall,
        )
        found.extend(f for f in judged.findings if vehicle is not None or f.field != "sale_date")
        if claim.claim_type == "goodwill" and terms is None and vehicle is not None:
            found.append(
                Finding("NO_WARRANTY_TERMS", "vin", "no OEM terms for this brand: no OEM to ask")
            )
    found += _mileage(claim, readings)
    found += _labor(claim, vehicle, catalog)
    window = terms.duplicate_window_days if terms else DEFAULT_DUPLICATE_WINDOW_DAYS
    found += _duplicates(claim, others, window)
    found += _old_parts(claim)
    return found


def guess_claim_type(
    labor_codes: Sequence[str],
    part_numbers: Sequence[str],
    terms: WarrantyTerms | None,
    recalls: Sequence[Recall],
) -> tuple[str, str | None]:
    """A drafted claim's type (and recall) from its lines; the clerk may change it."""
    for recall in recalls:
        if (recall.labor_operation_code and recall.labor_operation_code in labor_codes) or (
            set(recall.part_numbers) & set(part_numbers)
        ):
            return "campaign", recall.recall_id
    if terms and labor_codes and set(labor_codes) <= set(terms.first_maintenance_operations):
        return "first_maintenance", None
    return "ordinary", None


# ---------------------------------------------------------------- the claim's states

# (status, action) -> next status.  Decisions come from "submitted" or "appealed".
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "edit"): "draft",
    ("rejected", "edit"): "rejected",
    ("draft", "submit"): "submitted",
    ("rejected", "submit"): "submitted",
    ("rejected", "appeal"): "appealed",
    ("partly_approved", "appeal"): "appealed",
    ("submitted", "approved"): "approved",
    ("submitted", "partly_approved"): "partly_approved",
    ("submitted", "rejected"): "rejected",
    ("appealed", "approved"): "approved",
    ("appealed", "partly_approved"): "partly_approved",
    ("appealed", "rejected"): "rejected",
    ("approved", "pay"): "paid",
    ("partly_approved", "pay"): "paid",
    ("draft", "withdraw"): "withdrawn",
    ("rejected", "withdraw"): "withdrawn",
}
STATUSES = (
    "draft",
    "submitted",
    "appealed",
    "approved",
    "partly_approved",
    "rejected",
    "paid",
    "withdrawn",
)


def next_status(status: str, action: str) -> str:
    """The status after `action`, or ILLEGAL_TRANSITION (409)."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise Conflict(
            f"a claim that is {status} does not allow: {action}",
            "ILLEGAL_TRANSITION",
            {"status": [status]},
        ) from None


@dataclass(frozen=True)
class Decision:
    """The OEM's answer to one submission, checked against the claim it answers."""

    outcome: str
    approved_amount: Decimal
    reason_code: str | None
    reason: str | None


def check_decision(decision: Decision, claimed: Decimal) -> Decision:
    """An approval pays the claim in full; a partial one pays less than claimed, with a
    reason; a rejection pays nothing and carries a reason code."""
    if decision.outcome not in OUTCOMES:
        raise ValidationFailed.on("outcome", f"unknown outcome {decision.outcome}", "BAD_DECISION")
    amount = money(decision.approved_amount)
    if amount < 0:
        raise ValidationFailed.on("approved_amount", "may not be negative", "BAD_DECISION")
    if decision.outcome == "approved":
        amount = claimed  # approved as claimed, whatever amount field came along
    if decision.outcome == "rejected":
        if not decision.reason_code:
            raise ValidationFailed.on(
                "reason_code", "a rejection needs a reason code", "BAD_DECISION"
            )
        amount = Decimal("0.00")
    if decision.outcome == "partly_approved":
        if not decision.reason_code and not decision.reason:
            raise ValidationFailed.on("reason", "a partial approval needs a reason", "BAD_DECISION")
        if amount >= claimed:
            raise ValidationFailed.on(
                "approved_amount", "a partial approval pays less than claimed", "BAD_DECISION"
            )
    return Decision(decision.outcome, money(amount), decision.reason_code, decision.reason)


def days_to_payment(first_submitted_on: date, paid_on: date) -> int:
    return max(0, (paid_on - first_submitted_on).days)


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class DecisionRecord:
    submission_count: int
    outcome: str
    reason_code: str | None


@dataclass(frozen=True)
class ClaimRecord:
    """A submitted claim, as the figures see it."""

    claim_id: str
    site_id: str
    first_submitted_on: date
    claimed_amount: Decimal
    approved_amount: Decimal | None
    paid_amount: Decimal | None
    paid_on: date | None
    decisions: tuple[DecisionRecord, ...] = ()


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def warranty_figures(records: Sequence[ClaimRecord]) -> dict[str, Any]:
    """The warranty figures of the claims first submitted in a period.

    - first-pass approval rate = claims approved (fully or partly) on their first
      submission ÷ claims submitted;
    - rejection rate by reason = rejections with that reason code ÷ decisions
      received for those claims (every submission is decided once);
    - days to payment = calendar days from first submission to the credit, per
      paid claim (average and longest);
    - claimed vs paid = the claims' current claimed amounts against the amounts
      approved and credited.
    """
    submitted = len(records)
    first_pass = sum(
        1
        for r in records
        if any(d.submission_count == 1 and d.outcome in APPROVED_OUTCOMES for d in r.decisions)
    )
    decisions = [d for r in records for d in r.decisions]
    rejections = Counter(d.reason_code or "" for d in decisions if d.outcome == "rejected")
    paid = [r for r in records if r.paid_on is not None]
    days = [days_to_payment(r.first_submitted_on, r.paid_on) for r in paid if r.paid_on]
    claimed = money(sum((r.claimed_amount for r in records), Decimal("0")))
    approved = money(sum((r.approved_amount or Decimal("0") for r in records), Decimal("0")))
    paid_total = money(sum((r.paid_amount or Decimal("0") for r in paid), Decimal("0")))
    average = (
        (Decimal(sum(days)) / len(days)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
        if days
        else None
    )
    return {
        "claims_submitted": submitted,
        "first_pass_approved": first_pass,
        "first_pass_approval_rate": _text(ratio(first_pass, submitted)),
        "decisions": len(decisions),
        "rejections": sum(rejections.values()),
        "rejection_rate": _text(ratio(sum(rejections.values()), len(decisions))),
        "rejections_by_reason": [
            {"reason_code": code, "count": count, "rate": _text(ratio(count, len(decisions)))}
            for code, count in sorted(rejections.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "claims_paid": len(paid),
        "average_days_to_payment": _text(average),
        "max_days_to_payment": max(days) if days else None,
        "claimed_amount": str(claimed),
        "approved_amount": str(approved),
        "paid_amount": str(paid_total),
        "paid_share": _text(ratio(paid_total, claimed)),
    }


def figures_by_site(records: Sequence[ClaimRecord]) -> dict[str, Any]:
    """Each site's figures side by side, and the total over them."""
    sites: dict[str, list[ClaimRecord]] = defaultdict(list)
    for record in records:
        sites[record.site_id].append(record)
    return {
        "sites": {site: warranty_figures(rows) for site, rows in sorted(sites.items())},
        "total": warranty_figures(records),
    }


# ---------------------------------------------------------------- insurance claims

# The documents an insurer needs before it pays (理赔材料).
INSURANCE_DOCUMENTS: dict[str, str] = {
    "policy": "保险单",
    "vehicle_licence": "行驶证",
    "driving_licence": "驾驶证",
    "accident_report": "事故责任认定书",
    "assessment_sheet": "定损单",
    "repair_invoice": "维修发票",
    "owner_id": "车主身份证",
    "payment_authorisation": "赔款转账授权书",
}
ASSESSMENT_KINDS = ("labor", "part", "paint", "sublet")

INSURANCE_TRANSITIONS: dict[tuple[str, str], str] = {
    ("intake", "edit"): "intake",
    ("assessed", "edit"): "assessed",
    ("approved", "edit"): "approved",
    ("intake", "assess"): "assessed",
    ("assessed", "assess"): "assessed",
    ("approved", "assess"): "assessed",  # a supplementary assessment (二次定损) is approved anew
    ("assessed", "approve"): "approved",
    ("approved", "approve"): "approved",
    ("approved", "submit"): "submitted",
    ("submitted", "pay"): "paid",
    ("intake", "close"): "closed",
    ("assessed", "close"): "closed",
    ("approved", "close"): "closed",
}
INSURANCE_STATUSES = ("intake", "assessed", "approved", "submitted", "paid", "closed")


def next_insurance_status(status: str, action: str) -> str:
    try:
        return INSURANCE_TRANSITIONS[(status, action)]
    except KeyError:
        raise Conflict(
            f"an insurance claim that is {status} cannot {action}",
            "ILLEGAL_TRANSITION",
            {"status": [status]},
        ) from None


@dataclass(frozen=True)
class AssessmentItem:
    """One damage assessment line: the dealer's estimate and the insurer's approved amount."""

    item_no: int
    kind: str
    description: str
    quantity: Decimal
    estimated_amount: Decimal
    part_number: str | None = None
    approved_amount: Decimal | None = None


def assessment_totals(items: Sequence[AssessmentItem]) -> tuple[Decimal, Decimal | None]:
    """(estimated, approved); approved is None until the insurer approved every item."""
    estimated = money(sum((i.estimated_amount for i in items), Decimal("0")))
    if not items or any(i.approved_amount is None for i in items):
        return estimated, None
    return estimated, money(sum((i.approved_amount or Decimal("0") for i in items), Decimal("0")))


def apply_approval(
    items: Sequence[AssessmentItem], approved: dict[int, Decimal]
) -> list[AssessmentItem]:
    """The insurer's amounts onto the items; every item must be answered, none invented."""
    known = {i.item_no for i in items}
    unknown = sorted(set(approved) - known)
    if unknown:
        raise ValidationFailed.on(
            "items", f"no assessment item {unknown[0]}", "UNKNOWN_ASSESSMENT_ITEM"
        )
    missing = sorted(known - set(approved))
    if missing:
        raise ValidationFailed.on(
            "items", f"item {missing[0]} has no approved amount", "APPROVAL_INCOMPLETE"
        )
    result = []
    for item in items:
        amount = money(approved[item.item_no])
        if amount < 0:
            raise ValidationFailed.on("items", "approved amounts may not be negative", "NEGATIVE")
        result.append(
            AssessmentItem(
                item.item_no,
                item.kind,
                item.description,
                item.quantity,
                item.estimated_amount,
                item.part_number,
                amount,
            )
        )
    return result


def missing_documents(received: dict[str, bool]) -> list[str]:
    return [code for code in INSURANCE_DOCUMENTS if not received.get(code)]


@dataclass(frozen=True)
class InsuredRepair:
    site_id: str
    insurer: str
    repair_amount: Decimal


@dataclass
class _Share:
    repairs: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0"))


def _shares(rows: Sequence[InsuredRepair]) -> list[dict[str, Any]]:
    by_insurer: dict[str, _Share] = defaultdict(_Share)
    for row in rows:
        by_insurer[row.insurer].repairs += 1
        by_insurer[row.insurer].amount += row.repair_amount
    total_repairs = len(rows)
    total_amount = sum((r.repair_amount for r in rows), Decimal("0"))
    return [
        {
            "insurer": insurer,
            "repairs": share.repairs,
            "share": _text(ratio(share.repairs, total_repairs)),
            "amount": str(money(share.amount)),
            "amount_share": _text(ratio(share.amount, total_amount)),
        }
        for insurer, share in sorted(by_insurer.items(), key=lambda kv: (-kv[1].repairs, kv[0]))
    ]


def insurer_share(rows: Sequence[InsuredRepair]) -> dict[str, Any]:
    """The month's accident repairs per insurer: count and amount, and each one's share,
    per site and over all the sites given (the report due by the 5th)."""
    sites: dict[str, list[InsuredRepair]] = defaultdict(list)
    for row in rows:
        sites[row.site_id].append(row)
    return {
        "sites": {
            site: {"repairs": len(items), "insurers": _shares(items)}
            for site, items in sorted(sites.items())
        },
        "total": {"repairs": len(rows), "insurers": _shares(rows)},
    }


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' -> (2026-11-01, 2026-12-01): the first day and the first day after."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except (ValueError, TypeError):
        raise ValidationFailed.on("month", "a month is written YYYY-MM", "INVALID_MONTH") from None
    return start, add_months(start, 1)


def oem_for(claim_type: str, terms: WarrantyTerms | None, recall: Recall | None) -> str | None:
    """Who pays: the recall's OEM for a campaign claim, else the brand's warranty OEM."""
    if claim_type == "campaign" and recall is not None:
        return recall.oem_id
    return terms.oem_id if terms else None
