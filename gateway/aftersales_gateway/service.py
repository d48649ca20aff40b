"""The gateway service: one nameko HTTP entrypoint per row of the route table."""

from __future__ import annotations

from typing import Any

from aftersales_core.errors import AppError

from .base import DEALER_SERVICES, GatewayBase
from .http import ApiHandler, json_response
from .routes import MIXINS, TABLE
from .routing import Route, http_name


def _handler(route: Route) -> Any:
    def handle(self: GatewayBase, request: Any, **path_values: Any) -> Any:
        return self._serve(route, request, path_values)

    handle.__name__ = handle.__qualname__ = http_name(route)
    handle.__doc__ = route.summary
    decorate = ApiHandler.decorator(
        route.method, route.path, route=route, expected_exceptions=(AppError,)
    )
    return decorate(handle)


GatewayService = type(
    "GatewayService",
    (*MIXINS, GatewayBase),
    {
        "name": "gateway",
        "__doc__": "Every row of the route table served by one nameko HTTP entrypoint.",
        "__module__": __name__,
        **{http_name(route): _handler(route) for route in TABLE},
    },
)

__all__ = ["DEALER_SERVICES", "GatewayService", "json_response"]
