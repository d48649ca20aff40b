"""Audit history: every change of a document people edit (an RO, a claim, a complaint)
is kept as who, when, what. A service keeps the rows in its own history table; this
is the one way to work out what changed."""

from __future__ import annotations

from typing import Any

from .envelope import to_primitives


def apply_changes(row: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Set `values` on `row`; return {field: [old, new]} for what really changed."""
    changed: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(row, name)
        if old != value:
            changed[name] = to_primitives([old, value])
            setattr(row, name, value)
    return changed
