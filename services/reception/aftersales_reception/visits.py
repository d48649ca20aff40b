"""Appointments within the workshop's capacity, the pre-pick list and the check-in sheet."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Conflict, ValidationFailed
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, views
from .base import ReceptionBase, new_id
from .models import (
    Appointment,
    CheckIn,
)
from .schemas import (
    AppointmentIn,
    CheckInEditable,
    CheckInIn,
    OptionalReasonIn,
    ReasonIn,
    RescheduleIn,
    SignatureIn,
)


class VisitEntrypoints(ReceptionBase):
    # ================================================================ appointments

    @command
    def book_appointment(self, data: dict[str, Any]) -> dict[str, Any]:
        """Book a visit into a slot that fits the day's technician hours."""
        tenant = self.caller.tenant
        fields = load(AppointmentIn(), data)
        site_id = fields["site_id"]
        self._require_staff(tenant, site_id)
        site = self._site(tenant.group_id, site_id, lock=True)
        vehicle = self._vehicle(fields["vehicle_id"])
        now = utcnow()
        domain.check_slot(fields["slot_start"], now)
        operations, op_hours, labor_amount = self._appointment_operations(
            site, vehicle, fields["operations"]
        )
        estimated = fields["estimated_hours"] or op_hours
        parts, parts_amount = self._appointment_parts(site_id, fields["parts"])
        day = domain.local_day(fields["slot_start"])
        self._check_capacity(site_id, day, estimated)
        priced = bool(operations or parts)
        appointment = Appointment(
            appointment_id=new_id("apt"),
            group_id=tenant.group_id,
            site_id=site_id,
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
            service_advisor_id=fields["service_advisor_id"] or tenant.user_id,
            notes=fields["notes"],
            status="booked",
            created_at=now,
            created_by=tenant.user_id,
        )
        self.db.session.add(appointment)
        self._history("appointment", appointment, tenant.user_id, "booked", {"day": day})
        self.db.publish(
            "appointment_booked",
            {
                "appointment_id": appointment.appointment_id,
                "customer_id": appointment.customer_id,
                "vehicle_id": appointment.vehicle_id,
                "vin": appointment.vin,
                "slot_start": appointment.slot_start,
                "estimated_hours": appointment.estimated_hours,
                "estimate_amount": appointment.estimate_amount,
                "requested_work": appointment.requested_work,
                "source": appointment.source,
                "service_advisor_id": appointment.service_advisor_id,
            },
            group_id=tenant.group_id,
            site_id=site_id,
        )
        return views.appointment(appointment)

    @command
    def reschedule_appointment(self, appointment_id: str, data: dict[str, Any]) -> dict:
        tenant = self.caller.tenant
        appointment = self._appointment(appointment_id)
        self._require_staff(tenant, appointment.site_id)
        fields = load(RescheduleIn(), data)
        domain.appointment_transition(appointment.status, "reschedule")
        self._site(tenant.group_id, appointment.site_id, lock=True)
        domain.check_slot(fields["slot_start"], utcnow())
        estimated = fields["estimated_hours"] or appointment.estimated_hours
        day = domain.local_day(fields["slot_start"])
        self._check_capacity(appointment.site_id, day, estimated, exclude=appointment_id)
        before = {
            "slot_start": views.utc(appointment.slot_start),
            "hours": appointment.estimated_hours,
        }
        appointment.slot_start = fields["slot_start"]
        appointment.day = day
        appointment.estimated_hours = estimated
        self._history(
            "appointment",
            appointment,
            tenant.user_id,
            "rescheduled",
            {
                "from": before,
                "to": {"slot_start": fields["slot_start"], "hours": estimated},
                "reason": fields["reason"],
            },
        )
        return views.appointment(appointment)

    @command
    def cancel_appointment(self, appointment_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._appointment_step(appointment_id, "cancel", load(ReasonIn(), data)["reason"])

    @command
    def mark_no_show(self, appointment_id: str, data: dict[str, Any] | None = None) -> dict:
        reason = load(OptionalReasonIn(), data or {})["reason"]
        return self._appointment_step(appointment_id, "no_show", reason)

    @command
    def mark_arrived(self, appointment_id: str) -> dict[str, Any]:
        return self._appointment_step(appointment_id, "arrive", None)

    @query
    def get_appointment(self, appointment_id: str) -> dict[str, Any]:
        appointment = self._appointment(appointment_id)
        data = views.appointment(appointment)
        data["history"] = views.history(self._history_of("appointment", appointment_id))
        return data

    @query
    def list_appointments(
        self, site_id: str | None = None, day: str | None = None, status: str | None = None
    ) -> list[dict[str, Any]]:
        """A day's appointments (today by default) of the caller's sites, by slot."""
        tenant = self.caller.tenant
        sites = tenant.visible_sites([site_id] if site_id else None)
        the_day = self._day(day) if day else domain.local_day(utcnow())
        stmt = select(Appointment).where(
            Appointment.group_id == tenant.group_id, Appointment.day == the_day
        )
        if sites is not None:
            stmt = stmt.where(Appointment.site_id.in_(sites))
        if status:
            stmt = stmt.where(Appointment.status == status)
        rows = self.db.session.scalars(
            stmt.order_by(Appointment.slot_start, Appointment.appointment_id)
        ).all()
        return [views.appointment(a) for a in rows]

    @query
    def pre_pick_list(self, site_id: str, day: str | None = None) -> dict[str, Any]:
        """Tomorrow's (or a day's) booked appointments and the parts to pick for them,
        with what the warehouse has available now."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        the_day = self._day(day) if day else domain.local_day(utcnow()) + timedelta(days=1)
        rows = self.db.session.scalars(
            select(Appointment)
            .where(
                Appointment.group_id == tenant.group_id,
                Appointment.site_id == site_id,
                Appointment.day == the_day,
                Appointment.status == "booked",
            )
            .order_by(Appointment.slot_start, Appointment.appointment_id)
        ).all()
        wanted: dict[str, dict[str, Any]] = {}
        for appointment in rows:
            for part in appointment.parts:
                entry = wanted.setdefault(
                    part["part_number"],
                    {
                        "part_number": part["part_number"],
                        "name": part.get("name"),
                        "quantity": Decimal("0"),
                        "appointment_ids": [],
                    },
                )
                entry["quantity"] += Decimal(part["quantity"])
                entry["appointment_ids"].append(appointment.appointment_id)
        stock = {}
        if wanted:
            quotes = self.remote.call("parts", "quote", site_id, sorted(wanted))
            stock = {q["part_number"]: q for q in quotes}
        parts = []
        for number in sorted(wanted):
            entry = wanted[number]
            available = stock.get(number, {}).get("available")
            parts.append(
                {
                    **entry,
                    "quantity": views.quantity("part", entry["quantity"]),
                    "available": str(available) if available is not None else None,
                    "short": available is None or Decimal(str(available)) < entry["quantity"],
                }
            )
        return {
            "site_id": site_id,
            "day": the_day.isoformat(),
            "appointments": [views.appointment(a) for a in rows],
            "parts": parts,
        }

    # ================================================================ check-in

    @command
    def check_in(self, data: dict[str, Any]) -> dict[str, Any]:
        """Start the check-in sheet; signed at once if the customer's signature is given."""
        tenant = self.caller.tenant
        fields = load(CheckInIn(), data)
        self._require_staff(tenant, fields["site_id"])
        vehicle = self._vehicle(fields["vehicle_id"])
        appointment = None
        if fields["appointment_id"]:
            appointment = self._appointment(fields["appointment_id"])
            if (
                appointment.vehicle_id != vehicle.vehicle_id
                or appointment.site_id != fields["site_id"]
            ):
                raise ValidationFailed.on(
                    "appointment_id",
                    "the appointment is for another vehicle or site",
                    "APPOINTMENT_MISMATCH",
                )
            if appointment.status not in ("booked", "arrived"):
                domain.appointment_transition(appointment.status, "arrive")
        domain.check_mileage(fields["mileage"], vehicle.mileage, fields["mileage_reason"])
        now = utcnow()
        sheet = CheckIn(
            check_in_id=new_id("chk"),
            group_id=tenant.group_id,
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
            created_at=now,
            created_by=tenant.user_id,
        )
        self.db.session.add(sheet)
        self._history("check_in", sheet, tenant.user_id, "created", {"mileage": sheet.mileage})
        if appointment is not None and appointment.status == "booked":
            appointment.status = "arrived"
            self._history("appointment", appointment, tenant.user_id, "arrived", {})
        if fields["signature"]:
            self._sign(sheet, vehicle, fields["signature"], tenant.user_id)
        return views.check_in(sheet, self._check_in_notices(sheet, vehicle))

    @command
    def update_check_in(self, check_in_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Correct a sheet before the customer signs it; a signed sheet never changes."""
        tenant = self.caller.tenant
        sheet = self._check_in(check_in_id)
        self._require_staff(tenant, sheet.site_id)
        fields = load(CheckInEditable(), data, partial=True)
        if sheet.status == "signed":
            raise Conflict("a signed check-in sheet cannot change", "CHECK_IN_SIGNED")
        vehicle = self._vehicle(sheet.vehicle_id)
        mileage = fields.get("mileage", sheet.mileage)
        reason = fields.get("mileage_reason", sheet.mileage_reason)
        domain.check_mileage(mileage, vehicle.mileage, reason)
        changed = {}
        for name, value in fields.items():
            if getattr(sheet, name) != value:
                changed[name] = {"from": getattr(sheet, name), "to": value}
                setattr(sheet, name, value)
        self._history("check_in", sheet, tenant.user_id, "updated", changed)
        return views.check_in(sheet, self._check_in_notices(sheet, vehicle))

    @command
    def sign_check_in(self, check_in_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        sheet = self._check_in(check_in_id)
        self._require_staff(tenant, sheet.site_id)
        signature = load(SignatureIn(), data)
        if sheet.status == "signed":
            raise Conflict("the check-in sheet is already signed", "CHECK_IN_SIGNED")
        vehicle = self._vehicle(sheet.vehicle_id)
        domain.check_mileage(sheet.mileage, vehicle.mileage, sheet.mileage_reason)
        self._sign(sheet, vehicle, signature, tenant.user_id)
        return views.check_in(sheet, self._check_in_notices(sheet, vehicle))

    @query
    def get_check_in(self, check_in_id: str) -> dict[str, Any]:
        sheet = self._check_in(check_in_id)
        vehicle = self._vehicle(sheet.vehicle_id)
        data = views.check_in(sheet, self._check_in_notices(sheet, vehicle))
        data["history"] = views.history(self._history_of("check_in", check_in_id))
        return data
