"""What claims judges by: the OEMs' warranty terms, the labor-time catalog, coverage
of a repair, and the recalls and campaigns the OEMs sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from aftersales_contracts.api.claims import (
    TERMS_WRITERS,
    ClaimsReferenceDataIn,
    ClaimsReferenceDataOut,
    OemRecallOut,
    RecallQuery,
    WarrantyCoverageOut,
    WarrantyCoverageQuery,
    WarrantyTermsIn,
    WarrantyTermsOut,
    WarrantyTermsQuery,
)
from aftersales_core.envelope import utcnow
from aftersales_core.errors import NotFound
from aftersales_core.pages import page
from aftersales_core.validation import load

from . import adapters
from .adapters import apply_changes
from .cases import Cases, today
from .domain import coverage
from .models import LaborAllowanceRow, RecallRow, RecallVehicle, Vehicle, WarrantyTermsRow


class ReferenceData(Cases):
    """Terms, catalog, coverage and recalls."""

    def load(self, data: dict[str, Any]) -> dict[str, int]:
        """A group's warranty terms and labor-time catalog (used by `aftersales seed`).

        Idempotent: terms are set (the OEM's latest), catalog entries already present
        are left as they are.
        """
        tenant = self.tenant
        fields = load(ClaimsReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant.require_group_loader(group_id)
        counts = {"warranty_terms": 0, "labor_operations": 0}
        for terms in fields["warranty_terms"]:
            if self._set_terms(group_id, terms, tenant.user_id):
                counts["warranty_terms"] += 1
        for op in fields["labor_operations"]:
            if self.session.get(LaborAllowanceRow, (group_id, op["code"])) is None:
                self.session.add(LaborAllowanceRow(group_id=group_id, **op))
                counts["labor_operations"] += 1
        return ClaimsReferenceDataOut().dump(counts)

    def set_terms(self, data: dict[str, Any]) -> dict[str, Any]:
        """Headquarters records an OEM's warranty terms for a brand or model."""
        tenant = self.tenant
        tenant.require_role(*TERMS_WRITERS)
        fields = load(WarrantyTermsIn(), data)
        self._set_terms(tenant.group_id, fields, tenant.user_id)
        key = (tenant.group_id, fields["brand"], fields["model"])
        row = self.session.get(WarrantyTermsRow, key)
        return WarrantyTermsOut().dump(row)

    def terms(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of the group's terms by brand and model (an OEM sees no dealer's settings)."""
        tenant = self.tenant
        tenant.visible_sites()
        fields = load(WarrantyTermsQuery(), params)
        stmt = select(WarrantyTermsRow).where(WarrantyTermsRow.group_id == tenant.group_id)
        if fields.get("brand"):
            stmt = stmt.where(WarrantyTermsRow.brand == fields["brand"])
        return page(
            self.session,
            stmt,
            (WarrantyTermsRow.brand, WarrantyTermsRow.model),
            limit=fields["limit"],
            cursor=fields["cursor"],
            dump=WarrantyTermsOut().dump,
            descending=False,
        )

    def coverage(self, params: dict[str, Any]) -> dict[str, Any]:
        """Is a repair warranty? Judged from the sale date and the mileage on the day."""
        tenant = self.tenant
        tenant.visible_sites()
        fields = load(WarrantyCoverageQuery(), params)
        session = self.session
        vehicle = session.get(Vehicle, (tenant.group_id, fields["vin"]))
        if vehicle is None:
            raise NotFound(f"vehicle {fields['vin']} not found", "VEHICLE_NOT_FOUND")
        recall = adapters.recall_row(session, tenant.group_id, fields["recall_id"])
        judged = coverage(
            adapters.terms_for_vehicle(session, tenant.group_id, vehicle),
            claim_type=fields["claim_type"],
            vin=vehicle.vin,
            sale_date=vehicle.sale_date,
            repair_date=fields["repair_date"] or today(),
            mileage=fields["mileage"],
            part_fitted_on=fields["part_fitted_on"],
            part_fitted_mileage=fields["part_fitted_mileage"],
            recall=adapters.recall_of(recall) if recall else None,
        )
        return WarrantyCoverageOut().dump(
            {
                "vin": vehicle.vin,
                "brand": vehicle.brand,
                "model": vehicle.model,
                "sale_date": vehicle.sale_date,
                "claim_type": fields["claim_type"],
                "covered": judged.covered,
                "basis": judged.basis,
                "ends_on": judged.ends_on,
                "km_limit": judged.km_limit,
                "findings": judged.findings,
            }
        )

    def recalls(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of the recalls and campaigns received, the latest start first."""
        tenant = self.tenant
        tenant.visible_sites()
        fields = load(RecallQuery(), params)
        stmt = select(RecallRow).where(RecallRow.group_id == tenant.group_id)
        if fields.get("vin"):
            stmt = stmt.join(
                RecallVehicle,
                (RecallVehicle.group_id == RecallRow.group_id)
                & (RecallVehicle.recall_id == RecallRow.recall_id),
            ).where(RecallVehicle.vin == fields["vin"].strip().upper())
        for name in ("kind", "oem_id"):
            if fields.get(name):
                stmt = stmt.where(getattr(RecallRow, name) == fields[name])
        if fields.get("date_to"):
            stmt = stmt.where(RecallRow.starts_on <= fields["date_to"])
        if fields.get("date_from"):
            stmt = stmt.where(
                or_(RecallRow.ends_on.is_(None), RecallRow.ends_on >= fields["date_from"])
            )
        return page(
            self.session,
            stmt,
            (RecallRow.starts_on, RecallRow.recall_id),
            limit=fields["limit"],
            cursor=fields["cursor"],
            dump=OemRecallOut().dump,
        )

    def _set_terms(self, group_id: str, fields: dict[str, Any], user_id: str) -> bool:
        """Set a brand's or model's terms; say whether anything changed."""
        row = self.session.get(WarrantyTermsRow, (group_id, fields["brand"], fields["model"]))
        values = {k: v for k, v in fields.items() if k not in ("brand", "model")}
        now = utcnow()
        if row is None:
            self.session.add(
                WarrantyTermsRow(
                    group_id=group_id,
                    brand=fields["brand"],
                    model=fields["model"],
                    updated_at=now,
                    updated_by=user_id,
                    **values,
                )
            )
            return True
        if apply_changes(row, values):
            row.updated_at, row.updated_by = now, user_id
            return True
        return False
