"""A broker or database that goes away is a logged, typed 503, never a dead container."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from sqlalchemy.exc import OperationalError

from aftersales_core.service import ResilientRpc


def test_a_reply_that_cannot_be_sent_does_not_kill_the_container(caplog: Any) -> None:
    class BrokerAway:
        def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
            raise ConnectionRefusedError(111, "ECONNREFUSED")

    entrypoint = ResilientRpc.__new__(ResilientRpc)
    entrypoint.rpc_consumer = BrokerAway()  # type: ignore[assignment]
    worker = SimpleNamespace(call_id="reception.open_order.1")
    assert entrypoint.handle_result(object(), worker, {"ok": True}, None) == ({"ok": True}, None)
    assert "could not reply to reception.open_order.1" in caplog.text


def test_infrastructure_faults_are_503_with_a_code() -> None:
    from aftersales_gateway.http import response_for

    database = response_for(OperationalError("SELECT 1", {}, Exception("server closed")))
    broker = response_for(ConnectionRefusedError(111, "ECONNREFUSED"))
    for response, code in ((database, "DATABASE_UNAVAILABLE"), (broker, "BROKER_UNAVAILABLE")):
        assert response.status_code == 503
        assert json.loads(response.get_data())["error"]["code"] == code
