"""The OpenAPI document, the docs page and the permission matrix describe exactly the
routes of the route table, and the gateway serves exactly those."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from aftersales_gateway.http import ApiHandler
from aftersales_gateway.matrix import matrix
from aftersales_gateway.openapi import build_spec, docs_page
from aftersales_gateway.routes import TABLE
from aftersales_gateway.routing import http_name
from aftersales_gateway.service import GatewayService

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PUBLIC = {
    ("get", "/"),
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("get", "/docs"),
    ("get", "/api/v1/vocabulary"),
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/refresh"),
    ("post", "/api/v1/auth/logout"),
}
REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return build_spec()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def _served_routes() -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every HTTP entrypoint GatewayService has, mixins included."""
    routes = set()
    for _, attr in inspect.getmembers(GatewayService):
        for entrypoint in getattr(attr, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, ApiHandler):
                path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", entrypoint.url)
                routes.add((entrypoint.method.lower(), path))
    return routes


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = spec
    for part in ref[2:].split("/"):
        assert isinstance(node, dict) and part in node, f"dangling $ref {ref}"
        node = node[part]
    return node


def test_document_header(spec: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.0\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    json.dumps(spec)  # plain JSON all the way down


def test_every_served_route_is_documented_and_nothing_else(spec: dict[str, Any]) -> None:
    documented = {(method, path) for method, path, _ in _operations(spec)}
    hidden = {(r.method.lower(), r.path.replace("<name>", "{name}")) for r in TABLE if r.hidden}
    served = _served_routes() - hidden
    assert len(served) >= 12
    assert documented == served


def test_the_table_is_the_only_place_a_route_is_declared() -> None:
    """Every HTTP entrypoint is the table's handler of one row; no hand-written route."""
    by_name = {http_name(route): route for route in TABLE}
    for name, attr in inspect.getmembers(GatewayService):
        for entrypoint in getattr(attr, ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if isinstance(entrypoint, ApiHandler) and entrypoint.route is not None:
                assert by_name[name] is entrypoint.route
    assert len({r.handler_name for r in TABLE}) == len(TABLE)


def test_every_operation_is_well_formed(spec: dict[str, Any]) -> None:
    for method, path, op in _operations(spec):
        where = f"{method.upper()} {path}"
        assert path.startswith("/"), where
        assert op.get("summary"), where
        assert op.get("tags") and all(isinstance(t, str) for t in op["tags"]), where
        responses = op.get("responses")
        assert responses, f"{where} has no responses"
        for code, response in responses.items():
            assert re.fullmatch(r"[1-5]\d\d", code), f"{where}: {code}"
            assert response.get("description"), f"{where}: {code} has no description"
        assert any(code[0] in "23" for code in responses), f"{where} has no success"
        seen = set()
        for param in op.get("parameters", []):
            assert param["in"] in {"path", "query", "header", "cookie"}, where
            assert param.get("name") and "schema" in param, where
            assert (param["in"], param["name"]) not in seen, f"{where}: {param['name']} twice"
            seen.add((param["in"], param["name"]))
        in_template = set(re.findall(r"{([^{}]+)}", path))
        declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
        assert in_template == declared, where
        for param in op.get("parameters", []):
            if param["in"] == "path":
                assert param["required"] is True, where
        if "requestBody" in op:
            assert method in {"post", "put", "patch"}, where
            assert "application/json" in op["requestBody"]["content"], where


def test_every_ref_resolves(spec: dict[str, Any]) -> None:
    refs = _refs(spec)
    assert refs
    for ref in refs:
        _resolve(spec, ref)


def test_security_and_error_responses(spec: dict[str, Any]) -> None:
    error = {"$ref": "#/components/schemas/Error"}
    for method, path, op in _operations(spec):
        where = f"{method.upper()} {path}"
        assert op["responses"]["400"]["content"]["application/json"]["schema"] == error
        assert "500" not in op["responses"], f"{where}: a 500 is a bug, never documented"
        if (method, path) in PUBLIC:
            assert not op.get("security"), f"{where} should be public"
            continue
        assert not any(r.public for r in TABLE if r.path == path and r.method.lower() == method)
        assert op.get("security") == [{"bearer": []}], f"{where} should need a token"
        for code in ("401", "403"):
            assert code in op["responses"], f"{where} does not list {code}"
        assert op["responses"]["401"]["content"]["application/json"]["schema"] == error
    assert "503" in spec["paths"]["/health"]["get"]["responses"]
    assert "409" in spec["paths"]["/api/v1/customers"]["post"]["responses"]
    assert "404" in spec["paths"]["/api/v1/customers/{customer_id}"]["get"]["responses"]


def test_register_customer_takes_customer_in(spec: dict[str, Any]) -> None:
    op = spec["paths"]["/api/v1/customers"]["post"]
    body = op["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CustomerIn"
    }
    customer_in = spec["components"]["schemas"]["CustomerIn"]
    assert {"site_id", "name", "phones", "vehicles"} <= set(customer_in["properties"])
    assert {"site_id", "name", "phones"} <= set(customer_in["required"])
    assert "201" in op["responses"]
    assert op["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CustomerOut"
    }
    headers = [p for p in op["parameters"] if p["in"] == "header"]
    assert [h["name"] for h in headers] == ["Idempotency-Key"]


def test_the_error_component(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = error["properties"]["error"]
    if "$ref" in body:
        body = _resolve(spec, body["$ref"])
    assert {"code", "message", "fields"} <= set(body["properties"])
    assert {"code", "message"} <= set(body["required"])
    assert body["properties"]["code"]["type"] == "string"
    assert body["properties"]["message"]["type"] == "string"
    assert body["properties"]["fields"]["type"] == "object"
    assert "fields_" not in body["properties"]


def test_build_spec_is_stable(spec: dict[str, Any]) -> None:
    assert build_spec() == spec


def test_operations_say_who_may_call_them_and_what_can_go_wrong(spec: dict[str, Any]) -> None:
    template = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
    by_key = {(r.method.lower(), template.sub(r"{\1}", r.path)): r for r in TABLE}
    for method, path, op in _operations(spec):
        route = by_key[(method, path)]
        where = f"{method.upper()} {path}"
        assert op["operationId"] == route.handler_name
        assert "Roles:" in op["description"] or "Public" in op["description"], where
        if route.roles is not None:
            assert all(f"`{role}`" in op["description"] for role in route.roles), where
            assert "403" in op["responses"], where
        if route.service is not None:
            assert "503" in op["responses"], f"{where}: a silent service is a 503"
        headers = [p["name"] for p in op["parameters"] if p["in"] == "header"]
        assert ("Idempotency-Key" in headers) == route.takes_idempotency_key, where
        if route.is_write and route.service is not None:
            assert route.takes_idempotency_key, f"{where}: every write takes an Idempotency-Key"
        if route.checks_if_match:
            assert "If-Match" in headers and "412" in op["responses"], where
        if route.etag:
            assert "ETag" in op["responses"][str(route.status)]["headers"], where


def test_the_docs_page_is_swagger_ui_on_the_document_without_a_cdn() -> None:
    page = docs_page()
    assert page.startswith("<!doctype html>")
    assert 'url: "/openapi.json"' in page
    for src in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert src.startswith("/docs/assets/"), f"{src}: the docs page loads nothing from outside"


def test_the_permission_matrix_in_the_docs_is_the_tables() -> None:
    written = (REPO / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert written == matrix(TABLE), (
        "docs/permissions.md is stale: python -m aftersales_gateway.matrix > docs/permissions.md"
    )


def test_with_openapi_spec_validator(spec: dict[str, Any]) -> None:
    """A dev requirement: it must run, never skip."""
    import openapi_spec_validator

    openapi_spec_validator.validate(spec)
