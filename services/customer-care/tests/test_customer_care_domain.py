"""Customer care's rules, without a broker or a database (milliseconds).

Times are written in Shanghai local time (UTC+8) where the rule is about local
hours, and every expected value was worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from aftersales_core.errors import Conflict, Forbidden, ValidationFailed
from aftersales_customer_care import domain
from aftersales_customer_care.domain import (
    CarePolicy,
    Complaint,
    ComplaintFact,
    FollowupFact,
    Survey,
    add_months,
    apply_complaint_action,
    average_daily_km,
    balance,
    care_figures,
    churn,
    complaint_deadlines,
    escalate_complaint,
    escalation_target,
    followup_schedule,
    is_call_time,
    loyal,
    mileage_due_date,
    next_call_time,
    next_service_reminder,
    overdue_reasons,
    pick_agent,
    record_attempt,
)

CST = timezone(timedelta(hours=8))
POLICY = CarePolicy()  # 09:00-20:00, rest 12:00-14:00, no rest days, first call after 24 h
WEEKENDS_OFF = CarePolicy(rest_weekdays=(5, 6))


def local(text: str) -> datetime:
    """A Shanghai wall-clock time, e.g. "2026-11-25 14:40"."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


# ---------------------------------------------------------------- call times


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        ("2026-11-25 08:59", False),  # before the day starts
        ("2026-11-25 09:00", True),
        ("2026-11-25 11:59", True),
        ("2026-11-25 12:00", False),  # lunch rest [12:00, 14:00)
        ("2026-11-25 13:59", False),
        ("2026-11-25 14:00", True),
        ("2026-11-25 19:59", True),
        ("2026-11-25 20:00", False),  # "after 20:00"
        ("2026-11-25 23:30", False),
    ],
)
def test_call_time_boundaries(moment: str, allowed: bool) -> None:
    assert is_call_time(local(moment), POLICY) is allowed


def test_weekends_and_holidays_are_rest_days_when_configured() -> None:
    saturday = local("2026-11-28 10:00")
    assert is_call_time(saturday, POLICY)
    assert not is_call_time(saturday, WEEKENDS_OFF)
    national_day = CarePolicy(holidays=(date(2026, 10, 1),))
    assert not is_call_time(local("2026-10-01 10:00"), national_day)
    assert is_call_time(local("2026-10-02 10:00"), national_day)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-25 10:15", "2026-11-25 10:15"),  # already allowed
        ("2026-11-25 12:30", "2026-11-25 14:00"),  # end of the lunch rest
        ("2026-11-25 20:30", "2026-11-26 09:00"),  # evening: next morning
        ("2026-11-25 06:00", "2026-11-25 09:00"),  # early: opening time
    ],
)
def test_next_call_time(at: str, expected: str) -> None:
    assert next_call_time(local(at), POLICY) == local(expected)
    assert next_call_time(local(at), POLICY).tzinfo == UTC


def test_next_call_time_chains_windows_and_days() -> None:
    policy = CarePolicy(
        rest_windows=((time(11, 30), time(13, 30)), (time(13, 30), time(14, 0))),
        rest_weekdays=(6,),
        holidays=(date(2026, 11, 30),),
    )
    # Saturday 12:00 -> end of both adjoining windows, 14:00.
    assert next_call_time(local("2026-11-28 12:00"), policy) == local("2026-11-28 14:00")
    # Saturday 20:10 -> Sunday (rest day) -> Monday (holiday) -> Tuesday 09:00.
    assert next_call_time(local("2026-11-28 20:10"), policy) == local("2026-12-01 09:00")


def test_a_rest_window_to_midnight() -> None:
    policy = CarePolicy(day_end=time(23, 0), rest_windows=((time(20, 0), time.max),))
    assert policy.to_settings()["rest_windows"] == [{"start": "20:00", "end": "23:59"}]
    assert next_call_time(local("2026-11-25 21:00"), policy) == local("2026-11-26 09:00")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        next_call_time(datetime(2026, 11, 25, 10, 0), POLICY)


# ---------------------------------------------------------------- follow-up due time


