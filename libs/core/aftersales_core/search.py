"""Text search in SQL: what a person typed is matched literally, never as a pattern.

`%` and `_` typed into a search box are LIKE wildcards unless escaped: "_" would
match every row and "%" would turn a lookup into a scan of everything.
"""

from __future__ import annotations

from typing import Any

ESCAPE = "\\"


def like_literal(text: str) -> str:
    """`text` with LIKE's wildcards and the escape character made literal."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(column: Any, text: str) -> Any:
    """`column` contains `text` (case-insensitive), as typed."""
    return column.ilike(f"%{like_literal(text)}%", escape=ESCAPE)
