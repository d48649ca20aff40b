"""What reception's entrypoints share: its dependencies and the helpers that load with
tenancy checks, price lines, keep history, derive statements and turn rows into views."""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from nameko.dependency_providers import Config
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aftersales_core.envelope import Envelope, as_utc, to_primitives, utcnow
from aftersales_core.errors import AppError, Conflict, NotFound, ValidationFailed
from aftersales_core.service import ServiceBase
from aftersales_core.tenancy import Tenant

from . import domain, views
from .models import (
    AdditionalWork,
    Appointment,
    CheckIn,
    Customer,
    History,
    LaborOperation,
    LaborRate,
    Order,
    OrderCounter,
    OrderJob,
    OrderLine,
    OrderQc,
    PartMovement,
    Payment,
    Recall,
    RecallVehicle,
    Recommendation,
    Site,
    Vehicle,
)
from .remote import Remote

log = logging.getLogger(__name__)

# Who works the front desk; the cashier also takes payments and settles.
RECEPTION_ROLES = (
    "service_advisor",
    "front_desk_supervisor",
    "service_manager",
    "service_director",
    "accident_supervisor",
    "accident_reception",
)
CASHIER_ROLES = (*RECEPTION_ROLES, "cashier")


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def event_time(envelope: Envelope) -> datetime:
    return as_utc(datetime.fromisoformat(envelope.occurred_at))


