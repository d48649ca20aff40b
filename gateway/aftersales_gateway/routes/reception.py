"""Reception's routes: the service advisor's day.

Customers and vehicles, the labor catalog and rates, appointments and tomorrow's
pre-pick list, the check-in sheet, repair orders from opening to delivery, additional
work decisions, discounts, payments, settlement and the exit pass.  Every write accepts
an Idempotency-Key; reception itself checks tenancy, roles and every rule.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from werkzeug.wrappers import Request

from aftersales_core.errors import ValidationFailed
from aftersales_core.service import query
from aftersales_reception.schemas import (
    AdditionalWorkApproveIn,
    AdditionalWorkDeclineIn,
    AppointmentIn,
    AppointmentOut,
    AppointmentQuery,
    ApproveIn,
    CheckInEditable,
    CheckInIn,
    CheckInOut,
    ConfirmLineIn,
    CustomerIn,
    CustomerOut,
    DeliverIn,
    DiscountIn,
    ExitPassOut,
    HistoryOut,
    LinesIn,
    OptionalReasonIn,
    OrderIn,
    OrderOut,
    OrderQuery,
    OrderSummaryOut,
    OrderUpdate,
    PaymentIn,
    PrePickOut,
    PrePickQuery,
    ReasonIn,
    RescheduleIn,
    SettleIn,
    SignatureIn,
    StatementOut,
    VehicleFileOut,
    VehicleIn,
    VehicleOut,
    VehicleQuery,
)

from ..base import GatewayBase
from ..http import api, json_body, optional_body
from ..models import Site
from .directory import SiteQuery

TAGS = ["reception"]
_NO_BODY = object()


def _limit(request: Request) -> int:
    raw = request.args.get("limit", "100")
    if not raw.isdigit():
        raise ValidationFailed.on("limit", "limit must be a whole number", "INVALID_LIMIT")
    return int(raw)


class ReceptionRoutes(GatewayBase):
    def _reception_write(
        self, request: Request, method: str, *args: Any, status: int = 200, body: Any = _NO_BODY
    ) -> tuple[int, Any]:
        """A reception write, replayed for a repeated Idempotency-Key."""
        call_args = args if body is _NO_BODY else (*args, body)
        return self._idempotent(
            request, lambda: (status, self._call("reception", method, *call_args))
        )

    # ---------------------------------------------------------------- the directory, for reception

    @query
    def directory_sites(self, group_id: str) -> list[dict[str, Any]]:
        """The group's sites from the directory: reception learns the sites it must know
        (labor rates, orders) from here when its own import did not list them."""
        tenant = self.caller.tenant
        if tenant.group_id != group_id:
            return []
        rows = self.db.session.scalars(
            select(Site).where(Site.group_id == group_id).order_by(Site.site_id)
        ).all()
        return [{"site_id": s.site_id, "group_id": s.group_id, "name": s.name} for s in rows]

    # ---------------------------------------------------------------- customers and vehicles

    @api(
        "POST",
        "/api/v1/customers",
        "Register a customer with vehicles",
        tags=TAGS,
        body=CustomerIn,
        response=CustomerOut,
        status=201,
        idempotent=True,
        errors=[409, 503],
    )
    def register_customer(self, request: Request) -> tuple[int, Any]:
        return self._reception_write(
            request, "register_customer", status=201, body=json_body(request)
        )

    @api(
        "GET",
        "/api/v1/customers",
        "Customers of your sites",
        tags=TAGS,
        query=SiteQuery,
        response=CustomerOut(many=True),
    )
    def list_customers(self, request: Request) -> Any:
        return self._call("reception", "list_customers", request.args.get("site_id"))

    @api(
        "GET",
        "/api/v1/customers/<customer_id>",
        "One customer with vehicles",
        tags=TAGS,
        response=CustomerOut,
        errors=[404],
    )
    def get_customer(self, request: Request, customer_id: str) -> Any:
        return self._call("reception", "get_customer", customer_id)

    @api(
        "POST",
        "/api/v1/customers/<customer_id>/vehicles",
        "Add a vehicle to a customer",
        tags=TAGS,
        body=VehicleIn,
        response=VehicleOut,
        status=201,
        idempotent=True,
        errors=[404, 409],
    )
    def add_vehicle(self, request: Request, customer_id: str) -> tuple[int, Any]:
        return self._reception_write(
            request, "add_vehicle", customer_id, status=201, body=json_body(request)
        )

    @api(
        "GET",
        "/api/v1/vehicles",
        "Find a vehicle by VIN or plate",
        tags=TAGS,
        query=VehicleQuery,
        response=VehicleOut(many=True),
    )
    def find_vehicles(self, request: Request) -> Any:
        return self._call(
            "reception", "find_vehicles", request.args.get("vin"), request.args.get("plate")
        )

    @api(
        "GET",
        "/api/v1/vehicles/<vehicle_id>",
        "A vehicle's file: visits, next service due, open recommendations and recalls",
        tags=TAGS,
        response=VehicleFileOut,
        errors=[404],
    )
    def get_vehicle(self, request: Request, vehicle_id: str) -> Any:
        return self._call("reception", "get_vehicle", vehicle_id)

    @api("GET", "/api/v1/labor-operations", "The group's labor-time catalog", tags=TAGS)
    def labor_operations(self, request: Request) -> Any:
        return self._call("reception", "list_labor_operations")

    @api(
        "GET",
        "/api/v1/sites/<site_id>/labor-rates",
        "A site's labor rates per payer",
        tags=TAGS,
        errors=[403],
    )
    def labor_rates(self, request: Request, site_id: str) -> Any:
        return self._call("reception", "list_labor_rates", site_id)

    # ---------------------------------------------------------------- appointments

    @api(
        "POST",
        "/api/v1/appointments",
        "Book an appointment into a slot that fits the workshop's capacity",
        tags=TAGS,
        body=AppointmentIn,
        response=AppointmentOut,
        status=201,
        idempotent=True,
        errors=[404, 409, 503],
    )
    def book_appointment(self, request: Request) -> tuple[int, Any]:
        return self._reception_write(
            request, "book_appointment", status=201, body=json_body(request)
        )

    @api(
        "GET",
        "/api/v1/appointments",
        "A day's appointments (today by default)",
        tags=TAGS,
        query=AppointmentQuery,
        response=AppointmentOut(many=True),
    )
    def list_appointments(self, request: Request) -> Any:
        args = request.args
        return self._call(
            "reception",
            "list_appointments",
            args.get("site_id"),
            args.get("day"),
            args.get("status"),
        )

    @api(
        "GET",
        "/api/v1/appointments/pre-pick",
        "Tomorrow's appointments (or a day's) with the parts to pre-pick",
        tags=TAGS,
        query=PrePickQuery,
        response=PrePickOut,
        errors=[503],
    )
    def pre_pick(self, request: Request) -> Any:
        site_id = request.args.get("site_id")
        if not site_id:
            raise ValidationFailed.on("site_id", "which site?", "VALIDATION_ERROR")
        return self._call("reception", "pre_pick_list", site_id, request.args.get("day"))

    @api(
        "GET",
        "/api/v1/appointments/<appointment_id>",
        "One appointment with its history",
        tags=TAGS,
        response=AppointmentOut,
        errors=[404],
    )
    def get_appointment(self, request: Request, appointment_id: str) -> Any:
        return self._call("reception", "get_appointment", appointment_id)

    @api(
        "POST",
        "/api/v1/appointments/<appointment_id>/reschedule",
        "Move an appointment to another slot",
        tags=TAGS,
        body=RescheduleIn,
        response=AppointmentOut,
        idempotent=True,
        errors=[404, 409, 503],
    )
    def reschedule_appointment(self, request: Request, appointment_id: str) -> Any:
        return self._reception_write(
            request, "reschedule_appointment", appointment_id, body=json_body(request)
        )

    @api(
        "POST",
        "/api/v1/appointments/<appointment_id>/cancel",
        "Cancel an appointment",
        tags=TAGS,
        body=ReasonIn,
        response=AppointmentOut,
        idempotent=True,
        errors=[404, 409],
    )
    def cancel_appointment(self, request: Request, appointment_id: str) -> Any:
        return self._reception_write(
            request, "cancel_appointment", appointment_id, body=json_body(request)
        )

    @api(
        "POST",
        "/api/v1/appointments/<appointment_id>/no-show",
        "The customer did not come",
        tags=TAGS,
        body=OptionalReasonIn,
        response=AppointmentOut,
        idempotent=True,
        errors=[404, 409],
    )
    def no_show(self, request: Request, appointment_id: str) -> Any:
        return self._reception_write(
            request, "mark_no_show", appointment_id, body=optional_body(request)
        )

    @api(
        "POST",
        "/api/v1/appointments/<appointment_id>/arrive",
        "The customer arrived",
        tags=TAGS,
        response=AppointmentOut,
        idempotent=True,
        errors=[404, 409],
    )
    def arrive(self, request: Request, appointment_id: str) -> Any:
        return self._reception_write(request, "mark_arrived", appointment_id)

    # ---------------------------------------------------------------- check-in

    @api(
        "POST",
        "/api/v1/check-ins",
        "Fill in the check-in sheet (signed at once when a signature is given)",
        tags=TAGS,
        body=CheckInIn,
        response=CheckInOut,
        status=201,
        idempotent=True,
        errors=[404, 409],
    )
    def check_in(self, request: Request) -> tuple[int, Any]:
        return self._reception_write(request, "check_in", status=201, body=json_body(request))

    @api(
        "GET",
        "/api/v1/check-ins/<check_in_id>",
        "A check-in sheet with its notices and history",
        tags=TAGS,
        response=CheckInOut,
        errors=[404],
    )
    def get_check_in(self, request: Request, check_in_id: str) -> Any:
        return self._call("reception", "get_check_in", check_in_id)

    @api(
        "PATCH",
        "/api/v1/check-ins/<check_in_id>",
        "Correct a check-in sheet before it is signed",
        tags=TAGS,
        body=CheckInEditable(partial=True),
        response=CheckInOut,
        idempotent=True,
        errors=[404, 409],
    )
    def update_check_in(self, request: Request, check_in_id: str) -> Any:
        return self._reception_write(
            request, "update_check_in", check_in_id, body=json_body(request)
        )

    @api(
        "POST",
        "/api/v1/check-ins/<check_in_id>/sign",
        "The customer signs the check-in sheet; it never changes again",
        tags=TAGS,
        body=SignatureIn,
        response=CheckInOut,
        idempotent=True,
        errors=[404, 409],
    )
    def sign_check_in(self, request: Request, check_in_id: str) -> Any:
        return self._reception_write(request, "sign_check_in", check_in_id, body=json_body(request))

    # ---------------------------------------------------------------- repair orders

    @api(
        "POST",
        "/api/v1/orders",
        "Open a repair order (draft) with its lines",
        tags=TAGS,
        body=OrderIn,
        response=OrderOut,
        status=201,
        idempotent=True,
        errors=[404, 409, 503],
    )
    def open_order(self, request: Request) -> tuple[int, Any]:
        return self._reception_write(request, "open_order", status=201, body=json_body(request))

    @api(
        "GET",
        "/api/v1/orders",
        "Repair orders of your sites, newest first",
        tags=TAGS,
        query=OrderQuery,
        response=OrderSummaryOut(many=True),
    )
    def list_orders(self, request: Request) -> Any:
        args = request.args
        return self._call(
            "reception",
            "list_orders",
            args.get("site_id"),
            args.get("status"),
            args.get("vehicle_id"),
            args.get("customer_id"),
            _limit(request),
        )

    @api(
        "GET",
        "/api/v1/orders/<order_id>",
        "A repair order: lines, estimate, statement, additional work, payments, history",
        tags=TAGS,
        response=OrderOut,
        errors=[404],
    )
    def get_order(self, request: Request, order_id: str) -> Any:
        return self._call("reception", "get_order", order_id)

    @api(
        "PATCH",
        "/api/v1/orders/<order_id>",
        "Promised time, old-part disposition, wash, notes",
        tags=TAGS,
        body=OrderUpdate,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def update_order(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "update_order", order_id, body=json_body(request))

    @api(
        "GET",
        "/api/v1/orders/<order_id>/history",
        "Every change of a repair order: who, when, what",
        tags=TAGS,
        response=HistoryOut(many=True),
        errors=[404],
    )
    def order_history(self, request: Request, order_id: str) -> Any:
        return self._call("reception", "order_history", order_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/lines",
        "Add lines to a draft repair order",
        tags=TAGS,
        body=LinesIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409, 503],
    )
    def add_lines(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "add_order_lines", order_id, body=json_body(request))

    @api(
        "DELETE",
        "/api/v1/orders/<order_id>/lines/<line_id>",
        "Remove a line from a draft repair order",
        tags=TAGS,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def remove_line(self, request: Request, order_id: str, line_id: str) -> Any:
        return self._reception_write(request, "remove_order_line", order_id, line_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/lines/<line_id>/confirm",
        "The customer's word on a to-be-confirmed line",
        tags=TAGS,
        body=ConfirmLineIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def confirm_line(self, request: Request, order_id: str, line_id: str) -> Any:
        return self._reception_write(
            request, "confirm_line", order_id, line_id, body=json_body(request)
        )

    @api(
        "POST",
        "/api/v1/orders/<order_id>/send-for-approval",
        "Put the repair order to the customer",
        tags=TAGS,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def send_for_approval(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "send_for_approval", order_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/revise",
        "Back to draft: the customer wants changes",
        tags=TAGS,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def revise_order(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "revise_order", order_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/approve",
        "The customer signs: the workshop and the warehouse are told",
        tags=TAGS,
        body=ApproveIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def approve_order(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "approve_order", order_id, body=json_body(request))

    @api(
        "POST",
        "/api/v1/orders/<order_id>/cancel",
        "Cancel a repair order before any work",
        tags=TAGS,
        body=ReasonIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def cancel_order(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "cancel_order", order_id, body=json_body(request))

    @api(
        "POST",
        "/api/v1/orders/<order_id>/additional-work/<work_id>/approve",
        "The customer approves additional work: lines added, promised time moved",
        tags=TAGS,
        body=AdditionalWorkApproveIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409, 503],
    )
    def approve_additional_work(self, request: Request, order_id: str, work_id: str) -> Any:
        return self._reception_write(
            request, "approve_additional_work", order_id, work_id, body=json_body(request)
        )

    @api(
        "POST",
        "/api/v1/orders/<order_id>/additional-work/<work_id>/decline",
        "The customer declines additional work: kept as a recommendation",
        tags=TAGS,
        body=AdditionalWorkDeclineIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def decline_additional_work(self, request: Request, order_id: str, work_id: str) -> Any:
        return self._reception_write(
            request, "decline_additional_work", order_id, work_id, body=json_body(request)
        )

    # ---------------------------------------------------------------- settlement and delivery

    @api(
        "GET",
        "/api/v1/orders/<order_id>/statement",
        "The settlement statement: what was done and issued, split by payer",
        tags=TAGS,
        response=StatementOut,
        errors=[404, 409],
    )
    def statement(self, request: Request, order_id: str) -> Any:
        return self._call("reception", "get_statement", order_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/discount",
        "Grant a discount (above your limit it waits for a supervisor)",
        tags=TAGS,
        body=DiscountIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def grant_discount(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "grant_discount", order_id, body=json_body(request))

    @api(
        "POST",
        "/api/v1/orders/<order_id>/discount/approve",
        "A supervisor approves a discount above the advisor's limit",
        tags=TAGS,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def approve_discount(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "approve_discount", order_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/payments",
        "Record a payment of the customer's share",
        tags=TAGS,
        body=PaymentIn,
        response=OrderOut,
        status=201,
        idempotent=True,
        errors=[404, 409],
    )
    def record_payment(self, request: Request, order_id: str) -> Any:
        return self._reception_write(
            request, "record_payment", order_id, status=201, body=json_body(request)
        )

    @api(
        "POST",
        "/api/v1/orders/<order_id>/settle",
        "Settle: freeze the statement, take payment, issue the exit pass",
        tags=TAGS,
        body=SettleIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def settle_order(self, request: Request, order_id: str) -> Any:
        return self._reception_write(request, "settle_order", order_id, body=optional_body(request))

    @api(
        "GET",
        "/api/v1/orders/<order_id>/exit-pass",
        "The exit pass of a settled repair order",
        tags=TAGS,
        response=ExitPassOut,
        errors=[404, 409],
    )
    def exit_pass(self, request: Request, order_id: str) -> Any:
        return self._call("reception", "get_exit_pass", order_id)

    @api(
        "POST",
        "/api/v1/orders/<order_id>/deliver",
        "Hand the car over: next service date and mileage",
        tags=TAGS,
        body=DeliverIn,
        response=OrderOut,
        idempotent=True,
        errors=[404, 409],
    )
    def deliver_order(self, request: Request, order_id: str) -> Any:
        return self._reception_write(
            request, "deliver_order", order_id, body=optional_body(request)
        )