@pytest.mark.parametrize(
    ("delivered", "policy", "due"),
    [
        # The contract example: delivered Wed 14:40 -> Thu 14:40, allowed as is.
        ("2026-11-25 14:40", POLICY, "2026-11-26 14:40"),
        # Wed 12:30 -> Thu 12:30 is lunch -> Thu 14:00.
        ("2026-11-25 12:30", POLICY, "2026-11-26 14:00"),
        # Wed 19:30 -> Thu 19:30 (before 20:00) stays.
        ("2026-11-25 19:30", POLICY, "2026-11-26 19:30"),
        # Wed 20:30 -> Thu 20:30 is evening -> Fri 09:00 (still before Sat 20:30).
        ("2026-11-25 20:30", POLICY, "2026-11-27 09:00"),
        # Weekends off: Fri 16:00 -> Sat 16:00 -> Mon 09:00, inside the 72 h (Mon 16:00).
        ("2026-11-27 16:00", WEEKENDS_OFF, "2026-11-30 09:00"),
        # Weekends off: Fri 21:00 -> Sat 21:00 -> Mon 09:00 (deadline Mon 21:00).
        ("2026-11-27 21:00", WEEKENDS_OFF, "2026-11-30 09:00"),
        # Weekends on: Fri 16:00 -> Sat 16:00.
        ("2026-11-27 16:00", POLICY, "2026-11-28 16:00"),
    ],
)
def test_followup_due_within_72_hours_never_at_rest(
    delivered: str, policy: CarePolicy, due: str
) -> None:
    schedule = followup_schedule(local(delivered), "member", policy)
    assert schedule.due_at == local(due)
    assert schedule.deadline == local(delivered) + timedelta(hours=72)
    assert schedule.due_at < schedule.deadline
    assert is_call_time(schedule.due_at, policy)


def test_when_a_day_later_is_too_late_the_call_comes_sooner() -> None:
    # Weekend plus a two-day holiday: Fri 15:00 + 24 h lands after Mon 15:00 (the 72 h),
    # so the call is planned one hour after delivery, Fri 16:00.
    policy = CarePolicy(rest_weekdays=(5, 6), holidays=(date(2026, 11, 30), date(2026, 12, 1)))
    schedule = followup_schedule(local("2026-11-27 15:00"), "member", policy)
    assert schedule.due_at == local("2026-11-27 16:00")
    assert schedule.due_at < schedule.deadline


def test_rest_times_win_over_the_72_hours() -> None:
    # Fri 19:30 with the same holidays: +1 h is 20:30 (evening), then four rest days;
    # the first allowed instant, Wed 09:00, is past the deadline (Mon 19:30): the call is
    # still never planned at a rest time, and the follow-up cannot be on time.
    policy = CarePolicy(rest_weekdays=(5, 6), holidays=(date(2026, 11, 30), date(2026, 12, 1)))
    schedule = followup_schedule(local("2026-11-27 19:30"), "member", policy)
    assert schedule.due_at == local("2026-12-02 09:00")
    assert schedule.due_at > schedule.deadline
    assert is_call_time(schedule.due_at, policy)


@pytest.mark.parametrize(
    ("customer_class", "mandatory"),
    [("member", True), ("regular", False), ("fleet", False), (None, True)],
)
def test_members_and_unknown_customers_are_always_followed_up(
    customer_class: str | None, mandatory: bool
) -> None:
    schedule = followup_schedule(local("2026-11-25 10:00"), customer_class, POLICY)
    assert schedule.mandatory is mandatory


# ---------------------------------------------------------------- the site's policy


