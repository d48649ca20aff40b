"""Events in: reception's facts make the workshop's view of each RO and its jobs, the
warehouse's back orders mark jobs waiting for parts; a timer watches promised times
and a new RO is matched against earlier deliveries (comebacks)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from aftersales_contracts import load_payload
from aftersales_core.envelope import Envelope, as_utc, utcnow
from aftersales_core.ids import new_id
from aftersales_core.service import on_event
from aftersales_core.timers import configured_timer, setting

from . import domain, events
from .base import COMEBACK_DAYS, WATCH_SECONDS, WorkshopBase
from .models import AdditionalWork, Comeback, Job, Order, PartHold, RiskNotice


class Handlers(WorkshopBase):
    # ---------------------------------------------------------------- events from reception
    @on_event("reception", "order_opened")
    def on_order_opened(self, event: Envelope) -> None:
        """Know the RO (vehicle, complaint, promise) and whether it is a comeback."""
        p = load_payload(event.type, event.payload)
        order = self._upsert_order(event, p["order_id"])
        order.opened_at = order.opened_at or as_utc(datetime.fromisoformat(event.occurred_at))
        self._fill(
            order, p, ("order_number", "order_type", "customer_id", "vehicle_id", "complaint")
        )
        order.vin = order.vin or p["vin"].upper()
        if order.promised_at is None and p["promised_at"] is not None:
            order.promised_at = as_utc(p["promised_at"])
        self._detect_comeback(order)

    @on_event("reception", "order_approved")
    def on_order_approved(self, event: Envelope) -> None:
        """One job per approved labor line, keyed by (order, line): a repeat adds nothing."""
        p = load_payload(event.type, event.payload)
        order = self._upsert_order(event, p["order_id"])
        approved_at = as_utc(datetime.fromisoformat(event.occurred_at))
        order.approved_at = order.approved_at or approved_at
        self._fill(
            order,
            p,
            ("order_number", "order_type", "customer_id", "vehicle_id", "complaint", "plate"),
            overwrite=True,
        )
        order.vin = p["vin"].upper()
        if p["promised_at"] is not None:
            order.promised_at = as_utc(p["promised_at"])
        self._add_jobs(order, p["labor_lines"], None, approved_at)
        self._detect_comeback(order)

    @on_event("reception", "additional_work_approved")
    def on_additional_work_approved(self, event: Envelope) -> None:
        """The customer said yes: the work becomes jobs (only now can it be clocked)."""
        p = load_payload(event.type, event.payload)
        order = self._upsert_order(event, p["order_id"])
        at = as_utc(datetime.fromisoformat(event.occurred_at))
        if p["promised_at"] is not None:
            order.promised_at = as_utc(p["promised_at"])
        work = self._work(
            event,
            p["work_id"],
            p["order_id"],
            " / ".join(line["description"] for line in p["labor_lines"]),
        )
        work.status, work.decided_at, work.decided_by = "approved", at, p["approved_by"]
        self._add_jobs(order, p["labor_lines"], p["work_id"], at)

    @on_event("reception", "additional_work_declined")
    def on_additional_work_declined(self, event: Envelope) -> None:
        """The customer said no: reception keeps it as a recommendation; nothing to do here."""
        p = load_payload(event.type, event.payload)
        self._upsert_order(event, p["order_id"])
        work = self._work(event, p["work_id"], p["order_id"], p["description"])
        work.status = "declined"
        work.decided_at = as_utc(datetime.fromisoformat(event.occurred_at))

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        """The car left: its jobs leave the board; a later return may be a comeback."""
        p = load_payload(event.type, event.payload)
        order = self._upsert_order(event, p["order_id"])
        order.delivered_at = as_utc(p["delivered_at"])
        self._fill(
            order,
            p,
            ("order_number", "order_type", "customer_id", "vehicle_id", "complaint", "plate"),
        )
        order.vin = order.vin or p["vin"].upper()

    @on_event("reception", "order_cancelled")
    def on_order_cancelled(self, event: Envelope) -> None:
        """The RO will not be worked: its open jobs are dropped (a clock running on one
        stops), and they leave the board and the day's booked hours."""
        p = load_payload(event.type, event.payload)
        order = self._upsert_order(event, p["order_id"])
        at = as_utc(datetime.fromisoformat(event.occurred_at))
        order.cancelled_at = order.cancelled_at or at
        for job in self.db.session.scalars(
            select(Job).where(Job.order_id == order.order_id).with_for_update()
        ):
            before = self._state(job)
            after = domain.cancel(before)
            if after == before:
                continue
            self._close_session(job, "cancelled")
            self._apply(job, after)
            self._history(
                job,
                "cancelled",
                before.status,
                {"reason": p["reason"], "cancelled_by": p["cancelled_by"]},
                by="system",
            )

    # ---------------------------------------------------------------- events from parts
    @on_event("parts", "part_backordered")
    def on_part_backordered(self, event: Envelope) -> None:
        """A part of the RO is on back order: its jobs show "waiting for parts"."""
        p = load_payload(event.type, event.payload)
        hold = self.db.session.get(PartHold, (p["order_id"], p["line_id"]))
        if hold is None:
            hold = PartHold(
                order_id=p["order_id"],
                line_id=p["line_id"],
                group_id=event.group_id,
                site_id=event.site_id or "",
                created_at=utcnow(),
            )
            self.db.session.add(hold)
        hold.requisition_id, hold.part_number = p["requisition_id"], p["part_number"]
        hold.quantity, hold.expected_at, hold.arrived_at = p["quantity"], p["expected_at"], None

    @on_event("parts", "backorder_arrived")
    def on_backorder_arrived(self, event: Envelope) -> None:
        p = load_payload(event.type, event.payload)
        hold = self.db.session.get(PartHold, (p["order_id"], p["line_id"]))
        if hold is not None:
            hold.arrived_at = as_utc(datetime.fromisoformat(event.occurred_at))

    # ---------------------------------------------------------------- the progress watch
    @configured_timer(WATCH_SECONDS, 60.0)
    def watch_progress(self) -> int:
        """Tell reception about ROs past 70 % of their promised time with work still open.

        One `order_at_risk` per RO per promised time (a new promise may be at risk
        again); each notice commits on its own, so a second workshop instance
        racing this one costs a rolled-back insert, not a duplicate event.
        """
        now = utcnow()
        session = self.db.session
        sent = 0
        candidates = session.scalars(
            select(Order).where(
                Order.promised_at.is_not(None),
                Order.delivered_at.is_(None),
                Order.cancelled_at.is_(None),
                Order.approved_at.is_not(None),
                ~exists().where(
                    RiskNotice.order_id == Order.order_id,
                    RiskNotice.promised_at == Order.promised_at,
                ),
            )
        ).all()
        statuses: dict[str, list[str]] = defaultdict(list)
        if candidates:
            for order_id, status in session.execute(
                select(Job.order_id, Job.status).where(
                    Job.order_id.in_([o.order_id for o in candidates])
                )
            ):
                statuses[order_id].append(status)
        for order in candidates:
            risk = domain.at_risk(
                as_utc(order.approved_at), as_utc(order.promised_at), now, statuses[order.order_id]
            )
            if risk is None:
                continue
            share, open_jobs = risk
            session.add(
                RiskNotice(
                    order_id=order.order_id,
                    promised_at=order.promised_at,
                    elapsed_share=share,
                    open_jobs=open_jobs,
                    noticed_at=now,
                )
            )
            self._publish("order_at_risk", order, events.order_at_risk(order, share, open_jobs))
            try:
                self.db.commit()
                sent += 1
            except IntegrityError:
                self.db.rollback()
        self.db.rollback()
        return sent

    # ---------------------------------------------------------------- the workshop's view of ROs
    def _upsert_order(self, event: Envelope, order_id: str) -> Order:
        order = self.db.session.get(Order, order_id)
        if order is None:
            order = Order(
                order_id=order_id,
                group_id=event.group_id,
                site_id=event.site_id or "",
                qc_status="pending",
                created_at=utcnow(),
            )
            self.db.session.add(order)
        return order

    @staticmethod
    def _fill(
        order: Order, p: dict[str, Any], names: Iterable[str], overwrite: bool = False
    ) -> None:
        for name in names:
            if p.get(name) is not None and (overwrite or getattr(order, name) is None):
                setattr(order, name, p[name])

    def _add_jobs(
        self, order: Order, lines: list[dict[str, Any]], work_id: str | None, at: datetime
    ) -> None:
        if order.cancelled_at is not None:
            return  # an approval overtaken by the cancellation: nothing to work
        session = self.db.session
        existing = set(session.scalars(select(Job.line_id).where(Job.order_id == order.order_id)))
        added = False
        for line in lines:
            if line["line_id"] in existing:
                continue
            now = utcnow()
            job = Job(
                job_id=new_id("job"),
                group_id=order.group_id,
                site_id=order.site_id,
                order_id=order.order_id,
                line_id=line["line_id"],
                work_id=work_id,
                operation_code=line["operation_code"],
                description=line["description"],
                standard_hours=domain.hours(line["standard_hours"]),
                payer=line["payer"],
                skill=line.get("skill"),
                status=domain.UNASSIGNED,
                planned_date=domain.local_date(at),
                rework_count=0,
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            session.flush()
            self._history(
                job, "created", None, {"line_id": job.line_id, "work_id": work_id}, by="system"
            )
            existing.add(line["line_id"])
            added = True
        if added and order.qc_status == "passed":
            order.qc_status, order.qc_passed_at = "pending", None  # new work: QC again

    def _work(
        self, event: Envelope, work_id: str, order_id: str, description: str
    ) -> AdditionalWork:
        work = self.db.session.get(AdditionalWork, work_id)
        if work is None:  # added by the advisor directly, or our row is not here
            work = AdditionalWork(
                work_id=work_id,
                group_id=event.group_id,
                site_id=event.site_id or "",
                order_id=order_id,
                description=description,
                suggested_operations=[],
                suggested_parts=[],
                status="awaiting_approval",
            )
            self.db.session.add(work)
        return work

    def _detect_comeback(self, order: Order) -> None:
        """Link the RO to an earlier delivery of the same car with the same complaint."""
        if not order.vin or order.complaint is None:
            return
        session = self.db.session
        session.flush()
        existing = session.get(Comeback, order.order_id)
        if existing is not None and existing.matched_by == "operation_code":
            return
        opened = as_utc(order.opened_at or order.approved_at or utcnow())
        window = int(setting(self.config, COMEBACK_DAYS, domain.DEFAULT_COMEBACK_DAYS))
        past_orders = list(
            session.scalars(
                select(Order).where(
                    Order.group_id == order.group_id,
                    Order.vin == order.vin,
                    Order.order_id != order.order_id,
                    Order.delivered_at.is_not(None),
                    Order.delivered_at >= opened - timedelta(days=window),
                    Order.delivered_at <= opened,
                )
            )
        )
        if not past_orders:
            return
        past_jobs: dict[str, list[domain.PastJob]] = defaultdict(list)
        for j in session.scalars(
            select(Job).where(Job.order_id.in_([o.order_id for o in past_orders]))
        ):
            past_jobs[j.order_id].append(
                domain.PastJob(
                    j.job_id, j.operation_code, j.done_by or j.technician_id, j.standard_hours
                )
            )
        codes = tuple(
            session.scalars(select(Job.operation_code).where(Job.order_id == order.order_id))
        )
        match = domain.find_comeback(
            domain.NewOrder(
                order.order_id, order.vin, order.order_type, order.complaint, opened, codes
            ),
            [
                domain.PastOrder(
                    o.order_id,
                    o.vin or "",
                    o.order_type,
                    o.complaint or "",
                    as_utc(o.delivered_at),
                    tuple(past_jobs[o.order_id]),
                )
                for o in past_orders
            ],
            window,
        )
        if match is None or (existing is not None and match.matched_by != "operation_code"):
            return
        original = next(o for o in past_orders if o.order_id == match.original_order_id)
        row = existing or Comeback(order_id=order.order_id, detected_at=utcnow())
        row.group_id, row.site_id, row.vin = order.group_id, order.site_id, order.vin
        row.original_order_id, row.original_site_id = original.order_id, original.site_id
        row.original_job_id, row.technician_id = match.original_job_id, match.technician_id
        row.matched_by, row.operation_code = match.matched_by, match.operation_code
        row.similarity, row.days_after_delivery = match.similarity, match.days_after_delivery
        if existing is None:
            session.add(row)
            payload = events.comeback_detected(order, original.order_id, match)
            self._publish("comeback_detected", order, payload)
