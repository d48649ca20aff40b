"""Appointments within the workshop's capacity, the pre-pick list and the check-in sheet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aftersales_contracts.api.reception import (
    AppointmentIn,
    AppointmentOut,
    AppointmentQuery,
    CheckInEditable,
    CheckInIn,
    CheckInOut,
    OptionalReasonIn,
    PrePickOut,
    PrePickQuery,
    ReasonIn,
    RescheduleIn,
    SignatureIn,
)
from aftersales_core.envelope import utcnow
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, payloads, queries, views
from .base import ReceptionBase
from .models import Appointment


def _appointment_item(row: Appointment) -> dict[str, Any]:
    return AppointmentOut().dump(views.appointment(row))


class VisitEntrypoints(ReceptionBase):
    # ================================================================ appointments

    @command
    def book_appointment(self, data: dict[str, Any]) -> dict[str, Any]:
        """Book a visit into a slot that fits the day's technician hours."""
        tenant = self.caller.tenant
        fields = load(AppointmentIn(), data)
        self._require_staff(tenant, fields["site_id"])
        site = self._site(tenant.group_id, fields["site_id"], lock=True)
        vehicle = self._vehicle(fields["vehicle_id"])
        appointment = self._new_appointment(site, vehicle, fields, tenant.user_id)
        self._history(
            "appointment", appointment, tenant.user_id, "booked", {"day": appointment.day}
        )
        self._announce(
            "appointment_booked", payloads.appointment_booked(appointment),
            group_id=site.group_id, site_id=site.site_id,
        )  # fmt: skip
        self.db.session.flush()
        return self._appointment_doc(appointment)

    @command
    def reschedule_appointment(self, appointment_id: str, data: dict[str, Any]) -> dict:
        tenant = self.caller.tenant
        fields = load(RescheduleIn(), data)
        appointment = self._appointment_for_change(appointment_id)
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
        self.db.session.flush()
        return self._appointment_doc(appointment)

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
        return self._appointment_doc(self._appointment(appointment_id))

    @query
    def list_appointments(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the appointments of the caller's sites by slot: one day (today by
        default) or the local days `from`–`to`, of one status or all."""
        tenant = self.caller.tenant
        fields = load(AppointmentQuery(), params or {})
        sites = tenant.visible_sites([fields["site_id"]] if fields["site_id"] else None)
        first, last = domain.appointment_days(
            fields["day"], fields["date_from"], fields["date_to"], domain.local_day(utcnow())
        )
        stmt = queries.appointments(tenant.group_id, sites, first, last, fields["status"])
        keys = (Appointment.slot_start, Appointment.appointment_id)
        return self._page(stmt, keys, fields, _appointment_item, descending=False)

    @query
    def pre_pick_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """Tomorrow's (or a day's) booked appointments and the parts to pick for them,
        with what the warehouse has available now."""
        tenant = self.caller.tenant
        fields = load(PrePickQuery(), params or {})
        site_id = fields["site_id"]
        tenant.require_site(site_id)
        the_day = fields["day"] or domain.local_day(utcnow()) + timedelta(days=1)
        stmt = queries.appointments(tenant.group_id, [site_id], the_day, the_day, "booked")
        rows = self.db.session.scalars(
            stmt.order_by(Appointment.slot_start, Appointment.appointment_id)
        ).all()
        picks = domain.pick_list((a.appointment_id, part) for a in rows for part in a.parts)
        if picks:
            quotes = self.remote.call("parts", "quote", site_id, [p.part_number for p in picks])
            domain.mark_available(picks, {q["part_number"]: q.get("available") for q in quotes})
        return PrePickOut().dump(
            {
                "site_id": site_id,
                "day": the_day,
                "appointments": [views.appointment(a) for a in rows],
                "parts": [views.pick(p) for p in picks],
            }
        )

    # ================================================================ check-in

    @command
    def check_in(self, data: dict[str, Any]) -> dict[str, Any]:
        """Start the check-in sheet; signed at once if the customer's signature is given."""
        tenant = self.caller.tenant
        fields = load(CheckInIn(), data)
        self._require_staff(tenant, fields["site_id"])
        vehicle = self._vehicle(fields["vehicle_id"])
        sheet = self._new_sheet(fields, vehicle, tenant.user_id)
        if fields["signature"]:
            self._sign(sheet, vehicle, fields["signature"], tenant.user_id)
        return CheckInOut().dump(views.check_in(sheet, self._check_in_notices(sheet, vehicle)))

    @command
    def update_check_in(self, check_in_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Correct a sheet before the customer signs it; a signed sheet never changes."""
        tenant = self.caller.tenant
        sheet = self._check_in(check_in_id)
        self._require_staff(tenant, sheet.site_id)
        fields = load(CheckInEditable(), data, partial=True)
        domain.check_sheet_unsigned(sheet.status, "change")
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
        return CheckInOut().dump(views.check_in(sheet, self._check_in_notices(sheet, vehicle)))

    @command
    def sign_check_in(self, check_in_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        sheet = self._check_in(check_in_id)
        self._require_staff(tenant, sheet.site_id)
        signature = load(SignatureIn(), data)
        domain.check_sheet_unsigned(sheet.status, "sign")
        vehicle = self._vehicle(sheet.vehicle_id)
        domain.check_mileage(sheet.mileage, vehicle.mileage, sheet.mileage_reason)
        self._sign(sheet, vehicle, signature, tenant.user_id)
        return CheckInOut().dump(views.check_in(sheet, self._check_in_notices(sheet, vehicle)))

    @query
    def get_check_in(self, check_in_id: str) -> dict[str, Any]:
        sheet = self._check_in(check_in_id)
        vehicle = self._vehicle(sheet.vehicle_id)
        data = views.check_in(sheet, self._check_in_notices(sheet, vehicle))
        data["history"] = views.history(self._history_of("check_in", check_in_id))
        return CheckInOut().dump(data)
