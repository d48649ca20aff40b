"""One shape for every service (the claims service is the model), checked on the source.

- A refusal other than not-found / forbidden is raised only in a domain module, where
  the rule lives and is unit-tested; entrypoints and adapters only load and save.
- Domain modules import no framework: no nameko, SQLAlchemy, werkzeug or HTTP.
- No module of a product package is over the size one reads at a sitting.
- The gateway depends on no service package; no product package imports the CLI.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SERVICES = sorted(p for p in (REPO / "services").glob("*/aftersales_*") if p.is_dir())
PRODUCT = [
    *SERVICES,
    REPO / "gateway" / "aftersales_gateway",
    REPO / "libs/core/aftersales_core",
    REPO / "libs/contracts/aftersales_contracts",
]
REFUSALS = {"ValidationFailed", "Conflict", "PreconditionFailed", "AppError"}
FRAMEWORKS = ("nameko", "sqlalchemy", "werkzeug", "requests", "kombu", "eventlet")
SERVICE_PACKAGES = {p.name for p in SERVICES}
MAX_LINES = 650


def _modules(package: Path) -> Iterator[Path]:
    for path in sorted(package.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _is_domain(path: Path, package: Path) -> bool:
    relative = path.relative_to(package).parts
    return relative[0] in ("domain.py", "domain")


def _imports(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def _raised(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            call = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(call, ast.Attribute) and isinstance(call.value, ast.Name):
                name = call.value.id  # ValidationFailed.on(...)
            elif isinstance(call, ast.Name):
                name = call.id
            else:
                continue
            yield node.lineno, name


@pytest.mark.parametrize("package", SERVICES, ids=[p.parent.name for p in SERVICES])
def test_refusals_are_raised_in_the_domain_only(package: Path) -> None:
    found = [
        f"{path.relative_to(REPO)}:{line} raises {name}"
        for path in _modules(package)
        if not _is_domain(path, package)
        for line, name in _raised(ast.parse(path.read_text(encoding="utf-8")))
        if name in REFUSALS
    ]
    assert not found, "move these rules into the domain:\n" + "\n".join(found)


@pytest.mark.parametrize("package", SERVICES, ids=[p.parent.name for p in SERVICES])
def test_the_domain_imports_no_framework(package: Path) -> None:
    found = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in _modules(package)
        if _is_domain(path, package)
        for module in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if module.split(".")[0] in FRAMEWORKS
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("package", PRODUCT, ids=[p.name for p in PRODUCT])
def test_no_module_is_too_long_to_read(package: Path) -> None:
    long = [
        f"{path.relative_to(REPO)}: {lines} lines"
        for path in _modules(package)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    ]
    assert not long, f"split by business area (at most {MAX_LINES} lines):\n" + "\n".join(long)


@pytest.mark.parametrize("package", PRODUCT, ids=[p.name for p in PRODUCT])
def test_dependencies_point_one_way(package: Path) -> None:
    """Services, gateway and libraries never import the CLI; the gateway and the
    libraries import no service package (API shapes live in aftersales_contracts)."""
    forbidden = {"aftersales_cli"}
    if package.name not in SERVICE_PACKAGES:
        forbidden |= SERVICE_PACKAGES
    found = [
        f"{path.relative_to(REPO)} imports {module}"
        for path in _modules(package)
        for module in _imports(ast.parse(path.read_text(encoding="utf-8")))
        if module.split(".")[0] in forbidden - {package.name}
    ]
    assert not found, "\n".join(found)
