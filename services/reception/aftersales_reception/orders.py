"""Repair orders from opening to approval, to-be-confirmed lines, cancelling, reading, and
the customer's decisions on additional work."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Conflict, ValidationFailed
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, views
from .base import ReceptionBase, new_id
from .models import (
    AdditionalWork,
    Order,
    OrderJob,
    PartMovement,
)
from .schemas import (
    AdditionalWorkApproveIn,
    AdditionalWorkDeclineIn,
    ApproveIn,
    ConfirmLineIn,
    LinesIn,
    OrderIn,
    OrderUpdate,
    ReasonIn,
)


class OrderEntrypoints(ReceptionBase):
    # ================================================================ repair orders

    @command
    def open_order(self, data: dict[str, Any]) -> dict[str, Any]:
        """Open an RO in draft, from a signed check-in sheet (or with mileage and complaint)."""
        tenant = self.caller.tenant
        fields = load(OrderIn(), data)
        site_id = fields["site_id"]
        self._require_staff(tenant, site_id)
        site = self._site(tenant.group_id, site_id)
        vehicle = self._vehicle(fields["vehicle_id"])
        session = self.db.session
        now = utcnow()
        sheet = None
        if fields["check_in_id"]:
            sheet = self._check_in(fields["check_in_id"])
            if sheet.vehicle_id != vehicle.vehicle_id or sheet.site_id != site_id:
                raise ValidationFailed.on(
                    "check_in_id",
                    "the check-in sheet is for another vehicle or site",
                    "CHECK_IN_MISMATCH",
                )
            if sheet.status != "signed":
                raise Conflict(
                    "the check-in sheet is not signed yet",
                    "CHECK_IN_NOT_SIGNED",
                    {"check_in_id": [sheet.check_in_id]},
                )
            used = session.scalar(
                select(Order.order_id).where(
                    Order.check_in_id == sheet.check_in_id, Order.status != "cancelled"
                )
            )
            if used:
                raise Conflict(
                    f"the check-in sheet is already on {used}",
                    "CHECK_IN_USED",
                    {"check_in_id": [sheet.check_in_id]},
                )
            mileage, complaint = sheet.mileage, sheet.complaint
        else:
            mileage, complaint = fields["mileage"], fields["complaint"]
            domain.check_mileage(mileage, vehicle.mileage, fields["mileage_reason"])
            if mileage > vehicle.mileage or fields["mileage_reason"]:
                vehicle.mileage = mileage
        appointment_id = fields["appointment_id"] or (sheet.appointment_id if sheet else None)
        if appointment_id:
            appointment = self._appointment(appointment_id)
            if appointment.vehicle_id != vehicle.vehicle_id:
                raise ValidationFailed.on(
                    "appointment_id",
                    "the appointment is for another vehicle",
                    "APPOINTMENT_MISMATCH",
                )
        order_type = fields["order_type"]
        order = Order(
            order_id=new_id("ro"),
            order_number=self._next_order_number(site, domain.local_day(now)),
            group_id=tenant.group_id,
            site_id=site_id,
            customer_id=vehicle.customer_id,
            vehicle_id=vehicle.vehicle_id,
            vin=vehicle.vin,
            plate=vehicle.plate,
            check_in_id=sheet.check_in_id if sheet else None,
            appointment_id=appointment_id,
            order_type=order_type,
            status="draft",
            mileage=mileage,
            complaint=complaint,
            fuel_level=sheet.fuel_level if sheet else None,
            promised_at=fields["promised_at"],
            old_part_disposition=fields["old_part_disposition"]
            or ("keep_for_warranty" if order_type == "warranty" else "return_to_customer"),
            wash=fields["wash"],
            notes=fields["notes"],
            service_advisor_id=tenant.user_id,
            tax_rate=site.tax_rate,
            prices_include_tax=site.prices_include_tax,
            created_at=now,
            discount_amount=Decimal("0"),
            discount_status="none",
            lines=[],
        )
        session.add(order)
        self._add_lines(order, vehicle, fields["lines"], tenant.user_id, "lines")
        self._history(
            "order",
            order,
            tenant.user_id,
            "opened",
            {
                "order_number": order.order_number,
                "lines": [line.line_id for line in order.lines],
                "promised_at": order.promised_at,
            },
        )
        self.db.publish(
            "order_opened",
            {
                "order_id": order.order_id,
                "order_number": order.order_number,
                "order_type": order.order_type,
                "customer_id": order.customer_id,
                "vehicle_id": order.vehicle_id,
                "vin": order.vin,
                "mileage": order.mileage,
                "complaint": order.complaint,
                "promised_at": order.promised_at,
                "service_advisor_id": order.service_advisor_id,
            },
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )
        return self._order_view(order)

    @command
    def update_order(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Promised time, old-part disposition, wash and notes, until the car is settled."""
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        fields = load(OrderUpdate(), data)
        domain.require_order_status(order.status, domain.OPEN_STATUSES - {"settled"}, "update")
        changed = {}
        for name, value in fields.items():
            old = getattr(order, name)
            if (views.utc(old) if isinstance(old, datetime) else old) != value:
                changed[name] = {"from": old, "to": value}
                setattr(order, name, value)
        if changed:
            self._history("order", order, tenant.user_id, "updated", changed)
        return self._order_view(order)

    @command
    def add_order_lines(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        fields = load(LinesIn(), data)
        domain.require_order_status(order.status, domain.EDITABLE_STATUSES, "add lines")
        vehicle = self._vehicle(order.vehicle_id)
        added = self._add_lines(order, vehicle, fields["lines"], tenant.user_id, "lines")
        notes = [self._line_note(x) for x in added]
        self._history("order", order, tenant.user_id, "lines_added", {"lines": notes})
        return self._order_view(order)

    @command
    def remove_order_line(self, order_id: str, line_id: str) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        domain.require_order_status(order.status, domain.EDITABLE_STATUSES, "remove lines")
        line = self._line(order, line_id)
        order.lines.remove(line)
        self._history("order", order, tenant.user_id, "line_removed", self._line_note(line))
        return self._order_view(order)

    @command
    def send_for_approval(self, order_id: str) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        target = domain.order_transition(order.status, "send_for_approval")
        if not any(line.status == "proposed" for line in order.lines):
            raise Conflict(
                "the repair order has no line for the customer to approve", "ORDER_HAS_NO_LINES"
            )
        self._set_status(order, target, tenant.user_id, "sent_for_approval")
        return self._order_view(order)

    @command
    def revise_order(self, order_id: str) -> dict[str, Any]:
        """The customer wants changes before signing: back to draft."""
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        target = domain.order_transition(order.status, "revise")
        self._set_status(order, target, tenant.user_id, "revised")
        return self._order_view(order)

    @command
    def approve_order(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer signed: the firm lines may be worked and their parts issued."""
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        signature = load(ApproveIn(), data)["signature"]
        target = domain.order_transition(order.status, "approve")
        now = utcnow()
        approved = [line for line in order.lines if line.status == "proposed"]
        for line in approved:
            line.status = "approved"
        order.approved_at = now
        order.approved_by = tenant.user_id
        order.customer_signature = {**signature, "signed_at": now.isoformat()}
        self._take_up_recommendations(order, approved)
        self._set_status(
            order, target, tenant.user_id, "approved",
            {"signed_by": signature["signed_by"], "method": signature["method"],
             "lines": [line.line_id for line in approved]},
        )  # fmt: skip
        vehicle = self._vehicle(order.vehicle_id)
        self.db.publish(
            "order_approved",
            {
                "order_id": order.order_id,
                "order_number": order.order_number,
                "order_type": order.order_type,
                "customer_id": order.customer_id,
                "vehicle_id": order.vehicle_id,
                "vin": order.vin,
                "plate": vehicle.plate,
                "complaint": order.complaint,
                "promised_at": order.promised_at,
                "approved_by": tenant.user_id,
                "labor_lines": [self._labor_event_line(x) for x in approved if x.kind == "labor"],
                "part_lines": [self._part_event_line(x) for x in approved if x.kind == "part"],
            },
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )
        self._request_parts(order, approved, tenant.user_id)
        return self._order_view(order)

    @command
    def confirm_line(self, order_id: str, line_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer's later word on a to-be-confirmed line: approved lines are worked."""
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        fields = load(ConfirmLineIn(), data)
        line = self._line(order, line_id)
        if line.status != "to_be_confirmed":
            raise Conflict(
                f"line {line_id} is {line.status}, not waiting for confirmation",
                "LINE_NOT_TO_BE_CONFIRMED",
                {"line_id": [line_id]},
            )
        domain.require_order_status(
            order.status, domain.OPEN_STATUSES - {"settled"}, "confirm lines"
        )
        confirmation = {**fields["confirmation"], "at": utcnow().isoformat()}
        note = {**self._line_note(line), "confirmation": confirmation}
        if fields["decision"] == "declined":
            line.status = "declined"
            vehicle = self._vehicle(order.vehicle_id)
            self._recommend(
                order, vehicle, None, line.description, self._lines_as_items([line]),
                domain.money(line.quantity * line.unit_price), fields["reason"], tenant.user_id,
            )  # fmt: skip
            self._history("order", order, tenant.user_id, "line_declined", note)
            return self._order_view(order)
        if order.status in domain.WORKSHOP_STATUSES:
            line.status = "approved"
            if fields["promised_at"]:
                order.promised_at = fields["promised_at"]
            self._history("order", order, tenant.user_id, "line_confirmed", note)
            self._publish_added_work(order, f"tbc-{line.line_id}", [line], tenant.user_id)
            self._recompute(order, tenant.user_id, "line_confirmed")
        else:
            line.status = "proposed"  # approved with the order when the customer signs it
            self._history("order", order, tenant.user_id, "line_confirmed", note)
        return self._order_view(order)

    @command
    def cancel_order(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        reason = load(ReasonIn(), data)["reason"]
        target = domain.order_transition(order.status, "cancel")
        was_approved = order.status == "approved"
        if was_approved:
            session = self.db.session
            started = session.scalar(
                select(func.count())
                .select_from(OrderJob)
                .where(
                    OrderJob.order_id == order.order_id,
                    (OrderJob.started_at.is_not(None)) | (OrderJob.done_at.is_not(None)),
                )
            )
            issued = session.scalar(
                select(func.count())
                .select_from(PartMovement)
                .where(PartMovement.order_id == order.order_id, PartMovement.kind == "issued")
            )
            if started or issued:
                raise Conflict(
                    "work has started or parts were issued: finish or return them first",
                    "WORK_STARTED",
                    {"status": [order.status]},
                )
        order.cancelled_at = utcnow()
        order.cancel_reason = reason
        self._set_status(order, target, tenant.user_id, "cancelled", {"reason": reason})
        self.db.publish(
            "order_cancelled",
            {
                "order_id": order.order_id,
                "order_number": order.order_number,
                "vehicle_id": order.vehicle_id,
                "reason": reason,
                "cancelled_by": tenant.user_id,
                "was_approved": was_approved,
            },
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )
        return self._order_view(order)

    @query
    def get_order(self, order_id: str) -> dict[str, Any]:
        return self._order_view(self._order(order_id))

    @query
    def order_history(self, order_id: str) -> list[dict[str, Any]]:
        order = self._order(order_id)
        return views.history(self._history_of("order", order.order_id))

    @query
    def list_orders(
        self,
        site_id: str | None = None,
        status: str | None = None,
        vehicle_id: str | None = None,
        customer_id: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """ROs of the caller's sites, newest first; status "open" means not yet delivered."""
        tenant = self.caller.tenant
        self._check_limit(limit)
        sites = tenant.visible_sites([site_id] if site_id else None)
        stmt = select(Order).where(Order.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Order.site_id.in_(sites))
        if status == "open":
            stmt = stmt.where(Order.status.in_(sorted(domain.OPEN_STATUSES)))
        elif status:
            if status not in domain.ORDER_STATUSES:
                raise ValidationFailed.on("status", f"unknown status {status}", "INVALID_STATUS")
            stmt = stmt.where(Order.status == status)
        if vehicle_id:
            stmt = stmt.where(Order.vehicle_id == vehicle_id)
        if customer_id:
            stmt = stmt.where(Order.customer_id == customer_id)
        orders = self.db.session.scalars(
            stmt.order_by(Order.created_at.desc(), Order.order_id).limit(max(1, min(limit, 500)))
        ).all()
        pending = dict(
            self.db.session.execute(
                select(AdditionalWork.order_id, func.count())
                .where(
                    AdditionalWork.order_id.in_([o.order_id for o in orders]),
                    AdditionalWork.status == "pending",
                )
                .group_by(AdditionalWork.order_id)
            ).all()
        )
        return [views.order_summary(o, pending.get(o.order_id, 0)) for o in orders]

    # ================================================================ additional work

    @command
    def approve_additional_work(
        self, order_id: str, work_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The customer said yes: lines added, promised time moved, workshop and parts told."""
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        fields = load(AdditionalWorkApproveIn(), data)
        work = self._pending_work(order, work_id)
        vehicle = self._vehicle(order.vehicle_id)
        payer = fields["payer"]
        lines_in: list[dict[str, Any]] = [
            {"kind": "labor", "operation_code": op["operation_code"], "payer": payer,
             "quantity": Decimal("1"), "to_be_confirmed": False, "free": False,
             "suggested_hours": op["standard_hours"], "suggested_description": op["description"]}
            for op in work.operations
        ] + [
            {"kind": "part", "part_number": p["part_number"], "payer": payer,
             "quantity": Decimal(p["quantity"]), "to_be_confirmed": False, "free": False}
            for p in work.parts
        ]  # fmt: skip
        added = self._add_lines(
            order, vehicle, lines_in, tenant.user_id, "work", status="approved", work_id=work_id
        )
        now = utcnow()
        before = order.promised_at
        order.promised_at = fields["promised_at"] or work.suggested_promised_at or order.promised_at
        work.status = "approved"
        work.decided_by = tenant.user_id
        work.decided_at = now
        work.decision = {
            "decision": "approved",
            "payer": payer,
            "confirmation": {**fields["confirmation"], "at": now.isoformat()},
        }
        self._history(
            "order",
            order,
            tenant.user_id,
            "additional_work_approved",
            {
                "work_id": work_id,
                "lines": [self._line_note(x) for x in added],
                "promised_at": {"from": before, "to": order.promised_at},
                "confirmation": work.decision["confirmation"],
            },
        )
        self._publish_added_work(order, work_id, added, tenant.user_id)
        self._recompute(order, tenant.user_id, "additional_work_approved")
        return self._order_view(order)

    @command
    def decline_additional_work(
        self, order_id: str, work_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """The customer said no: kept as a recommendation on the vehicle for the next visit."""
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        self._require_staff(tenant, order.site_id)
        fields = load(AdditionalWorkDeclineIn(), data)
        work = self._pending_work(order, work_id)
        vehicle = self._vehicle(order.vehicle_id)
        now = utcnow()
        work.status = "declined"
        work.decided_by = tenant.user_id
        work.decided_at = now
        work.decision = {
            "decision": "declined",
            "reason": fields["reason"],
            "confirmation": {**fields["confirmation"], "at": now.isoformat()},
        }
        recommendation = self._recommend(
            order, vehicle, work_id, work.description,
            {"operations": work.operations, "parts": work.parts},
            work.estimate_amount, fields["reason"], tenant.user_id,
        )  # fmt: skip
        self._history(
            "order",
            order,
            tenant.user_id,
            "additional_work_declined",
            {
                "work_id": work_id,
                "recommendation_id": recommendation.recommendation_id,
                "confirmation": work.decision["confirmation"],
            },
        )
        self.db.publish(
            "additional_work_declined",
            {
                "order_id": order.order_id,
                "work_id": work_id,
                "vehicle_id": order.vehicle_id,
                "description": work.description,
            },
            group_id=order.group_id,
            site_id=order.site_id,
            correlation_id=order.order_id,
        )
        return self._order_view(order)