def test_policy_round_trips_through_its_settings() -> None:
    policy = CarePolicy.from_settings(
        {
            "call_hours": {"start": "08:30", "end": "21:00"},
            "rest_windows": [
                {"start": "18:00", "end": "19:00"},
                {"start": "12:00", "end": "13:30"},
            ],
            "rest_weekdays": [6, 5, 6],
            "holidays": ["2026-10-01"],
            "max_attempts": 5,
        }
    )
    assert policy.day_start == time(8, 30)
    assert policy.rest_windows == ((time(12, 0), time(13, 30)), (time(18, 0), time(19, 0)))
    assert policy.rest_weekdays == (5, 6)
    assert policy.max_attempts == 5
    assert policy.retry_after_hours == 2  # untouched: the default
    assert CarePolicy.from_settings(policy.to_settings()) == policy
    assert CarePolicy.from_settings(None) == CarePolicy()


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"rest_windows": [{"start": "14:00", "end": "12:00"}]}, "rest_windows"),
        ({"call_hours": {"start": "20:00", "end": "09:00"}}, "call_hours"),
        ({"rest_weekdays": [0, 1, 2, 3, 4, 5, 6]}, "rest_weekdays"),
        ({"rest_weekdays": [7]}, "rest_weekdays"),
        ({"rest_windows": [{"start": "08:00", "end": "21:00"}]}, "rest_windows"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"first_call_after_hours": 72}, "first_call_after_hours"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_policy_that_cannot_work_is_refused(settings: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        CarePolicy.from_settings(settings)
    assert field in caught.value.fields


def test_china_time_without_tzdata(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise domain.policy.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(domain.policy, "ZoneInfo", missing)
    assert domain.zone("Asia/Shanghai").utcoffset(None) == timedelta(hours=8)
    with pytest.raises(ValidationFailed):
        domain.zone("Europe/Berlin")


# ---------------------------------------------------------------- attempts and surveys


def test_not_reached_retries_then_gives_up() -> None:
    # Thu 19:00 not reached: +2 h is 21:00 (evening) -> Fri 09:00.
    first = record_attempt(
        status="open",
        attempts=0,
        outcome="not_reached",
        at=local("2026-11-26 19:00"),
        policy=POLICY,
    )
    assert (first.status, first.attempts) == ("open", 1)
    assert first.next_attempt_at == local("2026-11-27 09:00")
    second = record_attempt(
        status="open",
        attempts=1,
        outcome="not_reached",
        at=local("2026-11-27 09:05"),
        policy=POLICY,
    )
    assert second.next_attempt_at == local("2026-11-27 11:05")
    third = record_attempt(
        status="open",
        attempts=2,
        outcome="not_reached",
        at=local("2026-11-27 11:10"),
        policy=POLICY,
    )
    assert (third.status, third.attempts, third.next_attempt_at) == ("unreachable", 3, None)
    assert not third.opens_complaint


def test_a_customer_may_ask_to_be_called_back() -> None:
    result = record_attempt(
        status="open",
        attempts=0,
        outcome="not_reached",
        at=local("2026-11-26 10:00"),
        policy=POLICY,
        callback_at=local("2026-11-26 12:30"),  # their choice, even at lunch
    )
    assert result.next_attempt_at == local("2026-11-26 12:30")
    with pytest.raises(ValidationFailed) as caught:
        record_attempt(
            status="open",
            attempts=0,
            outcome="not_reached",
            at=local("2026-11-26 10:00"),
            policy=POLICY,
            callback_at=local("2026-11-26 09:00"),
        )
    assert list(caught.value.fields) == ["callback_at"]


@pytest.mark.parametrize(
    ("satisfaction", "at_risk", "opens", "escalates"),
    [
        ("satisfied", False, False, False),
        ("neutral", False, False, False),
        ("unsatisfied", False, True, False),
        ("unsatisfied", True, True, True),
        ("neutral", True, True, True),  # threatens the OEM hotline despite "neutral"
    ],
)
def test_reached(satisfaction: str, at_risk: bool, opens: bool, escalates: bool) -> None:
    result = record_attempt(
        status="open",
        attempts=1,
        outcome="reached",
        at=local("2026-11-26 15:00"),
        policy=POLICY,
        satisfaction=satisfaction,
        at_risk=at_risk,
    )
    assert (result.status, result.attempts) == ("done", 2)
    assert (result.opens_complaint, result.escalate_at_once) == (opens, escalates)


def test_attempt_errors() -> None:
    at = local("2026-11-26 15:00")
    with pytest.raises(ValidationFailed) as caught:
        record_attempt(status="open", attempts=0, outcome="reached", at=at, policy=POLICY)
    assert list(caught.value.fields) == ["satisfaction"]
    with pytest.raises(ValidationFailed):
        record_attempt(
            status="open",
            attempts=0,
            outcome="not_reached",
            at=at,
            policy=POLICY,
            satisfaction="satisfied",
        )
    with pytest.raises(ValidationFailed):
        record_attempt(status="open", attempts=0, outcome="voicemail", at=at, policy=POLICY)
    with pytest.raises(Conflict) as conflict:
        record_attempt(status="done", attempts=1, outcome="reached", at=at, policy=POLICY)
    assert conflict.value.code == "ILLEGAL_TRANSITION"


def test_survey_index() -> None:
    # (9 + 8 + 7 + 10 + 9) / 5 = 8.6 -> 86.0
    survey = Survey(
        {"advisor": 9, "repair_quality": 8, "timing": 7, "facility": 10, "pickup": 9}, 9
    )
    assert survey.index == Decimal("86.0")
    # (7 + 8) / 2 = 7.5 -> 75.0; a customer may skip factors
    assert Survey({"advisor": 7, "timing": 8}).index == Decimal("75.0")
    assert Survey({}).index is None


@pytest.mark.parametrize(
    ("scores", "recommend", "field"),
    [
        ({"advisor": 11}, None, "scores"),
        ({"advisor": 0}, None, "scores"),
        ({"advisor": True}, None, "scores"),
        ({"coffee": 8}, None, "scores"),
        ({"advisor": 8}, 11, "would_recommend"),
    ],
)
def test_bad_surveys(scores: dict, recommend: int | None, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        Survey(scores, recommend)
    assert field in caught.value.fields


# ---------------------------------------------------------------- the complaint loop

AGENT = ("customer_care_agent",)
MANAGER = ("customer_care_manager",)
T0 = local("2026-11-25 10:00")


def act(complaint: Complaint, action: str, roles=AGENT, **data) -> domain.Transition:
    return apply_complaint_action(complaint, action, data, by="cca.song.pd", roles=roles, at=T0)


def test_the_closed_loop() -> None:
    complaint = Complaint()
    steps = [
        (
            "judge",
            AGENT,
            {"valid": True, "note": "已致电致歉，安排调查", "category": "repair_quality"},
        ),
        (
            "investigate",
            AGENT,
            {"department": "workshop", "responsible_person": "tech.liu.pd", "findings": "未紧固"},
        ),
        (
            "propose",
            AGENT,
            {
                "solutions": [
                    {"description": "免费返修"},
                    {"description": "退工时费", "cost": "180.00"},
                ]
            },
        ),
        ("approve", MANAGER, {"solution_number": 1}),
        ("carry_out", AGENT, {"customer_accepted": True, "accepted_by": "王建国"}),
        ("follow_up", AGENT, {"customer_satisfied": True, "note": "客户满意"}),
        ("close", AGENT, {"classification": "repair_quality", "summary": "返修后异响消除"}),
    ]
    statuses = []
    for action, roles, data in steps:
        transition = act(complaint, action, roles, **data)
        statuses.append((transition.from_status, transition.to_status))
    assert statuses == [
        ("registered", "judged"),
        ("judged", "investigated"),
        ("investigated", "solution_proposed"),
        ("solution_proposed", "solution_approved"),
        ("solution_approved", "carried_out"),
        ("carried_out", "followed_up"),
        ("followed_up", "closed"),
    ]
    assert transition.closes
    assert complaint.valid is True
    assert complaint.acknowledged_at == T0
    assert complaint.department == "workshop"
    assert complaint.approved_solution == 1
    assert complaint.solutions[1] == {"number": 2, "description": "退工时费", "cost": "180.00"}
    assert complaint.classification == "repair_quality"
    assert (complaint.closed_at, complaint.closed_by) == (T0, "cca.song.pd")


def test_judging_suggests_the_department() -> None:
    complaint = Complaint()
    act(complaint, "judge", valid=True, note="ok", category="service_attitude")
    assert complaint.department == "front_desk"
    assert domain.suggested_department("repair_quality") == "workshop"
    assert domain.suggested_department(None) is None


def test_an_invalid_complaint_is_answered_and_closed() -> None:
    complaint = Complaint()
    transition = act(
        complaint, "judge", valid=False, note="已婉转解释保养项目", classification="price"
    )
    assert transition.to_status == "closed" and transition.closes
    assert (complaint.valid, complaint.classification) == (False, "price")
    assert complaint.summary == "已婉转解释保养项目"
    with pytest.raises(ValidationFailed) as caught:
        act(Complaint(), "judge", valid=False, note="无依据")
    assert list(caught.value.fields) == ["classification"]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("registered", "approve"),
        ("registered", "close"),
        ("judged", "propose"),
        ("solution_proposed", "carry_out"),
        ("carried_out", "close"),
        ("closed", "judge"),
        ("closed", "investigate"),
    ],
)
def test_illegal_transitions(status: str, action: str) -> None:
    complaint = Complaint(status=status)
    with pytest.raises(Conflict) as caught:
        act(complaint, action, roles=MANAGER)
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert complaint.status == status


def test_only_a_manager_approves() -> None:
    complaint = Complaint(status="solution_proposed", solutions=[{"number": 1}])
    with pytest.raises(Forbidden):
        act(complaint, "approve", solution_number=1)
    with pytest.raises(ValidationFailed):
        act(complaint, "approve", roles=MANAGER, solution_number=2)
    act(complaint, "approve", roles=("service_manager",), solution_number=1)
    assert complaint.status == "solution_approved"


def test_refused_solution_and_unhappy_followup_go_round_again() -> None:
    complaint = Complaint(status="solution_approved", approved_solution=1)
    act(complaint, "carry_out", customer_accepted=False, note="客户要求赔偿")
    assert (complaint.status, complaint.approved_solution) == ("investigated", None)
    complaint = Complaint(status="carried_out")
    act(complaint, "follow_up", customer_satisfied=False, note="异响仍在")
    assert complaint.status == "investigated"


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("judge", {"note": "x"}, "valid"),
        ("judge", {"valid": True}, "note"),
        ("judge", {"valid": True, "note": "x", "category": "weather"}, "category"),
        (
            "investigate",
            {"department": "canteen", "responsible_person": "a", "findings": "b"},
            "department",
        ),
        ("investigate", {"department": "workshop", "findings": "b"}, "responsible_person"),
        ("propose", {"solutions": []}, "solutions"),
        ("propose", {"solutions": [{"description": " "}]}, "solutions"),
        ("carry_out", {"customer_accepted": True}, "accepted_by"),
        ("close", {"summary": "done"}, "classification"),
        ("close", {"classification": "price", "summary": ""}, "summary"),
    ],
)
def test_missing_or_bad_fields(action: str, data: dict, field: str) -> None:
    start = {
        "judge": "registered",
        "investigate": "judged",
        "propose": "investigated",
        "carry_out": "solution_approved",
        "close": "followed_up",
    }[action]
    complaint = Complaint(status=start)
    with pytest.raises(ValidationFailed) as caught:
        act(complaint, action, **data)
    assert list(caught.value.fields) == [field]
    assert complaint.status == start


