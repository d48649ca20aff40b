"""End-to-end idempotency: a request's Idempotency-Key travels with the RPC and the
owning service records it with its effect, in the same transaction.

So a late or repeated execution of the same request — a retry after a 503, the first
attempt still queued and run after the caller gave up, a redelivery after a broker
restart — answers the first result instead of acting twice. The gateway sends the
key (scoped to the user) and a digest of the request as context data; only the
command the gateway called sees them (`Remote` strips them from calls further down).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select

from .envelope import utcnow
from .errors import Conflict
from .tables import requests_done

KEY = "idempotency_key"
REQUEST_HASH = "idempotency_hash"
CONTEXT = (KEY, REQUEST_HASH)


def first_result(conn: Any, context: dict[str, Any], method: str) -> tuple[bool, Any]:
    """(True, the stored result) when this request was already done here."""
    key = context.get(KEY)
    if not key:
        return False, None
    row = conn.execute(
        select(requests_done).where(requests_done.c.key == key, requests_done.c.method == method)
    ).first()
    if row is None:
        return False, None
    if row.request_hash != (context.get(REQUEST_HASH) or ""):
        raise Conflict(
            "this Idempotency-Key was used for another request", "IDEMPOTENCY_KEY_REUSED"
        )
    return True, json.loads(row.result)


def record(conn: Any, context: dict[str, Any], method: str, result: Any) -> None:
    """Keep the result with the effect; a concurrent twin then fails on the key."""
    key = context.get(KEY)
    if not key:
        return
    conn.execute(
        insert(requests_done).values(
            key=key,
            method=method,
            request_hash=context.get(REQUEST_HASH) or "",
            result=json.dumps(result, ensure_ascii=False, default=str),
            done_at=utcnow(),
        )
    )
