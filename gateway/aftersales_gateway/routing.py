"""The route table: one row per HTTP route, and the one handler that serves every row.

A row says what a route is — method, path, owning service and method, what the RPC
receives, body / query / response shapes, roles, idempotency, errors, ETag — and that
row alone drives the call, the role check, idempotency, ETags, the OpenAPI entry
(`openapi.py`) and the permission matrix (`matrix.py`). No route is written by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema

BODY = "body"  # the JSON body (required)
OPTIONAL_BODY = "body?"  # a JSON body that may be left out: {} then
QUERY = "query"  # every query parameter as a dict; the service validates them
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def query_param(name: str) -> str:
    """One query parameter passed on by itself (None when absent)."""
    return f"query:{name}"


@dataclass(frozen=True)
class Route:
    """One HTTP route.

    `service` None means the gateway serves it itself with its method `call`.
    `args` lists what the RPC receives, in order: a path parameter by name, `BODY`,
    `OPTIONAL_BODY`, `QUERY` or `query_param(name)`. `roles` None admits any signed-in
    user (the service still scopes what they see); `public` needs no token at all.
    `errors` maps each status the route may answer besides its own to the error codes
    it can carry; `answers` gives a status whose body is not the error shape its own
    schema (e.g. /health's 503 report). `etag`: the answer carries an `ETag`, and (for
    a write) an `If-Match` is checked by the owning service. `hidden`: served but not
    part of the API (the docs page's own files).
    """

    method: str
    path: str
    summary: str
    service: str | None
    call: str
    args: tuple[str, ...] = ()
    body: type[Schema] | Schema | None = None
    query: type[Schema] | None = None
    response: type[Schema] | Schema | None = None
    status: int = 200
    roles: tuple[str, ...] | None = None
    public: bool = False
    idempotent: bool | None = None
    errors: Mapping[int, Sequence[str]] = field(default_factory=dict)
    answers: Mapping[int, type[Schema] | Schema] = field(default_factory=dict)
    etag: bool = False
    hidden: bool = False
    description: str = ""
    tags: tuple[str, ...] = ()
    name: str = ""

    @property
    def handler_name(self) -> str:
        """The nameko method that serves the row (unique across the table)."""
        return self.name or self.call

    @property
    def is_write(self) -> bool:
        return self.method in WRITES

    @property
    def checks_if_match(self) -> bool:
        """A write to an existing document (one named in the path) honours `If-Match`;
        a create has no older version to be stale against."""
        return self.etag and self.is_write and "<" in self.path

    @property
    def names_a_site(self) -> bool:
        """The route takes a `site_id` (path, query or body): the gateway checks that
        it is a site of the caller's group."""
        return "<site_id>" in self.path or any(
            _declares(schema, "site_id") for schema in (self.query, self.body)
        )

    @property
    def takes_idempotency_key(self) -> bool:
        return self.is_write if self.idempotent is None else self.idempotent


def _declares(schema: type[Schema] | Schema | None, field: str) -> bool:
    if schema is None:
        return False
    instance = schema() if isinstance(schema, type) else schema
    return field in instance.fields


def http_name(route: Route) -> str:
    """The nameko entrypoint method of a row; apart from the RPC and gateway methods it
    calls, so a gateway-served row's handler never shadows the method that serves it."""
    return f"http_{route.handler_name}"


def table(
    service: str | None, tags: Sequence[str], *rows: Callable[[str | None, tuple[str, ...]], Route]
) -> list[Route]:
    """Rows of one owning service and tag, written without repeating either."""
    return [row(service, tuple(tags)) for row in rows]


def row(method: str, path: str, summary: str, call: str, **kwargs: Any) -> Callable[..., Route]:
    """A row whose service and tags come from the `table(...)` it is written in."""

    def make(service: str | None, tags: tuple[str, ...]) -> Route:
        kwargs.setdefault("tags", tags)
        return Route(method, path, summary, service, call, **kwargs)

    return make


def check_table(routes: Sequence[Route], roles: Sequence[str]) -> None:
    """Refuse a table with a duplicate route or handler name, or an unknown role."""
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    known = set(roles)
    for route in routes:
        key = (route.method, route.path)
        if key in seen:
            raise ValueError(f"route {route.method} {route.path} is declared twice")
        if route.handler_name in names:
            raise ValueError(f"handler name {route.handler_name} is used twice")
        unknown = set(route.roles or ()) - known
        if unknown:
            raise ValueError(f"{route.method} {route.path}: unknown roles {sorted(unknown)}")
        if route.public and route.roles:
            raise ValueError(f"{route.method} {route.path}: public routes take no roles")
        seen.add(key)
        names.add(route.handler_name)
