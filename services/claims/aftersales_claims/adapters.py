"""Between the tables and the rules: load facts for the domain, number claims, build
the messages that leave the service.  No nameko here either."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aftersales_core.envelope import as_utc
from aftersales_core.history import apply_changes  # noqa: F401 - re-exported
from aftersales_core.ids import new_id  # noqa: F401 - re-exported
from aftersales_core.pages import page

from .domain import (
    LOCAL_TZ,
    Appraisal,
    AssessmentItem,
    ClaimFacts,
    ClaimRecord,
    DecisionRecord,
    Finding,
    LaborAllowance,
    LaborLine,
    MileageReading,
    OtherClaim,
    PartLine,
    Recall,
    SubletLine,
    VehicleFacts,
    WarrantyTerms,
    local_date,
    money,
    terms_for,
    validate_claim,
)
from .models import (
    LaborAllowanceRow,
    MileageReadingRow,
    NumberSequence,
    RecallRow,
    RecallVehicle,
    Vehicle,
    WarrantyClaim,
    WarrantyTermsRow,
)

# ---------------------------------------------------------------- conversions


def terms_of(row: WarrantyTermsRow) -> WarrantyTerms:
    return WarrantyTerms(
        brand=row.brand,
        model=row.model,
        oem_id=row.oem_id,
        years=row.years,
        km=row.km,
        first_maintenance_months=row.first_maintenance_months,
        first_maintenance_km=row.first_maintenance_km,
        first_maintenance_operations=tuple(row.first_maintenance_operations or ()),
        parts_months=row.parts_months,
        parts_km=row.parts_km,
        duplicate_window_days=row.duplicate_window_days,
    )


def recall_of(row: RecallRow) -> Recall:
    return Recall(
        recall_id=row.recall_id,
        oem_id=row.oem_id,
        vins=frozenset(row.vins or ()),
        labor_operation_code=row.labor_operation_code,
        part_numbers=tuple(row.part_numbers or ()),
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    )


def vehicle_of(row: Vehicle | None) -> VehicleFacts | None:
    if row is None:
        return None
    return VehicleFacts(row.vin, row.brand, row.model, row.sale_date)


def labor_lines(rows: list[dict[str, Any]]) -> tuple[LaborLine, ...]:
    return tuple(
        LaborLine(r["operation_code"], r["description"], Decimal(r["hours"]), Decimal(r["amount"]))
        for r in rows
    )


def part_lines(rows: list[dict[str, Any]]) -> tuple[PartLine, ...]:
    return tuple(
        PartLine(
            r["part_number"],
            r["description"],
            Decimal(r["quantity"]),
            Decimal(r["unit_price"]),
            Decimal(r["amount"]),
            r.get("old_part_tag"),
        )
        for r in rows
    )


def sublet_lines(rows: list[dict[str, Any]]) -> tuple[SubletLine, ...]:
    return tuple(SubletLine(r["description"], Decimal(r["amount"])) for r in rows)


def claim_facts(claim: WarrantyClaim) -> ClaimFacts:
    appraisal = claim.appraisal
    return ClaimFacts(
        claim_id=claim.claim_id,
        claim_type=claim.claim_type,
        vin=claim.vin,
        mileage=claim.mileage,
        repair_opened_on=claim.repair_opened_on,
        repair_completed_on=claim.repair_completed_on,
        complaint=claim.complaint,
        cause=claim.cause,
        correction=claim.correction,
        causal_part_number=claim.causal_part_number,
        recall_id=claim.recall_id,
        appraisal=(
            Appraisal(appraisal["finding"], bool(appraisal["warranty_fault"]), appraisal["by"])
            if appraisal
            else None
        ),
        part_fitted_on=claim.part_fitted_on,
        part_fitted_mileage=claim.part_fitted_mileage,
        labor=labor_lines(claim.labor_lines),
        parts=part_lines(claim.part_lines),
        sublets=sublet_lines(claim.sublet_lines),
    )


# Lines as stored: JSON primitives (decimal strings), numbered from 1 within each list.


def stored_labor(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "line_no": n,
            "operation_code": line["operation_code"],
            "description": line["description"],
            "hours": str(Decimal(line["hours"])),
            "amount": str(money(line["amount"])),
        }
        for n, line in enumerate(lines, 1)
    ]


def stored_parts(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stored = []
    for n, line in enumerate(lines, 1):
        quantity, unit_price = Decimal(line["quantity"]), money(line["unit_price"])
        amount = money(line["amount"]) if "amount" in line else money(quantity * unit_price)
        stored.append(
            {
                "line_no": n,
                "part_number": line["part_number"],
                "description": line["description"],
                "quantity": str(quantity),
                "unit_price": str(unit_price),
                "amount": str(amount),
                "old_part_tag": line.get("old_part_tag") or None,
                "old_part_status": "kept",
            }
        )
    return stored


def stored_sublets(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"line_no": n, "description": line["description"], "amount": str(money(line["amount"]))}
        for n, line in enumerate(lines, 1)
    ]


def assessment_items(rows: list[dict[str, Any]]) -> list[AssessmentItem]:
    return [
        AssessmentItem(
            item_no=r["item_no"],
            kind=r["kind"],
            description=r["description"],
            quantity=Decimal(r["quantity"]),
            estimated_amount=Decimal(r["estimated_amount"]),
            part_number=r.get("part_number"),
            approved_amount=(
                Decimal(r["approved_amount"]) if r.get("approved_amount") is not None else None
            ),
        )
        for r in rows
    ]


def stored_items(items: list[AssessmentItem]) -> list[dict[str, Any]]:
    return [
        {
            "item_no": i.item_no,
            "kind": i.kind,
            "description": i.description,
            "part_number": i.part_number,
            "quantity": str(i.quantity),
            "estimated_amount": str(money(i.estimated_amount)),
            "approved_amount": None if i.approved_amount is None else str(i.approved_amount),
        }
        for i in items
    ]


# ---------------------------------------------------------------- loading


def group_terms(session: Session, group_id: str) -> list[WarrantyTerms]:
    rows = session.scalars(select(WarrantyTermsRow).where(WarrantyTermsRow.group_id == group_id))
    return [terms_of(row) for row in rows]


def terms_for_vehicle(session: Session, group_id: str, vehicle: Vehicle | None) -> Any:
    if vehicle is None:
        return None
    return terms_for(group_terms(session, group_id), vehicle.brand, vehicle.model)


def readings(session: Session, group_id: str, vin: str) -> list[MileageReading]:
    rows = session.scalars(
        select(MileageReadingRow).where(
            MileageReadingRow.group_id == group_id, MileageReadingRow.vin == vin
        )
    )
    return [MileageReading(local_date(r.read_at), r.mileage, r.source) for r in rows]


def catalog(session: Session, group_id: str) -> dict[str, LaborAllowance]:
    rows = session.scalars(select(LaborAllowanceRow).where(LaborAllowanceRow.group_id == group_id))
    return {
        r.code: LaborAllowance(r.code, Decimal(r.standard_hours), tuple(r.models or ()))
        for r in rows
    }


def other_claims(session: Session, claim: WarrantyClaim) -> list[OtherClaim]:
    rows = session.scalars(
        select(WarrantyClaim).where(
            WarrantyClaim.group_id == claim.group_id,
            WarrantyClaim.vin == claim.vin,
            WarrantyClaim.claim_id != claim.claim_id,
        )
    )
    return [
        OtherClaim(
            r.claim_id,
            r.claim_number,
            r.claim_type,
            r.causal_part_number,
            r.recall_id,
            r.repair_opened_on,
            r.status,
        )
        for r in rows
    ]


def recall_row(session: Session, group_id: str, recall_id: str | None) -> RecallRow | None:
    return session.get(RecallRow, (group_id, recall_id)) if recall_id else None


def recalls_of_vin(session: Session, group_id: str, vin: str) -> list[RecallRow]:
    return list(
        session.scalars(
            select(RecallRow)
            .join(
                RecallVehicle,
                (RecallVehicle.group_id == RecallRow.group_id)
                & (RecallVehicle.recall_id == RecallRow.recall_id),
            )
            .where(RecallVehicle.group_id == group_id, RecallVehicle.vin == vin)
            .order_by(RecallRow.starts_on.desc(), RecallRow.recall_id)
        )
    )


def active_recalls(session: Session, group_id: str, vin: str, on: date) -> list[Recall]:
    """The recalls listing the VIN whose window contains the day."""
    return [
        recall_of(r)
        for r in recalls_of_vin(session, group_id, vin)
        if r.starts_on <= on and (r.ends_on is None or on <= r.ends_on)
    ]


def set_recall_vehicles(session: Session, group_id: str, recall_id: str, vins: list[str]) -> None:
    session.execute(
        delete(RecallVehicle).where(
            RecallVehicle.group_id == group_id, RecallVehicle.recall_id == recall_id
        )
    )
    session.add_all(RecallVehicle(group_id=group_id, recall_id=recall_id, vin=v) for v in vins)


def findings(session: Session, claim: WarrantyClaim, today: date) -> list[Finding]:
    """Gather what validation needs about a claim and ask the rules."""
    vehicle = session.get(Vehicle, (claim.group_id, claim.vin))
    recall = recall_row(session, claim.group_id, claim.recall_id)
    return validate_claim(
        claim_facts(claim),
        vehicle=vehicle_of(vehicle),
        terms=terms_for_vehicle(session, claim.group_id, vehicle),
        readings=readings(session, claim.group_id, claim.vin),
        catalog=catalog(session, claim.group_id),
        others=other_claims(session, claim),
        recall=recall_of(recall) if recall else None,
        today=today,
    )


def claim_record(claim: WarrantyClaim) -> ClaimRecord:
    assert claim.first_submitted_at is not None
    return ClaimRecord(
        claim_id=claim.claim_id,
        site_id=claim.site_id,
        first_submitted_on=local_date(claim.first_submitted_at),
        claimed_amount=Decimal(claim.claimed_amount),
        approved_amount=(
            Decimal(claim.approved_amount) if claim.approved_amount is not None else None
        ),
        paid_amount=Decimal(claim.paid_amount) if claim.paid_amount is not None else None,
        paid_on=claim.paid_on,
        decisions=tuple(
            DecisionRecord(d.submission_count, d.outcome, d.reason_code)
            for d in claim.decisions
            if d.applied
        ),
    )


def local_day_start(day: date) -> datetime:
    """Midnight in China of `day`, as an aware datetime (for SQL range filters)."""
    return datetime.combine(day, time(0), LOCAL_TZ)


def filtered_page(
    session: Session,
    stmt: Any,
    model: Any,
    key: Any,
    fields: dict[str, Any],
    equal: tuple[str, ...],
    dump: Any,
) -> dict[str, Any]:
    """A page of claims (newest first) narrowed by the query's equality filters, its VIN
    and its period (`from`/`to`: made on those days)."""
    for name in equal:
        if fields.get(name):
            stmt = stmt.where(getattr(model, name) == fields[name])
    if fields.get("vin"):
        stmt = stmt.where(model.vin == fields["vin"].upper())
    stmt = stmt.where(*within(model.created_at, fields.get("date_from"), fields.get("date_to")))
    return page(
        session,
        stmt,
        (model.created_at, key),
        limit=fields["limit"],
        cursor=fields["cursor"],
        dump=dump,
    )


def within(column: Any, first: date | None, last: date | None) -> list[Any]:
    """SQL conditions: a timestamp column on the days `first`..`last` in China time
    (either end may be open)."""
    conditions = []
    if first is not None:
        conditions.append(column >= local_day_start(first))
    if last is not None:
        conditions.append(column < local_day_start(last + timedelta(days=1)))
    return conditions


def aware(value: str | datetime) -> datetime:
    """An ISO string (or datetime) as an aware UTC datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def insert_missing(session: Session, model: type, **values: Any) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: a concurrent inserter of the same key makes
    this wait for its commit, then do nothing (instead of failing the transaction)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def locked(session: Session, model: type, *where: Any) -> Any:
    """The row, locked for this transaction and freshly read."""
    return session.execute(
        select(model).where(*where).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def next_number(session: Session, site_id: str, kind: str, day: date) -> int:
    """The next number of a site's day, safe against concurrent callers."""
    insert_missing(session, NumberSequence, site_id=site_id, kind=kind, day=day, last=0)
    row = session.execute(
        select(NumberSequence)
        .where(
            NumberSequence.site_id == site_id,
            NumberSequence.kind == kind,
            NumberSequence.day == day,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    row.last += 1
    return row.last
