"""The dispatch board: the site's people, teams and bays, its jobs by column, the
suggestions for a job, and dispatch (the job document carries an ETag)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from aftersales_contracts.api.pages import page_of
from aftersales_contracts.api.workshop import (
    DispatchBoardOut,
    DispatchIn,
    DispatchSuggestionOut,
    JobOut,
    JobQuery,
    MyJobQuery,
    TechnicianOut,
    TechnicianQuery,
    WorkshopBayOut,
    WorkshopBayQuery,
    WorkshopReferenceCountsOut,
    WorkshopReferenceDataIn,
    WorkshopTeamOut,
    WorkshopTeamQuery,
)
from aftersales_core.envelope import utcnow
from aftersales_core.etag import require_match
from aftersales_core.pages import page
from aftersales_core.service import command, query
from aftersales_core.validation import load

from . import domain, events
from .base import WorkshopBase
from .models import AdditionalWork, Bay, ClockSession, Job, Order, Team, Technician
from .views import bay_view, technician_view, work_view

JobPage = page_of(JobOut)


class Board(WorkshopBase):
    # ---------------------------------------------------------------- reference data
    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's teams, technicians and bays (idempotent; used by `aftersales seed`)."""
        fields = load(WorkshopReferenceDataIn(), data)
        group_id = fields["group_id"]
        self.caller.tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"teams": 0, "technicians": 0, "bays": 0}
        for model, key, rows in (
            (Team, "team_id", "teams"),
            (Technician, "technician_id", "technicians"),
            (Bay, "bay_id", "bays"),
        ):
            for index, row in enumerate(fields[rows]):
                if model is Technician and row.get("team_id"):
                    team = session.get(Team, row["team_id"])
                    domain.check_reference_team(
                        index,
                        (group_id, row["site_id"]),
                        row["team_id"],
                        (team.group_id, team.site_id) if team else None,
                    )
                existing = session.get(model, row[key])
                if existing is None:
                    session.add(model(group_id=group_id, **row))
                    counts[rows] += 1
                elif model is Team and row.get("leader_id") and existing.leader_id is None:
                    existing.leader_id = row["leader_id"]  # a leader named on a later load
            session.flush()
        return WorkshopReferenceCountsOut().dump(counts)

    # ---------------------------------------------------------------- people, teams, bays
    @query
    def list_technicians(self, site_id: str, query: dict[str, Any] | None = None) -> dict:
        """A page of a site's technicians, by id; filters: team, grade."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        q = load(TechnicianQuery(), query or {})
        stmt = select(Technician).where(
            Technician.group_id == tenant.group_id, Technician.site_id == site_id
        )
        if q["team_id"]:
            stmt = stmt.where(Technician.team_id == q["team_id"])
        if q["grade"]:
            stmt = stmt.where(Technician.grade == q["grade"])
        result = page(
            self.db.session,
            stmt,
            (Technician.technician_id,),
            limit=q["limit"],
            cursor=q["cursor"],
            dump=technician_view,
            descending=False,
        )
        return page_of(TechnicianOut)().dump(result)

    @query
    def list_teams(self, site_id: str, query: dict[str, Any] | None = None) -> dict:
        """A page of a site's teams with who leads each and who is in it."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        q = load(WorkshopTeamQuery(), query or {})
        stmt = select(Team).where(Team.group_id == tenant.group_id, Team.site_id == site_id)
        result = page(
            self.db.session,
            stmt,
            (Team.team_id,),
            limit=q["limit"],
            cursor=q["cursor"],
            dump=lambda team: team,
            descending=False,
        )
        members: dict[str, list[Technician]] = defaultdict(list)
        for tech in self._technicians(tenant.group_id, [site_id]):
            if tech.team_id:
                members[tech.team_id].append(tech)
        names = {t.technician_id: t.name for ts in members.values() for t in ts}
        result["items"] = [
            {
                "team_id": team.team_id,
                "site_id": team.site_id,
                "name": team.name,
                "leader_id": team.leader_id,
                "leader_name": names.get(team.leader_id) if team.leader_id else None,
                "technician_ids": [t.technician_id for t in members[team.team_id]],
            }
            for team in result["items"]
        ]
        return page_of(WorkshopTeamOut)().dump(result)

    @query
    def list_bays(self, site_id: str, query: dict[str, Any] | None = None) -> dict:
        """A page of a site's bays (lifts, the alignment rig, a paint booth)."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        q = load(WorkshopBayQuery(), query or {})
        stmt = select(Bay).where(Bay.group_id == tenant.group_id, Bay.site_id == site_id)
        if q["kind"]:
            stmt = stmt.where(Bay.kind == q["kind"])
        result = page(
            self.db.session,
            stmt,
            (Bay.bay_id,),
            limit=q["limit"],
            cursor=q["cursor"],
            dump=bay_view,
            descending=False,
        )
        return page_of(WorkshopBayOut)().dump(result)

    # ---------------------------------------------------------------- the board and jobs
    @query
    def dispatch_board(self, site_id: str) -> dict[str, Any]:
        """Every job of a site's ROs still in the workshop, by column, and the
        additional work waiting for customers' answers."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        jobs = list(
            self.db.session.scalars(
                select(Job)
                .join(Order, Order.order_id == Job.order_id)
                .where(
                    Job.group_id == tenant.group_id,
                    Job.site_id == site_id,
                    Order.delivered_at.is_(None),
                    Order.cancelled_at.is_(None),
                    Job.status != domain.CANCELLED,
                )
                .order_by(Job.created_at, Job.job_id)
            )
        )
        columns: dict[str, list[dict[str, Any]]] = {s: [] for s in domain.BOARD_COLUMNS}
        for view in self._job_views(jobs):
            columns[view["status"]].append(view)
        waiting = self.db.session.scalars(
            select(AdditionalWork)
            .join(Order, Order.order_id == AdditionalWork.order_id)
            .where(
                AdditionalWork.group_id == tenant.group_id,
                AdditionalWork.site_id == site_id,
                AdditionalWork.status == "awaiting_approval",
                Order.delivered_at.is_(None),
                Order.cancelled_at.is_(None),
            )
            .order_by(AdditionalWork.found_at)
        ).all()
        return DispatchBoardOut().dump(
            {
                "site_id": site_id,
                "columns": columns,
                "counts": {status: len(items) for status, items in columns.items()},
                "awaiting_approval": [work_view(w) for w in waiting],
            }
        )

    @query
    def list_jobs(self, site_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """A page of a site's jobs, newest first; filters: status, technician, team,
        RO, planned date `from`/`to`."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        q = load(JobQuery(), query or {})
        stmt = select(Job).where(Job.group_id == tenant.group_id, Job.site_id == site_id)
        for column, key in (
            (Job.status, "status"),
            (Job.technician_id, "technician_id"),
            (Job.team_id, "team_id"),
            (Job.order_id, "order_id"),
        ):
            if q[key]:
                stmt = stmt.where(column == q[key])
        if q["date_from"]:
            stmt = stmt.where(Job.planned_date >= q["date_from"])
        if q["date_to"]:
            stmt = stmt.where(Job.planned_date <= q["date_to"])
        return self._job_page(stmt, q)

    @query
    def my_jobs(self, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """The signed-in technician's jobs (dispatched to them, or to their team with
        nobody named yet), newest first; without `status`, those still to finish."""
        tenant = self.caller.tenant
        tenant.require_role(*domain.TIME_ROLES)
        q = load(MyJobQuery(), query or {})
        me = self.db.session.get(Technician, tenant.user_id)
        mine = Job.technician_id == tenant.user_id
        if me is not None and me.team_id:
            mine = or_(mine, (Job.technician_id.is_(None)) & (Job.team_id == me.team_id))
        stmt = select(Job).where(Job.group_id == tenant.group_id, mine)
        if q["status"]:
            stmt = stmt.where(Job.status == q["status"])
        else:
            stmt = stmt.where(Job.status.not_in(domain.CLOSED))
        visible = tenant.visible_sites()
        if visible is not None:
            stmt = stmt.where(Job.site_id.in_(visible))
        return self._job_page(stmt, q)

    def _job_page(self, stmt: Any, q: dict[str, Any]) -> dict[str, Any]:
        result = page(
            self.db.session,
            stmt,
            (Job.created_at, Job.job_id),
            limit=q["limit"],
            cursor=q["cursor"],
            dump=lambda job: job,
        )
        result["items"] = self._job_views(result["items"])
        return JobPage().dump(result)

    @query
    def get_job(self, job_id: str) -> dict[str, Any]:
        """A job with its history, clock sessions and checks (the ETag's document)."""
        return self._job_document(self._job(job_id))

    @query
    def suggest_dispatch(self, job_id: str) -> dict[str, Any]:
        """Technicians ranked for a job: the skill it needs, present today, least loaded."""
        job = self._job(job_id)
        session = self.db.session
        techs = self._technicians(job.group_id, [job.site_id])
        ids = [t.technician_id for t in techs]
        load_hours: dict[str, Decimal] = defaultdict(lambda: domain.ZERO)
        for tech_id, standard in session.execute(
            select(Job.technician_id, Job.standard_hours).where(
                Job.technician_id.in_(ids),
                Job.status.in_((domain.ASSIGNED, domain.IN_PROGRESS, domain.PAUSED)),
                Job.job_id != job.job_id,
            )
        ):
            load_hours[tech_id] += standard
        busy = dict(
            session.execute(
                select(ClockSession.technician_id, ClockSession.job_id).where(
                    ClockSession.technician_id.in_(ids), ClockSession.ended_at.is_(None)
                )
            ).all()
        )
        today = domain.local_date(utcnow())
        pattern = self._pattern(job.site_id)
        recorded = self._recorded_hours(ids, today, today)
        skill = domain.job_skill(job.skill, job.operation_code)
        ranked = domain.suggest(
            skill,
            [
                domain.Candidate(
                    t.technician_id,
                    t.name,
                    t.team_id,
                    tuple(t.skills or ()),
                    t.grade,
                    load_hours[t.technician_id],
                    domain.attended_on(today, pattern, recorded.get((t.technician_id, today))),
                    busy.get(t.technician_id),
                )
                for t in techs
            ],
        )
        return DispatchSuggestionOut().dump(
            {
                "job_id": job.job_id,
                "skill": skill,
                "team_id": ranked[0].team_id if ranked else None,
                "technicians": [vars(s) for s in ranked],
            }
        )

    # ---------------------------------------------------------------- dispatch
    @command
    def dispatch(self, job_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Assign a job to a technician and/or team; a re-dispatch keeps the history.

        With `If-Match`, refused (412) when the job changed since it was read.
        """
        tenant = self.caller.tenant
        tenant.require_role(*domain.DISPATCH_ROLES)
        fields = load(DispatchIn(), data)
        job = self._job(job_id, lock=True)
        require_match(self.caller.context, self._job_document(job))
        session = self.db.session
        where = (job.group_id, job.site_id)
        technician = (
            self._site_technician(job, fields["technician_id"]) if fields["technician_id"] else None
        )
        team = session.get(Team, fields["team_id"]) if fields["team_id"] else None
        team_id = domain.dispatch_team(
            technician.team_id if technician else None,
            technician is not None,
            fields["team_id"],
            (team.group_id, team.site_id) if team else None,
            where,
        )
        own = session.get(Technician, tenant.user_id)
        domain.check_leader_dispatch(tenant.roles, own.team_id if own else None, team_id)
        if fields["bay_id"]:
            bay = session.get(Bay, fields["bay_id"])
            domain.require_site_member(
                (bay.group_id, bay.site_id) if bay else None, where, "bay_id", "bay", "UNKNOWN_BAY"
            )
            job.bay_id = fields["bay_id"]
        before = self._state(job)
        after = domain.dispatch(before, technician.technician_id if technician else None, team_id)
        if fields["planned_date"]:
            job.planned_date = fields["planned_date"]
        action = "dispatched" if before.status == domain.UNASSIGNED else "redispatched"
        self._apply(job, after)
        self._history(
            job,
            action,
            before.status,
            {
                "technician_id": after.technician_id,
                "team_id": after.team_id,
                "previous_technician_id": before.technician_id,
                "previous_team_id": before.team_id,
                "bay_id": job.bay_id,
                "planned_date": job.planned_date.isoformat(),
                "note": fields["note"],
            },
        )
        self._publish("job_dispatched", job, events.job_dispatched(job, tenant.user_id))
        return self._job_document(job)
