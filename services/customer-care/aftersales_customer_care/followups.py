"""Follow-ups (回访): the call list, one follow-up with its attempts, and recording a call
with its survey; an unhappy customer opens a complaint or escalates their open one.

A mixin of `CustomerCareService`: the RPCs here are the service's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from aftersales_contracts.api.customer_care import (
    CARE_ROLES,
    FollowupAttemptIn,
    FollowupDetailOut,
    FollowupOut,
    FollowupQuery,
)
from aftersales_contracts.api.pages import page_of
from aftersales_core.envelope import utcnow
from aftersales_core.pages import page
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain
from .adapters import (
    apply_attempt,
    attempt_row,
    followup_done_payload,
    followup_view,
    to_domain,
)
from .models import ArchiveCustomer, ComplaintRow, Followup, FollowupAttempt
from .records import CareRecords

UNSATISFIED_WITHOUT_WORDS = "回访时客户表示不满意"


class Followups(CareRecords):
    """Follow-up RPCs (`_open_complaint`, `_record_escalation`: the complaints mixin's)."""

    @query
    def list_followups(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the caller's sites' follow-ups: open ones first, the next to call first."""
        tenant = self.caller.tenant
        wanted = load(FollowupQuery(), filters or {})
        sites = self._sites_of(wanted.get("site_id"))
        stmt = select(Followup).where(Followup.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Followup.site_id.in_(sites))
        for name in ("status", "agent_id", "order_id"):
            if name in wanted:
                stmt = stmt.where(getattr(Followup, name) == wanted[name])
        now = utcnow()
        if wanted.get("overdue") is True:
            stmt = stmt.where(Followup.status == "open", Followup.deadline < now)
        elif wanted.get("overdue") is False:
            stmt = stmt.where(or_(Followup.status != "open", Followup.deadline >= now))
        if "due_before" in wanted:
            stmt = stmt.where(
                Followup.status == "open", Followup.next_attempt_at <= wanted["due_before"]
            )
        session = self.db.session
        result = page(
            session,
            stmt,
            keys=(Followup.closed_rank, Followup.call_at, Followup.followup_id),
            limit=wanted["limit"],
            cursor=wanted["cursor"],
            dump=lambda row: row,
            descending=False,
        )
        rows = result["items"]
        customers = {
            c.customer_id: c
            for c in session.scalars(
                select(ArchiveCustomer).where(
                    ArchiveCustomer.customer_id.in_({r.customer_id for r in rows})
                )
            )
        }
        result["items"] = [followup_view(r, customers.get(r.customer_id), now) for r in rows]
        return page_of(FollowupOut)().dump(result)

    @query
    def get_followup(self, followup_id: str) -> dict[str, Any]:
        """One follow-up with its attempt log."""
        return self._followup_out(self._visible_followup(followup_id))

    @command
    def record_followup_attempt(self, followup_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """One call: not reached (retry later) or reached with the result and survey.

        Unsatisfied (or at risk) opens a complaint, or escalates the customer's
        open complaint; the end of a follow-up is announced as `followup_done`.
        """
        tenant = self.caller.tenant
        tenant.require_role(*CARE_ROLES)
        followup = self._visible_followup(followup_id, for_update=True)
        fields = load(FollowupAttemptIn(), data)
        policy = self._policy(followup.site_id)
        now = utcnow()
        survey = domain.Survey(fields["scores"], fields["would_recommend"])
        result = domain.record_attempt(
            status=followup.status,
            attempts=followup.attempts,
            outcome=fields["outcome"],
            at=now,
            policy=policy,
            satisfaction=fields["satisfaction"],
            at_risk=fields["at_risk"],
            callback_at=fields["callback_at"],
        )
        session = self.db.session
        session.add(attempt_row(followup, result.attempts, fields, now, tenant.user_id))
        self._contact(
            followup.group_id,
            followup.site_id,
            followup.customer_id,
            now,
            tenant.user_id,
            "followup",
            followup.followup_id,
            fields["satisfaction"] or fields["outcome"],
            fields["comment"],
        )
        apply_attempt(followup, result, fields, survey.index, now, tenant.user_id)
        if result.opens_complaint:
            followup.complaint_id = self._complaint_from_followup(
                followup, fields["comment"], result.escalate_at_once, now, tenant.user_id
            )
        session.flush()
        if result.status != "open":
            self._publish(
                "followup_done",
                followup_done_payload(followup, now, tenant.user_id),
                group_id=followup.group_id,
                site_id=followup.site_id,
                correlation_id=followup.order_id,
            )
        return self._followup_out(followup)

    def _followup_out(self, followup: Followup) -> dict[str, Any]:
        attempts = self.db.session.scalars(
            select(FollowupAttempt)
            .where(FollowupAttempt.followup_id == followup.followup_id)
            .order_by(FollowupAttempt.number)
        ).all()
        customer = self.db.session.get(ArchiveCustomer, followup.customer_id)
        view = followup_view(followup, customer, utcnow(), attempts)
        return FollowupDetailOut().dump(view)

    def _complaint_from_followup(
        self, followup: Followup, comment: str | None, at_risk: bool, now: datetime, by: str
    ) -> str:
        """An unhappy follow-up: escalate the customer's open complaint, or open one."""
        session = self.db.session
        existing = session.scalars(
            select(ComplaintRow)
            .where(
                ComplaintRow.group_id == followup.group_id,
                ComplaintRow.site_id == followup.site_id,
                ComplaintRow.customer_id == followup.customer_id,
                ComplaintRow.status != domain.ComplaintState.CLOSED,
            )
            .order_by(ComplaintRow.received_at)
            .limit(1)
            .with_for_update()
        ).first()
        if existing is not None:
            complaint = to_domain(existing)
            reason = "at_risk" if at_risk and not existing.at_risk else "followup_unsatisfied"
            if domain.escalate_complaint(complaint, reason) is not None:
                self._record_escalation(existing, complaint, reason, comment, by, now)
            return existing.complaint_id
        customer = self._archived_customer(followup.customer_id, followup.group_id)
        row = self._open_complaint(
            group_id=followup.group_id,
            site_id=followup.site_id,
            customer_id=followup.customer_id,
            customer_name=customer.name if customer else followup.customer_id,
            phone=customer.phones[0] if customer and customer.phones else None,
            vehicle_id=followup.vehicle_id,
            order_id=followup.order_id,
            followup_id=followup.followup_id,
            channel="followup",
            source="followup",
            description=comment or UNSATISFIED_WITHOUT_WORDS,
            category=None,
            at_risk=at_risk,
            received_at=now,
            by=by,
            now=now,
        )
        return row.complaint_id
