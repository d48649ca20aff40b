"""Reminders (保养提醒): the next service after a delivery, declined work offered again,
recall and campaign notices, special orders that arrived — and the calls made on them.

A mixin of `CustomerCareService`: the RPCs and handlers here are the service's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from aftersales_contracts import validate_payload
from aftersales_contracts.api.customer_care import (
    REMINDER_ROLES,
    ReminderCallIn,
    ReminderOut,
    ReminderQuery,
)
from aftersales_contracts.api.pages import page_of
from aftersales_core.envelope import Envelope, as_utc, utcnow
from aftersales_core.errors import NotFound
from aftersales_core.pages import page
from aftersales_core.service import command, on_event, query
from aftersales_core.validation import load

from . import domain
from .adapters import reminder_view, utc
from .domain import CarePolicy
from .models import (
    ArchiveCustomer,
    ArchiveVehicle,
    MileageReading,
    Recall,
    Recommendation,
    Reminder,
)
from .records import CareRecords


class Reminders(CareRecords):
    # ================================================================ events in

    @on_event("reception", "additional_work_declined")
    def on_additional_work_declined(self, event: Envelope) -> None:
        """Declined work is a recommendation: offered again by a reminder call."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        if session.get(Recommendation, payload["work_id"]) is not None:
            return
        declined_at = as_utc(datetime.fromisoformat(event.occurred_at))
        session.add(
            Recommendation(
                work_id=payload["work_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                order_id=payload["order_id"],
                vehicle_id=payload["vehicle_id"],
                description=payload["description"],
                declined_at=declined_at,
            )
        )
        policy = self._policy(event.site_id)
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        customer = self._archived_customer(vehicle.customer_id, event.group_id) if vehicle else None
        self._add_reminder(
            kind="recommendation",
            dedupe_key=f"recommendation:{payload['work_id']}",
            group_id=event.group_id,
            site_id=event.site_id,
            vehicle=vehicle,
            customer=customer,
            vehicle_id=payload["vehicle_id"],
            title=f"再次推荐：{payload['description']}",
            details={
                "order_id": payload["order_id"],
                "work_id": payload["work_id"],
                "description": payload["description"],
            },
            remind_on=domain.local_date(declined_at, policy)
            + timedelta(days=policy.recommendation_reminder_days),
            at=declined_at,
        )

    @on_event("parts", "special_order_arrived")
    def on_special_order_arrived(self, event: Envelope) -> None:
        """A counter customer's special order is in: call them today."""
        payload = validate_payload(event.type, event.payload)
        arrived_at = as_utc(datetime.fromisoformat(event.occurred_at))
        customer = (
            self._archived_customer(payload["customer_id"], event.group_id)
            if payload.get("customer_id")
            else None
        )
        self._add_reminder(
            kind="special_order",
            dedupe_key=f"special_order:{payload['sale_id']}",
            group_id=event.group_id,
            site_id=event.site_id,
            vehicle=None,
            customer=customer,
            customer_id=payload.get("customer_id"),
            contact_name=payload["customer_name"],
            phone=payload["phone"],
            title=f"订货到店，请通知取件：{payload['part_number']} × {payload['quantity']}",
            details={
                "sale_id": payload["sale_id"],
                "part_number": payload["part_number"],
                "quantity": payload["quantity"],
            },
            remind_on=self._local_date(arrived_at, event.site_id),
            at=arrived_at,
        )

    @on_event("claims", "recall_announced")
    def on_recall_announced(self, event: Envelope) -> None:
        """An OEM recall or campaign: a notice call to every affected vehicle we know."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        recall = session.get(Recall, (event.group_id, payload["recall_id"]))
        if recall is None:
            recall = Recall(group_id=event.group_id, recall_id=payload["recall_id"])
            session.add(recall)
        recall.oem_id = payload["oem_id"]
        recall.kind = payload["kind"]
        recall.title = payload["title"]
        recall.description = payload["description"]
        recall.vins = sorted(set(payload["vins"]))
        recall.labor_operation_code = payload.get("labor_operation_code")
        recall.starts_on = date.fromisoformat(payload["starts_on"])
        recall.ends_on = date.fromisoformat(payload["ends_on"]) if payload.get("ends_on") else None
        session.flush()
        announced = as_utc(datetime.fromisoformat(event.occurred_at))
        vehicles = session.scalars(
            select(ArchiveVehicle).where(
                ArchiveVehicle.group_id == event.group_id, ArchiveVehicle.vin.in_(recall.vins)
            )
        ).all()
        for vehicle in vehicles:
            self._recall_reminder(recall, vehicle, announced)

    # ================================================================ the calls

    @query
    def list_reminders(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the caller's sites' reminder calls, the earliest first (open ones by
        default)."""
        tenant = self.caller.tenant
        wanted = load(ReminderQuery(), filters or {})
        sites = self._sites_of(wanted.get("site_id"))
        stmt = select(Reminder).where(
            Reminder.group_id == tenant.group_id, Reminder.status == wanted["status"]
        )
        if sites is not None:
            stmt = stmt.where(Reminder.site_id.in_(sites))
        if "kind" in wanted:
            stmt = stmt.where(Reminder.kind == wanted["kind"])
        if "due_by" in wanted:
            stmt = stmt.where(Reminder.remind_on <= wanted["due_by"])
        if "agent_id" in wanted:
            stmt = stmt.where(Reminder.agent_id == wanted["agent_id"])
        if "customer_id" in wanted:
            stmt = stmt.where(Reminder.customer_id == wanted["customer_id"])
        result = page(
            self.db.session,
            stmt,
            keys=(Reminder.remind_on, Reminder.reminder_id),
            limit=wanted["limit"],
            cursor=wanted["cursor"],
            dump=lambda r: utc(reminder_view(r)),
            descending=False,
        )
        return page_of(ReminderOut)().dump(result)

    @command
    def complete_reminder(self, reminder_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record a reminder call: done (contacted, booked, declined) or not reached."""
        tenant = self.caller.tenant
        tenant.require_role(*REMINDER_ROLES)
        reminder = self.db.session.get(Reminder, reminder_id, with_for_update=True)
        if reminder is None or not self._sees(reminder.group_id, reminder.site_id):
            raise NotFound(f"reminder {reminder_id} not found", "REMINDER_NOT_FOUND")
        fields = load(ReminderCallIn(), data)
        call = domain.record_reminder_call(
            status=reminder.status, attempts=reminder.attempts, outcome=fields["outcome"]
        )
        now = utcnow()
        reminder.attempts, reminder.status = call.attempts, call.status
        reminder.outcome, reminder.note = fields["outcome"], fields["note"]
        if call.done:
            reminder.done_at, reminder.done_by = now, tenant.user_id
        self._contact(
            reminder.group_id,
            reminder.site_id,
            reminder.customer_id,
            now,
            tenant.user_id,
            "reminder",
            reminder.reminder_id,
            fields["outcome"],
            fields["note"],
        )
        return ReminderOut().dump(utc(reminder_view(reminder)))

    # ================================================================ making reminders

    def _service_reminder(
        self,
        payload: dict[str, Any],
        event: Envelope,
        delivered_on: date,
        customer: ArchiveCustomer | None,
        policy: CarePolicy,
    ) -> None:
        """The next service by date or mileage; replaces the vehicle's older one."""
        session = self.db.session
        vehicle_id = payload["vehicle_id"]
        next_date = payload.get("next_service_date")
        readings = [
            (r.read_on, r.km)
            for r in session.scalars(
                select(MileageReading).where(MileageReading.vehicle_id == vehicle_id)
            )
        ]
        reminder = domain.next_service_reminder(
            delivered_on=delivered_on,
            next_service_date=date.fromisoformat(next_date) if next_date else None,
            next_service_mileage=payload.get("next_service_mileage"),
            readings=readings,
            policy=policy,
        )
        if reminder is None:
            return
        session.execute(
            update(Reminder)
            .where(
                Reminder.vehicle_id == vehicle_id,
                Reminder.kind == "service_due",
                Reminder.status == "open",
            )
            .values(status="cancelled", outcome="superseded")
        )
        per_day = domain.average_daily_km(readings)
        recommendations = session.scalars(
            select(Recommendation.description).where(Recommendation.vehicle_id == vehicle_id)
        ).all()
        self._add_reminder(
            kind="service_due",
            dedupe_key=f"service_due:{payload['order_id']}",
            group_id=event.group_id,
            site_id=event.site_id,
            vehicle=session.get(ArchiveVehicle, vehicle_id),
            customer=customer,
            vehicle_id=vehicle_id,
            customer_id=payload["customer_id"],
            title=f"保养提醒：{payload.get('plate') or payload['vin']} 下次保养 "
            f"{reminder.service_due_on.isoformat()}",
            details={
                "order_id": payload["order_id"],
                "next_service_date": next_date,
                "next_service_mileage": payload.get("next_service_mileage"),
                "service_due_on": reminder.service_due_on,
                "basis": reminder.basis,
                "mileage_due_on": reminder.mileage_due_on,
                "average_daily_km": None if per_day is None else round(per_day, 1),
                "recommendations": list(recommendations),
            },
            remind_on=reminder.remind_on,
            at=as_utc(datetime.fromisoformat(payload["delivered_at"])),
        )

    def _recall_reminder(self, recall: Recall, vehicle: ArchiveVehicle, at: datetime) -> None:
        """A recall or campaign notice for one vehicle, unless the action has ended."""
        today = self._local_date(at, vehicle.site_id)
        if recall.ends_on is not None and recall.ends_on < today:
            return
        customer = self._archived_customer(vehicle.customer_id, vehicle.group_id)
        label = "召回通知" if recall.kind == "recall" else "服务活动通知"
        self._add_reminder(
            kind=recall.kind,
            dedupe_key=f"{recall.kind}:{recall.recall_id}:{vehicle.vehicle_id}",
            group_id=vehicle.group_id,
            site_id=vehicle.site_id,
            vehicle=vehicle,
            customer=customer,
            customer_id=vehicle.customer_id,
            title=f"{label}：{recall.title}",
            details={
                "recall_id": recall.recall_id,
                "oem_id": recall.oem_id,
                "description": recall.description,
                "labor_operation_code": recall.labor_operation_code,
                "starts_on": recall.starts_on,
                "ends_on": recall.ends_on,
            },
            remind_on=max(recall.starts_on, today),
            at=at,
        )
