"""Typed errors, one shape everywhere.

Every error a client may cause is an `AppError`: it carries an HTTP status, a
machine-readable `code`, a human `message` and the `fields` at fault.  Plain Python:
the domain raises them and imports no framework.  `aftersales_core.rpc_errors`
registers them with nameko's exception registry so that an error raised inside a
service is re-raised as the same type by the caller of the RPC, and the gateway maps
them to `{"error": {"code", "message", "fields"}}`.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error that maps to a 4xx response."""

    status = 400
    default_code = "BAD_REQUEST"

    def __init__(
        self, message: str, code: str | None = None, fields: dict[str, Any] | None = None
    ) -> None:
        # Positional args only: nameko re-creates the instance from `args`.
        super().__init__(message, code or self.default_code, fields or {})

    @property
    def message(self) -> str:
        return self.args[0]

    @property
    def code(self) -> str:
        return self.args[1]

    @property
    def fields(self) -> dict[str, Any]:
        return self.args[2]

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class ValidationFailed(AppError):
    """Input that breaks a rule; `fields` maps each field to its messages."""

    default_code = "VALIDATION_ERROR"

    @classmethod
    def on(cls, field: str, message: str, code: str | None = None) -> ValidationFailed:
        return cls(message, code, {field: [message]})


class Unauthorized(AppError):
    status = 401
    default_code = "UNAUTHORIZED"


class Forbidden(AppError):
    status = 403
    default_code = "FORBIDDEN"


class NotFound(AppError):
    status = 404
    default_code = "NOT_FOUND"


class Conflict(AppError):
    """A request that is valid but not now: an illegal state transition, a duplicate."""

    status = 409
    default_code = "CONFLICT"


class PreconditionFailed(AppError):
    """An `If-Match` that names an older version of the document: nothing was changed."""

    status = 412
    default_code = "PRECONDITION_FAILED"


class ServiceUnavailable(AppError):
    """A service behind the gateway did not answer in time."""

    status = 503
    default_code = "SERVICE_UNAVAILABLE"


EXPECTED_ERRORS = (AppError,)
