"""Events in: the workshop's and the warehouse's facts move an RO; OEM recalls are kept
per VIN.  Each handler is idempotent (the inbox) and locks the order it changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aftersales_core.envelope import Envelope, utcnow
from aftersales_core.service import on_event

from . import domain, views
from .base import ReceptionBase
from .models import (
    AdditionalWork,
    Recall,
    RecallVehicle,
)
from .progress import event_time


class EventHandlers(ReceptionBase):
    # ================================================================ events in: workshop

    @on_event("workshop", "job_dispatched")
    def on_job_dispatched(self, event: Envelope) -> None:
        order = self._event_order(event)
        if order is None:
            return
        job = self._job(event.payload["job_id"], order.order_id)
        job.line_id = event.payload["line_id"]
        job.technician_id = event.payload.get("technician_id") or job.technician_id
        self._history(
            "order", order, event.payload.get("dispatched_by") or "workshop", "job_dispatched",
            {k: event.payload.get(k) for k in ("job_id", "line_id", "technician_id", "team_id")},
        )  # fmt: skip

    @on_event("workshop", "job_started")
    def on_job_started(self, event: Envelope) -> None:
        order = self._event_order(event)
        if order is None:
            return
        job = self._job(event.payload["job_id"], order.order_id)
        at = event_time(event)
        job.started_at = max(filter(None, (views.utc(job.started_at), at)))
        job.technician_id = event.payload["technician_id"]
        self._recompute(order, event.payload["technician_id"], "job_started")

    @on_event("workshop", "job_paused")
    def on_job_paused(self, event: Envelope) -> None:
        order = self._event_order(event)
        if order is None:
            return
        self._history(
            "order", order, event.payload["technician_id"], "job_paused",
            {"job_id": event.payload["job_id"], "reason": event.payload["reason"]},
        )  # fmt: skip

    @on_event("workshop", "job_done")
    def on_job_done(self, event: Envelope) -> None:
        order = self._event_order(event)
        if order is None:
            return
        payload = event.payload
        job = self._job(payload["job_id"], order.order_id)
        job.line_id = payload["line_id"]
        job.technician_id = payload["technician_id"]
        job.clocked_hours = Decimal(payload["clocked_hours"])
        at = event_time(event)
        job.done_at = max(filter(None, (views.utc(job.done_at), at)))
        self._recompute(order, payload["technician_id"], "job_done", {"job_id": payload["job_id"]})

    @on_event("workshop", "qc_passed")
    def on_qc_passed(self, event: Envelope) -> None:
        self._qc(event, passed=True)

    @on_event("workshop", "qc_failed")
    def on_qc_failed(self, event: Envelope) -> None:
        self._qc(event, passed=False)

    @on_event("workshop", "order_at_risk")
    def on_order_at_risk(self, event: Envelope) -> None:
        order = self._event_order(event)
        if order is None:
            return
        order.at_risk_at = event_time(event)
        self._history(
            "order", order, "workshop", "at_risk",
            {k: event.payload.get(k) for k in ("promised_at", "elapsed_share", "open_jobs")},
        )  # fmt: skip

    @on_event("workshop", "additional_work_found")
    def on_additional_work_found(self, event: Envelope) -> None:
        """A pending item with a price and time for the advisor to put to the customer."""
        order = self._event_order(event)
        payload = event.payload
        if order is None or self.db.session.get(AdditionalWork, payload["work_id"]) is not None:
            return
        operations, parts, hours, estimate = self._price_found_work(order, payload)
        status = "pending" if order.status in domain.WORKSHOP_STATUSES else "void"
        work = AdditionalWork(
            work_id=payload["work_id"],
            order_id=order.order_id,
            group_id=order.group_id,
            site_id=order.site_id,
            job_id=payload.get("job_id"),
            description=payload["description"],
            found_by=payload["found_by"],
            found_at=event_time(event),
            operations=operations,
            parts=parts,
            estimated_hours=hours.quantize(domain.HOURS_STEP) if hours else Decimal("0"),
            estimate_amount=estimate,
            suggested_promised_at=domain.moved_promise(
                views.utc(order.promised_at), hours, utcnow()
            )
            if hours
            else order.promised_at,
            status=status,
        )
        self.db.session.add(work)
        self._history(
            "order", order, payload["found_by"], "additional_work_found",
            {"work_id": work.work_id, "description": work.description, "status": status,
             "estimate_amount": work.estimate_amount, "estimated_hours": work.estimated_hours},
        )  # fmt: skip

    # ================================================================ events in: parts

    @on_event("parts", "part_issued")
    def on_part_issued(self, event: Envelope) -> None:
        self._part_movement(event, "issued")

    @on_event("parts", "part_returned")
    def on_part_returned(self, event: Envelope) -> None:
        self._part_movement(event, "returned")

    @on_event("parts", "part_backordered")
    def on_part_backordered(self, event: Envelope) -> None:
        """The line shows as back-ordered (and until when) while any of it is outstanding."""
        order = self._part_movement(event, "backordered")
        line = self._line_or_none(order, event.payload["line_id"]) if order else None
        if line is not None:
            expected = event.payload.get("expected_at")
            line.backordered_until = date.fromisoformat(expected) if expected else None
            self._backorder_outstanding(line)

    @on_event("parts", "backorder_arrived")
    def on_backorder_arrived(self, event: Envelope) -> None:
        order = self._part_movement(event, "arrived")
        line = self._line_or_none(order, event.payload["line_id"]) if order else None
        if line is not None:
            self._backorder_outstanding(line)

    # ================================================================ events in: claims

    @on_event("claims", "recall_announced")
    def on_recall_announced(self, event: Envelope) -> None:
        """Kept per VIN, so the advisor sees it when one of those cars checks in."""
        payload = self._incoming(event)
        session = self.db.session
        recall = session.get(Recall, (payload["recall_id"], event.group_id))
        fields = {
            "oem_id": payload["oem_id"],
            "kind": payload["kind"],
            "title": payload["title"],
            "description": payload["description"],
            "labor_operation_code": payload.get("labor_operation_code"),
            "part_numbers": payload.get("part_numbers") or [],
            "starts_on": date.fromisoformat(payload["starts_on"]),
            "ends_on": date.fromisoformat(payload["ends_on"]) if payload.get("ends_on") else None,
        }
        if recall is None:
            session.add(
                Recall(
                    recall_id=payload["recall_id"],
                    group_id=event.group_id,
                    received_at=utcnow(),
                    **fields,
                )
            )
        else:
            for name, value in fields.items():
                setattr(recall, name, value)
        for vin in sorted({"".join(v.split()).upper() for v in payload["vins"]}):
            if session.get(RecallVehicle, (event.group_id, payload["recall_id"], vin)) is None:
                session.add(
                    RecallVehicle(group_id=event.group_id, recall_id=payload["recall_id"], vin=vin)
                )
