"""Every response a test sees is checked against `/openapi.json`: drift fails the test.

Used by `aftersales_cli.testing.System` (every HTTP-level and e2e test) and by the
schemathesis run; responses of routes not yet in the route table are not checked.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule


@cache
def _openapi() -> Any:
    from openapi_core import OpenAPI

    from aftersales_gateway.openapi import build_spec

    return OpenAPI.from_dict(build_spec())


@cache
def _table_rules() -> Any:
    from aftersales_gateway.routes import TABLE

    return Map(
        [
            Rule(route.path, methods=[route.method], endpoint=route.handler_name)
            for route in TABLE
            if not route.hidden
        ]
    ).bind("localhost")


class ContractViolation(AssertionError):
    """A response that `/openapi.json` does not describe."""


def check_response(response: requests.Response) -> None:
    """Raise `ContractViolation` when the response does not match the document."""
    request = response.request
    path = requests.utils.urlparse(request.url).path
    try:
        _table_rules().match(path, method=request.method)
    except HTTPException:
        return  # not a table route (404/405 answers are checked by their own tests)
    if response.status_code == 405 or not response.content:
        return
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    errors = list(
        _openapi().iter_response_errors(
            RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response)
        )
    )
    if errors:
        details = "; ".join(_describe(error) for error in errors)
        raise ContractViolation(
            f"{request.method} {path} -> {response.status_code} breaks /openapi.json: {details}"
        )


def _describe(error: BaseException) -> str:
    causes = [error]
    while causes[-1].__cause__ is not None:
        causes.append(causes[-1].__cause__)
    parts = [str(cause) for cause in causes]
    for cause in causes:
        for sub in getattr(cause, "schema_errors", ()) or ():
            where = "/".join(str(p) for p in getattr(sub, "absolute_path", ()))
            parts.append(f"at {where or '<root>'}: {getattr(sub, 'message', sub)}")
    return " | ".join(parts)[:2000]
