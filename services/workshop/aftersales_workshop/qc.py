"""Quality control: each job's self-check and team-leader check, then the RO's road
test and final inspection (the gate is `domain.check_order_stage`), rework, and the
RO as the workshop sees it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.workshop import (
    JobCheckedOut,
    OrderCheckedOut,
    OrderCheckIn,
    QcCheckIn,
    QcChecklistsOut,
    WorkshopOrderOut,
)
from aftersales_core.envelope import as_utc, utcnow
from aftersales_core.ids import new_id
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, events
from .base import WorkshopBase
from .models import AdditionalWork, Comeback, Job, Order, PartHold, QcCheck, Rework, Technician
from .views import check_view, comeback_view, part_waiting_view, utc, work_view


def checklist(stage: str) -> list[dict[str, str]]:
    return [{"code": code, "label": label} for code, label in domain.CHECKLISTS[stage]]


class QualityControl(WorkshopBase):
    @query
    def checklists(self) -> dict[str, Any]:
        """The item codes and labels of every QC stage's checklist."""
        return QcChecklistsOut().dump({stage: checklist(stage) for stage in domain.QC_STAGES})

    # ---------------------------------------------------------------- a job's checks
    @command
    def self_check(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The technician's own check of finished work; a failure is back to work, not rework."""
        self.caller.tenant.require_role(*domain.SELF_CHECK_ROLES)
        return self._job_check(job_id, domain.SELF_CHECK, load(QcCheckIn(), data))

    @command
    def team_leader_check(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The team leader's check: passed, the job is done; failed, it is rework."""
        return self._job_check(job_id, domain.TEAM_LEADER_CHECK, load(QcCheckIn(), data))

    def _job_check(self, job_id: str, stage: str, fields: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        job = self._job(job_id, lock=True)
        checker = self.db.session.get(Technician, tenant.user_id)
        before = self._state(job)
        domain.check_job_checker(
            stage, tenant.user_id, tenant.roles, before, checker.team_id if checker else None
        )
        result = domain.evaluate_checklist(stage, fields["items"], fields["remarks"])
        after = domain.after_job_check(before, stage, result.passed)
        check = self._record_check(
            job.order_id, job, stage, result, [job.job_id], job.technician_id
        )
        self._apply(job, after)
        self._history(
            job,
            f"{stage}_{'passed' if result.passed else 'failed'}",
            before.status,
            {"check_id": check.check_id, "reasons": result.reasons},
        )
        if after.status == domain.DONE:
            self._job_done(job)
        elif stage == domain.TEAM_LEADER_CHECK:
            self._rework([job], check, result.reasons, job.technician_id)
        return JobCheckedOut().dump({**self._job_views([job])[0], "check": check_view(check)})

    def _job_done(self, job: Job) -> None:
        now = utcnow()
        job.done_at = now
        job.done_by = job.technician_id
        if job.first_done_at is None:
            job.first_done_at = now
        clocked = self._clocked([job.job_id])[job.job_id]
        self._publish("job_done", job, events.job_done(job, clocked, now))

    # ---------------------------------------------------------------- the RO's checks
    @command
    def road_test(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The road test of an RO whose work is done (brakes, steering, noises)."""
        self.caller.tenant.require_role(*domain.ROAD_TEST_ROLES)
        return self._order_check(order_id, domain.ROAD_TEST, load(OrderCheckIn(), data))

    @command
    def final_inspection(self, order_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The inspector's final check of an RO: passed, the car may be delivered
        (`qc_passed`); failed, the jobs at fault go back as rework (`qc_failed`)."""
        self.caller.tenant.require_role(*domain.INSPECTOR_ROLES)
        return self._order_check(order_id, domain.FINAL_INSPECTION, load(OrderCheckIn(), data))

    def _order_check(self, order_id: str, stage: str, fields: dict[str, Any]) -> dict[str, Any]:
        tenant = self.caller.tenant
        order = self._order(order_id, lock=True)
        jobs = list(
            self.db.session.scalars(
                select(Job)
                .where(Job.order_id == order_id, Job.status != domain.CANCELLED)
                .order_by(Job.job_id)
            )
        )
        road_test_done = self._road_test_passed(order, jobs)
        domain.check_order_stage(
            stage,
            order.cancelled_at is not None,
            {j.job_id: j.status for j in jobs},
            order.qc_status,
            any(domain.needs_road_test(j.operation_code) for j in jobs),
            road_test_done,
        )
        result = domain.evaluate_checklist(stage, fields["items"], fields["remarks"])
        by_id = {j.job_id: j for j in jobs}
        if result.passed:
            check = self._record_check(order_id, None, stage, result, list(by_id), None, order)
            if stage == domain.FINAL_INSPECTION:
                order.qc_status, order.qc_passed_at = "passed", check.checked_at
                payload = events.qc_passed(order_id, tenant.user_id, list(by_id), road_test_done)
                self._publish("qc_passed", order, payload)
            return self._order_checked(order, check)
        failed = [
            by_id[j]
            for j in domain.failed_job_ids(
                stage, fields["job_ids"], {j.job_id: j.operation_code for j in jobs}
            )
        ]
        responsible = fields["responsible_technician_id"] or domain.responsible_technician(
            j.technician_id for j in failed
        )
        if responsible is not None:
            self._site_technician(order, responsible, "responsible_technician_id")
        check = self._record_check(
            order_id, None, stage, result, [j.job_id for j in failed], responsible, order
        )
        order.qc_status = "failed"
        for job in failed:
            before = self._state(job)
            self._apply(job, domain.send_back(before))
            self._history(
                job,
                f"{stage}_failed",
                before.status,
                {"check_id": check.check_id, "reasons": result.reasons},
            )
        self._rework(failed, check, result.reasons, responsible)
        return self._order_checked(order, check)

    def _order_checked(self, order: Order, check: QcCheck) -> dict[str, Any]:
        return OrderCheckedOut().dump({**self._order_view(order), "check": check_view(check)})

    def _rework(
        self, jobs: list[Job], check: QcCheck, reasons: list[str], responsible: str | None
    ) -> None:
        """Jobs back to their technician with the reason; charged; reception told."""
        for job in jobs:
            job.rework_count += 1
            job.rework_reason = "；".join(reasons)
            self.db.session.add(
                Rework(
                    group_id=job.group_id,
                    site_id=job.site_id,
                    job_id=job.job_id,
                    order_id=job.order_id,
                    check_id=check.check_id,
                    stage=check.stage,
                    technician_id=responsible,
                    reasons=reasons,
                    at=check.checked_at,
                )
            )
        payload = events.qc_failed(jobs, check.checked_by, reasons, responsible)
        self._publish("qc_failed", jobs[0], payload)

    def _record_check(
        self,
        order_id: str,
        job: Job | None,
        stage: str,
        result: domain.CheckResult,
        job_ids: list[str],
        responsible: str | None,
        order: Order | None = None,
    ) -> QcCheck:
        where = job if job is not None else order
        assert where is not None
        check = QcCheck(
            check_id=new_id("qc"),
            group_id=where.group_id,
            site_id=where.site_id,
            order_id=order_id,
            job_id=job.job_id if job is not None else None,
            stage=stage,
            checked_by=self.caller.tenant.user_id,
            passed=result.passed,
            items=result.items,
            reasons=result.reasons,
            job_ids=job_ids,
            responsible_technician_id=None if result.passed else responsible,
            checked_at=utcnow(),
        )
        self.db.session.add(check)
        self.db.session.flush()
        return check

    def _road_test_passed(self, order: Order, jobs: list[Job]) -> bool:
        latest = self.db.session.scalars(
            select(QcCheck)
            .where(QcCheck.order_id == order.order_id, QcCheck.stage == domain.ROAD_TEST)
            .order_by(QcCheck.checked_at.desc())
        ).first()
        return domain.road_test_passed(
            max((as_utc(j.done_at) for j in jobs if j.done_at), default=None),
            as_utc(latest.checked_at) if latest else None,
            bool(latest and latest.passed),
        )

    # ---------------------------------------------------------------- the RO
    @query
    def get_order(self, order_id: str) -> dict[str, Any]:
        """An RO as the workshop sees it: jobs, QC, additional work, parts waited for."""
        return WorkshopOrderOut().dump(self._order_view(self._order(order_id)))

    def _order_view(self, order: Order) -> dict[str, Any]:
        session = self.db.session
        jobs = list(
            session.scalars(
                select(Job).where(Job.order_id == order.order_id).order_by(Job.created_at)
            )
        )
        needs_road_test = any(domain.needs_road_test(j.operation_code) for j in jobs)
        stages = (
            (domain.ROAD_TEST, domain.FINAL_INSPECTION)
            if needs_road_test
            else (domain.FINAL_INSPECTION,)
        )
        comeback = session.get(Comeback, order.order_id)
        holds = session.scalars(select(PartHold).where(PartHold.order_id == order.order_id))
        works = session.scalars(
            select(AdditionalWork)
            .where(AdditionalWork.order_id == order.order_id)
            .order_by(AdditionalWork.found_at)
        )
        checks = session.scalars(
            select(QcCheck).where(QcCheck.order_id == order.order_id).order_by(QcCheck.checked_at)
        )
        return {
            "order_id": order.order_id,
            "order_number": order.order_number,
            "site_id": order.site_id,
            "vin": order.vin,
            "plate": order.plate,
            "complaint": order.complaint,
            "promised_at": utc(order.promised_at),
            "delivered_at": utc(order.delivered_at),
            "cancelled_at": utc(order.cancelled_at),
            "qc_status": order.qc_status,
            "needs_road_test": needs_road_test,
            "jobs": self._job_views(jobs),
            "checks": [check_view(c) for c in checks],
            "checklists": {stage: checklist(stage) for stage in stages},
            "additional_work": [work_view(w) for w in works],
            "parts_waiting": [part_waiting_view(h) for h in holds if h.arrived_at is None],
            "comeback": comeback_view(comeback) if comeback else None,
        }
