"""Customers: agents balanced by load, lost customers and vehicles, churn, loyalty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from .policy import CarePolicy, add_months


def pick_agent(load: Mapping[str, int]) -> str | None:
    """The agent with the fewest customers (ties: the first by id); None without agents."""
    if not load:
        return None
    return min(load, key=lambda agent: (load[agent], agent))


def balance(load: Mapping[str, int], newcomers: Sequence[str]) -> dict[str, str]:
    """Assign each newcomer to the least-loaded agent, one at a time."""
    counts = dict(load)
    assigned: dict[str, str] = {}
    for customer in newcomers:
        agent = pick_agent(counts)
        if agent is None:
            break
        assigned[customer] = agent
        counts[agent] += 1
    return assigned


# ---------------------------------------------------------------- lost and loyal


def lost_since(last_activity: datetime, policy: CarePolicy) -> datetime:
    """When a customer or vehicle with this last activity counts as lost."""
    local = last_activity.astimezone(policy.tz)
    return datetime.combine(
        add_months(local.date(), policy.lost_after_months), local.timetz()
    ).astimezone(UTC)


def is_lost(last_activity: datetime, now: datetime, policy: CarePolicy) -> bool:
    return lost_since(last_activity, policy) <= now


def churn(
    activity: Mapping[str, Sequence[datetime]],
    start: datetime,
    end: datetime,
    policy: CarePolicy,
) -> tuple[int, int]:
    """(customers lost in [start, end), customers active at start).

    A customer is active at an instant when their last activity (a visit, or
    their registration) lies less than `lost_after_months` before it; they are
    lost in the period when active at its start and lost by its end with no
    activity in between.
    """
    active = lost = 0
    for times in activity.values():
        before_start = [t for t in times if t <= start]
        if not before_start or is_lost(max(before_start), start, policy):
            continue
        active += 1
        before_end = [t for t in times if t < end]
        if is_lost(max(before_end), end, policy):
            lost += 1
    return lost, active


def loyal(visits: Sequence[datetime], start: datetime, end: datetime, policy: CarePolicy) -> bool:
    """Loyal: at least `loyal_min_visits` visits in the period (seeds: 回厂次数)."""
    return sum(1 for v in visits if start <= v < end) >= policy.loyal_min_visits
