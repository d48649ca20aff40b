"""Customer care's routes: the archive, follow-ups, complaints, reminders, lost and loyal
customers, figures and the site's policy.

Every row calls the customer-care service, which checks the caller's sites (and, for
rows open to any signed-in user, who may do what) and loads the input. Every route
may answer 403 `ROLE_FORBIDDEN` / `SITE_FORBIDDEN` (the OpenAPI document adds them).
"""

from __future__ import annotations

from collections.abc import Callable

from aftersales_contracts.api.customer_care import (
    APPROVER_ROLES,
    CARE_ROLES,
    COMPLAINT_HANDLER_ROLES,
    POLICY_ROLES,
    REMINDER_ROLES,
    CareCustomerDetailOut,
    CareCustomerOut,
    CareCustomerQuery,
    CareFiguresReportOut,
    CarePeriodQuery,
    CarePolicyIn,
    CareSitePolicyOut,
    CareSiteQuery,
    ComplaintApproveIn,
    ComplaintCarryOutIn,
    ComplaintCloseIn,
    ComplaintDetailOut,
    ComplaintEscalateIn,
    ComplaintFollowUpIn,
    ComplaintIn,
    ComplaintInvestigateIn,
    ComplaintJudgeIn,
    ComplaintOut,
    ComplaintProposeIn,
    ComplaintQuery,
    FollowupAttemptIn,
    FollowupDetailOut,
    FollowupOut,
    FollowupQuery,
    LostReasonIn,
    LostReasonOut,
    LostVehicleOut,
    LoyalCustomerOut,
    LoyalCustomerQuery,
    ReminderCallIn,
    ReminderOut,
    ReminderQuery,
)
from aftersales_contracts.api.pages import page_of

from ..routing import BODY, QUERY, Route, row, table

C = "/api/v1/customer-care"
STEP = f"{C}/complaints/<complaint_id>"
STEP_ERRORS = {
    400: ("VALIDATION_ERROR", "REQUIRED"),
    404: ("COMPLAINT_NOT_FOUND",),
    409: ("ILLEGAL_TRANSITION",),
}
SCOPED = "Site staff see their sites, headquarters every site of its group, an OEM none."


def _step(
    path: str, summary: str, call: str, body: type, description: str, roles: tuple[str, ...]
) -> Callable[..., Route]:
    """A step of a complaint's closed loop: the complaint document is answered with its
    ETag, and the step takes `If-Match`."""
    return row(
        "POST",
        f"{STEP}/{path}",
        summary,
        call,
        args=("complaint_id", BODY),
        body=body,
        response=ComplaintDetailOut,
        roles=roles,
        errors=STEP_ERRORS,
        etag=True,
        description=description + " The step is kept in the complaint's history.",
    )


