"""Follow-ups (回访): when the call after a delivery is due, what an attempt does, and
the satisfaction survey taken on a reached call."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from aftersales_contracts.api.customer_care import ATTEMPT_OUTCOMES, SURVEY_FACTORS
from aftersales_contracts.customer_care import SATISFACTION
from aftersales_core.errors import Conflict, ValidationFailed

from .policy import CarePolicy, aware, is_int_in, next_call_time

# Members are followed up without exception (seeds: 必须保证会员客户的100%的回访).
MANDATORY_CLASSES = frozenset({"member"})
FOLLOWUP_WINDOW = timedelta(hours=72)
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class FollowupSchedule:
    due_at: datetime  # when the call is planned: never at a rest time
    deadline: datetime  # delivery + 72 hours: the follow-up counts as on time until then
    mandatory: bool  # members: 100 % followed up


def followup_schedule(
    delivered_at: datetime, customer_class: str | None, policy: CarePolicy
) -> FollowupSchedule:
    """When to call after a delivery.

    A day after delivery (`first_call_after_hours`), moved to the next allowed
    instant; if rest times push that past the 72 hours, the first allowed instant
    after a short gap instead (the customer still gets the call inside the window
    where one exists). A customer of unknown class is treated as a member: better
    one call too many than a member missed.
    """
    delivered_at = aware(delivered_at, "delivered_at").astimezone(UTC)
    deadline = delivered_at + FOLLOWUP_WINDOW
    due_at = next_call_time(delivered_at + timedelta(hours=policy.first_call_after_hours), policy)
    if due_at >= deadline:
        due_at = next_call_time(delivered_at + timedelta(hours=policy.min_call_gap_hours), policy)
    mandatory = customer_class is None or customer_class in MANDATORY_CLASSES
    return FollowupSchedule(due_at, deadline, mandatory)


# ---------------------------------------------------------------- follow-up attempts


@dataclass(frozen=True)
class Survey:
    """The satisfaction survey taken on a reached follow-up call."""

    scores: Mapping[str, int]  # factor -> 1..10
    would_recommend: int | None = None  # 0..10

    def __post_init__(self) -> None:
        problems = {}
        unknown = sorted(set(self.scores) - set(SURVEY_FACTORS))
        if unknown:
            problems["scores"] = [f"unknown factors: {', '.join(unknown)}"]
        bad = sorted(k for k, v in self.scores.items() if not is_int_in(v, 1, 10))
        if bad:
            problems["scores"] = [f"scores are whole numbers 1-10: {', '.join(bad)}"]
        if self.would_recommend is not None and not is_int_in(self.would_recommend, 0, 10):
            problems["would_recommend"] = ["a whole number 0-10"]
        if problems:
            raise ValidationFailed("the survey is invalid", "INVALID_SURVEY", problems)

    @property
    def index(self) -> Decimal | None:
        """This survey's satisfaction index, 0-100: the mean factor score times ten."""
        if not self.scores:
            return None
        mean = Decimal(sum(self.scores.values())) / len(self.scores)
        return (mean * 10).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AttemptResult:
    """What a recorded attempt does to its follow-up."""

    status: str  # open / done / unreachable
    attempts: int
    next_attempt_at: datetime | None
    opens_complaint: bool  # unsatisfied: a complaint (or an escalation of an open one)
    escalate_at_once: bool  # the customer threatens to go further (OEM hotline, media)


def record_attempt(
    *,
    status: str,
    attempts: int,
    outcome: str,
    at: datetime,
    policy: CarePolicy,
    satisfaction: str | None = None,
    at_risk: bool = False,
    callback_at: datetime | None = None,
) -> AttemptResult:
    """Apply one call attempt to a follow-up.

    Not reached: another attempt after `retry_after_hours` (or when the customer
    asked to be called back), never at a rest time; after `max_attempts` the
    follow-up is closed as unreachable. Reached: done, with a satisfaction;
    unsatisfied opens a complaint, and a customer at risk escalates at once.
    """
    if status != "open":
        raise Conflict(
            f"the follow-up is {status}; no more attempts",
            "ILLEGAL_TRANSITION",
            {"status": [status]},
        )
    if outcome not in ATTEMPT_OUTCOMES:
        raise ValidationFailed.on("outcome", f"one of {', '.join(ATTEMPT_OUTCOMES)}")
    attempts += 1
    if outcome == "reached":
        if satisfaction not in SATISFACTION:
            raise ValidationFailed.on(
                "satisfaction", f"a reached customer is {', '.join(SATISFACTION)}"
            )
        unsatisfied = satisfaction == "unsatisfied"
        return AttemptResult("done", attempts, None, unsatisfied or at_risk, at_risk)
    if satisfaction is not None:
        raise ValidationFailed.on("satisfaction", "only a reached customer has a satisfaction")
    if attempts >= policy.max_attempts:
        return AttemptResult("unreachable", attempts, None, False, False)
    if callback_at is not None:
        if callback_at <= at:
            raise ValidationFailed.on("callback_at", "a call-back time lies in the future")
        next_at = callback_at.astimezone(UTC)  # the customer chose it: keep it
    else:
        next_at = next_call_time(at + timedelta(hours=policy.retry_after_hours), policy)
    return AttemptResult("open", attempts, next_at, False, False)
