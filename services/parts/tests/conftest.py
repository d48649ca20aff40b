"""Fixtures of the parts service tests (helpers live in `aftersales_cli.parts_testing`)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from kombu import Connection, Queue
from sqlalchemy import create_engine

from aftersales_cli.parts_testing import Parts
from aftersales_core.messaging import oem_exchange
from aftersales_parts.service import PartsService


@pytest.fixture
def parts(migrated_database: Any, run_services: Any, amqp_uri: str, rpc: Any) -> Iterator[Parts]:
    url = migrated_database("parts")
    [runner] = run_services({PartsService: url}, REQUEUE_BASE_DELAY=0.01)
    engine = create_engine(url)
    yield Parts(url, engine, runner.service_map["parts"], amqp_uri, rpc)
    engine.dispose()


@pytest.fixture
def oem_inbox(amqp_uri: str) -> Iterator[Any]:
    """What the OEMs receive on the OEM exchange: `get()` -> the next message body or None."""
    name = f"test-oem-inbox-{uuid.uuid4().hex[:6]}"
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        queue = Queue(name, oem_exchange(), routing_key="to-oem.#", auto_delete=False)(channel)
        queue.declare()

        class Inbox:
            def get(self, timeout: float = 10) -> dict[str, Any] | None:
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    message = queue.get(no_ack=True)
                    if message is not None:
                        return {"routing_key": message.delivery_info["routing_key"],
                                **json.loads(message.body)}  # fmt: skip
                    time.sleep(0.05)
                return None

        yield Inbox()
        queue.delete()
