"""Reception's routes: the service advisor's day.

Customers and vehicles, the labor catalog and rates, appointments and tomorrow's
pre-pick list, the check-in sheet, repair orders from opening to delivery, additional
work decisions, discounts, payments, settlement and the exit pass. Reception checks
tenancy, roles and every rule; the repair order and the appointment are documents
with an `ETag` (send it back as `If-Match`).
"""

from __future__ import annotations

from aftersales_contracts.api.pages import page_of
from aftersales_contracts.api.reception import (
    CASHIER_ROLES,
    RECEPTION_ROLES,
    AppointmentFileOut,
    AppointmentIn,
    AppointmentOut,
    AppointmentQuery,
    CheckInEditable,
    CheckInIn,
    CheckInOut,
    CustomerIn,
    CustomerOut,
    CustomerQuery,
    HistoryOut,
    LaborOperationOut,
    LaborOperationQuery,
    LaborRateOut,
    OptionalReasonIn,
    PrePickOut,
    PrePickQuery,
    ReasonIn,
    RescheduleIn,
    SignatureIn,
    VehicleFileOut,
    VehicleIn,
    VehicleOut,
    VehicleQuery,
)
from aftersales_contracts.api.reception_orders import (
    AdditionalWorkApproveIn,
    AdditionalWorkDeclineIn,
    ApproveIn,
    ConfirmLineIn,
    DeliverIn,
    DiscountIn,
    ExitPassOut,
    LinesIn,
    OrderIn,
    OrderOut,
    OrderQuery,
    OrderSummaryOut,
    OrderUpdate,
    PaymentIn,
    SettleIn,
    StatementOut,
)

from ..routing import BODY, OPTIONAL_BODY, QUERY, row, table

ORDER = "/api/v1/orders/<order_id>"
APPOINTMENT = "/api/v1/appointments/<appointment_id>"
CHECK_IN = "/api/v1/check-ins/<check_in_id>"
WORK = f"{ORDER}/additional-work/<work_id>"

# Rows whose RPC name another service also has carry `name="reception_…"` (handler
# names are unique across the table).

# Codes several routes share (the gateway adds 401, 403 ROLE_FORBIDDEN / SITE_FORBIDDEN,
# 400 VALIDATION_ERROR, 503 and the Idempotency-Key and If-Match codes itself).
DOWNSTREAM = {503: ("DOWNSTREAM_FAILED",)}
CURSOR = ("INVALID_CURSOR",)
NO_ORDER = ("ORDER_NOT_FOUND",)
STATE = ("ILLEGAL_TRANSITION",)
PRICING = ("OPERATION_UNKNOWN", "OPERATION_NOT_FOR_MODEL", "LABOR_RATE_MISSING", "PART_UNKNOWN",
           "PART_QUOTE_REFUSED", "RECOMMENDATION_UNKNOWN")  # fmt: skip
RO_WRITE = {404: NO_ORDER, 409: STATE}
APPOINTMENT_WRITE = {404: ("APPOINTMENT_NOT_FOUND",), 409: STATE}
SIGNATURE = "The customer's signature (or confirmation by phone) is recorded with it."

