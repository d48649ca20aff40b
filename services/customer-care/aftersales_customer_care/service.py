"""Customer care's nameko service: thin entrypoints that load, apply the rules, save, publish.

Events in: reception's customers, vehicles, deliveries, declined work and settled
ROs; parts' special orders; claims' recalls. Events out: `followup_due`,
`followup_done`, `complaint_raised`, `complaint_escalated`, `complaint_closed`.
A periodic sweep (`CUSTOMER_CARE_SWEEP_SECONDS`, default 60) flags overdue
follow-ups and escalates complaints past their deadlines.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from nameko.timer import Timer
from sqlalchemy import func, or_, select, update

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, as_utc, to_primitives, utcnow
from aftersales_core.errors import Conflict, NotFound, ValidationFailed
from aftersales_core.service import ServiceBase, command, on_event, query, transactional
from aftersales_core.tenancy import Tenant
from aftersales_core.validation import load

from . import domain
from .domain import (
    CARE_ROLES,
    COMPLAINT_HANDLER_ROLES,
    POLICY_ROLES,
    CarePolicy,
    Complaint,
    ComplaintFact,
    FollowupFact,
)
from .models import (
    Agent,
    ArchiveCustomer,
    ArchiveVehicle,
    ComplaintEscalation,
    ComplaintHistory,
    ComplaintRow,
    Contact,
    Followup,
    FollowupAttempt,
    LostReason,
    MileageReading,
    Recall,
    Recommendation,
    Reminder,
    SettledOrder,
    SitePolicy,
    Visit,
)
from .schemas import (
    ACTION_SCHEMAS,
    AttemptIn,
    CareSiteQuery,
    ComplaintIn,
    ComplaintQuery,
    CustomerQuery,
    FollowupQuery,
    LostReasonIn,
    PeriodQuery,
    PolicyIn,
    ReferenceDataIn,
    ReminderDoneIn,
    ReminderQuery,
)

SWEEP_SETTING = "CUSTOMER_CARE_SWEEP_SECONDS"
REMINDER_ROLES = (*CARE_ROLES, "service_advisor", "front_desk_supervisor")
# A complaint written down later may be dated back this far, not further.
MAX_BACKDATE = timedelta(days=90)
CLOCK_SKEW = timedelta(minutes=5)


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def _limit(value: int | None) -> int:
    return max(1, min(value or 100, 500))


class ConfiguredTimer(Timer):
    """nameko's timer whose period comes from the container config (tests run it fast)."""

    def __init__(self, setting: str, default: float, **kwargs: Any) -> None:
        self.setting = setting
        self.default = default
        super().__init__(interval=default, **kwargs)

    def setup(self) -> None:
        self.interval = float(self.container.config.get(self.setting, self.default))


sweep_timer = ConfiguredTimer.decorator


