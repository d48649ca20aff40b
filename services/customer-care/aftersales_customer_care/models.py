"""Customer care's tables: the customer archive, projected from reception's events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from aftersales_core.models import declarative_base

Base = declarative_base()


class ArchiveCustomer(Base):
    __tablename__ = "archive_customers"

    customer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    customer_class: Mapped[str] = mapped_column(String(20))
    registered_by: Mapped[str | None] = mapped_column(String(80))
    # Who was acting when the event was handled, from nameko's context data.
    recorded_for: Mapped[str | None] = mapped_column(String(80))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ArchiveVehicle(Base):
    # No foreign key: a vehicle's event may arrive before its customer's.
    __tablename__ = "archive_vehicles"

    vehicle_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(40), index=True)
    group_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(40))
    vin: Mapped[str] = mapped_column(String(17))
    plate: Mapped[str | None] = mapped_column(String(20))
    brand: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(100))
    sale_date: Mapped[date | None] = mapped_column(Date)
    mileage: Mapped[int] = mapped_column(default=0)