def test_escalation_levels_and_once_only_reasons() -> None:
    complaint = Complaint()
    assert escalate_complaint(complaint, "at_risk") == 1
    assert complaint.at_risk
    assert escalate_complaint(complaint, "at_risk") is None  # once
    assert escalate_complaint(complaint, "acknowledge_overdue") == 2
    assert escalate_complaint(complaint, "acknowledge_overdue") is None
    assert escalate_complaint(complaint, "manual") == 3
    assert escalate_complaint(complaint, "manual") == 4  # a person may press again
    assert [escalation_target(n) for n in (1, 2, 3, 4)] == [
        "customer_care_manager",
        "service_director",
        "hq_manager",
        "hq_manager",
    ]
    closed = Complaint(status="closed")
    assert escalate_complaint(closed, "resolution_overdue") is None
    with pytest.raises(Conflict):
        escalate_complaint(closed, "manual")


def test_deadlines_and_what_is_overdue() -> None:
    received = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    ack_by, resolve_by = complaint_deadlines(received, POLICY)
    assert ack_by == datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 24 h
    assert resolve_by == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 7 days

    def overdue(now: datetime, status: str = "registered", acknowledged=None) -> list[str]:
        return overdue_reasons(
            status=status,
            acknowledged_at=acknowledged,
            acknowledge_by=ack_by,
            resolve_by=resolve_by,
            now=now,
        )

    assert overdue(ack_by) == []
    assert overdue(ack_by + timedelta(seconds=1)) == ["acknowledge_overdue"]
    assert overdue(ack_by + timedelta(hours=1), "judged", acknowledged=ack_by) == []
    late = resolve_by + timedelta(seconds=1)
    assert overdue(late) == ["acknowledge_overdue", "resolution_overdue"]
    assert overdue(late, "investigated", acknowledged=received) == ["resolution_overdue"]
    assert overdue(late, "closed", acknowledged=received) == []


