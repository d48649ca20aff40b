"""The figures claims reports: warranty (first-pass approval, rejections by reason,
days to payment, claimed vs paid) and the insurer share of accident repairs."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .common import HOURS_STEP, decimal_text, money, ratio
from .warranty import APPROVED_OUTCOMES, days_to_payment


@dataclass(frozen=True)
class DecisionRecord:
    submission_count: int
    outcome: str
    reason_code: str | None


@dataclass(frozen=True)
class ClaimRecord:
    """A submitted claim, as the figures see it."""

    claim_id: str
    site_id: str
    first_submitted_on: date
    claimed_amount: Decimal
    approved_amount: Decimal | None
    paid_amount: Decimal | None
    paid_on: date | None
    decisions: tuple[DecisionRecord, ...] = ()


def warranty_figures(records: Sequence[ClaimRecord]) -> dict[str, Any]:
    """The warranty figures of the claims first submitted in a period.

    - first-pass approval rate = claims approved (fully or partly) on their first
      submission ÷ claims submitted;
    - rejection rate by reason = rejections with that reason code ÷ decisions
      received for those claims (every submission is decided once);
    - days to payment = calendar days from first submission to the credit, per
      paid claim (average and longest);
    - claimed vs paid = the claims' current claimed amounts against the amounts
      approved and credited.
    """
    submitted = len(records)
    first_pass = sum(
        1
        for r in records
        if any(d.submission_count == 1 and d.outcome in APPROVED_OUTCOMES for d in r.decisions)
    )
    decisions = [d for r in records for d in r.decisions]
    rejections = Counter(d.reason_code or "" for d in decisions if d.outcome == "rejected")
    paid = [r for r in records if r.paid_on is not None]
    days = [days_to_payment(r.first_submitted_on, r.paid_on) for r in paid if r.paid_on]
    claimed = money(sum((r.claimed_amount for r in records), Decimal("0")))
    approved = money(sum((r.approved_amount or Decimal("0") for r in records), Decimal("0")))
    paid_total = money(sum((r.paid_amount or Decimal("0") for r in paid), Decimal("0")))
    average = (
        (Decimal(sum(days)) / len(days)).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)
        if days
        else None
    )
    return {
        "claims_submitted": submitted,
        "first_pass_approved": first_pass,
        "first_pass_approval_rate": decimal_text(ratio(first_pass, submitted)),
        "decisions": len(decisions),
        "rejections": sum(rejections.values()),
        "rejection_rate": decimal_text(ratio(sum(rejections.values()), len(decisions))),
        "rejections_by_reason": [
            {
                "reason_code": code,
                "count": count,
                "rate": decimal_text(ratio(count, len(decisions))),
            }
            for code, count in sorted(rejections.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "claims_paid": len(paid),
        "average_days_to_payment": decimal_text(average),
        "max_days_to_payment": max(days) if days else None,
        "claimed_amount": str(claimed),
        "approved_amount": str(approved),
        "paid_amount": str(paid_total),
        "paid_share": decimal_text(ratio(paid_total, claimed)),
    }


def figures_by_site(records: Sequence[ClaimRecord]) -> dict[str, Any]:
    """Each site's figures side by side, and the total over them."""
    sites: dict[str, list[ClaimRecord]] = defaultdict(list)
    for record in records:
        sites[record.site_id].append(record)
    return {
        "sites": {site: warranty_figures(rows) for site, rows in sorted(sites.items())},
        "total": warranty_figures(records),
    }


@dataclass(frozen=True)
class InsuredRepair:
    site_id: str
    insurer: str
    repair_amount: Decimal


@dataclass
class _Share:
    repairs: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0"))


def _shares(rows: Sequence[InsuredRepair]) -> list[dict[str, Any]]:
    by_insurer: dict[str, _Share] = defaultdict(_Share)
    for row in rows:
        by_insurer[row.insurer].repairs += 1
        by_insurer[row.insurer].amount += row.repair_amount
    total_repairs = len(rows)
    total_amount = sum((r.repair_amount for r in rows), Decimal("0"))
    return [
        {
            "insurer": insurer,
            "repairs": share.repairs,
            "share": decimal_text(ratio(share.repairs, total_repairs)),
            "amount": str(money(share.amount)),
            "amount_share": decimal_text(ratio(share.amount, total_amount)),
        }
        for insurer, share in sorted(by_insurer.items(), key=lambda kv: (-kv[1].repairs, kv[0]))
    ]


def insurer_share(rows: Sequence[InsuredRepair]) -> dict[str, Any]:
    """The period's accident repairs per insurer: count and amount, and each one's share,
    per site and over all the sites given (the report due by the 5th)."""
    sites: dict[str, list[InsuredRepair]] = defaultdict(list)
    for row in rows:
        sites[row.site_id].append(row)
    return {
        "sites": {
            site: {"repairs": len(items), "insurers": _shares(items)}
            for site, items in sorted(sites.items())
        },
        "total": {"repairs": len(rows), "insurers": _shares(rows)},
    }