ROUTES = table(
    "customer-care",
    ["customer-care"],
    # ---------------------------------------------------------------- the archive
    row(
        "GET",
        f"{C}/customers",
        "Customers in customer care's archive",
        "list_customers",
        args=(QUERY,),
        query=CareCustomerQuery,
        response=page_of(CareCustomerOut),
        errors={400: ("INVALID_CURSOR",)},
        description="Filter by site, agent, customer class or `q` (part of the name or a "
        "phone number); oldest registration first. " + SCOPED,
    ),
    row(
        "GET",
        f"{C}/customers/<customer_id>",
        "A customer as customer care knows it: agent, vehicles, visits, contacts, reminders",
        "get_customer",
        args=("customer_id",),
        response=CareCustomerDetailOut,
        errors={404: ("CUSTOMER_NOT_FOUND",)},
        description="Vehicles with their recommendations (declined work), the latest 50 "
        "visits and contacts, and the open reminders.",
    ),
    # ---------------------------------------------------------------- follow-ups
    row(
        "GET",
        f"{C}/followups",
        "Follow-up calls after delivery: open ones first, the next to call first",
        "list_followups",
        args=(QUERY,),
        query=FollowupQuery,
        response=page_of(FollowupOut),
        errors={400: ("INVALID_CURSOR",)},
        description="`overdue=true`: open ones past their 72 hours. " + SCOPED,
    ),
    row(
        "GET",
        f"{C}/followups/<followup_id>",
        "One follow-up with its attempts",
        "get_followup",
        args=("followup_id",),
        response=FollowupDetailOut,
        errors={404: ("FOLLOWUP_NOT_FOUND",)},
    ),
    row(
        "POST",
        f"{C}/followups/<followup_id>/attempts",
        "Record a follow-up call: not reached, or reached with satisfaction and survey",
        "record_followup_attempt",
        args=("followup_id", BODY),
        body=FollowupAttemptIn,
        response=FollowupDetailOut,
        status=201,
        roles=CARE_ROLES,
        errors={
            400: ("VALIDATION_ERROR", "INVALID_SURVEY"),
            404: ("FOLLOWUP_NOT_FOUND",),
            409: ("ILLEGAL_TRANSITION",),
        },
        description="Not reached: the next call after the site's retry time (never at a "
        "rest time) or at `callback_at`; unreachable after the last attempt. Unsatisfied or "
        "at risk opens a complaint (or escalates the customer's open one).",
    ),
    # ---------------------------------------------------------------- complaints
    row(
        "POST",
        f"{C}/complaints",
        "Register a complaint (who, when, what, channel)",
        "register_complaint",
        args=(BODY,),
        body=ComplaintIn,
        response=ComplaintDetailOut,
        status=201,
        errors={404: ("CUSTOMER_NOT_FOUND",)},
        description="Any staff of the site. `received_at` may date it back at most 90 days, "
        "never into the future; deadlines run from it. At risk escalates at once.",
    ),
    row(
        "GET",
        f"{C}/complaints",
        "Complaints of your sites, the newest first",
        "list_complaints",
        args=(QUERY,),
        query=ComplaintQuery,
        response=page_of(ComplaintOut),
        errors={400: ("INVALID_CURSOR",)},
        description=SCOPED,
    ),
    row(
        "GET",
        f"{C}/complaints/<complaint_id>",
        "One complaint with its history (who, when, what) and escalations",
        "get_complaint",
        args=("complaint_id",),
        response=ComplaintDetailOut,
        errors={404: ("COMPLAINT_NOT_FOUND",)},
        etag=True,
    ),
    _step(
        "judge",
        "Judge a complaint: valid (to be investigated) or not (answered politely and closed)",
        "judge_complaint",
        ComplaintJudgeIn,
        "An invalid complaint needs its `classification` and is closed.",
        COMPLAINT_HANDLER_ROLES,
    ),
    _step(
        "investigate",
        "Record the investigation: responsible department and person, findings",
        "investigate_complaint",
        ComplaintInvestigateIn,
        "After judging (or again, after a refused solution).",
        COMPLAINT_HANDLER_ROLES,
    ),
    _step(
        "propose",
        "Propose solutions for a manager to choose from",
        "propose_solutions",
        ComplaintProposeIn,
        "One to ten solutions, numbered from 1 in the order given.",
        COMPLAINT_HANDLER_ROLES,
    ),
    _step(
        "approve",
        "Approve one proposed solution (managers)",
        "approve_solution",
        ComplaintApproveIn,
        "The customer care manager, service manager or director, or headquarters.",
        APPROVER_ROLES,
    ),
    _step(
        "carry-out",
        "Carry out the approved solution: the customer accepts (signs) or refuses",
        "carry_out_solution",
        ComplaintCarryOutIn,
        "Accepted needs `accepted_by`; refused sends the complaint back to investigated.",
        COMPLAINT_HANDLER_ROLES,
    ),
    _step(
        "follow-up",
        "Follow the customer up after the solution (unsatisfied: the loop goes round again)",
        "follow_up_complaint",
        ComplaintFollowUpIn,
        "Unsatisfied sends the complaint back to investigated.",
        COMPLAINT_HANDLER_ROLES,
    ),
    _step(
        "close",
        "Close a complaint with a summary and a classification",
        "close_complaint",
        ComplaintCloseIn,
        "After the follow-up; announced as `complaint_closed`.",
        COMPLAINT_HANDLER_ROLES,
    ),
    row(
        "POST",
        f"{STEP}/escalate",
        "Escalate a complaint now (e.g. the customer threatens the OEM hotline)",
        "escalate_complaint",
        args=("complaint_id", BODY),
        body=ComplaintEscalateIn,
        response=ComplaintDetailOut,
        errors={
            404: ("COMPLAINT_NOT_FOUND",),
            409: ("ALREADY_ESCALATED", "ILLEGAL_TRANSITION"),
        },
        etag=True,
        description="Any staff of the site. Level 1 goes to the customer care manager, 2 to "
        "the service director, 3 and more to headquarters; `at_risk` counts once per "
        "complaint, and a closed complaint is not escalated.",
    ),
    # ---------------------------------------------------------------- reminders
    row(
        "GET",
        f"{C}/reminders",
        "Reminder calls: next service, declined work, recalls and campaigns, special orders",
        "list_reminders",
        args=(QUERY,),
        query=ReminderQuery,
        response=page_of(ReminderOut),
        errors={400: ("INVALID_CURSOR",)},
        description="Open ones unless `status` says otherwise; the earliest first. " + SCOPED,
    ),
    row(
        "POST",
        f"{C}/reminders/<reminder_id>/calls",
        "Record a reminder call: contacted, booked, declined, or not reached (stays open)",
        "complete_reminder",
        args=("reminder_id", BODY),
        body=ReminderCallIn,
        response=ReminderOut,
        roles=REMINDER_ROLES,
        errors={404: ("REMINDER_NOT_FOUND",), 409: ("ILLEGAL_TRANSITION",)},
    ),
    # ---------------------------------------------------------------- lost and loyal
    row(
        "GET",
        f"{C}/lost-vehicles",
        "Vehicles with no visit for the site's lost-customer period, with reasons",
        "list_lost_vehicles",
        args=(QUERY,),
        query=CareSiteQuery,
        response=page_of(LostVehicleOut),
        errors={400: ("INVALID_CURSOR",)},
        description="The longest gone first. " + SCOPED,
    ),
    row(
        "POST",
        f"{C}/vehicles/<vehicle_id>/lost-reason",
        "Record why a lost vehicle's owner stopped coming",
        "record_lost_reason",
        args=("vehicle_id", BODY),
        body=LostReasonIn,
        response=LostReasonOut,
        status=201,
        roles=CARE_ROLES,
        errors={404: ("VEHICLE_NOT_FOUND",)},
    ),
    row(
        "GET",
        f"{C}/loyal-customers",
        "Loyal customers: enough visits in the period (default: the last 12 months)",
        "list_loyal_customers",
        args=(QUERY,),
        query=LoyalCustomerQuery,
        response=page_of(LoyalCustomerOut),
        errors={400: ("INVALID_CURSOR",)},
        description="`from`/`to` are local dates, both included; the most visits first. " + SCOPED,
    ),
    # ---------------------------------------------------------------- figures and policy
    row(
        "GET",
        f"{C}/figures",
        "Follow-ups within 72 h, reach rate, CSI, complaints per 100 ROs and by category, "
        "churn - per site and in total",
        "figures",
        args=(QUERY,),
        query=CarePeriodQuery,
        response=CareFiguresReportOut,
        description="`from`/`to` are local dates, both included (default: this month; at "
        "most ten years). Headquarters gets every site of its group; the total is counted "
        "from the pooled facts, not by averaging rates.",
    ),
    row(
        "GET",
        f"{C}/sites/<site_id>/policy",
        "A site's care policy: call hours, rest windows and days, deadlines, thresholds",
        "get_site_policy",
        args=("site_id",),
        response=CareSitePolicyOut,
        errors={404: ("SITE_NOT_FOUND",)},
        etag=True,
    ),
    row(
        "PATCH",
        f"{C}/sites/<site_id>/policy",
        "Change some of a site's care settings",
        "set_site_policy",
        args=("site_id", BODY),
        body=CarePolicyIn,
        response=CareSitePolicyOut,
        roles=POLICY_ROLES,
        errors={
            400: ("VALIDATION_ERROR", "INVALID_POLICY", "UNKNOWN_TIMEZONE"),
            404: ("SITE_NOT_FOUND",),
        },
        etag=True,
        description="The customer care manager, the service director or headquarters. "
        "Settings left out keep their values; a policy that leaves no time to call is "
        "refused.",
    ),
)
