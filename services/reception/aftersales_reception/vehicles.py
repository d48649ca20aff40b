"""Customers, their vehicles, appointments and check-in sheets: the records the advisor
keeps before an RO is opened, and what is shown at check-in (recommendations, recalls)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from aftersales_contracts.api.reception import AppointmentFileOut
from aftersales_core.envelope import to_primitives, utcnow
from aftersales_core.ids import new_id

from . import domain, payloads, views
from .models import (
    Appointment,
    CheckIn,
    Customer,
    Order,
    Recall,
    RecallVehicle,
    Recommendation,
    Site,
    Vehicle,
)


@dataclass(frozen=True)
class Opening:
    """What an RO is opened from: the signed sheet (its mileage and complaint) or the
    advisor's own reading, and the appointment it fulfils."""

    sheet: CheckIn | None
    mileage: int
    complaint: str
    appointment_id: str | None


class VehicleHelpers:
    """Mixin of `ReceptionBase`: customers, vehicles, appointments, check-in sheets."""

    _guard: Callable[..., None]

    def _opening(self, fields: dict[str, Any], vehicle: Vehicle) -> Opening:
        """The check-in rules of opening an RO (see `domain.check_order_sheet`); without a
        sheet the advisor's reading is checked and kept on the car."""
        sheet = None
        if fields["check_in_id"]:
            sheet = self._check_in(fields["check_in_id"])
            used_on = self.db.session.scalar(
                select(Order.order_id).where(
                    Order.check_in_id == sheet.check_in_id, Order.status != "cancelled"
                )
            )
            domain.check_order_sheet(
                check_in_id=sheet.check_in_id,
                sheet_vehicle_id=sheet.vehicle_id,
                sheet_site_id=sheet.site_id,
                sheet_status=sheet.status,
                used_on=used_on,
                vehicle_id=vehicle.vehicle_id,
                site_id=fields["site_id"],
            )
            mileage, complaint = sheet.mileage, sheet.complaint
        else:
            mileage, complaint = fields["mileage"], fields["complaint"]
            domain.check_mileage(mileage, vehicle.mileage, fields["mileage_reason"])
            if domain.takes_reading(mileage, vehicle.mileage, fields["mileage_reason"]):
                vehicle.mileage = mileage
        appointment_id = fields["appointment_id"] or (sheet.appointment_id if sheet else None)
        if appointment_id:
            appointment = self._appointment(appointment_id)
            domain.check_appointment_for(appointment.vehicle_id == vehicle.vehicle_id)
        return Opening(sheet, mileage, complaint, appointment_id)

    def _new_appointment(
        self, site: Site, vehicle: Vehicle, fields: dict[str, Any], by: str
    ) -> Appointment:
        """A booking priced from the catalog and the parts quote, within the day's
        technician hours (the workshop's word, never a guess)."""
        now = utcnow()
        domain.check_slot(fields["slot_start"], now)
        operations, op_hours, labor_amount = self._appointment_operations(
            site, vehicle, fields["operations"]
        )
        estimated = fields["estimated_hours"] or op_hours
        parts, parts_amount = self._appointment_parts(site.site_id, fields["parts"])
        day = domain.local_day(fields["slot_start"])
        self._check_capacity(site.site_id, day, estimated)
        priced = bool(operations or parts)
        appointment = Appointment(
            appointment_id=new_id("apt"),
            group_id=site.group_id,
            site_id=site.site_id,
            customer_id=vehicle.customer_id,
            vehicle_id=vehicle.vehicle_id,
            vin=vehicle.vin,
            slot_start=fields["slot_start"],
            day=day,
            estimated_hours=estimated,
            estimate_amount=domain.money(labor_amount + parts_amount) if priced else None,
            requested_work=fields["requested_work"],
            operations=operations,
            parts=parts,
            source=fields["source"],
            service_advisor_id=fields["service_advisor_id"] or by,
            notes=fields["notes"],
            status="booked",
            created_at=now,
            created_by=by,
        )
        self.db.session.add(appointment)
        return appointment

    def _new_sheet(self, fields: dict[str, Any], vehicle: Vehicle, by: str) -> CheckIn:
        """A draft check-in sheet; the appointment it names (same car and site, still
        open) is marked arrived."""
        appointment = None
        if fields["appointment_id"]:
            appointment = self._appointment(fields["appointment_id"])
            domain.check_appointment_for(
                appointment.vehicle_id == vehicle.vehicle_id,
                appointment.site_id == fields["site_id"],
            )
            domain.check_appointment_open(appointment.status)
        domain.check_mileage(fields["mileage"], vehicle.mileage, fields["mileage_reason"])
        sheet = CheckIn(
            check_in_id=new_id("chk"),
            group_id=vehicle.group_id,
            site_id=fields["site_id"],
            appointment_id=fields["appointment_id"],
            customer_id=vehicle.customer_id,
            vehicle_id=vehicle.vehicle_id,
            vin=vehicle.vin,
            mileage=fields["mileage"],
            mileage_reason=fields["mileage_reason"],
            previous_mileage=vehicle.mileage,
            fuel_level=fields["fuel_level"],
            damage_marks=fields["damage_marks"],
            valuables=fields["valuables"],
            items_left=fields["items_left"],
            complaint=fields["complaint"],
            notices={},
            status="draft",
            created_at=utcnow(),
            created_by=by,
        )
        self.db.session.add(sheet)
        self._history("check_in", sheet, by, "created", {"mileage": sheet.mileage})
        if appointment is not None and appointment.status == "booked":
            appointment.status = "arrived"
            self._history("appointment", appointment, by, "arrived", {})
        return sheet

    def _appointment_doc(self, appointment: Appointment) -> dict[str, Any]:
        """An appointment as its GET answers it (and as every appointment write answers)."""
        data = views.appointment(appointment)
        data["history"] = views.history(self._history_of("appointment", appointment.appointment_id))
        return AppointmentFileOut().dump(data)

    def _appointment_for_change(self, appointment_id: str) -> Appointment:
        """An appointment to change: locked, the caller's, and as the caller last read it."""
        appointment = self._appointment(appointment_id, lock=True)
        self._require_staff(self.caller.tenant, appointment.site_id)
        self._guard(lambda: self._appointment_doc(appointment))
        return appointment

    def _appointment_step(self, appointment_id: str, action: str, reason: str | None) -> dict:
        tenant = self.caller.tenant
        appointment = self._appointment_for_change(appointment_id)
        target = domain.appointment_transition(appointment.status, action)
        if action == "no_show":
            domain.check_no_show(views.utc(appointment.slot_start), utcnow())
        appointment.status = target
        appointment.reason = reason or appointment.reason
        self._history("appointment", appointment, tenant.user_id, target, {"reason": reason})
        self.db.session.flush()
        return self._appointment_doc(appointment)

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

    def _sign(self, sheet: CheckIn, vehicle: Vehicle, signature: dict[str, Any], by: str) -> None:
        now = utcnow()
        sheet.status = "signed"
        sheet.signed_by = signature["signed_by"]
        sheet.signature_method = signature["method"]
        sheet.signature_ref = signature.get("reference")
        sheet.signed_at = now
        sheet.notices = to_primitives(self._notices(vehicle))  # what the advisor was shown
        before = vehicle.mileage
        if domain.takes_reading(sheet.mileage, vehicle.mileage, sheet.mileage_reason):
            vehicle.mileage = sheet.mileage
        self._history(
            "check_in", sheet, by, "signed",
            {"signed_by": sheet.signed_by, "method": sheet.signature_method,
             "vehicle_mileage": {"from": before, "to": vehicle.mileage}},
        )  # fmt: skip
        self._announce(
            "vehicle_checked_in", payloads.vehicle_checked_in(sheet, by),
            group_id=sheet.group_id, site_id=sheet.site_id,
        )  # fmt: skip

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
        if sheet.status == "signed":
            return views.stored_notices(sheet.notices)
        return self._notices(vehicle)

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
        self._announce(
            "customer_registered", payloads.customer_registered(customer, user_id),
            group_id=group_id, site_id=customer.site_id, correlation_id=customer.customer_id,
        )  # fmt: skip
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
        domain.check_vin_free(bool(taken), fields["vin"])
        vehicle = Vehicle(
            vehicle_id=fields.pop("vehicle_id", None) or new_id("veh"),
            group_id=customer.group_id,
            site_id=customer.site_id,
            created_at=utcnow(),
            **fields,
        )
        customer.vehicles.append(vehicle)
        self._announce(
            "vehicle_registered", payloads.vehicle_registered(vehicle, customer),
            group_id=customer.group_id, site_id=customer.site_id,
            correlation_id=customer.customer_id,
        )  # fmt: skip
        return vehicle
