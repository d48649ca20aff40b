"""Core plumbing without a broker: envelope, tenancy, errors, backoff, queues, config."""

from __future__ import annotations

import enum
import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from nameko.exceptions import RemoteError, deserialize, serialize

from aftersales_core import config, messaging, outbox
from aftersales_core.envelope import Envelope, as_utc, to_primitives
from aftersales_core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from aftersales_core.tenancy import Tenant

CST = timezone(timedelta(hours=8))

# ---------------------------------------------------------------- envelope


def _envelope(**overrides: Any) -> Envelope:
    fields: dict[str, Any] = {
        "type": "thing_made",
        "group_id": "grp-a",
        "site_id": "site-a",
        "payload": {"value": "x"},
    }
    fields.update(overrides)
    return Envelope(**fields)


def test_envelope_defaults() -> None:
    envelope = _envelope()
    assert str(uuid.UUID(envelope.event_id)) == envelope.event_id
    occurred = datetime.fromisoformat(envelope.occurred_at)
    assert occurred.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - occurred) < timedelta(seconds=5)
    assert envelope.version == 1
    assert envelope.correlation_id is None
    assert _envelope().event_id != envelope.event_id


def test_envelope_round_trip_through_json() -> None:
    envelope = _envelope(correlation_id="cus-1", version=2, site_id=None)
    wire = json.loads(json.dumps(envelope.to_dict()))
    assert Envelope.from_dict(wire) == envelope
    assert wire["site_id"] is None


class Colour(enum.Enum):
    RED = "red"


def test_payload_is_turned_into_primitives() -> None:
    event_id = uuid.uuid4()
    envelope = _envelope(
        payload={
            "price": Decimal("12.50"),
            "at": datetime(2026, 11, 23, 10, 15, tzinfo=CST),
            "naive": datetime(2026, 11, 23, 2, 15),
            "day": date(2022, 5, 18),
            "id": event_id,
            "colour": Colour.RED,
            "nested": [{"qty": Decimal("1.0")}, (Decimal("2"),)],
            "plain": [1, 2.5, "x", None, True],
        }
    )
    assert envelope.payload == {
        "price": "12.50",
        "at": "2026-11-23T02:15:00+00:00",  # converted to UTC
        "naive": "2026-11-23T02:15:00+00:00",  # naive is taken as UTC
        "day": "2022-05-18",
        "id": str(event_id),
        "colour": "red",
        "nested": [{"qty": "1.0"}, ["2"]],
        "plain": [1, 2.5, "x", None, True],
    }
    json.dumps(envelope.to_dict())  # nothing left that JSON cannot carry


def test_to_primitives_keys_become_strings() -> None:
    assert to_primitives({1: Decimal("1"), "a": {2: date(2020, 1, 1)}}) == {
        "1": "1",
        "a": {"2": "2020-01-01"},
    }


def test_as_utc() -> None:
    assert as_utc(datetime(2026, 1, 1, 8, tzinfo=CST)) == datetime(2026, 1, 1, 0, tzinfo=UTC)
    assert as_utc(datetime(2026, 1, 1, 8)).tzinfo is UTC


def test_from_dict_normalises_the_time_to_utc() -> None:
    wire = _envelope().to_dict()
    wire["occurred_at"] = "2026-11-23T10:15:00+08:00"
    assert Envelope.from_dict(wire).occurred_at == "2026-11-23T02:15:00+00:00"


def test_from_dict_ignores_unknown_fields() -> None:
    wire = {**_envelope().to_dict(), "added_in_v2": {"x": 1}, "trace": "abc"}
    envelope = Envelope.from_dict(wire)
    assert not hasattr(envelope, "added_in_v2")
    assert envelope.to_dict() == _without(wire, "added_in_v2", "trace")


def test_from_dict_fills_a_missing_correlation_id() -> None:
    wire = _without(_envelope().to_dict(), "correlation_id")
    assert Envelope.from_dict(wire).correlation_id is None


def _without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in keys}


def _bad_envelope(data: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        Envelope.from_dict(data)
    assert caught.value.code == "BAD_ENVELOPE"
    assert caught.value.status == 400
    return caught.value


@pytest.mark.parametrize("data", [None, "text", ["a"], 42])
def test_from_dict_rejects_non_objects(data: Any) -> None:
    _bad_envelope(data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("event_id", "not-a-uuid"),
        ("event_id", None),
        ("type", "Thing-Made"),
        ("type", "1thing"),
        ("type", ""),
        ("version", 0),
        ("version", "one"),
        ("occurred_at", "yesterday"),
        ("occurred_at", "2026-11-23T02:15:00"),  # no time zone
        ("group_id", ""),
        ("group_id", None),
        ("payload", "not an object"),
        ("payload", None),
    ],
)
def test_from_dict_rejects_bad_fields(field: str, value: Any) -> None:
    err = _bad_envelope({**_envelope().to_dict(), field: value})
    assert list(err.fields) == [field]


