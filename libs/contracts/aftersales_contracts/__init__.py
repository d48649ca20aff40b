"""Event contracts: each event type has one payload schema (owned by its producer)
and one JSON example that producer and consumer contract tests both use."""

from .base import EventContract
from .registry import CONTRACTS, contract, example, load_payload, validate_payload

__all__ = ["CONTRACTS", "EventContract", "contract", "example", "load_payload", "validate_payload"]
