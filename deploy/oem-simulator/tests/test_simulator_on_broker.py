"""The simulator as a real process on the broker: a parts order is answered with a
shipment notice once (however often it arrives), a recall is sent from the command
line, and SIGTERM stops the process cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aftersales_claims.testing import listening, publish
from aftersales_contracts import example, validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.messaging import oem_exchange, to_oem_routing_key

G = "grp-simulator-test"


def start_simulator(amqp_uri: str, tmp_path: Path, config: dict[str, Any], queue: str) -> Any:
    """The simulator as a subprocess; returns once it says it is consuming."""
    config_path = tmp_path / "oem.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aftersales_oem_simulator",
            "run",
            "--config",
            str(config_path),
            "--amqp-uri",
            amqp_uri,
            "--state",
            str(tmp_path / "state.db"),
            "--queue",
            queue,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OEM_SIMULATOR_LOG_LEVEL": "INFO"},
    )
    ready = threading.Event()

    def watch() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            if "ready" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    if not ready.wait(20):
        process.kill()
        raise AssertionError("the simulator did not start: " + process.stderr.read()[-2000:])
    return process


def stop(process: Any) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(15)
    finally:
        if process.poll() is None:
            process.kill()
    return code, process.stderr.read()


@pytest.fixture
def simulator(amqp_uri: str, tmp_path: Path) -> Iterator[Any]:
    config = {"parts": {"delay_days": 2, "unit_costs": {"5QD698151B": "402.00"}}}
    process = start_simulator(amqp_uri, tmp_path, config, "oem-simulator-broker-test")
    yield process
    if process.poll() is None:
        stop(process)
    from kombu import Connection

    with Connection(amqp_uri) as conn:
        conn.default_channel.queue_delete("oem-simulator-broker-test")


def test_a_parts_order_gets_one_shipment_notice(amqp_uri: str, simulator: Any) -> None:
    order = example("parts_order")
    envelope = Envelope("parts_order", G, "site-pudong", order["payload"], correlation_id="po-7a1c")
    with listening(amqp_uri, oem_exchange(), f"to-dealer.{G}.#", "test-sim-dealer") as dealer:
        for _ in range(2):  # sent twice with the same event_id: answered once
            publish(
                amqp_uri, oem_exchange(), to_oem_routing_key("oem-saic-vw", "parts_order"), envelope
            )
        notice = dealer.of_type("shipment_notice", po_id="po-7a1c")
        payload = validate_payload("shipment_notice", notice["payload"])
        assert notice["group_id"] == G and notice["site_id"] == "site-pudong"
        assert payload["lines"][0]["quantity_shipped"] == "2"
        assert payload["lines"][0]["unit_cost"] == "402.00"
        time.sleep(1.0)
        assert [m for m in dealer.drain() if m["type"] == "shipment_notice"] == []
    code, log = stop(simulator)
    assert code == 0, log[-2000:]
    assert "duplicate, ignored" in log


def test_send_recall_from_the_command_line(amqp_uri: str, tmp_path: Path) -> None:
    recall = example("recall_notice")["payload"]
    path = tmp_path / "recall.json"
    path.write_text(json.dumps(recall, ensure_ascii=False), encoding="utf-8")
    with listening(amqp_uri, oem_exchange(), f"to-dealer.{G}.#", "test-sim-recall") as dealer:
        done = subprocess.run(
            [sys.executable, "-m", "aftersales_oem_simulator", "send-recall", "--group", G,
             "--file", str(path), "--amqp-uri", amqp_uri],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        notice = dealer.of_type("recall_notice", recall_id=recall["recall_id"])
    assert validate_payload("recall_notice", notice["payload"]) == recall
    assert notice["group_id"] == G and notice["site_id"] is None


def test_a_bad_configuration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"warranty": {"rules": [{"decide": "maybe"}]}}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "aftersales_oem_simulator", "check-config", "--config", str(path)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert "warranty.rules[0].decide" in done.stderr
