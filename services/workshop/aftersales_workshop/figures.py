"""The technician figures of a period (hours sold, clocked, attended and their ratios,
rework and comeback counts) and the comebacks detected in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from aftersales_contracts.api.pages import page_of
from aftersales_contracts.api.workshop import (
    ComebackOut,
    ComebackQuery,
    WorkshopPeriodFiguresOut,
    WorkshopPeriodQuery,
)
from aftersales_core.clock import day_bounds
from aftersales_core.envelope import as_utc, utcnow
from aftersales_core.pages import page
from aftersales_core.service import query
from aftersales_core.validation import load

from . import domain
from .base import WorkshopBase
from .models import ClockSession, Comeback, Job, Rework, Team, Technician
from .views import comeback_view


class Figures(WorkshopBase):
    def _period(self, raw: dict[str, Any], schema: Any) -> tuple[list, dict[str, Any]]:
        """The period's days (`from`/`to`: INVALID_DATE, PERIOD) and the rest of the query."""
        days = domain.period(raw.get("from"), raw.get("to"))
        return days, load(schema, raw)

    @query
    def figures(self, query: dict[str, Any]) -> dict[str, Any]:
        """Hours sold, clocked and attended per technician, team, site and in total, with
        efficiency, productivity and proficiency, rework and comeback counts."""
        tenant = self.caller.tenant
        period, q = self._period(query, WorkshopPeriodQuery())
        first, last = period[0], period[-1]
        sites = tenant.visible_sites([q["site_id"]] if q["site_id"] else None)
        techs = self._technicians(tenant.group_id, sites)
        ids = [t.technician_id for t in techs]
        start, end = day_bounds(first, last)
        session = self.db.session
        now = utcnow()

        sold: dict[str, list[Decimal]] = defaultdict(list)
        for tech_id, standard in session.execute(
            select(Job.done_by, Job.standard_hours).where(
                Job.done_by.in_(ids), Job.first_done_at >= start, Job.first_done_at < end
            )
        ):
            sold[tech_id].append(standard)
        sessions: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for tech_id, began, ended in session.execute(
            select(
                ClockSession.technician_id, ClockSession.started_at, ClockSession.ended_at
            ).where(
                ClockSession.technician_id.in_(ids),
                ClockSession.started_at >= start,
                ClockSession.started_at < end,
            )
        ):
            sessions[tech_id].append((as_utc(began), as_utc(ended) if ended else now))
        reworks = self._count_by(Rework.technician_id, Rework.at, ids, start, end)
        comebacks = self._count_by(Comeback.technician_id, Comeback.detected_at, ids, start, end)
        recorded = self._recorded_hours(ids, first, last)
        today = domain.local_date(now)
        patterns = {t.site_id: self._pattern(t.site_id) for t in techs}

        per_tech = {}
        for t in techs:
            attended = [
                domain.attended_on(d, patterns[t.site_id], recorded.get((t.technician_id, d)))
                for d in period
                if d <= today  # the future is not attended yet
            ]
            per_tech[t.technician_id] = domain.technician_figures(
                sold[t.technician_id],
                sessions[t.technician_id],
                attended,
                reworks.get(t.technician_id, 0),
                comebacks.get(t.technician_id, 0),
            )
        teams = {
            t.team_id: t
            for t in session.scalars(select(Team).where(Team.group_id == tenant.group_id))
        }

        def grouped(key: Any) -> dict[Any, domain.Figures]:
            found: dict[Any, list[domain.Figures]] = defaultdict(list)
            for t in techs:
                found[key(t)].append(per_tech[t.technician_id])
            return {k: domain.total(v) for k, v in found.items()}

        def person(t: Technician) -> dict[str, Any]:
            return {
                "technician_id": t.technician_id,
                "name": t.name,
                "team_id": t.team_id,
                "site_id": t.site_id,
                **per_tech[t.technician_id].as_dict(),
            }

        by_team = grouped(lambda t: (t.site_id, t.team_id))
        by_site = grouped(lambda t: t.site_id)
        return WorkshopPeriodFiguresOut().dump(
            {
                "date_from": first,
                "date_to": last,
                "technicians": [person(t) for t in techs],
                "teams": [
                    {
                        "team_id": team_id,
                        "name": teams[team_id].name if team_id in teams else None,
                        "site_id": site,
                        **figures.as_dict(),
                    }
                    for (site, team_id), figures in sorted(
                        by_team.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
                    )
                ],
                "sites": [{"site_id": s, **f.as_dict()} for s, f in sorted(by_site.items())],
                "total": domain.total(per_tech.values()).as_dict(),
            }
        )

    def _count_by(
        self, who: Any, when: Any, ids: list[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        return dict(
            self.db.session.execute(
                select(who, func.count())
                .where(who.in_(ids), when >= start, when < end)
                .group_by(who)
            ).all()
        )

    @query
    def list_comebacks(self, query: dict[str, Any]) -> dict[str, Any]:
        """A page of comebacks detected in a period, at (or charged to) the sites you
        see, oldest first."""
        tenant = self.caller.tenant
        period, q = self._period(query, ComebackQuery())
        sites = tenant.visible_sites([q["site_id"]] if q["site_id"] else None)
        start, end = day_bounds(period[0], period[-1])
        stmt = select(Comeback).where(
            Comeback.group_id == tenant.group_id,
            Comeback.detected_at >= start,
            Comeback.detected_at < end,
        )
        if sites is not None:
            stmt = stmt.where(
                or_(Comeback.site_id.in_(sites), Comeback.original_site_id.in_(sites))
            )
        result = page(
            self.db.session,
            stmt,
            (Comeback.detected_at, Comeback.order_id),
            limit=q["limit"],
            cursor=q["cursor"],
            dump=comeback_view,
            descending=False,
        )
        return page_of(ComebackOut)().dump(result)
