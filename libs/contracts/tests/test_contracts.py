"""Every event contract: its example, its schema and the envelope agree."""

from __future__ import annotations

import pytest

from aftersales_contracts import CONTRACTS, contract, example, validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.errors import ValidationFailed

EVENT_TYPES = sorted(CONTRACTS)


def test_the_registry_knows_reception_events() -> None:
    assert {"customer_registered", "vehicle_registered"} <= set(EVENT_TYPES)
    for event_type, entry in CONTRACTS.items():
        assert entry.type == event_type
        assert entry.version >= 1
        assert entry.producer
        assert entry.description


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_example_validates_against_its_schema(event_type: str) -> None:
    body = example(event_type)
    assert body["type"] == event_type
    assert body["version"] == contract(event_type).version
    assert validate_payload(event_type, body["payload"]) == body["payload"]
    assert contract(event_type).schema().validate(body["payload"]) == {}


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_example_is_a_valid_envelope(event_type: str) -> None:
    body = example(event_type)
    envelope = Envelope.from_dict(body)
    assert envelope.type == event_type
    assert envelope.event_id == body["event_id"]
    assert envelope.group_id == body["group_id"]
    assert envelope.site_id == body["site_id"]
    assert envelope.payload == body["payload"]
    assert Envelope.from_dict(envelope.to_dict()) == envelope


def test_example_is_a_fresh_copy() -> None:
    first = example("customer_registered")
    first["payload"]["name"] = "changed"
    assert example("customer_registered")["payload"]["name"] != "changed"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_missing_required_field_breaks_the_contract(event_type: str) -> None:
    schema = contract(event_type).schema()
    required = [name for name, field in schema.fields.items() if field.required]
    assert required
    for name in required:
        payload = dict(example(event_type)["payload"])
        del payload[name]
        with pytest.raises(ValidationFailed) as caught:
            validate_payload(event_type, payload)
        assert caught.value.code == "CONTRACT"
        assert list(caught.value.fields) == [name]


@pytest.mark.parametrize(
    ("event_type", "field", "value"),
    [
        ("customer_registered", "customer_class", "vip"),
        ("customer_registered", "name", ""),
        ("vehicle_registered", "vin", "TOO-SHORT"),
        ("vehicle_registered", "mileage", -5),
        ("vehicle_registered", "sale_date", "not a date"),
    ],
)
def test_bad_values_break_the_contract(event_type: str, field: str, value: object) -> None:
    payload = {**example(event_type)["payload"], field: value}
    with pytest.raises(ValidationFailed) as caught:
        validate_payload(event_type, payload)
    assert list(caught.value.fields) == [field]


def test_unknown_payload_fields_pass() -> None:
    payload = {**example("vehicle_registered")["payload"], "added_in_v2": "ignored"}
    assert validate_payload("vehicle_registered", payload) is payload


def test_unknown_event_type_raises() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_payload("car_exploded", {})
    assert caught.value.code == "UNKNOWN_EVENT"
    assert caught.value.fields == {"type": ["car_exploded"]}
    with pytest.raises(ValidationFailed):
        contract("car_exploded")
