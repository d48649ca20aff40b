"""The gateway's own tables: the group directory (sites, staff) and idempotency keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aftersales_core.models import declarative_base

Base = declarative_base()


class Group(Base):
    __tablename__ = "groups"

    group_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Site(Base):
    __tablename__ = "sites"

    site_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.group_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    brand: Mapped[str | None] = mapped_column(String(60))
    city: Mapped[str | None] = mapped_column(String(60))
    daily_technician_hours: Mapped[str | None] = mapped_column(String(20))


class Staff(Base):
    __tablename__ = "staff"

    user_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("groups.group_id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    site_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    oem_id: Mapped[str | None] = mapped_column(String(60))


class IdempotencyKey(Base):
    """A write's first result, replayed when the same key is sent again."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
