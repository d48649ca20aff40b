"""Insurance claims (理赔): accident intake, damage assessment with the insurer's approved
amounts, the documents checklist, submission, payment, and the monthly insurer share.

A mixin of `ClaimsService`: the RPCs here are the service's, on its database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from aftersales_core.envelope import Envelope, to_primitives, utcnow
from aftersales_core.errors import NotFound, ValidationFailed
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import adapters
from .adapters import apply_changes, new_id
from .domain import (
    INSURANCE_DOCUMENTS,
    InsuredRepair,
    apply_approval,
    assessment_totals,
    insurer_share,
    local_date,
    missing_documents,
    money,
    month_bounds,
    next_insurance_status,
)
from .models import InsuranceClaim, InsuranceClaimHistory, RepairOrderRow
from .schemas import (
    ClaimReasonIn,
    DamageAssessmentIn,
    InsuranceClaimIn,
    InsuranceClaimOut,
    InsuranceClaimQuery,
    InsuranceClaimUpdate,
    InsuranceDocumentIn,
    InsurancePaymentIn,
    InsurerApprovalIn,
    InsurerShareQuery,
)

# Who may work insurance claims.
INSURANCE_WRITERS = (
    "accident_supervisor",
    "accident_reception",
    "claims_clerk",
    "service_manager",
    "service_director",
)
_INSURANCE_FIELDS = (
    "plate",
    "order_id",
    "insurer",
    "policy_number",
    "report_number",
    "accident_date",
    "accident_description",
    "rescue",
)


class InsuranceClaims:
    """The insurance half of the claims service."""

    db: Any  # the service's Database and Caller dependencies
    caller: Any

    # ================================================================ insurance claims

    @command
    def open_insurance_claim(self, data: dict[str, Any]) -> dict[str, Any]:
        """Accident intake: insurer, policy and report numbers, what happened."""
        tenant = self.caller.tenant
        fields = load(InsuranceClaimIn(), data)
        tenant.require_site(fields["site_id"])
        tenant.require_role(*INSURANCE_WRITERS)
        claim = self._new_insurance_claim(
            tenant.group_id, fields["site_id"], fields["vin"], tenant.user_id, fields
        )
        return self._dump_insurance(claim)

    @command
    def update_insurance_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        claim = self._writable_insurance_claim(claim_id)
        fields = load(InsuranceClaimUpdate(), data)
        next_insurance_status(claim.status, "edit")
        changed = apply_changes(claim, fields)
        if changed:
            claim.updated_at = utcnow()
            self._log_insurance(claim, "edited", changed)
        return self._dump_insurance(claim)

    @command
    def assess_damage(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The damage assessment (定损): items with the dealer's estimate."""
        claim = self._writable_insurance_claim(claim_id)
        fields = load(DamageAssessmentIn(), data)
        claim.status = next_insurance_status(claim.status, "assess")
        items = [
            {**item, "item_no": n, "approved_amount": None}
            for n, item in enumerate(fields["items"], 1)
        ]
        claim.items = adapters.stored_items(adapters.assessment_items(to_primitives(items)))
        claim.estimated_amount, claim.approved_amount = assessment_totals(
            adapters.assessment_items(claim.items)
        )
        if fields["assessor"]:
            claim.assessor = fields["assessor"]
        claim.updated_at = utcnow()
        self._log_insurance(
            claim, "assessed", {"items": len(items), "estimated_amount": claim.estimated_amount}
        )
        return self._dump_insurance(claim)

    @command
    def record_insurer_approval(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The insurer's approved amount for every assessment item."""
        claim = self._writable_insurance_claim(claim_id)
        fields = load(InsurerApprovalIn(), data)
        claim.status = next_insurance_status(claim.status, "approve")
        approved = apply_approval(
            adapters.assessment_items(claim.items),
            {i["item_no"]: i["approved_amount"] for i in fields["items"]},
        )
        claim.items = adapters.stored_items(approved)
        claim.estimated_amount, claim.approved_amount = assessment_totals(approved)
        claim.updated_at = utcnow()
        self._log_insurance(claim, "insurer_approved", {"approved_amount": claim.approved_amount})
        return self._dump_insurance(claim)

    @command
    def record_insurance_document(
        self, claim_id: str, code: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Tick (or untick) one document of the checklist."""
        claim = self._writable_insurance_claim(claim_id)
        if code not in INSURANCE_DOCUMENTS:
            raise ValidationFailed.on(
                "code", f"documents are: {', '.join(INSURANCE_DOCUMENTS)}", "UNKNOWN_DOCUMENT"
            )
        fields = load(InsuranceDocumentIn(), data)
        if claim.status in ("paid", "closed"):
            next_insurance_status(claim.status, "edit")
        documents = dict(claim.documents or {})
        if documents.get(code, False) != fields["received"]:
            documents[code] = fields["received"]
            claim.documents = documents
            claim.updated_at = utcnow()
            self._log_insurance(claim, "document", {code: fields["received"]})
        return self._dump_insurance(claim)

    @command
    def submit_insurance_claim(self, claim_id: str) -> dict[str, Any]:
        """Send the claim to the insurer for payment: approved, and every document in."""
        claim = self._writable_insurance_claim(claim_id)
        status = next_insurance_status(claim.status, "submit")
        missing = missing_documents(claim.documents or {})
        if missing:
            raise ValidationFailed(
                f"{len(missing)} document(s) missing", "DOCUMENTS_MISSING", {"documents": missing}
            )
        claim.status = status
        claim.submitted_at = claim.updated_at = utcnow()
        self._log_insurance(claim, "submitted", {})
        return self._dump_insurance(claim)

    @command
    def record_insurance_payment(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The insurer paid: the claim is settled."""
        claim = self._writable_insurance_claim(claim_id)
        fields = load(InsurancePaymentIn(), data)
        claim.status = next_insurance_status(claim.status, "pay")
        claim.paid_amount = money(fields["amount"])
        claim.paid_on = fields["paid_on"]
        claim.payment_reference = fields["reference"]
        claim.updated_at = utcnow()
        self._log_insurance(
            claim,
            "paid",
            {
                "amount": claim.paid_amount,
                "paid_on": claim.paid_on,
                "reference": fields["reference"],
            },
        )
        self.db.publish(
            "insurance_claim_settled",
            {
                "insurance_claim_id": claim.insurance_claim_id,
                "claim_number": claim.claim_number,
                "order_id": claim.order_id,
                "vin": claim.vin,
                "insurer": claim.insurer or "",
                "approved_amount": claim.approved_amount,
                "paid_amount": claim.paid_amount,
                "paid_on": claim.paid_on,
                "payment_reference": claim.payment_reference,
            },
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.insurance_claim_id,
        )
        return self._dump_insurance(claim)

    @command
    def close_insurance_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Close an intake that will not be claimed (the customer pays, the insurer declines)."""
        claim = self._writable_insurance_claim(claim_id)
        fields = load(ClaimReasonIn(), data)
        claim.status = next_insurance_status(claim.status, "close")
        claim.updated_at = utcnow()
        self._log_insurance(claim, "closed", {"reason": fields["reason"]})
        return self._dump_insurance(claim)

    @query
    def get_insurance_claim(self, claim_id: str) -> dict[str, Any]:
        return self._dump_insurance(self._insurance_claim(claim_id))

    @query
    def list_insurance_claims(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        fields = load(InsuranceClaimQuery(), params or {})
        sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
        stmt = select(InsuranceClaim).where(InsuranceClaim.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(InsuranceClaim.site_id.in_(sites))
        for name in ("status", "insurer", "order_id"):
            if fields.get(name):
                stmt = stmt.where(getattr(InsuranceClaim, name) == fields[name])
        rows = self.db.session.scalars(
            stmt.order_by(
                InsuranceClaim.created_at.desc(), InsuranceClaim.insurance_claim_id
            ).limit(fields["limit"])
        ).all()
        return [self._dump_insurance(row) for row in rows]

    @query
    def insurer_share(self, params: dict[str, Any]) -> dict[str, Any]:
        """The month's accident repairs per insurer and site (reported by the 5th)."""
        tenant = self.caller.tenant
        fields = load(InsurerShareQuery(), params)
        start, end = month_bounds(fields["month"])
        sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
        stmt = select(InsuranceClaim).where(
            InsuranceClaim.group_id == tenant.group_id,
            InsuranceClaim.repaired_on >= start,
            InsuranceClaim.repaired_on < end,
            InsuranceClaim.status != "closed",
        )
        if sites is not None:
            stmt = stmt.where(InsuranceClaim.site_id.in_(sites))
        rows = [
            InsuredRepair(c.site_id, c.insurer or "unknown", Decimal(c.repair_amount or 0))
            for c in self.db.session.scalars(stmt)
        ]
        return {"month": fields["month"], **insurer_share(rows)}

    # ================================================================ helpers: insurance

    def _insurance_claim(self, claim_id: str, *, for_update: bool = False) -> InsuranceClaim:
        tenant = self.caller.tenant
        claim = self.db.session.get(InsuranceClaim, claim_id, with_for_update=for_update)
        if (
            claim is None
            or claim.group_id != tenant.group_id
            or not tenant.can_see_site(claim.site_id)
        ):
            raise NotFound(f"insurance claim {claim_id} not found", "INSURANCE_CLAIM_NOT_FOUND")
        return claim

    def _writable_insurance_claim(self, claim_id: str) -> InsuranceClaim:
        claim = self._insurance_claim(claim_id, for_update=True)
        self.caller.tenant.require_role(*INSURANCE_WRITERS)
        return claim

    def _dump_insurance(self, claim: InsuranceClaim) -> dict[str, Any]:
        documents = {code: bool((claim.documents or {}).get(code)) for code in INSURANCE_DOCUMENTS}
        data = InsuranceClaimOut().dump(claim)
        data["documents"] = documents
        data["missing_documents"] = missing_documents(documents)
        return data

    def _log_insurance(
        self, claim: InsuranceClaim, action: str, changes: dict[str, Any], by: str | None = None
    ) -> None:
        claim.history.append(
            InsuranceClaimHistory(
                at=utcnow(),
                by=by or self.caller.user_id or "system",
                action=action,
                status=claim.status,
                changes=to_primitives(changes),
            )
        )

    def _new_insurance_claim(
        self, group_id: str, site_id: str, vin: str, user_id: str, fields: dict[str, Any]
    ) -> InsuranceClaim:
        now = utcnow()
        day = local_date(now)
        number = adapters.next_number(self.db.session, site_id, "IC", day)
        claim = InsuranceClaim(
            insurance_claim_id=new_id("ic"),
            group_id=group_id,
            site_id=site_id,
            claim_number=f"IC-{day:%Y%m%d}-{number:04d}",
            status="intake",
            vin=vin,
            items=[],
            documents={},
            rescue=bool(fields.get("rescue", False)),
            order_number=fields.get("order_number") or self._order_number(fields.get("order_id")),
            created_at=now,
            created_by=user_id,
            updated_at=now,
            **{k: fields.get(k) for k in _INSURANCE_FIELDS if k != "rescue"},
        )
        self.db.session.add(claim)
        self._log_insurance(claim, "opened", {k: fields.get(k) for k in _INSURANCE_FIELDS})
        self.db.publish(
            "insurance_claim_opened",
            {
                "insurance_claim_id": claim.insurance_claim_id,
                "claim_number": claim.claim_number,
                "order_id": claim.order_id,
                "vin": claim.vin,
                "plate": claim.plate,
                "insurer": claim.insurer,
                "policy_number": claim.policy_number,
                "report_number": claim.report_number,
                "accident_date": claim.accident_date,
                "opened_by": user_id,
            },
            group_id=group_id,
            site_id=site_id,
            correlation_id=claim.insurance_claim_id,
        )
        return claim

    def _insurance_claim_for_order(self, event: Envelope, order: RepairOrderRow) -> InsuranceClaim:
        """The RO's insurance claim: already linked, else the open intake of the same car,
        else a new intake (the accident reception fills in the insurer later)."""
        session = self.db.session
        linked = session.scalars(
            select(InsuranceClaim).where(InsuranceClaim.order_id == order.order_id)
        ).first()
        if linked is not None:
            return linked
        intake = session.scalars(
            select(InsuranceClaim)
            .where(
                InsuranceClaim.group_id == order.group_id,
                InsuranceClaim.site_id == order.site_id,
                InsuranceClaim.vin == order.vin,
                InsuranceClaim.order_id.is_(None),
                InsuranceClaim.status.in_(("intake", "assessed", "approved", "submitted")),
            )
            .order_by(InsuranceClaim.created_at.desc())
            .with_for_update()
        ).first()
        if intake is not None:
            intake.order_id, intake.order_number = order.order_id, order.order_number
            intake.updated_at = utcnow()
            self._log_insurance(intake, "order_linked", {"order_id": order.order_id}, by="system")
            return intake
        return self._new_insurance_claim(
            order.group_id,
            order.site_id,
            order.vin,
            "system",
            {"order_id": order.order_id, "order_number": order.order_number},
        )

    def _order_number(self, order_id: str | None) -> str | None:
        order = self.db.session.get(RepairOrderRow, order_id) if order_id else None
        return order.order_number if order else None
