"""Keyset pages of a query: stable under inserts, as fast on page 500 as on page 1.

The API shape is `aftersales_contracts.api.pages` (`limit`, `cursor`, `next_cursor`).
The sort key must end in a unique column (an id) so that no two rows tie.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from .errors import ValidationFailed

_BAD_CURSOR = "not a cursor of this list"


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor from the sort key of the last item of a page."""
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list[Any] | None:
    """The sort key a cursor holds; one that is not ours is a 400 on `cursor`."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationFailed.on("cursor", _BAD_CURSOR, "INVALID_CURSOR") from None
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed.on("cursor", _BAD_CURSOR, "INVALID_CURSOR")
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def page(
    session: Session,
    stmt: Select[Any],
    keys: Sequence[Any],
    *,
    limit: int,
    cursor: str | None,
    dump: Callable[[Any], Any],
    descending: bool = True,
) -> dict[str, Any]:
    """One page of `stmt` ordered by `keys` (columns, newest first unless told).

    `dump` turns a row into its API item. Datetime keys are compared as ISO text
    re-parsed by the column's type, so a cursor survives JSON.
    """
    after = decode_cursor(cursor, len(keys))
    if after is not None:
        values = [_coerce(key, value) for key, value in zip(keys, after, strict=True)]
        stmt = stmt.where(_beyond(keys, values, descending))
    order = [key.desc() if descending else key.asc() for key in keys]
    rows = session.scalars(stmt.order_by(*order).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, key.key) for key in keys])
    return {"items": [dump(row) for row in rows], "next_cursor": next_cursor}


def _coerce(key: Any, value: Any) -> Any:
    try:
        python_type = key.type.python_type
    except NotImplementedError:
        return value
    try:
        if python_type is datetime and isinstance(value, str):
            return datetime.fromisoformat(value)
        if python_type is date and isinstance(value, str):
            return date.fromisoformat(value)
        if python_type is Decimal:
            return Decimal(str(value))
        if python_type in (int, str) and not isinstance(value, python_type):
            return python_type(value)
    except (TypeError, ValueError, ArithmeticError):
        raise ValidationFailed.on("cursor", _BAD_CURSOR, "INVALID_CURSOR") from None
    return value


def _beyond(keys: Sequence[Any], values: Sequence[Any], descending: bool) -> Any:
    """Rows after the key `values` in the page order (a row-value comparison, spelt out
    so that SQLite and PostgreSQL both use the index)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j] == values[j] for j in range(i)]
        step = key < values[i] if descending else key > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)
