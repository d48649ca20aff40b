"""An insurance claim's life (理赔): intake, the damage assessment and the insurer's
approved amounts, the documents checklist, submission and payment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from aftersales_contracts.api.claims import INSURANCE_DOCUMENTS
from aftersales_core.errors import Conflict, ValidationFailed

from .common import money

# The intakes an accident RO may be linked to: not yet paid or closed.
OPEN_STATUSES = ("intake", "assessed", "approved", "submitted")

INSURANCE_TRANSITIONS: dict[tuple[str, str], str] = {
    ("intake", "edit"): "intake",
    ("assessed", "edit"): "assessed",
    ("approved", "edit"): "approved",
    ("intake", "assess"): "assessed",
    ("assessed", "assess"): "assessed",
    ("approved", "assess"): "assessed",  # a supplementary assessment (二次定损) is approved anew
    ("assessed", "approve"): "approved",
    ("approved", "approve"): "approved",
    ("approved", "submit"): "submitted",
    ("submitted", "pay"): "paid",
    ("intake", "close"): "closed",
    ("assessed", "close"): "closed",
    ("approved", "close"): "closed",
}


def next_insurance_status(status: str, action: str) -> str:
    try:
        return INSURANCE_TRANSITIONS[(status, action)]
    except KeyError:
        raise Conflict(
            f"an insurance claim that is {status} cannot {action}",
            "ILLEGAL_TRANSITION",
            {"status": [status]},
        ) from None


@dataclass(frozen=True)
class AssessmentItem:
    """One damage assessment line: the dealer's estimate and the insurer's approved amount."""

    item_no: int
    kind: str
    description: str
    quantity: Decimal
    estimated_amount: Decimal
    part_number: str | None = None
    approved_amount: Decimal | None = None


def assessment_totals(items: Sequence[AssessmentItem]) -> tuple[Decimal, Decimal | None]:
    """(estimated, approved); approved is None until the insurer approved every item."""
    estimated = money(sum((i.estimated_amount for i in items), Decimal("0")))
    if not items or any(i.approved_amount is None for i in items):
        return estimated, None
    return estimated, money(sum((i.approved_amount or Decimal("0") for i in items), Decimal("0")))


def apply_approval(
    items: Sequence[AssessmentItem], approved: dict[int, Decimal]
) -> list[AssessmentItem]:
    """The insurer's amounts onto the items; every item must be answered, none invented."""
    known = {i.item_no for i in items}
    unknown = sorted(set(approved) - known)
    if unknown:
        raise ValidationFailed.on(
            "items", f"no assessment item {unknown[0]}", "UNKNOWN_ASSESSMENT_ITEM"
        )
    missing = sorted(known - set(approved))
    if missing:
        raise ValidationFailed.on(
            "items", f"item {missing[0]} has no approved amount", "APPROVAL_INCOMPLETE"
        )
    result = []
    for item in items:
        amount = money(approved[item.item_no])
        if amount < 0:
            raise ValidationFailed.on("items", "approved amounts may not be negative", "NEGATIVE")
        result.append(
            AssessmentItem(
                item.item_no,
                item.kind,
                item.description,
                item.quantity,
                item.estimated_amount,
                item.part_number,
                amount,
            )
        )
    return result


def missing_documents(received: dict[str, bool]) -> list[str]:
    return [code for code in INSURANCE_DOCUMENTS if not received.get(code)]


def check_document(code: str) -> None:
    """Only the checklist's documents can be ticked."""
    if code not in INSURANCE_DOCUMENTS:
        raise ValidationFailed.on(
            "code", f"documents are: {', '.join(INSURANCE_DOCUMENTS)}", "UNKNOWN_DOCUMENT"
        )


def documents_may_change(status: str) -> None:
    """The checklist is worked until the insurer paid (or the claim was closed)."""
    if status in ("paid", "closed"):
        next_insurance_status(status, "edit")


def require_documents(received: Mapping[str, bool]) -> None:
    """A claim goes to the insurer with every document in."""
    missing = missing_documents(received)
    if missing:
        raise ValidationFailed(
            f"{len(missing)} document(s) missing", "DOCUMENTS_MISSING", {"documents": missing}
        )


def documents_view(received: Mapping[str, bool] | None) -> dict[str, bool]:
    """Every document of the checklist, received or not."""
    return {code: bool((received or {}).get(code)) for code in INSURANCE_DOCUMENTS}


def insured_amount(totals_by_payer: Mapping[str, str | None]) -> Decimal:
    """What a settled RO bills the insurer."""
    return money(totals_by_payer.get("insurance") or "0")


def is_insured_repair(order_type: str, insured: Decimal) -> bool:
    """An accident RO, or any RO that bills an insurer, belongs to an insurance claim."""
    return order_type == "accident" or insured > 0