class CustomerCareService(ServiceBase):
    name = "customer-care"

    # ================================================================ events in: the archive

    @on_event("reception", "customer_registered")
    def on_customer_registered(self, event: Envelope) -> None:
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        customer = session.get(ArchiveCustomer, payload["customer_id"])
        if customer is None:
            customer = ArchiveCustomer(
                customer_id=payload["customer_id"],
                registered_at=as_utc(datetime.fromisoformat(event.occurred_at)),
            )
            session.add(customer)
        customer.group_id = event.group_id
        customer.site_id = event.site_id
        customer.name = payload["name"]
        customer.phones = payload["phones"]
        customer.customer_class = payload["customer_class"]
        customer.registered_by = payload["registered_by"]
        customer.recorded_for = self.caller.user_id
        session.flush()
        if customer.agent_id is None:
            self._assign(customer.site_id, [customer])

    @on_event("reception", "vehicle_registered")
    def on_vehicle_registered(self, event: Envelope) -> None:
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        occurred = as_utc(datetime.fromisoformat(event.occurred_at))
        sale_date = date.fromisoformat(payload["sale_date"]) if payload.get("sale_date") else None
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        if vehicle is None:
            vehicle = ArchiveVehicle(vehicle_id=payload["vehicle_id"], registered_at=occurred)
            session.add(vehicle)
        vehicle.customer_id = payload["customer_id"]
        vehicle.group_id = event.group_id
        vehicle.site_id = event.site_id
        vehicle.vin = payload["vin"]
        vehicle.plate = payload.get("plate")
        vehicle.brand = payload["brand"]
        vehicle.model = payload["model"]
        vehicle.sale_date = sale_date
        vehicle.mileage = max(vehicle.mileage or 0, payload["mileage"])
        policy = self._policy(event.site_id)
        if sale_date is not None:
            self._reading(vehicle.vehicle_id, sale_date, 0, "sale")
        self._reading(
            vehicle.vehicle_id, self._local_date(occurred, policy), payload["mileage"], "registered"
        )
        session.flush()
        # A recall announced before the car joined the archive still reaches it.
        recalls = session.scalars(select(Recall).where(Recall.group_id == event.group_id)).all()
        for recall in recalls:
            if vehicle.vin in recall.vins:
                self._recall_reminder(recall, vehicle, occurred)

    # ================================================================ events in: visits

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        """A car left: a visit, a follow-up due within 72 h, the next service reminder."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        if session.get(Visit, payload["order_id"]) is not None:
            return  # the same RO delivered twice (a re-sent fact): nothing new
        delivered_at = as_utc(datetime.fromisoformat(payload["delivered_at"]))
        policy = self._policy(event.site_id)
        delivered_on = self._local_date(delivered_at, policy)
        session.add(
            Visit(
                order_id=payload["order_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                customer_id=payload["customer_id"],
                vehicle_id=payload["vehicle_id"],
                order_number=payload["order_number"],
                order_type=payload["order_type"],
                mileage=payload["mileage"],
                delivered_at=delivered_at,
                service_advisor_id=payload["service_advisor_id"],
            )
        )
        self._reading(
            payload["vehicle_id"],
            delivered_on,
            payload["mileage"],
            f"delivered:{payload['order_id']}",
        )
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        if vehicle is not None:
            vehicle.mileage = max(vehicle.mileage or 0, payload["mileage"])
        customer = self._archived_customer(payload["customer_id"], event.group_id)
        schedule = domain.followup_schedule(
            delivered_at, customer.customer_class if customer else None, policy
        )
        followup = Followup(
            followup_id=new_id("fu"),
            group_id=event.group_id,
            site_id=event.site_id,
            order_id=payload["order_id"],
            order_number=payload["order_number"],
            customer_id=payload["customer_id"],
            vehicle_id=payload["vehicle_id"],
            vin=payload["vin"],
            plate=payload.get("plate"),
            customer_class=customer.customer_class if customer else None,
            mandatory=schedule.mandatory,
            agent_id=self._agent_for(customer, event.site_id),
            service_advisor_id=payload["service_advisor_id"],
            delivered_at=delivered_at,
            due_at=schedule.due_at,
            deadline=schedule.deadline,
            status="open",
            attempts=0,
            next_attempt_at=schedule.due_at,
            scores={},
        )
        session.add(followup)
        self.db.publish(
            "followup_due",
            {
                "followup_id": followup.followup_id,
                "order_id": followup.order_id,
                "order_number": followup.order_number,
                "customer_id": followup.customer_id,
                "vehicle_id": followup.vehicle_id,
                "vin": followup.vin,
                "customer_class": followup.customer_class,
                "mandatory": followup.mandatory,
                "agent_id": followup.agent_id,
                "delivered_at": delivered_at,
                "due_at": schedule.due_at,
                "deadline": schedule.deadline,
            },
            group_id=event.group_id,
            site_id=event.site_id,
            correlation_id=followup.order_id,
        )
        session.flush()
        self._service_reminder(payload, event, delivered_on, customer, policy)

    @on_event("reception", "order_settled")
    def on_order_settled(self, event: Envelope) -> None:
        """A settled RO counts towards the complaint rate per 100 ROs."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        if session.get(SettledOrder, payload["order_id"]) is not None:
            return
        settled_at = as_utc(datetime.fromisoformat(event.occurred_at))
        session.add(
            SettledOrder(
                order_id=payload["order_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                customer_id=payload["customer_id"],
                vehicle_id=payload["vehicle_id"],
                order_type=payload["order_type"],
                total=Decimal(payload["total"]),
                settled_at=settled_at,
            )
        )
        policy = self._policy(event.site_id)
        self._reading(
            payload["vehicle_id"],
            self._local_date(settled_at, policy),
            payload["mileage"],
            f"settled:{payload['order_id']}",
        )

    @on_event("reception", "additional_work_declined")
    def on_additional_work_declined(self, event: Envelope) -> None:
        """Declined work is a recommendation: offered again by a reminder call."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        if session.get(Recommendation, payload["work_id"]) is not None:
            return
        declined_at = as_utc(datetime.fromisoformat(event.occurred_at))
        session.add(
            Recommendation(
                work_id=payload["work_id"],
                group_id=event.group_id,
                site_id=event.site_id,
                order_id=payload["order_id"],
                vehicle_id=payload["vehicle_id"],
                description=payload["description"],
                declined_at=declined_at,
            )
        )
        policy = self._policy(event.site_id)
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        customer = self._archived_customer(vehicle.customer_id, event.group_id) if vehicle else None
        self._add_reminder(
            kind="recommendation",
            dedupe_key=f"recommendation:{payload['work_id']}",
            group_id=event.group_id,
            site_id=event.site_id,
            vehicle=vehicle,
            customer=customer,
            vehicle_id=payload["vehicle_id"],
            title=f"再次推荐：{payload['description']}",
            details={
                "order_id": payload["order_id"],
                "work_id": payload["work_id"],
                "description": payload["description"],
            },
            remind_on=self._local_date(declined_at, policy)
            + timedelta(days=policy.recommendation_reminder_days),
            at=declined_at,
        )

    @on_event("parts", "special_order_arrived")
    def on_special_order_arrived(self, event: Envelope) -> None:
        """A counter customer's special order is in: call them today."""
        payload = validate_payload(event.type, event.payload)
        arrived_at = as_utc(datetime.fromisoformat(event.occurred_at))
        customer = (
            self._archived_customer(payload["customer_id"], event.group_id)
            if payload.get("customer_id")
            else None
        )
        self._add_reminder(
            kind="special_order",
            dedupe_key=f"special_order:{payload['sale_id']}",
            group_id=event.group_id,
            site_id=event.site_id,
            vehicle=None,
            customer=customer,
            customer_id=payload.get("customer_id"),
            contact_name=payload["customer_name"],
            phone=payload["phone"],
            title=f"订货到店，请通知取件：{payload['part_number']} × {payload['quantity']}",
            details={
                "sale_id": payload["sale_id"],
                "part_number": payload["part_number"],
                "quantity": payload["quantity"],
            },
            remind_on=self._local_date(arrived_at, self._policy(event.site_id)),
            at=arrived_at,
        )

    @on_event("claims", "recall_announced")
    def on_recall_announced(self, event: Envelope) -> None:
        """An OEM recall or campaign: a notice call to every affected vehicle we know."""
        payload = validate_payload(event.type, event.payload)
        session = self.db.session
        recall = session.get(Recall, (event.group_id, payload["recall_id"]))
        if recall is None:
            recall = Recall(group_id=event.group_id, recall_id=payload["recall_id"])
            session.add(recall)
        recall.oem_id = payload["oem_id"]
        recall.kind = payload["kind"]
        recall.title = payload["title"]
        recall.description = payload["description"]
        recall.vins = sorted(set(payload["vins"]))
        recall.labor_operation_code = payload.get("labor_operation_code")
        recall.starts_on = date.fromisoformat(payload["starts_on"])
        recall.ends_on = date.fromisoformat(payload["ends_on"]) if payload.get("ends_on") else None
        session.flush()
        announced = as_utc(datetime.fromisoformat(event.occurred_at))
        vehicles = session.scalars(
            select(ArchiveVehicle).where(
                ArchiveVehicle.group_id == event.group_id, ArchiveVehicle.vin.in_(recall.vins)
            )
        ).all()
        for vehicle in vehicles:
            self._recall_reminder(recall, vehicle, announced)

    # ================================================================ reference data, policy

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's care agents and site policies (used by `aftersales seed`).

        Idempotent. Customers not yet assigned to an agent are then assigned,
        balanced by count per site.
        """
        tenant = self.caller.tenant
        fields = load(ReferenceDataIn(), data)
        group_id = fields["group_id"]
        tenant.require_group_loader(group_id)
        session = self.db.session
        counts = {"agents": 0, "site_policies": 0, "assigned": 0}
        sites: set[str] = set()
        for person in fields["agents"]:
            if "customer_care_agent" not in person["roles"]:
                continue
            for site_id in person["site_ids"]:
                sites.add(site_id)
                agent = session.get(Agent, (site_id, person["user_id"]))
                if agent is None:
                    session.add(
                        Agent(
                            site_id=site_id,
                            user_id=person["user_id"],
                            group_id=group_id,
                            name=person["name"],
                            active=True,
                        )
                    )
                    counts["agents"] += 1
        for settings in fields["site_policies"]:
            site_id = settings.pop("site_id")
            if session.get(SitePolicy, site_id) is None:
                self._store_policy(group_id, site_id, settings, tenant.user_id)
                counts["site_policies"] += 1
        session.flush()
        for site_id in sorted(sites):
            waiting = session.scalars(
                select(ArchiveCustomer)
                .where(
                    ArchiveCustomer.group_id == group_id,
                    ArchiveCustomer.site_id == site_id,
                    ArchiveCustomer.agent_id.is_(None),
                )
                .order_by(ArchiveCustomer.registered_at, ArchiveCustomer.customer_id)
            ).all()
            counts["assigned"] += self._assign(site_id, list(waiting))
        return counts

    @query
    def get_site_policy(self, site_id: str) -> dict[str, Any]:
        """The site's care policy: call hours, rest times, deadlines, thresholds."""
        self._require_site_view(site_id)
        row = self.db.session.get(SitePolicy, site_id)
        if row is not None and row.group_id != self.caller.tenant.group_id:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        return to_primitives(
            {
                "site_id": site_id,
                "settings": self._policy(site_id).to_settings(),
                "updated_by": row.updated_by if row else None,
                "updated_at": row.updated_at if row else None,
            }
        )

    @command
    def set_site_policy(self, site_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Change some of a site's care settings; the rest stay as they are."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        tenant.require_role(*POLICY_ROLES)
        changes = load(PolicyIn(), data)
        current = self._policy(site_id).to_settings()
        current.update(changes)
        self._store_policy(tenant.group_id, site_id, current, tenant.user_id)
        return self.get_site_policy(site_id)

    # ================================================================ the archive

    @query
    def get_customer(self, customer_id: str) -> dict[str, Any]:
        """The archive entry of one customer: vehicles, visits, contacts, open reminders."""
        customer = self._visible_customer(customer_id)
        session = self.db.session
        vehicles = session.scalars(
            select(ArchiveVehicle)
            .where(ArchiveVehicle.customer_id == customer_id)
            .order_by(ArchiveVehicle.vehicle_id)
        ).all()
        vehicle_ids = [v.vehicle_id for v in vehicles]
        recommendations = defaultdict(list)
        for rec in session.scalars(
            select(Recommendation)
            .where(Recommendation.vehicle_id.in_(vehicle_ids))
            .order_by(Recommendation.declined_at)
        ):
            recommendations[rec.vehicle_id].append(
                {
                    "work_id": rec.work_id,
                    "order_id": rec.order_id,
                    "description": rec.description,
                    "declined_at": rec.declined_at,
                }
            )
        visits = session.scalars(
            select(Visit)
            .where(Visit.customer_id == customer_id, Visit.group_id == customer.group_id)
            .order_by(Visit.delivered_at.desc())
            .limit(50)
        ).all()
        contacts = session.scalars(
            select(Contact)
            .where(Contact.customer_id == customer_id)
            .order_by(Contact.at.desc(), Contact.id.desc())
            .limit(50)
        ).all()
        reminders = session.scalars(
            select(Reminder)
            .where(Reminder.customer_id == customer_id, Reminder.status == "open")
            .order_by(Reminder.remind_on)
        ).all()
        return to_primitives(
            {
                **self._customer_dict(customer),
                "vehicles": [
                    {
                        "vehicle_id": v.vehicle_id,
                        "vin": v.vin,
                        "plate": v.plate,
                        "brand": v.brand,
                        "model": v.model,
                        "sale_date": v.sale_date,
                        "mileage": v.mileage,
                        "recommendations": recommendations[v.vehicle_id],
                    }
                    for v in vehicles
                ],
                "visits": [
                    {
                        "order_id": v.order_id,
                        "order_number": v.order_number,
                        "order_type": v.order_type,
                        "site_id": v.site_id,
                        "vehicle_id": v.vehicle_id,
                        "mileage": v.mileage,
                        "delivered_at": v.delivered_at,
                    }
                    for v in visits
                ],
                "contacts": [
                    {
                        "at": c.at,
                        "by": c.by,
                        "kind": c.kind,
                        "reference": c.reference,
                        "outcome": c.outcome,
                        "note": c.note,
                    }
                    for c in contacts
                ],
                "open_reminders": [self._reminder_dict(r) for r in reminders],
            }
        )

    @query
    def list_customers(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Customers of the caller's sites, optionally those of one agent or class."""
        tenant = self.caller.tenant
        wanted = load(CustomerQuery(), filters or {})
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        stmt = select(ArchiveCustomer).where(ArchiveCustomer.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(ArchiveCustomer.site_id.in_(sites))
        if "agent_id" in wanted:
            stmt = stmt.where(ArchiveCustomer.agent_id == wanted["agent_id"])
        if "customer_class" in wanted:
            stmt = stmt.where(ArchiveCustomer.customer_class == wanted["customer_class"])
        stmt = stmt.order_by(ArchiveCustomer.registered_at, ArchiveCustomer.customer_id)
        rows = self.db.session.scalars(stmt.limit(_limit(wanted.get("limit")))).all()
        return to_primitives([self._customer_dict(c) for c in rows])

    # ================================================================ follow-ups

    @query
    def list_followups(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Follow-ups of the caller's sites, the next to call first."""
        tenant = self.caller.tenant
        wanted = load(FollowupQuery(), filters or {})
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        stmt = select(Followup).where(Followup.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(Followup.site_id.in_(sites))
        if "status" in wanted:
            stmt = stmt.where(Followup.status == wanted["status"])
        if "agent_id" in wanted:
            stmt = stmt.where(Followup.agent_id == wanted["agent_id"])
        now = utcnow()
        if wanted.get("overdue") is True:
            stmt = stmt.where(Followup.status == "open", Followup.deadline < now)
        elif wanted.get("overdue") is False:
            stmt = stmt.where(or_(Followup.status != "open", Followup.deadline >= now))
        if "due_before" in wanted:
            stmt = stmt.where(
                Followup.status == "open", Followup.next_attempt_at <= wanted["due_before"]
            )
        stmt = stmt.order_by(
            Followup.status != "open", Followup.next_attempt_at, Followup.followup_id
        ).limit(_limit(wanted.get("limit")))
        rows = self.db.session.scalars(stmt).all()
        names = self._names({r.customer_id for r in rows})
        return [self._followup_dict(r, names.get(r.customer_id), attempts=None) for r in rows]

    @query
    def get_followup(self, followup_id: str) -> dict[str, Any]:
        followup = self._visible_followup(followup_id)
        return self._followup_out(followup)

    @command
    def record_followup_attempt(self, followup_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """One call: not reached (retry later) or reached with the result and survey.

        Unsatisfied (or at risk) opens a complaint, or escalates the customer's
        open complaint; the end of a follow-up is announced as `followup_done`.
        """
        tenant = self.caller.tenant
        tenant.require_role(*CARE_ROLES)
        followup = self._visible_followup(followup_id, for_update=True)
        fields = load(AttemptIn(), data)
        policy = self._policy(followup.site_id)
        now = utcnow()
        survey = domain.Survey(fields["scores"], fields["would_recommend"])
        result = domain.record_attempt(
            status=followup.status,
            attempts=followup.attempts,
            outcome=fields["outcome"],
            at=now,
            policy=policy,
            satisfaction=fields["satisfaction"],
            at_risk=fields["at_risk"],
            callback_at=fields["callback_at"],
        )
        session = self.db.session
        session.add(
            FollowupAttempt(
                followup_id=followup.followup_id,
                number=result.attempts,
                at=now,
                by=tenant.user_id,
                outcome=fields["outcome"],
                satisfaction=fields["satisfaction"],
                at_risk=fields["at_risk"],
                callback_at=fields["callback_at"],
                comment=fields["comment"],
            )
        )
        self._contact(
            followup.group_id,
            followup.site_id,
            followup.customer_id,
            now,
            tenant.user_id,
            "followup",
            followup.followup_id,
            fields["satisfaction"] or fields["outcome"],
            fields["comment"],
        )
        followup.attempts = result.attempts
        followup.status = result.status
        followup.next_attempt_at = result.next_attempt_at
        if fields["outcome"] == "reached":
            followup.satisfaction = fields["satisfaction"]
            followup.scores = dict(fields["scores"])
            followup.would_recommend = fields["would_recommend"]
            followup.survey_index = survey.index
            followup.comment = fields["comment"]
        if result.status != "open":
            followup.done_at, followup.done_by = now, tenant.user_id
        if result.opens_complaint:
            followup.complaint_id = self._complaint_from_followup(
                followup, fields, result.escalate_at_once, now, tenant.user_id
            )
        session.flush()
        if result.status != "open":
            self.db.publish(
                "followup_done",
                {
                    "followup_id": followup.followup_id,
                    "order_id": followup.order_id,
                    "customer_id": followup.customer_id,
                    "vehicle_id": followup.vehicle_id,
                    "outcome": "reached" if result.status == "done" else "unreachable",
                    "satisfaction": followup.satisfaction,
                    "attempts": followup.attempts,
                    "done_at": now,
                    "within_72h": result.status == "done" and now <= as_utc(followup.deadline),
                    "survey_index": followup.survey_index,
                    "would_recommend": followup.would_recommend,
                    "complaint_id": followup.complaint_id,
                    "done_by": tenant.user_id,
                },
                group_id=followup.group_id,
                site_id=followup.site_id,
                correlation_id=followup.order_id,
            )
        return self._followup_out(followup)

    # ================================================================ complaints

    @command
    def register_complaint(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a complaint (投诉登记表) from staff or from another service."""
        tenant = self.caller.tenant
        fields = load(ComplaintIn(), data)
        if not tenant.has_role("system"):  # another service acting for itself: its group
            tenant.require_site(fields["site_id"])
        now = utcnow()
        received_at = fields["received_at"] or now
        if received_at > now + CLOCK_SKEW:
            raise ValidationFailed.on("received_at", "a complaint cannot come from the future")
        if received_at < now - MAX_BACKDATE:
            raise ValidationFailed.on("received_at", "at most 90 days back")
        name, phone = fields["customer_name"], fields["phone"]
        if fields["customer_id"]:
            customer = self._archived_customer(fields["customer_id"], tenant.group_id)
            if customer is None:
                if not name:
                    raise ValidationFailed.on(
                        "customer_id", "not in the archive yet: give the customer's name too"
                    )
            elif not (tenant.has_role("system") or tenant.can_see_site(customer.site_id)):
                raise NotFound(f"customer {fields['customer_id']} not found", "CUSTOMER_NOT_FOUND")
            else:
                name = name or customer.name
                phone = phone or (customer.phones[0] if customer.phones else None)
        row = self._open_complaint(
            group_id=tenant.group_id,
            site_id=fields["site_id"],
            customer_id=fields["customer_id"],
            customer_name=name,
            phone=phone,
            vehicle_id=fields["vehicle_id"],
            order_id=fields["order_id"],
            followup_id=None,
            channel=fields["channel"],
            source="service" if tenant.has_role("system") else "staff",
            description=fields["description"],
            category=fields["category"],
            at_risk=fields["at_risk"],
            received_at=received_at,
            by=tenant.user_id,
            now=now,
        )
        return self._complaint_out(row)

    @query
    def get_complaint(self, complaint_id: str) -> dict[str, Any]:
        return self._complaint_out(self._visible_complaint(complaint_id))

    @query
    def list_complaints(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        wanted = load(ComplaintQuery(), filters or {})
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        stmt = select(ComplaintRow).where(ComplaintRow.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(ComplaintRow.site_id.in_(sites))
        if "status" in wanted:
            stmt = stmt.where(ComplaintRow.status == wanted["status"])
        if wanted.get("open") is True:
            stmt = stmt.where(ComplaintRow.status != domain.ComplaintState.CLOSED)
        elif wanted.get("open") is False:
            stmt = stmt.where(ComplaintRow.status == domain.ComplaintState.CLOSED)
        if "customer_id" in wanted:
            stmt = stmt.where(ComplaintRow.customer_id == wanted["customer_id"])
        stmt = stmt.order_by(ComplaintRow.received_at.desc(), ComplaintRow.complaint_id)
        rows = self.db.session.scalars(stmt.limit(_limit(wanted.get("limit")))).all()
        now = utcnow()
        return [self._complaint_dict(r, now) for r in rows]

    @command
    def complaint_action(
        self, complaint_id: str, action: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """One step of the closed loop: judge, investigate, propose, approve, carry_out,
        follow_up, close — or escalate. Every step is kept in the complaint's history."""
        tenant = self.caller.tenant
        if action not in ACTION_SCHEMAS:
            raise ValidationFailed.on("action", f"one of {', '.join(ACTION_SCHEMAS)}")
        if tenant.is_oem:
            raise NotFound(f"complaint {complaint_id} not found", "COMPLAINT_NOT_FOUND")
        if action != "escalate":
            tenant.require_role(*COMPLAINT_HANDLER_ROLES)
        row = self._visible_complaint(complaint_id, for_update=True)
        fields = load(ACTION_SCHEMAS[action](), data)
        now = utcnow()
        if action == "escalate":
            complaint = self._to_domain(row)
            level = domain.escalate_complaint(complaint, fields["reason"])
            if level is None:
                raise Conflict(
                    "this complaint was already escalated for that reason",
                    "ALREADY_ESCALATED",
                    {"reason": [fields["reason"]]},
                )
            self._record_escalation(
                row, complaint, fields["reason"], fields["note"], tenant.user_id, now
            )
            return self._complaint_out(row)
        complaint = self._to_domain(row)
        transition = domain.apply_complaint_action(
            complaint, action, fields, by=tenant.user_id, roles=tenant.roles, at=now
        )
        self._from_domain(row, complaint, now)
        self._history(
            row,
            now,
            tenant.user_id,
            action,
            transition.from_status,
            transition.to_status,
            transition.details,
        )
        if action in ("judge", "carry_out", "follow_up", "close"):
            self._contact(
                row.group_id,
                row.site_id,
                row.customer_id,
                now,
                tenant.user_id,
                "complaint",
                row.complaint_id,
                action,
                fields.get("note") or fields.get("summary"),
            )
        if transition.closes:
            self.db.publish(
                "complaint_closed",
                {
                    "complaint_id": row.complaint_id,
                    "customer_id": row.customer_id,
                    "vehicle_id": row.vehicle_id,
                    "order_id": row.order_id,
                    "valid": bool(row.valid),
                    "classification": row.classification,
                    "department": row.department,
                    "summary": row.summary,
                    "received_at": row.received_at,
                    "closed_at": now,
                    "closed_by": tenant.user_id,
                    "within_deadline": now <= as_utc(row.resolve_by),
                    "escalation_level": row.escalation_level,
                },
                group_id=row.group_id,
                site_id=row.site_id,
                correlation_id=row.complaint_id,
            )
        return self._complaint_out(row)

    # ================================================================ reminders

    @query
    def list_reminders(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Reminder calls of the caller's sites, the earliest first (open ones by default)."""
        tenant = self.caller.tenant
        wanted = load(ReminderQuery(), filters or {})
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        stmt = select(Reminder).where(
            Reminder.group_id == tenant.group_id,
            Reminder.status == wanted.get("status", "open"),
        )
        if sites is not None:
            stmt = stmt.where(Reminder.site_id.in_(sites))
        if "kind" in wanted:
            stmt = stmt.where(Reminder.kind == wanted["kind"])
        if "due_by" in wanted:
            stmt = stmt.where(Reminder.remind_on <= wanted["due_by"])
        if "agent_id" in wanted:
            stmt = stmt.where(Reminder.agent_id == wanted["agent_id"])
        stmt = stmt.order_by(Reminder.remind_on, Reminder.reminder_id)
        rows = self.db.session.scalars(stmt.limit(_limit(wanted.get("limit")))).all()
        return to_primitives([self._reminder_dict(r) for r in rows])

    @command
    def complete_reminder(self, reminder_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record a reminder call: done (contacted, booked, declined) or not reached."""
        tenant = self.caller.tenant
        tenant.require_role(*REMINDER_ROLES)
        reminder = self.db.session.get(Reminder, reminder_id, with_for_update=True)
        if reminder is None or not self._sees(reminder.group_id, reminder.site_id):
            raise NotFound(f"reminder {reminder_id} not found", "REMINDER_NOT_FOUND")
        fields = load(ReminderDoneIn(), data)
        if reminder.status != "open":
            raise Conflict(
                f"the reminder is {reminder.status}",
                "ILLEGAL_TRANSITION",
                {"status": [reminder.status]},
            )
        now = utcnow()
        reminder.attempts += 1
        reminder.outcome = fields["outcome"]
        reminder.note = fields["note"]
        if fields["outcome"] != "not_reached":
            reminder.status = "done"
            reminder.done_at, reminder.done_by = now, tenant.user_id
        self._contact(
            reminder.group_id,
            reminder.site_id,
            reminder.customer_id,
            now,
            tenant.user_id,
            "reminder",
            reminder.reminder_id,
            fields["outcome"],
            fields["note"],
        )
        return to_primitives(self._reminder_dict(reminder))

    # ================================================================ lost and loyal customers

    @query
    def list_lost_vehicles(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Vehicles with no visit for the site's `lost_after_months`, with any reason on file."""
        tenant = self.caller.tenant
        wanted = load(CareSiteQuery(), filters or {})
        sites = tenant.visible_sites([wanted["site_id"]] if wanted.get("site_id") else None)
        session = self.db.session
        stmt = select(ArchiveVehicle).where(ArchiveVehicle.group_id == tenant.group_id)
        if sites is not None:
            stmt = stmt.where(ArchiveVehicle.site_id.in_(sites))
        vehicles = session.scalars(stmt).all()
        last_visit = dict(
            session.execute(
                select(Visit.vehicle_id, func.max(Visit.delivered_at))
                .where(Visit.vehicle_id.in_([v.vehicle_id for v in vehicles]))
                .group_by(Visit.vehicle_id)
            ).all()
        )
        reasons: dict[str, LostReason] = {}
        for reason in session.scalars(
            select(LostReason)
            .where(LostReason.vehicle_id.in_([v.vehicle_id for v in vehicles]))
            .order_by(LostReason.recorded_at, LostReason.id)
        ):
            reasons[reason.vehicle_id] = reason  # the latest wins
        names = self._names({v.customer_id for v in vehicles})
        now = utcnow()
        lost = []
        for vehicle in vehicles:
            visit = _utc(last_visit.get(vehicle.vehicle_id))
            times = [t for t in (visit, _utc(vehicle.registered_at)) if t is not None]
            if not times:
                continue
            activity = max(times)
            policy = self._policy(vehicle.site_id)
            if not domain.is_lost(activity, now, policy):
                continue
            reason = reasons.get(vehicle.vehicle_id)
            lost.append(
                {
                    "vehicle_id": vehicle.vehicle_id,
                    "customer_id": vehicle.customer_id,
                    "customer_name": names.get(vehicle.customer_id),
                    "site_id": vehicle.site_id,
                    "vin": vehicle.vin,
                    "plate": vehicle.plate,
                    "model": vehicle.model,
                    "last_activity_at": activity,
                    "last_visit_at": visit,
                    "lost_since": domain.lost_since(activity, policy),
                    "reason": reason.reason if reason else None,
                    "reason_note": reason.note if reason else None,
                }
            )
        lost.sort(key=lambda v: (v["last_activity_at"], v["vehicle_id"]))
        return to_primitives(lost)

    @command
    def record_lost_reason(self, vehicle_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Why a vehicle's owner stopped coming, as found out on a call."""
        tenant = self.caller.tenant
        tenant.require_role(*CARE_ROLES)
        vehicle = self.db.session.get(ArchiveVehicle, vehicle_id)
        if vehicle is None or not self._sees(vehicle.group_id, vehicle.site_id):
            raise NotFound(f"vehicle {vehicle_id} not in the archive", "VEHICLE_NOT_FOUND")
        fields = load(LostReasonIn(), data)
        now = utcnow()
        self.db.session.add(
            LostReason(
                group_id=vehicle.group_id,
                site_id=vehicle.site_id,
                vehicle_id=vehicle_id,
                customer_id=vehicle.customer_id,
                reason=fields["reason"],
                note=fields["note"],
                recorded_at=now,
                recorded_by=tenant.user_id,
            )
        )
        self._contact(
            vehicle.group_id,
            vehicle.site_id,
            vehicle.customer_id,
            now,
            tenant.user_id,
            "lost_customer",
            vehicle_id,
            fields["reason"],
            fields["note"],
        )
        return to_primitives(
            {
                "vehicle_id": vehicle_id,
                "reason": fields["reason"],
                "note": fields["note"],
                "recorded_at": now,
                "recorded_by": tenant.user_id,
            }
        )

    @query
    def list_loyal_customers(self, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Customers with at least `loyal_min_visits` visits in the period (default: the
        site's `loyal_period_months` up to today)."""
        tenant = self.caller.tenant
        wanted = load(PeriodQuery(), filters or {})
        sites = self._figure_sites(tenant, wanted.get("site_id"))
        out = []
        for site_id in sites:
            policy = self._policy(site_id)
            start, end = self._period(wanted, policy, default_months=policy.loyal_period_months)
            visits = self.db.session.execute(
                select(Visit.customer_id, func.count(), func.max(Visit.delivered_at))
                .where(
                    Visit.group_id == tenant.group_id,
                    Visit.site_id == site_id,
                    Visit.delivered_at >= start,
                    Visit.delivered_at < end,
                )
                .group_by(Visit.customer_id)
                .having(func.count() >= policy.loyal_min_visits)
            ).all()
            customers = {
                c.customer_id: c
                for c in self.db.session.scalars(
                    select(ArchiveCustomer).where(
                        ArchiveCustomer.customer_id.in_([v[0] for v in visits])
                    )
                )
            }
            for customer_id, count, last in visits:
                customer = customers.get(customer_id)
                out.append(
                    {
                        "customer_id": customer_id,
                        "name": customer.name if customer else None,
                        "site_id": site_id,
                        "customer_class": customer.customer_class if customer else None,
                        "visits": count,
                        "last_visit_at": last,
                    }
                )
        out.sort(key=lambda c: (-c["visits"], c["customer_id"]))
        return to_primitives(out)

    # ================================================================ figures

    @query
    def figures(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Customer-care figures per site and period, and their total (HQ: every site).

        `from` and `to` are local dates, both included; the default is this month.
        """
        tenant = self.caller.tenant
        wanted = load(PeriodQuery(), filters or {})
        sites = self._figure_sites(tenant, wanted.get("site_id"))
        now = utcnow()
        per_site = []
        all_facts: dict[str, list[Any]] = defaultdict(list)
        total_orders = 0
        total_churn = [0, 0]
        total_loyal = 0
        period: tuple[datetime, datetime] | None = None
        for site_id in sites:
            policy = self._policy(site_id)
            start, end = self._period(wanted, policy)
            period = period or (start, end)
            facts = self._site_facts(tenant.group_id, site_id, start, end, policy)
            figures = domain.care_figures(**facts, now=now)
            per_site.append({"site_id": site_id, **figures})
            all_facts["followups"].extend(facts["followups"])
            all_facts["complaints"].extend(facts["complaints"])
            total_orders += facts["orders"]
            total_churn[0] += facts["churn_counts"][0]
            total_churn[1] += facts["churn_counts"][1]
            total_loyal += facts["loyal_customers"]
        total = domain.care_figures(
            followups=all_facts["followups"],
            complaints=all_facts["complaints"],
            orders=total_orders,
            churn_counts=(total_churn[0], total_churn[1]),
            loyal_customers=total_loyal,
            now=now,
        )
        policy = self._policy(sites[0]) if sites else CarePolicy()
        start, end = period or self._period(wanted, policy)
        return to_primitives(
            {
                "from": self._local_date(start, policy),
                "to": self._local_date(end, policy) - timedelta(days=1),
                "sites": per_site,
                "total": total,
            }
        )

    # ================================================================ deadlines

    @sweep_timer(SWEEP_SETTING, 60.0)
    @transactional
    def sweep(self) -> dict[str, int]:
        """Periodic and idempotent: flag overdue follow-ups, escalate late complaints."""
        return self._sweep(utcnow())

    @command
    def run_sweep(self) -> dict[str, int]:
        """The sweep on demand (operators, tests); the timer runs it anyway."""
        self.caller.tenant.require_role("system", "hq_manager")
        return self._sweep(utcnow())

    def _sweep(self, now: datetime) -> dict[str, int]:
        session = self.db.session
        flagged = session.execute(
            update(Followup)
            .where(
                Followup.status == "open", Followup.deadline < now, Followup.overdue_at.is_(None)
            )
            .values(overdue_at=now)
        ).rowcount
        late = session.scalars(
            select(ComplaintRow)
            .where(
                ComplaintRow.status != domain.ComplaintState.CLOSED,
                or_(
                    (ComplaintRow.resolve_by < now) & ComplaintRow.resolution_escalated.is_(False),
                    ComplaintRow.acknowledged_at.is_(None)
                    & (ComplaintRow.acknowledge_by < now)
                    & ComplaintRow.acknowledge_escalated.is_(False),
                ),
            )
            .order_by(ComplaintRow.received_at)
            .limit(500)
            .with_for_update(skip_locked=True)
        ).all()
        escalated = 0
        for row in late:
            complaint = self._to_domain(row)
            for reason in domain.overdue_reasons(
                status=row.status,
                acknowledged_at=_utc(row.acknowledged_at),
                acknowledge_by=as_utc(row.acknowledge_by),
                resolve_by=as_utc(row.resolve_by),
                now=now,
            ):
                if domain.escalate_complaint(complaint, reason) is not None:
                    self._record_escalation(row, complaint, reason, None, "system", now)
                    escalated += 1
        return {"followups_flagged_overdue": flagged or 0, "complaints_escalated": escalated}

    # ================================================================ helpers: tenancy

    def _sees(self, group_id: str, site_id: str | None) -> bool:
        tenant = self.caller.tenant
        return group_id == tenant.group_id and site_id is not None and tenant.can_see_site(site_id)

    def _require_site_view(self, site_id: str) -> None:
        tenant = self.caller.tenant
        if tenant.is_oem:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        tenant.require_site(site_id)

    def _visible_customer(self, customer_id: str) -> ArchiveCustomer:
        customer = self.db.session.get(ArchiveCustomer, customer_id)
        if customer is None or not self._sees(customer.group_id, customer.site_id):
            raise NotFound(f"customer {customer_id} not in the archive", "CUSTOMER_NOT_FOUND")
        return customer

    def _visible_followup(self, followup_id: str, for_update: bool = False) -> Followup:
        followup = self.db.session.get(Followup, followup_id, with_for_update=for_update or None)
        if followup is None or not self._sees(followup.group_id, followup.site_id):
            raise NotFound(f"follow-up {followup_id} not found", "FOLLOWUP_NOT_FOUND")
        return followup

    def _visible_complaint(self, complaint_id: str, for_update: bool = False) -> ComplaintRow:
        row = self.db.session.get(ComplaintRow, complaint_id, with_for_update=for_update or None)
        if row is None or not self._sees(row.group_id, row.site_id):
            raise NotFound(f"complaint {complaint_id} not found", "COMPLAINT_NOT_FOUND")
        return row

    def _figure_sites(self, tenant: Tenant, site_id: str | None) -> list[str]:
        """The sites a figures query covers: one, the caller's, or (HQ) every known one."""
        sites = tenant.visible_sites([site_id] if site_id else None)
        if sites is not None:
            return sorted(sites)
        known: set[str] = set()
        for model in (ArchiveCustomer, Followup, ComplaintRow, SettledOrder, Agent, Visit):
            known.update(
                self.db.session.scalars(
                    select(model.site_id).where(model.group_id == tenant.group_id).distinct()
                )
            )
        known.update(tenant.site_ids)
        return sorted(known)

    # ================================================================ helpers: policy, time

    def _policy(self, site_id: str | None) -> CarePolicy:
        if site_id is None:
            return CarePolicy()
        cache = self.__dict__.setdefault("_policies", {})
        if site_id not in cache:
            row = self.db.session.get(SitePolicy, site_id)
            cache[site_id] = CarePolicy.from_settings(row.settings if row else None)
        return cache[site_id]

    def _store_policy(self, group_id: str, site_id: str, settings: dict[str, Any], by: str) -> None:
        policy = CarePolicy.from_settings(settings)  # refuses what cannot work
        row = self.db.session.get(SitePolicy, site_id)
        if row is None:
            row = SitePolicy(site_id=site_id, group_id=group_id)
            self.db.session.add(row)
        elif row.group_id != group_id:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        row.settings = policy.to_settings()
        row.updated_by, row.updated_at = by, utcnow()
        self.__dict__.setdefault("_policies", {})[site_id] = policy

    @staticmethod
    def _local_date(at: datetime, policy: CarePolicy) -> date:
        return as_utc(at).astimezone(policy.tz).date()

    def _period(
        self, wanted: dict[str, Any], policy: CarePolicy, default_months: int | None = None
    ) -> tuple[datetime, datetime]:
        """[start, end) in UTC from local dates `from`..`to`, both included."""
        today = self._local_date(utcnow(), policy)
        date_to = wanted.get("date_to") or today
        if wanted.get("date_from"):
            date_from = wanted["date_from"]
        elif default_months:
            date_from = domain.add_months(date_to, -default_months) + timedelta(days=1)
        else:
            date_from = date_to.replace(day=1)
        if date_from > date_to:
            raise ValidationFailed.on("from", "the period starts after it ends")
        if (date_to - date_from).days > 3660:
            raise ValidationFailed.on("from", "at most ten years at once")
        tz = policy.tz
        start = datetime.combine(date_from, time.min, tz).astimezone(UTC)
        end = datetime.combine(date_to + timedelta(days=1), time.min, tz).astimezone(UTC)
        return start, end

    # ================================================================ helpers: archive

    def _archived_customer(self, customer_id: str, group_id: str) -> ArchiveCustomer | None:
        customer = self.db.session.get(ArchiveCustomer, customer_id)
        return customer if customer is not None and customer.group_id == group_id else None

    def _names(self, customer_ids: Iterable[str]) -> dict[str, str]:
        ids = [c for c in customer_ids if c]
        if not ids:
            return {}
        return dict(
            self.db.session.execute(
                select(ArchiveCustomer.customer_id, ArchiveCustomer.name).where(
                    ArchiveCustomer.customer_id.in_(ids)
                )
            ).all()
        )

    def _reading(self, vehicle_id: str, read_on: date, km: int, source: str) -> None:
        session = self.db.session
        exists = session.scalar(
            select(MileageReading.id).where(
                MileageReading.vehicle_id == vehicle_id, MileageReading.source == source
            )
        )
        if exists is None:
            session.add(
                MileageReading(vehicle_id=vehicle_id, read_on=read_on, km=km, source=source)
            )

    def _agent_load(self, site_id: str) -> dict[str, int]:
        session = self.db.session
        agents = session.scalars(
            select(Agent.user_id).where(Agent.site_id == site_id, Agent.active.is_(True))
        ).all()
        load_ = dict.fromkeys(agents, 0)
        for agent_id, count in session.execute(
            select(ArchiveCustomer.agent_id, func.count())
            .where(ArchiveCustomer.site_id == site_id, ArchiveCustomer.agent_id.in_(agents))
            .group_by(ArchiveCustomer.agent_id)
        ):
            load_[agent_id] = count
        return load_

    def _assign(self, site_id: str, customers: list[ArchiveCustomer]) -> int:
        """Give each customer the site's least-loaded agent; their open work follows."""
        assigned = domain.balance(self._agent_load(site_id), [c.customer_id for c in customers])
        for customer in customers:
            agent_id = assigned.get(customer.customer_id)
            if agent_id is None:
                continue
            customer.agent_id = agent_id
            for model in (Followup, Reminder):
                self.db.session.execute(
                    update(model)
                    .where(
                        model.customer_id == customer.customer_id,
                        model.site_id == site_id,
                        model.agent_id.is_(None),
                        model.status == "open",
                    )
                    .values(agent_id=agent_id)
                )
        return len(assigned)

    def _agent_for(self, customer: ArchiveCustomer | None, site_id: str) -> str | None:
        """The customer's own agent if they work at this site, else the least loaded one."""
        if customer is not None and customer.agent_id:
            works_here = self.db.session.get(Agent, (site_id, customer.agent_id))
            if works_here is not None and works_here.active:
                return customer.agent_id
        return domain.pick_agent(self._agent_load(site_id))

    def _customer_dict(self, customer: ArchiveCustomer) -> dict[str, Any]:
        return {
            "customer_id": customer.customer_id,
            "site_id": customer.site_id,
            "name": customer.name,
            "phones": customer.phones,
            "customer_class": customer.customer_class,
            "agent_id": customer.agent_id,
            "registered_by": customer.registered_by,
            "recorded_for": customer.recorded_for,
            "registered_at": as_utc(customer.registered_at),
        }

    def _contact(
        self,
        group_id: str,
        site_id: str,
        customer_id: str | None,
        at: datetime,
        by: str,
        kind: str,
        reference: str,
        outcome: str,
        note: str | None,
    ) -> None:
        self.db.session.add(
            Contact(
                group_id=group_id,
                site_id=site_id,
                customer_id=customer_id,
                at=at,
                by=by,
                kind=kind,
                reference=reference,
                outcome=outcome,
                note=note,
            )
        )

    # ================================================================ helpers: reminders

    def _add_reminder(
        self,
        *,
        kind: str,
        dedupe_key: str,
        group_id: str,
        site_id: str,
        vehicle: ArchiveVehicle | None,
        customer: ArchiveCustomer | None,
        title: str,
        details: dict[str, Any],
        remind_on: date,
        at: datetime,
        vehicle_id: str | None = None,
        customer_id: str | None = None,
        contact_name: str | None = None,
        phone: str | None = None,
    ) -> Reminder | None:
        session = self.db.session
        if session.scalar(select(Reminder.reminder_id).where(Reminder.dedupe_key == dedupe_key)):
            return None
        reminder = Reminder(
            reminder_id=new_id("rem"),
            group_id=group_id,
            site_id=site_id,
            kind=kind,
            dedupe_key=dedupe_key,
            customer_id=customer.customer_id if customer else customer_id,
            vehicle_id=vehicle.vehicle_id if vehicle else vehicle_id,
            vin=vehicle.vin if vehicle else None,
            contact_name=contact_name or (customer.name if customer else None),
            phone=phone or (customer.phones[0] if customer and customer.phones else None),
            agent_id=self._agent_for(customer, site_id),
            title=title[:300],
            details=to_primitives(details),
            remind_on=remind_on,
            status="open",
            attempts=0,
            created_at=at,
        )
        session.add(reminder)
        return reminder

    def _service_reminder(
        self,
        payload: dict[str, Any],
        event: Envelope,
        delivered_on: date,
        customer: ArchiveCustomer | None,
        policy: CarePolicy,
    ) -> None:
        """The next service by date or mileage; replaces the vehicle's older one."""
        session = self.db.session
        next_date = payload.get("next_service_date")
        readings = [
            (r.read_on, r.km)
            for r in session.scalars(
                select(MileageReading).where(MileageReading.vehicle_id == payload["vehicle_id"])
            )
        ]
        reminder = domain.next_service_reminder(
            delivered_on=delivered_on,
            next_service_date=date.fromisoformat(next_date) if next_date else None,
            next_service_mileage=payload.get("next_service_mileage"),
            readings=readings,
            policy=policy,
        )
        if reminder is None:
            return
        session.execute(
            update(Reminder)
            .where(
                Reminder.vehicle_id == payload["vehicle_id"],
                Reminder.kind == "service_due",
                Reminder.status == "open",
            )
            .values(status="cancelled", outcome="superseded")
        )
        per_day = domain.average_daily_km(readings)
        recommendations = session.scalars(
            select(Recommendation.description).where(
                Recommendation.vehicle_id == payload["vehicle_id"]
            )
        ).all()
        vehicle = session.get(ArchiveVehicle, payload["vehicle_id"])
        self._add_reminder(
            kind="service_due",
            dedupe_key=f"service_due:{payload['order_id']}",
            group_id=event.group_id,
            site_id=event.site_id,
            vehicle=vehicle,
            customer=customer,
            vehicle_id=payload["vehicle_id"],
            customer_id=payload["customer_id"],
            title=f"保养提醒：{payload.get('plate') or payload['vin']} 下次保养 "
            f"{reminder.service_due_on.isoformat()}",
            details={
                "order_id": payload["order_id"],
                "next_service_date": next_date,
                "next_service_mileage": payload.get("next_service_mileage"),
                "service_due_on": reminder.service_due_on,
                "basis": reminder.basis,
                "mileage_due_on": reminder.mileage_due_on,
                "average_daily_km": None if per_day is None else round(per_day, 1),
                "recommendations": list(recommendations),
            },
            remind_on=reminder.remind_on,
            at=as_utc(datetime.fromisoformat(payload["delivered_at"])),
        )

    def _recall_reminder(self, recall: Recall, vehicle: ArchiveVehicle, at: datetime) -> None:
        today = self._local_date(at, self._policy(vehicle.site_id))
        if recall.ends_on is not None and recall.ends_on < today:
            return
        customer = self._archived_customer(vehicle.customer_id, vehicle.group_id)
        label = "召回通知" if recall.kind == "recall" else "服务活动通知"
        self._add_reminder(
            kind=recall.kind,
            dedupe_key=f"{recall.kind}:{recall.recall_id}:{vehicle.vehicle_id}",
            group_id=vehicle.group_id,
            site_id=vehicle.site_id,
            vehicle=vehicle,
            customer=customer,
            customer_id=vehicle.customer_id,
            title=f"{label}：{recall.title}",
            details={
                "recall_id": recall.recall_id,
                "oem_id": recall.oem_id,
                "description": recall.description,
                "labor_operation_code": recall.labor_operation_code,
                "starts_on": recall.starts_on,
                "ends_on": recall.ends_on,
            },
            remind_on=max(recall.starts_on, today),
            at=at,
        )

    @staticmethod
    def _reminder_dict(r: Reminder) -> dict[str, Any]:
        return {
            "reminder_id": r.reminder_id,
            "site_id": r.site_id,
            "kind": r.kind,
            "customer_id": r.customer_id,
            "vehicle_id": r.vehicle_id,
            "vin": r.vin,
            "contact_name": r.contact_name,
            "phone": r.phone,
            "agent_id": r.agent_id,
            "title": r.title,
            "details": r.details,
            "remind_on": r.remind_on,
            "status": r.status,
            "attempts": r.attempts,
            "outcome": r.outcome,
            "note": r.note,
            "created_at": r.created_at,
            "done_at": r.done_at,
            "done_by": r.done_by,
        }

    # ================================================================ helpers: follow-ups

    def _followup_out(self, followup: Followup) -> dict[str, Any]:
        attempts = self.db.session.scalars(
            select(FollowupAttempt)
            .where(FollowupAttempt.followup_id == followup.followup_id)
            .order_by(FollowupAttempt.number)
        ).all()
        customer = self.db.session.get(ArchiveCustomer, followup.customer_id)
        return self._followup_dict(
            followup, customer.name if customer else None, attempts=attempts, customer=customer
        )

    def _followup_dict(
        self,
        f: Followup,
        customer_name: str | None,
        *,
        attempts: list[FollowupAttempt] | None,
        customer: ArchiveCustomer | None = None,
    ) -> dict[str, Any]:
        deadline = as_utc(f.deadline)
        done_at = _utc(f.done_at)
        out = {
            "followup_id": f.followup_id,
            "site_id": f.site_id,
            "order_id": f.order_id,
            "order_number": f.order_number,
            "customer_id": f.customer_id,
            "customer_name": customer_name,
            "phones": customer.phones if customer else [],
            "vehicle_id": f.vehicle_id,
            "vin": f.vin,
            "plate": f.plate,
            "customer_class": f.customer_class,
            "mandatory": f.mandatory,
            "agent_id": f.agent_id,
            "service_advisor_id": f.service_advisor_id,
            "delivered_at": f.delivered_at,
            "due_at": f.due_at,
            "deadline": deadline,
            "status": f.status,
            "overdue": f.status == "open" and utcnow() > deadline,
            "attempts": f.attempts,
            "next_attempt_at": f.next_attempt_at,
            "done_at": done_at,
            "within_72h": None if done_at is None else f.status == "done" and done_at <= deadline,
            "satisfaction": f.satisfaction,
            "scores": f.scores or {},
            "would_recommend": f.would_recommend,
            "survey_index": f.survey_index,
            "comment": f.comment,
            "complaint_id": f.complaint_id,
        }
        if attempts is not None:
            out["attempt_log"] = [
                {
                    "number": a.number,
                    "at": a.at,
                    "by": a.by,
                    "outcome": a.outcome,
                    "satisfaction": a.satisfaction,
                    "at_risk": a.at_risk,
                    "callback_at": a.callback_at,
                    "comment": a.comment,
                }
                for a in attempts
            ]
        return to_primitives(out)

    def _complaint_from_followup(
        self,
        followup: Followup,
        fields: dict[str, Any],
        at_risk: bool,
        now: datetime,
        by: str,
    ) -> str:
        """An unhappy follow-up: escalate the customer's open complaint, or open one."""
        session = self.db.session
        existing = session.scalars(
            select(ComplaintRow)
            .where(
                ComplaintRow.group_id == followup.group_id,
                ComplaintRow.site_id == followup.site_id,
                ComplaintRow.customer_id == followup.customer_id,
                ComplaintRow.status != domain.ComplaintState.CLOSED,
            )
            .order_by(ComplaintRow.received_at)
            .limit(1)
            .with_for_update()
        ).first()
        if existing is not None:
            complaint = self._to_domain(existing)
            reason = "at_risk" if at_risk and not existing.at_risk else "followup_unsatisfied"
            if domain.escalate_complaint(complaint, reason) is not None:
                self._record_escalation(existing, complaint, reason, fields["comment"], by, now)
            return existing.complaint_id
        customer = self._archived_customer(followup.customer_id, followup.group_id)
        row = self._open_complaint(
            group_id=followup.group_id,
            site_id=followup.site_id,
            customer_id=followup.customer_id,
            customer_name=customer.name if customer else followup.customer_id,
            phone=customer.phones[0] if customer and customer.phones else None,
            vehicle_id=followup.vehicle_id,
            order_id=followup.order_id,
            followup_id=followup.followup_id,
            channel="followup",
            source="followup",
            description=fields["comment"] or "回访时客户表示不满意",
            category=None,
            at_risk=at_risk,
            received_at=now,
            by=by,
            now=now,
        )
        return row.complaint_id

    # ================================================================ helpers: complaints

    def _open_complaint(
        self,
        *,
        group_id: str,
        site_id: str,
        customer_id: str | None,
        customer_name: str,
        phone: str | None,
        vehicle_id: str | None,
        order_id: str | None,
        followup_id: str | None,
        channel: str,
        source: str,
        description: str,
        category: str | None,
        at_risk: bool,
        received_at: datetime,
        by: str,
        now: datetime,
    ) -> ComplaintRow:
        """Register a complaint, announce it, and escalate it at once when at risk."""
        acknowledge_by, resolve_by = domain.complaint_deadlines(received_at, self._policy(site_id))
        row = ComplaintRow(
            complaint_id=new_id("cmp"),
            group_id=group_id,
            site_id=site_id,
            customer_id=customer_id,
            customer_name=customer_name,
            phone=phone,
            vehicle_id=vehicle_id,
            order_id=order_id,
            followup_id=followup_id,
            channel=channel,
            source=source,
            description=description,
            category=category,
            at_risk=False,  # set by the escalation below, so that it is recorded once
            received_at=received_at,
            registered_at=now,
            registered_by=by,
            acknowledge_by=acknowledge_by,
            resolve_by=resolve_by,
            status=domain.ComplaintState.REGISTERED,
            department=domain.suggested_department(category),
            solutions=[],
            escalation_level=0,
            escalation_reasons=[],
            acknowledge_escalated=False,
            resolution_escalated=False,
            updated_at=now,
        )
        self.db.session.add(row)
        self.db.session.flush()  # its history rows refer to it
        self._history(
            row,
            now,
            by,
            "register",
            None,
            row.status,
            {
                "channel": channel,
                "source": source,
                "description": description,
                "category": category,
                "at_risk": at_risk,
            },
        )
        self._contact(
            group_id,
            site_id,
            customer_id,
            now,
            by,
            "complaint",
            row.complaint_id,
            "registered",
            description,
        )
        self.db.session.flush()
        self.db.publish(
            "complaint_raised",
            {
                "complaint_id": row.complaint_id,
                "customer_id": customer_id,
                "customer_name": customer_name,
                "vehicle_id": vehicle_id,
                "order_id": order_id,
                "channel": channel,
                "source": source,
                "followup_id": followup_id,
                "description": description,
                "category": category,
                "at_risk": at_risk,
                "received_at": received_at,
                "registered_by": by,
                "acknowledge_by": acknowledge_by,
                "resolve_by": resolve_by,
            },
            group_id=group_id,
            site_id=site_id,
            correlation_id=row.complaint_id,
        )
        if at_risk:
            complaint = self._to_domain(row)
            domain.escalate_complaint(complaint, "at_risk")
            self._record_escalation(row, complaint, "at_risk", description, by, now)
        return row

    def _record_escalation(
        self,
        row: ComplaintRow,
        complaint: Complaint,
        reason: str,
        note: str | None,
        by: str,
        now: datetime,
    ) -> None:
        """Write what escalate_complaint() decided: row, level, history, event."""
        level = complaint.escalation_level
        target = domain.escalation_target(level)
        row.escalation_level = level
        row.escalation_reasons = list(complaint.escalation_reasons)
        row.at_risk = complaint.at_risk
        row.acknowledge_escalated = "acknowledge_overdue" in complaint.escalation_reasons
        row.resolution_escalated = "resolution_overdue" in complaint.escalation_reasons
        row.updated_at = now
        self.db.session.add(
            ComplaintEscalation(
                complaint_id=row.complaint_id,
                level=level,
                reason=reason,
                escalated_to=target,
                note=note,
                at=now,
                by=by,
            )
        )
        self._history(
            row,
            now,
            by,
            "escalate",
            row.status,
            row.status,
            {"level": level, "reason": reason, "escalated_to": target, "note": note},
        )
        self.db.publish(
            "complaint_escalated",
            {
                "complaint_id": row.complaint_id,
                "customer_id": row.customer_id,
                "level": level,
                "escalated_to": target,
                "reason": reason,
                "status": row.status,
                "note": note,
                "escalated_at": now,
                "escalated_by": by,
            },
            group_id=row.group_id,
            site_id=row.site_id,
            correlation_id=row.complaint_id,
        )

    def _history(
        self,
        row: ComplaintRow,
        at: datetime,
        by: str,
        action: str,
        from_status: str | None,
        to_status: str,
        details: dict[str, Any],
    ) -> None:
        self.db.session.add(
            ComplaintHistory(
                complaint_id=row.complaint_id,
                at=at,
                by=by,
                action=action,
                from_status=from_status,
                to_status=to_status,
                details=to_primitives(details),
            )
        )

    @staticmethod
    def _to_domain(row: ComplaintRow) -> Complaint:
        return Complaint(
            status=row.status,
            valid=row.valid,
            category=row.category,
            classification=row.classification,
            department=row.department,
            responsible_person=row.responsible_person,
            findings=row.findings,
            solutions=list(row.solutions or []),
            approved_solution=row.approved_solution,
            approved_by=row.approved_by,
            customer_accepted=row.customer_accepted,
            customer_satisfied=row.customer_satisfied,
            summary=row.summary,
            acknowledged_at=_utc(row.acknowledged_at),
            closed_at=_utc(row.closed_at),
            closed_by=row.closed_by,
            escalation_level=row.escalation_level or 0,
            escalation_reasons=list(row.escalation_reasons or []),
            at_risk=bool(row.at_risk),
        )

    @staticmethod
    def _from_domain(row: ComplaintRow, complaint: Complaint, now: datetime) -> None:
        for name in (
            "status",
            "valid",
            "category",
            "classification",
            "department",
            "responsible_person",
            "findings",
            "approved_solution",
            "approved_by",
            "customer_accepted",
            "customer_satisfied",
            "summary",
            "acknowledged_at",
            "closed_at",
            "closed_by",
        ):
            setattr(row, name, getattr(complaint, name))
        row.solutions = to_primitives(complaint.solutions)
        row.updated_at = now

    def _complaint_dict(self, row: ComplaintRow, now: datetime) -> dict[str, Any]:
        return to_primitives(
            {
                "complaint_id": row.complaint_id,
                "site_id": row.site_id,
                "customer_id": row.customer_id,
                "customer_name": row.customer_name,
                "phone": row.phone,
                "vehicle_id": row.vehicle_id,
                "order_id": row.order_id,
                "followup_id": row.followup_id,
                "channel": row.channel,
                "source": row.source,
                "description": row.description,
                "category": row.category,
                "at_risk": row.at_risk,
                "received_at": row.received_at,
                "registered_at": row.registered_at,
                "registered_by": row.registered_by,
                "acknowledge_by": row.acknowledge_by,
                "resolve_by": row.resolve_by,
                "acknowledged_at": row.acknowledged_at,
                "status": row.status,
                "valid": row.valid,
                "department": row.department,
                "responsible_person": row.responsible_person,
                "findings": row.findings,
                "solutions": row.solutions or [],
                "approved_solution": row.approved_solution,
                "approved_by": row.approved_by,
                "customer_accepted": row.customer_accepted,
                "customer_satisfied": row.customer_satisfied,
                "classification": row.classification,
                "summary": row.summary,
                "closed_at": row.closed_at,
                "closed_by": row.closed_by,
                "escalation_level": row.escalation_level,
                "overdue": domain.overdue_reasons(
                    status=row.status,
                    acknowledged_at=_utc(row.acknowledged_at),
                    acknowledge_by=as_utc(row.acknowledge_by),
                    resolve_by=as_utc(row.resolve_by),
                    now=now,
                ),
            }
        )

    def _complaint_out(self, row: ComplaintRow) -> dict[str, Any]:
        session = self.db.session
        session.flush()
        history = session.scalars(
            select(ComplaintHistory)
            .where(ComplaintHistory.complaint_id == row.complaint_id)
            .order_by(ComplaintHistory.id)
        ).all()
        escalations = session.scalars(
            select(ComplaintEscalation)
            .where(ComplaintEscalation.complaint_id == row.complaint_id)
            .order_by(ComplaintEscalation.level)
        ).all()
        out = self._complaint_dict(row, utcnow())
        out["history"] = to_primitives(
            [
                {
                    "at": h.at,
                    "by": h.by,
                    "action": h.action,
                    "from_status": h.from_status,
                    "to_status": h.to_status,
                    "details": h.details,
                }
                for h in history
            ]
        )
        out["escalations"] = to_primitives(
            [
                {
                    "level": e.level,
                    "reason": e.reason,
                    "escalated_to": e.escalated_to,
                    "note": e.note,
                    "at": e.at,
                    "by": e.by,
                }
                for e in escalations
            ]
        )
        return out

    # ================================================================ helpers: figures

    def _site_facts(
        self, group_id: str, site_id: str, start: datetime, end: datetime, policy: CarePolicy
    ) -> dict[str, Any]:
        """The raw facts of one site and period that `domain.care_figures` counts."""
        session = self.db.session
        followups = [
            FollowupFact(
                customer_class=f.customer_class,
                status=f.status,
                attempts=f.attempts,
                deadline=as_utc(f.deadline),
                done_at=_utc(f.done_at),
                satisfaction=f.satisfaction,
                scores=f.scores or {},
                would_recommend=f.would_recommend,
            )
            for f in session.scalars(
                select(Followup).where(
                    Followup.group_id == group_id,
                    Followup.site_id == site_id,
                    Followup.delivered_at >= start,
                    Followup.delivered_at < end,
                )
            )
        ]
        complaints = []
        for c in session.scalars(
            select(ComplaintRow).where(
                ComplaintRow.group_id == group_id,
                ComplaintRow.site_id == site_id,
                or_(
                    (ComplaintRow.received_at >= start) & (ComplaintRow.received_at < end),
                    (ComplaintRow.closed_at >= start) & (ComplaintRow.closed_at < end),
                ),
            )
        ):
            received = as_utc(c.received_at)
            closed = _utc(c.closed_at)
            complaints.append(
                ComplaintFact(
                    received_in_period=start <= received < end,
                    closed_in_period=closed is not None and start <= closed < end,
                    status=c.status,
                    valid=c.valid,
                    classification=c.classification,
                    escalated=(c.escalation_level or 0) > 0,
                )
            )
        orders = session.scalar(
            select(func.count()).where(
                SettledOrder.group_id == group_id,
                SettledOrder.site_id == site_id,
                SettledOrder.settled_at >= start,
                SettledOrder.settled_at < end,
            )
        )
        # Activity per customer of the site: registration and every visit.
        activity: dict[str, list[datetime]] = defaultdict(list)
        for customer_id, registered_at in session.execute(
            select(ArchiveCustomer.customer_id, ArchiveCustomer.registered_at).where(
                ArchiveCustomer.group_id == group_id, ArchiveCustomer.site_id == site_id
            )
        ):
            activity[customer_id].append(as_utc(registered_at))
        visits: dict[str, list[datetime]] = defaultdict(list)
        for customer_id, delivered_at in session.execute(
            select(Visit.customer_id, Visit.delivered_at).where(
                Visit.group_id == group_id, Visit.site_id == site_id, Visit.delivered_at < end
            )
        ):
            activity[customer_id].append(as_utc(delivered_at))
            visits[customer_id].append(as_utc(delivered_at))
        return {
            "followups": followups,
            "complaints": complaints,
            "orders": orders or 0,
            "churn_counts": domain.churn(activity, start, end, policy),
            "loyal_customers": sum(
                1 for times in visits.values() if domain.loyal(times, start, end, policy)
            ),
        }
