"""Schemathesis against the running gateway, as an outside integrator would probe it.

Every check runs, for several roles (a site's advisor, headquarters, a technician, an
OEM integration and another group's headquarters): no answer may be a server error
and every answer must match `/openapi.json`. Each run is bounded (examples per
operation, a time budget) and targets the in-process system on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from aftersales_cli.seed_data import GROUP_ID
from aftersales_cli.testing import ADVISOR_PD, HQ, OTHER_HQ, PUDONG, System
from aftersales_core.tenancy import Tenant
from aftersales_gateway.auth import issue_token

TECHNICIAN = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))
OEM = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), oem_id="oem-saic-vw")
ROLES = {"advisor": ADVISOR_PD, "hq": HQ, "technician": TECHNICIAN, "oem": OEM, "other": OTHER_HQ}
MUST_NOT_FAIL = ("not_a_server_error", "response_schema_conformance")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    return gateway_system


def _failures(report: Path) -> tuple[Counter[str], list[str]]:
    """Failed checks by name, and what each failure of a check that must pass was,
    from schemathesis' NDJSON event stream."""
    failed: Counter[str] = Counter()
    details: list[str] = []
    for line in report.read_text(encoding="utf-8").splitlines():
        for check in _walk_checks(json.loads(line)):
            if check.get("status") != "failure":
                continue
            failed[check.get("name", "?")] += 1
            if check.get("name") in MUST_NOT_FAIL:
                failure = (check.get("failure_info") or {}).get("failure") or {}
                details.append(
                    f"{failure.get('operation')}: {failure.get('title')}: "
                    f"{str(failure.get('message'))[:600]}"
                )
    return failed, details


def _walk_checks(node: Any) -> Any:
    if isinstance(node, dict):
        if "name" in node and "status" in node and ("failure_info" in node or "context" in node):
            yield node
        for value in node.values():
            yield from _walk_checks(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_checks(value)


@pytest.mark.parametrize("role", list(ROLES))
def test_no_server_error_and_every_answer_as_documented(
    system: System, role: str, tmp_path: Path
) -> None:
    report = tmp_path / "events.ndjson"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{system.base_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {issue_token(ROLES[role])}",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "3",
            "--max-time",
            "45",
            "--workers",
            "2",
            "--seed",
            "20261202",
            "--generation-database",
            "none",
            "--request-timeout",
            "15",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    failed, details = _failures(report)
    serious = {name: failed[name] for name in MUST_NOT_FAIL if failed[name]}
    assert not serious, f"{role}: {serious} (all: {dict(failed)})\n" + "\n".join(
        sorted(set(details))[:40]
    )
