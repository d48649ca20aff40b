"""Warranty messages on the OEM exchange (the Claims issue defines them here)."""

from __future__ import annotations

from .base import EventContract

EVENTS: list[EventContract] = []
