"""Every outgoing payload, built by `events.py` from rows as the service has them, is
what its contract says (reception consumes them). Pure: no broker, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from aftersales_contracts import validate_payload
from aftersales_workshop import domain, events
from aftersales_workshop.models import AdditionalWork, Job, Order

AT = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)


def job(**changes: object) -> Job:
    values: dict[str, object] = {
        "job_id": "job-1",
        "group_id": "group-1",
        "site_id": "site-pd",
        "order_id": "ro-1",
        "line_id": "ln-1",
        "operation_code": "BRK-FPAD",
        "description": "更换前刹车片",
        "standard_hours": Decimal("1.0"),
        "payer": "customer",
        "status": domain.ASSIGNED,
        "technician_id": "tech.liu.pd",
        "team_id": "team-pd-1",
        "planned_date": date(2026, 11, 25),
        "rework_count": 0,
    }
    values.update(changes)
    return Job(**values)


def order() -> Order:
    return Order(
        order_id="ro-2",
        group_id="group-1",
        site_id="site-pd",
        vin="LSVAU2180N2183294",
        promised_at=datetime(2026, 11, 25, 10, 0),  # naive, as SQLite hands it back
    )


def test_job_payloads_keep_their_contracts() -> None:
    dispatched = events.job_dispatched(job(), "disp.ma.pd")
    assert validate_payload("job_dispatched", dispatched) == dispatched
    assert dispatched["technician_id"] == "tech.liu.pd" and dispatched["team_id"] == "team-pd-1"
    team_only = events.job_dispatched(job(technician_id=None), "disp.ma.pd")
    assert validate_payload("job_dispatched", team_only)["technician_id"] is None
    validate_payload("job_started", events.job_started(job(), "tech.liu.pd", AT))
    paused = events.job_paused(job(), "tech.liu.pd", "waiting_for_parts")
    assert validate_payload("job_paused", paused)["reason"] == "waiting_for_parts"
    done = events.job_done(job(standard_hours=Decimal("1.25")), Decimal("0.8"), AT)
    assert validate_payload("job_done", done)
    assert (done["standard_hours"], done["clocked_hours"]) == ("1.3", "0.8")
    assert done["done_at"] == "2026-11-25T02:30:00+00:00"


def test_qc_payloads_keep_their_contracts() -> None:
    passed = events.qc_passed("ro-1", "qc.hu.pd", ["job-1", "job-2"], True)
    assert validate_payload("qc_passed", passed)["road_test"] is True
    failed = events.qc_failed([job(), job(job_id="job-2")], "qc.hu.pd", ["异响"], None)
    assert validate_payload("qc_failed", failed)["job_ids"] == ["job-1", "job-2"]
    assert failed["order_id"] == "ro-1"


def test_additional_work_risk_and_comeback_payloads_keep_their_contracts() -> None:
    work = AdditionalWork(
        work_id="aw-1",
        order_id="ro-1",
        job_id="job-1",
        description="刹车油含水量超标",
        found_by="tech.liu.pd",
        suggested_operations=[
            {"operation_code": "BRK-FLUID", "description": "更换制动液", "standard_hours": "0.8"}
        ],
        suggested_parts=[{"part_number": "DOT4-1L", "quantity": "1"}],
    )
    found = events.additional_work_found(work)
    assert validate_payload("additional_work_found", found)["found_by"] == "tech.liu.pd"
    risk = events.order_at_risk(order(), Decimal("0.72"), 2)
    assert validate_payload("order_at_risk", risk)["promised_at"] == "2026-11-25T10:00:00+00:00"
    match = domain.ComebackMatch("ro-0", "job-0", "tech.liu.pd", "complaint", None, Decimal(1), 3)
    comeback = events.comeback_detected(order(), "ro-0", match)
    assert validate_payload("comeback_detected", comeback)["days_after_delivery"] == 3