@pytest.mark.parametrize(
    "field", ["event_id", "type", "version", "occurred_at", "group_id", "site_id", "payload"]
)
def test_from_dict_rejects_missing_fields(field: str) -> None:
    err = _bad_envelope(_without(_envelope().to_dict(), field))
    assert list(err.fields) == [field]


# ---------------------------------------------------------------- tenancy

ADVISOR = Tenant("sa.a", "grp-a", ("site-a",), ("service_advisor",))
TWO_SITES = Tenant("sm.ab", "grp-a", ("site-a", "site-b"), ("service_manager",))
HQ = Tenant("hq.a", "grp-a", ("site-a", "site-b"), ("hq_manager",))


@pytest.mark.parametrize(
    "tenant",
    [ADVISOR, TWO_SITES, HQ, Tenant("oem.x", "grp-a", ("site-a",), ("oem",), oem_id="oem-x"),
     Tenant("u", "g")],
)  # fmt: skip
def test_tenant_context_round_trip(tenant: Tenant) -> None:
    context = tenant.to_context()
    assert all(isinstance(v, str) for v in context.values())
    assert Tenant.from_context(context) == tenant


def test_tenant_context_shape() -> None:
    assert TWO_SITES.to_context() == {
        "user_id": "sm.ab",
        "group_id": "grp-a",
        "site_ids": "site-a,site-b",
        "roles": "service_manager",
    }
    oem = Tenant("oem.x", "grp-a", (), ("oem",), oem_id="oem-x")
    assert oem.to_context()["oem_id"] == "oem-x"


def test_from_context_accepts_lists_and_ignores_blanks() -> None:
    tenant = Tenant.from_context(
        {"user_id": "u", "group_id": "g", "site_ids": ["s1", "s2"], "roles": "a,,b,", "x": 1}
    )
    assert tenant.site_ids == ("s1", "s2")
    assert tenant.roles == ("a", "b")
    assert tenant.oem_id is None


@pytest.mark.parametrize(
    "context",
    [{}, {"user_id": "u"}, {"group_id": "g"}, {"user_id": "", "group_id": "g"}],
)
def test_from_context_without_a_caller_is_unauthorized(context: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized) as caught:
        Tenant.from_context(context)
    assert caught.value.code == "NO_TENANT"
    assert caught.value.status == 401


def test_staff_see_only_their_sites() -> None:
    assert ADVISOR.can_see_site("site-a")
    assert not ADVISOR.can_see_site("site-b")
    assert not ADVISOR.is_hq
    ADVISOR.require_site("site-a")
    with pytest.raises(Forbidden) as caught:
        ADVISOR.require_site("site-b")
    assert caught.value.code == "SITE_FORBIDDEN"
    assert caught.value.fields == {"site_id": ["site-b"]}


def test_hq_sees_every_site_of_its_group() -> None:
    assert HQ.is_hq
    assert HQ.can_see_site("site-z")
    HQ.require_site("site-z")


def test_system_tenant() -> None:
    system = Tenant.system("grp-a", "site-a")
    assert system.has_role("system")
    assert system.can_see_site("site-other")
    assert Tenant.system("grp-a").site_ids == ()


def test_visible_sites() -> None:
    assert ADVISOR.visible_sites() == ("site-a",)
    assert ADVISOR.visible_sites(["site-a"]) == ("site-a",)
    assert TWO_SITES.visible_sites() == ("site-a", "site-b")
    assert TWO_SITES.visible_sites(["site-b"]) == ("site-b",)
    with pytest.raises(Forbidden):
        ADVISOR.visible_sites(["site-b"])
    with pytest.raises(Forbidden):
        ADVISOR.visible_sites(["site-a", "site-b"])
    assert HQ.visible_sites() is None  # every site
    assert HQ.visible_sites(["site-z"]) == ("site-z",)


def test_require_role() -> None:
    ADVISOR.require_role("cashier", "service_advisor")
    with pytest.raises(Forbidden) as caught:
        ADVISOR.require_role("cashier")
    assert caught.value.code == "ROLE_FORBIDDEN"


def test_require_group_loader() -> None:
    HQ.require_group_loader("grp-a")
    Tenant.system("grp-a").require_group_loader("grp-a")
    with pytest.raises(Forbidden) as caught:
        ADVISOR.require_group_loader("grp-a")
    assert caught.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        HQ.require_group_loader("grp-b")
    assert caught.value.code == "GROUP_FORBIDDEN"
    assert caught.value.fields == {"group_id": ["grp-b"]}


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (ValidationFailed("bad", "VIN_LENGTH", {"vin": ["too short"]}), 400),
        (ValidationFailed.on("plate", "bad plate", "PLATE_FORMAT"), 400),
        (Unauthorized("who?"), 401),
        (Forbidden("no", "SITE_FORBIDDEN", {"site_id": ["s"]}), 403),
        (NotFound("gone", "CUSTOMER_NOT_FOUND"), 404),
        (Conflict("taken", "VIN_TAKEN", {"vin": ["X"]}), 409),
        (ServiceUnavailable("slow"), 503),
        (AppError("plain"), 400),
    ],
)
def test_errors_survive_nameko_serialisation(exc: AppError, status: int) -> None:
    wire = json.loads(json.dumps(serialize(exc)))
    back = deserialize(wire)
    assert not isinstance(back, RemoteError)
    assert type(back) is type(exc)
    assert back.code == exc.code
    assert back.message == exc.message
    assert back.fields == exc.fields
    assert back.status == status
    assert back.to_dict() == exc.to_dict()


