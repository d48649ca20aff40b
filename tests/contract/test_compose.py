"""Contract tests for the deployment files (docker-compose.yml, deploy/).

There is no Docker engine where these run, so they check the files statically: every
aftersales process is wired into compose with the right command, database and ordering,
every database it uses is created by the postgres init script, and the image installs
every package of the repo.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"
INIT_SQL = REPO_ROOT / "deploy" / "postgres" / "init-databases.sql"
RABBITMQ_CONF = REPO_ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf"

# The processes started by `aftersales run-service <name>`.
PROCESSES = ("reception", "workshop", "parts", "claims", "customer-care", "gateway")

# The repo's installable package directories, in the order the Dockerfile installs them.
PACKAGE_DIRS = (
    "libs/core",
    "libs/contracts",
    "services/reception",
    "services/workshop",
    "services/parts",
    "services/claims",
    "services/customer-care",
    "gateway",
    "cli",
    "deploy/oem-simulator",
)

POSTGRES_HOST = "postgres"
GATEWAY_PORT = 8000


def _env_var(process: str) -> str:
    return process.upper().replace("-", "_") + "_DATABASE_URL"


def _db_name(process: str) -> str:
    return process.replace("-", "_")


@pytest.fixture(scope="module")
def compose() -> dict:
    assert COMPOSE_FILE.is_file(), f"missing {COMPOSE_FILE}"
    data = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(data, dict) and isinstance(data.get("services"), dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def _command(service: dict) -> list[str]:
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    assert isinstance(command, list), f"unexpected command {command!r}"
    return [str(part) for part in command]


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {pair[0]: (pair[1] if len(pair) > 1 else "") for pair in pairs}
    return {str(key): str(value) for key, value in env.items()}


def _depends_on(service: dict) -> dict[str, str]:
    """Map dependency -> condition (short list syntax means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def _created_databases() -> set[str]:
    assert INIT_SQL.is_file(), f"missing {INIT_SQL}"
    sql = INIT_SQL.read_text()
    # Strip SQL line comments so commented-out statements do not count.
    sql = re.sub(r"--[^\n]*", "", sql)
    pattern = re.compile(r"CREATE\s+DATABASE\s+\"?([A-Za-z_][A-Za-z0-9_]*)\"?", re.IGNORECASE)
    return {name.lower() for name in pattern.findall(sql)}


def _dockerfile_instructions() -> list[str]:
    """Dockerfile instructions with line continuations joined and comments dropped."""
    assert DOCKERFILE.is_file(), f"missing {DOCKERFILE}"
    instructions: list[str] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if current and line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        instructions.append((current + line).strip())
        current = ""
    if current.strip():
        instructions.append(current.strip())
    return instructions


@pytest.mark.parametrize("process", PROCESSES)
def test_process_is_a_compose_service_running_its_command(services: dict, process: str) -> None:
    assert process in services, f"compose has no service {process!r}"
    command = _command(services[process])
    assert command == ["aftersales", "run-service", process], command


@pytest.mark.parametrize("process", PROCESSES)
def test_process_has_its_own_database(services: dict, process: str) -> None:
    env = _environment(services[process])
    var = _env_var(process)
    assert var in env, f"{process} lacks {var}"
    url = urlsplit(env[var])
    assert url.scheme == "postgresql+psycopg2", env[var]
    assert url.hostname == POSTGRES_HOST, env[var]
    assert url.path.lstrip("/") == _db_name(process), env[var]
    assert url.username and url.password, f"{var} carries no credentials"


def test_database_urls_are_distinct_and_created_by_init_script(services: dict) -> None:
    created = _created_databases()
    names = {}
    for process in PROCESSES:
        url = urlsplit(_environment(services[process])[_env_var(process)])
        names[process] = url.path.lstrip("/")
    assert len(set(names.values())) == len(PROCESSES), names
    missing = set(names.values()) - created
    assert not missing, f"databases not created in {INIT_SQL.name}: {sorted(missing)}"


def test_init_script_creates_the_application_role() -> None:
    sql = INIT_SQL.read_text()
    assert re.search(r"CREATE\s+(ROLE|USER)\s+aftersales\b", sql, re.IGNORECASE)
    assert re.search(r"PASSWORD\s+'aftersales'", sql, re.IGNORECASE)
    assert re.search(r"OWNER\s+aftersales\b", sql, re.IGNORECASE)


def test_postgres_service_mounts_init_script(services: dict) -> None:
    postgres = services["postgres"]
    assert str(postgres["image"]).startswith("postgres:15")
    assert "POSTGRES_PASSWORD" in _environment(postgres)
    mounts = [str(v) for v in postgres.get("volumes", [])]
    assert any(
        m.split(":")[0] == "./deploy/postgres/init-databases.sql"
        and m.split(":")[1].startswith("/docker-entrypoint-initdb.d/")
        for m in mounts
    ), mounts
    assert "pg_isready" in " ".join(map(str, postgres["healthcheck"]["test"]))


@pytest.mark.parametrize("process", PROCESSES)
def test_process_waits_for_migrate_and_infrastructure(services: dict, process: str) -> None:
    deps = _depends_on(services[process])
    assert deps.get("migrate") == "service_completed_successfully", deps
    assert deps.get("rabbitmq") == "service_healthy", deps
    assert deps.get("postgres") == "service_healthy", deps


@pytest.mark.parametrize("process", PROCESSES)
def test_process_has_broker_and_secret(services: dict, process: str) -> None:
    env = _environment(services[process])
    amqp = urlsplit(env.get("AMQP_URI", ""))
    assert amqp.scheme == "amqp" and amqp.hostname == "rabbitmq", env.get("AMQP_URI")
    assert env.get("JWT_SECRET", "").startswith("${JWT_SECRET"), env.get("JWT_SECRET")


def test_migrate_runs_once_after_infrastructure(services: dict) -> None:
    migrate = services["migrate"]
    assert _command(migrate) == ["aftersales", "migrate"]
    assert str(migrate.get("restart")) == "no"
    deps = _depends_on(migrate)
    assert deps == {"rabbitmq": "service_healthy", "postgres": "service_healthy"}, deps
    env = _environment(migrate)
    for process in PROCESSES:
        assert _env_var(process) in env, f"migrate lacks {_env_var(process)}"
    assert "AMQP_URI" in env


def test_all_aftersales_processes_use_the_one_image(services: dict) -> None:
    for name in ("migrate", *PROCESSES):
        build = services[name].get("build")
        assert isinstance(build, dict), f"{name} has no build section"
        assert build.get("dockerfile") == "deploy/Dockerfile", build
        assert build.get("context") in (".", "./"), build
    assert len({services[name].get("image") for name in ("migrate", *PROCESSES)}) == 1


def test_rabbitmq_has_management_and_its_config(services: dict) -> None:
    rabbit = services["rabbitmq"]
    assert "management" in str(rabbit["image"])
    assert "rabbitmq-diagnostics" in " ".join(map(str, rabbit["healthcheck"]["test"]))
    sources = {str(v).split(":")[0] for v in rabbit.get("volumes", [])}
    for source in ("./deploy/rabbitmq/rabbitmq.conf", "./deploy/rabbitmq/enabled_plugins"):
        assert source in sources, sources
        assert (REPO_ROOT / source).is_file(), source
    assert "rabbitmq_management" in (REPO_ROOT / "deploy/rabbitmq/enabled_plugins").read_text()


def test_amqp_credentials_match_rabbitmq_default_user(services: dict) -> None:
    conf = {
        key.strip(): value.strip()
        for key, _, value in (
            line.partition("=")
            for line in RABBITMQ_CONF.read_text().splitlines()
            if "=" in line and not line.lstrip().startswith("#")
        )
    }
    amqp = urlsplit(_environment(services["gateway"])["AMQP_URI"])
    assert (amqp.username, amqp.password) == (conf["default_user"], conf["default_pass"])
    assert conf["default_user"] != "guest"


def _published_container_ports(service: dict) -> set[int]:
    ports: set[int] = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            if entry.get("published") is not None:
                ports.add(int(entry["target"]))
            continue
        parts = str(entry).split("/")[0].split(":")
        if len(parts) >= 2:  # "[ip:]host:container"
            ports.add(int(parts[-1]))
    return ports


def test_gateway_port_is_published_and_health_checked(services: dict) -> None:
    gateway = services["gateway"]
    assert GATEWAY_PORT in _published_container_ports(gateway), gateway.get("ports")
    test = " ".join(map(str, gateway["healthcheck"]["test"]))
    assert "urllib" in test and f"127.0.0.1:{GATEWAY_PORT}/health" in test, test


def test_dockerfile_installs_every_package() -> None:
    instructions = _dockerfile_instructions()
    assert instructions[0].upper().startswith("FROM PYTHON:3.11-SLIM"), instructions[0]
    installs = [i for i in instructions if i.upper().startswith("RUN") and "pip install" in i]
    assert installs, "Dockerfile has no pip install"
    tokens = [tok for i in installs for tok in shlex.split(i[3:].replace("&&", " && "))]
    installed = [tok.removeprefix("./").rstrip("/") for tok in tokens if tok.startswith("./")]
    assert sorted(installed) == sorted(PACKAGE_DIRS), installed
    joined = " ".join(tokens)
    assert "-r requirements.txt" in joined
    assert "setuptools<82" in joined
    assert any(i.upper().startswith("COPY") for i in instructions)


def test_dockerfile_runs_as_non_root_with_help_default() -> None:
    instructions = _dockerfile_instructions()
    users = [i.split(None, 1)[1].strip() for i in instructions if i.upper().startswith("USER ")]
    assert users, "Dockerfile never switches user"
    assert users[-1] not in ("root", "0"), users
    cmds = [i for i in instructions if i.upper().startswith("CMD")]
    assert cmds and cmds[-1].split(None, 1)[1].replace(" ", "") == '["aftersales","--help"]'


@pytest.mark.parametrize("package_dir", PACKAGE_DIRS)
def test_package_directory_exists(package_dir: str) -> None:
    path = REPO_ROOT / package_dir
    assert path.is_dir(), f"{package_dir} is installed by deploy/Dockerfile but does not exist"
    assert (path / "pyproject.toml").is_file(), f"{package_dir} has no pyproject.toml"


def test_requirements_file_exists() -> None:
    assert (REPO_ROOT / "requirements.txt").is_file(), "deploy/Dockerfile needs requirements.txt"


def test_the_oem_simulator_runs_beside_the_dealer_services(services: dict) -> None:
    simulator = services["oem-simulator"]
    assert _command(simulator)[:2] == ["aftersales-oem-simulator", "run"]
    assert _environment(simulator)["AMQP_URI"].startswith("amqp://")
    assert _depends_on(simulator)["rabbitmq"] == "service_healthy"
