"""Workshop's nameko service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aftersales_core.errors import ValidationFailed
from aftersales_core.service import ServiceBase, command, query
from aftersales_core.validation import load

from .models import Team, Technician
from .schemas import ReferenceDataIn, TechnicianOut


class WorkshopService(ServiceBase):
    name = "workshop"

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's teams and technicians (idempotent; used by `aftersales seed`)."""
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        self.caller.tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"teams": 0, "technicians": 0}
        for model, key, rows in (
            (Team, "team_id", "teams"),
            (Technician, "technician_id", "technicians"),
        ):
            for index, row in enumerate(fields[rows]):
                if model is Technician:
                    self._check_team(group_id, index, row)
                if session.get(model, row[key]) is None:
                    session.add(model(group_id=group_id, **row))
                    counts[rows] += 1
            session.flush()
        return counts

    def _check_team(self, group_id: str, index: int, technician: dict[str, Any]) -> None:
        """A technician's team must be a team of the same group and site."""
        team_id = technician.get("team_id")
        if not team_id:
            return
        team = self.db.session.get(Team, team_id)
        if team is None or (team.group_id, team.site_id) != (group_id, technician["site_id"]):
            message = f"team {team_id} is not a team of site {technician['site_id']}"
            raise ValidationFailed(
                message, "UNKNOWN_TEAM", {"technicians": {index: {"team_id": [message]}}}
            )

    @query
    def list_technicians(self, site_id: str) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        rows = self.db.session.scalars(
            select(Technician)
            .where(Technician.group_id == tenant.group_id, Technician.site_id == site_id)
            .order_by(Technician.technician_id)
        ).all()
        return TechnicianOut(many=True).dump(rows)
