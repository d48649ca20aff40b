"""What every area of the service shares: tenancy checks on records, the site's policy,
the archive's lookups, agents, the contact history, reminders, publishing.

The base mixin of `CustomerCareService`; it needs the service's `db` and `caller`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update

from aftersales_contracts import validate_payload
from aftersales_core.envelope import to_primitives, utcnow
from aftersales_core.errors import NotFound

from . import domain
from .adapters import new_id
from .domain import CarePolicy
from .models import (
    Agent,
    ArchiveCustomer,
    ArchiveVehicle,
    ComplaintRow,
    Contact,
    Followup,
    MileageReading,
    Reminder,
    SitePolicy,
)


class CareRecords:
    db: Any  # the service's Database and Caller dependencies
    caller: Any

    # ---------------------------------------------------------------- events out

    def _publish(self, event_type: str, payload: dict[str, Any], **address: Any) -> None:
        """Record an event in the outbox, checked against its contract first."""
        payload = to_primitives(payload)
        validate_payload(event_type, payload)
        self.db.publish(event_type, payload, **address)

    # ---------------------------------------------------------------- tenancy

    def _sees(self, group_id: str, site_id: str | None) -> bool:
        tenant = self.caller.tenant
        return group_id == tenant.group_id and site_id is not None and tenant.can_see_site(site_id)

    def _require_site_view(self, site_id: str) -> None:
        tenant = self.caller.tenant
        if tenant.is_oem:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        tenant.require_site(site_id)

    def _visible_customer(self, customer_id: str) -> ArchiveCustomer:
        customer = self.db.session.get(ArchiveCustomer, customer_id)
        if customer is None or not self._sees(customer.group_id, customer.site_id):
            raise NotFound(f"customer {customer_id} not in the archive", "CUSTOMER_NOT_FOUND")
        return customer

    def _visible_followup(self, followup_id: str, for_update: bool = False) -> Followup:
        followup = self.db.session.get(Followup, followup_id, with_for_update=for_update or None)
        if followup is None or not self._sees(followup.group_id, followup.site_id):
            raise NotFound(f"follow-up {followup_id} not found", "FOLLOWUP_NOT_FOUND")
        return followup

    def _visible_complaint(self, complaint_id: str, for_update: bool = False) -> ComplaintRow:
        row = self.db.session.get(ComplaintRow, complaint_id, with_for_update=for_update or None)
        if row is None or not self._sees(row.group_id, row.site_id):
            raise NotFound(f"complaint {complaint_id} not found", "COMPLAINT_NOT_FOUND")
        return row

    def _visible_vehicle(self, vehicle_id: str) -> ArchiveVehicle:
        vehicle = self.db.session.get(ArchiveVehicle, vehicle_id)
        if vehicle is None or not self._sees(vehicle.group_id, vehicle.site_id):
            raise NotFound(f"vehicle {vehicle_id} not in the archive", "VEHICLE_NOT_FOUND")
        return vehicle

    def _sites_of(self, site_id: str | None) -> tuple[str, ...] | None:
        """The sites a list covers: the one asked for (if yours), yours, or (HQ) all."""
        return self.caller.tenant.visible_sites([site_id] if site_id else None)

    # ---------------------------------------------------------------- policy and time

    def _policy(self, site_id: str | None) -> CarePolicy:
        if site_id is None:
            return CarePolicy()
        cache = self.__dict__.setdefault("_policies", {})
        if site_id not in cache:
            row = self.db.session.get(SitePolicy, site_id)
            cache[site_id] = CarePolicy.from_settings(row.settings if row else None)
        return cache[site_id]

    def _store_policy(self, group_id: str, site_id: str, settings: dict[str, Any], by: str) -> None:
        policy = CarePolicy.from_settings(settings)  # refuses what cannot work
        row = self.db.session.get(SitePolicy, site_id)
        if row is None:
            row = SitePolicy(site_id=site_id, group_id=group_id)
            self.db.session.add(row)
        elif row.group_id != group_id:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        row.settings = policy.to_settings()
        row.updated_by, row.updated_at = by, utcnow()
        self.__dict__.setdefault("_policies", {})[site_id] = policy

    def _local_date(self, at: datetime, site_id: str | None) -> date:
        return domain.local_date(at, self._policy(site_id))

    # ---------------------------------------------------------------- the archive

    def _archived_customer(self, customer_id: str, group_id: str) -> ArchiveCustomer | None:
        customer = self.db.session.get(ArchiveCustomer, customer_id)
        return customer if customer is not None and customer.group_id == group_id else None

    def _names(self, customer_ids: Iterable[str]) -> dict[str, str]:
        ids = [c for c in customer_ids if c]
        if not ids:
            return {}
        return dict(
            self.db.session.execute(
                select(ArchiveCustomer.customer_id, ArchiveCustomer.name).where(
                    ArchiveCustomer.customer_id.in_(ids)
                )
            ).all()
        )

    def _reading(self, vehicle_id: str, read_on: date, km: int, source: str) -> None:
        session = self.db.session
        exists = session.scalar(
            select(MileageReading.id).where(
                MileageReading.vehicle_id == vehicle_id, MileageReading.source == source
            )
        )
        if exists is None:
            session.add(
                MileageReading(vehicle_id=vehicle_id, read_on=read_on, km=km, source=source)
            )

    # ---------------------------------------------------------------- agents

    def _agent_load(self, site_id: str) -> dict[str, int]:
        session = self.db.session
        agents = session.scalars(
            select(Agent.user_id).where(Agent.site_id == site_id, Agent.active.is_(True))
        ).all()
        load_ = dict.fromkeys(agents, 0)
        for agent_id, count in session.execute(
            select(ArchiveCustomer.agent_id, func.count())
            .where(ArchiveCustomer.site_id == site_id, ArchiveCustomer.agent_id.in_(agents))
            .group_by(ArchiveCustomer.agent_id)
        ):
            load_[agent_id] = count
        return load_

    def _assign(self, site_id: str, customers: list[ArchiveCustomer]) -> int:
        """Give each customer the site's least-loaded agent; their open work follows."""
        assigned = domain.balance(self._agent_load(site_id), [c.customer_id for c in customers])
        for customer in customers:
            agent_id = assigned.get(customer.customer_id)
            if agent_id is None:
                continue
            customer.agent_id = agent_id
            for model in (Followup, Reminder):
                self.db.session.execute(
                    update(model)
                    .where(
                        model.customer_id == customer.customer_id,
                        model.site_id == site_id,
                        model.agent_id.is_(None),
                        model.status == "open",
                    )
                    .values(agent_id=agent_id)
                )
        return len(assigned)

    def _agent_for(self, customer: ArchiveCustomer | None, site_id: str) -> str | None:
        """The customer's own agent if they work at this site, else the least loaded one."""
        if customer is not None and customer.agent_id:
            works_here = self.db.session.get(Agent, (site_id, customer.agent_id))
            if works_here is not None and works_here.active:
                return customer.agent_id
        return domain.pick_agent(self._agent_load(site_id))

    # ---------------------------------------------------------------- contacts, reminders

    def _contact(
        self,
        group_id: str,
        site_id: str,
        customer_id: str | None,
        at: datetime,
        by: str,
        kind: str,
        reference: str,
        outcome: str,
        note: str | None,
    ) -> None:
        """One touch in the customer's contact history."""
        self.db.session.add(
            Contact(
                group_id=group_id,
                site_id=site_id,
                customer_id=customer_id,
                at=at,
                by=by,
                kind=kind,
                reference=reference,
                outcome=outcome,
                note=note,
            )
        )

    def _add_reminder(
        self,
        *,
        kind: str,
        dedupe_key: str,
        group_id: str,
        site_id: str,
        vehicle: ArchiveVehicle | None,
        customer: ArchiveCustomer | None,
        title: str,
        details: dict[str, Any],
        remind_on: date,
        at: datetime,
        vehicle_id: str | None = None,
        customer_id: str | None = None,
        contact_name: str | None = None,
        phone: str | None = None,
    ) -> Reminder | None:
        """A call task, once per `dedupe_key` (a re-sent fact adds nothing)."""
        session = self.db.session
        if session.scalar(select(Reminder.reminder_id).where(Reminder.dedupe_key == dedupe_key)):
            return None
        reminder = Reminder(
            reminder_id=new_id("rem"),
            group_id=group_id,
            site_id=site_id,
            kind=kind,
            dedupe_key=dedupe_key,
            customer_id=customer.customer_id if customer else customer_id,
            vehicle_id=vehicle.vehicle_id if vehicle else vehicle_id,
            vin=vehicle.vin if vehicle else None,
            contact_name=contact_name or (customer.name if customer else None),
            phone=phone or (customer.phones[0] if customer and customer.phones else None),
            agent_id=self._agent_for(customer, site_id),
            title=title[:300],
            details=to_primitives(details),
            remind_on=remind_on,
            status="open",
            attempts=0,
            created_at=at,
        )
        session.add(reminder)
        return reminder
