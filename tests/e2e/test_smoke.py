"""The whole system as an operator starts it: `aftersales up`, six OS processes, Ctrl-C.

Runs on real RabbitMQ (this run's vhost) and a fresh PostgreSQL database per service.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from aftersales_core.config import database_env_name
from aftersales_core.identifiers import make_vin
from aftersales_core.tenancy import Tenant
from aftersales_gateway.auth import issue_token

PROCESS_NAMES = ("reception", "workshop", "parts", "claims", "customer-care", "gateway")
SECRET = "e2e-smoke-secret-0123456789abcdef"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


@pytest.fixture(scope="module")
def system(amqp_uri: str, make_database: Any, tmp_path_factory: Any) -> Any:
    port = _free_port()
    env = dict(os.environ)
    env.update(
        {
            "AMQP_URI": amqp_uri,
            "GATEWAY_PORT": str(port),
            "JWT_SECRET": SECRET,
            "AFTERSALES_VAR_DIR": str(tmp_path_factory.mktemp("var")),
            "AFTERSALES_LOG_LEVEL": "WARNING",
        }
    )
    for name in PROCESS_NAMES:
        env[database_env_name(name)] = make_database(name)
    log = Path(env["AFTERSALES_VAR_DIR"]) / "up.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "aftersales_cli", "up", "--seed", "--wait", "120"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"aftersales up exited {proc.returncode}:\n{log.read_text()[-4000:]}")
        if "seeded parts" in log.read_text(errors="replace"):
            break
        time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"not up and seeded in time:\n{log.read_text()[-4000:]}")
    yield base, proc, log
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_six_processes_run_and_health_lists_every_service(system: Any) -> None:
    base, proc, _ = system
    assert len(_children(proc.pid)) == 6, "each service and the gateway is its own OS process"
    resp = requests.get(f"{base}/health", timeout=10)
    assert resp.status_code == 200
    services = resp.json()["services"]
    assert set(services) == set(PROCESS_NAMES)
    assert all(entry["status"] == "up" for entry in services.values()), services
    assert all(services[n]["database"]["dialect"] == "postgresql" for n in PROCESS_NAMES)


def test_gateway_needs_a_valid_token(system: Any) -> None:
    base, _, _ = system
    anonymous = requests.get(f"{base}/api/v1/me", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "TOKEN_MISSING"
    forged = issue_token(
        Tenant("sa.wang.pd", "grp-huadong", ("site-pudong",), ("service_advisor",)),
        key="not-the-secret-of-this-system-0123",
    )
    resp = requests.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "TOKEN_INVALID"

    token = issue_token(
        Tenant("sa.wang.pd", "grp-huadong", ("site-pudong",), ("service_advisor",)), key=SECRET
    )
    me = requests.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["name"], "the seeded directory knows the advisor"
    assert [s["site_id"] for s in me.json()["sites"]] == ["site-pudong"]


def test_a_customer_flows_from_reception_to_customer_care(system: Any) -> None:
    base, _, _ = system
    token = issue_token(
        Tenant("sa.wang.pd", "grp-huadong", ("site-pudong",), ("service_advisor",)), key=SECRET
    )
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "site_id": "site-pudong",
        "name": "陈晓东",
        "phones": ["13912345678"],
        "customer_class": "member",
        "vehicles": [
            {
                "vin": make_vin("LSVCC2A4PN345678"),
                "plate": "沪B·D12345",
                "brand": "Volkswagen",
                "model": "ID.4 X",
                "mileage": 1200,
            }
        ],
    }
    created = requests.post(f"{base}/api/v1/customers", json=body, headers=headers, timeout=15)
    assert created.status_code == 201, created.text
    customer_id = created.json()["customer_id"]
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        archived = requests.get(
            f"{base}/api/v1/customer-care/customers/{customer_id}", headers=headers, timeout=10
        )
        if archived.status_code == 200 and archived.json()["vehicles"]:
            break
        time.sleep(0.2)
    assert archived.status_code == 200, archived.text
    assert archived.json()["recorded_for"] == "sa.wang.pd"
    assert archived.json()["vehicles"][0]["plate"] == "沪B·D12345"


def test_a_killed_process_is_restarted_and_the_others_keep_serving(system: Any) -> None:
    base, proc, log = system
    before = set(_children(proc.pid))
    victim = next(
        pid
        for pid in before
        if "run-service parts"
        in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    )
    os.kill(victim, signal.SIGKILL)
    token = issue_token(
        Tenant("sa.wang.pd", "grp-huadong", ("site-pudong",), ("service_advisor",)), key=SECRET
    )
    # reception keeps serving while parts is down
    customers = requests.get(
        f"{base}/api/v1/customers", headers={"Authorization": f"Bearer {token}"}, timeout=15
    )
    assert customers.status_code == 200, customers.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        health = requests.get(f"{base}/health", timeout=10)
        if health.status_code == 200 and victim not in _children(proc.pid):
            break
        time.sleep(0.5)
    assert health.status_code == 200, health.text
    assert proc.poll() is None, "aftersales up keeps running"
    after = set(_children(proc.pid))
    assert len(after) == 6 and before - after == {victim}
    assert "parts stopped" in log.read_text() and "parts restarted" in log.read_text()


def test_ctrl_c_stops_every_process(system: Any) -> None:
    base, proc, log = system
    children = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=40) == 0, log.read_text()[-3000:]
    for pid in children:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/health", timeout=2)
