"""Lost and loyal customers: vehicles with no visit for the site's lost-customer period
(and why their owners stopped coming), customers with enough visits in a period.

Both lists depend on each site's policy, so they are worked out in Python and paged
there. A mixin of `CustomerCareService`: the RPCs here are the service's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from aftersales_contracts.api.customer_care import (
    CARE_ROLES,
    CareSiteQuery,
    LostReasonIn,
    LostReasonOut,
    LostVehicleOut,
    LoyalCustomerOut,
    LoyalCustomerQuery,
)
from aftersales_contracts.api.pages import page_of
from aftersales_core.envelope import utcnow
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain
from .adapters import maybe_utc, micros, page_in_memory, utc
from .models import ArchiveCustomer, ArchiveVehicle, LostReason, Visit
from .records import CareRecords


class Customers(CareRecords):
    """Lost and loyal customers (`_figure_sites`, `_period`: the figures mixin's)."""

    @query
    def list_lost_vehicles(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of vehicles with no visit for their site's `lost_after_months`, with any
        reason on file; the longest gone first."""
        tenant = self.caller.tenant
        wanted = load(CareSiteQuery(), filters or {})
        sites = self._sites_of(wanted.get("site_id"))
        session = self.db.session
        stmt = select(ArchiveVehicle).where(ArchiveVehicle.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(ArchiveVehicle.site_id.in_(sites))
        vehicles = session.scalars(stmt).all()
        ids = [v.vehicle_id for v in vehicles]
        last_visit = dict(
            session.execute(
                select(Visit.vehicle_id, func.max(Visit.delivered_at))
                .where(Visit.vehicle_id.in_(ids))
                .group_by(Visit.vehicle_id)
            ).all()
        )
        reasons: dict[str, LostReason] = {}
        for reason in session.scalars(
            select(LostReason)
            .where(LostReason.vehicle_id.in_(ids))
            .order_by(LostReason.recorded_at, LostReason.id)
        ):
            reasons[reason.vehicle_id] = reason  # the latest wins
        names = self._names({v.customer_id for v in vehicles})
        now = utcnow()
        lost = []
        for vehicle in vehicles:
            visit = maybe_utc(last_visit.get(vehicle.vehicle_id))
            times = [t for t in (visit, maybe_utc(vehicle.registered_at)) if t is not None]
            if not times:
                continue
            activity = max(times)
            policy = self._policy(vehicle.site_id)
            if not domain.is_lost(activity, now, policy):
                continue
            reason = reasons.get(vehicle.vehicle_id)
            lost.append(
                {
                    "vehicle_id": vehicle.vehicle_id,
                    "customer_id": vehicle.customer_id,
                    "customer_name": names.get(vehicle.customer_id),
                    "site_id": vehicle.site_id,
                    "vin": vehicle.vin,
                    "plate": vehicle.plate,
                    "model": vehicle.model,
                    "last_activity_at": activity,
                    "last_visit_at": visit,
                    "lost_since": domain.lost_since(activity, policy),
                    "reason": reason.reason if reason else None,
                    "reason_note": reason.note if reason else None,
                }
            )
        result = page_in_memory(
            lost,
            lambda v: (micros(v["last_activity_at"]), v["vehicle_id"]),
            size=2,
            limit=wanted["limit"],
            cursor=wanted["cursor"],
        )
        return page_of(LostVehicleOut)().dump(utc(result))

    @command
    def record_lost_reason(self, vehicle_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Why a vehicle's owner stopped coming, as found out on a call."""
        tenant = self.caller.tenant
        tenant.require_role(*CARE_ROLES)
        vehicle = self._visible_vehicle(vehicle_id)
        fields = load(LostReasonIn(), data)
        now = utcnow()
        self.db.session.add(
            LostReason(
                group_id=vehicle.group_id,
                site_id=vehicle.site_id,
                vehicle_id=vehicle_id,
                customer_id=vehicle.customer_id,
                reason=fields["reason"],
                note=fields["note"],
                recorded_at=now,
                recorded_by=tenant.user_id,
            )
        )
        self._contact(
            vehicle.group_id,
            vehicle.site_id,
            vehicle.customer_id,
            now,
            tenant.user_id,
            "lost_customer",
            vehicle_id,
            fields["reason"],
            fields["note"],
        )
        return LostReasonOut().dump(
            {
                "vehicle_id": vehicle_id,
                "reason": fields["reason"],
                "note": fields["note"],
                "recorded_at": now,
                "recorded_by": tenant.user_id,
            }
        )

    @query
    def list_loyal_customers(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of customers with at least `loyal_min_visits` visits in the period
        (default: the site's `loyal_period_months` up to today); the most visits first."""
        tenant = self.caller.tenant
        wanted = load(LoyalCustomerQuery(), filters or {})
        out = []
        for site_id in self._figure_sites(wanted.get("site_id")):
            policy = self._policy(site_id)
            start, end = self._period(wanted, site_id, default_months=policy.loyal_period_months)
            visits = self.db.session.execute(
                select(Visit.customer_id, func.count(), func.max(Visit.delivered_at))
                .where(
                    Visit.group_id == tenant.group_id,
                    Visit.site_id == site_id,
                    Visit.delivered_at >= start,
                    Visit.delivered_at < end,
                )
                .group_by(Visit.customer_id)
                .having(func.count() >= policy.loyal_min_visits)
            ).all()
            customers = {
                c.customer_id: c
                for c in self.db.session.scalars(
                    select(ArchiveCustomer).where(
                        ArchiveCustomer.customer_id.in_([v[0] for v in visits])
                    )
                )
            }
            for customer_id, count, last in visits:
                customer = customers.get(customer_id)
                out.append(
                    {
                        "customer_id": customer_id,
                        "name": customer.name if customer else None,
                        "site_id": site_id,
                        "customer_class": customer.customer_class if customer else None,
                        "visits": count,
                        "last_visit_at": last,
                    }
                )
        result = page_in_memory(
            out,
            lambda c: (-c["visits"], c["customer_id"], c["site_id"]),
            size=3,
            limit=wanted["limit"],
            cursor=wanted["cursor"],
        )
        return page_of(LoyalCustomerOut)().dump(utc(result))