ROUTES = table(
    "reception",
    ["reception"],
    # ---------------------------------------------------------------- customers and vehicles
    row(
        "POST", "/api/v1/customers", "Register a customer with vehicles", "register_customer",
        args=(BODY,), body=CustomerIn, response=CustomerOut, status=201,
        errors={400: ("SITE_UNKNOWN",), 409: ("VIN_TAKEN",)},
        description="Any signed-in user of the site. Each VIN is registered once per group.",
    ),
    row(
        "GET", "/api/v1/customers", "Customers of your sites, found by name, phone, plate or VIN",
        "list_customers", args=(QUERY,), query=CustomerQuery, response=page_of(CustomerOut),
        name="reception_list_customers",
        errors={400: CURSOR},
        description="Oldest first. `q` matches part of a name or phone number, a plate "
        "(with or without its dot) or a VIN of one of their cars.",
    ),
    row(
        "GET", "/api/v1/customers/<customer_id>", "One customer with vehicles", "get_customer",
        args=("customer_id",), response=CustomerOut, errors={404: ("CUSTOMER_NOT_FOUND",)},
        name="reception_get_customer",
    ),
    row(
        "POST", "/api/v1/customers/<customer_id>/vehicles", "Add a vehicle to a customer",
        "add_vehicle", args=("customer_id", BODY), body=VehicleIn, response=VehicleOut,
        status=201, errors={404: ("CUSTOMER_NOT_FOUND",), 409: ("VIN_TAKEN",)},
    ),
    row(
        "GET", "/api/v1/vehicles", "Find a vehicle by VIN or plate", "find_vehicles",
        args=(QUERY,), query=VehicleQuery, response=page_of(VehicleOut),
        errors={400: ("LOOKUP_EMPTY", "PLATE_FORMAT", *CURSOR)},
        description="Give `vin` or `plate` (typed however: `沪a m8f35` finds `沪A·M8F35`).",
    ),
    row(
        "GET", "/api/v1/vehicles/<vehicle_id>",
        "A vehicle's file: visits, next service due, open recommendations and recalls",
        "get_vehicle", args=("vehicle_id",), response=VehicleFileOut,
        errors={404: ("VEHICLE_NOT_FOUND",)},
    ),
    row(
        "GET", "/api/v1/labor-operations", "The group's labor-time catalog, by code or text",
        "list_labor_operations", args=(QUERY,), query=LaborOperationQuery,
        response=page_of(LaborOperationOut), errors={400: ("INVALID_CURSOR",)},
    ),
    row(
        "GET", "/api/v1/sites/<site_id>/labor-rates", "A site's labor rates per payer",
        "list_labor_rates", args=("site_id",), response=LaborRateOut(many=True),
    ),
    # ---------------------------------------------------------------- appointments
    row(
        "POST", "/api/v1/appointments",
        "Book an appointment into a slot that fits the workshop's capacity",
        "book_appointment", args=(BODY,), body=AppointmentIn, response=AppointmentFileOut,
        status=201, roles=RECEPTION_ROLES, etag=True,
        errors={400: ("SITE_UNKNOWN", "SLOT_IN_PAST", "SLOT_TOO_FAR", *PRICING),
                404: ("VEHICLE_NOT_FOUND",), 409: ("CAPACITY_EXCEEDED",), **DOWNSTREAM},
        description="The day's booked hours plus this one must fit the technician hours the "
        "workshop has that day; when the workshop does not answer the booking is refused "
        "(503), never made on a guess.",
    ),  # fmt: skip
    row(
        "GET", "/api/v1/appointments", "Appointments of a day (today by default) or a period",
        "list_appointments", args=(QUERY,), query=AppointmentQuery,
        response=page_of(AppointmentOut), errors={400: ("INVALID_PERIOD", *CURSOR)},
        description="By slot. `day`, or `from` and `to` (local days, inclusive).",
    ),
    row(
        "GET", "/api/v1/appointments/pre-pick",
        "Tomorrow's appointments (or a day's) with the parts to pre-pick", "pre_pick_list",
        args=(QUERY,), query=PrePickQuery, response=PrePickOut, errors={**DOWNSTREAM},
    ),
    row(
        "GET", APPOINTMENT, "One appointment with its history", "get_appointment",
        args=("appointment_id",), response=AppointmentFileOut, etag=True,
        errors={404: ("APPOINTMENT_NOT_FOUND",)},
    ),
    row(
        "POST", f"{APPOINTMENT}/reschedule", "Move an appointment to another slot",
        "reschedule_appointment", args=("appointment_id", BODY), body=RescheduleIn,
        response=AppointmentFileOut, roles=RECEPTION_ROLES, etag=True,
        errors={**APPOINTMENT_WRITE, 400: ("SITE_UNKNOWN", "SLOT_IN_PAST", "SLOT_TOO_FAR"),
                409: (*STATE, "CAPACITY_EXCEEDED"), **DOWNSTREAM},
    ),  # fmt: skip
    row(
        "POST", f"{APPOINTMENT}/cancel", "Cancel an appointment", "cancel_appointment",
        args=("appointment_id", BODY), body=ReasonIn, response=AppointmentFileOut,
        roles=RECEPTION_ROLES, etag=True, errors=APPOINTMENT_WRITE,
    ),
    row(
        "POST", f"{APPOINTMENT}/no-show", "The customer did not come", "mark_no_show",
        args=("appointment_id", OPTIONAL_BODY), body=OptionalReasonIn,
        response=AppointmentFileOut, roles=RECEPTION_ROLES, etag=True,
        errors={**APPOINTMENT_WRITE, 409: (*STATE, "SLOT_NOT_BEGUN")},
    ),
    row(
        "POST", f"{APPOINTMENT}/arrive", "The customer arrived", "mark_arrived",
        args=("appointment_id",), response=AppointmentFileOut, roles=RECEPTION_ROLES,
        etag=True, errors=APPOINTMENT_WRITE,
    ),
    # ---------------------------------------------------------------- check-in
    row(
        "POST", "/api/v1/check-ins",
        "Fill in the check-in sheet (signed at once when a signature is given)", "check_in",
        args=(BODY,), body=CheckInIn, response=CheckInOut, status=201, roles=RECEPTION_ROLES,
        errors={400: ("APPOINTMENT_MISMATCH", "MILEAGE_BELOW_LAST", "MILEAGE_NEGATIVE"),
                404: ("VEHICLE_NOT_FOUND", "APPOINTMENT_NOT_FOUND"), 409: STATE},
        description="A reading below the car's last mileage needs `mileage_reason`. The "
        "sheet shows the car's open recommendations and recalls.",
    ),  # fmt: skip
    row(
        "GET", CHECK_IN, "A check-in sheet with its notices and history", "get_check_in",
        args=("check_in_id",), response=CheckInOut,
        errors={404: ("CHECK_IN_NOT_FOUND", "VEHICLE_NOT_FOUND")},
    ),
    row(
        "PATCH", CHECK_IN, "Correct a check-in sheet before it is signed", "update_check_in",
        args=("check_in_id", BODY), body=CheckInEditable(partial=True), response=CheckInOut,
        roles=RECEPTION_ROLES,
        errors={400: ("MILEAGE_BELOW_LAST", "MILEAGE_NEGATIVE"),
                404: ("CHECK_IN_NOT_FOUND",), 409: ("CHECK_IN_SIGNED",)},
    ),  # fmt: skip
    row(
        "POST", f"{CHECK_IN}/sign", "The customer signs the check-in sheet; it never changes "
        "again", "sign_check_in", args=("check_in_id", BODY), body=SignatureIn,
        response=CheckInOut, roles=RECEPTION_ROLES,
        errors={400: ("MILEAGE_BELOW_LAST",), 404: ("CHECK_IN_NOT_FOUND",),
                409: ("CHECK_IN_SIGNED",)},
    ),  # fmt: skip
    # ---------------------------------------------------------------- repair orders
    row(
        "POST", "/api/v1/orders", "Open a repair order (draft) with its lines", "open_order",
        args=(BODY,), body=OrderIn, response=OrderOut, status=201, roles=RECEPTION_ROLES,
        etag=True,
        errors={400: ("SITE_UNKNOWN", "CHECK_IN_MISMATCH", "APPOINTMENT_MISMATCH",
                      "MILEAGE_BELOW_LAST", "MILEAGE_NEGATIVE", "PROMISE_OUT_OF_RANGE", *PRICING),
                404: ("VEHICLE_NOT_FOUND", "CHECK_IN_NOT_FOUND", "APPOINTMENT_NOT_FOUND"),
                409: ("CHECK_IN_NOT_SIGNED", "CHECK_IN_USED"), **DOWNSTREAM},
        description="From a signed check-in sheet (its mileage and complaint), or without "
        "one with `mileage` and `complaint`, both then required. Labor lines are priced "
        "from the catalog and the site's rate for the payer, part lines by the parts "
        "service.",
    ),  # fmt: skip
    row(
        "GET", "/api/v1/orders", "Repair orders of your sites, newest first", "list_orders",
        args=(QUERY,), query=OrderQuery, response=page_of(OrderSummaryOut),
        errors={400: ("INVALID_PERIOD", *CURSOR)},
        description="Found by `number` (or its beginning), `plate`, `status` (`open`: not "
        "yet delivered or cancelled), `advisor`, `vehicle_id`, `customer_id`, and `from` / "
        "`to`: the local days it was opened on.",
    ),
    row(
        "GET", ORDER, "A repair order: lines, estimate, statement, additional work, payments, "
        "history", "get_order", args=("order_id",), response=OrderOut, etag=True,
        name="reception_get_order",
        errors={404: NO_ORDER},
    ),
    row(
        "PATCH", ORDER, "Promised time, old-part disposition, wash, notes", "update_order",
        args=("order_id", BODY), body=OrderUpdate, response=OrderOut, roles=RECEPTION_ROLES,
        etag=True, errors={**RO_WRITE, 400: ("PROMISE_OUT_OF_RANGE",)},
    ),
    row(
        "GET", f"{ORDER}/history", "Every change of a repair order: who, when, what",
        "order_history", args=("order_id",), response=HistoryOut(many=True),
        errors={404: NO_ORDER},
    ),
    row(
        "POST", f"{ORDER}/lines", "Add lines to a draft repair order", "add_order_lines",
        args=("order_id", BODY), body=LinesIn, response=OrderOut, roles=RECEPTION_ROLES,
        etag=True, errors={**RO_WRITE, 400: PRICING, 404: (*NO_ORDER, "VEHICLE_NOT_FOUND"),
                           **DOWNSTREAM},
    ),  # fmt: skip
    row(
        "DELETE", f"{ORDER}/lines/<line_id>", "Remove a line from a draft repair order",
        "remove_order_line", args=("order_id", "line_id"), response=OrderOut,
        roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 404: (*NO_ORDER, "LINE_NOT_FOUND")},
    ),
    row(
        "POST", f"{ORDER}/lines/<line_id>/confirm", "The customer's word on a to-be-confirmed "
        "line", "confirm_line", args=("order_id", "line_id", BODY), body=ConfirmLineIn,
        response=OrderOut, roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 400: ("PROMISE_OUT_OF_RANGE",), 404: (*NO_ORDER, "LINE_NOT_FOUND"),
                409: (*STATE, "LINE_NOT_TO_BE_CONFIRMED")},
        description=SIGNATURE,
    ),  # fmt: skip
    row(
        "POST", f"{ORDER}/send-for-approval", "Put the repair order to the customer",
        "send_for_approval", args=("order_id",), response=OrderOut, roles=RECEPTION_ROLES,
        etag=True, errors={**RO_WRITE, 409: (*STATE, "ORDER_HAS_NO_LINES")},
    ),
    row(
        "POST", f"{ORDER}/revise", "Back to draft: the customer wants changes", "revise_order",
        args=("order_id",), response=OrderOut, roles=RECEPTION_ROLES, etag=True,
        errors=RO_WRITE,
    ),
    row(
        "POST", f"{ORDER}/approve", "The customer signs: the workshop and the warehouse are "
        "told", "approve_order", args=("order_id", BODY), body=ApproveIn, response=OrderOut,
        roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 404: (*NO_ORDER, "VEHICLE_NOT_FOUND")},
    ),  # fmt: skip
    row(
        "POST", f"{ORDER}/cancel", "Cancel a repair order before any work", "cancel_order",
        args=("order_id", BODY), body=ReasonIn, response=OrderOut, roles=RECEPTION_ROLES,
        etag=True, errors={**RO_WRITE, 409: (*STATE, "WORK_STARTED")},
    ),
    row(
        "POST", f"{WORK}/approve",
        "The customer approves additional work: lines added, promised time moved",
        "approve_additional_work", args=("order_id", "work_id", BODY),
        body=AdditionalWorkApproveIn, response=OrderOut, roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 400: ("PROMISE_OUT_OF_RANGE", *PRICING),
                404: (*NO_ORDER, "ADDITIONAL_WORK_NOT_FOUND", "VEHICLE_NOT_FOUND"),
                409: (*STATE, "ADDITIONAL_WORK_DECIDED"), **DOWNSTREAM},
        description=SIGNATURE,
    ),  # fmt: skip
    row(
        "POST", f"{WORK}/decline",
        "The customer declines additional work: kept as a recommendation",
        "decline_additional_work", args=("order_id", "work_id", BODY),
        body=AdditionalWorkDeclineIn, response=OrderOut, roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 404: (*NO_ORDER, "ADDITIONAL_WORK_NOT_FOUND", "VEHICLE_NOT_FOUND"),
                409: (*STATE, "ADDITIONAL_WORK_DECIDED")},
        description=SIGNATURE,
    ),  # fmt: skip
    # ---------------------------------------------------------------- settlement and delivery
    row(
        "GET", f"{ORDER}/statement",
        "The settlement statement: what was done and issued, split by payer", "get_statement",
        args=("order_id",), response=StatementOut, errors={404: NO_ORDER, 409: STATE},
    ),
    row(
        "POST", f"{ORDER}/discount", "Grant a discount (above your limit it waits for a "
        "supervisor)", "grant_discount", args=("order_id", BODY), body=DiscountIn,
        response=OrderOut, roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 400: ("DISCOUNT_NEGATIVE",),
                409: (*STATE, "DISCOUNT_EXCEEDS_SHARE")},
        description="On the customer's share, once the car is ready for delivery.",
    ),  # fmt: skip
    row(
        "POST", f"{ORDER}/discount/approve",
        "A supervisor approves a discount above the advisor's limit", "approve_discount",
        args=("order_id",), response=OrderOut, roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 403: ("DISCOUNT_SELF_APPROVAL", "DISCOUNT_ABOVE_LIMIT"),
                409: ("NO_PENDING_DISCOUNT", "DISCOUNT_EXCEEDS_SHARE")},
    ),  # fmt: skip
    row(
        "POST", f"{ORDER}/payments", "Record a payment of the customer's share",
        "record_payment", args=("order_id", BODY), body=PaymentIn, response=OrderOut,
        status=201, roles=CASHIER_ROLES, etag=True,
        errors={**RO_WRITE, 400: ("PAYMENT_NOT_POSITIVE",),
                409: (*STATE, "DISCOUNT_PENDING", "OVERPAYMENT")},
    ),  # fmt: skip
    row(
        "POST", f"{ORDER}/settle", "Settle: freeze the statement, take payment, issue the exit "
        "pass", "settle_order", args=("order_id", OPTIONAL_BODY), body=SettleIn,
        response=OrderOut, roles=CASHIER_ROLES, etag=True,
        errors={**RO_WRITE, 400: ("PAYMENT_NOT_POSITIVE",),
                409: (*STATE, "DISCOUNT_PENDING", "OVERPAYMENT", "PAYMENT_INCOMPLETE")},
    ),  # fmt: skip
    row(
        "GET", f"{ORDER}/exit-pass", "The exit pass of a settled repair order",
        "get_exit_pass", args=("order_id",), response=ExitPassOut,
        errors={404: NO_ORDER, 409: ("NOT_SETTLED",)},
    ),
    row(
        "POST", f"{ORDER}/deliver", "Hand the car over: next service date and mileage",
        "deliver_order", args=("order_id", OPTIONAL_BODY), body=DeliverIn, response=OrderOut,
        roles=RECEPTION_ROLES, etag=True,
        errors={**RO_WRITE, 404: (*NO_ORDER, "VEHICLE_NOT_FOUND")},
    ),
)  # fmt: skip
