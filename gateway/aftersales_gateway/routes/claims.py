"""Claims' routes: warranty terms and coverage, warranty claims to the OEM, their
figures, recalls, and insurance claims.  The claims service checks every rule and
every tenant; these routes only carry requests to it."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from aftersales_claims.schemas import (
    AppealIn,
    ClaimFindingsOut,
    ClaimReasonIn,
    DamageAssessmentIn,
    InsuranceClaimIn,
    InsuranceClaimOut,
    InsuranceClaimQuery,
    InsuranceClaimUpdate,
    InsuranceDocumentIn,
    InsurancePaymentIn,
    InsurerApprovalIn,
    InsurerShareQuery,
    OemRecallOut,
    OldPartActionIn,
    TechnicalAppraisalIn,
    WarrantyClaimIn,
    WarrantyClaimOut,
    WarrantyClaimQuery,
    WarrantyClaimUpdate,
    WarrantyCoverageOut,
    WarrantyCoverageQuery,
    WarrantyFiguresQuery,
    WarrantyTermsIn,
    WarrantyTermsOut,
)

from ..base import GatewayBase
from ..http import api, json_body, query_args

WARRANTY = ["claims: warranty"]
INSURANCE = ["claims: insurance"]
CLAIM = "/api/v1/warranty-claims/<claim_id>"
INSURANCE_CLAIM = "/api/v1/insurance-claims/<claim_id>"


class ClaimsRoutes(GatewayBase):
    """Warranty and insurance claims."""

    # ---------------------------------------------------------------- warranty terms

    @api(
        "GET",
        "/api/v1/warranty-terms",
        "The OEMs' warranty terms per brand and model",
        tags=WARRANTY,
        response=WarrantyTermsOut(many=True),
    )
    def warranty_terms(self, request: Request) -> Any:
        return self._call("claims", "list_warranty_terms")

    @api(
        "PUT",
        "/api/v1/warranty-terms",
        "Set an OEM's warranty terms for a brand (model empty) or a model (headquarters)",
        tags=WARRANTY,
        body=WarrantyTermsIn,
        response=WarrantyTermsOut,
        errors=[403],
    )
    def set_warranty_terms(self, request: Request) -> Any:
        return self._call("claims", "set_warranty_terms", json_body(request))

    @api(
        "GET",
        "/api/v1/warranty-coverage",
        "Is a repair warranty? Judged from the sale date and the mileage on the day",
        tags=WARRANTY,
        query=WarrantyCoverageQuery,
        response=WarrantyCoverageOut,
        errors=[404],
    )
    def warranty_coverage(self, request: Request) -> Any:
        return self._call("claims", "check_coverage", query_args(request))

    @api(
        "GET",
        "/api/v1/recalls",
        "Recalls and campaigns received from the OEMs (optionally for one VIN)",
        tags=WARRANTY,
        response=OemRecallOut(many=True),
    )
    def recalls(self, request: Request) -> Any:
        return self._call("claims", "list_recalls", request.args.get("vin"))

    # ---------------------------------------------------------------- warranty claims

    @api(
        "GET",
        "/api/v1/warranty-claims",
        "Warranty claims of your sites (HQ: the group; an OEM: those sent to it)",
        tags=WARRANTY,
        query=WarrantyClaimQuery,
        response=WarrantyClaimOut(many=True),
    )
    def list_warranty_claims(self, request: Request) -> Any:
        return self._call("claims", "list_warranty_claims", query_args(request))

    @api(
        "POST",
        "/api/v1/warranty-claims",
        "Draft a warranty claim by hand (most are drafted from a settled RO)",
        tags=WARRANTY,
        body=WarrantyClaimIn,
        response=WarrantyClaimOut,
        status=201,
        idempotent=True,
        errors=[403],
    )
    def draft_warranty_claim(self, request: Request) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (201, self._call("claims", "draft_warranty_claim", body))
        )

    @api(
        "GET",
        CLAIM,
        "One warranty claim with its submissions, decisions and history",
        tags=WARRANTY,
        response=WarrantyClaimOut,
        errors=[404],
    )
    def get_warranty_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "get_warranty_claim", claim_id)

    @api(
        "PATCH",
        CLAIM,
        "Fill in or correct a draft or rejected claim",
        tags=WARRANTY,
        body=WarrantyClaimUpdate,
        response=WarrantyClaimOut,
        errors=[403, 404, 409],
    )
    def update_warranty_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "update_warranty_claim", claim_id, json_body(request))

    @api(
        "POST",
        CLAIM + "/appraisal",
        "Record the technical appraisal",
        tags=WARRANTY,
        body=TechnicalAppraisalIn,
        response=WarrantyClaimOut,
        errors=[403, 404, 409],
    )
    def appraise_warranty_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "record_appraisal", claim_id, json_body(request))

    @api(
        "GET",
        CLAIM + "/findings",
        "Every pre-submission finding, all at once",
        tags=WARRANTY,
        response=ClaimFindingsOut,
        errors=[404],
    )
    def warranty_claim_findings(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "validate_warranty_claim", claim_id)

    @api(
        "POST",
        CLAIM + "/submit",
        "Validate and send the claim to its OEM (again, after a correction)",
        tags=WARRANTY,
        response=WarrantyClaimOut,
        idempotent=True,
        errors=[403, 404, 409],
    )
    def submit_warranty_claim(self, request: Request, claim_id: str) -> Any:
        return self._idempotent(
            request, lambda: (200, self._call("claims", "submit_warranty_claim", claim_id))
        )

    @api(
        "POST",
        CLAIM + "/appeal",
        "Appeal a rejection or a partial approval",
        tags=WARRANTY,
        body=AppealIn,
        response=WarrantyClaimOut,
        idempotent=True,
        errors=[403, 404, 409],
    )
    def appeal_warranty_claim(self, request: Request, claim_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (200, self._call("claims", "appeal_warranty_claim", claim_id, body))
        )

    @api(
        "POST",
        CLAIM + "/withdraw",
        "Withdraw a draft or rejected claim",
        tags=WARRANTY,
        body=ClaimReasonIn,
        response=WarrantyClaimOut,
        errors=[403, 404, 409],
    )
    def withdraw_warranty_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "withdraw_warranty_claim", claim_id, json_body(request))

    @api(
        "POST",
        CLAIM + "/old-parts/<int:line_no>",
        "The old part was returned to the OEM or scrapped, as instructed",
        tags=WARRANTY,
        body=OldPartActionIn,
        response=WarrantyClaimOut,
        errors=[403, 404],
    )
    def record_old_part(self, request: Request, claim_id: str, line_no: int) -> Any:
        return self._call("claims", "record_old_part", claim_id, line_no, json_body(request))

    @api(
        "GET",
        "/api/v1/warranty-figures",
        "First-pass approval, rejections by reason, days to payment, claimed vs paid",
        tags=WARRANTY,
        query=WarrantyFiguresQuery,
    )
    def warranty_figures(self, request: Request) -> Any:
        return self._call("claims", "warranty_figures", query_args(request))

    # ---------------------------------------------------------------- insurance claims

    @api(
        "GET",
        "/api/v1/insurance-claims",
        "Insurance claims of your sites",
        tags=INSURANCE,
        query=InsuranceClaimQuery,
        response=InsuranceClaimOut(many=True),
    )
    def list_insurance_claims(self, request: Request) -> Any:
        return self._call("claims", "list_insurance_claims", query_args(request))

    @api(
        "POST",
        "/api/v1/insurance-claims",
        "Accident intake: insurer, policy and report numbers",
        tags=INSURANCE,
        body=InsuranceClaimIn,
        response=InsuranceClaimOut,
        status=201,
        idempotent=True,
        errors=[403],
    )
    def open_insurance_claim(self, request: Request) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (201, self._call("claims", "open_insurance_claim", body))
        )

    @api(
        "GET",
        INSURANCE_CLAIM,
        "One insurance claim with its assessment, documents and history",
        tags=INSURANCE,
        response=InsuranceClaimOut,
        errors=[404],
    )
    def get_insurance_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "get_insurance_claim", claim_id)

    @api(
        "PATCH",
        INSURANCE_CLAIM,
        "Correct the intake (insurer, policy, report numbers, ...)",
        tags=INSURANCE,
        body=InsuranceClaimUpdate,
        response=InsuranceClaimOut,
        errors=[403, 404, 409],
    )
    def update_insurance_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "update_insurance_claim", claim_id, json_body(request))

    @api(
        "POST",
        INSURANCE_CLAIM + "/assessment",
        "The damage assessment: items with the dealer's estimate",
        tags=INSURANCE,
        body=DamageAssessmentIn,
        response=InsuranceClaimOut,
        errors=[403, 404, 409],
    )
    def assess_damage(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "assess_damage", claim_id, json_body(request))

    @api(
        "POST",
        INSURANCE_CLAIM + "/insurer-approval",
        "The insurer's approved amount for every assessment item",
        tags=INSURANCE,
        body=InsurerApprovalIn,
        response=InsuranceClaimOut,
        errors=[403, 404, 409],
    )
    def insurer_approval(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "record_insurer_approval", claim_id, json_body(request))

    @api(
        "PUT",
        INSURANCE_CLAIM + "/documents/<code>",
        "Tick or untick a document of the checklist",
        tags=INSURANCE,
        body=InsuranceDocumentIn,
        response=InsuranceClaimOut,
        errors=[403, 404, 409],
    )
    def insurance_document(self, request: Request, claim_id: str, code: str) -> Any:
        return self._call("claims", "record_insurance_document", claim_id, code, json_body(request))

    @api(
        "POST",
        INSURANCE_CLAIM + "/submit",
        "Send the claim to the insurer: approved and every document in",
        tags=INSURANCE,
        response=InsuranceClaimOut,
        errors=[403, 404, 409],
    )
    def submit_insurance_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "submit_insurance_claim", claim_id)

    @api(
        "POST",
        INSURANCE_CLAIM + "/payment",
        "The insurer paid",
        tags=INSURANCE,
        body=InsurancePaymentIn,
        response=InsuranceClaimOut,
        idempotent=True,
        errors=[403, 404, 409],
    )
    def insurance_payment(self, request: Request, claim_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request,
            lambda: (200, self._call("claims", "record_insurance_payment", claim_id, body)),
        )

    @api(
        "POST",
        INSURANCE_CLAIM + "/close",
        "Close an intake that will not be claimed",
        tags=INSURANCE,
        body=ClaimReasonIn,
        response=InsuranceClaimOut,
        errors=[403, 404, 409],
    )
    def close_insurance_claim(self, request: Request, claim_id: str) -> Any:
        return self._call("claims", "close_insurance_claim", claim_id, json_body(request))

    @api(
        "GET",
        "/api/v1/insurer-share",
        "The month's accident repairs per insurer and site (due by the 5th)",
        tags=INSURANCE,
        query=InsurerShareQuery,
    )
    def insurer_share(self, request: Request) -> Any:
        return self._call("claims", "insurer_share", query_args(request))
