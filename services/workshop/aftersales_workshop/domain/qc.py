"""Quality control: the self-check and team-leader check of each job, then the road
test and the final inspection of the RO, their checklists and who may sign them.

The final-inspection gate lives here: every job done first (`JOBS_NOT_DONE`), a
passed road test since the last job was done where one is needed
(`ROAD_TEST_REQUIRED`), no second pass (`QC_ALREADY_PASSED`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from aftersales_contracts.api.workshop import (
    ASSIGNED,
    DONE,
    FAILED,
    FINAL_INSPECTION,
    ITEM_RESULTS,
    ROAD_TEST,
    SELF_CHECK,
    TEAM_LEADER_CHECK,
    UNCHECKED,
    WAITING_QC,
)
from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

from .jobs import Job, illegal

# ---------------------------------------------------------------- QC checklists

# (code, label) per stage: clients answer by code, reasons quote the label.
CHECKLISTS: dict[str, tuple[tuple[str, str], ...]] = {
    SELF_CHECK: (
        ("work_complete", "作业项目全部完成"),
        ("torque", "紧固件按规定力矩紧固"),
        ("no_leaks", "无漏油、漏水、漏气"),
        ("tools_removed", "无遗留工具、零件及旧件"),
    ),
    TEAM_LEADER_CHECK: (
        ("work_complete", "作业项目全部完成"),
        ("workmanship", "作业质量符合维修标准"),
        ("parts_correct", "更换零件正确，旧件已按要求处理"),
    ),
    ROAD_TEST: (
        ("brakes", "制动性能正常，无跑偏"),
        ("steering", "转向正常，方向盘居中"),
        ("noise", "行驶中无异响"),
        ("warning_lights", "仪表无故障警告灯"),
    ),
    FINAL_INSPECTION: (
        ("fault_fixed", "客户反映的故障已排除"),
        ("all_lines_done", "委托书所列项目全部完成"),
        ("fluids", "机油、冷却液、制动液液位正常"),
        ("lights_instruments", "灯光、仪表工作正常"),
        ("wheel_torque", "车轮螺栓按规定力矩紧固"),
        ("clean_no_damage", "车辆清洁，无新增损伤"),
        ("old_parts", "旧件按客户要求处理"),
    ),
}


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    items: list[dict[str, str]]
    reasons: list[str]


def evaluate_checklist(stage: str, results: Mapping[str, str], remarks: str | None) -> CheckResult:
    """Every item of the stage's checklist must be ok: an unchecked or failed item fails QC."""
    checklist = CHECKLISTS[stage]
    known = {code for code, _ in checklist}
    unknown = sorted(set(results) - known)
    if unknown:
        raise ValidationFailed(
            "not items of this checklist",
            "UNKNOWN_CHECK_ITEM",
            {"items": {code: [f"not on the {stage} checklist"] for code in unknown}},
        )
    bad = {code: value for code, value in results.items() if value not in ITEM_RESULTS}
    if bad:
        raise ValidationFailed(
            "each item is ok, failed or unchecked",
            "VALIDATION_ERROR",
            {"items": {code: [f"one of: {', '.join(ITEM_RESULTS)}"] for code in bad}},
        )
    items = []
    reasons = [remarks.strip()] if remarks and remarks.strip() else []
    failed = False
    for code, label in checklist:
        result = results.get(code, UNCHECKED)
        items.append({"code": code, "label": label, "result": result})
        if result == FAILED:
            failed = True
            reasons.append(f"{label}：不合格")
        elif result == UNCHECKED:
            failed = True
            reasons.append(f"{label}：未检查")
    return CheckResult(not failed, items, reasons if failed else [])


# Operations that change how the car drives are proven on the road (code prefixes of
# the labor-time catalog): brakes, alignment and tyres, engine, diagnosis, steering,
# suspension, transmission.
ROAD_TEST_PREFIXES = ("BRK", "ALN", "TYR", "ENG", "DIAG", "STR", "SUS", "TRN")


def needs_road_test(operation_code: str) -> bool:
    return operation_code.upper().split("-", 1)[0] in ROAD_TEST_PREFIXES


def responsible_technician(technicians: Iterable[str | None]) -> str | None:
    """The technician a failure is charged to: the one who did the failed jobs, if one did."""
    named = {t for t in technicians if t}
    return named.pop() if len(named) == 1 else None