class ReceptionBase(ServiceBase):
    """The service's name and dependencies, and every helper; the entrypoints live in
    `customers`, `visits`, `orders`, `settlement` and `handlers`."""

    name = "reception"

    config = Config()
    remote = Remote()

    # ================================================================ helpers: loading

    def _check_limit(self, limit: Any) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValidationFailed.on("limit", "limit must be a whole number", "INVALID_LIMIT")

    def _day(self, value: str) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed.on("day", "a day is YYYY-MM-DD", "INVALID_DAY") from None

    def _require_staff(
        self, tenant: Tenant, site_id: str, roles: tuple[str, ...] = RECEPTION_ROLES
    ) -> None:
        tenant.require_site(site_id)
        tenant.require_role(*roles, "system")

    def _site(
        self, group_id: str, site_id: str, *, field: str = "site_id", lock: bool = False
    ) -> Site:
        """A site of the group: known here, or learnt from the gateway's directory."""
        session = self.db.session
        site = session.get(Site, site_id, with_for_update=lock or None)
        if site is None:
            listed = self.remote.call("gateway", "directory_sites", group_id)
            for entry in listed:
                if entry.get("site_id") == site_id and entry.get("group_id") == group_id:
                    site = Site(
                        site_id=site_id,
                        group_id=group_id,
                        name=entry.get("name") or site_id,
                        code=None,
                        tax_rate=Decimal("0.13"),
                        prices_include_tax=True,
                    )
                    session.add(site)
                    session.flush()
                    break
        if site is None or site.group_id != group_id:
            raise self._field_error(field, f"{site_id} is not a site of your group", "SITE_UNKNOWN")
        return site

    def _customer(self, customer_id: str) -> Customer:
        tenant = self.caller.tenant
        customer = self.db.session.get(Customer, customer_id)
        # Another group's or another site's customer is "not found", not "forbidden":
        # its existence is not the caller's business.
        if (
            customer is None
            or customer.group_id != tenant.group_id
            or not tenant.can_see_site(customer.site_id)
        ):
            raise NotFound(f"customer {customer_id} not found", "CUSTOMER_NOT_FOUND")
        return customer

    def _vehicle(self, vehicle_id: str) -> Vehicle:
        tenant = self.caller.tenant
        vehicle = self.db.session.get(Vehicle, vehicle_id)
        if (
            vehicle is None
            or vehicle.group_id != tenant.group_id
            or not tenant.can_see_site(vehicle.site_id)
        ):
            raise NotFound(
                f"vehicle {vehicle_id} not found", "VEHICLE_NOT_FOUND", {"vehicle_id": [vehicle_id]}
            )
        return vehicle

    def _appointment(self, appointment_id: str) -> Appointment:
        tenant = self.caller.tenant
        row = self.db.session.get(Appointment, appointment_id)
        if row is None or row.group_id != tenant.group_id or not tenant.can_see_site(row.site_id):
            raise NotFound(f"appointment {appointment_id} not found", "APPOINTMENT_NOT_FOUND")
        return row

    def _check_in(self, check_in_id: str) -> CheckIn:
        tenant = self.caller.tenant
        row = self.db.session.get(CheckIn, check_in_id)
        if row is None or row.group_id != tenant.group_id or not tenant.can_see_site(row.site_id):
            raise NotFound(f"check-in sheet {check_in_id} not found", "CHECK_IN_NOT_FOUND")
        return row

    def _order(self, order_id: str, lock: bool = False) -> Order:
        """Visible orders only; `lock` serialises changes to one order (SELECT FOR UPDATE)."""
        tenant = self.caller.tenant
        row = self.db.session.get(Order, order_id, with_for_update=lock or None)
        if row is None or row.group_id != tenant.group_id or not tenant.can_see_site(row.site_id):
            raise NotFound(f"repair order {order_id} not found", "ORDER_NOT_FOUND")
        return row

    def _line(self, order: Order, line_id: str) -> OrderLine:
        line = self._line_or_none(order, line_id)
        if line is None:
            raise NotFound(f"line {line_id} is not on this repair order", "LINE_NOT_FOUND")
        return line

    def _line_or_none(self, order: Order, line_id: str) -> OrderLine | None:
        return next((x for x in order.lines if x.line_id == line_id), None)

    def _pending_work(self, order: Order, work_id: str) -> AdditionalWork:
        work = self.db.session.get(AdditionalWork, work_id)
        if work is None or work.order_id != order.order_id:
            raise NotFound(f"additional work {work_id} not found", "ADDITIONAL_WORK_NOT_FOUND")
        if work.status != "pending":
            raise Conflict(
                f"additional work {work_id} is already {work.status}",
                "ADDITIONAL_WORK_DECIDED",
                {"status": [work.status]},
            )
        domain.require_order_status(
            order.status, domain.WORKSHOP_STATUSES, "decide additional work"
        )
        return work

    def _history_of(self, entity_type: str, entity_id: str) -> list[History]:
        return list(
            self.db.session.scalars(
                select(History)
                .where(History.entity_type == entity_type, History.entity_id == entity_id)
                .order_by(History.id)
            ).all()
        )

    # ================================================================ helpers: writing

    def _history(
        self, entity_type: str, entity: Any, by: str, action: str, details: dict[str, Any]
    ) -> None:
        """Who, when, what: every change of an appointment, check-in sheet or RO."""
        entity_id = {
            "appointment": "appointment_id",
            "check_in": "check_in_id",
            "order": "order_id",
        }[entity_type]
        self.db.session.add(
            History(
                entity_type=entity_type,
                entity_id=getattr(entity, entity_id),
                group_id=entity.group_id,
                site_id=entity.site_id,
                at=utcnow(),
                by=by,
                action=action,
                details=json.loads(json.dumps(to_primitives(details), ensure_ascii=False)),
            )
        )

    def _set_status(
        self, order: Order, target: str, by: str, action: str, details: dict | None = None
    ) -> None:
        before = order.status
        order.status = target
        self._history("order", order, by, action, {"from": before, "to": target, **(details or {})})

    def _appointment_step(self, appointment_id: str, action: str, reason: str | None) -> dict:
        tenant = self.caller.tenant
        appointment = self._appointment(appointment_id)
        self._require_staff(tenant, appointment.site_id)
        target = domain.appointment_transition(appointment.status, action)
        if action == "no_show":
            domain.check_no_show(views.utc(appointment.slot_start), utcnow())
        appointment.status = target
        appointment.reason = reason or appointment.reason
        self._history("appointment", appointment, tenant.user_id, target, {"reason": reason})
        return views.appointment(appointment)

    def _appointment_operations(
        self, site: Site, vehicle: Vehicle, codes: list[str]
    ) -> tuple[list[dict[str, Any]], Decimal, Decimal]:
        operations, total_hours, amount = [], Decimal("0"), Decimal("0")
        rate = self._rate_or_none(site.site_id, "customer") if codes else None
        for index, code in enumerate(codes):
            op = self._operation(site.group_id, vehicle, code, f"operations.{index}")
            line_amount = domain.money(op.standard_hours * rate) if rate is not None else None
            operations.append(
                {
                    "operation_code": op.code,
                    "description": op.description,
                    "standard_hours": str(op.standard_hours),
                    "amount": str(line_amount) if line_amount is not None else None,
                }
            )
            total_hours += op.standard_hours
            amount += line_amount or 0
        return operations, total_hours, amount

    def _appointment_parts(
        self, site_id: str, wanted: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], Decimal]:
        if not wanted:
            return [], Decimal("0")
        quotes = self._quote(site_id, [p["part_number"] for p in wanted], "parts")
        parts, amount = [], Decimal("0")
        for item in wanted:
            quote = quotes[item["part_number"]]
            line_amount = domain.money(item["quantity"] * Decimal(quote["price"]))
            parts.append(
                {
                    "part_number": item["part_number"],
                    "name": quote.get("name"),
                    "quantity": views.quantity("part", item["quantity"]),
                    "unit_price": str(domain.money(quote["price"])),
                    "amount": str(line_amount),
                }
            )
            amount += line_amount
        return parts, amount

    def _check_capacity(
        self, site_id: str, day: date, wanted: Decimal, exclude: str | None = None
    ) -> None:
        """Ask the workshop for the day's technician hours; never book on a guess."""
        capacity = self.remote.call("workshop", "capacity", site_id, day.isoformat())
        stmt = select(func.coalesce(func.sum(Appointment.estimated_hours), 0)).where(
            Appointment.site_id == site_id,
            Appointment.day == day,
            Appointment.status.in_(("booked", "arrived")),
        )
        if exclude:
            stmt = stmt.where(Appointment.appointment_id != exclude)
        booked = Decimal(self.db.session.scalar(stmt) or 0)
        domain.check_capacity(Decimal(str(capacity["available_hours"])), booked, Decimal(wanted))

    def _operation(self, group_id: str, vehicle: Vehicle, code: str, field: str) -> LaborOperation:
        op = self.db.session.get(LaborOperation, (group_id, code))
        if op is None:
            raise self._field_error(
                field, f"{code} is not in the labor-time catalog", "OPERATION_UNKNOWN"
            )
        if op.models and vehicle.model not in op.models:
            raise self._field_error(
                field, f"{code} does not apply to a {vehicle.model}", "OPERATION_NOT_FOR_MODEL"
            )
        return op

    @staticmethod
    def _field_error(path: str, message: str, code: str) -> ValidationFailed:
        """A field error at a dotted path (`lines.2.part_number`), nested like marshmallow's."""
        fields: dict[str, Any] = {}
        node = fields
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = [message]
        return ValidationFailed(message, code, fields)

    def _rate_or_none(self, site_id: str, payer: str) -> Decimal | None:
        rate = self.db.session.get(LaborRate, (site_id, payer))
        return Decimal(rate.rate) if rate is not None else None

    def _rate(self, site_id: str, payer: str, field: str) -> Decimal:
        rate = self._rate_or_none(site_id, payer)
        if rate is None:
            raise self._field_error(
                field, f"the site has no labor rate for {payer}", "LABOR_RATE_MISSING"
            )
        return rate

    def _quote(self, site_id: str, numbers: list[str], field: str) -> dict[str, dict[str, Any]]:
        """Prices and availability from the parts service; an unknown part is a 400 on it."""
        unknown: set[str] = set()
        try:
            quotes = self.remote.call("parts", "quote", site_id, sorted(set(numbers)))
        except AppError as exc:
            if exc.status >= 500:
                raise
            # The parts service refuses a quote naming an unknown part and says which.
            said = [str(m) for m in (exc.fields or {}).get("part_numbers", [])]
            unknown = {n for n in numbers if any(m.endswith(f" {n}") for m in said)}
            if not unknown:
                raise ValidationFailed(
                    f"the parts service refused the quote: {exc.message}",
                    "PART_QUOTE_REFUSED",
                    {field: [exc.message]},
                ) from None
            quotes = []
        by_number = {q["part_number"]: q for q in quotes}
        missing: dict[str, Any] = {}
        for index, number in enumerate(numbers):
            if number in unknown if unknown else number not in by_number:
                missing[str(index)] = {"part_number": [f"{number} is not in the parts catalog"]}
        if missing:
            raise ValidationFailed("unknown part number", "PART_UNKNOWN", {field: missing})
        return by_number

    def _quote_or_none(self, order: Order, numbers: list[str]) -> dict[str, dict] | None:
        """Best effort, for an event handler: prices are asked again when the customer decides."""
        if not numbers:
            return {}
        try:
            quotes = self.remote.call(
                "parts", "quote", order.site_id, sorted(set(numbers)),
                as_tenant=Tenant.system(order.group_id, order.site_id),
            )  # fmt: skip
        except AppError as exc:
            log.warning("could not price additional work of %s: %s", order.order_id, exc)
            return None
        return {q["part_number"]: q for q in quotes}

    def _add_lines(
        self,
        order: Order,
        vehicle: Vehicle,
        lines_in: list[dict[str, Any]],
        by: str,
        field: str,
        *,
        status: str | None = None,
        work_id: str | None = None,
    ) -> list[OrderLine]:
        """Price and append lines: labor from the catalog and the site's rate for the payer,
        parts from the parts service's quote, sublet and misc as given."""
        part_numbers = [x["part_number"] for x in lines_in if x["kind"] == "part"]
        quotes: dict[str, dict[str, Any]] = {}
        if part_numbers:
            try:
                quotes = self._quote(order.site_id, part_numbers, field)
            except ValidationFailed as exc:
                if exc.code != "PART_UNKNOWN":
                    raise
                # Re-point "the n-th part" at the n-th line.
                positions = [i for i, x in enumerate(lines_in) if x["kind"] == "part"]
                raise ValidationFailed(
                    exc.message,
                    exc.code,
                    {field: {str(positions[int(k)]): v for k, v in exc.fields[field].items()}},
                ) from None
        seq = max((x.seq for x in order.lines), default=0)
        now = utcnow()
        added = []
        for index, item in enumerate(lines_in):
            payer = item.get("payer") or domain.DEFAULT_PAYER[order.order_type]
            path = f"{field}.{index}"
            recommendation_id = item.get("recommendation_id")
            if recommendation_id:
                self._open_recommendation(vehicle, recommendation_id, f"{path}.recommendation_id")
            kind = item["kind"]
            unit = None
            if kind == "labor":
                code = item["operation_code"]
                op = self.db.session.get(LaborOperation, (order.group_id, code))
                if op is None and item.get("suggested_hours"):
                    # Work the workshop found that the catalog does not list: its hours.
                    quantity = domain.hours(item["suggested_hours"])
                    description = item["suggested_description"]
                else:
                    op = self._operation(order.group_id, vehicle, code, f"{path}.operation_code")
                    quantity, description = Decimal(op.standard_hours), op.description
                unit_price = self._rate(order.site_id, payer, f"{path}.payer")
                unit = "h"
            elif kind == "part":
                code = item["part_number"]
                quote = quotes[code]
                quantity = Decimal(item["quantity"])
                unit_price = domain.money(quote["price"])
                description = quote.get("name") or code
                unit = quote.get("unit")
            else:
                code = item.get("code") or kind.upper()
                quantity = Decimal(item["quantity"])
                unit_price = Decimal(item["unit_price"])
                description = item["description"]
            seq += 1
            line = OrderLine(
                line_id=new_id("ln"),
                seq=seq,
                kind=kind,
                code=code,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                payer=payer,
                status=status or ("to_be_confirmed" if item.get("to_be_confirmed") else "proposed"),
                to_be_confirmed=bool(item.get("to_be_confirmed")),
                free=bool(item.get("free")),
                free_reason=item.get("free_reason"),
                skill=item.get("skill"),
                unit=unit,
                work_id=work_id,
                recommendation_id=recommendation_id,
                backordered=False,
                created_at=now,
                created_by=by,
            )
            order.lines.append(line)
            added.append(line)
        return added

    def _open_recommendation(self, vehicle: Vehicle, recommendation_id: str, field: str) -> None:
        rec = self.db.session.get(Recommendation, recommendation_id)
        if rec is None or rec.vehicle_id != vehicle.vehicle_id or rec.status != "open":
            raise self._field_error(
                field, "not an open recommendation for this vehicle", "RECOMMENDATION_UNKNOWN"
            )

    def _take_up_recommendations(self, order: Order, lines: list[OrderLine]) -> None:
        for line in lines:
            if line.recommendation_id:
                rec = self.db.session.get(Recommendation, line.recommendation_id)
                if rec is not None and rec.status == "open":
                    rec.status = "taken_up"
                    rec.taken_up_order_id = order.order_id

    def _recommend(
        self,
        order: Order,
        vehicle: Vehicle,
        work_id: str | None,
        description: str,
        items: dict[str, Any],
        estimate: Decimal | None,
        reason: str | None,
        by: str,
    ) -> Recommendation:
        rec = Recommendation(
            recommendation_id=new_id("rec"),
            group_id=order.group_id,
            site_id=order.site_id,
            vehicle_id=vehicle.vehicle_id,
            customer_id=vehicle.customer_id,
            order_id=order.order_id,
            work_id=work_id,
            description=description,
            operations=items.get("operations", []),
            parts=items.get("parts", []),
            estimate_amount=estimate,
            reason=reason,
            status="open",
            created_at=utcnow(),
            created_by=by,
        )
        self.db.session.add(rec)
        return rec

    def _lines_as_items(self, lines: list[OrderLine]) -> dict[str, Any]:
        return {
            "operations": [
                {"operation_code": x.code, "description": x.description,
                 "standard_hours": views.quantity("labor", x.quantity)}
                for x in lines if x.kind == "labor"
            ],
            "parts": [
                {"part_number": x.code, "name": x.description,
                 "quantity": views.quantity("part", x.quantity)}
                for x in lines if x.kind == "part"
            ],
        }  # fmt: skip

    def _line_note(self, line: OrderLine) -> dict[str, Any]:
        return {
            "line_id": line.line_id,
            "kind": line.kind,
            "code": line.code,
            "quantity": views.quantity(line.kind, line.quantity),
            "unit_price": str(domain.money(line.unit_price)),
            "payer": line.payer,
            "status": line.status,
        }

    def _labor_event_line(self, line: OrderLine) -> dict[str, Any]:
        return {
            "line_id": line.line_id,
            "operation_code": line.code,
            "description": line.description,
            "standard_hours": views.quantity("labor", line.quantity),
            "payer": line.payer,
            "skill": line.skill,
        }

    def _part_event_line(self, line: OrderLine) -> dict[str, Any]:
        return {
            "line_id": line.line_id,
            "part_number": line.code,
            "quantity": views.quantity("part", line.quantity),
            "payer": line.payer,
        }

    def _request_parts(self, order: Order, lines: list[OrderLine], by: str) -> None:
        """Every approved part line becomes a requisition the warehouse issues against."""
        part_lines = [self._part_event_line(x) for x in lines if x.kind == "part"]
        if not part_lines:
            return
        self.db.publish(
            "part_requested",
            {
                "order_id": order.order_id,
                "order_number": order.order_number,
                "vin": order.vin,
                "approved_by": by,
                "lines": part_lines,
            },
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )

    def _publish_added_work(
        self, order: Order, work_id: str, lines: list[OrderLine], by: str
    ) -> None:
        self.db.publish(
            "additional_work_approved",
            {
                "order_id": order.order_id,
                "work_id": work_id,
                "promised_at": order.promised_at,
                "approved_by": by,
                "labor_lines": [self._labor_event_line(x) for x in lines if x.kind == "labor"],
                "part_lines": [self._part_event_line(x) for x in lines if x.kind == "part"],
            },
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )
        self._request_parts(order, lines, by)

    def _next_order_number(self, site: Site, day: date) -> str:
        """`PUDONG-20261125-0007`: per site and day, gap-free under concurrency."""
        session = self.db.session
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(OrderCounter)
            .values(site_id=site.site_id, day=day, last=0)
            .on_conflict_do_nothing()
        )
        counter = session.scalars(
            select(OrderCounter)
            .where(OrderCounter.site_id == site.site_id, OrderCounter.day == day)
            .with_for_update()
        ).one()
        counter.last += 1
        return domain.order_number(site.code or domain.site_code(site.site_id), day, counter.last)

    def _sign(self, sheet: CheckIn, vehicle: Vehicle, signature: dict[str, Any], by: str) -> None:
        now = utcnow()
        sheet.status = "signed"
        sheet.signed_by = signature["signed_by"]
        sheet.signature_method = signature["method"]
        sheet.signature_ref = signature.get("reference")
        sheet.signed_at = now
        sheet.notices = self._notices(vehicle)  # what the advisor was shown
        before = vehicle.mileage
        if sheet.mileage > vehicle.mileage or sheet.mileage_reason:
            vehicle.mileage = sheet.mileage
        self._history(
            "check_in", sheet, by, "signed",
            {"signed_by": sheet.signed_by, "method": sheet.signature_method,
             "vehicle_mileage": {"from": before, "to": vehicle.mileage}},
        )  # fmt: skip
        self.db.publish(
            "vehicle_checked_in",
            {
                "check_in_id": sheet.check_in_id,
                "appointment_id": sheet.appointment_id,
                "customer_id": sheet.customer_id,
                "vehicle_id": sheet.vehicle_id,
                "vin": sheet.vin,
                "mileage": sheet.mileage,
                "complaint": sheet.complaint,
                "checked_in_by": by,
            },
            group_id=sheet.group_id,
            site_id=sheet.site_id,
        )

    def _notices(self, vehicle: Vehicle) -> dict[str, Any]:
        """Open recommendations and open recalls for a vehicle (by VIN)."""
        session = self.db.session
        recommendations = session.scalars(
            select(Recommendation)
            .where(Recommendation.vehicle_id == vehicle.vehicle_id, Recommendation.status == "open")
            .order_by(Recommendation.created_at)
        ).all()
        today = domain.local_day(utcnow())
        recalls = session.execute(
            select(Recall, RecallVehicle)
            .join(
                RecallVehicle,
                (RecallVehicle.recall_id == Recall.recall_id)
                & (RecallVehicle.group_id == Recall.group_id),
            )
            .where(Recall.group_id == vehicle.group_id, RecallVehicle.vin == vehicle.vin)
            .order_by(Recall.starts_on, Recall.recall_id)
        ).all()
        return {
            "recommendations": [views.recommendation(r) for r in recommendations],
            "recalls": [
                views.recall(recall)
                for recall, target in recalls
                if domain.recall_is_open(
                    recall.starts_on, recall.ends_on, today, target.completed_order_id is not None
                )
            ],
        }

    def _check_in_notices(self, sheet: CheckIn, vehicle: Vehicle) -> dict[str, Any]:
        return sheet.notices if sheet.status == "signed" else self._notices(vehicle)

    def _complete_recalls(self, order: Order) -> None:
        codes = {x.code for x in order.lines if x.kind == "labor" and x.status == "approved"}
        if not codes:
            return
        rows = self.db.session.execute(
            select(RecallVehicle)
            .join(
                Recall,
                (RecallVehicle.recall_id == Recall.recall_id)
                & (RecallVehicle.group_id == Recall.group_id),
            )
            .where(
                RecallVehicle.group_id == order.group_id,
                RecallVehicle.vin == order.vin,
                RecallVehicle.completed_order_id.is_(None),
                Recall.labor_operation_code.in_(sorted(codes)),
            )
        ).scalars()
        for target in rows:
            target.completed_order_id = order.order_id
            target.completed_at = utcnow()

    def _add_customer(
        self, group_id: str, fields: dict[str, Any], user_id: str, customer_id: str | None = None
    ) -> Customer:
        vehicles = fields.pop("vehicles", [])
        customer = Customer(
            customer_id=customer_id or new_id("cus"),
            group_id=group_id,
            created_at=utcnow(),
            created_by=user_id,
            vehicles=[],
            **fields,
        )
        self.db.session.add(customer)
        self.db.publish(
            "customer_registered",
            {
                "customer_id": customer.customer_id,
                "name": customer.name,
                "phones": customer.phones,
                "customer_class": customer.customer_class,
                "registered_by": user_id,
            },
            group_id=group_id,
            site_id=customer.site_id,
            correlation_id=customer.customer_id,
        )
        for vehicle in vehicles:
            self._add_vehicle(customer, vehicle)
        return customer

    def _same_customer(self, group_id: str, fields: dict[str, Any]) -> bool:
        """A re-imported customer without an id: the same site, name and a shared phone,
        or one of their cars already on file with a customer of that name."""
        session = self.db.session
        candidates = session.scalars(
            select(Customer).where(
                Customer.group_id == group_id,
                Customer.site_id == fields["site_id"],
                Customer.name == fields["name"],
            )
        ).all()
        phones = set(fields["phones"])
        if any(phones.intersection(c.phones or []) for c in candidates):
            return True
        vins = [v["vin"] for v in fields.get("vehicles", [])]
        if vins and candidates:
            owner_ids = set(
                session.scalars(
                    select(Vehicle.customer_id).where(
                        Vehicle.group_id == group_id, Vehicle.vin.in_(vins)
                    )
                ).all()
            )
            return bool(owner_ids.intersection(c.customer_id for c in candidates))
        return False

    def _add_vehicle(self, customer: Customer, fields: dict[str, Any]) -> Vehicle:
        session = self.db.session
        session.flush()
        taken = session.scalar(
            select(Vehicle.vehicle_id).where(
                Vehicle.group_id == customer.group_id, Vehicle.vin == fields["vin"]
            )
        )
        if taken:
            raise Conflict(
                f"VIN {fields['vin']} is already registered", "VIN_TAKEN", {"vin": [fields["vin"]]}
            )
        vehicle = Vehicle(
            vehicle_id=fields.pop("vehicle_id", None) or new_id("veh"),
            group_id=customer.group_id,
            site_id=customer.site_id,
            created_at=utcnow(),
            **fields,
        )
        customer.vehicles.append(vehicle)
        self.db.publish(
            "vehicle_registered",
            {
                "vehicle_id": vehicle.vehicle_id,
                "customer_id": customer.customer_id,
                "vin": vehicle.vin,
                "plate": vehicle.plate,
                "brand": vehicle.brand,
                "model": vehicle.model,
                "sale_date": vehicle.sale_date,
                "mileage": vehicle.mileage,
            },
            group_id=customer.group_id,
            site_id=customer.site_id,
            correlation_id=customer.customer_id,
        )
        return vehicle

    # ================================================================ helpers: events in

    def _event_order(self, event: Envelope) -> Order | None:
        """The order an event is about, locked; events about no order of ours are ignored."""
        order_id = event.payload.get("order_id")
        order = self.db.session.get(Order, order_id, with_for_update=True) if order_id else None
        if order is None or order.group_id != event.group_id:
            log.warning(
                "%s %s names unknown order %s; ignored", event.type, event.event_id, order_id
            )
            return None
        return order

    def _job(self, job_id: str, order_id: str) -> OrderJob:
        job = self.db.session.get(OrderJob, job_id)
        if job is None:
            job = OrderJob(job_id=job_id, order_id=order_id)
            self.db.session.add(job)
        return job

    def _qc(self, event: Envelope, passed: bool) -> None:
        order = self._event_order(event)
        if order is None:
            return
        payload = event.payload
        self.db.session.add(
            OrderQc(
                event_id=event.event_id,
                order_id=order.order_id,
                passed=passed,
                at=event_time(event),
                inspector_id=payload["inspector_id"],
                job_ids=payload.get("job_ids") or [],
                reasons=payload.get("reasons") or [],
            )
        )
        details = {"job_ids": payload.get("job_ids") or []}
        if not passed:
            details["reasons"] = payload.get("reasons") or []
        self._recompute(
            order, payload["inspector_id"], "qc_passed" if passed else "qc_failed", details
        )

    def _recompute(
        self, order: Order, by: str, cause: str, details: dict[str, Any] | None = None
    ) -> None:
        """Derive the order's status from every workshop fact known now (see domain)."""
        session = self.db.session
        session.flush()
        if order.status not in domain.WORKSHOP_STATUSES:
            if cause not in ("line_confirmed", "additional_work_approved"):
                details = {**(details or {}), "status": order.status}
                self._history("order", order, by, cause, details)
            return
        jobs = [
            domain.JobFact(j.job_id, j.line_id, views.utc(j.started_at), views.utc(j.done_at))
            for j in session.scalars(select(OrderJob).where(OrderJob.order_id == order.order_id))
        ]
        qc = [
            domain.QcFact(q.passed, views.utc(q.at), tuple(q.job_ids))
            for q in session.scalars(select(OrderQc).where(OrderQc.order_id == order.order_id))
        ]
        labor = [x.line_id for x in order.lines if x.kind == "labor" and x.status == "approved"]
        target = domain.workshop_status(labor, jobs, qc)
        if cause not in ("line_confirmed", "additional_work_approved"):
            self._history("order", order, by, cause, details or {})
        if target != order.status:
            self._set_status(order, target, by, "status_changed", {"cause": cause})

    def _part_movement(self, event: Envelope, kind: str) -> Order | None:
        order = self._event_order(event)
        if order is None:
            return None
        payload = event.payload
        unit_price = payload.get("unit_price")
        self.db.session.add(
            PartMovement(
                event_id=event.event_id,
                order_id=order.order_id,
                line_id=payload["line_id"],
                kind=kind,
                requisition_id=payload["requisition_id"],
                part_number=payload["part_number"],
                quantity=Decimal(payload["quantity"]),
                unit_price=Decimal(unit_price) if unit_price is not None else None,
                at=event_time(event),
            )
        )
        details = {
            k: payload.get(k)
            for k in ("line_id", "part_number", "quantity", "unit_price", "expected_at")
            if payload.get(k) is not None
        }
        self._history("order", order, "parts", f"part_{kind}", details)
        return order

    def _backorder_outstanding(self, line: OrderLine) -> None:
        """Back-ordered quantities less those arrived: the line waits while any is left."""
        session = self.db.session
        session.flush()
        totals = dict(
            session.execute(
                select(PartMovement.kind, func.sum(PartMovement.quantity))
                .where(
                    PartMovement.order_id == line.order_id,
                    PartMovement.line_id == line.line_id,
                    PartMovement.kind.in_(("backordered", "arrived")),
                )
                .group_by(PartMovement.kind)
            ).all()
        )
        outstanding = Decimal(totals.get("backordered") or 0) - Decimal(totals.get("arrived") or 0)
        line.backordered = outstanding > 0
        if not line.backordered:
            line.backordered_until = None

    # ================================================================ helpers: money

    def _discount_limits(self) -> dict[str, Decimal]:
        configured = self.config.get("DISCOUNT_LIMITS")
        if not configured:
            return dict(domain.DEFAULT_DISCOUNT_LIMITS)
        if isinstance(configured, str):
            configured = json.loads(configured)
        return {role: Decimal(str(share)) for role, share in configured.items()}

    def _issued(self, order: Order) -> dict[str, tuple[Decimal, Decimal]]:
        """Per part line: (net quantity used, unit price) from the warehouse's events."""
        issues: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
        returned: dict[str, Decimal] = defaultdict(Decimal)
        for move in self.db.session.scalars(
            select(PartMovement).where(
                PartMovement.order_id == order.order_id,
                PartMovement.kind.in_(("issued", "returned")),
            )
        ):
            if move.kind == "issued":
                issues[move.line_id].append((Decimal(move.quantity), Decimal(move.unit_price)))
            else:
                returned[move.line_id] += Decimal(move.quantity)
        return {
            line_id: domain.net_issued(rows, returned.get(line_id, Decimal("0")))
            for line_id, rows in issues.items()
        }

    def _job_status(self, order: Order) -> dict[str, str]:
        session = self.db.session
        jobs = [
            domain.JobFact(j.job_id, j.line_id, views.utc(j.started_at), views.utc(j.done_at))
            for j in session.scalars(select(OrderJob).where(OrderJob.order_id == order.order_id))
        ]
        qc = [
            domain.QcFact(q.passed, views.utc(q.at), tuple(q.job_ids))
            for q in session.scalars(select(OrderQc).where(OrderQc.order_id == order.order_id))
        ]
        status = {}
        for line in order.lines:
            if line.kind != "labor" or line.status != "approved":
                continue
            line_jobs = [j for j in jobs if j.line_id == line.line_id]
            if domain.line_done_at(line.line_id, jobs, qc) is not None:
                status[line.line_id] = "done"
            elif any(j.started_at for j in line_jobs):
                status[line.line_id] = "in_progress"
            elif line_jobs:
                status[line.line_id] = "dispatched"
            else:
                status[line.line_id] = "waiting"
        return status

    def _priced(
        self, line: OrderLine, quantity: Decimal | None = None, price: Decimal | None = None
    ) -> domain.PricedLine:
        return domain.PricedLine(
            line_id=line.line_id,
            kind=line.kind,
            code=line.code,
            description=line.description,
            payer=line.payer,
            quantity=Decimal(line.quantity if quantity is None else quantity),
            unit_price=Decimal(line.unit_price if price is None else price),
            free=line.free,
        )

    def _estimate(self, order: Order) -> domain.Statement:
        """The estimate the customer signs: every line not declined, at quoted prices."""
        lines = [self._priced(x) for x in order.lines if x.status != "declined"]
        return domain.build_statement(
            lines, tax_rate=Decimal(order.tax_rate), prices_include_tax=order.prices_include_tax
        )

    def _actual_lines(self, order: Order) -> list[domain.PricedLine]:
        """What was done and issued: done labor lines at standard hours x rate, parts as the
        warehouse issued them less returns, approved sublet and misc lines as written."""
        done = self._job_status(order)
        issued = self._issued(order)
        lines = []
        for line in order.lines:
            if line.status != "approved":
                continue
            if line.kind == "labor":
                if done.get(line.line_id) == "done":
                    lines.append(self._priced(line))
            elif line.kind == "part":
                quantity, price = issued.get(line.line_id, (Decimal("0"), domain.ZERO))
                if quantity > 0:
                    lines.append(self._priced(line, quantity, price))
            else:
                lines.append(self._priced(line))
        return lines

    def _actual_statement(self, order: Order, with_discount: bool = True) -> domain.Statement:
        discount = (
            Decimal(order.discount_amount)
            if with_discount and order.discount_status == "approved"
            else domain.ZERO
        )
        return domain.build_statement(
            self._actual_lines(order),
            tax_rate=Decimal(order.tax_rate),
            prices_include_tax=order.prices_include_tax,
            discount=discount,
        )

    def _actual_statement_view(self, order: Order) -> dict[str, Any]:
        """The statement to date; a discount that no longer fits the customer's share (work
        was undone after it was granted) is shown as such, to be granted again."""
        try:
            return views.statement(self._actual_statement(order), "actual", self._paid(order))
        except Conflict as exc:
            if exc.code != "DISCOUNT_EXCEEDS_SHARE":
                raise
            view = views.statement(
                self._actual_statement(order, with_discount=False), "actual", self._paid(order)
            )
            view["discount_exceeds_share"] = True
            return view

    def _customer_gross(self, order: Order) -> Decimal:
        totals = self._actual_statement(order, with_discount=False).by_payer.get("customer")
        return totals.gross if totals else domain.ZERO

    def _paid(self, order: Order) -> Decimal:
        return Decimal(
            self.db.session.scalar(
                select(func.coalesce(func.sum(Payment.amount), 0)).where(
                    Payment.order_id == order.order_id
                )
            )
            or 0
        )

    def _add_payment(self, order: Order, fields: dict[str, Any], by: str) -> Payment:
        if order.discount_status == "pending":
            raise Conflict("a discount is waiting for a supervisor", "DISCOUNT_PENDING")
        due = self._actual_statement(order).due("customer")
        paid = self._paid(order)
        domain.check_payment(fields["amount"], paid, due)
        payment = Payment(
            payment_id=new_id("pay"),
            order_id=order.order_id,
            amount=fields["amount"],
            method=fields["method"],
            reference=fields.get("reference"),
            received_at=utcnow(),
            received_by=by,
        )
        self.db.session.add(payment)
        self.db.session.flush()
        self._history(
            "order", order, by, "payment_received",
            {"payment_id": payment.payment_id, "amount": payment.amount, "method": payment.method},
        )  # fmt: skip
        return payment

    def _order_view(self, order: Order) -> dict[str, Any]:
        session = self.db.session
        session.flush()
        job_status = self._job_status(order)
        issued = self._issued(order)
        data = views.order_header(order)
        data["lines"] = [
            views.line(
                x,
                job_status.get(x.line_id),
                issued[x.line_id][0] if x.line_id in issued else None,
            )
            for x in order.lines
        ]
        data["estimate"] = views.statement(self._estimate(order), "estimate")
        if order.statement:
            data["statement"] = order.statement
        elif order.status in domain.WORKSHOP_STATUSES:
            data["statement"] = self._actual_statement_view(order)
        else:
            data["statement"] = None
        data["additional_work"] = [
            views.additional_work(w)
            for w in session.scalars(
                select(AdditionalWork)
                .where(AdditionalWork.order_id == order.order_id)
                .order_by(AdditionalWork.found_at)
            )
        ]
        data["payments"] = views.payments(
            list(
                session.scalars(
                    select(Payment)
                    .where(Payment.order_id == order.order_id)
                    .order_by(Payment.received_at)
                )
            )
        )
        data["history"] = views.history(self._history_of("order", order.order_id))
        return data
