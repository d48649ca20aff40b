"""The archive (客户档案) and the care agents: reception's customers and vehicles as
customer care keeps them, each customer with the site's least-loaded agent.

A mixin of `CustomerCareService`: the RPCs and handlers here are the service's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, cast, or_, select

from aftersales_contracts import validate_payload
from aftersales_contracts.api.customer_care import (
    CareCustomerDetailOut,
    CareCustomerOut,
    CareCustomerQuery,
    CareReferenceDataIn,
    CareReferenceDataOut,
)
from aftersales_contracts.api.pages import page_of
from aftersales_core.envelope import Envelope, as_utc
from aftersales_core.pages import page
from aftersales_core.search import contains
from aftersales_core.service import command, on_event, query
from aftersales_core.validation import load

from .adapters import contact_view, customer_view, reminder_view, utc
from .models import (
    Agent,
    ArchiveCustomer,
    ArchiveVehicle,
    Contact,
    Recall,
    Recommendation,
    Reminder,
    SitePolicy,
    Visit,
)
from .records import CareRecords

# The archive entry shows this many of the latest visits and contacts.
RECENT = 50


class Archive(CareRecords):
    """The archive's handlers and RPCs (`_recall_reminder` is the reminders mixin's)."""

    # ================================================================ events in

    @on_event("reception", "customer_registered")
    def on_customer_registered(self, event: Envelope) -> None:
        """A new or changed customer: the archive entry, and an agent if it has none."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        customer = session.get(ArchiveCustomer, payload["customer_id"])
        if customer is None:
            customer = ArchiveCustomer(
                customer_id=payload["customer_id"],
                registered_at=as_utc(datetime.fromisoformat(event.occurred_at)),
            )
            session.add(customer)
        customer.group_id = event.group_id
        customer.site_id = event.site_id
        customer.name = payload["name"]
        customer.phones = payload["phones"]
        customer.customer_class = payload["customer_class"]
        customer.registered_by = payload["registered_by"]
        customer.recorded_for = self.caller.user_id
        session.flush()
        if customer.agent_id is None:
            self._assign(customer.site_id, [customer])

    @on_event("reception", "vehicle_registered")
    def on_vehicle_registered(self, event: Envelope) -> None:
        """A vehicle joins the archive with its odometer readings; recalls announced
        before it joined still reach it."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        occurred = as_utc(datetime.fromisoformat(event.occurred_at))
        sale_date = date.fromisoformat(payload["sale_date"]) if payload.get("sale_date") else None
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        if vehicle is None:
            vehicle = ArchiveVehicle(vehicle_id=payload["vehicle_id"], registered_at=occurred)
            session.add(vehicle)
        vehicle.customer_id = payload["customer_id"]
        vehicle.group_id = event.group_id
        vehicle.site_id = event.site_id
        vehicle.vin = payload["vin"]
        vehicle.plate = payload.get("plate")
        vehicle.brand = payload["brand"]
        vehicle.model = payload["model"]
        vehicle.sale_date = sale_date
        vehicle.mileage = max(vehicle.mileage or 0, payload["mileage"])
        if sale_date is not None:
            self._reading(vehicle.vehicle_id, sale_date, 0, "sale")
        self._reading(
            vehicle.vehicle_id,
            self._local_date(occurred, event.site_id),
            payload["mileage"],
            "registered",
        )
        session.flush()
        recalls = session.scalars(select(Recall).where(Recall.group_id == event.group_id)).all()
        for recall in recalls:
            if vehicle.vin in recall.vins:
                self._recall_reminder(recall, vehicle, occurred)

    # ================================================================ reference data

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's care agents and site policies (used by `aftersales seed`).

        Idempotent. Customers not yet assigned to an agent are then assigned,
        balanced by count per site.
        """
        tenant = self.caller.tenant
        fields = load(CareReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"agents": 0, "site_policies": 0, "assigned": 0}
        sites: set[str] = set()
        for person in fields["agents"]:
            if "customer_care_agent" not in person["roles"]:
                continue
            for site_id in person["site_ids"]:
                sites.add(site_id)
                if session.get(Agent, (site_id, person["user_id"])) is None:
                    session.add(
                        Agent(
                            site_id=site_id,
                            user_id=person["user_id"],
                            group_id=group_id,
                            name=person["name"],
                            active=True,
                        )
                    )
                    counts["agents"] += 1
        for settings in fields["site_policies"]:
            site_id = settings.pop("site_id")
            if session.get(SitePolicy, site_id) is None:
                self._store_policy(group_id, site_id, settings, tenant.user_id)
                counts["site_policies"] += 1
        session.flush()
        for site_id in sorted(sites):
            waiting = session.scalars(
                select(ArchiveCustomer)
                .where(
                    ArchiveCustomer.group_id == group_id,
                    ArchiveCustomer.site_id == site_id,
                    ArchiveCustomer.agent_id.is_(None),
                )
                .order_by(ArchiveCustomer.registered_at, ArchiveCustomer.customer_id)
            ).all()
            counts["assigned"] += self._assign(site_id, list(waiting))
        return CareReferenceDataOut().dump(counts)

    # ================================================================ the archive

    @query
    def get_customer(self, customer_id: str) -> dict[str, Any]:
        """The archive entry of one customer: vehicles, visits, contacts, open reminders."""
        customer = self._visible_customer(customer_id)
        session = self.db.session
        vehicles = session.scalars(
            select(ArchiveVehicle)
            .where(ArchiveVehicle.customer_id == customer_id)
            .order_by(ArchiveVehicle.vehicle_id)
        ).all()
        recommendations = defaultdict(list)
        for rec in session.scalars(
            select(Recommendation)
            .where(Recommendation.vehicle_id.in_([v.vehicle_id for v in vehicles]))
            .order_by(Recommendation.declined_at)
        ):
            recommendations[rec.vehicle_id].append(
                {
                    "work_id": rec.work_id,
                    "order_id": rec.order_id,
                    "description": rec.description,
                    "declined_at": rec.declined_at,
                }
            )
        visits = session.scalars(
            select(Visit)
            .where(Visit.customer_id == customer_id, Visit.group_id == customer.group_id)
            .order_by(Visit.delivered_at.desc())
            .limit(RECENT)
        ).all()
        contacts = session.scalars(
            select(Contact)
            .where(Contact.customer_id == customer_id)
            .order_by(Contact.at.desc(), Contact.id.desc())
            .limit(RECENT)
        ).all()
        reminders = session.scalars(
            select(Reminder)
            .where(Reminder.customer_id == customer_id, Reminder.status == "open")
            .order_by(Reminder.remind_on)
        ).all()
        view = {
            **customer_view(customer),
            "vehicles": [
                {
                    "vehicle_id": v.vehicle_id,
                    "vin": v.vin,
                    "plate": v.plate,
                    "brand": v.brand,
                    "model": v.model,
                    "sale_date": v.sale_date,
                    "mileage": v.mileage,
                    "recommendations": recommendations[v.vehicle_id],
                }
                for v in vehicles
            ],
            "visits": [
                {
                    "order_id": v.order_id,
                    "order_number": v.order_number,
                    "order_type": v.order_type,
                    "site_id": v.site_id,
                    "vehicle_id": v.vehicle_id,
                    "mileage": v.mileage,
                    "delivered_at": v.delivered_at,
                }
                for v in visits
            ],
            "contacts": [contact_view(c) for c in contacts],
            "open_reminders": [reminder_view(r) for r in reminders],
        }
        return CareCustomerDetailOut().dump(utc(view))

    @query
    def list_customers(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the caller's sites' customers, by agent, class, name or phone."""
        tenant = self.caller.tenant
        wanted = load(CareCustomerQuery(), filters or {})
        sites = self._sites_of(wanted.get("site_id"))
        stmt = select(ArchiveCustomer).where(ArchiveCustomer.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(ArchiveCustomer.site_id.in_(sites))
        if "agent_id" in wanted:
            stmt = stmt.where(ArchiveCustomer.agent_id == wanted["agent_id"])
        if "customer_class" in wanted:
            stmt = stmt.where(ArchiveCustomer.customer_class == wanted["customer_class"])
        if "q" in wanted:
            stmt = stmt.where(
                or_(
                    contains(ArchiveCustomer.name, wanted["q"]),
                    contains(cast(ArchiveCustomer.phones, String), wanted["q"]),
                )
            )
        result = page(
            self.db.session,
            stmt,
            keys=(ArchiveCustomer.registered_at, ArchiveCustomer.customer_id),
            limit=wanted["limit"],
            cursor=wanted["cursor"],
            dump=customer_view,
            descending=False,
        )
        return page_of(CareCustomerOut)().dump(result)
