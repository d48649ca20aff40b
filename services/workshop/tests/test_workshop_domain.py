"""The workshop's rules without a broker or a database: milliseconds each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from aftersales_core.errors import Conflict, Forbidden, ValidationFailed
from aftersales_workshop import domain
from aftersales_workshop.domain import (
    ASSIGNED,
    DONE,
    FINAL_INSPECTION,
    IN_PROGRESS,
    PAUSED,
    SELF_CHECK,
    TEAM_LEADER_CHECK,
    UNASSIGNED,
    WAITING_QC,
    Candidate,
    Job,
    NewOrder,
    PastJob,
    PastOrder,
    ShiftPattern,
)

D = Decimal
LIU, YANG, ZHANG = "tech.liu.pd", "tech.yang.pd", "tl.zhang.pd"
TEAM1, TEAM2 = "team-pd-1", "team-pd-2"


def at(hhmm: str, day: int = 25) -> datetime:
    """A Shanghai wall-clock time on 2026-11-<day>, as an aware instant."""
    hour, minute = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, hour, minute, tzinfo=domain.SITE_TZ)


# ---------------------------------------------------------------- dispatch


def test_dispatch_assigns_and_redispatch_resets_the_plate_check() -> None:
    job = domain.dispatch(Job(UNASSIGNED), LIU, TEAM1)
    assert job == Job(ASSIGNED, LIU, TEAM1)
    confirmed = domain.confirm_plate(job, LIU, TEAM1)
    assert confirmed.plate_confirmed_by == LIU
    # The same technician again keeps the check; another must check the car himself.
    assert domain.dispatch(confirmed, LIU, TEAM1).plate_confirmed_by == LIU
    moved = domain.dispatch(confirmed, YANG, TEAM1)
    assert (moved.status, moved.technician_id, moved.plate_confirmed_by) == (ASSIGNED, YANG, None)
    to_team = domain.dispatch(Job(UNASSIGNED), None, TEAM2)
    assert (to_team.technician_id, to_team.team_id) == (None, TEAM2)


def test_a_paused_job_stays_paused_when_it_changes_hands() -> None:
    paused = Job(PAUSED, LIU, TEAM1, LIU, pause_reason="waiting_for_parts")
    moved = domain.dispatch(paused, YANG, TEAM1)
    assert (moved.status, moved.pause_reason, moved.technician_id) == (
        PAUSED,
        "waiting_for_parts",
        YANG,
    )


@pytest.mark.parametrize("status", [IN_PROGRESS, WAITING_QC, DONE])
def test_work_under_way_or_finished_cannot_be_dispatched(status: str) -> None:
    with pytest.raises(Conflict) as caught:
        domain.dispatch(Job(status, LIU, TEAM1), YANG, TEAM1)
    assert caught.value.code == "ILLEGAL_TRANSITION"


def test_dispatch_needs_a_target() -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.dispatch(Job(UNASSIGNED), None, None)
    assert list(caught.value.fields) == ["technician_id"]


# ---------------------------------------------------------------- plate and clocking


def test_plate_check_accepts_any_spelling_of_the_same_plate() -> None:
    for typed in ("沪A·12345", "沪a12345", "沪A 12345", "沪Ａ１２３４５"):
        domain.check_plate("沪A·12345", "LSVAL618XRT000001", typed, None)
    with pytest.raises(ValidationFailed) as caught:
        domain.check_plate("沪A·12345", "LSVAL618XRT000001", "沪A·12354", None)
    assert caught.value.code == "PLATE_MISMATCH" and list(caught.value.fields) == ["plate"]


def test_plate_check_by_vin_when_the_car_has_no_plate() -> None:
    vin = "LSVAL618XRT000001"
    domain.check_plate(None, vin, None, "000001")
    domain.check_plate(None, vin, None, vin.lower())
    for wrong in ("000002", "00001", "LSVAL618XRT000002"):
        with pytest.raises(ValidationFailed) as caught:
            domain.check_plate(None, vin, None, wrong)
        assert caught.value.code == "VIN_MISMATCH"
    with pytest.raises(ValidationFailed) as caught:
        domain.check_plate(None, vin, "沪A·12345", None)
    assert caught.value.code == "PLATE_UNKNOWN"
    with pytest.raises(ValidationFailed) as caught:
        domain.check_plate("沪A·12345", vin, None, None)
    assert caught.value.code == "PLATE_REQUIRED"
    with pytest.raises(Conflict) as caught:
        domain.check_plate(None, None, None, "000001")
    assert caught.value.code == "ORDER_NOT_READY"


def test_clock_on_needs_dispatch_then_the_plate_then_a_free_technician() -> None:
    with pytest.raises(Conflict) as caught:
        domain.clock_on(Job(UNASSIGNED), LIU, TEAM1, None)
    assert caught.value.code == "NOT_DISPATCHED"
    assigned = Job(ASSIGNED, LIU, TEAM1)
    with pytest.raises(Conflict) as caught:
        domain.clock_on(assigned, LIU, TEAM1, None)
    assert caught.value.code == "PLATE_NOT_CONFIRMED"
    ready = domain.confirm_plate(assigned, LIU, TEAM1)
    with pytest.raises(Conflict) as caught:
        domain.clock_on(ready, LIU, TEAM1, "job-other")
    assert caught.value.code == "TECHNICIAN_BUSY"
    assert caught.value.fields == {"job_id": ["job-other"]}
    with pytest.raises(Conflict) as caught:
        domain.clock_on(ready, YANG, TEAM1, None)
    assert caught.value.code == "NOT_DISPATCHED_TO_YOU"
    started = domain.clock_on(ready, LIU, TEAM1, None)
    assert started.status == IN_PROGRESS
    with pytest.raises(Conflict) as caught:
        domain.clock_on(started, LIU, TEAM1, None)
    assert caught.value.code == "ILLEGAL_TRANSITION"


def test_a_team_job_is_taken_by_the_member_who_clocks_on() -> None:
    team_job = Job(ASSIGNED, None, TEAM1)
    with pytest.raises(Conflict):
        domain.confirm_plate(team_job, "tech.zhao.pd", TEAM2)
    ready = domain.confirm_plate(team_job, YANG, TEAM1)
    with pytest.raises(Conflict) as caught:
        domain.clock_on(ready, "tech.zhao.pd", TEAM2, None)
    assert caught.value.code == "NOT_DISPATCHED_TO_YOU"
    started = domain.clock_on(ready, YANG, TEAM1, None)
    assert (started.status, started.technician_id) == (IN_PROGRESS, YANG)


def test_pause_resume_finish() -> None:
    working = Job(IN_PROGRESS, LIU, TEAM1, LIU)
    paused = domain.pause(working, "waiting_for_parts")
    assert (paused.status, paused.pause_reason) == (PAUSED, "waiting_for_parts")
    resumed = domain.clock_on(paused, LIU, TEAM1, None)
    assert (resumed.status, resumed.pause_reason) == (IN_PROGRESS, None)
    finished = domain.finish(resumed)
    assert (finished.status, finished.qc_stage) == (WAITING_QC, SELF_CHECK)
    with pytest.raises(Conflict):
        domain.finish(finished)
    with pytest.raises(Conflict):
        domain.pause(finished, "break")
    with pytest.raises(ValidationFailed) as caught:
        domain.pause(working, "tea")
    assert caught.value.code == "PAUSE_REASON"
    # An idle job can be parked, but only once someone has it.
    assert domain.pause(Job(ASSIGNED, LIU, TEAM1), "waiting_for_parts").status == PAUSED
    with pytest.raises(Conflict) as caught:
        domain.pause(Job(ASSIGNED, None, TEAM1), "waiting_for_parts")
    assert caught.value.code == "NOT_DISPATCHED"


def test_cancel_drops_open_work_and_keeps_finished_work() -> None:
    for status in (UNASSIGNED, ASSIGNED, IN_PROGRESS, PAUSED, WAITING_QC):
        cancelled = domain.cancel(Job(status, LIU, TEAM1, LIU, SELF_CHECK, "break"))
        assert (cancelled.status, cancelled.qc_stage, cancelled.pause_reason) == (
            domain.CANCELLED,
            None,
            None,
        )
        with pytest.raises(Conflict):
            domain.clock_on(cancelled, LIU, TEAM1, None)
        with pytest.raises(Conflict):
            domain.dispatch(cancelled, LIU, TEAM1)
    done = Job(DONE, LIU, TEAM1)
    assert domain.cancel(done) == done


# ---------------------------------------------------------------- QC


ALL_OK = {stage: {code: "ok" for code, _ in items} for stage, items in domain.CHECKLISTS.items()}


def test_a_checklist_passes_only_when_every_item_is_ok() -> None:
    result = domain.evaluate_checklist(FINAL_INSPECTION, ALL_OK[FINAL_INSPECTION], None)
    assert result.passed and result.reasons == []
    assert [i["result"] for i in result.items] == ["ok"] * 7

    answers = {**ALL_OK[FINAL_INSPECTION], "fault_fixed": "failed"}
    del answers["old_parts"]  # left out: unchecked
    result = domain.evaluate_checklist(FINAL_INSPECTION, answers, "制动时仍有异响")
    assert not result.passed
    assert result.reasons == [
        "制动时仍有异响",
        "客户反映的故障已排除：不合格",
        "旧件按客户要求处理：未检查",
    ]
    unchecked = domain.evaluate_checklist(
        SELF_CHECK, {**ALL_OK[SELF_CHECK], "torque": "unchecked"}, None
    )
    assert not unchecked.passed and unchecked.reasons == ["紧固件按规定力矩紧固：未检查"]


def test_a_checklist_refuses_items_it_does_not_have() -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.evaluate_checklist(SELF_CHECK, {"paint_colour": "ok"}, None)
    assert caught.value.code == "UNKNOWN_CHECK_ITEM"
    assert list(caught.value.fields["items"]) == ["paint_colour"]


def test_job_checks_self_then_team_leader_then_done() -> None:
    waiting = Job(WAITING_QC, LIU, TEAM1, LIU, SELF_CHECK)
    with pytest.raises(Conflict):  # not yet at the team leader's stage
        domain.after_job_check(waiting, TEAM_LEADER_CHECK, True)
    back = domain.after_job_check(waiting, SELF_CHECK, False)
    assert (back.status, back.qc_stage) == (ASSIGNED, None)
    checked = domain.after_job_check(waiting, SELF_CHECK, True)
    assert (checked.status, checked.qc_stage) == (WAITING_QC, TEAM_LEADER_CHECK)
    rework = domain.after_job_check(checked, TEAM_LEADER_CHECK, False)
    assert (rework.status, rework.technician_id) == (ASSIGNED, LIU)
    done = domain.after_job_check(checked, TEAM_LEADER_CHECK, True)
    assert (done.status, done.qc_stage) == (DONE, None)
    again = domain.send_back(done)
    assert (again.status, again.technician_id) == (ASSIGNED, LIU)
    with pytest.raises(Conflict):
        domain.send_back(again)


def test_who_may_sign_a_job_check() -> None:
    job = Job(WAITING_QC, LIU, TEAM1, LIU, SELF_CHECK)
    domain.check_job_checker(SELF_CHECK, LIU, ["technician"], job, TEAM1)
    with pytest.raises(Forbidden) as caught:
        domain.check_job_checker(SELF_CHECK, YANG, ["technician"], job, TEAM1)
    assert caught.value.code == "NOT_YOUR_JOB"
    domain.check_job_checker(TEAM_LEADER_CHECK, ZHANG, ["team_leader"], job, TEAM1)
    domain.check_job_checker(TEAM_LEADER_CHECK, "qc.hu.pd", ["qc_inspector"], job, None)
    cases = [
        (LIU, ["team_leader", "technician"], TEAM1, "OWN_WORK"),
        ("tl.huang.pd", ["team_leader"], TEAM2, "NOT_YOUR_TEAM"),
        (YANG, ["technician"], TEAM1, "ROLE_FORBIDDEN"),
    ]
    for who, roles, team, code in cases:
        with pytest.raises(Forbidden) as caught:
            domain.check_job_checker(TEAM_LEADER_CHECK, who, roles, job, team)
        assert caught.value.code == code


def test_road_tests_and_the_technician_a_failure_is_charged_to() -> None:
    assert domain.needs_road_test("BRK-FPAD") and domain.needs_road_test("aln-4w")
    assert not domain.needs_road_test("MNT-10K") and not domain.needs_road_test("BDY-PANEL")
    assert domain.responsible_technician([LIU, LIU, None]) == LIU
    assert domain.responsible_technician([LIU, YANG]) is None
    assert domain.responsible_technician([None]) is None


# ---------------------------------------------------------------- suggestions


def test_suggestions_rank_skill_presence_load_then_grade() -> None:
    def cand(
        tid: str, skills: tuple[str, ...], load: str, present: str = "8.0", grade: str = "senior"
    ) -> Candidate:
        return Candidate(tid, tid, TEAM1, skills, grade, D(load), D(present))

    ranked = domain.suggest(
        "brakes",
        [
            cand("a.busy", ("brakes",), "6.0"),
            cand("b.absent", ("brakes",), "0.0", present="0"),
            cand("c.free", ("brakes",), "1.0"),
            cand("d.unskilled", ("paint",), "0.0"),
            cand("e.free.junior", ("brakes",), "1.0", grade="junior"),
        ],
    )
    assert [s.technician_id for s in ranked] == [
        "c.free",
        "e.free.junior",
        "a.busy",
        "b.absent",
        "d.unskilled",
    ]
    assert ranked[0].free_hours == D("7.0") and ranked[2].free_hours == D("2.0")
    assert not ranked[3].present and not ranked[4].has_skill


def test_the_skill_a_job_needs() -> None:
    assert domain.job_skill("electrical", "BRK-FPAD") == "electrical"
    assert domain.job_skill(None, "BRK-FPAD") == "brakes"
    assert domain.job_skill(None, "HV-CHK") == "ev_high_voltage"
    assert domain.job_skill(None, "XYZ-1") is None


# ---------------------------------------------------------------- attendance and capacity


def test_capacity_from_the_pattern_and_attendance() -> None:
    monday, sunday = date(2026, 11, 23), date(2026, 11, 29)
    six = [f"t{n}" for n in range(6)]
    # Default: every day, 8.0 h a technician.
    assert domain.capacity(sunday, domain.DEFAULT_PATTERN, six, {}, []) == (D("48.0"), D("0.0"))
    # Attendance wins: one on leave, one on a short day, one doing overtime.
    recorded = {"t0": D("0"), "t1": D("4.5"), "t2": D("10.0")}
    booked = [D("1.0"), D("1.8"), D("3.5")]
    assert domain.capacity(monday, domain.DEFAULT_PATTERN, six, recorded, booked) == (
        D("38.5"),  # 0 + 4.5 + 10 + 3 x 8
        D("6.3"),
    )
    weekdays = domain.check_pattern([1, 2, 3, 4, 5], D("7.5"))
    assert domain.capacity(sunday, weekdays, six, {}, []) == (D("0.0"), D("0.0"))
    assert domain.capacity(monday, weekdays, six, {}, []) == (D("45.0"), D("0.0"))


def test_attendance_entries_and_patterns_are_checked() -> None:
    assert domain.attendance_hours("present", None, D("8.0")) == D("8.0")
    assert domain.attendance_hours("present", D("9.5"), D("8.0")) == D("9.5")
    assert domain.attendance_hours("leave", None, D("8.0")) == D("0")
    for status, given in (("present", D("25")), ("present", D("7.25")), ("sick", D("4"))):
        with pytest.raises(ValidationFailed) as caught:
            domain.attendance_hours(status, given, D("8.0"))
        assert list(caught.value.fields) == ["hours"]
    with pytest.raises(ValidationFailed):
        domain.check_pattern([0, 8], D("8.0"))
    with pytest.raises(ValidationFailed):
        domain.check_pattern([], D("8.0"))
    assert ShiftPattern().hours_on(date(2026, 11, 29)) == D("8.0")


# ---------------------------------------------------------------- progress watch


def test_at_risk_from_seventy_percent_with_work_open() -> None:
    start, promised = at("09:00"), at("17:00")  # eight hours promised
    open_work = [DONE, IN_PROGRESS, ASSIGNED]
    assert domain.at_risk(start, promised, at("14:30"), open_work) is None  # 68.75 %
    assert domain.at_risk(start, promised, at("14:36"), open_work) == (D("0.70"), 2)
    assert domain.at_risk(start, promised, at("15:00"), open_work) == (D("0.75"), 2)
    # Past the window it is still reported: late rather than never.
    assert domain.at_risk(start, promised, at("18:00"), open_work) == (D("1.13"), 2)
    # Near done: all work finished by the technicians, only checks left.
    assert domain.at_risk(start, promised, at("15:00"), [DONE, WAITING_QC]) is None
    assert domain.at_risk(start, promised, at("15:00"), []) is None
    # A promise at or before the start is due at once.
    assert domain.at_risk(start, start, at("09:01"), [ASSIGNED]) == (D("1.00"), 1)


# ---------------------------------------------------------------- comebacks


def _delivered(order_id: str = "ro-1", days_ago: int = 10, **kw: object) -> PastOrder:
    values: dict = {
        "vin": "LSVAL618XRT000001",
        "order_type": "repair",
        "complaint": "踩刹车时前轮有吱吱声",
        "delivered_at": at("17:00") - timedelta(days=days_ago),
        "jobs": (
            PastJob("job-mnt", "MNT-10K", LIU, D("1.0")),
            PastJob("job-brk", "BRK-FPAD", LIU, D("1.0")),
            PastJob("job-aln", "ALN-4W", YANG, D("1.0")),
        ),
    }
    values.update(kw)
    return PastOrder(order_id, **values)  # type: ignore[arg-type]


def _new(codes: tuple[str, ...] = (), **kw: object) -> NewOrder:
    values: dict = {
        "vin": "lsval618xrt000001",
        "order_type": "repair",
        "complaint": "刹车异响",
        "opened_at": at("09:00"),
        "operation_codes": codes,
    }
    values.update(kw)
    return NewOrder("ro-new", **values)  # type: ignore[arg-type]


def test_comeback_by_the_same_repair_operation() -> None:
    match = domain.find_comeback(_new(("MNT-OIL", "ALN-4W")), [_delivered()])
    assert match is not None
    assert (match.original_order_id, match.original_job_id, match.technician_id) == (
        "ro-1",
        "job-aln",
        YANG,
    )
    assert (match.matched_by, match.operation_code, match.days_after_delivery) == (
        "operation_code",
        "ALN-4W",
        9,  # delivered 17:00 ten days before, back at 09:00: nine whole days
    )


def test_routine_maintenance_again_is_not_a_comeback() -> None:
    assert (
        domain.find_comeback(
            _new(("MNT-10K",), complaint="保养", order_type="maintenance"), [_delivered()]
        )
        is None
    )


def test_comeback_by_the_same_complaint_in_other_words() -> None:
    # 踩刹车时前轮有吱吱声 / 刹车时前轮吱吱响: bigrams 刹车 车时 时前 前轮 吱吱 shared,
    # 9 and 7 bigrams -> Dice = 2 x 5 / 16 = 0.625 >= 0.5.
    assert domain.complaint_similarity("踩刹车时前轮有吱吱声", "刹车时前轮吱吱响") == D("0.63")
    match = domain.find_comeback(_new(complaint="刹车时，前轮吱吱响！"), [_delivered()])
    assert match is not None
    assert (match.matched_by, match.similarity) == ("complaint", D("0.63"))
    # Charged to the largest repair job of the earlier RO (a tie: the later id).
    assert (match.original_job_id, match.technician_id) == ("job-brk", LIU)
    # Another fault in similar words is not the same complaint: 发动 动机 shared only,
    # 6 and 4 bigrams -> Dice = 2 x 2 / 10 = 0.4.
    assert domain.complaint_similarity("发动机故障灯亮", "发动机异响") == D("0.40")
    assert (
        domain.find_comeback(_new(complaint="发动机异响"), [_delivered(complaint="发动机故障灯亮")])
        is None
    )


def test_comeback_window_vehicle_and_latest_delivery() -> None:
    codes = ("BRK-FPAD",)
    assert domain.find_comeback(_new(codes), [_delivered(days_ago=31)]) is None
    assert domain.find_comeback(_new(codes), [_delivered(days_ago=31)], window_days=45)
    assert domain.find_comeback(_new(codes), [_delivered(vin="LSVAL618XRT000002")]) is None
    # Opened before that delivery: not a return.
    assert domain.find_comeback(_new(codes), [_delivered(days_ago=-1)]) is None
    latest = domain.find_comeback(
        _new(codes), [_delivered("ro-old", days_ago=20), _delivered("ro-recent", days_ago=5)]
    )
    assert latest is not None and latest.original_order_id == "ro-recent"
    # Maintenance ROs are never matched on words alone.
    assert (
        domain.find_comeback(
            _new(complaint="常规保养", order_type="maintenance"),
            [_delivered(complaint="常规保养", order_type="maintenance")],
        )
        is None
    )


def test_complaints_are_normalised_before_comparing() -> None:
    assert domain.normalise_complaint(" ＡＢＳ 灯亮了！ ") == "abs灯亮了"
    assert domain.complaint_similarity("ABS灯亮", "abs 灯亮") == D("1")
    assert domain.complaint_similarity("", "刹车") == D("0")


# ---------------------------------------------------------------- figures: a worked example


def test_technician_figures_worked_by_hand() -> None:
    """Liu's Wednesday 25 November and Thursday 26 November 2026.

    Sold (standard hours of jobs he completed): MNT-10K 1.0 + BRK-FDISC 1.8
    + BRK-RPAD 1.2 on Wednesday, ALN-4W 1.0 on Thursday = 5.0 h.
    Clocked: Wednesday 08:30-09:30 (1.00), 10:00-12:15 (2.25), 13:00-14:00
    (1.00), 14:30-15:15 (0.75) = 5.00 h; Thursday 09:00-10:30 (1.50) and a
    rework 10:45-11:15 (0.50) = 2.00 h; in all 7.0 h.
    Attended: Wednesday 8.0 h (the shift), Thursday 4.0 h (half a day off) = 12.0 h.
      efficiency   = sold / clocked    = 5.0 / 7.0  = 0.714... -> 0.71
      productivity = clocked / attended = 7.0 / 12.0 = 0.583... -> 0.58
      proficiency  = sold / attended    = 5.0 / 12.0 = 0.416... -> 0.42
    """
    sessions = [
        (at("08:30"), at("09:30")),
        (at("10:00"), at("12:15")),
        (at("13:00"), at("14:00")),
        (at("14:30"), at("15:15")),
        (at("09:00", 26), at("10:30", 26)),
        (at("10:45", 26), at("11:15", 26)),
    ]
    liu = domain.technician_figures(
        [D("1.0"), D("1.8"), D("1.2"), D("1.0")],
        sessions,
        [D("8.0"), D("4.0")],
        reworks=1,
        comebacks=0,
    )
    assert (liu.sold_hours, liu.clocked_hours, liu.attended_hours) == (
        D("5.0"),
        D("7.0"),
        D("12.0"),
    )
    assert (liu.efficiency, liu.productivity, liu.proficiency) == (D("0.71"), D("0.58"), D("0.42"))

    # Yang on the same days: sold 6.0 (BDY-PANEL 4.0 + AC-SVC 1.2 + SPK-RPL 0.8),
    # clocked 08:00-12:00 and 13:00-16:30 = 7.5 h, attended 8.0 + 8.0 = 16.0 h.
    yang = domain.technician_figures(
        [D("4.0"), D("1.2"), D("0.8")],
        [(at("08:00"), at("12:00")), (at("13:00", 26), at("16:30", 26))],
        [D("8.0"), D("8.0")],
        comebacks=1,
    )
    assert (yang.efficiency, yang.productivity, yang.proficiency) == (
        D("0.80"),  # 6.0 / 7.5
        D("0.47"),  # 7.5 / 16.0 = 0.46875
        D("0.38"),  # 6.0 / 16.0 = 0.375, half up
    )

    # The team: hours added up (11.0 sold, 14.5 clocked, 28.0 attended), ratios from
    # the sums - never the average of the two technicians' ratios.
    team = domain.total([liu, yang])
    assert (team.sold_hours, team.clocked_hours, team.attended_hours) == (
        D("11.0"),
        D("14.5"),
        D("28.0"),
    )
    assert (team.efficiency, team.productivity, team.proficiency) == (
        D("0.76"),  # 11.0 / 14.5 = 0.7586
        D("0.52"),  # 14.5 / 28.0 = 0.5179
        D("0.39"),  # 11.0 / 28.0 = 0.3929
    )
    assert (team.reworks, team.comebacks) == (1, 1)
    assert team.as_dict()["efficiency"] == "0.76"


def test_figures_without_hours_have_no_ratio() -> None:
    idle = domain.technician_figures([], [], [D("8.0")])
    assert idle.efficiency is None and idle.productivity == D("0.00")
    assert domain.technician_figures([], [], []).as_dict()["proficiency"] is None


def test_clocked_hours_are_summed_exactly_then_rounded_once() -> None:
    # Three sessions of 20 minutes: 1.0 h, not 3 x 0.3 = 0.9 h.
    start = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    sessions = [
        (start + timedelta(hours=n), start + timedelta(hours=n, minutes=20)) for n in range(3)
    ]
    assert domain.technician_figures([], sessions, []).clocked_hours == D("1.0")


def test_a_period_is_ordered_and_at_most_a_year() -> None:
    assert len(domain.days(date(2026, 11, 1), date(2026, 11, 30))) == 30
    with pytest.raises(ValidationFailed):
        domain.days(date(2026, 11, 30), date(2026, 11, 1))
    with pytest.raises(ValidationFailed):
        domain.days(date(2025, 1, 1), date(2026, 11, 1))
