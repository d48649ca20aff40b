"""Claims' nameko service: each RPC and handler builds the use case of its area from
the worker's `db` and `caller` and calls it, nothing more. Warranty claims go to the
OEM on the OEM exchange and its decisions and credits come back on it; insurance
claims are worked with the insurer by hand.

Where things are: `reference.py` (terms, catalog, coverage, recalls), `warranty.py`
and `insurance.py` (the claims), `oem.py` (what the OEMs send), `reception.py` (what
claims learns from reception), `figures.py` (reports); every rule is in `domain/`,
every API shape in `aftersales_contracts.api.claims`.
"""

from __future__ import annotations

from typing import Any

from aftersales_core.envelope import Envelope
from aftersales_core.service import ServiceBase, command, on_event, on_oem_message, query

from .figures import Figures
from .insurance import InsuranceClaims
from .oem import OemMessages
from .reception import ReceptionEvents
from .reference import ReferenceData
from .warranty import WarrantyClaims

Answer = dict[str, Any]


class ClaimsService(ServiceBase):
    name = "claims"

    # ================================================================ reference data

    @command
    def import_reference_data(self, data: Answer) -> Answer:
        """Load a group's warranty terms and labor catalog (`aftersales seed`; idempotent)."""
        return self._reference.load(data)

    @command
    def set_warranty_terms(self, data: Answer) -> Answer:
        """Headquarters records an OEM's warranty terms for a brand or model."""
        return self._reference.set_terms(data)

    @query
    def list_warranty_terms(self, params: Answer | None = None) -> Answer:
        return self._reference.terms(params or {})

    @query
    def check_coverage(self, params: Answer) -> Answer:
        """Is a repair warranty? Judged from the sale date and the mileage on the day."""
        return self._reference.coverage(params)

    @query
    def list_recalls(self, params: Answer | None = None) -> Answer:
        return self._reference.recalls(params or {})

    # ================================================================ warranty claims

    @command
    def draft_warranty_claim(self, data: Answer) -> Answer:
        return self._warranty.draft(data)

    @command
    def update_warranty_claim(self, claim_id: str, data: Answer) -> Answer:
        return self._warranty.update(claim_id, data)

    @command
    def record_appraisal(self, claim_id: str, data: Answer) -> Answer:
        return self._warranty.appraise(claim_id, data)

    @query
    def validate_warranty_claim(self, claim_id: str) -> Answer:
        return self._warranty.findings(claim_id)

    @command
    def submit_warranty_claim(self, claim_id: str) -> Answer:
        return self._warranty.submit(claim_id)

    @command
    def appeal_warranty_claim(self, claim_id: str, data: Answer) -> Answer:
        return self._warranty.appeal(claim_id, data)

    @command
    def withdraw_warranty_claim(self, claim_id: str, data: Answer) -> Answer:
        return self._warranty.withdraw(claim_id, data)

    @command
    def record_old_part(self, claim_id: str, line_no: int, data: Answer) -> Answer:
        return self._warranty.old_part(claim_id, line_no, data)

    @query
    def get_warranty_claim(self, claim_id: str) -> Answer:
        return self._warranty.get(claim_id)

    @query
    def list_warranty_claims(self, params: Answer | None = None) -> Answer:
        return self._warranty.list(params or {})

    @query
    def warranty_figures(self, params: Answer) -> Answer:
        return self._figures.warranty(params)

    # ================================================================ insurance claims

    @command
    def open_insurance_claim(self, data: Answer) -> Answer:
        return self._insurance.open(data)

    @command
    def update_insurance_claim(self, claim_id: str, data: Answer) -> Answer:
        return self._insurance.update(claim_id, data)

    @command
    def assess_damage(self, claim_id: str, data: Answer) -> Answer:
        return self._insurance.assess(claim_id, data)

    @command
    def record_insurer_approval(self, claim_id: str, data: Answer) -> Answer:
        return self._insurance.approve(claim_id, data)

    @command
    def record_insurance_document(self, claim_id: str, code: str, data: Answer) -> Answer:
        return self._insurance.document(claim_id, code, data)

    @command
    def submit_insurance_claim(self, claim_id: str) -> Answer:
        return self._insurance.submit(claim_id)

    @command
    def record_insurance_payment(self, claim_id: str, data: Answer) -> Answer:
        return self._insurance.pay(claim_id, data)

    @command
    def close_insurance_claim(self, claim_id: str, data: Answer) -> Answer:
        return self._insurance.close(claim_id, data)

    @query
    def get_insurance_claim(self, claim_id: str) -> Answer:
        return self._insurance.get(claim_id)

    @query
    def list_insurance_claims(self, params: Answer | None = None) -> Answer:
        return self._insurance.list(params or {})

    @query
    def insurer_share(self, params: Answer) -> Answer:
        return self._figures.insurer_share(params)

    # ================================================================ events from reception

    @on_event("reception", "vehicle_registered")
    def on_vehicle_registered(self, event: Envelope) -> None:
        self._reception.vehicle_registered(event)

    @on_event("reception", "vehicle_checked_in")
    def on_vehicle_checked_in(self, event: Envelope) -> None:
        self._reception.vehicle_checked_in(event)

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        self._reception.vehicle_delivered(event)

    @on_event("reception", "order_opened")
    def on_order_opened(self, event: Envelope) -> None:
        self._reception.order_opened(event)

    @on_event("reception", "order_settled")
    def on_order_settled(self, event: Envelope) -> None:
        self._reception.order_settled(event)

    # ================================================================ messages from the OEM

    @on_oem_message("claim_decision")
    def on_claim_decision(self, message: Envelope) -> None:
        self._oem.decision(message)

    @on_oem_message("claim_payment")
    def on_claim_payment(self, message: Envelope) -> None:
        self._oem.payment(message)

    @on_oem_message("recall_notice")
    def on_recall_notice(self, message: Envelope) -> None:
        self._oem.recall_notice(message)

    # ================================================================ the use cases

    @property
    def _reference(self) -> ReferenceData:
        return ReferenceData(self.db, self.caller)

    @property
    def _warranty(self) -> WarrantyClaims:
        return WarrantyClaims(self.db, self.caller)

    @property
    def _insurance(self) -> InsuranceClaims:
        return InsuranceClaims(self.db, self.caller)

    @property
    def _figures(self) -> Figures:
        return Figures(self.db, self.caller)

    @property
    def _reception(self) -> ReceptionEvents:
        return ReceptionEvents(self.db, self.caller)

    @property
    def _oem(self) -> OemMessages:
        return OemMessages(self.db, self.caller)
