"""Customer care's tables.

The archive (customers, vehicles, visits, mileage readings) is a projection of
reception's events; follow-ups, complaints, reminders and contacts are care's own.
No foreign keys between projected rows: events of different types may arrive in
any order (a vehicle before its customer, a delivery before either).
"""

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
    case,
    func,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from aftersales_core.models import declarative_base

Base = declarative_base()

_ID = 40
_USER = 80


# ---------------------------------------------------------------- the archive


class ArchiveCustomer(Base):
    __tablename__ = "archive_customers"
    # The archive's list: a site's customers in registration order (migration 0003).
    __table_args__ = (
        Index("ix_archive_customers_page", "site_id", "registered_at", "customer_id"),
    )

    customer_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    customer_class: Mapped[str] = mapped_column(String(20))
    registered_by: Mapped[str | None] = mapped_column(String(_USER))
    # Who was acting when the event was handled, from nameko's context data.
    recorded_for: Mapped[str | None] = mapped_column(String(_USER))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The care agent who looks after this customer (balanced by count per site).
    agent_id: Mapped[str | None] = mapped_column(String(_USER), index=True)


class ArchiveVehicle(Base):
    __tablename__ = "archive_vehicles"

    vehicle_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(_ID), index=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID))
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(100))
    sale_date: Mapped[date | None] = mapped_column(Date)
    mileage: Mapped[int] = mapped_column(default=0)
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Visit(Base):
    """One delivered repair order: the archive's visit history."""

    __tablename__ = "visits"

    order_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    customer_id: Mapped[str] = mapped_column(String(_ID), index=True)
    vehicle_id: Mapped[str] = mapped_column(String(_ID), index=True)
    order_number: Mapped[str] = mapped_column(String(60))
    order_type: Mapped[str] = mapped_column(String(20))
    mileage: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    service_advisor_id: Mapped[str | None] = mapped_column(String(_USER))


