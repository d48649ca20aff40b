"""Customer care's routes: the archive, follow-ups, complaints, reminders, figures.

Every route is a thin RPC to the customer-care service, which checks the
caller's sites and roles and validates the input (bodies and query strings).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from aftersales_customer_care.schemas import (
    AttemptIn,
    CareCustomerOut,
    CareSiteQuery,
    CarryOutIn,
    CloseIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintQuery,
    CustomerQuery,
    EscalateIn,
    FollowUpIn,
    FollowupOut,
    FollowupQuery,
    InvestigateIn,
    JudgeIn,
    LostReasonIn,
    LostVehicleOut,
    LoyalCustomerOut,
    PeriodQuery,
    PolicyIn,
    ProposeIn,
    ReminderDoneIn,
    ReminderOut,
    ReminderQuery,
    SitePolicyOut,
    SolutionApprovalIn,
)

from ..base import GatewayBase
from ..http import api, json_body, query_args

BASE = "/api/v1/customer-care"
TAGS = ["customer-care"]


class CustomerCareRoutes(GatewayBase):
    # ---------------------------------------------------------------- the archive
    @api(
        "GET",
        f"{BASE}/customers",
        "Customers in customer care's archive (your sites; filter by agent or class)",
        tags=TAGS,
        query=CustomerQuery,
        response=CareCustomerOut(many=True),
    )
    def care_customers(self, request: Request) -> Any:
        return self._call("customer-care", "list_customers", query_args(request))

    @api(
        "GET",
        f"{BASE}/customers/<customer_id>",
        "A customer as customer care knows it: agent, vehicles, visits, contacts, reminders",
        tags=TAGS,
        response=CareCustomerOut,
        errors=[404],
    )
    def archive_customer(self, request: Request, customer_id: str) -> Any:
        return self._call("customer-care", "get_customer", customer_id)

    # ---------------------------------------------------------------- follow-ups
    @api(
        "GET",
        f"{BASE}/followups",
        "Follow-up calls after delivery, the next to call first",
        tags=TAGS,
        query=FollowupQuery,
        response=FollowupOut(many=True),
    )
    def followups(self, request: Request) -> Any:
        return self._call("customer-care", "list_followups", query_args(request))

    @api(
        "GET",
        f"{BASE}/followups/<followup_id>",
        "One follow-up with its attempts",
        tags=TAGS,
        response=FollowupOut,
        errors=[404],
    )
    def followup(self, request: Request, followup_id: str) -> Any:
        return self._call("customer-care", "get_followup", followup_id)

    @api(
        "POST",
        f"{BASE}/followups/<followup_id>/attempts",
        "Record a follow-up call: not reached, or reached with satisfaction and survey "
        "(unsatisfied opens a complaint)",
        tags=TAGS,
        body=AttemptIn,
        response=FollowupOut,
        status=201,
        idempotent=True,
        errors=[404, 409],
    )
    def followup_attempt(self, request: Request, followup_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request,
            lambda: (
                201,
                self._call("customer-care", "record_followup_attempt", followup_id, body),
            ),
        )

    # ---------------------------------------------------------------- complaints
    @api(
        "POST",
        f"{BASE}/complaints",
        "Register a complaint (who, when, what, channel)",
        tags=TAGS,
        body=ComplaintIn,
        response=ComplaintOut,
        status=201,
        idempotent=True,
        errors=[404],
    )
    def register_complaint(self, request: Request) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (201, self._call("customer-care", "register_complaint", body))
        )

    @api(
        "GET",
        f"{BASE}/complaints",
        "Complaints of your sites, the newest first",
        tags=TAGS,
        query=ComplaintQuery,
        response=ComplaintOut(many=True),
    )
    def complaints(self, request: Request) -> Any:
        return self._call("customer-care", "list_complaints", query_args(request))

    @api(
        "GET",
        f"{BASE}/complaints/<complaint_id>",
        "One complaint with its history (who, when, what) and escalations",
        tags=TAGS,
        response=ComplaintOut,
        errors=[404],
    )
    def complaint(self, request: Request, complaint_id: str) -> Any:
        return self._call("customer-care", "get_complaint", complaint_id)

    def _complaint_step(self, request: Request, complaint_id: str, action: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request,
            lambda: (
                200,
                self._call("customer-care", "complaint_action", complaint_id, action, body),
            ),
        )

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/judge",
        "Judge a complaint: valid (to be investigated) or not (answered politely and closed)",
        tags=TAGS,
        body=JudgeIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def judge_complaint(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "judge")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/investigate",
        "Record the investigation: responsible department and person, findings",
        tags=TAGS,
        body=InvestigateIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def investigate_complaint(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "investigate")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/propose",
        "Propose solutions for a manager to choose from",
        tags=TAGS,
        body=ProposeIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def propose_solutions(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "propose")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/approve",
        "Approve one proposed solution (managers only)",
        tags=TAGS,
        body=SolutionApprovalIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def approve_solution(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "approve")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/carry-out",
        "Carry out the approved solution: the customer accepts (signs) or refuses",
        tags=TAGS,
        body=CarryOutIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def carry_out_solution(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "carry_out")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/follow-up",
        "Follow the customer up after the solution (unsatisfied: the loop goes round again)",
        tags=TAGS,
        body=FollowUpIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def follow_up_complaint(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "follow_up")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/close",
        "Close a complaint with a summary and a classification",
        tags=TAGS,
        body=CloseIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def close_complaint(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "close")

    @api(
        "POST",
        f"{BASE}/complaints/<complaint_id>/escalate",
        "Escalate a complaint now (e.g. the customer threatens the OEM hotline)",
        tags=TAGS,
        body=EscalateIn,
        response=ComplaintOut,
        idempotent=True,
        errors=[404, 409],
    )
    def escalate_complaint(self, request: Request, complaint_id: str) -> Any:
        return self._complaint_step(request, complaint_id, "escalate")

    # ---------------------------------------------------------------- reminders
    @api(
        "GET",
        f"{BASE}/reminders",
        "Reminder calls: next service, declined work, recalls and campaigns, special orders",
        tags=TAGS,
        query=ReminderQuery,
        response=ReminderOut(many=True),
    )
    def reminders(self, request: Request) -> Any:
        return self._call("customer-care", "list_reminders", query_args(request))

    @api(
        "POST",
        f"{BASE}/reminders/<reminder_id>/calls",
        "Record a reminder call: contacted, booked, declined, or not reached (stays open)",
        tags=TAGS,
        body=ReminderDoneIn,
        response=ReminderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def reminder_call(self, request: Request, reminder_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request,
            lambda: (200, self._call("customer-care", "complete_reminder", reminder_id, body)),
        )

    # ---------------------------------------------------------------- lost and loyal
    @api(
        "GET",
        f"{BASE}/lost-vehicles",
        "Vehicles with no visit for the site's lost-customer period, with reasons",
        tags=TAGS,
        query=CareSiteQuery,
        response=LostVehicleOut(many=True),
    )
    def lost_vehicles(self, request: Request) -> Any:
        return self._call("customer-care", "list_lost_vehicles", query_args(request))

    @api(
        "POST",
        f"{BASE}/vehicles/<vehicle_id>/lost-reason",
        "Record why a lost vehicle's owner stopped coming",
        tags=TAGS,
        body=LostReasonIn,
        status=201,
        idempotent=True,
        errors=[404],
    )
    def lost_reason(self, request: Request, vehicle_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request,
            lambda: (201, self._call("customer-care", "record_lost_reason", vehicle_id, body)),
        )

    @api(
        "GET",
        f"{BASE}/loyal-customers",
        "Loyal customers: enough visits in the period (default: the last 12 months)",
        tags=TAGS,
        query=PeriodQuery,
        response=LoyalCustomerOut(many=True),
    )
    def loyal_customers(self, request: Request) -> Any:
        return self._call("customer-care", "list_loyal_customers", query_args(request))

    # ---------------------------------------------------------------- figures and policy
    @api(
        "GET",
        f"{BASE}/figures",
        "Follow-ups within 72 h, reach rate, CSI, complaints per 100 ROs and by category, "
        "churn - per site and in total (HQ: every site); from/to are local dates, included",
        tags=TAGS,
        query=PeriodQuery,
    )
    def care_figures(self, request: Request) -> Any:
        return self._call("customer-care", "figures", query_args(request))

    @api(
        "GET",
        f"{BASE}/sites/<site_id>/policy",
        "A site's care policy: call hours, rest windows and days, deadlines, thresholds",
        tags=TAGS,
        response=SitePolicyOut,
        errors=[404],
    )
    def care_policy(self, request: Request, site_id: str) -> Any:
        return self._call("customer-care", "get_site_policy", site_id)

    @api(
        "PATCH",
        f"{BASE}/sites/<site_id>/policy",
        "Change some of a site's care settings (customer care manager, director or HQ)",
        tags=TAGS,
        body=PolicyIn,
        response=SitePolicyOut,
        idempotent=True,
    )
    def change_care_policy(self, request: Request, site_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (200, self._call("customer-care", "set_site_policy", site_id, body))
        )
