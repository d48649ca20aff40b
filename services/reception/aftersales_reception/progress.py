"""An RO's progress: what the workshop and the warehouse report (jobs, QC, parts moved)
recomputes its status; recommendations kept for the next visit; the events reception
publishes about approved work."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, as_utc, utcnow
from aftersales_core.ids import new_id

from . import domain, payloads, views
from .models import (
    AdditionalWork,
    LaborOperation,
    Order,
    OrderJob,
    OrderLine,
    OrderQc,
    PartMovement,
    Recommendation,
    Vehicle,
)

log = logging.getLogger(__name__)

# The parts document that makes a movement one fact (an arrival may come in parts).
FACT_DOCUMENT = {"issued": "issue_id", "returned": "return_id", "backordered": "backorder_id"}


def event_time(envelope: Envelope) -> datetime:
    """When the producer says the fact happened (UTC)."""
    return as_utc(datetime.fromisoformat(envelope.occurred_at))


class ProgressHelpers:
    """Mixin of `ReceptionBase`: events in and out, recommendations."""

    def _open_recommendation(self, vehicle: Vehicle, recommendation_id: str, field: str) -> None:
        rec = self.db.session.get(Recommendation, recommendation_id)
        domain.check_open_recommendation(
            rec is not None and rec.vehicle_id == vehicle.vehicle_id and rec.status == "open",
            field,
        )

    def _take_up_recommendations(self, order: Order, lines: list[OrderLine]) -> None:
        for line in lines:
            if line.recommendation_id:
                rec = self.db.session.get(Recommendation, line.recommendation_id)
                if rec is not None and rec.status == "open":
                    rec.status = "taken_up"
                    rec.taken_up_order_id = order.order_id

    def _recommend(
        self,
        order: Order,
        vehicle: Vehicle,
        work_id: str | None,
        description: str,
        items: dict[str, Any],
        estimate: Decimal | None,
        reason: str | None,
        by: str,
    ) -> Recommendation:
        rec = Recommendation(
            recommendation_id=new_id("rec"),
            group_id=order.group_id,
            site_id=order.site_id,
            vehicle_id=vehicle.vehicle_id,
            customer_id=vehicle.customer_id,
            order_id=order.order_id,
            work_id=work_id,
            description=description,
            operations=items.get("operations", []),
            parts=items.get("parts", []),
            estimate_amount=estimate,
            reason=reason,
            status="open",
            created_at=utcnow(),
            created_by=by,
        )
        self.db.session.add(rec)
        return rec

    def _lines_as_items(self, lines: list[OrderLine]) -> dict[str, Any]:
        return {
            "operations": [
                {"operation_code": x.code, "description": x.description,
                 "standard_hours": views.quantity("labor", x.quantity)}
                for x in lines if x.kind == "labor"
            ],
            "parts": [
                {"part_number": x.code, "name": x.description,
                 "quantity": views.quantity("part", x.quantity)}
                for x in lines if x.kind == "part"
            ],
        }  # fmt: skip

    def _line_note(self, line: OrderLine) -> dict[str, Any]:
        return {
            "line_id": line.line_id,
            "kind": line.kind,
            "code": line.code,
            "quantity": views.quantity(line.kind, line.quantity),
            "unit_price": str(domain.money(line.unit_price)),
            "payer": line.payer,
            "status": line.status,
        }

    def _request_parts(self, order: Order, lines: list[OrderLine], by: str) -> None:
        """Every approved part line becomes a requisition the warehouse issues against."""
        payload = payloads.part_requested(order, lines, by)
        if payload is not None:
            self._announce_order("part_requested", order, payload)

    def _publish_added_work(
        self, order: Order, work_id: str, lines: list[OrderLine], by: str
    ) -> None:
        self._announce_order(
            "additional_work_approved",
            order,
            payloads.additional_work_approved(order, work_id, lines, by),
        )
        self._request_parts(order, lines, by)

    # ================================================================ helpers: events in

    def _decide(
        self, work: AdditionalWork, decision: str, signature: dict[str, Any], by: str, **extra: Any
    ) -> dict[str, Any]:
        """Record the customer's answer on additional work; returns their confirmation."""
        now = utcnow()
        confirmation = {**signature, "at": now.isoformat()}
        work.status = decision
        work.decided_by = by
        work.decided_at = now
        work.decision = {"decision": decision, **extra, "confirmation": confirmation}
        return confirmation

    def _price_found_work(
        self, order: Order, payload: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Decimal, Decimal | None]:
        """Work the workshop found, priced for the customer: catalog hours (else the
        suggested ones) at the customer rate, parts as the warehouse quotes them. The
        estimate is None when something could not be priced (asked again on approval)."""
        operations, hours, amount, complete = [], Decimal("0"), Decimal("0"), True
        rate = self._rate_or_none(order.site_id, "customer")
        for suggestion in payload["suggested_operations"]:
            op = self.db.session.get(LaborOperation, (order.group_id, suggestion["operation_code"]))
            standard_hours = op.standard_hours if op else Decimal(suggestion["standard_hours"])
            line_amount = domain.money(standard_hours * rate) if rate is not None else None
            complete = complete and line_amount is not None
            operations.append(
                {
                    "operation_code": suggestion["operation_code"],
                    "description": op.description if op else suggestion["description"],
                    "standard_hours": str(standard_hours),
                    "in_catalog": op is not None,
                    "amount": str(line_amount) if line_amount is not None else None,
                }
            )
            hours += standard_hours
            amount += line_amount or 0
        parts = []
        quotes = self._quote_or_none(order, [p["part_number"] for p in payload["suggested_parts"]])
        for suggestion in payload["suggested_parts"]:
            quote = (quotes or {}).get(suggestion["part_number"])
            quantity = Decimal(suggestion["quantity"])
            line_amount = domain.money(quantity * Decimal(quote["price"])) if quote else None
            complete = complete and line_amount is not None
            parts.append(
                {
                    "part_number": suggestion["part_number"],
                    "name": quote["name"] if quote else None,
                    "quantity": views.quantity("part", quantity),
                    "unit_price": quote["price"] if quote else None,
                    "available": str(quote["available"]) if quote else None,
                    "amount": str(line_amount) if line_amount is not None else None,
                }
            )
            amount += line_amount or 0
        return operations, parts, hours, domain.money(amount) if complete else None

    @staticmethod
    def _incoming(event: Envelope) -> dict[str, Any]:
        """An event's payload, checked against its contract: one that breaks it is
        refused (retried, then dead-lettered), never half applied."""
        return validate_payload(event.type, event.payload)

    def _event_order(self, event: Envelope) -> Order | None:
        """The order an event is about (its payload checked against its contract),
        locked; events about no order of ours are ignored."""
        order_id = self._incoming(event).get("order_id")
        order = self.db.session.get(Order, order_id, with_for_update=True) if order_id else None
        if order is None or order.group_id != event.group_id:
            log.warning(
                "%s %s names unknown order %s; ignored", event.type, event.event_id, order_id
            )
            return None
        return order

    def _job(self, job_id: str, order_id: str) -> OrderJob:
        job = self.db.session.get(OrderJob, job_id)
        if job is None:
            job = OrderJob(job_id=job_id, order_id=order_id)
            self.db.session.add(job)
        return job

    def _qc(self, event: Envelope, passed: bool) -> None:
        order = self._event_order(event)
        if order is None:
            return
        payload = event.payload
        self.db.session.add(
            OrderQc(
                event_id=event.event_id,
                order_id=order.order_id,
                passed=passed,
                at=event_time(event),
                inspector_id=payload["inspector_id"],
                job_ids=payload.get("job_ids") or [],
                reasons=payload.get("reasons") or [],
            )
        )
        details = {"job_ids": payload.get("job_ids") or []}
        if not passed:
            details["reasons"] = payload.get("reasons") or []
        self._recompute(
            order, payload["inspector_id"], "qc_passed" if passed else "qc_failed", details
        )

    def _recompute(
        self, order: Order, by: str, cause: str, details: dict[str, Any] | None = None
    ) -> None:
        """Derive the order's status from every workshop fact known now (see domain)."""
        session = self.db.session
        session.flush()
        if order.status not in domain.WORKSHOP_STATUSES:
            if cause not in ("line_confirmed", "additional_work_approved"):
                details = {**(details or {}), "status": order.status}
                self._history("order", order, by, cause, details)
            return
        jobs = [
            domain.JobFact(j.job_id, j.line_id, views.utc(j.started_at), views.utc(j.done_at))
            for j in session.scalars(select(OrderJob).where(OrderJob.order_id == order.order_id))
        ]
        qc = [
            domain.QcFact(q.passed, views.utc(q.at), tuple(q.job_ids))
            for q in session.scalars(select(OrderQc).where(OrderQc.order_id == order.order_id))
        ]
        labor = [x.line_id for x in order.lines if x.kind == "labor" and x.status == "approved"]
        target = domain.workshop_status(labor, jobs, qc)
        if cause not in ("line_confirmed", "additional_work_approved"):
            self._history("order", order, by, cause, details or {})
        if target != order.status:
            self._set_status(order, target, by, "status_changed", {"cause": cause})

    def _part_movement(self, event: Envelope, kind: str) -> Order | None:
        order = self._event_order(event)
        if order is None:
            return None
        payload = event.payload
        document_id = payload.get(FACT_DOCUMENT.get(kind, ""))
        if document_id and self.db.session.scalar(
            select(PartMovement.event_id).where(
                PartMovement.kind == kind,
                PartMovement.document_id == document_id,
                PartMovement.line_id == payload["line_id"],
            )
        ):
            # the same fact again under a new event id (a producer's retry): once only
            log.warning("part_%s %s: %s already recorded", kind, event.event_id, document_id)
            return None
        unit_price = payload.get("unit_price")
        self.db.session.add(
            PartMovement(
                event_id=event.event_id,
                document_id=document_id,
                order_id=order.order_id,
                line_id=payload["line_id"],
                kind=kind,
                requisition_id=payload["requisition_id"],
                part_number=payload["part_number"],
                quantity=Decimal(payload["quantity"]),
                unit_price=Decimal(unit_price) if unit_price is not None else None,
                at=event_time(event),
            )
        )
        details = {
            k: payload.get(k)
            for k in ("line_id", "part_number", "quantity", "unit_price", "expected_at")
            if payload.get(k) is not None
        }
        self._history("order", order, "parts", f"part_{kind}", details)
        return order

    def _backorder_outstanding(self, line: OrderLine) -> None:
        """Back-ordered quantities less those arrived: the line waits while any is left."""
        session = self.db.session
        session.flush()
        totals = dict(
            session.execute(
                select(PartMovement.kind, func.sum(PartMovement.quantity))
                .where(
                    PartMovement.order_id == line.order_id,
                    PartMovement.line_id == line.line_id,
                    PartMovement.kind.in_(("backordered", "arrived")),
                )
                .group_by(PartMovement.kind)
            ).all()
        )
        outstanding = Decimal(totals.get("backordered") or 0) - Decimal(totals.get("arrived") or 0)
        line.backordered = outstanding > 0
        if not line.backordered:
            line.backordered_until = None