class MileageReading(Base):
    """An odometer reading: what the average daily distance is estimated from."""

    __tablename__ = "mileage_readings"
    __table_args__ = (UniqueConstraint("vehicle_id", "source", name="uq_mileage_readings_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vehicle_id: Mapped[str] = mapped_column(String(_ID), index=True)
    read_on: Mapped[date] = mapped_column(Date)
    km: Mapped[int] = mapped_column(Integer)
    # e.g. "sale", "registered", "delivered:<order_id>", "settled:<order_id>"
    source: Mapped[str] = mapped_column(String(80))


class SettledOrder(Base):
    """A settled RO: the denominator of the complaint rate per 100 ROs."""

    __tablename__ = "settled_orders"

    order_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    customer_id: Mapped[str] = mapped_column(String(_ID))
    vehicle_id: Mapped[str] = mapped_column(String(_ID))
    order_type: Mapped[str] = mapped_column(String(20))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    settled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Agent(Base):
    """A customer care agent of a site (from the group directory)."""

    __tablename__ = "agents"

    site_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(_USER), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SitePolicy(Base):
    __tablename__ = "site_policies"

    site_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(_USER))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Contact(Base):
    """The customer's contact history: every call, reminder and complaint touch."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID))
    customer_id: Mapped[str | None] = mapped_column(String(_ID), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(_USER))
    kind: Mapped[str] = mapped_column(String(30))  # followup / reminder / complaint
    reference: Mapped[str] = mapped_column(String(_ID))
    outcome: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- follow-ups


class Followup(Base):
    __tablename__ = "followups"
    __table_args__ = (
        Index("ix_followups_page", "site_id", "status", "next_attempt_at", "followup_id"),
    )

    followup_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    order_id: Mapped[str] = mapped_column(String(_ID), unique=True)
    order_number: Mapped[str] = mapped_column(String(60))
    customer_id: Mapped[str] = mapped_column(String(_ID), index=True)
    vehicle_id: Mapped[str] = mapped_column(String(_ID))
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    customer_class: Mapped[str | None] = mapped_column(String(20))
    mandatory: Mapped[bool] = mapped_column(Boolean)
    agent_id: Mapped[str | None] = mapped_column(String(_USER), index=True)
    service_advisor_id: Mapped[str | None] = mapped_column(String(_USER))
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(_USER))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    scores: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    would_recommend: Mapped[int | None] = mapped_column(Integer)
    survey_index: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    comment: Mapped[str | None] = mapped_column(Text)
    complaint_id: Mapped[str | None] = mapped_column(String(_ID))
    # The call list's order: open ones first, each by its next call (a closed one by
    # when it was due), as sort keys a keyset page can compare.
    closed_rank: Mapped[int] = column_property(case((status == "open", 0), else_=1))
    call_at: Mapped[datetime] = column_property(func.coalesce(next_attempt_at, due_at))


class FollowupAttempt(Base):
    __tablename__ = "followup_attempts"
    __table_args__ = (UniqueConstraint("followup_id", "number", name="uq_followup_attempts_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    followup_id: Mapped[str] = mapped_column(
        ForeignKey("followups.followup_id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(_USER))
    outcome: Mapped[str] = mapped_column(String(20))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)


# ---------------------------------------------------------------- complaints


class ComplaintRow(Base):
    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_page", "site_id", "received_at", "complaint_id"),)

    complaint_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(_ID), index=True)
    customer_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    vehicle_id: Mapped[str | None] = mapped_column(String(_ID))
    order_id: Mapped[str | None] = mapped_column(String(_ID))
    followup_id: Mapped[str | None] = mapped_column(String(_ID))
    channel: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(30))
    at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_by: Mapped[str] = mapped_column(String(_USER))
    acknowledge_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    resolve_by: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(30), index=True)
    valid: Mapped[bool | None] = mapped_column(Boolean)
    department: Mapped[str | None] = mapped_column(String(30))
    responsible_person: Mapped[str | None] = mapped_column(String(200))
    findings: Mapped[str | None] = mapped_column(Text)
    solutions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    approved_solution: Mapped[int | None] = mapped_column(Integer)
    approved_by: Mapped[str | None] = mapped_column(String(_USER))
    customer_accepted: Mapped[bool | None] = mapped_column(Boolean)
    customer_satisfied: Mapped[bool | None] = mapped_column(Boolean)
    classification: Mapped[str | None] = mapped_column(String(30))
    summary: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    closed_by: Mapped[str | None] = mapped_column(String(_USER))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalation_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set once the sweep escalated a missed deadline, so it never looks at it again.
    acknowledge_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ComplaintHistory(Base):
    """Every change of a complaint: who, when, what (domain.md: data that must be right)."""

    __tablename__ = "complaint_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(
        ForeignKey("complaints.complaint_id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(_USER))
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str] = mapped_column(String(30))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ComplaintEscalation(Base):
    __tablename__ = "complaint_escalations"
    # One row per level: two timers racing for the same escalation cannot both win.
    __table_args__ = (
        UniqueConstraint("complaint_id", "level", name="uq_complaint_escalations_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(
        ForeignKey("complaints.complaint_id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(30))
    escalated_to: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(_USER))


# ---------------------------------------------------------------- reminders


class Reminder(Base):
    """A call task: next service, declined work, a recall, a special order that arrived."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_page", "site_id", "status", "remind_on", "reminder_id"),)

    reminder_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    # What made it, so that a redelivered or repeated fact makes no second reminder.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(_ID), index=True)
    vehicle_id: Mapped[str | None] = mapped_column(String(_ID), index=True)
    vin: Mapped[str | None] = mapped_column(String(17))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    agent_id: Mapped[str | None] = mapped_column(String(_USER), index=True)
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remind_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # open / done / cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by: Mapped[str | None] = mapped_column(String(_USER))


class Recommendation(Base):
    """Declined additional work (建议项目): offered again at the next contact or visit."""

    __tablename__ = "recommendations"

    work_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID))
    order_id: Mapped[str] = mapped_column(String(_ID))
    vehicle_id: Mapped[str] = mapped_column(String(_ID), index=True)
    description: Mapped[str] = mapped_column(Text)
    declined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Recall(Base):
    """An OEM recall or campaign, kept to notify vehicles that join the archive later."""

    __tablename__ = "recalls"

    group_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(_ID), primary_key=True)
    oem_id: Mapped[str] = mapped_column(String(_ID))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    vins: Mapped[list[str]] = mapped_column(JSON, default=list)
    labor_operation_code: Mapped[str | None] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class LostReason(Base):
    """Why a lost vehicle's owner stopped coming (recorded after a call)."""

    __tablename__ = "lost_reasons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[str] = mapped_column(String(_ID))
    site_id: Mapped[str] = mapped_column(String(_ID), index=True)
    vehicle_id: Mapped[str] = mapped_column(String(_ID), index=True)
    customer_id: Mapped[str] = mapped_column(String(_ID))
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(_USER))
