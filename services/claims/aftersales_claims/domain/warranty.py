"""A warranty claim's life: its states, drafting one from a settled RO, sending it,
the OEM's decisions and credits, and the old parts the OEM asks back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aftersales_contracts.api.claims import CLAIM_STATUSES, OUTCOMES
from aftersales_core.errors import Conflict, ValidationFailed

from .common import Finding, findings_error, money
from .coverage import Recall, WarrantyTerms

STATUSES = CLAIM_STATUSES
APPROVED_OUTCOMES = frozenset({"approved", "partly_approved"})
DECIDABLE = frozenset({"submitted", "appealed"})  # the states an OEM decision applies to

# (status, action) -> next status.  Decisions come from "submitted" or "appealed".
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "edit"): "draft",
    ("rejected", "edit"): "rejected",
    ("draft", "submit"): "submitted",
    ("rejected", "submit"): "submitted",
    ("rejected", "appeal"): "appealed",
    ("partly_approved", "appeal"): "appealed",
    ("submitted", "approved"): "approved",
    ("submitted", "partly_approved"): "partly_approved",
    ("submitted", "rejected"): "rejected",
    ("appealed", "approved"): "approved",
    ("appealed", "partly_approved"): "partly_approved",
    ("appealed", "rejected"): "rejected",
    ("approved", "pay"): "paid",
    ("partly_approved", "pay"): "paid",
    ("draft", "withdraw"): "withdrawn",
    ("rejected", "withdraw"): "withdrawn",
}


def next_status(status: str, action: str) -> str:
    """The status after `action`, or ILLEGAL_TRANSITION (409)."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise Conflict(
            f"a claim that is {status} does not allow: {action}",
            "ILLEGAL_TRANSITION",
            {"status": [status]},
        ) from None


@dataclass(frozen=True)
class Decision:
    """The OEM's answer to one submission, checked against the claim it answers."""

    outcome: str
    approved_amount: Decimal
    reason_code: str | None
    reason: str | None


def check_decision(decision: Decision, claimed: Decimal) -> Decision:
    """An approval pays the claim in full; a partial one pays less than claimed, with a
    reason; a rejection pays nothing and carries a reason code."""
    if decision.outcome not in OUTCOMES:
        raise ValidationFailed.on("outcome", f"unknown outcome {decision.outcome}", "BAD_DECISION")
    amount = money(decision.approved_amount)
    if amount < 0:
        raise ValidationFailed.on("approved_amount", "may not be negative", "BAD_DECISION")
    if decision.outcome == "approved":
        if amount not in (Decimal("0.00"), claimed):
            raise ValidationFailed.on(
                "approved_amount",
                f"an approval pays the {claimed} claimed; a lower amount is partly_approved",
                "BAD_DECISION",
            )
        amount = claimed  # approved as claimed (0: the amount left unstated)
    if decision.outcome == "rejected":
        if not decision.reason_code:
            raise ValidationFailed.on(
                "reason_code", "a rejection needs a reason code", "BAD_DECISION"
            )
        amount = Decimal("0.00")
    if decision.outcome == "partly_approved":
        if not decision.reason_code and not decision.reason:
            raise ValidationFailed.on("reason", "a partial approval needs a reason", "BAD_DECISION")
        if amount >= claimed:
            raise ValidationFailed.on(
                "approved_amount", "a partial approval pays less than claimed", "BAD_DECISION"
            )
    return Decision(decision.outcome, money(amount), decision.reason_code, decision.reason)


def payment_matches(credited: Decimal, approved: Decimal | None) -> bool:
    """A claim is paid by a credit of exactly what was approved; a short or excess
    credit is recorded for the clerk to take up with the OEM, and the claim stays
    unpaid."""
    return approved is not None and money(credited) == money(approved)


SUPPORTED_VERSION = 1


