"""Parts' tables."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import JSON, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from aftersales_core.models import declarative_base

Base = declarative_base()


class Part(Base):
    """A catalog entry of the group: part number, name, unit, cost and price."""

    __tablename__ = "parts"

    group_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    part_number: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20))
    cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    models: Mapped[list[str]] = mapped_column(JSON, default=list)
