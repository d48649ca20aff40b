"""Workshop's tables.

Times are stored as UTC (`DateTime(timezone=True)`; SQLite hands them back
naive, so read them through `as_utc`).  Hours are `Numeric(6, 1)`: exact, to 0.1 h.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from aftersales_core.models import declarative_base

Base = declarative_base()

HOURS = Numeric(6, 1)
# Integer on SQLite so that the primary key is its ROWID and autoincrements.
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")


class Team(Base):
    __tablename__ = "teams"

    team_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(100))
    leader_id: Mapped[str | None] = mapped_column(String(40))  # the technician who leads it


class Technician(Base):
    __tablename__ = "technicians"

    technician_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(100))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.team_id"))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    grade: Mapped[str | None] = mapped_column(String(40))


class Bay(Base):
    """A working place: a lift, the alignment rig, a paint booth."""

    __tablename__ = "bays"

    bay_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))


class ShiftPattern(Base):
    """A site's regular working days and hours; absent means the default pattern."""

    __tablename__ = "shift_patterns"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    working_days: Mapped[list[int]] = mapped_column(JSON)
    hours: Mapped[Decimal] = mapped_column(HOURS)
    updated_by: Mapped[str] = mapped_column(String(80))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Attendance(Base):
    """One technician's day as recorded: present for some hours, on leave, absent."""

    __tablename__ = "attendance"

    technician_id: Mapped[str] = mapped_column(
        ForeignKey("technicians.technician_id"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(20))
    hours: Mapped[Decimal] = mapped_column(HOURS)
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Order(Base):
    """The workshop's view of a repair order, built from reception's events."""

    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    order_number: Mapped[str | None] = mapped_column(String(40))
    order_type: Mapped[str | None] = mapped_column(String(20))
    customer_id: Mapped[str | None] = mapped_column(String(40))
    vehicle_id: Mapped[str | None] = mapped_column(String(40))
    vin: Mapped[str | None] = mapped_column(String(17), index=True)
    plate: Mapped[str | None] = mapped_column(String(20))
    complaint: Mapped[str | None] = mapped_column(Text)
    promised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "pending" until the final inspection passes; work added after that reopens it.
    qc_status: Mapped[str] = mapped_column(String(20), default="pending")
    qc_passed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Job(Base):
    """One approved labor line of an RO, as the workshop works it."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("order_id", "line_id", name="uq_jobs_order_line"),
        # Keyset pages: a site's jobs and a technician's jobs, newest first.
        Index("ix_jobs_site_created", "site_id", "created_at", "job_id"),
        Index("ix_jobs_technician_created", "technician_id", "created_at", "job_id"),
    )

    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    line_id: Mapped[str] = mapped_column(String(40))
    work_id: Mapped[str | None] = mapped_column(String(40))  # from additional work
    operation_code: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(300))
    standard_hours: Mapped[Decimal] = mapped_column(HOURS)
    payer: Mapped[str] = mapped_column(String(20))
    skill: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    qc_stage: Mapped[str | None] = mapped_column(String(30))
    technician_id: Mapped[str | None] = mapped_column(String(40), index=True)
    team_id: Mapped[str | None] = mapped_column(String(40))
    bay_id: Mapped[str | None] = mapped_column(String(40))
    planned_date: Mapped[date] = mapped_column(Date, index=True)
    pause_reason: Mapped[str | None] = mapped_column(String(40))
    plate_confirmed_by: Mapped[str | None] = mapped_column(String(40))
    plate_confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    rework_reason: Mapped[str | None] = mapped_column(Text)
    first_done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(40))  # who is credited the sold hours
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobHistory(Base):
    """Every change of a job: who, when, what (dispatch, re-dispatch, clocking, QC)."""

    __tablename__ = "job_history"

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.job_id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ClockSession(Base):
    """A technician's time on a job, from clock-on to clock-off (open while working)."""

    __tablename__ = "clock_sessions"
    __table_args__ = (
        # One technician is clocked on one job at a time, even under a race.
        Index(
            "uq_clock_sessions_open_technician",
            "technician_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    session_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.job_id"), index=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    technician_id: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(40))


class AdditionalWork(Base):
    """Work a technician found: it waits for the customer's yes (reception's event)."""

    __tablename__ = "additional_work"

    work_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    job_id: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    found_by: Mapped[str | None] = mapped_column(String(80))
    suggested_operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    suggested_parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))  # awaiting_approval, approved, declined
    found_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(80))


class QcCheck(Base):
    """One QC step signed by someone: a job's self-check or team-leader check, an RO's
    road test or final inspection, with its checklist and verdict."""

    __tablename__ = "qc_checks"

    check_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    job_id: Mapped[str | None] = mapped_column(String(40), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    checked_by: Mapped[str] = mapped_column(String(80))
    passed: Mapped[bool] = mapped_column(Boolean)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    job_ids: Mapped[list[str]] = mapped_column(JSON, default=list)  # the jobs it judged
    responsible_technician_id: Mapped[str | None] = mapped_column(String(40))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rework(Base):
    """A job sent back by QC, charged to the technician responsible."""

    __tablename__ = "reworks"

    id: Mapped[int] = mapped_column(_SERIAL, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.job_id"), index=True)
    order_id: Mapped[str] = mapped_column(String(40))
    check_id: Mapped[str] = mapped_column(ForeignKey("qc_checks.check_id"))
    stage: Mapped[str] = mapped_column(String(30))
    technician_id: Mapped[str | None] = mapped_column(String(40), index=True)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PartHold(Base):
    """A back-ordered part of an RO: its jobs are flagged as waiting for parts."""

    __tablename__ = "part_holds"

    order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    requisition_id: Mapped[str] = mapped_column(String(40))
    part_number: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    expected_at: Mapped[date | None] = mapped_column(Date)
    arrived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RiskNotice(Base):
    """An `order_at_risk` sent: one per RO per promised time."""

    __tablename__ = "risk_notices"

    order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    promised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    elapsed_share: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    open_jobs: Mapped[int] = mapped_column(Integer)
    noticed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Comeback(Base):
    """An RO that brought the same vehicle back with the same complaint, linked to the
    original job and its technician."""

    __tablename__ = "comebacks"
    __table_args__ = (Index("ix_comebacks_group_detected", "group_id", "detected_at", "order_id"),)

    order_id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the new RO
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    original_order_id: Mapped[str] = mapped_column(String(40))
    original_site_id: Mapped[str] = mapped_column(String(40), index=True)
    original_job_id: Mapped[str | None] = mapped_column(String(40))
    technician_id: Mapped[str | None] = mapped_column(String(40), index=True)
    matched_by: Mapped[str] = mapped_column(String(20))
    operation_code: Mapped[str | None] = mapped_column(String(40))
    similarity: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    days_after_delivery: Mapped[int] = mapped_column(Integer)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