def check_version(message_type: str, version: int) -> None:
    """A receiver applies only the versions it knows: a later version may mean
    something this code would misread, so it is refused (and dead-lettered)."""
    if version > SUPPORTED_VERSION:
        raise ValidationFailed.on(
            "version",
            f"{message_type} version {version} is not supported (up to {SUPPORTED_VERSION})",
            "UNSUPPORTED_VERSION",
        )


def days_to_payment(first_submitted_on: date, paid_on: date) -> int:
    return max(0, (paid_on - first_submitted_on).days)


def claim_number(prefix: str, day: date, number: int) -> str:
    """The dealer's claim number: `WC-20261125-0007` (the site's 7th warranty claim that day)."""
    return f"{prefix}-{day:%Y%m%d}-{number:04d}"


def require_ready(findings: Sequence[Finding]) -> None:
    """A claim goes to the OEM only without findings: all of them in one 400 otherwise."""
    if findings:
        raise findings_error(findings)


# ---------------------------------------------------------------- drafting from an RO


def warranty_lines(lines: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The lines of a settled RO the OEM pays for."""
    return [line for line in lines if line["payer"] == "warranty"]


def lines_from_order(
    lines: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """A settled RO's warranty lines as a claim's labor, parts and sublets.

    A part's unit price is its amount over its quantity; a part line with no quantity
    (returned in full) is not claimed.
    """
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
    return labor, parts, sublets


def guess_claim_type(
    labor_codes: Sequence[str],
    part_numbers: Sequence[str],
    terms: WarrantyTerms | None,
    recalls: Sequence[Recall],
) -> tuple[str, str | None]:
    """A drafted claim's type (and recall) from its lines; the clerk may change it."""
    for recall in recalls:
        if (recall.labor_operation_code and recall.labor_operation_code in labor_codes) or (
            set(recall.part_numbers) & set(part_numbers)
        ):
            return "campaign", recall.recall_id
    if terms and labor_codes and set(labor_codes) <= set(terms.first_maintenance_operations):
        return "first_maintenance", None
    return "ordinary", None


# ---------------------------------------------------------------- the OEM's answers


@dataclass(frozen=True)
class Addressee:
    """Who a claim was sent to, as an OEM message must name it."""

    group_id: str
    oem_id: str | None
    claim_number: str


def is_addressed(claim: Addressee | None, message: Addressee) -> bool:
    """Does the message address this claim (same group, the OEM it went to, its number)?"""
    return claim is not None and claim == message


def require_addressed(claim: Addressee | None, message: Addressee, claim_id: str) -> None:
    """A message about a claim that is not the OEM's to answer is refused (to the DLQ)."""
    if not is_addressed(claim, message):
        raise ValidationFailed.on(
            "claim_id",
            f"no claim {claim_id} of {message.group_id} sent to {message.oem_id}",
            "UNKNOWN_CLAIM",
        )


def decision_applies(decision_submission: int, claim_submission: int, status: str) -> bool:
    """Only a decision on the current submission of a claim awaiting one changes it;
    an older one is kept for the record only."""
    return decision_submission == claim_submission and status in DECIDABLE


def is_payable(status: str) -> bool:
    """A credit pays only an approved (or partly approved) claim."""
    return status in APPROVED_OUTCOMES


def with_old_part_instructions(
    lines: Sequence[Mapping[str, Any]], instructions: Mapping[int, str]
) -> list[dict[str, Any]]:
    """The OEM's instruction per part line (`return` or `scrap`) as its old part's status."""
    return [
        {**line, "old_part_status": f"to_{instructions[line['line_no']]}"}
        if line["line_no"] in instructions
        else dict(line)
        for line in lines
    ]


def old_part_done(status: str, action: str) -> str:
    """An old part is returned or scrapped only as the OEM instructed."""
    expected = {"returned": "to_return", "scrapped": "to_scrap"}[action]
    if status != expected:
        raise ValidationFailed.on(
            "action",
            f"the OEM's instruction for this part is {status}",
            "OLD_PART_NOT_INSTRUCTED",
        )
    return action