# ---------------------------------------------------------------- reminders by mileage


def test_mileage_based_reminder_worked_example() -> None:
    """Sold 2024-01-10 at 0 km; serviced 2024-07-08 at 9 000 km.

    Jan 10 -> Jul 8 2024 is 180 days (21 + 29 + 31 + 30 + 31 + 30 + 8), so the car
    runs 9 000 / 180 = 50 km a day. The next service is due at 15 000 km or on
    2025-01-08: 6 000 km more take 6 000 / 50 = 120 days, 2024-07-08 + 120 days
    = 2024-11-05, before the date. The reminder goes out 7 days earlier, 2024-10-29.
    """
    readings = [(date(2024, 1, 10), 0), (date(2024, 7, 8), 9000)]
    assert average_daily_km(readings) == Decimal(50)
    assert mileage_due_date(readings, 15000) == date(2024, 11, 5)
    reminder = next_service_reminder(
        delivered_on=date(2024, 7, 8),
        next_service_date=date(2025, 1, 8),
        next_service_mileage=15000,
        readings=readings,
        policy=POLICY,
    )
    assert reminder == domain.ServiceReminder(
        service_due_on=date(2024, 11, 5),
        basis="mileage",
        remind_on=date(2024, 10, 29),
        mileage_due_on=date(2024, 11, 5),
    )


