"""The customer-care figures per site and period, and their total (HQ: every site):
follow-ups within 72 h, reach rate, CSI, complaints per 100 ROs and by category, churn.

A mixin of `CustomerCareService`: the RPC here is the service's.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from aftersales_contracts.api.customer_care import CareFiguresReportOut, CarePeriodQuery
from aftersales_core.envelope import as_utc, utcnow
from aftersales_core.service import query
from aftersales_core.validation import load

from . import domain
from .adapters import maybe_utc
from .domain import CarePolicy, ComplaintFact, FollowupFact
from .models import (
    Agent,
    ArchiveCustomer,
    ComplaintRow,
    Followup,
    SettledOrder,
    Visit,
)
from .records import CareRecords


class Figures(CareRecords):
    @query
    def figures(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Customer-care figures per site and period, and their total (HQ: every site).

        `from` and `to` are local dates, both included; the default is this month.
        """
        tenant = self.caller.tenant
        wanted = load(CarePeriodQuery(), filters or {})
        sites = self._figure_sites(wanted.get("site_id"))
        now = utcnow()
        per_site = []
        pooled: dict[str, list[Any]] = defaultdict(list)
        orders = lost = active = loyal = 0
        period: tuple[datetime, datetime] | None = None
        for site_id in sites:
            start, end = self._period(wanted, site_id)
            period = period or (start, end)
            facts = self._site_facts(tenant.group_id, site_id, start, end, self._policy(site_id))
            per_site.append({"site_id": site_id, **domain.care_figures(**facts, now=now)})
            pooled["followups"].extend(facts["followups"])
            pooled["complaints"].extend(facts["complaints"])
            orders += facts["orders"]
            lost += facts["churn_counts"][0]
            active += facts["churn_counts"][1]
            loyal += facts["loyal_customers"]
        total = domain.care_figures(
            followups=pooled["followups"],
            complaints=pooled["complaints"],
            orders=orders,
            churn_counts=(lost, active),
            loyal_customers=loyal,
            now=now,
        )
        first = sites[0] if sites else None
        start, end = period or self._period(wanted, first)
        policy = self._policy(first)
        return CareFiguresReportOut().dump(
            {
                "date_from": domain.local_date(start, policy),
                "date_to": domain.local_date(end, policy) - timedelta(days=1),
                "sites": per_site,
                "total": total,
            }
        )

    def _figure_sites(self, site_id: str | None) -> list[str]:
        """The sites a figures query covers: one, the caller's, or (HQ) every known one."""
        tenant = self.caller.tenant
        sites = self._sites_of(site_id)
        if sites is not None:
            return sorted(sites)
        known: set[str] = set()
        for model in (ArchiveCustomer, Followup, ComplaintRow, SettledOrder, Agent, Visit):
            known.update(
                self.db.session.scalars(
                    select(model.site_id).where(model.group_id == tenant.group_id).distinct()
                )
            )
        known.update(tenant.site_ids)
        return sorted(known)

    def _period(
        self, wanted: dict[str, Any], site_id: str | None, default_months: int | None = None
    ) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the query's local dates at this site."""
        return domain.report_period(
            wanted.get("date_from"),
            wanted.get("date_to"),
            self._policy(site_id),
            utcnow(),
            default_months,
        )

    def _site_facts(
        self, group_id: str, site_id: str, start: datetime, end: datetime, policy: CarePolicy
    ) -> dict[str, Any]:
        """The raw facts of one site and period that `domain.care_figures` counts."""
        session = self.db.session
        followups = [
            FollowupFact(
                customer_class=f.customer_class,
                status=f.status,
                attempts=f.attempts,
                deadline=as_utc(f.deadline),
                done_at=maybe_utc(f.done_at),
                satisfaction=f.satisfaction,
                scores=f.scores or {},
                would_recommend=f.would_recommend,
            )
            for f in session.scalars(
                select(Followup).where(
                    Followup.group_id == group_id,
                    Followup.site_id == site_id,
                    Followup.delivered_at >= start,
                    Followup.delivered_at < end,
                )
            )
        ]
        complaints = []
        for c in session.scalars(
            select(ComplaintRow).where(
                ComplaintRow.group_id == group_id,
                ComplaintRow.site_id == site_id,
                or_(
                    (ComplaintRow.received_at >= start) & (ComplaintRow.received_at < end),
                    (ComplaintRow.closed_at >= start) & (ComplaintRow.closed_at < end),
                ),
            )
        ):
            received = as_utc(c.received_at)
            closed = maybe_utc(c.closed_at)
            complaints.append(
                ComplaintFact(
                    received_in_period=start <= received < end,
                    closed_in_period=closed is not None and start <= closed < end,
                    status=c.status,
                    valid=c.valid,
                    classification=c.classification,
                    escalated=(c.escalation_level or 0) > 0,
                )
            )
        orders = session.scalar(
            select(func.count()).where(
                SettledOrder.group_id == group_id,
                SettledOrder.site_id == site_id,
                SettledOrder.settled_at >= start,
                SettledOrder.settled_at < end,
            )
        )
        # Activity per customer of the site: registration and every visit.
        activity: dict[str, list[datetime]] = defaultdict(list)
        for customer_id, registered_at in session.execute(
            select(ArchiveCustomer.customer_id, ArchiveCustomer.registered_at).where(
                ArchiveCustomer.group_id == group_id, ArchiveCustomer.site_id == site_id
            )
        ):
            activity[customer_id].append(as_utc(registered_at))
        visits: dict[str, list[datetime]] = defaultdict(list)
        for customer_id, delivered_at in session.execute(
            select(Visit.customer_id, Visit.delivered_at).where(
                Visit.group_id == group_id, Visit.site_id == site_id, Visit.delivered_at < end
            )
        ):
            activity[customer_id].append(as_utc(delivered_at))
            visits[customer_id].append(as_utc(delivered_at))
        return {
            "followups": followups,
            "complaints": complaints,
            "orders": orders or 0,
            "churn_counts": domain.churn(activity, start, end, policy),
            "loyal_customers": sum(
                1 for times in visits.values() if domain.loyal(times, start, end, policy)
            ),
        }
