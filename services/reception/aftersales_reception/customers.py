"""Customers, vehicles and the reference data (sites, labor catalog, rates)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.reception import (
    CustomerIn,
    CustomerOut,
    CustomerQuery,
    LaborOperationOut,
    LaborOperationQuery,
    LaborRateOut,
    ReceptionReferenceDataIn,
    VehicleFileOut,
    VehicleIn,
    VehicleOut,
    VehicleQuery,
)
from aftersales_core.identifiers import validate_plate
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, queries, views
from .base import ReceptionBase
from .models import (
    Customer,
    LaborOperation,
    LaborRate,
    Site,
    Vehicle,
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
    def list_customers(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the customers of the caller's sites, oldest first; `q` finds a part of
        a name or phone number, a plate (typed with or without its dot) or a VIN."""
        tenant = self.caller.tenant
        fields = load(CustomerQuery(), params or {})
        sites = tenant.visible_sites([fields["site_id"]] if fields["site_id"] else None)
        stmt = queries.customers(tenant.group_id, sites, fields["q"])
        keys = (Customer.created_at, Customer.customer_id)
        return self._page(stmt, keys, fields, CustomerOut().dump, descending=False)

    @query
    def find_vehicles(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Look a car up at the desk by VIN or plate, however the plate was typed."""
        tenant = self.caller.tenant
        fields = load(VehicleQuery(), params or {})
        domain.check_lookup(fields["vin"], fields["plate"])
        plate = validate_plate(fields["plate"]) if fields["plate"] else None
        stmt = queries.vehicles(tenant.group_id, tenant.visible_sites(), fields["vin"], plate)
        keys = (Vehicle.created_at, Vehicle.vehicle_id)
        return self._page(stmt, keys, fields, VehicleOut().dump, descending=False)

    @query
    def get_vehicle(self, vehicle_id: str) -> dict[str, Any]:
        """A vehicle's file: owner, visits, next service due, open recommendations and recalls."""
        vehicle = self._vehicle(vehicle_id)
        visits = queries.delivered_visits(self.db.session, vehicle.vehicle_id)
        data = {**views.vehicle_file(vehicle, visits), **self._notices(vehicle)}
        return VehicleFileOut().dump(data)

    # ================================================================ reference data

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's sites, labor catalog, rates and customers (used by `aftersales seed`).

        Idempotent: entries already present are left as they are.  The sites are the
        directory's (the seed lists them): reception knows a site only from here, so a
        labor rate or a customer must be for a site listed now or before.  A customer
        without an id is matched by site, name and phone.
        """
        tenant = self.caller.tenant
        fields = load(ReceptionReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant.require_group_loader(group_id)
        return {
            "sites": self._import_sites(group_id, fields["sites"] or []),
            "labor_operations": self._import_operations(group_id, fields["labor_operations"]),
            "labor_rates": self._import_rates(group_id, fields["labor_rates"]),
            "customers": self._import_customers(group_id, fields["customers"], tenant.user_id),
        }

    def _import_sites(self, group_id: str, sites: list[dict[str, Any]]) -> int:
        added = 0
        for index, site in enumerate(sites):
            known = self.db.session.get(Site, site["site_id"])
            domain.check_imported_site(
                index, site["site_id"], site["group_id"], known.group_id if known else None,
                group_id,
            )  # fmt: skip
            if known is None:
                self.db.session.add(Site(**site))
                added += 1
        self.db.session.flush()
        return added

    def _import_operations(self, group_id: str, operations: list[dict[str, Any]]) -> int:
        added = 0
        for index, op in enumerate(operations):
            with domain.within(f"labor operation {op['code']}", "labor_operations", index):
                standard_hours = domain.hours(op["standard_hours"])
            if self.db.session.get(LaborOperation, (group_id, op["code"])) is None:
                self.db.session.add(
                    LaborOperation(
                        group_id=group_id,
                        code=op["code"],
                        description=op["description"],
                        standard_hours=standard_hours,
                        models=op["models"],
                    )
                )
                added += 1
        return added

    def _import_rates(self, group_id: str, rates: list[dict[str, Any]]) -> int:
        added = 0
        for index, rate in enumerate(rates):
            self._site(group_id, rate["site_id"], field=f"labor_rates.{index}.site_id")
            if self.db.session.get(LaborRate, (rate["site_id"], rate["payer"])) is None:
                self.db.session.add(
                    LaborRate(
                        group_id=group_id,
                        site_id=rate["site_id"],
                        payer=rate["payer"],
                        rate=domain.money(rate["rate"]),
                    )
                )
                added += 1
        return added

    def _import_customers(self, group_id: str, customers: list[dict[str, Any]], by: str) -> int:
        """A customer with a known id is skipped; one without an id is matched by site,
        name and phone (or one of their cars)."""
        added = 0
        for index, raw in enumerate(customers):
            customer_id = raw.get("customer_id")
            if customer_id and self.db.session.get(Customer, customer_id) is not None:
                continue
            payload = {k: v for k, v in raw.items() if k not in ("customer_id", "class")}
            payload["customer_class"] = raw.get("class", raw.get("customer_class", "regular"))
            with domain.within(f"customer {customer_id or index}", "customers", index):
                fields = load(CustomerIn(), payload)
            self._site(group_id, fields["site_id"], field=f"customers.{index}.site_id")
            if not customer_id and self._same_customer(group_id, fields):
                continue
            self._add_customer(group_id, fields, by, customer_id)
            self.db.session.flush()
            added += 1
        return added

    @query
    def list_labor_operations(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the group's labor-time catalog by code; `q` finds a part of a code
        or a description."""
        tenant = self.caller.tenant
        fields = load(LaborOperationQuery(), params or {})
        stmt = queries.labor_operations(tenant.group_id, fields["q"])
        keys = (LaborOperation.code,)
        return self._page(stmt, keys, fields, LaborOperationOut().dump, descending=False)

    @query
    def list_labor_rates(self, site_id: str) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        rates = self.db.session.scalars(
            select(LaborRate)
            .where(LaborRate.group_id == tenant.group_id, LaborRate.site_id == site_id)
            .order_by(LaborRate.payer)
        ).all()
        ordered = sorted(rates, key=lambda r: domain.PAYERS.index(r.payer))
        return LaborRateOut(many=True).dump(ordered)
