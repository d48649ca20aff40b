"""What claims learns from reception's events: vehicles and their mileage readings,
repair orders; a settled RO's warranty lines become a draft claim, an accident RO
(or one billing an insurer) belongs to an insurance claim."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from aftersales_core.envelope import Envelope

from . import adapters
from .adapters import apply_changes, aware
from .cases import Cases
from .domain import (
    guess_claim_type,
    insured_amount,
    is_insured_repair,
    lines_from_order,
    local_date,
    warranty_lines,
)
from .insurance import InsuranceClaims
from .models import MileageReadingRow, RepairOrderRow, Vehicle, WarrantyClaim
from .warranty import WarrantyClaims


class ReceptionEvents(Cases):
    """Reception's facts, as claims keeps them."""

    def vehicle_registered(self, event: Envelope) -> None:
        """Remember the vehicle's brand, model and sale date, and its first reading."""
        p = self.incoming(event)
        vehicle = self.session.get(Vehicle, (event.group_id, p["vin"]))
        values = {
            "vehicle_id": p["vehicle_id"],
            "site_id": event.site_id,
            "brand": p["brand"],
            "model": p["model"],
            "sale_date": date.fromisoformat(p["sale_date"]) if p.get("sale_date") else None,
        }
        if vehicle is None:
            self.session.add(Vehicle(group_id=event.group_id, vin=p["vin"], **values))
        else:
            apply_changes(vehicle, values)
        self.reading(event, p["vin"], p.get("mileage"), p["vehicle_id"])

    def vehicle_checked_in(self, event: Envelope) -> None:
        p = self.incoming(event)
        self.reading(event, p["vin"], p["mileage"], None)

    def vehicle_delivered(self, event: Envelope) -> None:
        p = self.incoming(event)
        self.reading(event, p["vin"], p["mileage"], p["order_id"])

    def reading(
        self, event: Envelope, vin: str, mileage: int | None, source_id: str | None
    ) -> None:
        """An odometer reading the event carries (none: nothing to keep)."""
        if not mileage:
            return
        self.session.add(
            MileageReadingRow(
                group_id=event.group_id,
                vin=vin,
                read_at=aware(event.occurred_at),
                mileage=mileage,
                source=event.type,
                source_id=source_id,
            )
        )

    def order_opened(self, event: Envelope) -> None:
        """Learn the RO; an accident RO is an insurance claim (linked to an intake if any)."""
        p = self.incoming(event)
        order = self._order(event, p, opened=True)
        self.reading(event, p["vin"], p["mileage"], p["order_id"])
        # A warranty claim drafted before this event arrived gets what it lacked.
        warranty = WarrantyClaims(self.db, self.caller)
        for claim in self._claims_of_order(p["order_id"]):
            if claim.status == "draft":
                filled = apply_changes(
                    claim,
                    {
                        "complaint": claim.complaint or p["complaint"],
                        "repair_opened_on": local_date(order.opened_at),
                    },
                )
                if filled:
                    warranty.log(claim, "order_opened", filled)
        if p["order_type"] == "accident":
            InsuranceClaims(self.db, self.caller).for_order(order)

    def order_settled(self, event: Envelope) -> None:
        """Warranty lines become a draft claim; an accident RO's amount goes to its claim."""
        p = self.incoming(event)
        order = self._order(event, p, opened=False)
        self.reading(event, p["vin"], p["mileage"], p["order_id"])
        lines = warranty_lines(p["lines"])
        if lines and not self._claims_of_order(p["order_id"], withdrawn_too=True):
            self._draft(event, p, order, lines)
        insured = insured_amount(p["totals_by_payer"])
        if is_insured_repair(p["order_type"], insured):
            insurance = InsuranceClaims(self.db, self.caller)
            claim = insurance.for_order(order)
            changed = apply_changes(
                claim, {"repaired_on": local_date(order.settled_at), "repair_amount": insured}
            )
            if changed:
                insurance.log(claim, "repaired", changed)

    def _draft(
        self, event: Envelope, p: dict[str, Any], order: RepairOrderRow, lines: list[Any]
    ) -> WarrantyClaim:
        """The draft claim of a settled RO's warranty lines, its type guessed from them."""
        session = self.session
        labor, parts, sublets = lines_from_order(lines)
        settled_on = local_date(order.settled_at)
        vehicle = session.get(Vehicle, (event.group_id, p["vin"]))
        claim_type, recall_id = guess_claim_type(
            [line["operation_code"] for line in labor],
            [line["part_number"] for line in parts],
            adapters.terms_for_vehicle(session, event.group_id, vehicle),
            adapters.active_recalls(session, event.group_id, p["vin"], settled_on),
        )
        warranty = WarrantyClaims(self.db, self.caller)
        claim = warranty.new_claim(
            event.group_id,
            order.site_id,
            p["vin"],
            "system",
            order_id=p["order_id"],
            order_number=p["order_number"],
        )
        warranty.fill(
            claim,
            {
                "claim_type": claim_type,
                "recall_id": recall_id,
                "mileage": p["mileage"],
                "repair_opened_on": local_date(order.opened_at) if order.opened_at else settled_on,
                "repair_completed_on": settled_on,
                "complaint": order.complaint,
                "labor": labor,
                "parts": parts,
                "sublets": sublets,
            },
        )
        source = {"source": "order_settled", "order_id": p["order_id"]}
        warranty.log(claim, "drafted", source, by="system")
        return claim

    def _claims_of_order(self, order_id: str, withdrawn_too: bool = False) -> list[WarrantyClaim]:
        stmt = select(WarrantyClaim).where(WarrantyClaim.order_id == order_id)
        if not withdrawn_too:
            stmt = stmt.where(WarrantyClaim.status != "withdrawn")
        return list(self.session.scalars(stmt))

    def _order(self, event: Envelope, p: dict[str, Any], *, opened: bool) -> RepairOrderRow:
        session = self.session
        # order_opened and order_settled arrive on separate queues, possibly at once:
        # both create the row if missing, then take turns on its lock.
        adapters.insert_missing(
            session,
            RepairOrderRow,
            order_id=p["order_id"],
            group_id=event.group_id,
            site_id=event.site_id or "",
            order_number=p["order_number"],
            order_type=p["order_type"],
            vin=p["vin"],
        )
        order = adapters.locked(session, RepairOrderRow, RepairOrderRow.order_id == p["order_id"])
        order.vehicle_id = p.get("vehicle_id") or order.vehicle_id
        order.mileage = p.get("mileage") or order.mileage
        if opened:
            order.opened_at = aware(event.occurred_at)
            order.complaint = p.get("complaint")
        else:
            order.settled_at = aware(event.occurred_at)
        return order
