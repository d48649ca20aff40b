"""What reception's entrypoints share: its dependencies, loading with tenancy checks,
history, and the repair order as a document (its view and its ETag).

The helpers of each business area are mixins of their own: `pricing` (lines, quotes,
statements, payments), `vehicles` (customers, vehicles, appointments, check-in sheets)
and `progress` (what the workshop and the warehouse report, recommendations, events).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from nameko.dependency_providers import Config
from sqlalchemy import select

from aftersales_contracts import validate_payload
from aftersales_contracts.api.reception import RECEPTION_ROLES
from aftersales_contracts.api.reception_orders import OrderOut
from aftersales_core.envelope import to_primitives, utcnow
from aftersales_core.errors import NotFound
from aftersales_core.etag import IF_MATCH, require_match
from aftersales_core.pages import page
from aftersales_core.remote import Remote
from aftersales_core.service import ServiceBase
from aftersales_core.tenancy import Tenant

from . import domain, views
from .models import (
    AdditionalWork,
    Appointment,
    CheckIn,
    Customer,
    History,
    Order,
    OrderLine,
    Payment,
    Site,
    Vehicle,
)
from .pricing import PricingHelpers
from .progress import ProgressHelpers
from .vehicles import VehicleHelpers

log = logging.getLogger(__name__)


class ReceptionBase(PricingHelpers, VehicleHelpers, ProgressHelpers, ServiceBase):
    """The service's name and dependencies, and every helper; the entrypoints live in
    `customers`, `visits`, `orders`, `settlement` and `handlers`."""

    name = "reception"

    config = Config()
    remote = Remote()

    # ================================================================ helpers: loading

    def _require_staff(
        self, tenant: Tenant, site_id: str, roles: tuple[str, ...] = RECEPTION_ROLES
    ) -> None:
        tenant.require_site(site_id)
        tenant.require_role(*roles)

    def _site(
        self, group_id: str, site_id: str, *, field: str = "site_id", lock: bool = False
    ) -> Site:
        """A site of the group, as the reference-data import told reception (the seed lists
        the directory's sites); reception asks no other service for it."""
        site = self.db.session.get(Site, site_id, with_for_update=lock or None)
        domain.check_site(site.group_id if site else None, group_id, site_id, field)
        return site

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

    def _vehicle(self, vehicle_id: str) -> Vehicle:
        tenant = self.caller.tenant
        vehicle = self.db.session.get(Vehicle, vehicle_id)
        if (
            vehicle is None
            or vehicle.group_id != tenant.group_id
            or not tenant.can_see_site(vehicle.site_id)
        ):
            raise NotFound(
                f"vehicle {vehicle_id} not found", "VEHICLE_NOT_FOUND", {"vehicle_id": [vehicle_id]}
            )
        return vehicle

    def _appointment(self, appointment_id: str, lock: bool = False) -> Appointment:
        tenant = self.caller.tenant
        row = self.db.session.get(Appointment, appointment_id, with_for_update=lock or None)
        if row is None or row.group_id != tenant.group_id or not tenant.can_see_site(row.site_id):
            raise NotFound(f"appointment {appointment_id} not found", "APPOINTMENT_NOT_FOUND")
        return row

    def _check_in(self, check_in_id: str) -> CheckIn:
        tenant = self.caller.tenant
        row = self.db.session.get(CheckIn, check_in_id)
        if row is None or row.group_id != tenant.group_id or not tenant.can_see_site(row.site_id):
            raise NotFound(f"check-in sheet {check_in_id} not found", "CHECK_IN_NOT_FOUND")
        return row

    def _order(self, order_id: str, lock: bool = False) -> Order:
        """Visible orders only; `lock` serialises changes to one order (SELECT FOR UPDATE)."""
        tenant = self.caller.tenant
        row = self.db.session.get(Order, order_id, with_for_update=lock or None)
        if row is None or row.group_id != tenant.group_id or not tenant.can_see_site(row.site_id):
            raise NotFound(f"repair order {order_id} not found", "ORDER_NOT_FOUND")
        return row

    def _line(self, order: Order, line_id: str) -> OrderLine:
        line = self._line_or_none(order, line_id)
        if line is None:
            raise NotFound(f"line {line_id} is not on this repair order", "LINE_NOT_FOUND")
        return line

    def _line_or_none(self, order: Order, line_id: str) -> OrderLine | None:
        return next((x for x in order.lines if x.line_id == line_id), None)

    def _pending_work(self, order: Order, work_id: str) -> AdditionalWork:
        work = self.db.session.get(AdditionalWork, work_id)
        if work is None or work.order_id != order.order_id:
            raise NotFound(f"additional work {work_id} not found", "ADDITIONAL_WORK_NOT_FOUND")
        domain.check_work_pending(work.status, work_id)
        domain.require_order_status(
            order.status, domain.WORKSHOP_STATUSES, "decide additional work"
        )
        return work

    def _history_of(self, entity_type: str, entity_id: str) -> list[History]:
        return list(
            self.db.session.scalars(
                select(History)
                .where(History.entity_type == entity_type, History.entity_id == entity_id)
                .order_by(History.id)
            ).all()
        )

    # ================================================================ helpers: writing

    def _history(
        self, entity_type: str, entity: Any, by: str, action: str, details: dict[str, Any]
    ) -> None:
        """Who, when, what: every change of an appointment, check-in sheet or RO."""
        entity_id = {
            "appointment": "appointment_id",
            "check_in": "check_in_id",
            "order": "order_id",
        }[entity_type]
        self.db.session.add(
            History(
                entity_type=entity_type,
                entity_id=getattr(entity, entity_id),
                group_id=entity.group_id,
                site_id=entity.site_id,
                at=utcnow(),
                by=by,
                action=action,
                details=json.loads(json.dumps(to_primitives(details), ensure_ascii=False)),
            )
        )

    def _set_status(
        self, order: Order, target: str, by: str, action: str, details: dict | None = None
    ) -> None:
        before = order.status
        order.status = target
        self._history("order", order, by, action, {"from": before, "to": target, **(details or {})})

    def _page(
        self,
        stmt: Any,
        keys: tuple[Any, ...],
        fields: dict[str, Any],
        dump: Callable[[Any], Any],
        *,
        descending: bool = True,
    ) -> dict[str, Any]:
        """One page of a list (`limit`, `cursor` from its loaded query)."""
        return page(
            self.db.session, stmt, keys, limit=fields["limit"], cursor=fields["cursor"],
            dump=dump, descending=descending,
        )  # fmt: skip

    # ================================================================ events out

    def _announce(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        group_id: str,
        site_id: str | None,
        correlation_id: str | None = None,
    ) -> None:
        """Record an event in the outbox, checked against its contract first: a payload
        that breaks it is caught here, not by every consumer (`payloads` builds them)."""
        validate_payload(event_type, to_primitives(payload))
        self.db.publish(
            event_type, payload, group_id=group_id, site_id=site_id, correlation_id=correlation_id
        )

    def _announce_order(self, event_type: str, order: Order, payload: dict[str, Any]) -> None:
        self._announce(
            event_type,
            payload,
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )

    # ================================================================ documents and ETags

    def _guard(self, document: Callable[[], Any]) -> None:
        """Refuse a stale `If-Match` (412) before anything changes: `document()` builds the
        document's current view exactly as its GET answers it."""
        if self.caller.context.get(IF_MATCH):
            require_match(self.caller.context, document())

    def _order_for_change(self, order_id: str, roles: tuple[str, ...] = RECEPTION_ROLES) -> Order:
        """An RO to change: locked, the caller's to change, and as the caller last read it."""
        order = self._order(order_id, lock=True)
        self._require_staff(self.caller.tenant, order.site_id, roles)
        self._guard(lambda: self._order_doc(order))
        return order

    def _order_doc(self, order: Order) -> dict[str, Any]:
        """The RO as its GET answers it (and as every RO write answers)."""
        return OrderOut().dump(self._order_view(order))

    def _order_view(self, order: Order) -> dict[str, Any]:
        session = self.db.session
        session.flush()
        job_status = self._job_status(order)
        issued = self._issued(order)
        data = views.order_header(order)
        data["lines"] = [
            views.line(
                x,
                job_status.get(x.line_id),
                issued[x.line_id][0] if x.line_id in issued else None,
            )
            for x in order.lines
        ]
        data["estimate"] = views.statement(self._estimate(order), "estimate")
        if order.statement:
            data["statement"] = order.statement
        elif order.status in domain.WORKSHOP_STATUSES:
            data["statement"] = self._actual_statement_view(order)
        else:
            data["statement"] = None
        data["additional_work"] = [
            views.additional_work(w)
            for w in session.scalars(
                select(AdditionalWork)
                .where(AdditionalWork.order_id == order.order_id)
                .order_by(AdditionalWork.found_at)
            )
        ]
        data["payments"] = views.payments(
            list(
                session.scalars(
                    select(Payment)
                    .where(Payment.order_id == order.order_id)
                    .order_by(Payment.received_at)
                )
            )
        )
        data["history"] = views.history(self._history_of("order", order.order_id))
        return data