def test_a_low_mileage_car_is_reminded_by_date() -> None:
    # 2023-03-01 -> 2024-02-29 is 365 days for 3 650 km: 10 km a day; 10 000 km would take
    # 635 more days, so the date (2024-08-29) comes first; reminder 2024-08-22.
    readings = [(date(2023, 3, 1), 0), (date(2024, 2, 29), 3650)]
    reminder = next_service_reminder(
        delivered_on=date(2024, 2, 29),
        next_service_date=date(2024, 8, 29),
        next_service_mileage=10000,
        readings=readings,
        policy=POLICY,
    )
    assert reminder is not None
    assert (reminder.service_due_on, reminder.basis) == (date(2024, 8, 29), "date")
    assert reminder.remind_on == date(2024, 8, 22)
    assert reminder.mileage_due_on == date(2024, 2, 29) + timedelta(days=635)


def test_mileage_edge_cases() -> None:
    # A lower reading after a higher one is a typing error: ignored.
    readings = [(date(2024, 1, 1), 1000), (date(2024, 2, 1), 400), (date(2024, 3, 1), 4000)]
    # (4000 - 1000) / 60 days (Jan 1 -> Mar 1 2024) = 50 km a day
    assert average_daily_km(readings) == Decimal(50)
    assert average_daily_km([(date(2024, 1, 1), 1000)]) is None
    assert average_daily_km([(date(2024, 1, 1), 0), (date(2024, 1, 1), 30)]) is None
    assert mileage_due_date([], 5000) is None
    # 1 000 km in 30 days is 33.3 km a day: 50 km more take 1.5 days, rounded up to 2.
    assert mileage_due_date([(date(2024, 1, 1), 0), (date(2024, 1, 31), 1000)], 1050) == date(
        2024, 2, 2
    )
    # Already past the target: due at the last reading.
    assert mileage_due_date([(date(2024, 3, 1), 16000)], 15000) == date(2024, 3, 1)
    # Not enough readings and no date: no reminder at all.
    assert (
        next_service_reminder(
            delivered_on=date(2024, 3, 1),
            next_service_date=None,
            next_service_mileage=15000,
            readings=[(date(2024, 3, 1), 4000)],
            policy=POLICY,
        )
        is None
    )
    # A due date closer than the lead time: remind on the delivery day itself.
    soon = next_service_reminder(
        delivered_on=date(2024, 3, 1),
        next_service_date=date(2024, 3, 4),
        next_service_mileage=None,
        readings=[],
        policy=POLICY,
    )
    assert soon is not None and soon.remind_on == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 15), 12, date(2025, 11, 15)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2025, 1, 15), -1, date(2024, 12, 15)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# ---------------------------------------------------------------- agents


def test_customers_go_to_the_least_loaded_agent() -> None:
    assert pick_agent({"cca.a": 3, "cca.b": 2, "cca.c": 2}) == "cca.b"
    assert pick_agent({}) is None
    # a: 0, b: 1 -> x to a (0), y to a (tie 1-1, a first by id), z to b (2-1)
    assert balance({"cca.a": 0, "cca.b": 1}, ["x", "y", "z"]) == {
        "x": "cca.a",
        "y": "cca.a",
        "z": "cca.b",
    }
    assert balance({}, ["x"]) == {}


# ---------------------------------------------------------------- lost, loyal, churn


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_churn_in_a_quarter() -> None:
    start, end = utc("2025-10-01T00:00"), utc("2026-01-01T00:00")
    activity = {
        # last visit 2024-11-15: active on Oct 1, lost on 2025-11-15 -> lost in the quarter
        "c1": [utc("2024-11-15T02:00")],
        # came back 2025-12-01 -> not lost
        "c2": [utc("2024-11-15T02:00"), utc("2025-12-01T02:00")],
        # lost 2025-09-01, before the quarter: not active at its start
        "c3": [utc("2024-09-01T02:00")],
        # new in the quarter: not active at its start
        "c4": [utc("2025-11-01T02:00")],
        # last visit 2025-03-01: lost only in March 2026
        "c5": [utc("2025-03-01T02:00")],
    }
    assert churn(activity, start, end, POLICY) == (1, 3)
    # With a 6-month horizon everyone was already lost by Oct 1 (c1 and c2 on 2025-05-15,
    # c5 on 2025-09-01) or is new (c4): nobody is active at the start.
    six = CarePolicy(lost_after_months=6)
    assert churn(activity, start, end, six) == (0, 0)


def test_loyal_by_visits_in_the_period() -> None:
    start, end = utc("2025-01-01T00:00"), utc("2026-01-01T00:00")
    visits = [utc("2025-02-01T00:00"), utc("2025-06-01T00:00"), utc("2025-11-01T00:00")]
    assert loyal(visits, start, end, POLICY)
    assert not loyal(visits[:2] + [utc("2026-02-01T00:00")], start, end, POLICY)


