"""The API's value fields, page shape and vocabulary: one format each, documented."""

from __future__ import annotations

from decimal import Decimal

import pytest
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, ValidationError

from aftersales_contracts.api.fields import Hours, Money, Quantity, SignedMoney, Timestamp
from aftersales_contracts.api.pages import MAX_LIMIT, PageQuery, page_of
from aftersales_contracts.vocabulary import VOCABULARY, as_json


class Sample(Schema):
    amount = Money()
    credit = SignedMoney()
    hours = Hours()
    quantity = Quantity()
    at = Timestamp()


def test_decimals_travel_as_strings_with_their_places() -> None:
    loaded = Sample().load(
        {
            "amount": "180",
            "credit": -12.5,
            "hours": "1.5",
            "quantity": 2,
            "at": "2026-12-02T08:00:00+08:00",
        }
    )
    assert loaded["amount"] == Decimal("180.00") and loaded["credit"] == Decimal("-12.50")
    dumped = Sample().dump(loaded)
    assert dumped["amount"] == "180.00" and dumped["credit"] == "-12.50"
    assert dumped["hours"] == "1.5" and dumped["quantity"] == "2.000"
    assert dumped["at"].endswith("+08:00")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "180.001"),  # finer than a fen: refused, never rounded
        ("amount", "-1"),
        ("amount", "1e300"),
        ("amount", "NaN"),
        ("amount", True),
        ("amount", "12,5"),
        ("hours", "1.25"),
        ("quantity", "0"),
        ("quantity", "0.0001"),
        ("at", "2026-12-02T08:00:00"),  # no zone: refused
        ("at", "2026-12-02T10:43:01+20:06"),  # no such zone: PostgreSQL would refuse it
    ],
)
def test_bad_figures_are_refused_with_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        Sample().load({field: value})
    assert field in caught.value.messages


def test_decimals_are_documented_as_strings() -> None:
    spec = APISpec("t", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.schema("Sample", schema=Sample)
    props = spec.to_dict()["components"]["schemas"]["Sample"]["properties"]
    for name in ("amount", "credit", "hours", "quantity"):
        assert props[name]["type"] == "string" and props[name]["format"] == "decimal"
        assert props[name]["pattern"]
    assert props["at"]["format"] == "date-time"


def test_pages_are_bounded_and_shaped() -> None:
    assert PageQuery().load({}) == {"limit": 50, "cursor": None}
    with pytest.raises(ValidationError):
        PageQuery().load({"limit": MAX_LIMIT + 1})
    with pytest.raises(ValidationError):
        PageQuery().load({"limit": 10, "unknown": "x"})
    page = page_of(Sample)
    assert page is page_of(Sample) and page.__name__ == "SamplePage"
    assert page().dump({"items": [], "next_cursor": None}) == {"items": [], "next_cursor": None}


def test_the_vocabulary_has_one_spelling_and_two_labels() -> None:
    served = as_json()
    assert set(served) == set(VOCABULARY)
    for name, terms in served.items():
        codes = [t["code"] for t in terms]
        assert len(codes) == len(set(codes)), name
        assert all(t["zh"] and t["en"] and t["code"].islower() for t in terms), name


def test_a_stored_instant_without_its_zone_goes_out_as_utc() -> None:
    from datetime import datetime

    assert Sample().dump({"at": datetime(2026, 12, 2, 6, 30)})["at"] == "2026-12-02T06:30:00+00:00"
