"""Settings from the environment, with defaults that run on one laptop.

`AMQP_URI` names the broker; each service reads its own `<NAME>_DATABASE_URL`
(e.g. `RECEPTION_DATABASE_URL`, `CUSTOMER_CARE_DATABASE_URL`) and falls back
to a SQLite file under `var/` (or `$AFTERSALES_VAR_DIR`) for the quick start.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
# Queue arguments must be identical wherever a queue is declared, so this is a constant.
DELIVERY_LIMIT = 5


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def var_dir() -> Path:
    path = Path(os.environ.get("AFTERSALES_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_env_name(service: str) -> str:
    return service.upper().replace("-", "_") + "_DATABASE_URL"


def database_url(service: str) -> str:
    """The service's own database: `<NAME>_DATABASE_URL` or a SQLite file."""
    url = os.environ.get(database_env_name(service))
    if url:
        return url
    return f"sqlite:///{var_dir() / (service.replace('-', '_') + '.db')}"


def nameko_config(service: str, **extra: object) -> dict[str, object]:
    """The nameko container config for one service process."""
    config: dict[str, object] = {
        "AMQP_URI": amqp_uri(),
        "serializer": "json",
        "max_workers": int(os.environ.get("AFTERSALES_MAX_WORKERS", "10")),
        "DATABASE_URL": database_url(service),
        "RPC_TIMEOUT": float(os.environ.get("AFTERSALES_RPC_TIMEOUT", "10")),
    }
    config.update(extra)
    return config
