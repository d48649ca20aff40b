"""Claims' tables: reference data, what claims learns from reception, warranty and
insurance claims with their histories."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aftersales_core.models import declarative_base

Base = declarative_base()

_ID = String(40)
_MONEY = Numeric(12, 2)


# ---------------------------------------------------------------- reference data


class WarrantyTermsRow(Base):
    """An OEM's warranty terms for a brand (model "") or one model."""

    __tablename__ = "warranty_terms"

    group_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    brand: Mapped[str] = mapped_column(String(60), primary_key=True)
    model: Mapped[str] = mapped_column(String(100), primary_key=True)
    oem_id: Mapped[str] = mapped_column(_ID)
    years: Mapped[int] = mapped_column(Integer)
    km: Mapped[int] = mapped_column(Integer)
    first_maintenance_months: Mapped[int] = mapped_column(Integer)
    first_maintenance_km: Mapped[int] = mapped_column(Integer)
    first_maintenance_operations: Mapped[list[str]] = mapped_column(JSON, default=list)
    parts_months: Mapped[int] = mapped_column(Integer)
    parts_km: Mapped[int] = mapped_column(Integer)
    duplicate_window_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(80))


class LaborAllowanceRow(Base):
    """The labor-time catalog as claims checks it: standard hours per operation."""

    __tablename__ = "labor_allowances"

    group_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    description: Mapped[str] = mapped_column(String(300))
    standard_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)


# ---------------------------------------------------------------- learnt from events


class Vehicle(Base):
    """A vehicle of the group, from reception's vehicle_registered."""

    __tablename__ = "vehicles"

    group_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(_ID)
    site_id: Mapped[str | None] = mapped_column(_ID)
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(100))
    sale_date: Mapped[date | None] = mapped_column(Date)


class MileageReadingRow(Base):
    """One odometer reading of a vehicle, with the event it came from."""

    __tablename__ = "mileage_readings"
    __table_args__ = (Index("ix_mileage_readings_vehicle", "group_id", "vin"),)

    reading_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(_ID)
    vin: Mapped[str] = mapped_column(String(17))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mileage: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(60))
    source_id: Mapped[str | None] = mapped_column(_ID)


class RepairOrderRow(Base):
    """What claims knows of an RO: opened (type, complaint, mileage) and settled."""

    __tablename__ = "repair_orders"

    order_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    group_id: Mapped[str] = mapped_column(_ID)
    site_id: Mapped[str] = mapped_column(_ID)
    order_number: Mapped[str] = mapped_column(String(60))
    order_type: Mapped[str] = mapped_column(String(20))
    vin: Mapped[str] = mapped_column(String(17))
    vehicle_id: Mapped[str | None] = mapped_column(_ID)
    mileage: Mapped[int | None] = mapped_column(Integer)
    complaint: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecallRow(Base):
    """A recall or service campaign the OEM sent to the group."""

    __tablename__ = "recalls"
    __table_args__ = (Index("ix_recalls_page", "group_id", "starts_on", "recall_id"),)

    group_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    oem_id: Mapped[str] = mapped_column(_ID)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    vins: Mapped[list[str]] = mapped_column(JSON, default=list)
    labor_operation_code: Mapped[str | None] = mapped_column(String(40))
    part_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecallVehicle(Base):
    """A VIN listed in a recall: the index that finds a car's recalls without reading them all."""

    __tablename__ = "recall_vehicles"
    __table_args__ = (Index("ix_recall_vehicles_vin", "group_id", "vin"),)

    group_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), primary_key=True)


class NumberSequence(Base):
    """The last dealer claim number handed out per site, kind and day."""

    __tablename__ = "number_sequences"

    site_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


# ---------------------------------------------------------------- warranty claims


