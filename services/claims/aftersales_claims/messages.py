"""The payloads claims sends: its events and its message to the OEM, built from the
rows as they are now. Each is checked against its contract when published (tests
check the builders against the contracts too). No nameko here."""

from __future__ import annotations

from typing import Any

from .models import InsuranceClaim, RecallRow, WarrantyClaim


def recall_announced(row: RecallRow) -> dict[str, Any]:
    return {
        "recall_id": row.recall_id,
        "oem_id": row.oem_id,
        "kind": row.kind,
        "title": row.title,
        "description": row.description,
        "vins": list(row.vins),
        "labor_operation_code": row.labor_operation_code,
        "part_numbers": list(row.part_numbers),
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
    }


def _claim_reference(claim: WarrantyClaim) -> dict[str, Any]:
    """What names a warranty claim in every event about it."""
    return {
        "claim_id": claim.claim_id,
        "claim_number": claim.claim_number,
        "oem_id": claim.oem_id,
        "order_id": claim.order_id,
        "vin": claim.vin,
    }


def claim_submitted(claim: WarrantyClaim, submitted_by: str) -> dict[str, Any]:
    return {
        **_claim_reference(claim),
        "claim_type": claim.claim_type,
        "causal_part_number": claim.causal_part_number,
        "submission_count": claim.submission_count,
        "appeal": claim.appeal,
        "claimed_amount": claim.claimed_amount,
        "submitted_by": submitted_by,
    }


def claim_decided(claim: WarrantyClaim, first_pass: bool) -> dict[str, Any]:
    """The decision as applied to the claim (its outcome, amount and reason)."""
    return {
        **_claim_reference(claim),
        "submission_count": claim.submission_count,
        "outcome": claim.outcome,
        "claimed_amount": claim.claimed_amount,
        "approved_amount": claim.approved_amount,
        "reason_code": claim.reason_code,
        "reason": claim.reason,
        "first_pass": first_pass,
    }


def claim_paid(claim: WarrantyClaim, days_to_payment: int) -> dict[str, Any]:
    return {
        **_claim_reference(claim),
        "claimed_amount": claim.claimed_amount,
        "approved_amount": claim.approved_amount,
        "paid_amount": claim.paid_amount,
        "paid_on": claim.paid_on,
        "payment_reference": claim.payment_reference,
        "days_to_payment": days_to_payment,
    }


def insurance_claim_opened(claim: InsuranceClaim, opened_by: str) -> dict[str, Any]:
    return {
        "insurance_claim_id": claim.insurance_claim_id,
        "claim_number": claim.claim_number,
        "order_id": claim.order_id,
        "vin": claim.vin,
        "plate": claim.plate,
        "insurer": claim.insurer,
        "policy_number": claim.policy_number,
        "report_number": claim.report_number,
        "accident_date": claim.accident_date,
        "opened_by": opened_by,
    }


def insurance_claim_settled(claim: InsuranceClaim) -> dict[str, Any]:
    return {
        "insurance_claim_id": claim.insurance_claim_id,
        "claim_number": claim.claim_number,
        "order_id": claim.order_id,
        "vin": claim.vin,
        "insurer": claim.insurer or "",
        "approved_amount": claim.approved_amount,
        "paid_amount": claim.paid_amount,
        "paid_on": claim.paid_on,
        "payment_reference": claim.payment_reference,
    }


def warranty_claim_message(claim: WarrantyClaim) -> dict[str, Any]:
    """The `warranty_claim` message (contracts/oem_warranty.py) for the claim as it is now."""
    appraisal = claim.appraisal or {}
    return {
        "claim_id": claim.claim_id,
        "claim_number": claim.claim_number,
        "submission_count": claim.submission_count,
        "appeal": claim.appeal,
        "appeal_comments": claim.appeal_comments if claim.appeal else None,
        "oem_claim_number": claim.oem_claim_number,
        "oem_id": claim.oem_id,
        "dealer_code": claim.site_id,
        "claim_type": claim.claim_type,
        "recall_id": claim.recall_id,
        "order_number": claim.order_number,
        "vin": claim.vin,
        "brand": claim.brand,
        "model": claim.model,
        "sale_date": claim.sale_date,
        "mileage": claim.mileage,
        "repair_opened_on": claim.repair_opened_on,
        "repair_completed_on": claim.repair_completed_on,
        "complaint_code": claim.complaint_code,
        "complaint": claim.complaint or "",
        "cause_code": claim.cause_code,
        "cause": claim.cause or "",
        "correction_code": claim.correction_code,
        "correction": claim.correction or "",
        "causal_part_number": claim.causal_part_number,
        "appraisal": appraisal.get("finding"),
        "labor": [
            {k: line[k] for k in ("line_no", "operation_code", "description", "hours", "amount")}
            for line in claim.labor_lines
        ],
        "parts": [
            {
                k: line[k]
                for k in (
                    "line_no",
                    "part_number",
                    "description",
                    "quantity",
                    "unit_price",
                    "amount",
                    "old_part_tag",
                )
            }
            for line in claim.part_lines
        ],
        "sublets": [dict(line) for line in claim.sublet_lines],
        "claimed_amount": claim.claimed_amount,
        "currency": "CNY",
    }
