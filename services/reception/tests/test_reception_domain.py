"""Reception's rules and input shapes, without a broker or a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from aftersales_contracts.api.reception import CustomerIn, VehicleIn
from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import make_vin, vin_check_digit
from aftersales_core.validation import load
from aftersales_reception import domain

VIN = make_vin("LSVAL618KA218734")
# The same VIN with position 9 mistyped.
BAD_VIN = VIN[:8] + ("1" if VIN[8] != "1" else "2") + VIN[9:]


# ---------------------------------------------------------------- hours and money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.5", Decimal("1.5")), ("0.1", Decimal("0.1")), ("3", Decimal("3")),
     (Decimal("2.0"), Decimal("2.0")), ("1.50", Decimal("1.5"))],
)  # fmt: skip
def test_hours_to_a_tenth(raw: Any, expected: Decimal) -> None:
    assert domain.hours(raw) == expected


@pytest.mark.parametrize("raw", ["0", "0.0", "-1", "-0.5", "1.25", "0.05", Decimal("2.01")])
def test_hours_refuses_zero_negative_and_finer_than_a_tenth(raw: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.hours(raw)
    assert caught.value.code == "HOURS_PRECISION"
    assert list(caught.value.fields) == ["standard_hours"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2.675", "2.68"), ("2.665", "2.67"), ("2.664", "2.66"), ("10", "10.00"),
     ("0.005", "0.01"), ("-1.005", "-1.01"), (Decimal("180"), "180.00")],
)  # fmt: skip
def test_money_rounds_half_up_to_the_cent(raw: Any, expected: str) -> None:
    result = domain.money(raw)
    assert isinstance(result, Decimal)
    assert str(result) == expected


# ---------------------------------------------------------------- CustomerIn / VehicleIn


def _customer(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site_id": "site-a",
        "name": "张伟",
        "phones": ["13916208745"],
        "customer_class": "member",
        "vehicles": [
            {
                "vin": VIN.lower(),
                "plate": "沪a12345",
                "brand": "上汽大众",
                "model": "朗逸",
                "sale_date": "2019-05-18",
                "mileage": 62350,
            }
        ],
    }
    data.update(overrides)
    return data


def _refused(schema: Any, data: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        load(schema, data)
    assert caught.value.code == "VALIDATION_ERROR"
    return caught.value


def test_valid_customer_with_a_vehicle_is_normalised() -> None:
    loaded = load(CustomerIn(), _customer())
    assert loaded["site_id"] == "site-a"
    assert loaded["customer_class"] == "member"
    assert loaded["address"] is None
    [vehicle] = loaded["vehicles"]
    assert vehicle["vin"] == VIN  # upper-cased
    assert vehicle["plate"] == "沪A·12345"
    assert vehicle["sale_date"] == date(2019, 5, 18)
    assert vehicle["mileage"] == 62350
    assert "check_digit" not in vehicle


def test_customer_defaults() -> None:
    loaded = load(CustomerIn(), {"site_id": "s", "name": "n", "phones": ["021-58301122"]})
    assert loaded["customer_class"] == "regular"
    assert loaded["vehicles"] == []


@pytest.mark.parametrize(
    "plate", ["沪A12345", "沪A·12345", "沪a.12345", " 沪A 12345 ", "沪A•12345"]
)
def test_plate_is_stored_in_one_form(plate: str) -> None:
    loaded = load(VehicleIn(), {"vin": VIN, "plate": plate, "brand": "b", "model": "m"})
    assert loaded["plate"] == "沪A·12345"


def test_vin_with_a_wrong_check_digit_is_refused_on_vin() -> None:
    assert vin_check_digit(BAD_VIN) != BAD_VIN[8]
    err = _refused(VehicleIn(), {"vin": BAD_VIN, "brand": "b", "model": "m"})
    assert list(err.fields) == ["vin"]
    assert "check digit" in err.fields["vin"][0]


def test_a_bad_vin_inside_a_customer_points_at_the_vehicle() -> None:
    data = _customer()
    data["vehicles"][0]["vin"] = BAD_VIN
    err = _refused(CustomerIn(), data)
    assert list(err.fields) == ["vehicles"]
    assert list(err.fields["vehicles"][0]) == ["vin"]


def test_vin_without_a_check_digit_is_accepted_when_the_make_uses_none() -> None:
    european = "WVWZZZ1JZXW000001"
    _refused(VehicleIn(), {"vin": european, "brand": "VW", "model": "Golf"})
    loaded = load(
        VehicleIn(),
        {"vin": european.lower(), "brand": "VW", "model": "Golf", "check_digit": False},
    )
    assert loaded["vin"] == european
    assert loaded["plate"] is None


def test_bad_plate_is_refused_on_plate() -> None:
    err = _refused(VehicleIn(), {"vin": VIN, "plate": "广A12345", "brand": "b", "model": "m"})
    assert list(err.fields) == ["plate"]


def test_unknown_field_is_refused() -> None:
    err = _refused(CustomerIn(), _customer(vip=True))
    assert list(err.fields) == ["vip"]
    data = _customer()
    data["vehicles"][0]["wheels"] = 4
    err = _refused(CustomerIn(), data)
    assert list(err.fields["vehicles"][0]) == ["wheels"]


def test_bad_customer_class_is_refused() -> None:
    err = _refused(CustomerIn(), _customer(customer_class="vip"))
    assert list(err.fields) == ["customer_class"]


@pytest.mark.parametrize("phones", [[], ["abc"], ["12"]])
def test_empty_or_malformed_phones_are_refused(phones: list[str]) -> None:
    err = _refused(CustomerIn(), _customer(phones=phones))
    assert list(err.fields) == ["phones"]


@pytest.mark.parametrize("missing", ["site_id", "name", "phones"])
def test_required_customer_fields(missing: str) -> None:
    data = _customer()
    del data[missing]
    err = _refused(CustomerIn(), data)
    assert list(err.fields) == [missing]


def test_negative_mileage_is_refused() -> None:
    err = _refused(VehicleIn(), {"vin": VIN, "brand": "b", "model": "m", "mileage": -1})
    assert list(err.fields) == ["mileage"]


# ---------------------------------------------------------------- mileage


def test_mileage_at_or_above_the_last_reading_is_fine() -> None:
    domain.check_mileage(62350, 62350, None)
    domain.check_mileage(70000, 62350, None)
    domain.check_mileage(10, None, None)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_mileage_below_the_last_reading_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.check_mileage(62349, 62350, reason)
    assert caught.value.code == "MILEAGE_BELOW_LAST"
    assert list(caught.value.fields) == ["mileage"]


def test_mileage_below_the_last_reading_with_a_reason_is_recorded() -> None:
    domain.check_mileage(120, 62350, "仪表总成更换，里程归零")


def test_negative_mileage_is_refused_by_the_rule() -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.check_mileage(-1, None, "any")
    assert caught.value.code == "MILEAGE_NEGATIVE"
