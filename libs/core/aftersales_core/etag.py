"""Optimistic locking for documents people edit (repair orders, claims, complaints…).

The ETag of a document is a digest of its API view, so the gateway can put it on
any answer that carries the document and the owning service can check it: a write
sent with `If-Match` (the gateway passes it on as context data) first loads the
document under a row lock, compares the digest of its current view and refuses a
stale one with 412 before changing anything.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .errors import PreconditionFailed

IF_MATCH = "if_match"


def etag_of(view: Any) -> str:
    """A weak ETag of a document's JSON view (canonical: sorted keys, no spaces)."""
    raw = json.dumps(view, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return 'W/"' + hashlib.sha256(raw.encode()).hexdigest()[:20] + '"'


def require_match(context: dict[str, Any], view: Any) -> None:
    """Refuse the write when the caller's `If-Match` names another version of `view`.

    Call it after loading the document with `with_for_update()`, before changing it.
    No `If-Match` means the caller takes the last-writer-wins risk knowingly.
    """
    expected = context.get(IF_MATCH)
    if not expected:
        return
    current = etag_of(view)
    wanted = {tag.strip() for tag in str(expected).split(",")}
    if "*" in wanted or current in wanted or current.removeprefix("W/") in wanted:
        return
    raise PreconditionFailed(
        "the document was changed since you read it: reload it and try again",
        "PRECONDITION_FAILED",
        {"If-Match": [f"current ETag is {current}"]},
    )