# ---------------------------------------------------------------- figures


def test_figures_worked_example() -> None:
    now = utc("2026-12-01T00:00")
    deadline = utc("2026-11-20T00:00")
    all_nine = dict.fromkeys(domain.SURVEY_FACTORS, 9)
    followups = [
        # member, done on time, all nines (index 90.0), would recommend 10 (promoter)
        FollowupFact(
            "member", "done", 1, deadline, deadline - timedelta(hours=1), "satisfied", all_nine, 10
        ),
        # regular, done late, (8 + 6) / 2 = 7.0 -> 70.0, recommend 7 (passive)
        FollowupFact(
            "regular",
            "done",
            2,
            deadline,
            deadline + timedelta(hours=1),
            "neutral",
            {"advisor": 8, "repair_quality": 6},
            7,
        ),
        # member, never reached
        FollowupFact("member", "unreachable", 3, deadline, None),
        # regular, not yet tried, past its deadline
        FollowupFact("regular", "open", 0, deadline, None),
    ]
    complaints = [
        ComplaintFact(True, True, "closed", True, "repair_quality", escalated=True),
        ComplaintFact(True, False, "investigated", True, None, escalated=False),
        ComplaintFact(False, True, "closed", False, "price", escalated=False),
    ]
    figures = care_figures(
        followups=followups,
        complaints=complaints,
        orders=40,
        churn_counts=(1, 3),
        loyal_customers=2,
        now=now,
    )
    assert figures["followups"] == {
        "deliveries": 4,
        "done_within_72h": 1,
        "done_within_72h_rate": Decimal("25.0"),  # 1 / 4
        "member_deliveries": 2,
        "member_done_within_72h": 1,
        "member_done_within_72h_rate": Decimal("50.0"),  # 1 / 2
        "attempted": 3,
        "reached": 2,
        "reach_rate": Decimal("66.7"),  # 2 / 3
        "unreachable": 1,
        "open": 1,
        "overdue": 1,
        "satisfaction": {"satisfied": 1, "neutral": 1, "unsatisfied": 0},
    }
    assert figures["csi"] == {
        "surveys": 2,
        "csi": Decimal("80.0"),  # (90.0 + 70.0) / 2
        "factors": {
            "advisor": Decimal("8.5"),  # (9 + 8) / 2
            "repair_quality": Decimal("7.5"),  # (9 + 6) / 2
            "timing": Decimal("9.0"),
            "facility": Decimal("9.0"),
            "pickup": Decimal("9.0"),
        },
        "would_recommend_answers": 2,
        "net_promoter_score": Decimal("50.0"),  # (1 promoter - 0 detractors) / 2
    }
    assert figures["complaints"] == {
        "raised": 2,
        "repair_orders": 40,
        "per_100_repair_orders": Decimal("5.00"),  # 2 x 100 / 40
        "closed": 2,
        "closed_invalid": 1,
        "by_category": {"repair_quality": 1},  # invalid ones are not a category's count
        "escalated": 1,
        "open": 1,
    }
    assert figures["customers"] == {
        "active_at_start": 3,
        "lost": 1,
        "churn_rate": Decimal("33.3"),
        "loyal": 2,
    }


def test_figures_of_an_empty_period() -> None:
    figures = care_figures(
        followups=[],
        complaints=[],
        orders=0,
        churn_counts=(0, 0),
        loyal_customers=0,
        now=utc("2026-12-01T00:00"),
    )
    assert figures["followups"]["done_within_72h_rate"] is None
    assert figures["csi"]["csi"] is None
    assert figures["csi"]["net_promoter_score"] is None
    assert figures["complaints"]["per_100_repair_orders"] is None
    assert figures["customers"]["churn_rate"] is None


def test_one_vocabulary_for_rules_contracts_and_api() -> None:
    """The domain's words are the contract's and the API's (glossary: one name per thing)."""
    from aftersales_contracts import customer_care as contract
    from aftersales_contracts import vocabulary
    from aftersales_contracts.api import customer_care as schemas

    assert vocabulary.COMPLAINT_CLASSIFICATIONS == domain.COMPLAINT_CLASSIFICATIONS
    assert contract.DEPARTMENTS == domain.DEPARTMENTS
    assert contract.COMPLAINT_CHANNELS == domain.COMPLAINT_CHANNELS
    assert contract.COMPLAINT_SOURCES == domain.COMPLAINT_SOURCES
    assert contract.ESCALATION_REASONS == domain.ESCALATION_REASONS
    assert contract.SATISFACTION == domain.SATISFACTION
    assert vocabulary.CUSTOMER_CLASSES == domain.CUSTOMER_CLASSES
    assert tuple(schemas.FollowupScores().fields) == domain.SURVEY_FACTORS
    assert set(schemas.COMPLAINT_STEP_SCHEMAS) == set(domain.COMPLAINT_ACTIONS)
    assert tuple(domain.complaints._ALLOWED_FROM) == domain.COMPLAINT_STEPS
    assert set(schemas.CarePolicyIn().fields) == set(CarePolicy().to_settings())
    assert set(schemas.CarePolicySettingsOut().fields) == set(CarePolicy().to_settings())