def after_job_check(job: Job, stage: str, passed: bool) -> Job:
    """A self-check or team-leader check on a job that waits for QC.

    Self-check failed: the technician found it unfinished, back to work.
    Team-leader check failed: rework, back to the same technician.
    Both passed: the job is done.
    """
    if job.status != WAITING_QC or job.qc_stage != stage:
        raise Conflict(
            f"the job is not waiting for a {stage.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [job.status], "qc_stage": [job.qc_stage or ""]},
        )
    if not passed:
        return replace(job, status=ASSIGNED, qc_stage=None)
    if stage == SELF_CHECK:
        return replace(job, qc_stage=TEAM_LEADER_CHECK)
    return replace(job, status=DONE, qc_stage=None)


def send_back(job: Job) -> Job:
    """An RO-level failure (road test, final inspection): the done job is rework."""
    if job.status != DONE:
        raise illegal("sent back as rework", job.status)
    return replace(job, status=ASSIGNED, qc_stage=None, pause_reason=None)


def check_job_checker(
    stage: str, checker_id: str, roles: Iterable[str], job: Job, checker_team_id: str | None
) -> None:
    """Who may sign a job's check: its own technician the self-check; a team leader
    of its team (or an inspector) the team-leader check, never on their own work."""
    roles = set(roles)
    if stage == SELF_CHECK:
        if checker_id != job.technician_id:
            raise Forbidden("the self-check is the job's technician's", "NOT_YOUR_JOB")
        return
    if checker_id == job.technician_id:
        raise Forbidden("a second check is by someone else", "OWN_WORK")
    if "qc_inspector" in roles or "system" in roles:
        return
    if "team_leader" not in roles:
        raise Forbidden("this needs a team leader or a QC inspector", "ROLE_FORBIDDEN")
    if job.team_id is not None and checker_team_id != job.team_id:
        raise Forbidden("you do not lead this job's team", "NOT_YOUR_TEAM")


# ------------------------------------------------------- the RO's road test, final inspection


def check_order_stage(
    stage: str,
    cancelled: bool,
    job_statuses: Mapping[str, str],
    qc_status: str,
    road_test_needed: bool,
    road_test_done: bool,
) -> None:
    """May the RO's road test or final inspection be recorded now?

    `job_statuses`: the RO's jobs (cancelled ones left out), by id, in order.
    """
    if cancelled:
        raise Conflict("the repair order was cancelled", "ORDER_CANCELLED")
    if not job_statuses:
        raise Conflict("the RO has no jobs yet", "NO_JOBS")
    unfinished = [job_id for job_id, status in job_statuses.items() if status != DONE]
    if unfinished:
        raise Conflict(
            "every job must be done (self-check and team-leader check) first",
            "JOBS_NOT_DONE",
            {"job_ids": unfinished},
        )
    if stage == FINAL_INSPECTION and qc_status == "passed":
        raise Conflict("the final inspection has passed already", "QC_ALREADY_PASSED")
    if stage == FINAL_INSPECTION and road_test_needed and not road_test_done:
        raise Conflict(
            "this RO needs a passed road test after its last job was done",
            "ROAD_TEST_REQUIRED",
        )


def road_test_passed(
    last_done: datetime | None, latest_at: datetime | None, latest_passed: bool
) -> bool:
    """A road test passed since the last job was (re)done (the latest road test counts)."""
    if latest_at is None or not latest_passed:
        return False
    return last_done is None or latest_at >= last_done


def failed_job_ids(
    stage: str,
    named: Sequence[str] | None,
    jobs: Mapping[str, str],
) -> list[str]:
    """The jobs a failed road test or final inspection sends back.

    `jobs`: operation code by job id. Named by the inspector, else every job that
    needs a road test (for a road test), else every job of the RO.
    """
    if named is None:
        needing = [job_id for job_id, code in jobs.items() if needs_road_test(code)]
        named = needing if stage == ROAD_TEST and needing else list(jobs)
    if not named or any(job_id not in jobs for job_id in named):
        raise ValidationFailed.on("job_ids", "jobs of this RO, at least one", "UNKNOWN_JOB")
    return list(dict.fromkeys(named))
