"""Events published by customer-care (its issue adds them here)."""

from __future__ import annotations

from .base import EventContract

EVENTS: list[EventContract] = []
