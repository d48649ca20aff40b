"""Visits: a delivered car is a visit, a follow-up due within 72 hours (never at a rest
time) and the next service reminder; a settled RO counts for the complaint rate.

A mixin of `CustomerCareService`: the handlers here are the service's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, as_utc
from aftersales_core.service import on_event

from . import domain
from .adapters import followup_due_payload, new_followup, visit_of
from .models import ArchiveVehicle, SettledOrder, Visit
from .records import CareRecords


class Visits(CareRecords):
    """Reception's deliveries and settlements (`_service_reminder`: the reminders mixin's)."""

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        """A car left: a visit, a follow-up due within 72 h, the next service reminder."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        if session.get(Visit, payload["order_id"]) is not None:
            return  # the same RO delivered twice (a re-sent fact): nothing new
        delivered_at = as_utc(datetime.fromisoformat(payload["delivered_at"]))
        policy = self._policy(event.site_id)
        delivered_on = domain.local_date(delivered_at, policy)
        session.add(visit_of(payload, event, delivered_at))
        self._reading(
            payload["vehicle_id"],
            delivered_on,
            payload["mileage"],
            f"delivered:{payload['order_id']}",
        )
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        if vehicle is not None:
            vehicle.mileage = max(vehicle.mileage or 0, payload["mileage"])
        customer = self._archived_customer(payload["customer_id"], event.group_id)
        customer_class = customer.customer_class if customer else None
        schedule = domain.followup_schedule(delivered_at, customer_class, policy)
        followup = new_followup(
            payload,
            event,
            delivered_at,
            customer_class,
            schedule,
            self._agent_for(customer, event.site_id),
        )
        session.add(followup)
        self._publish(
            "followup_due",
            followup_due_payload(followup),
            group_id=event.group_id,
            site_id=event.site_id,
            correlation_id=followup.order_id,
        )
        session.flush()
        self._service_reminder(payload, event, delivered_on, customer, policy)

    @on_event("reception", "order_settled")
    def on_order_settled(self, event: Envelope) -> None:
        """A settled RO counts towards the complaint rate per 100 ROs."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        if session.get(SettledOrder, payload["order_id"]) is not None:
            return
        settled_at = as_utc(datetime.fromisoformat(event.occurred_at))
        session.add(
            SettledOrder(
                order_id=payload["order_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                customer_id=payload["customer_id"],
                vehicle_id=payload["vehicle_id"],
                order_type=payload["order_type"],
                total=Decimal(payload["total"]),
                settled_at=settled_at,
            )
        )
        self._reading(
            payload["vehicle_id"],
            self._local_date(settled_at, event.site_id),
            payload["mileage"],
            f"settled:{payload['order_id']}",
        )
