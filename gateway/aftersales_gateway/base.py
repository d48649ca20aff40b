"""What every group of gateway routes shares: dependencies, RPC with deadlines, idempotency."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Request

from aftersales_core import idempotency
from aftersales_core.clock import as_aware
from aftersales_core.db import Database
from aftersales_core.envelope import utcnow
from aftersales_core.errors import AppError, Conflict, NotFound, ValidationFailed
from aftersales_core.etag import etag_of
from aftersales_core.remote import Remote
from aftersales_core.service import CallerProvider

from .http import json_body, optional_body, text_problem
from .models import IdempotencyKey, Site
from .routing import BODY, OPTIONAL_BODY, QUERY, Route

BODIES = (BODY, OPTIONAL_BODY)
ABANDON_MARGIN_SECONDS = 5.0

DEALER_SERVICES = ("reception", "workshop", "parts", "claims", "customer-care")


class GatewayBase:
    """The gateway's dependencies and helpers; route mixins in `routes/` build on it."""

    db = Database(relay=False)
    caller = CallerProvider()
    config = Config()
    reception = RpcProxy("reception")
    workshop = RpcProxy("workshop")
    parts = RpcProxy("parts")
    claims = RpcProxy("claims")
    customer_care = RpcProxy("customer-care")
    remote = Remote("RPC_TIMEOUT", share=1.0)

    def _proxy(self, service: str) -> Any:
        return getattr(self, service.replace("-", "_"))

    def _call(
        self, service: str, method: str, *args: Any, context: dict[str, str] | None = None
    ) -> Any:
        """An RPC with a deadline: a silent service is a 503, not a hung request."""
        return self.remote.call(service, method, *args, context=context)

    def _serve(self, route: Route, request: Request, path_values: dict[str, Any]) -> Any:
        """Serve one row of the route table: gather the RPC's arguments, call the owning
        service (replaying a repeated Idempotency-Key), and tag documents with an ETag."""
        self._require_own_sites(route, [path_values.get("site_id"), request.args.get("site_id")])
        if route.service is None:
            result = getattr(self, route.call)(request, **path_values)
            if not isinstance(result, tuple):
                if not route.etag or not isinstance(result, dict):
                    return result
                result = (route.status, result)
            status, body = result
        else:
            args = [_argument(token, request, path_values) for token in route.args]
            bodies = [arg for token, arg in zip(route.args, args, strict=True) if token in BODIES]
            self._require_own_sites(
                route, [body.get("site_id") for body in bodies if isinstance(body, dict)]
            )

            def produce(context: dict[str, str]) -> tuple[int, Any]:
                return route.status, self._call(route.service, route.call, *args, context=context)

            status, body = (
                self._idempotent(request, produce) if route.takes_idempotency_key else produce({})
            )
        if route.etag and status < 300 and isinstance(body, dict):
            return status, body, {"ETag": etag_of(body)}
        return status, body

    def _require_own_sites(self, route: Route, site_ids: list[Any]) -> None:
        """A site named in the path, the query or the body must be one of the caller's
        group (the directory knows which): another group's site is "not found" before
        any service is asked, so a service keyed by site alone cannot be reached
        across groups. Whether the caller may see that site of their own group stays
        the owning service's check."""
        if route.public or not route.names_a_site:
            return
        tenant = self.caller.tenant
        for site_id in {s for s in site_ids if isinstance(s, str) and s}:
            if site_id not in self._group_site_ids(tenant.group_id):
                raise NotFound(
                    f"site {site_id} not found", "SITE_NOT_FOUND", {"site_id": [site_id]}
                )

    def _group_site_ids(self, group_id: str) -> frozenset[str]:
        return frozenset(
            self.db.session.scalars(select(Site.site_id).where(Site.group_id == group_id))
        )

    def _idempotent(
        self, request: Request, produce: Callable[[dict[str, str]], tuple[int, Any]]
    ) -> Any:
        """Replay the first result of a write sent again with the same Idempotency-Key.

        The gateway keeps each key's answer, and the key also travels with the RPC so
        the owning service records it with its effect: a retry after a 503, or an
        attempt that ran after the gateway gave up (or died), still acts only once.
        """
        key = request.headers.get("Idempotency-Key")
        if not key:
            return produce({})
        if len(key) > 200:
            raise ValidationFailed.on(
                "Idempotency-Key", "at most 200 characters", "HEADER_TOO_LONG"
            )
        if problem := text_problem(key):
            raise ValidationFailed.on("Idempotency-Key", problem, "INVALID_HEADER")
        user = self.caller.tenant.user_id
        digest = hashlib.sha256(
            f"{request.method} {request.path}\n".encode() + request.get_data(cache=True)
        ).hexdigest()
        context = {
            idempotency.KEY: hashlib.sha256(f"{user}\n{key}".encode()).hexdigest(),
            idempotency.REQUEST_HASH: digest,
        }
        session = self.db.session
        row = session.get(IdempotencyKey, (user, key), with_for_update=True)
        if row is not None and row.status is None and self._abandoned(row):
            # the gateway that took this key died mid-request: the service's record
            # answers if the first attempt ran, else the request runs now
            row.created_at = utcnow()
            self.db.commit()
            return self._first_result(row, produce, context)
        if row is None:
            row = IdempotencyKey(user_id=user, key=key, request_hash=digest, created_at=utcnow())
            session.add(row)
            try:
                self.db.commit()
            except IntegrityError:
                self.db.rollback()
                row = session.get(IdempotencyKey, (user, key))
            else:
                return self._first_result(row, produce, context)
        if row is None or row.request_hash != digest:
            raise Conflict(
                "this Idempotency-Key was used for another request", "IDEMPOTENCY_KEY_REUSED"
            )
        if row.status is None:
            raise Conflict("a request with this key is in progress", "IDEMPOTENCY_IN_PROGRESS")
        return row.status, json.loads(row.response or "null")

    def _abandoned(self, row: IdempotencyKey) -> bool:
        """An answer still missing well past the deadline will never come."""
        deadline = float(self.config.get("RPC_TIMEOUT", 10)) + ABANDON_MARGIN_SECONDS
        return (utcnow() - as_aware(row.created_at)).total_seconds() > deadline

    def _first_result(
        self,
        row: IdempotencyKey,
        produce: Callable[[dict[str, str]], tuple[int, Any]],
        context: dict[str, str],
    ) -> Any:
        try:
            status, body = produce(context)
        except AppError as exc:
            if exc.status < 500:  # a refusal is a result too; a retry gets the same answer
                row.status, row.response = exc.status, json.dumps(exc.to_dict())
            else:
                self.db.session.delete(row)
            self.db.commit()
            raise
        except BaseException:
            self.db.session.delete(row)
            self.db.commit()
            raise
        row.status, row.response = status, json.dumps(body, ensure_ascii=False)
        self.db.commit()
        return status, body


def _argument(token: str, request: Request, path_values: dict[str, Any]) -> Any:
    """One RPC argument as a route row names it (see `routing.Route.args`)."""
    if token == BODY:
        return json_body(request)
    if token == OPTIONAL_BODY:
        return optional_body(request)
    if token == QUERY:
        return request.args.to_dict()
    if token.startswith("query:"):
        return request.args.get(token.removeprefix("query:"))
    return path_values[token]
