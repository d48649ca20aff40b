"""Warranty claims as the dealer works them: drafted (by hand or from a settled RO),
filled in, appraised, checked, sent to the OEM, appealed, withdrawn, old parts
returned; read one, list them. A claim people edit carries an ETag: every write
checks the caller's `If-Match` against the claim as they read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.claims import (
    APPRAISERS,
    CLAIM_WRITERS,
    AppealIn,
    ClaimFindingsOut,
    ClaimReasonIn,
    OemClaimOut,
    OldPartActionIn,
    TechnicalAppraisalIn,
    WarrantyClaimIn,
    WarrantyClaimOut,
    WarrantyClaimQuery,
    WarrantyClaimUpdate,
)
from aftersales_core.envelope import to_primitives, utcnow
from aftersales_core.errors import Forbidden, NotFound
from aftersales_core.etag import require_match
from aftersales_core.validation import load

from . import adapters, messages
from .adapters import apply_changes, new_id
from .cases import Cases, today
from .domain import (
    check_order_link,
    claim_number,
    claimed_amount,
    local_date,
    next_status,
    oem_for,
    old_part_done,
    require_ready,
)
from .models import ClaimSubmission, RepairOrderRow, Vehicle, WarrantyClaim

# The fields of a claim a clerk fills in (lines apart).
CLAIM_FIELDS = (
    "claim_type",
    "recall_id",
    "mileage",
    "repair_opened_on",
    "repair_completed_on",
    "complaint_code",
    "complaint",
    "cause_code",
    "cause",
    "correction_code",
    "correction",
    "causal_part_number",
    "part_fitted_on",
    "part_fitted_mileage",
)
_LINES = (
    ("labor", "labor_lines", adapters.stored_labor),
    ("parts", "part_lines", adapters.stored_parts),
    ("sublets", "sublet_lines", adapters.stored_sublets),
)


class WarrantyClaims(Cases):
    """The dealer's warranty claims."""

    # ---------------------------------------------------------------- reads

    def get(self, claim_id: str) -> dict[str, Any]:
        return self.view(self.visible(claim_id))

    def findings(self, claim_id: str) -> dict[str, Any]:
        """Every finding that would stop the claim going to the OEM, all at once."""
        claim = self.visible(claim_id)
        found = adapters.findings(self.session, claim, today())
        return ClaimFindingsOut().dump(
            {"claim_id": claim.claim_id, "ready": not found, "findings": found}
        )

    def list(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of the claims of the caller's sites (HQ: the group; an OEM: those sent
        to it), newest first."""
        tenant = self.tenant
        fields = load(WarrantyClaimQuery(), params)
        stmt = select(WarrantyClaim).where(WarrantyClaim.group_id == tenant.group_id)
        if tenant.is_oem:
            if not tenant.oem_id:
                raise Forbidden("an OEM user without an oem_id sees nothing", "ROLE_FORBIDDEN")
            stmt = stmt.where(
                WarrantyClaim.oem_id == tenant.oem_id, WarrantyClaim.submission_count > 0
            )
            if fields.get("site_id"):
                stmt = stmt.where(WarrantyClaim.site_id == fields["site_id"])
        else:
            sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
            if sites is not None:
                stmt = stmt.where(WarrantyClaim.site_id.in_(sites))
        return adapters.filtered_page(
            self.session,
            stmt,
            WarrantyClaim,
            WarrantyClaim.claim_id,
            fields,
            ("status", "order_id", "claim_type"),
            self.view,
        )

    # ---------------------------------------------------------------- writes

    def draft(self, data: dict[str, Any]) -> dict[str, Any]:
        """A claim drafted by hand (most are drafted from a settled RO's warranty lines)."""
        tenant = self.tenant
        fields = load(WarrantyClaimIn(), data)
        tenant.require_site(fields["site_id"])
        tenant.require_role(*CLAIM_WRITERS)
        if fields["order_id"]:
            order = self.session.get(RepairOrderRow, fields["order_id"])
            check_order_link(order, fields["order_id"], tenant.group_id, fields["site_id"])
        claim = self.new_claim(
            tenant.group_id,
            fields["site_id"],
            fields["vin"],
            tenant.user_id,
            order_id=fields["order_id"],
            order_number=fields["order_number"],
        )
        self.fill(claim, fields)
        self.log(claim, "drafted", {"source": "manual"})
        return self.view(claim)

    def update(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Fill in or correct a draft or rejected claim."""
        claim = self.editable(claim_id)
        fields = load(WarrantyClaimUpdate(), data)
        next_status(claim.status, "edit")
        changed = self.fill(claim, fields)
        if changed:
            self.log(claim, "corrected" if claim.status == "rejected" else "edited", changed)
        return self.view(claim)

    def appraise(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The technical appraisal (技术鉴定) by the claims clerk or the SA."""
        claim = self.editable(claim_id, APPRAISERS)
        fields = load(TechnicalAppraisalIn(), data)
        next_status(claim.status, "edit")
        claim.appraisal = {
            "finding": fields["finding"],
            "warranty_fault": fields["warranty_fault"],
            "by": self.tenant.user_id,
            "at": utcnow().isoformat(),
        }
        claim.updated_at = utcnow()
        self.log(claim, "appraised", {"appraisal": claim.appraisal})
        return self.view(claim)

    def submit(self, claim_id: str) -> dict[str, Any]:
        """Validate, then send the claim to its OEM (again, after a correction)."""
        claim = self.editable(claim_id)
        self.send(claim, next_status(claim.status, "submit"), appeal_comments=None)
        return self.view(claim)

    def appeal(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Contest a rejection or a partial approval, with the dealer's comments."""
        claim = self.editable(claim_id)
        fields = load(AppealIn(), data)
        status = next_status(claim.status, "appeal")
        self.send(claim, status, appeal_comments=fields["comments"])
        return self.view(claim)

    def withdraw(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        claim = self.editable(claim_id)
        fields = load(ClaimReasonIn(), data)
        claim.status = next_status(claim.status, "withdraw")
        claim.updated_at = utcnow()
        self.log(claim, "withdrawn", {"reason": fields["reason"]})
        return self.view(claim)

    def old_part(self, claim_id: str, line_no: int, data: dict[str, Any]) -> dict[str, Any]:
        """The old part went back to the OEM or was scrapped, as the OEM instructed."""
        claim = self.editable(claim_id)
        fields = load(OldPartActionIn(), data)
        lines = [dict(line) for line in claim.part_lines]
        line = next((x for x in lines if x["line_no"] == line_no), None)
        if line is None:
            raise NotFound(f"claim {claim_id} has no part line {line_no}", "LINE_NOT_FOUND")
        line["old_part_status"] = old_part_done(line["old_part_status"], fields["action"])
        claim.part_lines = lines
        claim.updated_at = utcnow()
        self.log(claim, f"old_part_{fields['action']}", {"line_no": line_no})
        return self.view(claim)

    # ---------------------------------------------------------------- the claim

    def visible(self, claim_id: str, *, for_update: bool = False) -> WarrantyClaim:
        """The claim if the caller may see it: its site's staff, HQ, or the OEM it went to.

        Anything else is "not found": another site's claim is none of the caller's business.
        """
        tenant = self.tenant
        claim = self.session.get(WarrantyClaim, claim_id, with_for_update=for_update)
        seen = claim is not None and claim.group_id == tenant.group_id
        if seen and tenant.is_oem:
            sent_to_it = claim.oem_id == tenant.oem_id and claim.submission_count > 0
            seen = bool(tenant.oem_id) and sent_to_it
        elif seen:
            seen = tenant.can_see_site(claim.site_id)
        if not seen:
            raise NotFound(f"warranty claim {claim_id} not found", "CLAIM_NOT_FOUND")
        return claim  # type: ignore[return-value]

    def editable(self, claim_id: str, roles: tuple[str, ...] = CLAIM_WRITERS) -> WarrantyClaim:
        """The claim locked for a change by one of `roles`, as the caller last read it."""
        claim = self.visible(claim_id, for_update=True)
        self.tenant.require_role(*roles)
        require_match(self.caller.context, self.view(claim))
        return claim

    def view(self, claim: WarrantyClaim) -> dict[str, Any]:
        """The claim as the caller sees it (an OEM: without the dealer's workings)."""
        schema = OemClaimOut if self.tenant.is_oem else WarrantyClaimOut
        return schema().dump(claim)

    def new_claim(
        self,
        group_id: str,
        site_id: str,
        vin: str,
        user_id: str,
        *,
        order_id: str | None = None,
        order_number: str | None = None,
    ) -> WarrantyClaim:
        now = utcnow()
        day = local_date(now)
        claim = WarrantyClaim(
            claim_id=new_id("wc"),
            group_id=group_id,
            site_id=site_id,
            claim_number=claim_number(
                "WC", day, adapters.next_number(self.session, site_id, "WC", day)
            ),
            status="draft",
            claim_type="ordinary",
            order_id=order_id,
            order_number=order_number,
            vin=vin,
            labor_lines=[],
            part_lines=[],
            sublet_lines=[],
            claimed_amount=claimed_amount((), (), ()),
            submission_count=0,
            appeal=False,
            created_at=now,
            created_by=user_id,
            updated_at=now,
        )
        self.session.add(claim)
        return claim

    def fill(self, claim: WarrantyClaim, fields: dict[str, Any]) -> dict[str, Any]:
        """Set the given fields and lines; recompute the claimed amount; say what changed."""
        changed = apply_changes(claim, {k: fields[k] for k in CLAIM_FIELDS if k in fields})
        for name, column, store in _LINES:
            if name in fields:
                lines = store(to_primitives(fields[name]))
                if lines != getattr(claim, column):
                    changed[name] = {"lines": len(lines)}
                    setattr(claim, column, lines)
        total = claimed_amount(
            adapters.labor_lines(claim.labor_lines),
            adapters.part_lines(claim.part_lines),
            adapters.sublet_lines(claim.sublet_lines),
        )
        if total != claim.claimed_amount:
            changed["claimed_amount"] = to_primitives([claim.claimed_amount, total])
            claim.claimed_amount = total
        if changed:
            claim.updated_at = utcnow()
        return changed

    def send(self, claim: WarrantyClaim, status: str, *, appeal_comments: str | None) -> None:
        """Validate, snapshot the vehicle, send the message, record the submission."""
        session = self.session
        require_ready(adapters.findings(session, claim, today()))
        vehicle = session.get(Vehicle, (claim.group_id, claim.vin))
        assert vehicle is not None  # a claim without a known vehicle has a finding
        recall = adapters.recall_row(session, claim.group_id, claim.recall_id)
        oem_id = oem_for(
            claim.claim_type,
            adapters.terms_for_vehicle(session, claim.group_id, vehicle),
            adapters.recall_of(recall) if recall else None,
        )
        assert oem_id is not None  # no terms and no recall is a finding too
        now = utcnow()
        user = self.who()
        claim.oem_id = oem_id
        claim.brand, claim.model, claim.sale_date = vehicle.brand, vehicle.model, vehicle.sale_date
        claim.status = status
        claim.submission_count += 1
        claim.appeal = appeal_comments is not None
        claim.appeal_comments = appeal_comments
        claim.first_submitted_at = claim.first_submitted_at or now
        claim.last_submitted_at = claim.updated_at = now
        message = self.db.send_to_oem(
            "warranty_claim",
            messages.warranty_claim_message(claim),
            oem_id=oem_id,
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.claim_id,
        )
        claim.submissions.append(
            ClaimSubmission(
                submission_count=claim.submission_count,
                submitted_at=now,
                submitted_by=user,
                claimed_amount=claim.claimed_amount,
                appeal=claim.appeal,
                message_id=message.event_id,
            )
        )
        self.log(
            claim,
            "appealed" if claim.appeal else "submitted",
            {"submission_count": claim.submission_count, "claimed_amount": claim.claimed_amount},
        )
        self.publish(
            "claim_submitted",
            messages.claim_submitted(claim, user),
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.claim_id,
        )
