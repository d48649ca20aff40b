"""Workshop's nameko service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
            for row in fields[rows]:
                if session.get(model, row[key]) is None:
                    session.add(model(group_id=group_id, **row))
                    counts[rows] += 1
            session.flush()
        return counts

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
