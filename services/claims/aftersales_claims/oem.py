"""What the OEMs send back on the OEM exchange: decisions on claims, credits for the
approved ones, and recall notices."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

from aftersales_core.envelope import Envelope, utcnow

from . import adapters, messages
from .adapters import apply_changes, aware
from .cases import Cases
from .domain import (
    APPROVED_OUTCOMES,
    Addressee,
    Decision,
    check_decision,
    days_to_payment,
    decision_applies,
    is_addressed,
    is_payable,
    local_date,
    money,
    next_status,
    payment_matches,
    require_addressed,
    with_old_part_instructions,
)
from .models import ClaimDecisionRow, RecallRow, WarrantyClaim

log = logging.getLogger(__name__)


def addressee(claim: WarrantyClaim | None) -> Addressee | None:
    return Addressee(claim.group_id, claim.oem_id, claim.claim_number) if claim else None


class OemMessages(Cases):
    """Decisions, credits and recalls from the OEMs."""

    def decision(self, message: Envelope) -> None:
        """Approved, partly approved or rejected: one decision per submission."""
        p = self.incoming(message)
        claim = self.session.get(WarrantyClaim, p["claim_id"], with_for_update=True)
        require_addressed(
            addressee(claim),
            Addressee(message.group_id, p["oem_id"], p["claim_number"]),
            p["claim_id"],
        )
        assert claim is not None
        by = f"oem:{p['oem_id']}"
        row = ClaimDecisionRow(
            claim_id=claim.claim_id,
            submission_count=p["submission_count"],
            outcome=p["outcome"],
            approved_amount=money(p["approved_amount"]),
            reason_code=p["reason_code"],
            reason=p["reason"],
            oem_claim_number=p["oem_claim_number"],
            decided_at=aware(p["decided_at"]),
            received_at=utcnow(),
            message_id=message.event_id,
            applied=False,
        )
        claim.decisions.append(row)
        if not decision_applies(p["submission_count"], claim.submission_count, claim.status):
            changes = {"submission_count": p["submission_count"], "outcome": p["outcome"]}
            self.log(claim, "decision_ignored", changes, by)
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
            claim.part_lines = with_old_part_instructions(claim.part_lines, instructions)
        self.log(
            claim,
            "decided",
            {
                "outcome": decision.outcome,
                "approved_amount": decision.approved_amount,
                "reason_code": decision.reason_code,
                "reason": decision.reason,
                "old_parts": instructions,
            },
            by,
        )
        first_pass = claim.submission_count == 1 and decision.outcome in APPROVED_OUTCOMES
        self.publish(
            "claim_decided",
            messages.claim_decided(claim, first_pass),
            group_id=claim.group_id,
            site_id=claim.site_id,
            correlation_id=claim.claim_id,
        )

    def payment(self, message: Envelope) -> None:
        """A credit note: each approved claim it names is paid (a claim it may not name
        is logged and skipped: the rest of the credit still counts)."""
        p = self.incoming(message)
        paid_on = date.fromisoformat(p["paid_on"])
        by = f"oem:{p['oem_id']}"
        for line in p["claims"]:
            claim = self.session.get(WarrantyClaim, line["claim_id"], with_for_update=True)
            named = Addressee(message.group_id, p["oem_id"], line["claim_number"])
            if claim is None or not is_addressed(addressee(claim), named):
                log.warning("credit %s names unknown claim %s", p["payment_id"], line["claim_id"])
                continue
            amount = money(line["amount"])
            if is_payable(claim.status) and not payment_matches(amount, claim.approved_amount):
                changes = {"amount": amount, "approved": claim.approved_amount,
                           "payment_id": p["payment_id"]}  # fmt: skip
                self.log(claim, "payment_mismatch", changes, by)
                continue
            if not is_payable(claim.status):
                if claim.payment_reference != p["payment_id"]:
                    changes = {"amount": amount, "payment_id": p["payment_id"]}
                    self.log(claim, "payment_unexpected", changes, by)
                continue
            claim.status = next_status(claim.status, "pay")
            claim.paid_amount, claim.paid_on = amount, paid_on
            claim.payment_reference = p["payment_id"]
            claim.updated_at = utcnow()
            assert claim.first_submitted_at is not None  # an approved claim was sent
            days = days_to_payment(local_date(claim.first_submitted_at), paid_on)
            self.log(claim, "paid", {"amount": amount, "paid_on": paid_on, "days": days}, by)
            self.publish(
                "claim_paid",
                messages.claim_paid(claim, days),
                group_id=claim.group_id,
                site_id=claim.site_id,
                correlation_id=claim.claim_id,
            )

    def recall_notice(self, message: Envelope) -> None:
        """Keep the recall (campaign claims are checked against it) and announce it."""
        p = self.incoming(message)
        values: dict[str, Any] = {
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
        session = self.session
        row = session.get(RecallRow, (message.group_id, p["recall_id"]), with_for_update=True)
        if row is None:
            row = RecallRow(
                group_id=message.group_id, recall_id=p["recall_id"], received_at=utcnow(), **values
            )
            session.add(row)
        elif not apply_changes(row, values):
            return  # the same notice again: already announced
        adapters.set_recall_vehicles(session, message.group_id, row.recall_id, values["vins"])
        self.publish(
            "recall_announced",
            messages.recall_announced(row),
            group_id=message.group_id,
            site_id=None,
            correlation_id=row.recall_id,
        )
