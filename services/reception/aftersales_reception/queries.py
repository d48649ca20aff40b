"""The searches behind reception's lists, as SQLAlchemy statements (no nameko): what
`aftersales_core.pages.page` pages through. Each is scoped to a group and the sites the
caller may see (`None`: every site of the group)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, String, cast, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from aftersales_core import search
from aftersales_core.search import ESCAPE, like_literal

from . import domain
from .models import (
    AdditionalWork,
    Appointment,
    Customer,
    LaborOperation,
    Order,
    OrderJob,
    PartMovement,
    Vehicle,
)


def contains(text: str) -> str:
    """A LIKE pattern for `text` anywhere, its wildcards taken literally."""
    return f"%{like_literal(text)}%"


def labor_operations(group_id: str, q: str | None) -> Select[Any]:
    """The group's labor-time catalog; `q` matches part of a code or a description."""
    stmt = select(LaborOperation).where(LaborOperation.group_id == group_id)
    if q:
        stmt = stmt.where(
            or_(
                search.contains(LaborOperation.code, q),
                search.contains(LaborOperation.description, q),
            )
        )
    return stmt


def compact(text: str) -> str:
    """A plate or phone as people type it: without the plate's dot and spaces."""
    return "".join(text.replace("·", "").split())


def _compact_column(column: Any) -> Any:
    return func.replace(func.replace(column, "·", ""), " ", "")


def _scoped(stmt: Select[Any], model: Any, group_id: str, sites: Sequence[str] | None) -> Any:
    stmt = stmt.where(model.group_id == group_id)
    return stmt if sites is None else stmt.where(model.site_id.in_(sites))


def customers(group_id: str, sites: Sequence[str] | None, q: str | None) -> Select[Any]:
    """Customers (with their cars); `q` matches part of a name or a phone number, or a
    plate (with or without its dot) or a VIN of one of their cars."""
    stmt = _scoped(select(Customer), Customer, group_id, sites).options(
        selectinload(Customer.vehicles)
    )
    if not q:
        return stmt
    anywhere, typed = contains(q.strip()), contains(compact(q))
    owns = exists().where(
        Vehicle.customer_id == Customer.customer_id,
        or_(
            _compact_column(Vehicle.plate).ilike(typed, escape=ESCAPE),
            Vehicle.vin.ilike(typed, escape=ESCAPE),
        ),
    )
    return stmt.where(
        or_(
            Customer.name.ilike(anywhere, escape=ESCAPE),
            cast(Customer.phones, String).ilike(typed, escape=ESCAPE),
            owns,
        )
    )


def vehicles(
    group_id: str, sites: Sequence[str] | None, vin: str | None, plate: str | None
) -> Select[Any]:
    """Cars by their normalised VIN and plate (exact: the desk looks one car up)."""
    stmt = _scoped(select(Vehicle), Vehicle, group_id, sites)
    if vin:
        stmt = stmt.where(Vehicle.vin == compact(vin).upper())
    if plate:
        stmt = stmt.where(Vehicle.plate == plate)
    return stmt


def appointments(
    group_id: str, sites: Sequence[str] | None, first: date, last: date, status: str | None
) -> Select[Any]:
    stmt = _scoped(select(Appointment), Appointment, group_id, sites).where(
        Appointment.day >= first, Appointment.day <= last
    )
    return stmt.where(Appointment.status == status) if status else stmt


def orders(group_id: str, sites: Sequence[str] | None, fields: dict[str, Any]) -> Select[Any]:
    """ROs by number (or its beginning), plate, status ("open": neither delivered nor
    cancelled), advisor, car, customer and the local days they were opened on."""
    stmt = _scoped(select(Order), Order, group_id, sites)
    status = fields.get("status")
    if status == "open":
        stmt = stmt.where(Order.status.in_(sorted(domain.OPEN_STATUSES)))
    elif status:
        stmt = stmt.where(Order.status == status)
    if fields.get("number"):
        number = fields["number"].strip().upper()
        stmt = stmt.where(Order.order_number.startswith(number, autoescape=True))
    if fields.get("plate"):
        stmt = stmt.where(_compact_column(Order.plate) == compact(fields["plate"]).upper())
    for name, column in (
        ("advisor", Order.service_advisor_id),
        ("vehicle_id", Order.vehicle_id),
        ("customer_id", Order.customer_id),
    ):
        if fields.get(name):
            stmt = stmt.where(column == fields[name])
    date_from, date_to = fields.get("date_from"), fields.get("date_to")
    if date_from or date_to:
        first, last = domain.period(date_from, date_to)
        if date_from:
            stmt = stmt.where(Order.created_at >= domain.start_of_local_day(first))
        if date_to:
            stmt = stmt.where(Order.created_at < domain.end_of_local_day(last))
    return stmt


def pending_work(session: Session, order_ids: Sequence[str]) -> dict[str, int]:
    """Additional work waiting for the customer's answer, per RO."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(AdditionalWork.order_id, func.count())
        .where(AdditionalWork.order_id.in_(list(order_ids)), AdditionalWork.status == "pending")
        .group_by(AdditionalWork.order_id)
    ).all()
    return {order_id: count for order_id, count in rows}


def work_begun(session: Session, order_id: str) -> tuple[bool, bool]:
    """Whether any job of the RO was clocked on (or finished), and any part issued."""
    started = session.scalar(
        select(func.count())
        .select_from(OrderJob)
        .where(
            OrderJob.order_id == order_id,
            OrderJob.started_at.is_not(None) | OrderJob.done_at.is_not(None),
        )
    )
    issued = session.scalar(
        select(func.count())
        .select_from(PartMovement)
        .where(PartMovement.order_id == order_id, PartMovement.kind == "issued")
    )
    return bool(started), bool(issued)


def delivered_visits(session: Session, vehicle_id: str) -> list[Order]:
    """A car's delivered ROs, latest first: its service history."""
    return list(
        session.scalars(
            select(Order)
            .where(Order.vehicle_id == vehicle_id, Order.status == "delivered")
            .order_by(Order.delivered_at.desc())
        )
    )
