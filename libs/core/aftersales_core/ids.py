"""Record ids: a readable prefix and 12 random hex digits (`ro-3f9c0a1b2c4d`).

Random rather than sequential so that ids made by several replicas never collide
and reveal nothing about volumes; the prefix tells a person what the id names.
"""

from __future__ import annotations

import uuid


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
