"""A warranty claim's facts and every finding that would stop it going to the OEM:
required fields, dates, coverage, mileage against the vehicle's readings, labor hours
against the catalog, duplicates, old-part tags. All findings at once, so the clerk
fixes the claim in one pass."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .common import Finding, money
from .coverage import DEFAULT_DUPLICATE_WINDOW_DAYS, Recall, WarrantyTerms, coverage

# A car does not plausibly cover more than this in a day between two readings.
MAX_DAILY_KM = 1000
# Readings of one visit (check-in, RO, delivery after a road test) agree to this many km.
VISIT_TOLERANCE_KM = 200


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
