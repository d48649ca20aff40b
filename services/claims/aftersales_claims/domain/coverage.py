"""Warranty coverage: the OEMs' terms per brand and model, recalls and campaigns, and
whether the OEM pays for a repair on its day and at its mileage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from .common import Finding, last_day

DEFAULT_DUPLICATE_WINDOW_DAYS = 90


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
        ends_on = last_day(sale_date, terms.first_maintenance_months)
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

    ends_on = last_day(sale_date, terms.years * 12)
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

    parts_ends_on = last_day(part_fitted_on, terms.parts_months)
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


def oem_for(claim_type: str, terms: WarrantyTerms | None, recall: Recall | None) -> str | None:
    """Who pays: the recall's OEM for a campaign claim, else the brand's warranty OEM."""
    if claim_type == "campaign" and recall is not None:
        return recall.oem_id
    return terms.oem_id if terms else None