# ---------------------------------------------------------------- refusals moved out of the service


def test_backdating_a_complaint() -> None:
    """A complaint written down later keeps when the customer complained: at most 90 days
    back, never from the future (5 minutes of clock skew allowed)."""
    now = utc("2026-12-01T10:00")
    assert domain.received_at(None, now) == now
    assert domain.received_at(now - timedelta(days=90), now) == now - timedelta(days=90)
    assert domain.received_at(now + timedelta(minutes=5), now) == now + timedelta(minutes=5)
    for wrong, message in (
        (now - timedelta(days=90, seconds=1), "at most 90 days back"),
        (now + timedelta(minutes=6), "a complaint cannot come from the future"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            domain.received_at(wrong, now)
        assert caught.value.fields == {"received_at": [message]}


def test_who_complains() -> None:
    archived = ("李娜", ["13800000000", "13900000000"])
    who = domain.complainant(customer_id="c1", name=None, phone=None, archived=archived)
    assert (who.name, who.phone) == ("李娜", "13800000000")
    given = domain.complainant(customer_id="c1", name="李女士", phone="021-1", archived=archived)
    assert (given.name, given.phone) == ("李女士", "021-1")
    assert (
        domain.complainant(customer_id="c1", name="x", phone=None, archived=("y", [])).phone is None
    )
    unknown = domain.complainant(customer_id="c9", name="王先生", phone=None, archived=None)
    assert unknown.name == "王先生"
    with pytest.raises(ValidationFailed) as caught:
        domain.complainant(customer_id="c9", name=None, phone=None, archived=None)
    assert list(caught.value.fields) == ["customer_id"]


def test_escalating_by_hand_twice_for_the_same_reason() -> None:
    complaint = Complaint()
    assert domain.escalate_by_hand(complaint, "at_risk") == 1
    with pytest.raises(Conflict) as caught:
        domain.escalate_by_hand(complaint, "at_risk")
    assert caught.value.code == "ALREADY_ESCALATED"
    assert domain.escalate_by_hand(complaint, "manual") == 2
    assert domain.escalate_by_hand(complaint, "manual") == 3  # a person may insist


def test_steps_by_name() -> None:
    for action in (*domain.COMPLAINT_STEPS, "escalate"):
        domain.check_action(action)
    with pytest.raises(ValidationFailed) as caught:
        domain.check_action("dance")
    assert list(caught.value.fields) == ["action"]


def test_reminder_calls() -> None:
    call = domain.record_reminder_call(status="open", attempts=0, outcome="not_reached")
    assert (call.status, call.attempts, call.done) == ("open", 1, False)
    call = domain.record_reminder_call(status="open", attempts=1, outcome="booked")
    assert (call.status, call.attempts, call.done) == ("done", 2, True)
    for status in ("done", "cancelled"):
        with pytest.raises(Conflict) as caught:
            domain.record_reminder_call(status=status, attempts=2, outcome="contacted")
        assert caught.value.code == "ILLEGAL_TRANSITION"


def test_report_periods_are_local_days() -> None:
    now = utc("2026-12-15T02:00")  # 10:00 in Shanghai
    start, end = domain.report_period(None, None, POLICY, now)
    assert (start, end) == (utc("2026-11-30T16:00"), utc("2026-12-15T16:00"))  # this month
    start, end = domain.report_period(date(2026, 1, 1), date(2026, 1, 31), POLICY, now)
    assert (start, end) == (utc("2025-12-31T16:00"), utc("2026-01-31T16:00"))
    start, _ = domain.report_period(None, date(2026, 12, 15), POLICY, now, default_months=12)
    assert start == utc("2025-12-15T16:00")  # 2025-12-16 local: twelve months, both ends in
    with pytest.raises(ValidationFailed) as caught:
        domain.report_period(date(2026, 12, 2), date(2026, 12, 1), POLICY, now)
    assert list(caught.value.fields) == ["from"]
    with pytest.raises(ValidationFailed):
        domain.report_period(date(2010, 1, 1), date(2026, 12, 1), POLICY, now)