class WarrantyClaim(Base):
    __tablename__ = "warranty_claims"
    __table_args__ = (
        UniqueConstraint("site_id", "claim_number", name="uq_warranty_claims_site_number"),
        Index("ix_warranty_claims_vin", "group_id", "vin"),
        Index("ix_warranty_claims_site_status", "site_id", "status"),
        Index("ix_warranty_claims_site_page", "site_id", "created_at", "claim_id"),
        Index("ix_warranty_claims_oem_page", "oem_id", "created_at", "claim_id"),
    )

    claim_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    group_id: Mapped[str] = mapped_column(_ID)
    site_id: Mapped[str] = mapped_column(_ID)
    claim_number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    claim_type: Mapped[str] = mapped_column(String(20))
    oem_id: Mapped[str | None] = mapped_column(_ID, index=True)
    order_id: Mapped[str | None] = mapped_column(_ID, index=True)
    order_number: Mapped[str | None] = mapped_column(String(60))
    vin: Mapped[str] = mapped_column(String(17))
    recall_id: Mapped[str | None] = mapped_column(String(60))
    mileage: Mapped[int | None] = mapped_column(Integer)
    repair_opened_on: Mapped[date | None] = mapped_column(Date)
    repair_completed_on: Mapped[date | None] = mapped_column(Date)
    complaint_code: Mapped[str | None] = mapped_column(String(40))
    complaint: Mapped[str | None] = mapped_column(Text)
    cause_code: Mapped[str | None] = mapped_column(String(40))
    cause: Mapped[str | None] = mapped_column(Text)
    correction_code: Mapped[str | None] = mapped_column(String(40))
    correction: Mapped[str | None] = mapped_column(Text)
    causal_part_number: Mapped[str | None] = mapped_column(String(40))
    part_fitted_on: Mapped[date | None] = mapped_column(Date)
    part_fitted_mileage: Mapped[int | None] = mapped_column(Integer)
    appraisal: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    labor_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    part_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sublet_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    claimed_amount: Mapped[Decimal] = mapped_column(_MONEY)
    # The vehicle as sent to the OEM (snapshot at submission).
    brand: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(100))
    sale_date: Mapped[date | None] = mapped_column(Date)
    submission_count: Mapped[int] = mapped_column(Integer, default=0)
    appeal: Mapped[bool] = mapped_column(Boolean, default=False)
    appeal_comments: Mapped[str | None] = mapped_column(Text)
    first_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    oem_claim_number: Mapped[str | None] = mapped_column(String(60))
    outcome: Mapped[str | None] = mapped_column(String(20))
    approved_amount: Mapped[Decimal | None] = mapped_column(_MONEY)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_amount: Mapped[Decimal | None] = mapped_column(_MONEY)
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    submissions: Mapped[list[ClaimSubmission]] = relationship(
        order_by="ClaimSubmission.submission_count", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[ClaimDecisionRow]] = relationship(
        order_by="ClaimDecisionRow.received_at", cascade="all, delete-orphan"
    )
    history: Mapped[list[ClaimHistory]] = relationship(
        order_by="ClaimHistory.entry_id", cascade="all, delete-orphan"
    )


class ClaimSubmission(Base):
    """Each time the claim went to the OEM: what was claimed, and the message's id."""

    __tablename__ = "warranty_claim_submissions"

    claim_id: Mapped[str] = mapped_column(ForeignKey("warranty_claims.claim_id"), primary_key=True)
    submission_count: Mapped[int] = mapped_column(Integer, primary_key=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(80))
    claimed_amount: Mapped[Decimal] = mapped_column(_MONEY)
    appeal: Mapped[bool] = mapped_column(Boolean)
    message_id: Mapped[str] = mapped_column(String(36))


class ClaimDecisionRow(Base):
    """Each decision the OEM sent, for the rejection figures."""

    __tablename__ = "warranty_claim_decisions"

    decision_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("warranty_claims.claim_id"), index=True)
    submission_count: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    approved_amount: Mapped[Decimal] = mapped_column(_MONEY)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    oem_claim_number: Mapped[str | None] = mapped_column(String(60))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str] = mapped_column(String(36))
    applied: Mapped[bool] = mapped_column(Boolean)  # False: stale, recorded only


class ClaimHistory(Base):
    """Every change of a warranty claim: who, when, what."""

    __tablename__ = "warranty_claim_history"

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("warranty_claims.claim_id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# ---------------------------------------------------------------- insurance claims


class InsuranceClaim(Base):
    __tablename__ = "insurance_claims"
    __table_args__ = (
        UniqueConstraint("site_id", "claim_number", name="uq_insurance_claims_site_number"),
        Index("ix_insurance_claims_vin", "group_id", "vin"),
        Index("ix_insurance_claims_site_page", "site_id", "created_at", "insurance_claim_id"),
    )

    insurance_claim_id: Mapped[str] = mapped_column(_ID, primary_key=True)
    group_id: Mapped[str] = mapped_column(_ID)
    site_id: Mapped[str] = mapped_column(_ID)
    claim_number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[str | None] = mapped_column(_ID, index=True)
    order_number: Mapped[str | None] = mapped_column(String(60))
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    insurer: Mapped[str | None] = mapped_column(String(100))
    policy_number: Mapped[str | None] = mapped_column(String(60))
    report_number: Mapped[str | None] = mapped_column(String(60))
    accident_date: Mapped[date | None] = mapped_column(Date)
    accident_description: Mapped[str | None] = mapped_column(Text)
    rescue: Mapped[bool] = mapped_column(Boolean, default=False)
    assessor: Mapped[str | None] = mapped_column(String(100))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    documents: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    estimated_amount: Mapped[Decimal | None] = mapped_column(_MONEY)
    approved_amount: Mapped[Decimal | None] = mapped_column(_MONEY)
    repair_amount: Mapped[Decimal | None] = mapped_column(_MONEY)
    repaired_on: Mapped[date | None] = mapped_column(Date)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_amount: Mapped[Decimal | None] = mapped_column(_MONEY)
    paid_on: Mapped[date | None] = mapped_column(Date)
    payment_reference: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    history: Mapped[list[InsuranceClaimHistory]] = relationship(
        order_by="InsuranceClaimHistory.entry_id", cascade="all, delete-orphan"
    )


class InsuranceClaimHistory(Base):
    """Every change of an insurance claim: who, when, what."""

    __tablename__ = "insurance_claim_history"

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    insurance_claim_id: Mapped[str] = mapped_column(
        ForeignKey("insurance_claims.insurance_claim_id"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
