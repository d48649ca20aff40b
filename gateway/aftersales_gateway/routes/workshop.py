"""Workshop's routes: the dispatch board, dispatch, clocking, additional work, QC,
attendance, capacity and the technician figures.

The workshop service checks tenancy, roles and input on every call; these
routes pass the request on and document it.  Writes accept an Idempotency-Key.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from aftersales_workshop.schemas import (
    AdditionalWorkIn,
    AttendanceIn,
    CapacityOut,
    ClockOffIn,
    ClockOnIn,
    DispatchBoardOut,
    DispatchIn,
    DispatchSuggestionOut,
    JobOut,
    OrderCheckIn,
    PauseIn,
    PlateCheckIn,
    QcCheckIn,
    ShiftPatternIn,
    TechnicianOut,
    WorkshopDayQuery,
    WorkshopFiguresOut,
    WorkshopOrderOut,
    WorkshopPeriodQuery,
)

from ..base import GatewayBase
from ..http import api, json_body, optional_body

TAGS = ["workshop"]
JOB = "/api/v1/workshop/jobs/<job_id>"
ORDER = "/api/v1/workshop/orders/<order_id>"
SITE = "/api/v1/workshop/sites/<site_id>"


class WorkshopRoutes(GatewayBase):
    # ---------------------------------------------------------------- people and capacity
    @api(
        "GET",
        "/api/v1/sites/<site_id>/technicians",
        "Technicians of a site",
        tags=TAGS,
        response=TechnicianOut(many=True),
        errors=[403],
    )
    def technicians(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "list_technicians", site_id)

    @api("GET", f"{SITE}/bays", "A site's bays (lifts, alignment rig, paint booth)", tags=TAGS)
    def bays(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "list_bays", site_id)

    @api(
        "GET",
        f"{SITE}/capacity",
        "Technician hours available and booked on a day (reception limits appointments)",
        tags=TAGS,
        query=WorkshopDayQuery,
        response=CapacityOut,
    )
    def capacity(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "capacity", site_id, request.args.get("date", ""))

    @api(
        "GET",
        f"{SITE}/attendance",
        "Who is present on a day and for how long",
        tags=TAGS,
        query=WorkshopDayQuery,
    )
    def attendance(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "attendance", site_id, request.args.get("date", ""))

    @api(
        "POST",
        f"{SITE}/attendance",
        "Record a day's attendance: present (hours), leave, sick, absent, training",
        tags=TAGS,
        body=AttendanceIn,
        idempotent=True,
    )
    def record_attendance(self, request: Request, site_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (200, self._call("workshop", "record_attendance", site_id, body))
        )

    @api(
        "POST",
        f"{SITE}/shift-pattern",
        "A site's working days and hours per technician (default: every day, 8.0 h)",
        tags=TAGS,
        body=ShiftPatternIn,
        idempotent=True,
    )
    def shift_pattern(self, request: Request, site_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (200, self._call("workshop", "set_shift_pattern", site_id, body))
        )

    # ---------------------------------------------------------------- the dispatch board
    @api(
        "GET",
        f"{SITE}/board",
        "The dispatch board: jobs by status, and additional work awaiting approval",
        tags=TAGS,
        response=DispatchBoardOut,
    )
    def dispatch_board(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "dispatch_board", site_id)

    @api(
        "GET",
        JOB,
        "A job with its history, clock sessions and checks",
        tags=TAGS,
        response=JobOut,
        errors=[404],
    )
    def job(self, request: Request, job_id: str) -> Any:
        return self._call("workshop", "get_job", job_id)

    @api(
        "GET",
        f"{JOB}/suggestions",
        "Technicians for a job, by skill, presence and load",
        tags=TAGS,
        response=DispatchSuggestionOut,
        errors=[404],
    )
    def suggestions(self, request: Request, job_id: str) -> Any:
        return self._call("workshop", "suggest_dispatch", job_id)

    @api(
        "POST",
        f"{JOB}/dispatch",
        "Dispatch or re-dispatch a job to a technician and/or team",
        tags=TAGS,
        body=DispatchIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def dispatch(self, request: Request, job_id: str) -> Any:
        return self._action(request, "dispatch", job_id, json_body(request))

    # ---------------------------------------------------------------- the technician's time
    @api(
        "POST",
        f"{JOB}/plate-check",
        "The technician confirms the car's plate (or VIN) against the RO",
        tags=TAGS,
        body=PlateCheckIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def plate_check(self, request: Request, job_id: str) -> Any:
        return self._action(request, "confirm_plate", job_id, json_body(request))

    @api(
        "POST",
        f"{JOB}/clock-on",
        "Clock on (start or resume work); the body is optional",
        tags=TAGS,
        body=ClockOnIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def clock_on(self, request: Request, job_id: str) -> Any:
        return self._action(request, "clock_on", job_id, optional_body(request))

    @api(
        "POST",
        f"{JOB}/clock-off",
        "Clock off: done (on to the self-check) or a pause with a reason",
        tags=TAGS,
        body=ClockOffIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def clock_off(self, request: Request, job_id: str) -> Any:
        return self._action(request, "clock_off", job_id, optional_body(request))

    @api(
        "POST",
        f"{JOB}/pause",
        "Pause a job with a reason (waiting for parts, for approval, ...)",
        tags=TAGS,
        body=PauseIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def pause(self, request: Request, job_id: str) -> Any:
        return self._action(request, "pause_job", job_id, json_body(request))

    @api(
        "POST",
        f"{JOB}/additional-work",
        "Report additional work found on a job; it waits for the customer's approval",
        tags=TAGS,
        body=AdditionalWorkIn,
        status=201,
        idempotent=True,
        errors=[404, 409],
    )
    def additional_work(self, request: Request, job_id: str) -> Any:
        body = json_body(request)
        return self._idempotent(
            request,
            lambda: (201, self._call("workshop", "report_additional_work", job_id, body)),
        )

    # ---------------------------------------------------------------- quality control
    @api(
        "POST",
        f"{JOB}/self-check",
        "The technician's self-check of a finished job (checklist)",
        tags=TAGS,
        body=QcCheckIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def self_check(self, request: Request, job_id: str) -> Any:
        return self._action(request, "self_check", job_id, json_body(request))

    @api(
        "POST",
        f"{JOB}/team-leader-check",
        "The team leader's check: passed, the job is done; failed, it is rework",
        tags=TAGS,
        body=QcCheckIn,
        response=JobOut,
        idempotent=True,
        errors=[404, 409],
    )
    def team_leader_check(self, request: Request, job_id: str) -> Any:
        return self._action(request, "team_leader_check", job_id, json_body(request))

    @api(
        "GET",
        ORDER,
        "An RO as the workshop sees it: jobs, QC checks and checklists, additional work",
        tags=TAGS,
        response=WorkshopOrderOut,
        errors=[404],
    )
    def order(self, request: Request, order_id: str) -> Any:
        return self._call("workshop", "get_order", order_id)

    @api(
        "POST",
        f"{ORDER}/road-test",
        "The road test of an RO whose jobs are done",
        tags=TAGS,
        body=OrderCheckIn,
        response=WorkshopOrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def road_test(self, request: Request, order_id: str) -> Any:
        return self._action(request, "road_test", order_id, json_body(request))

    @api(
        "POST",
        f"{ORDER}/final-inspection",
        "The final inspection: passed, qc_passed; failed, the jobs at fault are rework",
        tags=TAGS,
        body=OrderCheckIn,
        response=WorkshopOrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def final_inspection(self, request: Request, order_id: str) -> Any:
        return self._action(request, "final_inspection", order_id, json_body(request))

    # ---------------------------------------------------------------- figures
    @api(
        "GET",
        "/api/v1/workshop/figures",
        "Hours sold, clocked, attended; efficiency, productivity, proficiency; rework "
        "and comeback counts per technician, team, site (all your sites without site_id)",
        tags=TAGS,
        query=WorkshopPeriodQuery,
        response=WorkshopFiguresOut,
    )
    def figures(self, request: Request) -> Any:
        args = request.args
        return self._call(
            "workshop",
            "figures",
            args.get("site_id") or None,
            args.get("date_from", ""),
            args.get("date_to", ""),
        )

    @api(
        "GET",
        "/api/v1/workshop/comebacks",
        "Comebacks detected in a period, linked to the original job and technician",
        tags=TAGS,
        query=WorkshopPeriodQuery,
    )
    def comebacks(self, request: Request) -> Any:
        args = request.args
        return self._call(
            "workshop",
            "list_comebacks",
            args.get("site_id") or None,
            args.get("date_from", ""),
            args.get("date_to", ""),
        )

    def _action(self, request: Request, method: str, target: str, body: Any) -> Any:
        return self._idempotent(
            request, lambda: (200, self._call("workshop", method, target, body))
        )
