"""The customer-care figures of a site and period (domain.md "Figures the industry
uses"), counted from plain facts so that a total pools the facts of every site."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aftersales_contracts.api.customer_care import SURVEY_FACTORS
from aftersales_contracts.customer_care import SATISFACTION
from aftersales_contracts.vocabulary import COMPLAINT_CLASSIFICATIONS

from .complaints import ComplaintState
from .followups import MANDATORY_CLASSES, ONE_DECIMAL, Survey


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage to 0.1, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / denominator).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def mean(values: Sequence[Decimal | int]) -> Decimal | None:
    if not values:
        return None
    total = sum((Decimal(v) for v in values), Decimal(0))
    return (total / len(values)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FollowupFact:
    """One delivery's follow-up, as far as the figures need it."""

    customer_class: str | None
    status: str
    attempts: int
    deadline: datetime
    done_at: datetime | None
    satisfaction: str | None = None
    scores: Mapping[str, int] = field(default_factory=dict)
    would_recommend: int | None = None

    @property
    def on_time(self) -> bool:
        return self.status == "done" and self.done_at is not None and self.done_at <= self.deadline


@dataclass(frozen=True)
class ComplaintFact:
    received_in_period: bool
    closed_in_period: bool
    status: str
    valid: bool | None
    classification: str | None
    escalated: bool


def care_figures(
    *,
    followups: Sequence[FollowupFact],
    complaints: Sequence[ComplaintFact],
    orders: int,
    churn_counts: tuple[int, int],
    loyal_customers: int,
    now: datetime,
) -> dict[str, Any]:
    """The customer-care figures of one site (or several: pass their facts together).

    Definitions (domain.md): follow-ups done within 72 h ÷ deliveries; reach
    rate = follow-ups reached ÷ follow-ups attempted; CSI = the mean survey index
    (mean factor score × 10, 0-100); complaint rate = complaints ÷ 100 ROs;
    churn = customers lost in the period ÷ active customers at its start.
    """
    deliveries = len(followups)
    members = [f for f in followups if f.customer_class in MANDATORY_CLASSES]
    attempted = [f for f in followups if f.attempts > 0]
    reached = [f for f in followups if f.status == "done"]
    on_time = [f for f in followups if f.on_time]
    surveys = [Survey(dict(f.scores), f.would_recommend) for f in reached if f.scores]
    indexes = [s.index for s in surveys if s.index is not None]
    recommend = [f.would_recommend for f in reached if f.would_recommend is not None]
    promoters = sum(1 for r in recommend if r >= 9)
    detractors = sum(1 for r in recommend if r <= 6)
    satisfaction = Counter(f.satisfaction for f in reached if f.satisfaction)
    raised = [c for c in complaints if c.received_in_period]
    closed = [c for c in complaints if c.closed_in_period and c.status == ComplaintState.CLOSED]
    by_category = Counter(c.classification for c in closed if c.valid and c.classification)
    lost, active = churn_counts
    return {
        "followups": {
            "deliveries": deliveries,
            "done_within_72h": len(on_time),
            "done_within_72h_rate": rate(len(on_time), deliveries),
            "member_deliveries": len(members),
            "member_done_within_72h": sum(1 for f in members if f.on_time),
            "member_done_within_72h_rate": rate(sum(1 for f in members if f.on_time), len(members)),
            "attempted": len(attempted),
            "reached": len(reached),
            "reach_rate": rate(len(reached), len(attempted)),
            "unreachable": sum(1 for f in followups if f.status == "unreachable"),
            "open": sum(1 for f in followups if f.status == "open"),
            "overdue": sum(1 for f in followups if f.status == "open" and now > f.deadline),
            "satisfaction": {s: satisfaction.get(s, 0) for s in SATISFACTION},
        },
        "csi": {
            "surveys": len(surveys),
            "csi": mean(indexes),
            "factors": {
                factor: mean([s.scores[factor] for s in surveys if factor in s.scores])
                for factor in SURVEY_FACTORS
            },
            "would_recommend_answers": len(recommend),
            # % promoters (9-10) minus % detractors (0-6), -100..100
            "net_promoter_score": rate(promoters - detractors, len(recommend)),
        },
        "complaints": {
            "raised": len(raised),
            "repair_orders": orders,
            "per_100_repair_orders": (
                (Decimal(len(raised)) * 100 / orders).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                )
                if orders
                else None
            ),
            "closed": len(closed),
            "closed_invalid": sum(1 for c in closed if c.valid is False),
            "by_category": {k: by_category[k] for k in COMPLAINT_CLASSIFICATIONS if by_category[k]},
            "escalated": sum(1 for c in raised if c.escalated),
            "open": sum(1 for c in raised if c.status != ComplaintState.CLOSED),
        },
        "customers": {
            "active_at_start": active,
            "lost": lost,
            "churn_rate": rate(lost, active),
            "loyal": loyal_customers,
        },
    }
