"""Pricing an RO: lines from the labor catalog, the site's rates and the parts service's
quotes; the estimate and the statement from what was done and issued; payments."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from aftersales_core.envelope import utcnow
from aftersales_core.errors import AppError, Conflict
from aftersales_core.ids import new_id
from aftersales_core.tenancy import Tenant

from . import domain, views
from .models import (
    LaborOperation,
    LaborRate,
    Order,
    OrderCounter,
    OrderJob,
    OrderLine,
    OrderQc,
    PartMovement,
    Payment,
    Site,
    Vehicle,
)
from .vehicles import Opening

log = logging.getLogger(__name__)


class PricingHelpers:
    """Mixin of `ReceptionBase`: prices, statements and payments."""

    def _operation(self, group_id: str, vehicle: Vehicle, code: str, field: str) -> LaborOperation:
        op = self.db.session.get(LaborOperation, (group_id, code))
        models = op.models if op else None
        domain.check_operation(op is not None, models, vehicle.model, code, field)
        return op

    def _rate_or_none(self, site_id: str, payer: str) -> Decimal | None:
        rate = self.db.session.get(LaborRate, (site_id, payer))
        return Decimal(rate.rate) if rate is not None else None

    def _rate(self, site_id: str, payer: str, field: str) -> Decimal:
        return domain.check_rate(self._rate_or_none(site_id, payer), payer, field)

    def _quote(
        self, site_id: str, numbers: list[str], field: str, positions: list[int] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Prices and availability from the parts service; an unknown part is a 400 on it."""
        refusal = None
        try:
            quotes = self.remote.call("parts", "quote", site_id, sorted(set(numbers)))
        except AppError as exc:
            if exc.status >= 500:
                raise
            # The parts service refuses a quote naming an unknown part and says which.
            refusal = (exc.message, (exc.fields or {}).get("part_numbers", []))
            quotes = []
        by_number = {q["part_number"]: q for q in quotes}
        domain.check_quote(numbers, by_number, field, refusal=refusal, positions=positions)
        return by_number

    def _quote_or_none(self, order: Order, numbers: list[str]) -> dict[str, dict] | None:
        """Best effort, for an event handler: prices are asked again when the customer decides."""
        if not numbers:
            return {}
        try:
            quotes = self.remote.call(
                "parts", "quote", order.site_id, sorted(set(numbers)),
                as_tenant=Tenant.system(order.group_id, order.site_id),
            )  # fmt: skip
        except AppError as exc:
            log.warning("could not price additional work of %s: %s", order.order_id, exc)
            return None
        return {q["part_number"]: q for q in quotes}

    def _add_lines(
        self,
        order: Order,
        vehicle: Vehicle,
        lines_in: list[dict[str, Any]],
        by: str,
        field: str,
        *,
        status: str | None = None,
        work_id: str | None = None,
    ) -> list[OrderLine]:
        """Price and append lines: labor from the catalog and the site's rate for the payer,
        parts from the parts service's quote, sublet and misc as given."""
        part_numbers = [x["part_number"] for x in lines_in if x["kind"] == "part"]
        quotes: dict[str, dict[str, Any]] = {}
        if part_numbers:
            positions = [i for i, x in enumerate(lines_in) if x["kind"] == "part"]
            quotes = self._quote(order.site_id, part_numbers, field, positions)
        seq = max((x.seq for x in order.lines), default=0)
        now = utcnow()
        added = []
        for index, item in enumerate(lines_in):
            payer = item.get("payer") or domain.DEFAULT_PAYER[order.order_type]
            path = f"{field}.{index}"
            recommendation_id = item.get("recommendation_id")
            if recommendation_id:
                self._open_recommendation(vehicle, recommendation_id, f"{path}.recommendation_id")
            kind = item["kind"]
            unit = None
            if kind == "labor":
                code = item["operation_code"]
                op = self.db.session.get(LaborOperation, (order.group_id, code))
                if op is None and item.get("suggested_hours"):
                    # Work the workshop found that the catalog does not list: its hours.
                    quantity = domain.hours(item["suggested_hours"])
                    description = item["suggested_description"]
                else:
                    op = self._operation(order.group_id, vehicle, code, f"{path}.operation_code")
                    quantity, description = Decimal(op.standard_hours), op.description
                unit_price = self._rate(order.site_id, payer, f"{path}.payer")
                unit = "h"
            elif kind == "part":
                code = item["part_number"]
                quote = quotes[code]
                quantity = Decimal(item["quantity"])
                unit_price = domain.money(quote["price"])
                description = quote.get("name") or code
                unit = quote.get("unit")
            else:
                code = item.get("code") or kind.upper()
                quantity = Decimal(item["quantity"])
                unit_price = Decimal(item["unit_price"])
                description = item["description"]
            seq += 1
            line = OrderLine(
                line_id=new_id("ln"),
                seq=seq,
                kind=kind,
                code=code,
                description=description,
                quantity=quantity,
                unit_price=unit_price,
                payer=payer,
                status=status or ("to_be_confirmed" if item.get("to_be_confirmed") else "proposed"),
                to_be_confirmed=bool(item.get("to_be_confirmed")),
                free=bool(item.get("free")),
                free_reason=item.get("free_reason"),
                skill=item.get("skill"),
                unit=unit,
                work_id=work_id,
                recommendation_id=recommendation_id,
                backordered=False,
                created_at=now,
                created_by=by,
            )
            order.lines.append(line)
            added.append(line)
        return added

    def _new_order(
        self, site: Site, vehicle: Vehicle, opening: Opening, fields: dict[str, Any], by: str
    ) -> Order:
        """A draft RO for the car, numbered, with the site's tax terms copied onto it."""
        now = utcnow()
        sheet = opening.sheet
        order = Order(
            order_id=new_id("ro"),
            order_number=self._next_order_number(site, domain.local_day(now)),
            group_id=site.group_id,
            site_id=site.site_id,
            customer_id=vehicle.customer_id,
            vehicle_id=vehicle.vehicle_id,
            vin=vehicle.vin,
            plate=vehicle.plate,
            check_in_id=sheet.check_in_id if sheet else None,
            appointment_id=opening.appointment_id,
            order_type=fields["order_type"],
            status="draft",
            mileage=opening.mileage,
            complaint=opening.complaint,
            fuel_level=sheet.fuel_level if sheet else None,
            promised_at=fields["promised_at"],
            old_part_disposition=domain.old_part_disposition(
                fields["order_type"], fields["old_part_disposition"]
            ),
            wash=fields["wash"],
            notes=fields["notes"],
            service_advisor_id=by,
            tax_rate=site.tax_rate,
            prices_include_tax=site.prices_include_tax,
            created_at=now,
            discount_amount=Decimal("0"),
            discount_status="none",
            lines=[],
        )
        self.db.session.add(order)
        return order

    def _next_order_number(self, site: Site, day: date) -> str:
        """`PUDONG-20261125-0007`: per site and day, gap-free under concurrency."""
        session = self.db.session
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        session.execute(
            insert(OrderCounter)
            .values(site_id=site.site_id, day=day, last=0)
            .on_conflict_do_nothing()
        )
        counter = session.scalars(
            select(OrderCounter)
            .where(OrderCounter.site_id == site.site_id, OrderCounter.day == day)
            .with_for_update()
        ).one()
        counter.last += 1
        return domain.order_number(site.code or domain.site_code(site.site_id), day, counter.last)

    # ================================================================ helpers: money

    def _discount_limits(self) -> dict[str, Decimal]:
        configured = self.config.get("DISCOUNT_LIMITS")
        if not configured:
            return dict(domain.DEFAULT_DISCOUNT_LIMITS)
        if isinstance(configured, str):
            configured = json.loads(configured)
        return {role: Decimal(str(share)) for role, share in configured.items()}

    def _issued(self, order: Order) -> dict[str, tuple[Decimal, Decimal]]:
        """Per part line: (net quantity used, unit price) from the warehouse's events."""
        issues: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
        returned: dict[str, Decimal] = defaultdict(Decimal)
        for move in self.db.session.scalars(
            select(PartMovement).where(
                PartMovement.order_id == order.order_id,
                PartMovement.kind.in_(("issued", "returned")),
            )
        ):
            if move.kind == "issued":
                issues[move.line_id].append((Decimal(move.quantity), Decimal(move.unit_price)))
            else:
                returned[move.line_id] += Decimal(move.quantity)
        return {
            line_id: domain.net_issued(rows, returned.get(line_id, Decimal("0")))
            for line_id, rows in issues.items()
        }

    def _job_status(self, order: Order) -> dict[str, str]:
        session = self.db.session
        jobs = [
            domain.JobFact(j.job_id, j.line_id, views.utc(j.started_at), views.utc(j.done_at))
            for j in session.scalars(select(OrderJob).where(OrderJob.order_id == order.order_id))
        ]
        qc = [
            domain.QcFact(q.passed, views.utc(q.at), tuple(q.job_ids))
            for q in session.scalars(select(OrderQc).where(OrderQc.order_id == order.order_id))
        ]
        status = {}
        for line in order.lines:
            if line.kind != "labor" or line.status != "approved":
                continue
            line_jobs = [j for j in jobs if j.line_id == line.line_id]
            if domain.line_done_at(line.line_id, jobs, qc) is not None:
                status[line.line_id] = "done"
            elif any(j.started_at for j in line_jobs):
                status[line.line_id] = "in_progress"
            elif line_jobs:
                status[line.line_id] = "dispatched"
            else:
                status[line.line_id] = "waiting"
        return status

    def _priced(
        self, line: OrderLine, quantity: Decimal | None = None, price: Decimal | None = None
    ) -> domain.PricedLine:
        return domain.PricedLine(
            line_id=line.line_id,
            kind=line.kind,
            code=line.code,
            description=line.description,
            payer=line.payer,
            quantity=Decimal(line.quantity if quantity is None else quantity),
            unit_price=Decimal(line.unit_price if price is None else price),
            free=line.free,
        )

    def _estimate(self, order: Order) -> domain.Statement:
        """The estimate the customer signs: every line not declined, at quoted prices."""
        lines = [self._priced(x) for x in order.lines if x.status != "declined"]
        return domain.build_statement(
            lines, tax_rate=Decimal(order.tax_rate), prices_include_tax=order.prices_include_tax
        )

    def _actual_lines(self, order: Order) -> list[domain.PricedLine]:
        """What was done and issued: done labor lines at standard hours x rate, parts as the
        warehouse issued them less returns, approved sublet and misc lines as written."""
        done = self._job_status(order)
        issued = self._issued(order)
        lines = []
        for line in order.lines:
            if line.status != "approved":
                continue
            if line.kind == "labor":
                if done.get(line.line_id) == "done":
                    lines.append(self._priced(line))
            elif line.kind == "part":
                quantity, price = issued.get(line.line_id, (Decimal("0"), domain.ZERO))
                if quantity > 0:
                    lines.append(self._priced(line, quantity, price))
            else:
                lines.append(self._priced(line))
        return lines

    def _actual_statement(self, order: Order, with_discount: bool = True) -> domain.Statement:
        discount = (
            Decimal(order.discount_amount)
            if with_discount and order.discount_status == "approved"
            else domain.ZERO
        )
        return domain.build_statement(
            self._actual_lines(order),
            tax_rate=Decimal(order.tax_rate),
            prices_include_tax=order.prices_include_tax,
            discount=discount,
        )

    def _actual_statement_view(self, order: Order) -> dict[str, Any]:
        """The statement to date; a discount that no longer fits the customer's share (work
        was undone after it was granted) is shown as such, to be granted again."""
        try:
            return views.statement(self._actual_statement(order), "actual", self._paid(order))
        except Conflict as exc:
            if exc.code != "DISCOUNT_EXCEEDS_SHARE":
                raise
            view = views.statement(
                self._actual_statement(order, with_discount=False), "actual", self._paid(order)
            )
            view["discount_exceeds_share"] = True
            return view

    def _customer_gross(self, order: Order) -> Decimal:
        totals = self._actual_statement(order, with_discount=False).by_payer.get("customer")
        return totals.gross if totals else domain.ZERO

    def _paid(self, order: Order) -> Decimal:
        return Decimal(
            self.db.session.scalar(
                select(func.coalesce(func.sum(Payment.amount), 0)).where(
                    Payment.order_id == order.order_id
                )
            )
            or 0
        )

    def _add_payment(self, order: Order, fields: dict[str, Any], by: str) -> Payment:
        domain.check_no_pending_discount(order.discount_status)
        due = self._actual_statement(order).due("customer")
        paid = self._paid(order)
        domain.check_payment(fields["amount"], paid, due)
        payment = Payment(
            payment_id=new_id("pay"),
            order_id=order.order_id,
            amount=fields["amount"],
            method=fields["method"],
            reference=fields.get("reference"),
            received_at=utcnow(),
            received_by=by,
        )
        self.db.session.add(payment)
        self.db.session.flush()
        self._history(
            "order", order, by, "payment_received",
            {"payment_id": payment.payment_id, "amount": payment.amount, "method": payment.method},
        )  # fmt: skip
        return payment
