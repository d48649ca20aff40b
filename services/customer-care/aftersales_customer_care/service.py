"""Customer care's nameko service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, as_utc, to_primitives
from aftersales_core.errors import NotFound
from aftersales_core.service import ServiceBase, on_event, query

from .models import ArchiveCustomer, ArchiveVehicle


class CustomerCareService(ServiceBase):
    name = "customer-care"

    @on_event("reception", "customer_registered")
    def on_customer_registered(self, event: Envelope) -> None:
        payload = validate_payload(event.type, event.payload)
        self.db.session.merge(
            ArchiveCustomer(
                customer_id=payload["customer_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                name=payload["name"],
                phones=payload["phones"],
                customer_class=payload["customer_class"],
                registered_by=payload["registered_by"],
                recorded_for=self.caller.user_id,
                registered_at=as_utc(datetime.fromisoformat(event.occurred_at)),
            )
        )

    @on_event("reception", "vehicle_registered")
    def on_vehicle_registered(self, event: Envelope) -> None:
        payload = validate_payload(event.type, event.payload)
        sale_date = payload.get("sale_date")
        self.db.session.merge(
            ArchiveVehicle(
                vehicle_id=payload["vehicle_id"],
                customer_id=payload["customer_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                vin=payload["vin"],
                plate=payload.get("plate"),
                brand=payload["brand"],
                model=payload["model"],
                sale_date=date.fromisoformat(sale_date) if sale_date else None,
                mileage=payload["mileage"],
            )
        )

    @query
    def get_customer(self, customer_id: str) -> dict[str, Any]:
        """The archive entry of one customer, with vehicles."""
        tenant = self.caller.tenant
        customer = self.db.session.get(ArchiveCustomer, customer_id)
        if (
            customer is None
            or customer.group_id != tenant.group_id
            or not tenant.can_see_site(customer.site_id)
        ):
            raise NotFound(f"customer {customer_id} not in the archive", "CUSTOMER_NOT_FOUND")
        vehicles = self.db.session.scalars(
            select(ArchiveVehicle)
            .where(ArchiveVehicle.customer_id == customer_id)
            .order_by(ArchiveVehicle.vehicle_id)
        ).all()
        return to_primitives(
            {
                "customer_id": customer.customer_id,
                "site_id": customer.site_id,
                "name": customer.name,
                "phones": customer.phones,
                "customer_class": customer.customer_class,
                "registered_by": customer.registered_by,
                "recorded_for": customer.recorded_for,
                "registered_at": as_utc(customer.registered_at),
                "vehicles": [
                    {
                        "vehicle_id": v.vehicle_id,
                        "vin": v.vin,
                        "plate": v.plate,
                        "brand": v.brand,
                        "model": v.model,
                        "sale_date": v.sale_date,
                        "mileage": v.mileage,
                    }
                    for v in vehicles
                ],
            }
        )
