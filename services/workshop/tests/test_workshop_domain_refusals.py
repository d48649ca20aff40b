"""The refusals that moved out of the workshop's entrypoints into its domain: who acts
on a job, dispatch targets, the RO's road test and final-inspection gate, attendance
entries, reference data and periods. Pure: no broker, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales_core.errors import Conflict, Forbidden, ValidationFailed
from aftersales_workshop import domain
from aftersales_workshop.domain import (
    ASSIGNED,
    DONE,
    FINAL_INSPECTION,
    IN_PROGRESS,
    PAUSED,
    ROAD_TEST,
    WAITING_QC,
    Job,
)

LIU, YANG = "tech.liu.pd", "tech.yang.pd"
PUDONG = ("group-1", "site-pd")
SUZHOU = ("group-1", "site-sz")


def refused(error: type[Exception], code: str, call, *args, **kwargs) -> Exception:  # noqa: ANN001
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


# ---------------------------------------------------------------- who acts on a job


def test_a_technician_acts_for_himself_and_a_dispatcher_for_the_jobs_technician() -> None:
    assert domain.actor(LIU, ["technician"], None, YANG) == LIU
    assert domain.actor(LIU, ["technician"], LIU, YANG) == LIU
    assert domain.actor("disp.ma.pd", ["dispatcher"], None, YANG) == YANG
    assert domain.actor("disp.ma.pd", ["dispatcher"], LIU, YANG) == LIU
    error = refused(Forbidden, "ROLE_FORBIDDEN", domain.actor, LIU, ["technician"], YANG, None)
    assert error.fields == {"roles": list(domain.CLOCK_FOR_OTHERS_ROLES)}
    refused(
        ValidationFailed, "TECHNICIAN_REQUIRED", domain.actor, "disp.ma.pd", ["dispatcher"], None,
        None,
    )  # fmt: skip
    refused(Forbidden, "ROLE_FORBIDDEN", domain.actor, "sa.li.pd", ["service_advisor"], None, YANG)


def test_finishing_or_pausing_someone_elses_job_is_refused() -> None:
    working = Job(IN_PROGRESS, LIU, "team-1", LIU)
    assert domain.finish(working, LIU).status == WAITING_QC
    refused(Conflict, "NOT_DISPATCHED_TO_YOU", domain.finish, working, YANG)
    refused(Conflict, "ILLEGAL_TRANSITION", domain.finish, Job(ASSIGNED, LIU), YANG)
    assert domain.pause(working, "break", LIU).status == PAUSED
    refused(Conflict, "NOT_DISPATCHED_TO_YOU", domain.pause, working, "break", YANG)
    refused(Conflict, "NOT_DISPATCHED", domain.pause, Job(ASSIGNED, None, "team-1"), "break", LIU)


def test_a_lost_clock_on_race_is_technician_busy() -> None:
    refused(Conflict, "TECHNICIAN_BUSY", domain.busy_elsewhere, LIU)


def test_work_is_reported_only_on_an_ro_in_the_workshop() -> None:
    domain.check_order_open(False, False)
    refused(Conflict, "ORDER_DELIVERED", domain.check_order_open, True, False)
    refused(Conflict, "ORDER_CANCELLED", domain.check_order_open, False, True)


# ---------------------------------------------------------------- dispatch targets


def test_technicians_teams_and_bays_belong_to_the_jobs_site() -> None:
    domain.require_site_member(PUDONG, PUDONG, "bay_id", "bay", "UNKNOWN_BAY")
    error = refused(
        ValidationFailed, "UNKNOWN_BAY", domain.require_site_member, SUZHOU, PUDONG, "bay_id",
        "bay", "UNKNOWN_BAY",
    )  # fmt: skip
    assert list(error.fields) == ["bay_id"]
    refused(
        ValidationFailed, "UNKNOWN_TECHNICIAN", domain.require_site_member, None, PUDONG,
        "technician_id", "technician", "UNKNOWN_TECHNICIAN",
    )  # fmt: skip


def test_the_team_of_a_dispatch() -> None:
    assert domain.dispatch_team("team-1", True, None, None, PUDONG) == "team-1"
    assert domain.dispatch_team(None, False, "team-2", PUDONG, PUDONG) == "team-2"
    assert domain.dispatch_team("team-1", True, "team-1", PUDONG, PUDONG) == "team-1"
    refused(
        ValidationFailed, "UNKNOWN_TEAM", domain.dispatch_team, None, False, "team-x", None, PUDONG
    )
    refused(
        ValidationFailed, "UNKNOWN_TEAM", domain.dispatch_team, None, False, "team-sz", SUZHOU,
        PUDONG,
    )  # fmt: skip
    refused(
        ValidationFailed, "TEAM_MISMATCH", domain.dispatch_team, "team-1", True, "team-2", PUDONG,
        PUDONG,
    )  # fmt: skip


def test_a_team_leader_dispatches_within_their_own_team() -> None:
    assert domain.only_team_leader(["team_leader", "technician"])
    assert not domain.only_team_leader(["team_leader", "dispatcher"])
    domain.check_leader_dispatch(["team_leader"], "team-1", "team-1")
    domain.check_leader_dispatch(["dispatcher"], None, "team-2")
    refused(
        ValidationFailed, "NOT_YOUR_TEAM", domain.check_leader_dispatch, ["team_leader"], "team-1",
        "team-2",
    )  # fmt: skip
    refused(
        ValidationFailed, "NOT_YOUR_TEAM", domain.check_leader_dispatch, ["team_leader"], None,
        "team-1",
    )  # fmt: skip


# ---------------------------------------------------------------- the RO's checks


def gate(stage: str = FINAL_INSPECTION, **overrides: object) -> None:
    facts: dict[str, object] = {
        "cancelled": False,
        "job_statuses": {"job-1": DONE, "job-2": DONE},
        "qc_status": "pending",
        "road_test_needed": False,
        "road_test_done": False,
    }
    facts.update(overrides)
    domain.check_order_stage(stage, **facts)  # type: ignore[arg-type]


def test_the_final_inspection_gate() -> None:
    gate()
    gate(road_test_needed=True, road_test_done=True)
    gate(ROAD_TEST, road_test_needed=True)  # the road test itself needs no earlier one
    gate(ROAD_TEST, qc_status="passed")  # a road test after QC passed is allowed
    refused(Conflict, "ORDER_CANCELLED", gate, cancelled=True)
    refused(Conflict, "NO_JOBS", gate, job_statuses={})
    error = refused(
        Conflict, "JOBS_NOT_DONE", gate, job_statuses={"job-1": DONE, "job-2": WAITING_QC}
    )
    assert error.fields == {"job_ids": ["job-2"]}
    refused(Conflict, "JOBS_NOT_DONE", gate, ROAD_TEST, job_statuses={"job-1": ASSIGNED})
    refused(Conflict, "QC_ALREADY_PASSED", gate, qc_status="passed")
    refused(Conflict, "ROAD_TEST_REQUIRED", gate, road_test_needed=True)


def test_a_road_test_counts_when_it_passed_after_the_last_job_was_done() -> None:
    done = datetime(2026, 11, 25, 10, tzinfo=UTC)
    assert not domain.road_test_passed(done, None, False)
    assert not domain.road_test_passed(done, done + timedelta(minutes=5), False)
    assert domain.road_test_passed(done, done + timedelta(minutes=5), True)
    assert not domain.road_test_passed(done, done - timedelta(minutes=5), True)
    assert domain.road_test_passed(None, done, True)


def test_the_jobs_a_failed_check_sends_back() -> None:
    jobs = {"job-oil": "MNT-OIL", "job-brakes": "BRK-FPAD"}
    assert domain.failed_job_ids(ROAD_TEST, None, jobs) == ["job-brakes"]
    assert domain.failed_job_ids(FINAL_INSPECTION, None, jobs) == ["job-oil", "job-brakes"]
    assert domain.failed_job_ids(ROAD_TEST, None, {"job-oil": "MNT-OIL"}) == ["job-oil"]
    assert domain.failed_job_ids(FINAL_INSPECTION, ["job-oil", "job-oil"], jobs) == ["job-oil"]
    error = refused(
        ValidationFailed, "UNKNOWN_JOB", domain.failed_job_ids, FINAL_INSPECTION, ["job-x"], jobs
    )
    assert list(error.fields) == ["job_ids"]
    refused(ValidationFailed, "UNKNOWN_JOB", domain.failed_job_ids, FINAL_INSPECTION, [], jobs)


# ---------------------------------------------------------------- attendance, reference data


def test_an_attendance_entry_names_its_index_when_refused() -> None:
    assert domain.entry_hours(0, PUDONG, PUDONG, "present", None, Decimal("8.0")) == Decimal("8.0")
    assert domain.entry_hours(0, PUDONG, PUDONG, "leave", None, Decimal("8.0")) == 0
    error = refused(
        ValidationFailed, "UNKNOWN_TECHNICIAN", domain.entry_hours, 2, SUZHOU, PUDONG, "present",
        None, Decimal("8.0"),
    )  # fmt: skip
    assert error.fields == {"entries": {"2": {"technician_id": ["not a technician of this site"]}}}
    error = refused(
        ValidationFailed, "ATTENDANCE_HOURS", domain.entry_hours, 1, PUDONG, PUDONG, "sick",
        Decimal("3"), Decimal("8.0"),
    )  # fmt: skip
    assert list(error.fields["entries"]["1"]) == ["hours"]
    refused(
        ValidationFailed, "HOURS_PRECISION", domain.entry_hours, 0, PUDONG, PUDONG, "present",
        Decimal("8.25"), Decimal("8.0"),
    )  # fmt: skip


def test_a_technicians_team_is_of_the_same_site() -> None:
    domain.check_reference_team(0, PUDONG, None, None)
    domain.check_reference_team(0, PUDONG, "team-1", PUDONG)
    error = refused(
        ValidationFailed, "UNKNOWN_TEAM", domain.check_reference_team, 3, PUDONG, "team-sz", SUZHOU
    )
    assert list(error.fields["technicians"][3]) == ["team_id"]
    refused(ValidationFailed, "UNKNOWN_TEAM", domain.check_reference_team, 0, PUDONG, "t", None)


# ---------------------------------------------------------------- days and periods


def test_days_and_periods() -> None:
    assert domain.parse_day("2025-03-05") == date(2025, 3, 5)
    assert domain.parse_day(date(2025, 3, 5)) == date(2025, 3, 5)
    assert list(refused(ValidationFailed, "INVALID_DATE", domain.parse_day, None).fields) == [
        "date"
    ]
    assert domain.period("2025-03-05", "2025-03-07") == [
        date(2025, 3, 5),
        date(2025, 3, 6),
        date(2025, 3, 7),
    ]
    error = refused(ValidationFailed, "INVALID_DATE", domain.period, "5 March", "2025-03-05")
    assert list(error.fields) == ["from"]
    assert list(
        refused(ValidationFailed, "INVALID_DATE", domain.period, "2025-03-05", None).fields
    ) == ["to"]  # noqa: E501
    assert list(
        refused(ValidationFailed, "PERIOD", domain.period, "2025-03-05", "2025-03-01").fields
    ) == ["to"]  # noqa: E501
    refused(ValidationFailed, "PERIOD", domain.period, "2024-01-01", "2025-03-01")


# ---------------------------------------------------------------- where refusals are raised

REFUSALS = ("ValidationFailed", "Conflict", "PreconditionFailed")


def test_refusals_are_raised_only_in_the_domain() -> None:
    """A refusal other than not-found/forbidden is a business rule: it lives in domain/."""
    package = Path(domain.__file__).parent.parent
    offenders = []
    for path in package.glob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith("raise ") and any(r in stripped for r in REFUSALS):
                offenders.append(f"{path.name}:{number}: {stripped}")
    assert offenders == []


def test_no_module_is_over_600_lines() -> None:
    package = Path(domain.__file__).parent.parent
    sizes = {
        str(path.relative_to(package)): len(path.read_text(encoding="utf-8").splitlines())
        for path in package.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {name: size for name, size in sizes.items() if size > 600} == {}
