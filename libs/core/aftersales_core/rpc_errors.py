"""Typed errors survive an RPC hop: every `AppError` class is registered with nameko's
exception registry, so the caller re-raises the same type with the same code and
fields. Imported by every module that makes or serves RPCs (service, remote)."""

from __future__ import annotations

from nameko.exceptions import deserialize_to_instance

from .errors import AppError


def register(cls: type[AppError] = AppError) -> None:
    """Register `cls` and every subclass (call again after defining new ones)."""
    deserialize_to_instance(cls)
    for sub in cls.__subclasses__():
        register(sub)


register()
