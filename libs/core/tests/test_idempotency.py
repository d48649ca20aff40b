"""A request's Idempotency-Key recorded with its effect: found again, or a conflict."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import IntegrityError

from aftersales_core import idempotency
from aftersales_core.errors import Conflict
from aftersales_core.tables import PLUMBING_METADATA

CONTEXT = {idempotency.KEY: "k" * 64, idempotency.REQUEST_HASH: "h" * 64}


def test_a_request_is_found_with_its_first_result() -> None:
    engine = create_engine("sqlite://")
    PLUMBING_METADATA.create_all(engine)
    with engine.begin() as conn:
        assert idempotency.first_result(conn, CONTEXT, "reception.open_order") == (False, None)
        idempotency.record(conn, CONTEXT, "reception.open_order", {"order_id": "ro-1"})
    with engine.begin() as conn:
        assert idempotency.first_result(conn, CONTEXT, "reception.open_order") == (
            True,
            {"order_id": "ro-1"},
        )
        # the same key on another method is another request
        assert idempotency.first_result(conn, CONTEXT, "parts.issue") == (False, None)
        with pytest.raises(Conflict) as caught:
            other = {**CONTEXT, idempotency.REQUEST_HASH: "x" * 64}
            idempotency.first_result(conn, other, "reception.open_order")
        assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    with pytest.raises(IntegrityError), engine.begin() as conn:  # a racing twin
        idempotency.record(conn, CONTEXT, "reception.open_order", {"order_id": "ro-2"})


def test_without_a_key_nothing_is_kept() -> None:
    engine = create_engine("sqlite://")
    PLUMBING_METADATA.create_all(engine)
    with engine.begin() as conn:
        idempotency.record(conn, {}, "reception.open_order", {"order_id": "ro-1"})
        assert idempotency.first_result(conn, {}, "reception.open_order") == (False, None)
        assert conn.exec_driver_sql("SELECT count(*) FROM requests_done").scalar() == 0
