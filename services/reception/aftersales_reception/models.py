"""Reception's tables."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from aftersales_core.models import declarative_base

Base = declarative_base()

# Integer on SQLite so that the primary key is its ROWID and autoincrements.
_ID = BigInteger().with_variant(Integer(), "sqlite")


class Site(Base):
    """A site of a group, as reception knows it: labor rates and orders must name one."""

    __tablename__ = "sites"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(12))
    # VAT rate and whether the site's prices (labor rates, part prices) include it.
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4), default=Decimal("0.13"))
    prices_include_tax: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (Index("ix_customers_site_created", "site_id", "created_at", "customer_id"),)

    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40), index=True)
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    address: Mapped[str | None] = mapped_column(String(500))
    customer_class: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(80))
    vehicles: Mapped[list[Vehicle]] = relationship(
        back_populates="customer", order_by="Vehicle.created_at"
    )


class Vehicle(Base):
    __tablename__ = "vehicles"
    __table_args__ = (
        UniqueConstraint("group_id", "vin", name="uq_vehicles_group_vin"),
        Index("ix_vehicles_group_plate", "group_id", "plate"),
    )

    vehicle_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(100))
    colour: Mapped[str | None] = mapped_column(String(40))
    engine_number: Mapped[str | None] = mapped_column(String(40))
    sale_date: Mapped[date | None] = mapped_column(Date)
    mileage: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_service_date: Mapped[date | None] = mapped_column(Date)
    next_service_mileage: Mapped[int | None] = mapped_column(Integer)
    customer: Mapped[Customer] = relationship(back_populates="vehicles")


class LaborOperation(Base):
    """An entry of the labor-time catalog: code, description, standard hours."""

    __tablename__ = "labor_operations"

    group_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    description: Mapped[str] = mapped_column(String(300))
    standard_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)


class LaborRate(Base):
    """Price per hour, per site and payer."""

    __tablename__ = "labor_rates"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payer: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    rate: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_site_day", "site_id", "day"),
        Index("ix_appointments_site_slot", "site_id", "slot_start", "appointment_id"),
    )

    appointment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(String(40))
    vehicle_id: Mapped[str] = mapped_column(String(40), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    slot_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    day: Mapped[date] = mapped_column(Date)  # the slot's local (China) day
    estimated_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    estimate_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    requested_work: Mapped[list[str]] = mapped_column(JSON, default=list)
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(20))
    service_advisor_id: Mapped[str | None] = mapped_column(String(80))
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))


class CheckIn(Base):
    """The check-in sheet: what the car and the customer brought; immutable once signed."""

    __tablename__ = "check_ins"

    check_in_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    appointment_id: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(String(40))
    vehicle_id: Mapped[str] = mapped_column(String(40), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    mileage: Mapped[int] = mapped_column(Integer)
    mileage_reason: Mapped[str | None] = mapped_column(Text)
    previous_mileage: Mapped[int | None] = mapped_column(Integer)
    fuel_level: Mapped[int] = mapped_column(Integer)  # percent of a full tank or charge
    damage_marks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    valuables: Mapped[list[str]] = mapped_column(JSON, default=list)
    items_left: Mapped[list[str]] = mapped_column(JSON, default=list)
    complaint: Mapped[str] = mapped_column(Text)
    notices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20))  # draft, signed
    signed_by: Mapped[str | None] = mapped_column(String(200))
    signature_method: Mapped[str | None] = mapped_column(String(20))
    signature_ref: Mapped[str | None] = mapped_column(String(500))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))


class OrderCounter(Base):
    """The last order number used per site and day."""

    __tablename__ = "order_counters"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Order(Base):
    """A repair order (RO)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("order_number", name="uq_orders_order_number"),
        Index("ix_orders_site_status", "site_id", "status"),
        Index("ix_orders_site_created", "site_id", "created_at", "order_id"),
        Index("ix_orders_group_created", "group_id", "created_at", "order_id"),
    )

    order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_number: Mapped[str] = mapped_column(String(40))
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    vehicle_id: Mapped[str] = mapped_column(String(40), index=True)
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    check_in_id: Mapped[str | None] = mapped_column(String(40))
    appointment_id: Mapped[str | None] = mapped_column(String(40))
    order_type: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30))
    mileage: Mapped[int] = mapped_column(Integer)
    complaint: Mapped[str] = mapped_column(Text)
    fuel_level: Mapped[int | None] = mapped_column(Integer)
    promised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    old_part_disposition: Mapped[str] = mapped_column(String(30))
    wash: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    service_advisor_id: Mapped[str] = mapped_column(String(80))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    prices_include_tax: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(80))
    customer_signature: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at_risk_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    discount_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    discount_status: Mapped[str] = mapped_column(String(20), default="none")
    discount_reason: Mapped[str | None] = mapped_column(Text)
    discount_requested_by: Mapped[str | None] = mapped_column(String(80))
    discount_approved_by: Mapped[str | None] = mapped_column(String(80))
    statement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    settled_by: Mapped[str | None] = mapped_column(String(80))
    exit_pass_number: Mapped[str | None] = mapped_column(String(40))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_by: Mapped[str | None] = mapped_column(String(80))
    next_service_date: Mapped[date | None] = mapped_column(Date)
    next_service_mileage: Mapped[int | None] = mapped_column(Integer)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.seq", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    """A labor, part, sublet or misc line with its payer.

    status: proposed (before approval), to_be_confirmed (awaits the customer's later
    confirmation), approved (may be worked and issued), declined.
    """

    __tablename__ = "order_lines"

    line_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    payer: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    to_be_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    free_reason: Mapped[str | None] = mapped_column(String(300))
    skill: Mapped[str | None] = mapped_column(String(40))
    unit: Mapped[str | None] = mapped_column(String(20))
    work_id: Mapped[str | None] = mapped_column(String(60))
    recommendation_id: Mapped[str | None] = mapped_column(String(40))
    backordered_until: Mapped[date | None] = mapped_column(Date)
    backordered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))
    order: Mapped[Order] = relationship(back_populates="lines")


class OrderJob(Base):
    """What the workshop said about one job of an order (times are its event times)."""

    __tablename__ = "order_jobs"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    line_id: Mapped[str | None] = mapped_column(String(40))
    technician_id: Mapped[str | None] = mapped_column(String(80))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clocked_hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))


class OrderQc(Base):
    """A QC result of an order, passed or failed."""

    __tablename__ = "order_qc"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    passed: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    inspector_id: Mapped[str] = mapped_column(String(80))
    job_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class PartMovement(Base):
    """Parts issued to, returned from, back-ordered or arrived for an order's line."""

    __tablename__ = "part_movements"
    # One movement per fact: the parts document (issue, return, back order) and line.
    __table_args__ = (
        Index("uq_part_movements_fact", "kind", "document_id", "line_id", unique=True),
    )

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str | None] = mapped_column(String(60))
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    line_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # issued, returned, backordered, arrived
    requisition_id: Mapped[str] = mapped_column(String(60))
    part_number: Mapped[str] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AdditionalWork(Base):
    """Work a technician found: pending until the customer decides."""

    __tablename__ = "additional_work"

    work_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    job_id: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    found_by: Mapped[str] = mapped_column(String(80))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    estimated_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    estimate_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    suggested_promised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))  # pending, approved, declined, void
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Recommendation(Base):
    """Declined work kept on the vehicle and offered again at the next check-in."""

    __tablename__ = "recommendations"

    recommendation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    vehicle_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str] = mapped_column(String(40))
    work_id: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    estimate_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))  # open, taken_up
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(80))
    taken_up_order_id: Mapped[str | None] = mapped_column(String(40))


class Recall(Base):
    """An OEM recall or campaign announced to the group."""

    __tablename__ = "recalls"

    recall_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    oem_id: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    labor_operation_code: Mapped[str | None] = mapped_column(String(40))
    part_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RecallVehicle(Base):
    """A VIN a recall applies to, and the RO that carried it out."""

    __tablename__ = "recall_vehicles"

    group_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    recall_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    vin: Mapped[str] = mapped_column(String(17), primary_key=True)
    completed_order_id: Mapped[str | None] = mapped_column(String(40))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payment(Base):
    __tablename__ = "payments"

    payment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    method: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str] = mapped_column(String(80))


class History(Base):
    """Every change of an appointment, check-in or repair order: who, when, what."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(40))
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
