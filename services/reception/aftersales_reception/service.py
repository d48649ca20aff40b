"""Reception's nameko service: thin RPCs that load, apply the rules, save and publish."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Conflict, NotFound, ValidationFailed
from aftersales_core.service import ServiceBase, command, query
from aftersales_core.validation import load

from .domain import hours, money
from .models import Customer, LaborOperation, LaborRate, Vehicle
from .schemas import CustomerIn, CustomerOut, ReferenceDataIn, VehicleIn, VehicleOut


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class ReceptionService(ServiceBase):
    name = "reception"

    # -- customers and vehicles -------------------------------------------------
    @command
    def register_customer(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a customer (and any vehicles) to a site; announces each."""
        tenant = self.caller.tenant
        fields = load(CustomerIn(), data)
        tenant.require_site(fields["site_id"])
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
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValidationFailed.on("limit", "limit must be a whole number", "INVALID_LIMIT")
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

    # -- reference data -----------------------------------------------------------
    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's labor catalog, rates and customers (used by `aftersales seed`).

        Idempotent: entries already present are left as they are.
        """
        tenant = self.caller.tenant
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"labor_operations": 0, "labor_rates": 0, "customers": 0}
        for op in fields["labor_operations"]:
            if session.get(LaborOperation, (group_id, op["code"])) is None:
                session.add(
                    LaborOperation(
                        group_id=group_id,
                        code=op["code"],
                        description=op["description"],
                        standard_hours=hours(op["standard_hours"]),
                        models=op["models"],
                    )
                )
                counts["labor_operations"] += 1
        for rate in fields["labor_rates"]:
            if session.get(LaborRate, (rate["site_id"], rate["payer"])) is None:
                session.add(
                    LaborRate(
                        group_id=group_id,
                        site_id=rate["site_id"],
                        payer=rate["payer"],
                        rate=money(rate["rate"]),
                    )
                )
                counts["labor_rates"] += 1
        for raw in fields["customers"]:
            customer_id = raw.get("customer_id")
            if customer_id and session.get(Customer, customer_id) is not None:
                continue
            payload = {k: v for k, v in raw.items() if k not in ("customer_id", "class")}
            payload["customer_class"] = raw.get("class", raw.get("customer_class", "regular"))
            try:
                customer_fields = load(CustomerIn(), payload)
            except ValidationFailed as exc:
                raise ValidationFailed(
                    f"customer {customer_id}: {exc.message}", exc.code, exc.fields
                ) from None
            self._add_customer(group_id, customer_fields, tenant.user_id, customer_id)
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

    # -- helpers --------------------------------------------------------------------
    def _customer(self, customer_id: str) -> Customer:
        tenant = self.caller.tenant
        customer = self.db.session.get(Customer, customer_id)
        # Another group's or another site's customer is "not found", not "forbidden":
        # its existence is not the caller's business.
        if (
            customer is None
            or customer.group_id != tenant.group_id
            or not tenant.can_see_site(customer.site_id)
        ):
            raise NotFound(f"customer {customer_id} not found", "CUSTOMER_NOT_FOUND")
        return customer

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
        self.db.publish(
            "customer_registered",
            {
                "customer_id": customer.customer_id,
                "name": customer.name,
                "phones": customer.phones,
                "customer_class": customer.customer_class,
                "registered_by": user_id,
            },
            group_id=group_id,
            site_id=customer.site_id,
            correlation_id=customer.customer_id,
        )
        for vehicle in vehicles:
            self._add_vehicle(customer, vehicle)
        return customer

    def _add_vehicle(self, customer: Customer, fields: dict[str, Any]) -> Vehicle:
        session = self.db.session
        session.flush()
        taken = session.scalar(
            select(Vehicle.vehicle_id).where(
                Vehicle.group_id == customer.group_id, Vehicle.vin == fields["vin"]
            )
        )
        if taken:
            raise Conflict(
                f"VIN {fields['vin']} is already registered", "VIN_TAKEN", {"vin": [fields["vin"]]}
            )
        vehicle = Vehicle(
            vehicle_id=fields.pop("vehicle_id", None) or new_id("veh"),
            group_id=customer.group_id,
            site_id=customer.site_id,
            created_at=utcnow(),
            **fields,
        )
        customer.vehicles.append(vehicle)
        self.db.publish(
            "vehicle_registered",
            {
                "vehicle_id": vehicle.vehicle_id,
                "customer_id": customer.customer_id,
                "vin": vehicle.vin,
                "plate": vehicle.plate,
                "brand": vehicle.brand,
                "model": vehicle.model,
                "sale_date": vehicle.sale_date,
                "mileage": vehicle.mileage,
            },
            group_id=customer.group_id,
            site_id=customer.site_id,
            correlation_id=customer.customer_id,
        )
        return vehicle
