"""The figures claims reports for a period (`from`/`to`, days in China time): the
warranty figures per site, and the insurer share of accident repairs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from aftersales_contracts.api.claims import (
    InsurerShareOut,
    InsurerShareQuery,
    WarrantyFiguresQuery,
    WarrantyFiguresReportOut,
)
from aftersales_core.validation import load

from . import adapters
from .cases import Cases
from .domain import InsuredRepair, figures_by_site, insurer_share, report_days
from .models import InsuranceClaim, WarrantyClaim


class Figures(Cases):
    """Reports over the caller's sites (HQ: the group)."""

    def warranty(self, params: dict[str, Any]) -> dict[str, Any]:
        """First-pass approval, rejections by reason, days to payment, claimed vs paid:
        per site and in total, for the claims first submitted in the period."""
        tenant = self.tenant
        fields = load(WarrantyFiguresQuery(), params)
        sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
        stmt = select(WarrantyClaim).where(
            WarrantyClaim.group_id == tenant.group_id,
            *adapters.within(WarrantyClaim.first_submitted_at, *_period(fields)),
        )
        if sites is not None:
            stmt = stmt.where(WarrantyClaim.site_id.in_(sites))
        records = [adapters.claim_record(c) for c in self.session.scalars(stmt)]
        return WarrantyFiguresReportOut().dump(
            {
                "date_from": fields["date_from"],
                "date_to": fields["date_to"],
                **figures_by_site(records),
            }
        )

    def insurer_share(self, params: dict[str, Any]) -> dict[str, Any]:
        """The period's accident repairs per insurer and site, by the day they were
        repaired (a `month` is the monthly report, due by the 5th)."""
        tenant = self.tenant
        fields = load(InsurerShareQuery(), params)
        first, last = report_days(fields.get("month"), *_period(fields))
        sites = tenant.visible_sites([fields["site_id"]] if fields.get("site_id") else None)
        stmt = select(InsuranceClaim).where(
            InsuranceClaim.group_id == tenant.group_id,
            InsuranceClaim.repaired_on >= first,
            InsuranceClaim.repaired_on <= last,
            InsuranceClaim.status != "closed",
        )
        if sites is not None:
            stmt = stmt.where(InsuranceClaim.site_id.in_(sites))
        rows = [
            InsuredRepair(c.site_id, c.insurer or "unknown", Decimal(c.repair_amount or 0))
            for c in self.session.scalars(stmt)
        ]
        return InsurerShareOut().dump(
            {
                "month": fields.get("month"),
                "date_from": first,
                "date_to": last,
                **insurer_share(rows),
            }
        )


def _period(fields: dict[str, Any]) -> tuple[date | None, date | None]:
    return fields.get("date_from"), fields.get("date_to")
