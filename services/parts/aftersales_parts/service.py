"""Parts' nameko service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from aftersales_core.service import ServiceBase, command, query
from aftersales_core.validation import load

from .models import Part
from .schemas import PartOut, ReferenceDataIn


class PartsService(ServiceBase):
    name = "parts"

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's parts catalog (idempotent; used by `aftersales seed`)."""
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        self.caller.tenant.require_group_loader(group_id)
        added = 0
        for part in fields["parts"]:
            if self.db.session.get(Part, (group_id, part["part_number"])) is None:
                self.db.session.add(Part(group_id=group_id, **part))
                added += 1
        return {"parts": added}

    @query
    def list_parts(self) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        rows = self.db.session.scalars(
            select(Part).where(Part.group_id == tenant.group_id).order_by(Part.part_number)
        ).all()
        return PartOut(many=True).dump(rows)
