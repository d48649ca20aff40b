"""Complaints (投诉): registration, the closed loop step by step with its history, the
escalations, and the sweep of missed deadlines.

A complaint is a document people edit: every step takes the `If-Match` of the view
its GET returned (an older one is refused with 412 and nothing changes).
A mixin of `CustomerCareService`: the RPCs here are the service's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from aftersales_contracts.api.customer_care import (
    COMPLAINT_HANDLER_ROLES,
    COMPLAINT_STEP_SCHEMAS,
    ComplaintDetailOut,
    ComplaintIn,
    ComplaintOut,
    ComplaintQuery,
)
from aftersales_contracts.api.pages import page_of
from aftersales_core.envelope import to_primitives, utcnow
from aftersales_core.errors import NotFound
from aftersales_core.etag import require_match
from aftersales_core.pages import page
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain
from .adapters import (
    complaint_closed_payload,
    complaint_detail_view,
    complaint_escalated_payload,
    complaint_raised_payload,
    complaint_view,
    from_domain,
    maybe_utc,
    new_id,
    to_domain,
)
from .domain import Complaint, ComplaintState
from .models import ComplaintEscalation, ComplaintHistory, ComplaintRow, Followup
from .records import CareRecords

# Steps after which the customer was spoken to: they go into the contact history.
_CONTACT_STEPS = frozenset({"judge", "carry_out", "follow_up", "close"})
# The sweep takes at most this many late complaints at once (the next run takes more).
SWEEP_BATCH = 500


class Complaints(CareRecords):
    # ================================================================ registration and reading

    @command
    def register_complaint(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a complaint (投诉登记表) from staff or from another service."""
        tenant = self.caller.tenant
        fields = load(ComplaintIn(), data)
        as_service = tenant.has_role("system")  # another service acting for itself: its group
        if not as_service:
            tenant.require_site(fields["site_id"])
        now = utcnow()
        received_at = domain.received_at(fields["received_at"], now)
        archived = None
        if fields["customer_id"]:
            customer = self._archived_customer(fields["customer_id"], tenant.group_id)
            if customer is not None:
                if not (as_service or tenant.can_see_site(customer.site_id)):
                    raise NotFound(
                        f"customer {fields['customer_id']} not found", "CUSTOMER_NOT_FOUND"
                    )
                archived = (customer.name, customer.phones or [])
        who = domain.complainant(
            customer_id=fields["customer_id"],
            name=fields["customer_name"],
            phone=fields["phone"],
            archived=archived,
        )
        row = self._open_complaint(
            group_id=tenant.group_id,
            site_id=fields["site_id"],
            customer_id=fields["customer_id"],
            customer_name=who.name,
            phone=who.phone,
            vehicle_id=fields["vehicle_id"],
            order_id=fields["order_id"],
            followup_id=None,
            channel=fields["channel"],
            source="service" if as_service else "staff",
            description=fields["description"],
            category=fields["category"],
            at_risk=fields["at_risk"],
            received_at=received_at,
            by=tenant.user_id,
            now=now,
        )
        return self._complaint_out(row)

    @query
    def get_complaint(self, complaint_id: str) -> dict[str, Any]:
        """One complaint with its history and escalations (the document its ETag names)."""
        return self._complaint_out(self._visible_complaint(complaint_id))

    @query
    def list_complaints(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of the caller's sites' complaints, the newest first."""
        tenant = self.caller.tenant
        wanted = load(ComplaintQuery(), filters or {})
        sites = self._sites_of(wanted.get("site_id"))
        stmt = select(ComplaintRow).where(ComplaintRow.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(ComplaintRow.site_id.in_(sites))
        for name in ("status", "customer_id", "classification", "at_risk"):
            if name in wanted:
                stmt = stmt.where(getattr(ComplaintRow, name) == wanted[name])
        if wanted.get("open") is True:
            stmt = stmt.where(ComplaintRow.status != ComplaintState.CLOSED)
        elif wanted.get("open") is False:
            stmt = stmt.where(ComplaintRow.status == ComplaintState.CLOSED)
        now = utcnow()
        result = page(
            self.db.session,
            stmt,
            keys=(ComplaintRow.received_at, ComplaintRow.complaint_id),
            limit=wanted["limit"],
            cursor=wanted["cursor"],
            dump=lambda row: complaint_view(row, now),
        )
        return page_of(ComplaintOut)().dump(result)

    # ================================================================ the closed loop

    @command
    def judge_complaint(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Valid (to be investigated) or not (answered politely and closed)."""
        return self._step(complaint_id, "judge", data)

    @command
    def investigate_complaint(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The responsible department and person, and what was found."""
        return self._step(complaint_id, "investigate", data)

    @command
    def propose_solutions(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Solutions for a manager to choose from."""
        return self._step(complaint_id, "propose", data)

    @command
    def approve_solution(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A manager approves one proposed solution."""
        return self._step(complaint_id, "approve", data)

    @command
    def carry_out_solution(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The approved solution carried out: the customer accepts (signs) or refuses."""
        return self._step(complaint_id, "carry_out", data)

    @command
    def follow_up_complaint(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer followed up after the solution (unsatisfied: round again)."""
        return self._step(complaint_id, "follow_up", data)

    @command
    def close_complaint(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Closed with a summary and a classification (顾客投诉分类统计表)."""
        return self._step(complaint_id, "close", data)

    @command
    def escalate_complaint(self, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Up a level now, by any staff of the site (e.g. the OEM hotline is threatened)."""
        return self._step(complaint_id, "escalate", data)

    @command
    def complaint_action(
        self, complaint_id: str, action: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Any step by name (scripts and tests): `judge` … `close`, or `escalate`."""
        domain.check_action(action)
        return self._step(complaint_id, action, data)

    def _step(self, complaint_id: str, action: str, data: dict[str, Any]) -> dict[str, Any]:
        """One step of the loop on the current version of the complaint; every step is
        kept in its history."""
        tenant = self.caller.tenant
        if tenant.is_oem:
            raise NotFound(f"complaint {complaint_id} not found", "COMPLAINT_NOT_FOUND")
        if action != "escalate":
            tenant.require_role(*COMPLAINT_HANDLER_ROLES)
        row = self._visible_complaint(complaint_id, for_update=True)
        require_match(self.caller.context, self._complaint_out(row))
        fields = load(COMPLAINT_STEP_SCHEMAS[action](), data)
        now = utcnow()
        complaint = to_domain(row)
        if action == "escalate":
            domain.escalate_by_hand(complaint, fields["reason"])
            self._record_escalation(
                row, complaint, fields["reason"], fields["note"], tenant.user_id, now
            )
            return self._complaint_out(row)
        transition = domain.apply_complaint_action(
            complaint, action, fields, by=tenant.user_id, roles=tenant.roles, at=now
        )
        from_domain(row, complaint, now)
        self._history(
            row,
            now,
            tenant.user_id,
            action,
            transition.from_status,
            transition.to_status,
            transition.details,
        )
        if action in _CONTACT_STEPS:
            self._contact(
                row.group_id,
                row.site_id,
                row.customer_id,
                now,
                tenant.user_id,
                "complaint",
                row.complaint_id,
                action,
                fields.get("note") or fields.get("summary"),
            )
        if transition.closes:
            self._publish(
                "complaint_closed",
                complaint_closed_payload(row, tenant.user_id, now),
                group_id=row.group_id,
                site_id=row.site_id,
                correlation_id=row.complaint_id,
            )
        return self._complaint_out(row)

    # ================================================================ records

    def _open_complaint(
        self,
        *,
        group_id: str,
        site_id: str,
        customer_id: str | None,
        customer_name: str,
        phone: str | None,
        vehicle_id: str | None,
        order_id: str | None,
        followup_id: str | None,
        channel: str,
        source: str,
        description: str,
        category: str | None,
        at_risk: bool,
        received_at: datetime,
        by: str,
        now: datetime,
    ) -> ComplaintRow:
        """Register a complaint, announce it, and escalate it at once when at risk."""
        acknowledge_by, resolve_by = domain.complaint_deadlines(received_at, self._policy(site_id))
        row = ComplaintRow(
            complaint_id=new_id("cmp"),
            group_id=group_id,
            site_id=site_id,
            customer_id=customer_id,
            customer_name=customer_name,
            phone=phone,
            vehicle_id=vehicle_id,
            order_id=order_id,
            followup_id=followup_id,
            channel=channel,
            source=source,
            description=description,
            category=category,
            at_risk=False,  # set by the escalation below, so that it is recorded once
            received_at=received_at,
            registered_at=now,
            registered_by=by,
            acknowledge_by=acknowledge_by,
            resolve_by=resolve_by,
            status=ComplaintState.REGISTERED,
            department=domain.suggested_department(category),
            solutions=[],
            escalation_level=0,
            escalation_reasons=[],
            acknowledge_escalated=False,
            resolution_escalated=False,
            updated_at=now,
        )
        session = self.db.session
        session.add(row)
        session.flush()  # its history rows refer to it
        details = {
            "channel": channel,
            "source": source,
            "description": description,
            "category": category,
            "at_risk": at_risk,
        }
        self._history(row, now, by, "register", None, row.status, details)
        self._contact(
            group_id, site_id, customer_id, now, by, "complaint", row.complaint_id, "registered",
            description,
        )  # fmt: skip
        session.flush()
        self._publish(
            "complaint_raised",
            complaint_raised_payload(row, at_risk),
            group_id=group_id,
            site_id=site_id,
            correlation_id=row.complaint_id,
        )
        if at_risk:
            complaint = to_domain(row)
            domain.escalate_complaint(complaint, "at_risk")
            self._record_escalation(row, complaint, "at_risk", description, by, now)
        return row

    def _record_escalation(
        self,
        row: ComplaintRow,
        complaint: Complaint,
        reason: str,
        note: str | None,
        by: str,
        now: datetime,
    ) -> None:
        """Write what escalate_complaint() decided: row, level, history, event."""
        level = complaint.escalation_level
        target = domain.escalation_target(level)
        row.escalation_level = level
        row.escalation_reasons = list(complaint.escalation_reasons)
        row.at_risk = complaint.at_risk
        row.acknowledge_escalated = "acknowledge_overdue" in complaint.escalation_reasons
        row.resolution_escalated = "resolution_overdue" in complaint.escalation_reasons
        row.updated_at = now
        self.db.session.add(
            ComplaintEscalation(
                complaint_id=row.complaint_id,
                level=level,
                reason=reason,
                escalated_to=target,
                note=note,
                at=now,
                by=by,
            )
        )
        details = {"level": level, "reason": reason, "escalated_to": target, "note": note}
        self._history(row, now, by, "escalate", row.status, row.status, details)
        self._publish(
            "complaint_escalated",
            complaint_escalated_payload(row, reason, target, note, by, now),
            group_id=row.group_id,
            site_id=row.site_id,
            correlation_id=row.complaint_id,
        )

    def _history(
        self,
        row: ComplaintRow,
        at: datetime,
        by: str,
        action: str,
        from_status: str | None,
        to_status: str,
        details: dict[str, Any],
    ) -> None:
        self.db.session.add(
            ComplaintHistory(
                complaint_id=row.complaint_id,
                at=at,
                by=by,
                action=action,
                from_status=from_status,
                to_status=to_status,
                details=to_primitives(details),
            )
        )

    def _complaint_out(self, row: ComplaintRow) -> dict[str, Any]:
        """The complaint document as its GET answers it (and its ETag is computed from)."""
        session = self.db.session
        session.flush()
        history = session.scalars(
            select(ComplaintHistory)
            .where(ComplaintHistory.complaint_id == row.complaint_id)
            .order_by(ComplaintHistory.id)
        ).all()
        escalations = session.scalars(
            select(ComplaintEscalation)
            .where(ComplaintEscalation.complaint_id == row.complaint_id)
            .order_by(ComplaintEscalation.level)
        ).all()
        return ComplaintDetailOut().dump(complaint_detail_view(row, history, escalations, utcnow()))

    # ================================================================ the sweep

    def _sweep(self, now: datetime) -> dict[str, int]:
        """Flag overdue follow-ups; escalate complaints past their deadlines, once each."""
        session = self.db.session
        flagged = session.execute(
            update(Followup)
            .where(
                Followup.status == "open", Followup.deadline < now, Followup.overdue_at.is_(None)
            )
            .values(overdue_at=now)
        ).rowcount
        late = session.scalars(
            select(ComplaintRow)
            .where(
                ComplaintRow.status != ComplaintState.CLOSED,
                or_(
                    (ComplaintRow.resolve_by < now) & ComplaintRow.resolution_escalated.is_(False),
                    ComplaintRow.acknowledged_at.is_(None)
                    & (ComplaintRow.acknowledge_by < now)
                    & ComplaintRow.acknowledge_escalated.is_(False),
                ),
            )
            .order_by(ComplaintRow.received_at)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        escalated = 0
        for row in late:
            complaint = to_domain(row)
            for reason in domain.overdue_reasons(
                status=row.status,
                acknowledged_at=maybe_utc(row.acknowledged_at),
                acknowledge_by=maybe_utc(row.acknowledge_by),
                resolve_by=maybe_utc(row.resolve_by),
                now=now,
            ):
                if domain.escalate_complaint(complaint, reason) is not None:
                    self._record_escalation(row, complaint, reason, None, "system", now)
                    escalated += 1
        return {"followups_flagged_overdue": flagged or 0, "complaints_escalated": escalated}
