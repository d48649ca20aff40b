"""Additional work found on a job: reported to reception, which asks the customer;
nothing is worked before the customer says yes (then it arrives as new jobs)."""

from __future__ import annotations

from typing import Any

from aftersales_contracts.api.workshop import AdditionalWorkIn, AdditionalWorkReportedOut
from aftersales_core.envelope import utcnow
from aftersales_core.ids import new_id
from aftersales_core.service import command
from aftersales_core.validation import load

from . import domain, events
from .clocking import Clocking
from .models import AdditionalWork, Order
from .views import work_view


class AdditionalWorkFound(Clocking):
    @command
    def report_additional_work(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """More work found on a job: reception asks the customer; nothing is done unapproved.

        With `pause`, the job is parked as waiting for the customer's answer.
        """
        tenant = self.caller.tenant
        tenant.require_role(*domain.REPORTER_ROLES)
        fields = load(AdditionalWorkIn(), data)
        job = self._job(job_id, lock=True)
        order = self.db.session.get(Order, job.order_id)
        domain.check_order_open(order.delivered_at is not None, order.cancelled_at is not None)
        work = AdditionalWork(
            work_id=new_id("aw"),
            group_id=job.group_id,
            site_id=job.site_id,
            order_id=job.order_id,
            job_id=job.job_id,
            description=fields["description"],
            found_by=tenant.user_id,
            suggested_operations=[
                {**op, "standard_hours": str(op["standard_hours"])}
                for op in fields["suggested_operations"]
            ],
            suggested_parts=[  # "1", not "1.000": the quantity as the event has always said
                {**p, "quantity": format(p["quantity"].normalize(), "f")}
                for p in fields["suggested_parts"]
            ],
            status="awaiting_approval",
            found_at=utcnow(),
        )
        self.db.session.add(work)
        self._history(job, "additional_work_found", job.status, {"work_id": work.work_id})
        self._publish("additional_work_found", job, events.additional_work_found(work))
        result = work_view(work)
        if fields["pause"] and job.status in (domain.IN_PROGRESS, domain.ASSIGNED):
            self.db.session.flush()
            paused = self._pause(job.job_id, fields["technician_id"], "waiting_for_approval")
            result["job"] = self._job_views([paused])[0]
        return AdditionalWorkReportedOut().dump(result)
