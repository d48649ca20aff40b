"""Claims' nameko service: thin RPCs and handlers that load, ask the rules, save and
publish.  Warranty claims go to the OEM on the OEM exchange and its decisions and
credits come back on it; insurance claims are worked with the insurer by hand."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, as_utc, to_primitives, utcnow
from aftersales_core.errors import Forbidden, NotFound, ValidationFailed
from aftersales_core.service import ServiceBase, command, on_event, on_oem_message, query
from aftersales_core.validation import load

from . import adapters
from .adapters import apply_changes, new_id
from .domain import (
    APPROVED_OUTCOMES,
    Decision,
    check_decision,
    claimed_amount,
    coverage,
    days_to_payment,
    figures_by_site,
    findings_error,
    guess_claim_type,
    local_date,
    money,
    next_status,
    oem_for,
)
from .insurance import InsuranceClaims
from .models import (
    ClaimDecisionRow,
    ClaimHistory,
    ClaimSubmission,
    LaborAllowanceRow,
    MileageReadingRow,
    RecallRow,
    RepairOrderRow,
    Vehicle,
    WarrantyClaim,
    WarrantyTermsRow,
)
from .schemas import (
    AppealIn,
    ClaimFindingsOut,
    ClaimReasonIn,
    ClaimsReferenceDataIn,
    OemClaimOut,
    OemRecallOut,
    OldPartActionIn,
    TechnicalAppraisalIn,
    WarrantyClaimIn,
    WarrantyClaimOut,
    WarrantyClaimQuery,
    WarrantyClaimUpdate,
    WarrantyCoverageQuery,
    WarrantyFiguresQuery,
    WarrantyTermsIn,
    WarrantyTermsOut,
)

log = logging.getLogger(__name__)

# Who may work warranty claims, appraise them, and set warranty terms.
CLAIM_WRITERS = ("claims_clerk", "service_manager", "service_director")
APPRAISERS = (*CLAIM_WRITERS, "service_advisor")
TERMS_WRITERS = ("hq_manager", "system")

_CLAIM_FIELDS = (
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


def today() -> date:
    return local_date(utcnow())


class ClaimsService(InsuranceClaims, ServiceBase):
    name = "claims"

    # ================================================================ reference data

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's warranty terms and labor-time catalog (used by `aftersales seed`).

        Idempotent: terms are set (the OEM's latest), catalog entries already present
        are left as they are.
        """
        tenant = self.caller.tenant
        fields = load(ClaimsReferenceDataIn(), data)
        tenant.require_group_loader(fields["group_id"])
        counts = {"warranty_terms": 0, "labor_operations": 0}
        for terms in fields["warranty_terms"]:
            if self._set_terms(fields["group_id"], terms, tenant.user_id):
                counts["warranty_terms"] += 1
        session = self.db.session
        for op in fields["labor_operations"]:
            if session.get(LaborAllowanceRow, (fields["group_id"], op["code"])) is None:
                session.add(LaborAllowanceRow(group_id=fields["group_id"], **op))
                counts["labor_operations"] += 1
        return counts

    @command
    def set_warranty_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        """Headquarters records an OEM's warranty terms for a brand or model."""
        tenant = self.caller.tenant
        tenant.require_role(*TERMS_WRITERS)
        fields = load(WarrantyTermsIn(), data)
        self._set_terms(tenant.group_id, fields, tenant.user_id)
        row = self.db.session.get(
            WarrantyTermsRow, (tenant.group_id, fields["brand"], fields["model"])
        )
        return WarrantyTermsOut().dump(row)

    @query
    def list_warranty_terms(self) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.visible_sites()  # an OEM sees no dealer's settings
        rows = self.db.session.scalars(
            select(WarrantyTermsRow)
            .where(WarrantyTermsRow.group_id == tenant.group_id)
            .order_by(WarrantyTermsRow.brand, WarrantyTermsRow.model)
        ).all()
        return WarrantyTermsOut(many=True).dump(rows)

    @query
    def check_coverage(self, data: dict[str, Any]) -> dict[str, Any]:
        """Is a repair warranty? Judged from the sale date and the mileage on the day."""
        tenant = self.caller.tenant
        tenant.visible_sites()
        fields = load(WarrantyCoverageQuery(), data)
        session = self.db.session
        vehicle = session.get(Vehicle, (tenant.group_id, fields["vin"]))
        if vehicle is None:
            raise NotFound(f"vehicle {fields['vin']} not found", "VEHICLE_NOT_FOUND")
        recall = adapters.recall_row(session, tenant.group_id, fields["recall_id"])
        judged = coverage(
            adapters.terms_for_vehicle(session, tenant.group_id, vehicle),
            claim_type=fields["claim_type"],
            vin=vehicle.vin,
            sale_date=vehicle.sale_date,
            repair_date=fields["repair_date"] or today(),
            mileage=fields["mileage"],
            part_fitted_on=fields["part_fitted_on"],
            part_fitted_mileage=fields["part_fitted_mileage"],
            recall=adapters.recall_of(recall) if recall else None,
        )
        return to_primitives(
            {
                "vin": vehicle.vin,
                "brand": vehicle.brand,
                "model": vehicle.model,
                "sale_date": vehicle.sale_date,
                "claim_type": fields["claim_type"],
                **judged.to_dict(),
            }
        )

    @query
    def list_recalls(self, vin: str | None = None) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.visible_sites()
        if vin:
            rows = adapters.recalls_of_vin(self.db.session, tenant.group_id, vin.strip().upper())
        else:
            rows = self.db.session.scalars(
                select(RecallRow)
                .where(RecallRow.group_id == tenant.group_id)
                .order_by(RecallRow.starts_on.desc(), RecallRow.recall_id)
            ).all()
        return OemRecallOut(many=True).dump(rows)

    # ================================================================ warranty claims

    @command
    def draft_warranty_claim(self, data: dict[str, Any]) -> dict[str, Any]:
        """A claim drafted by hand (most are drafted from a settled RO's warranty lines)."""
        tenant = self.caller.tenant
        fields = load(WarrantyClaimIn(), data)
        tenant.require_site(fields["site_id"])
        tenant.require_role(*CLAIM_WRITERS)
        claim = self._new_claim(
            tenant.group_id,
            fields["site_id"],
            fields["vin"],
            tenant.user_id,
            order_id=fields["order_id"],
            order_number=fields["order_number"],
        )
        self._fill(claim, fields)
        self._log(claim, "drafted", {"source": "manual"})
        return self._dump(claim)

    @command
    def update_warranty_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Fill in or correct a draft or rejected claim."""
        claim = self._writable_claim(claim_id)
        fields = load(WarrantyClaimUpdate(), data)
        next_status(claim.status, "edit")
        changed = self._fill(claim, fields)
        if changed:
            self._log(claim, "corrected" if claim.status == "rejected" else "edited", changed)
        return self._dump(claim)

    @command
    def record_appraisal(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The technical appraisal (技术鉴定) by the claims clerk or the SA."""
        claim = self._claim(claim_id, for_update=True)
        tenant = self.caller.tenant
        tenant.require_role(*APPRAISERS)
        fields = load(TechnicalAppraisalIn(), data)
        next_status(claim.status, "edit")
        claim.appraisal = {
            "finding": fields["finding"],
            "warranty_fault": fields["warranty_fault"],
            "by": tenant.user_id,
            "at": utcnow().isoformat(),
        }
        claim.updated_at = utcnow()
        self._log(claim, "appraised", {"appraisal": claim.appraisal})
        return self._dump(claim)

    @query
    def validate_warranty_claim(self, claim_id: str) -> dict[str, Any]:
        """Every finding that would stop the claim going to the OEM, all at once."""
        claim = self._claim(claim_id)
        found = adapters.findings(self.db.session, claim, today())
        return ClaimFindingsOut().dump(
            {
                "claim_id": claim.claim_id,
                "ready": not found,
                "findings": [f.to_dict() for f in found],
            }
        )

    @command
    def submit_warranty_claim(self, claim_id: str) -> dict[str, Any]:
        """Validate, then send the claim to its OEM (again, after a correction)."""
        claim = self._writable_claim(claim_id)
        status = next_status(claim.status, "submit")
        self._send(claim, status, appeal_comments=None)
        return self._dump(claim)

    @command
    def appeal_warranty_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Contest a rejection or a partial approval, with the dealer's comments."""
        claim = self._writable_claim(claim_id)
        fields = load(AppealIn(), data)
        status = next_status(claim.status, "appeal")
        self._send(claim, status, appeal_comments=fields["comments"])
        return self._dump(claim)

    @command
    def withdraw_warranty_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        claim = self._writable_claim(claim_id)
        fields = load(ClaimReasonIn(), data)
        claim.status = next_status(claim.status, "withdraw")
        claim.updated_at = utcnow()
        self._log(claim, "withdrawn", {"reason": fields["reason"]})
        return self._dump(claim)

    @command
    def record_old_part(self, claim_id: str, line_no: int, data: dict[str, Any]) -> dict[str, Any]:
        """The old part went back to the OEM or was scrapped, as the OEM instructed."""
        claim = self._writable_claim(claim_id)
        fields = load(OldPartActionIn(), data)
        lines = [dict(line) for line in claim.part_lines]
        line = next((x for x in lines if x["line_no"] == line_no), None)
        if line is None:
            raise NotFound(f"claim {claim_id} has no part line {line_no}", "LINE_NOT_FOUND")
        expected = {"returned": "to_return", "scrapped": "to_scrap"}[fields["action"]]
        if line["old_part_status"] != expected:
            raise ValidationFailed.on(
                "action",
                f"the OEM's instruction for this part is {line['old_part_status']}",
                "OLD_PART_NOT_INSTRUCTED",
            )
        line["old_part_status"] = fields["action"]
        claim.part_lines = lines
        claim.updated_at = utcnow()
        self._log(claim, f"old_part_{fields['action']}", {"line_no": line_no})
        return self._dump(claim)

    @query
    def get_warranty_claim(self, claim_id: str) -> dict[str, Any]:
        return self._dump(self._claim(claim_id))

    @query
    def list_warranty_claims(self, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Claims of the caller's sites (HQ: the group; an OEM: those sent to it)."""
        tenant = self.caller.tenant
        fields = load(WarrantyClaimQuery(), params or {})
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
        for name in ("status", "order_id", "claim_type"):
            if fields.get(name):
                stmt = stmt.where(getattr(WarrantyClaim, name) == fields[name])
        if fields.get("vin"):
            stmt = stmt.where(WarrantyClaim.vin == fields["vin"].upper())
        rows = self.db.session.scalars(
            stmt.order_by(WarrantyClaim.created_at.desc(), WarrantyClaim.claim_id).limit(
                fields["limit"]
            )
        ).all()
        schema = OemClaimOut if tenant.is_oem else WarrantyClaimOut
        return schema(many=True).dump(rows)

    @query
    def warranty_figures(self, params: dict[str, Any]) -> dict[str, Any]:
        """First-pass approval, rejections by reason, days to payment, claimed vs paid:
        per site and in total, for the claims first submitted in the period."""
        tenant = self.caller.tenant
        fields = load(WarrantyFiguresQuery(), params)
        sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
        start, end = adapters.local_period(fields["date_from"], fields["date_to"])
        stmt = select(WarrantyClaim).where(
            WarrantyClaim.group_id == tenant.group_id,
            WarrantyClaim.first_submitted_at >= start,
            WarrantyClaim.first_submitted_at < end,
        )
        if sites is not None:
            stmt = stmt.where(WarrantyClaim.site_id.in_(sites))
        records = [adapters.claim_record(c) for c in self.db.session.scalars(stmt)]
        return {
            "from": fields["date_from"].isoformat(),
            "to": fields["date_to"].isoformat(),
            **figures_by_site(records),
        }

    # ================================================================ events from reception

    @on_event("reception", "vehicle_registered")
    def on_vehicle_registered(self, event: Envelope) -> None:
        """Remember the vehicle's brand, model and sale date, and its first reading."""
        p = event.payload
        session = self.db.session
        vehicle = session.get(Vehicle, (event.group_id, p["vin"]))
        values = {
            "vehicle_id": p["vehicle_id"],
            "site_id": event.site_id,
            "brand": p["brand"],
            "model": p["model"],
            "sale_date": date.fromisoformat(p["sale_date"]) if p.get("sale_date") else None,
        }
        if vehicle is None:
            session.add(Vehicle(group_id=event.group_id, vin=p["vin"], **values))
        else:
            apply_changes(vehicle, values)
        self._reading(event, p["vin"], p.get("mileage"), p["vehicle_id"])

    @on_event("reception", "vehicle_checked_in")
    def on_vehicle_checked_in(self, event: Envelope) -> None:
        self._reading(event, event.payload["vin"], event.payload["mileage"], None)

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        p = event.payload
        self._reading(event, p["vin"], p["mileage"], p["order_id"])

    @on_event("reception", "order_opened")
    def on_order_opened(self, event: Envelope) -> None:
        """Learn the RO; an accident RO is an insurance claim (linked to an intake if any)."""
        p = event.payload
        order = self._order(event, opened=True)
        self._reading(event, p["vin"], p["mileage"], p["order_id"])
        # A warranty claim drafted before this event arrived gets what it lacked.
        for claim in self._claims_of_order(p["order_id"]):
            if claim.status == "draft":
                filled = apply_changes(
                    claim,
                    {
                        "complaint": claim.complaint or p["complaint"],
                        "repair_opened_on": local_date(order.opened_at),
                    },
                )
                if filled:
                    self._log(claim, "order_opened", filled)
        if p["order_type"] == "accident":
            self._insurance_claim_for_order(event, order)

    @on_event("reception", "order_settled")
    def on_order_settled(self, event: Envelope) -> None:
        """Warranty lines become a draft claim; an accident RO's amount goes to its claim."""
        p = event.payload
        order = self._order(event, opened=False)
        self._reading(event, p["vin"], p["mileage"], p["order_id"])
        warranty = [line for line in p["lines"] if line["payer"] == "warranty"]
        if warranty and not self._claims_of_order(p["order_id"], withdrawn_too=True):
            self._draft_from_order(event, order, warranty)
        insured = money(p["totals_by_payer"].get("insurance") or "0")
        if p["order_type"] == "accident" or insured > 0:
            claim = self._insurance_claim_for_order(event, order)
            changed = apply_changes(
                claim,
                {"repaired_on": local_date(order.settled_at), "repair_amount": insured},
            )
            if changed:
                self._log_insurance(claim, "repaired", changed)

    # ================================================================ messages from the OEM

    @on_oem_message("claim_decision")
    def on_claim_decision(self, message: Envelope) -> None:
        """Approved, partly approved or rejected: one decision per submission."""
        p = validate_payload("claim_decision", message.payload)
        claim = self._claim_of_oem(message, p["claim_id"], p["oem_id"], p["claim_number"])
        row = ClaimDecisionRow(
            claim_id=claim.claim_id,
            submission_count=p["submission_count"],
            outcome=p["outcome"],
            approved_amount=money(p["approved_amount"]),
            reason_code=p["reason_code"],
            reason=p["reason"],
            oem_claim_number=p["oem_claim_number"],
            decided_at=_aware(p["decided_at"]),
            received_at=utcnow(),
            message_id=message.event_id,
            applied=False,
        )
        claim.decisions.append(row)
        if p["submission_count"] != claim.submission_count or claim.status not in (
            "submitted",
            "appealed",
        ):
            self._log(
                claim,
                "decision_ignored",
                {"submission_count": p["submission_count"], "outcome": p["outcome"]},
                by=f"oem:{p['oem_id']}",
            )
            return
        decision = check_decision(
            Decision(p["outcome"], Decimal(p["approved_amount"]), p["reason_code"], p["reason"]),
            Decimal(claim.claimed_amount),
        )
        row.applied = True
        row.approved_amount = decision.approved_amount
        claim.status = next_status(claim.status, decision.outcome)
        claim.outcome = decision.outcome
        claim.approved_amount = decision.approved_amount
        claim.reason_code, claim.reason = decision.reason_code, decision.reason
        claim.oem_claim_number = p["oem_claim_number"]
        claim.decided_at = row.decided_at
        claim.updated_at = utcnow()
        instructions = {i["line_no"]: i["instruction"] for i in p["old_parts"]}
        if instructions:
            claim.part_lines = [
                {**line, "old_part_status": f"to_{instructions[line['line_no']]}"}
                if line["line_no"] in instructions
                else dict(line)
                for line in claim.part_lines
            ]
        self._log(
            claim,
            "decided",
            {
                "outcome": decision.outcome,
                "approved_amount": decision.approved_amount,
                "reason_code": decision.reason_code,
                "reason": decision.reason,
                "old_parts": instructions,
            },
            by=f"oem:{p['oem_id']}",
        )
        self.db.publish(
            "claim_decided",
            {
                "claim_id": claim.claim_id,
                "claim_number": claim.claim_number,
                "oem_id": claim.oem_id,
                "order_id": claim.order_id,
                "vin": claim.vin,
                "submission_count": claim.submission_count,
                "outcome": decision.outcome,
                "claimed_amount": claim.claimed_amount,
                "approved_amount": decision.approved_amount,
                "reason_code": decision.reason_code,
                "reason": decision.reason,
                "first_pass": claim.submission_count == 1 and decision.outcome in APPROVED_OUTCOMES,
            },
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.claim_id,
        )

    @on_oem_message("claim_payment")
    def on_claim_payment(self, message: Envelope) -> None:
        """A credit note: each approved claim it names is paid."""
        p = validate_payload("claim_payment", message.payload)
        paid_on = date.fromisoformat(p["paid_on"])
        for line in p["claims"]:
            claim = self.db.session.get(WarrantyClaim, line["claim_id"], with_for_update=True)
            if (
                claim is None
                or claim.group_id != message.group_id
                or claim.oem_id != p["oem_id"]
                or claim.claim_number != line["claim_number"]
            ):
                log.warning("credit %s names unknown claim %s", p["payment_id"], line["claim_id"])
                continue
            amount = money(line["amount"])
            by = f"oem:{p['oem_id']}"
            if claim.status not in APPROVED_OUTCOMES:
                if claim.payment_reference != p["payment_id"]:
                    self._log(
                        claim,
                        "payment_unexpected",
                        {"amount": amount, "payment_id": p["payment_id"]},
                        by=by,
                    )
                continue
            claim.status = next_status(claim.status, "pay")
            claim.paid_amount, claim.paid_on = amount, paid_on
            claim.payment_reference = p["payment_id"]
            claim.updated_at = utcnow()
            days = days_to_payment(local_date(claim.first_submitted_at), paid_on)
            self._log(claim, "paid", {"amount": amount, "paid_on": paid_on, "days": days}, by=by)
            self.db.publish(
                "claim_paid",
                {
                    "claim_id": claim.claim_id,
                    "claim_number": claim.claim_number,
                    "oem_id": claim.oem_id,
                    "order_id": claim.order_id,
                    "vin": claim.vin,
                    "claimed_amount": claim.claimed_amount,
                    "approved_amount": claim.approved_amount,
                    "paid_amount": amount,
                    "paid_on": paid_on,
                    "payment_reference": p["payment_id"],
                    "days_to_payment": days,
                },
                group_id=claim.group_id,
                site_id=claim.site_id,
                correlation_id=claim.claim_id,
            )

    @on_oem_message("recall_notice")
    def on_recall_notice(self, message: Envelope) -> None:
        """Keep the recall (campaign claims are checked against it) and announce it."""
        p = validate_payload("recall_notice", message.payload)
        values = {
            "oem_id": p["oem_id"],
            "kind": p["kind"],
            "title": p["title"],
            "description": p["description"],
            "vins": sorted({v.upper() for v in p["vins"]}),
            "labor_operation_code": p["labor_operation_code"],
            "part_numbers": list(p["part_numbers"]),
            "starts_on": date.fromisoformat(p["starts_on"]),
            "ends_on": date.fromisoformat(p["ends_on"]) if p["ends_on"] else None,
        }
        session = self.db.session
        row = session.get(RecallRow, (message.group_id, p["recall_id"]), with_for_update=True)
        if row is None:
            row = RecallRow(
                group_id=message.group_id,
                recall_id=p["recall_id"],
                received_at=utcnow(),
                **values,
            )
            session.add(row)
        elif not apply_changes(row, values):
            return  # the same notice again: already announced
        adapters.set_recall_vehicles(session, message.group_id, row.recall_id, values["vins"])
        self.db.publish(
            "recall_announced",
            {"recall_id": row.recall_id, **values},
            group_id=message.group_id,
            site_id=None,
            correlation_id=row.recall_id,
        )

    # ================================================================ helpers: warranty

    def _claim(self, claim_id: str, *, for_update: bool = False) -> WarrantyClaim:
        """The claim if the caller may see it: its site's staff, HQ, or the OEM it went to.

        Anything else is "not found": another site's claim is none of the caller's business.
        """
        tenant = self.caller.tenant
        claim = self.db.session.get(WarrantyClaim, claim_id, with_for_update=for_update)
        visible = claim is not None and claim.group_id == tenant.group_id
        if visible and tenant.is_oem:
            visible = (
                bool(tenant.oem_id) and claim.oem_id == tenant.oem_id and claim.submission_count > 0
            )
        elif visible:
            visible = tenant.can_see_site(claim.site_id)
        if not visible:
            raise NotFound(f"warranty claim {claim_id} not found", "CLAIM_NOT_FOUND")
        return claim  # type: ignore[return-value]

    def _writable_claim(self, claim_id: str) -> WarrantyClaim:
        claim = self._claim(claim_id, for_update=True)
        self.caller.tenant.require_role(*CLAIM_WRITERS)
        return claim

    def _dump(self, claim: WarrantyClaim) -> dict[str, Any]:
        schema = OemClaimOut if self.caller.tenant.is_oem else WarrantyClaimOut
        return schema().dump(claim)

    def _log(
        self, claim: WarrantyClaim, action: str, changes: dict[str, Any], by: str | None = None
    ) -> None:
        claim.history.append(
            ClaimHistory(
                at=utcnow(),
                by=by or self.caller.user_id or "system",
                action=action,
                status=claim.status,
                changes=to_primitives(changes),
            )
        )

    def _new_claim(
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
        number = adapters.next_number(self.db.session, site_id, "WC", day)
        claim = WarrantyClaim(
            claim_id=new_id("wc"),
            group_id=group_id,
            site_id=site_id,
            claim_number=f"WC-{day:%Y%m%d}-{number:04d}",
            status="draft",
            claim_type="ordinary",
            order_id=order_id,
            order_number=order_number,
            vin=vin,
            labor_lines=[],
            part_lines=[],
            sublet_lines=[],
            claimed_amount=Decimal("0.00"),
            submission_count=0,
            appeal=False,
            created_at=now,
            created_by=user_id,
            updated_at=now,
        )
        self.db.session.add(claim)
        return claim

    def _fill(self, claim: WarrantyClaim, fields: dict[str, Any]) -> dict[str, Any]:
        """Set the given fields and lines; recompute the claimed amount."""
        changed = apply_changes(claim, {k: fields[k] for k in _CLAIM_FIELDS if k in fields})
        for name, column, store in (
            ("labor", "labor_lines", adapters.stored_labor),
            ("parts", "part_lines", adapters.stored_parts),
            ("sublets", "sublet_lines", adapters.stored_sublets),
        ):
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

    def _send(self, claim: WarrantyClaim, status: str, *, appeal_comments: str | None) -> None:
        """Validate, snapshot the vehicle, send the message, record the submission."""
        session = self.db.session
        found = adapters.findings(session, claim, today())
        if found:
            raise findings_error(found)
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
        user = self.caller.user_id or "system"
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
            adapters.warranty_claim_message(claim),
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
        self._log(
            claim,
            "appealed" if claim.appeal else "submitted",
            {"submission_count": claim.submission_count, "claimed_amount": claim.claimed_amount},
        )
        self.db.publish(
            "claim_submitted",
            {
                "claim_id": claim.claim_id,
                "claim_number": claim.claim_number,
                "oem_id": oem_id,
                "order_id": claim.order_id,
                "vin": claim.vin,
                "claim_type": claim.claim_type,
                "causal_part_number": claim.causal_part_number,
                "submission_count": claim.submission_count,
                "appeal": claim.appeal,
                "claimed_amount": claim.claimed_amount,
                "submitted_by": user,
            },
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.claim_id,
        )

    def _claim_of_oem(
        self, message: Envelope, claim_id: str, oem_id: str, claim_number: str
    ) -> WarrantyClaim:
        """The claim an OEM message answers; one the OEM may not address goes to the DLQ."""
        claim = self.db.session.get(WarrantyClaim, claim_id, with_for_update=True)
        if (
            claim is None
            or claim.group_id != message.group_id
            or claim.oem_id != oem_id
            or claim.claim_number != claim_number
        ):
            raise ValidationFailed.on(
                "claim_id",
                f"no claim {claim_id} of {message.group_id} sent to {oem_id}",
                "UNKNOWN_CLAIM",
            )
        return claim

    def _claims_of_order(self, order_id: str, withdrawn_too: bool = False) -> list[WarrantyClaim]:
        stmt = select(WarrantyClaim).where(WarrantyClaim.order_id == order_id)
        if not withdrawn_too:
            stmt = stmt.where(WarrantyClaim.status != "withdrawn")
        return list(self.db.session.scalars(stmt))

    def _draft_from_order(
        self, event: Envelope, order: RepairOrderRow, lines: list[dict[str, Any]]
    ) -> WarrantyClaim:
        p = event.payload
        session = self.db.session
        labor = [
            {
                "operation_code": line["code"],
                "description": line["description"],
                "hours": line["quantity"],
                "amount": line["amount"],
            }
            for line in lines
            if line["kind"] == "labor"
        ]
        parts = [
            {
                "part_number": line["code"],
                "description": line["description"],
                "quantity": line["quantity"],
                "unit_price": money(Decimal(line["amount"]) / Decimal(line["quantity"])),
                "amount": line["amount"],
            }
            for line in lines
            if line["kind"] == "part" and Decimal(line["quantity"]) > 0
        ]
        sublets = [
            {"description": line["description"], "amount": line["amount"]}
            for line in lines
            if line["kind"] == "sublet"
        ]
        settled_on = local_date(order.settled_at)
        vehicle = session.get(Vehicle, (event.group_id, p["vin"]))
        claim_type, recall_id = guess_claim_type(
            [line["operation_code"] for line in labor],
            [line["part_number"] for line in parts],
            adapters.terms_for_vehicle(session, event.group_id, vehicle),
            adapters.active_recalls(session, event.group_id, p["vin"], settled_on),
        )
        claim = self._new_claim(
            event.group_id,
            order.site_id,
            p["vin"],
            "system",
            order_id=p["order_id"],
            order_number=p["order_number"],
        )
        opened_on = local_date(order.opened_at) if order.opened_at else settled_on
        self._fill(
            claim,
            {
                "claim_type": claim_type,
                "recall_id": recall_id,
                "mileage": p["mileage"],
                "repair_opened_on": opened_on,
                "repair_completed_on": settled_on,
                "complaint": order.complaint,
                "labor": labor,
                "parts": parts,
                "sublets": sublets,
            },
        )
        self._log(
            claim, "drafted", {"source": "order_settled", "order_id": p["order_id"]}, by="system"
        )
        return claim

    # ================================================================ helpers: events

    def _reading(
        self, event: Envelope, vin: str, mileage: int | None, source_id: str | None
    ) -> None:
        if not mileage:
            return
        self.db.session.add(
            MileageReadingRow(
                group_id=event.group_id,
                vin=vin,
                read_at=_aware(event.occurred_at),
                mileage=mileage,
                source=event.type,
                source_id=source_id,
            )
        )

    def _order(self, event: Envelope, *, opened: bool) -> RepairOrderRow:
        p = event.payload
        session = self.db.session
        # order_opened and order_settled arrive on separate queues, possibly at once:
        # both create the row if missing, then take turns on its lock.
        adapters.insert_missing(
            session,
            RepairOrderRow,
            order_id=p["order_id"],
            group_id=event.group_id,
            site_id=event.site_id or "",
            order_number=p["order_number"],
            order_type=p["order_type"],
            vin=p["vin"],
        )
        order = adapters.locked(session, RepairOrderRow, RepairOrderRow.order_id == p["order_id"])
        order.vehicle_id = p.get("vehicle_id") or order.vehicle_id
        order.mileage = p.get("mileage") or order.mileage
        if opened:
            order.opened_at = _aware(event.occurred_at)
            order.complaint = p.get("complaint")
        else:
            order.settled_at = _aware(event.occurred_at)
        return order

    # ================================================================ helpers: terms

    def _set_terms(self, group_id: str, fields: dict[str, Any], user_id: str) -> bool:
        session = self.db.session
        row = session.get(WarrantyTermsRow, (group_id, fields["brand"], fields["model"]))
        values = {k: v for k, v in fields.items() if k not in ("brand", "model")}
        now = utcnow()
        if row is None:
            session.add(
                WarrantyTermsRow(
                    group_id=group_id,
                    brand=fields["brand"],
                    model=fields["model"],
                    updated_at=now,
                    updated_by=user_id,
                    **values,
                )
            )
            return True
        if apply_changes(row, values):
            row.updated_at, row.updated_by = now, user_id
            return True
        return False


def _aware(value: str | datetime) -> datetime:
    """An ISO string (or datetime) as an aware UTC datetime."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
