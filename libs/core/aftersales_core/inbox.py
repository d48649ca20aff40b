"""Inbox: a consumer records each event it handled, in the same transaction as the effect.

A redelivered event finds its row and is acknowledged without being handled again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from .envelope import Envelope, utcnow
from .tables import inbox


def claim(conn: Any, envelope: Envelope, handler: str) -> bool:
    """True if this handler has not seen the event yet (and now has).

    Two concurrent deliveries of one event both pass the read; the primary key
    then fails one of them at flush, its transaction rolls back and the message
    is redelivered, to be found here as seen.
    """
    seen = conn.execute(
        select(inbox.c.event_id).where(
            inbox.c.event_id == envelope.event_id, inbox.c.handler == handler
        )
    ).first()
    if seen is not None:
        return False
    conn.execute(
        insert(inbox).values(
            event_id=envelope.event_id,
            handler=handler,
            event_type=envelope.type,
            received_at=utcnow(),
        )
    )
    return True
