"""The gateway's HTTP entrypoint: auth first, JSON in and out, one error shape.

Every route is a row of the route table (`routing.py`); `ApiHandler` is the one
entrypoint class that serves them (`service.py` makes one per row).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import eventlet.wsgi
from eventlet.event import Event
from marshmallow import ValidationError as MarshmallowError
from nameko.exceptions import MethodNotFound, RemoteError, UnknownService
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from aftersales_core.errors import AppError, ServiceUnavailable, ValidationFailed
from aftersales_core.etag import IF_MATCH
from aftersales_core.remote import BROKER_ERRORS

from .auth import secret, tenant_from_header

log = logging.getLogger(__name__)


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers,
        content_type="application/json; charset=utf-8",
    )


def error_response(status: int, code: str, message: str, fields: Any = None) -> Response:
    return json_response(
        status, {"error": {"code": code, "message": message, "fields": fields or {}}}
    )


def response_for(exc: BaseException) -> Response:
    """Map any exception to the one error shape; never a trace."""
    if isinstance(exc, AppError):
        return json_response(exc.status, exc.to_dict())
    if isinstance(exc, MarshmallowError):
        fields = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return error_response(400, "VALIDATION_ERROR", "some fields are invalid", fields)
    if isinstance(exc, HTTPException):
        code = (exc.name or "error").upper().replace(" ", "_")
        response = error_response(exc.code or 400, code, exc.description or exc.name)
        for name, value in exc.get_headers():  # e.g. Allow on a 405
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
    if isinstance(exc, (UnknownService, MethodNotFound)):
        return error_response(503, "SERVICE_UNAVAILABLE", "a service is not available")
    if isinstance(exc, (SQLAlchemyOperationalError, InterfaceError)):
        log.warning("the gateway's database is not reachable: %s", exc)
        return error_response(503, "DATABASE_UNAVAILABLE", "the directory is not reachable")
    if isinstance(exc, BROKER_ERRORS):
        log.warning("the broker is not reachable: %s", exc)
        return error_response(503, "BROKER_UNAVAILABLE", "the message broker is not reachable")
    if isinstance(exc, RemoteError):
        log.error("unexpected error in a service: %s", exc)
        return error_response(500, "INTERNAL_ERROR", "something went wrong in a service")
    log.error("unexpected error in the gateway", exc_info=exc)
    return error_response(500, "INTERNAL_ERROR", "something went wrong")


class JsonWsgiApp(WsgiApp):
    """Unmatched paths and methods answer in the error shape too."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except HTTPException as exc:
            response = response_for(exc)
        return response(environ, start_response)


class JsonWebServer(WebServer):
    def setup(self) -> None:
        secret()  # no strong JWT_SECRET (outside development mode): refuse to start
        super().setup()

    def get_wsgi_app(self) -> JsonWsgiApp:
        return JsonWsgiApp(self)


# eventlet answers a header line over 8 KiB with an empty 400 before any handler runs;
# let such lines through so that an oversized token gets a 401 in the error shape.
eventlet.wsgi.MAX_HEADER_LINE = 65536