def test_error_defaults_and_shape() -> None:
    assert Unauthorized("x").code == "UNAUTHORIZED"
    assert Forbidden("x").code == "FORBIDDEN"
    assert NotFound("x").code == "NOT_FOUND"
    assert Conflict("x").code == "CONFLICT"
    assert ValidationFailed("x").code == "VALIDATION_ERROR"
    assert ValidationFailed("x").fields == {}
    err = ValidationFailed.on("vin", "wrong", "VIN_CHECK_DIGIT")
    assert err.to_dict() == {
        "error": {"code": "VIN_CHECK_DIGIT", "message": "wrong", "fields": {"vin": ["wrong"]}}
    }
    assert str(err) == "VIN_CHECK_DIGIT: wrong"


# ---------------------------------------------------------------- backoff and queues


def test_outbox_backoff_grows_and_is_capped() -> None:
    assert [outbox.backoff_seconds(n) for n in range(0, 6)] == [0.5, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert outbox.backoff_seconds(7) == 32.0
    assert outbox.backoff_seconds(8) == outbox.MAX_BACKOFF_SECONDS == 60.0
    assert outbox.backoff_seconds(1000) == 60.0


def test_requeue_delay_grows_and_is_capped() -> None:
    assert [messaging.requeue_delay(n) for n in range(4)] == [0.2, 0.4, 0.8, 1.6]
    assert messaging.requeue_delay(5) == 5.0
    assert messaging.requeue_delay(50) == 5.0
    assert messaging.requeue_delay(3, base=0.01) == pytest.approx(0.08)


def test_quorum_arguments() -> None:
    assert messaging.quorum_arguments(None) == {
        "x-queue-type": "quorum",
        "x-delivery-limit": config.DELIVERY_LIMIT,
    }
    assert messaging.quorum_arguments("evt-a-b--c") == {
        "x-queue-type": "quorum",
        "x-delivery-limit": config.DELIVERY_LIMIT,
        "x-dead-letter-exchange": messaging.DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": "evt-a-b--c",
    }


def test_subscription_names() -> None:
    sub = messaging.Subscription("customer-care", "reception", "customer_registered")
    assert sub.queue_name == "evt-reception-customer_registered--customer-care"
    queue = sub.queue()
    assert queue.exchange.name == "reception.events"
    assert queue.routing_key == "customer_registered"
    assert queue.queue_arguments["x-dead-letter-routing-key"] == sub.queue_name
    dlq = sub.dead_letter_queue()
    assert dlq.name == sub.queue_name + ".dlq"
    assert dlq.exchange.name == messaging.DEAD_LETTER_EXCHANGE
    assert dlq.routing_key == sub.queue_name
    assert "x-dead-letter-exchange" not in dlq.queue_arguments


# ---------------------------------------------------------------- config


def test_database_url_defaults_to_sqlite_under_the_var_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    var = tmp_path / "state"
    monkeypatch.setenv("AFTERSALES_VAR_DIR", str(var))
    monkeypatch.delenv("CUSTOMER_CARE_DATABASE_URL", raising=False)
    assert config.database_env_name("customer-care") == "CUSTOMER_CARE_DATABASE_URL"
    url = config.database_url("customer-care")
    assert url == f"sqlite:///{var.resolve() / 'customer_care.db'}"
    assert var.is_dir()


def test_database_url_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AFTERSALES_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RECEPTION_DATABASE_URL", "postgresql+psycopg2://u@db/reception")
    assert config.database_url("reception") == "postgresql+psycopg2://u@db/reception"
    monkeypatch.setenv("RECEPTION_DATABASE_URL", "")
    assert config.database_url("reception").startswith("sqlite:///")


def test_nameko_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AFTERSALES_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("AMQP_URI", "amqp://u:p@broker:5672/v")
    monkeypatch.setenv("PARTS_DATABASE_URL", "postgresql://db/parts")
    monkeypatch.setenv("AFTERSALES_MAX_WORKERS", "3")
    cfg = config.nameko_config("parts", EXTRA=1)
    assert cfg["AMQP_URI"] == "amqp://u:p@broker:5672/v"
    assert cfg["DATABASE_URL"] == "postgresql://db/parts"
    assert cfg["max_workers"] == 3
    assert cfg["serializer"] == "json"
    assert cfg["EXTRA"] == 1
