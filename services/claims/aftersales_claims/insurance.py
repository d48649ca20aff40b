"""Insurance claims (理赔) as the accident desk works them: intake, the damage
assessment with the insurer's approved amounts, the documents checklist, submission,
payment, closing; read one, list them; the claim of an accident RO. A claim people
edit carries an ETag: every write checks the caller's `If-Match` first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.claims import (
    INSURANCE_WRITERS,
    ClaimReasonIn,
    DamageAssessmentIn,
    InsuranceClaimIn,
    InsuranceClaimOut,
    InsuranceClaimQuery,
    InsuranceClaimUpdate,
    InsuranceDocumentIn,
    InsurancePaymentIn,
    InsurerApprovalIn,
)
from aftersales_core.envelope import to_primitives, utcnow
from aftersales_core.errors import NotFound
from aftersales_core.etag import require_match
from aftersales_core.validation import load

from . import adapters, messages
from .adapters import apply_changes, new_id
from .cases import Cases
from .domain import (
    OPEN_STATUSES,
    apply_approval,
    assessment_totals,
    check_document,
    check_order_link,
    claim_number,
    documents_may_change,
    documents_view,
    local_date,
    missing_documents,
    money,
    next_insurance_status,
    require_documents,
)
from .models import InsuranceClaim, RepairOrderRow

# The intake's fields, as the accident desk fills them in.
INTAKE_FIELDS = (
    "plate",
    "order_id",
    "insurer",
    "policy_number",
    "report_number",
    "accident_date",
    "accident_description",
    "rescue",
)


class InsuranceClaims(Cases):
    """The dealer's insurance claims."""

    # ---------------------------------------------------------------- reads

    def get(self, claim_id: str) -> dict[str, Any]:
        return self.view(self.visible(claim_id))

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of the insurance claims of the caller's sites, newest first."""
        tenant = self.tenant
        fields = load(InsuranceClaimQuery(), params)
        sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
        stmt = select(InsuranceClaim).where(InsuranceClaim.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(InsuranceClaim.site_id.in_(sites))
        return adapters.filtered_page(
            self.session,
            stmt,
            InsuranceClaim,
            InsuranceClaim.insurance_claim_id,
            fields,
            ("status", "insurer", "order_id"),
            self.view,
        )

    # ---------------------------------------------------------------- writes

    def open(self, data: dict[str, Any]) -> dict[str, Any]:
        """Accident intake: insurer, policy and report numbers, what happened."""
        tenant = self.tenant
        fields = load(InsuranceClaimIn(), data)
        tenant.require_site(fields["site_id"])
        tenant.require_role(*INSURANCE_WRITERS)
        if fields.get("order_id"):
            order = self.session.get(RepairOrderRow, fields["order_id"])
            check_order_link(order, fields["order_id"], tenant.group_id, fields["site_id"])
        claim = self.new_claim(
            tenant.group_id, fields["site_id"], fields["vin"], tenant.user_id, fields
        )
        return self.view(claim)

    def update(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        claim = self.editable(claim_id)
        fields = load(InsuranceClaimUpdate(), data)
        next_insurance_status(claim.status, "edit")
        changed = apply_changes(claim, fields)
        if changed:
            claim.updated_at = utcnow()
            self.log(claim, "edited", changed)
        return self.view(claim)

    def assess(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The damage assessment (定损): items with the dealer's estimate."""
        claim = self.editable(claim_id)
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
        self.log(
            claim, "assessed", {"items": len(items), "estimated_amount": claim.estimated_amount}
        )
        return self.view(claim)

    def approve(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The insurer's approved amount for every assessment item."""
        claim = self.editable(claim_id)
        fields = load(InsurerApprovalIn(), data)
        claim.status = next_insurance_status(claim.status, "approve")
        approved = apply_approval(
            adapters.assessment_items(claim.items),
            {i["item_no"]: i["approved_amount"] for i in fields["items"]},
        )
        claim.items = adapters.stored_items(approved)
        claim.estimated_amount, claim.approved_amount = assessment_totals(approved)
        claim.updated_at = utcnow()
        self.log(claim, "insurer_approved", {"approved_amount": claim.approved_amount})
        return self.view(claim)

    def document(self, claim_id: str, code: str, data: dict[str, Any]) -> dict[str, Any]:
        """Tick (or untick) one document of the checklist."""
        claim = self.editable(claim_id)
        check_document(code)
        fields = load(InsuranceDocumentIn(), data)
        documents_may_change(claim.status)
        documents = dict(claim.documents or {})
        if documents.get(code, False) != fields["received"]:
            documents[code] = fields["received"]
            claim.documents = documents
            claim.updated_at = utcnow()
            self.log(claim, "document", {code: fields["received"]})
        return self.view(claim)

    def submit(self, claim_id: str) -> dict[str, Any]:
        """Send the claim to the insurer for payment: approved, and every document in."""
        claim = self.editable(claim_id)
        status = next_insurance_status(claim.status, "submit")
        require_documents(claim.documents or {})
        claim.status = status
        claim.submitted_at = claim.updated_at = utcnow()
        self.log(claim, "submitted", {})
        return self.view(claim)

    def pay(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The insurer paid: the claim is settled."""
        claim = self.editable(claim_id)
        fields = load(InsurancePaymentIn(), data)
        claim.status = next_insurance_status(claim.status, "pay")
        claim.paid_amount = money(fields["amount"])
        claim.paid_on = fields["paid_on"]
        claim.payment_reference = fields["reference"]
        claim.updated_at = utcnow()
        self.log(
            claim,
            "paid",
            {
                "amount": claim.paid_amount,
                "paid_on": claim.paid_on,
                "reference": fields["reference"],
            },
        )
        self.publish(
            "insurance_claim_settled",
            messages.insurance_claim_settled(claim),
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.insurance_claim_id,
        )
        return self.view(claim)

    def close(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Close an intake that will not be claimed (the customer pays, the insurer declines)."""
        claim = self.editable(claim_id)
        fields = load(ClaimReasonIn(), data)
        claim.status = next_insurance_status(claim.status, "close")
        claim.updated_at = utcnow()
        self.log(claim, "closed", {"reason": fields["reason"]})
        return self.view(claim)

    # ---------------------------------------------------------------- the claim

    def visible(self, claim_id: str, *, for_update: bool = False) -> InsuranceClaim:
        """The claim if the caller may see its site; anything else is "not found"."""
        tenant = self.tenant
        claim = self.session.get(InsuranceClaim, claim_id, with_for_update=for_update)
        if (
            claim is None
            or claim.group_id != tenant.group_id
            or not tenant.can_see_site(claim.site_id)
        ):
            raise NotFound(f"insurance claim {claim_id} not found", "INSURANCE_CLAIM_NOT_FOUND")
        return claim

    def editable(self, claim_id: str) -> InsuranceClaim:
        """The claim locked for a change by the accident desk, as the caller last read it."""
        claim = self.visible(claim_id, for_update=True)
        self.tenant.require_role(*INSURANCE_WRITERS)
        require_match(self.caller.context, self.view(claim))
        return claim

    def view(self, claim: InsuranceClaim) -> dict[str, Any]:
        """The claim with every document of the checklist, received or not."""
        schema = InsuranceClaimOut()
        documents = documents_view(claim.documents)
        values = {name: getattr(claim, name, None) for name in schema.fields}
        values.update(documents=documents, missing_documents=missing_documents(documents))
        return schema.dump(values)

    def new_claim(
        self, group_id: str, site_id: str, vin: str, user_id: str, fields: dict[str, Any]
    ) -> InsuranceClaim:
        now = utcnow()
        day = local_date(now)
        claim = InsuranceClaim(
            insurance_claim_id=new_id("ic"),
            group_id=group_id,
            site_id=site_id,
            claim_number=claim_number(
                "IC", day, adapters.next_number(self.session, site_id, "IC", day)
            ),
            status="intake",
            vin=vin,
            items=[],
            documents={},
            rescue=bool(fields.get("rescue", False)),
            order_number=fields.get("order_number") or self._order_number(fields.get("order_id")),
            created_at=now,
            created_by=user_id,
            updated_at=now,
            **{k: fields.get(k) for k in INTAKE_FIELDS if k != "rescue"},
        )
        self.session.add(claim)
        self.log(claim, "opened", {k: fields.get(k) for k in INTAKE_FIELDS})
        self.publish(
            "insurance_claim_opened",
            messages.insurance_claim_opened(claim, user_id),
            group_id=group_id,
            site_id=site_id,
            correlation_id=claim.insurance_claim_id,
        )
        return claim

    def for_order(self, order: RepairOrderRow) -> InsuranceClaim:
        """The RO's insurance claim: already linked, else the open intake of the same car,
        else a new intake (the accident reception fills in the insurer later)."""
        session = self.session
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
                InsuranceClaim.status.in_(OPEN_STATUSES),
            )
            .order_by(InsuranceClaim.created_at.desc())
            .with_for_update()
        ).first()
        if intake is not None:
            intake.order_id, intake.order_number = order.order_id, order.order_number
            intake.updated_at = utcnow()
            self.log(intake, "order_linked", {"order_id": order.order_id}, by="system")
            return intake
        return self.new_claim(
            order.group_id,
            order.site_id,
            order.vin,
            "system",
            {"order_id": order.order_id, "order_number": order.order_number},
        )

    def _order_number(self, order_id: str | None) -> str | None:
        order = self.session.get(RepairOrderRow, order_id) if order_id else None
        return order.order_number if order else None