class ApiHandler(HttpRequestHandler):
    """nameko's HTTP entrypoint with authentication and the aftersales error shape."""

    server = JsonWebServer()

    def __init__(
        self, method: str, url: str, *, public: bool = False, route: Any = None, **kwargs: Any
    ) -> None:
        self.public = public or bool(route is not None and route.public)
        self.route = route
        super().__init__(method, url, **kwargs)

    def handle_request(self, request: Request) -> Response:
        request.shallow = False
        try:
            context = self.context_for(request)
            check_url(request)
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self,
                args,
                kwargs,
                context_data=context,
                handle_result=partial(self.handle_result, event),
            )
            return self.response_from_result(event.wait())
        except Exception as exc:  # noqa: BLE001 - every failure becomes the error shape
            return response_for(exc)

    def context_for(self, request: Request) -> dict[str, str]:
        """Who calls (from the token) and what the call carries to the services; a role
        the route's row does not admit is refused here, before any service is asked."""
        if self.public:
            return {}
        tenant = tenant_from_header(request.headers.get("Authorization"))
        route = self.route
        if route is not None and route.roles is not None:
            tenant.require_role(*route.roles)
        context = tenant.to_context()
        if route is not None and route.checks_if_match:
            if_match = request.headers.get("If-Match")
            if if_match:
                if problem := text_problem(if_match):
                    raise ValidationFailed.on("If-Match", problem, "INVALID_HEADER")
                context[IF_MATCH] = if_match[:200]
        return context

    def response_from_result(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        headers = None
        if isinstance(result, tuple) and len(result) == 3:
            status, body, headers = result
        else:
            status, body = result if isinstance(result, tuple) else (200, result)
        if status == 204:
            return Response(status=204, headers=headers)
        return json_response(status, body, headers)


MAX_JSON_DEPTH = 32


def text_problem(value: str) -> str | None:
    """Why a string cannot be passed on and stored (PostgreSQL text is UTF-8 without NUL)."""
    if "\x00" in value:
        return "text may not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text must be valid Unicode (no lone surrogates)"
    return None


def check_json(data: Any) -> None:
    """Refuse JSON that would crash a service rather than fail its validation."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ValidationFailed(
                "the body is nested too deeply",
                "INVALID_JSON",
                {"_body": [f"at most {MAX_JSON_DEPTH} levels of nesting"]},
            )
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and (problem := text_problem(value)):
            raise ValidationFailed(
                "the body holds unusable text", "INVALID_JSON", {"_body": [problem]}
            )


def check_url(request: Request) -> None:
    """Path and query values reach SQL as text: refuse what PostgreSQL cannot take."""
    values = [*getattr(request, "path_values", {}).items(), *request.args.items(multi=True)]
    for name, value in values:
        for text in (name, value):
            if isinstance(text, str) and (problem := text_problem(text)):
                raise ValidationFailed(
                    "the URL holds unusable text", "INVALID_PARAMETER", {str(name): [problem]}
                )


MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(AppError):
    status = 413
    default_code = "BODY_TOO_LARGE"


class UnsupportedMediaType(AppError):
    status = 415
    default_code = "UNSUPPORTED_MEDIA_TYPE"


def raw_body(request: Request) -> bytes:
    """The request's bytes, at most `MAX_BODY_BYTES` (413 beyond, chunked ones too)."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
    request.max_content_length = MAX_BODY_BYTES
    try:
        return request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise BodyTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes") from None


def json_body(request: Request) -> Any:
    """The request's JSON body: at most 1 MiB (413), sent as application/json (415)."""
    raw = raw_body(request)
    if raw and request.mimetype != "application/json":
        raise UnsupportedMediaType(
            "send the body as application/json",
            "UNSUPPORTED_MEDIA_TYPE",
            {"Content-Type": [request.content_type or "missing"]},
        )
    if not raw:
        raise ValidationFailed("a JSON body is required", "INVALID_JSON", {"_body": ["empty"]})
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            "the body is not valid JSON", "INVALID_JSON", {"_body": [str(exc)]}
        ) from None
    except RecursionError:
        raise ValidationFailed(
            "the body is nested too deeply",
            "INVALID_JSON",
            {"_body": [f"at most {MAX_JSON_DEPTH} levels of nesting"]},
        ) from None
    check_json(data)
    return data


def optional_body(request: Request) -> Any:
    """A body that may be left out (an action whose fields are all optional): empty is {}."""
    return json_body(request) if raw_body(request).strip() else {}


def query_args(request: Request) -> dict[str, str]:
    """Query parameters as given (first value of each); the service validates them."""
    return request.args.to_dict()


__all__ = [
    "ApiHandler",
    "ServiceUnavailable",
    "check_json",
    "json_body",
    "json_response",
    "optional_body",
    "query_args",
]
