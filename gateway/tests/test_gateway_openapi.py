"""The OpenAPI document and the docs page describe exactly the routes the gateway serves."""

from __future__ import annotations

import html
import inspect
import json
import re
from typing import Any

import pytest
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

from aftersales_gateway.http import ApiHandler
from aftersales_gateway.openapi import build_spec, docs_page
from aftersales_gateway.service import GatewayService

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PUBLIC = {("get", "/health"), ("get", "/openapi.json"), ("get", "/docs")}


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
    served = _served_routes()
    assert len(served) >= 12
    assert documented == served


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
        assert any(code.startswith("2") for code in responses), f"{where} has no success"
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
        for code in ("400", "500"):
            assert op["responses"][code]["content"]["application/json"]["schema"] == error
        if (method, path) in PUBLIC:
            assert not op.get("security"), f"{where} should be public"
            continue
        assert op.get("security") == [{"bearer": []}], f"{where} should need a token"
        for code in ("401", "403"):
            assert code in op["responses"], f"{where} does not list {code}"
            assert op["responses"][code]["content"]["application/json"]["schema"] == error
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


def test_the_docs_page_lists_every_operation(spec: dict[str, Any]) -> None:
    page = docs_page(spec)
    assert page.startswith("<!doctype html>")
    assert "/openapi.json" in page
    for method, path, op in _operations(spec):
        entry = f"<span class='m'>{method}</span> <code>{html.escape(path)}</code>"
        assert entry in page, f"{method.upper()} {path} missing from the docs page"
        assert html.escape(op["summary"]) in page
    for name in spec["components"]["schemas"]:
        assert f"<b>{html.escape(name)}</b>" in page
    for public in PUBLIC:
        assert f"<code>{public[1]}</code> <em>(public)</em>" in page
    assert "<script" not in page.lower()


def test_the_docs_page_escapes_what_it_shows() -> None:
    spec = {
        "info": {"title": "<script>x</script>", "version": "<v1>", "description": "a & b"},
        "paths": {"/p/<x2>": {"get": {"summary": "<x3>s", "responses": {"200": {}}}}},
        "components": {"schemas": {"<x4>": {"properties": {"<x5>": {}}}}},
    }
    page = docs_page(spec)
    for raw in ("<script>", "<v1>", "<x2>", "<x3>", "<x4>", "<x5>"):
        assert raw not in page
    assert "&lt;script&gt;" in page and "a &amp; b" in page


def test_with_openapi_spec_validator(spec: dict[str, Any]) -> None:
    """A dev requirement: it must run, never skip."""
    import openapi_spec_validator

    openapi_spec_validator.validate(spec)
