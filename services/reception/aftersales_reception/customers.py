"""Customers, vehicles and the reference data (sites, labor catalog, rates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import validate_plate
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, views
from .base import ReceptionBase
from .models import (
    Customer,
    LaborOperation,
    LaborRate,
    Order,
    Site,
    Vehicle,
)
from .schemas import (
    CustomerIn,
    CustomerOut,
    ReferenceDataIn,
    VehicleIn,
    VehicleOut,
)


class CustomerEntrypoints(ReceptionBase):
    # ================================================================ customers and vehicles

    @command
    def register_customer(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a customer (and any vehicles) to a site; announces each."""
        tenant = self.caller.tenant
        fields = load(CustomerIn(), data)
        tenant.require_site(fields["site_id"])
        self._site(tenant.group_id, fields["site_id"])
        customer = self._add_customer(tenant.group_id, fields, tenant.user_id)
        return CustomerOut().dump(customer)

    @command
    def add_vehicle(self, customer_id: str, data: dict[str, Any]) -> dict[str, Any]:
        customer = self._customer(customer_id)
        vehicle = self._add_vehicle(customer, load(VehicleIn(), data))
        return VehicleOut().dump(vehicle)

    @query
    def get_customer(self, customer_id: str) -> dict[str, Any]:
        return CustomerOut().dump(self._customer(customer_id))

    @query
    def list_customers(self, site_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        self._check_limit(limit)
        sites = tenant.visible_sites([site_id] if site_id else None)
        stmt = (
            select(Customer)
            .where(Customer.group_id == tenant.group_id)
            .options(selectinload(Customer.vehicles))
            .order_by(Customer.created_at, Customer.customer_id)
            .limit(max(1, min(limit, 500)))
        )
        if sites is not None:
            stmt = stmt.where(Customer.site_id.in_(sites))
        return CustomerOut(many=True).dump(self.db.session.scalars(stmt).all())

    @query
    def find_vehicles(self, vin: str | None = None, plate: str | None = None) -> list[dict]:
        """Look a car up at the desk by VIN or plate, however the plate was typed."""
        tenant = self.caller.tenant
        if not vin and not plate:
            raise ValidationFailed.on("vin", "give a VIN or a plate", "LOOKUP_EMPTY")
        stmt = select(Vehicle).where(Vehicle.group_id == tenant.group_id)
        if vin:
            stmt = stmt.where(Vehicle.vin == "".join(str(vin).split()).upper())
        if plate:
            stmt = stmt.where(Vehicle.plate == validate_plate(plate))
        sites = tenant.visible_sites()
        if sites is not None:
            stmt = stmt.where(Vehicle.site_id.in_(sites))
        return VehicleOut(many=True).dump(self.db.session.scalars(stmt.limit(50)).all())

    @query
    def get_vehicle(self, vehicle_id: str) -> dict[str, Any]:
        """A vehicle's file: owner, visits, next service due, open recommendations and recalls."""
        vehicle = self._vehicle(vehicle_id)
        session = self.db.session
        visits = session.scalars(
            select(Order)
            .where(Order.vehicle_id == vehicle.vehicle_id, Order.status == "delivered")
            .order_by(Order.delivered_at.desc())
        ).all()
        data = VehicleOut().dump(vehicle)
        data["customer"] = {
            "customer_id": vehicle.customer.customer_id,
            "name": vehicle.customer.name,
            "phones": vehicle.customer.phones,
            "customer_class": vehicle.customer.customer_class,
        }
        data["next_service_date"] = (
            vehicle.next_service_date.isoformat() if vehicle.next_service_date else None
        )
        data["next_service_mileage"] = vehicle.next_service_mileage
        data["visits"] = [
            {
                "order_id": o.order_id,
                "order_number": o.order_number,
                "site_id": o.site_id,
                "order_type": o.order_type,
                "mileage": o.mileage,
                "complaint": o.complaint,
                "delivered_at": views.utc(o.delivered_at).isoformat(),
                "total": (o.statement or {}).get("total"),
            }
            for o in visits
        ]
        data.update(self._notices(vehicle))
        return data

    # ================================================================ reference data

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's sites, labor catalog, rates and customers (used by `aftersales seed`).

        Idempotent: entries already present are left as they are.  A labor rate must be
        for a site of the loader's group: one listed here, already known, or in the
        gateway's directory.  A customer without an id is matched by site, name and phone.
        """
        tenant = self.caller.tenant
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"sites": 0, "labor_operations": 0, "labor_rates": 0, "customers": 0}
        for index, site in enumerate(fields["sites"] or []):
            if site["group_id"] != group_id:
                raise ValidationFailed(
                    f"site {site['site_id']} belongs to another group",
                    "SITE_OF_ANOTHER_GROUP",
                    {"sites": {str(index): {"group_id": [site["group_id"]]}}},
                )
            known = session.get(Site, site["site_id"])
            if known is None:
                session.add(Site(**site))
                counts["sites"] += 1
            elif known.group_id != group_id:
                raise ValidationFailed(
                    f"site {site['site_id']} belongs to another group",
                    "SITE_OF_ANOTHER_GROUP",
                    {"sites": {str(index): {"site_id": [site["site_id"]]}}},
                )
        session.flush()
        for index, op in enumerate(fields["labor_operations"]):
            try:
                standard_hours = domain.hours(op["standard_hours"])
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"labor operation {op['code']}: {exc.message}",
                    exc.code,
                    {"labor_operations": {str(index): exc.fields}},
                ) from None
            if session.get(LaborOperation, (group_id, op["code"])) is None:
                session.add(
                    LaborOperation(
                        group_id=group_id,
                        code=op["code"],
                        description=op["description"],
                        standard_hours=standard_hours,
                        models=op["models"],
                    )
                )
                counts["labor_operations"] += 1
        for index, rate in enumerate(fields["labor_rates"]):
            self._site(group_id, rate["site_id"], field=f"labor_rates.{index}.site_id")
            existing = session.get(LaborRate, (rate["site_id"], rate["payer"]))
            if existing is None:
                session.add(
                    LaborRate(
                        group_id=group_id,
                        site_id=rate["site_id"],
                        payer=rate["payer"],
                        rate=domain.money(rate["rate"]),
                    )
                )
                counts["labor_rates"] += 1
        for index, raw in enumerate(fields["customers"]):
            customer_id = raw.get("customer_id")
            if customer_id and session.get(Customer, customer_id) is not None:
                continue
            payload = {k: v for k, v in raw.items() if k not in ("customer_id", "class")}
            payload["customer_class"] = raw.get("class", raw.get("customer_class", "regular"))
            try:
                customer_fields = load(CustomerIn(), payload)
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"customer {customer_id or index}: {exc.message}",
                    exc.code,
                    {"customers": {str(index): exc.fields}},
                ) from None
            self._site(group_id, customer_fields["site_id"], field=f"customers.{index}.site_id")
            if not customer_id and self._same_customer(group_id, customer_fields):
                continue
            self._add_customer(group_id, customer_fields, tenant.user_id, customer_id)
            session.flush()
            counts["customers"] += 1
        return counts

    @query
    def list_labor_operations(self) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        ops = self.db.session.scalars(
            select(LaborOperation)
            .where(LaborOperation.group_id == tenant.group_id)
            .order_by(LaborOperation.code)
        ).all()
        return [
            {
                "code": o.code,
                "description": o.description,
                "standard_hours": str(o.standard_hours),
                "models": o.models,
            }
            for o in ops
        ]

    @query
    def list_labor_rates(self, site_id: str) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        rates = self.db.session.scalars(
            select(LaborRate)
            .where(LaborRate.group_id == tenant.group_id, LaborRate.site_id == site_id)
            .order_by(LaborRate.payer)
        ).all()
        return [
            {"site_id": r.site_id, "payer": r.payer, "rate": str(domain.money(r.rate))}
            for r in sorted(rates, key=lambda r: domain.PAYERS.index(r.payer))
        ]
