"""VIN and licence-plate rules (aftersales_core.identifiers)."""

from __future__ import annotations

import pytest

from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import (
    make_vin,
    validate_plate,
    validate_vin,
    vin_check_digit,
)

# Real-world VINs whose check digit is known to be right.
VALID_VINS = [
    "1M8GDM9AXKP042788",  # the textbook example; remainder 10 -> "X"
    "11111111111111111",
    "1HGCM82633A004352",  # Honda Accord
    "JH4KA7561PC008269",  # Acura Legend
    "1G1ZT53826F109149",  # Chevrolet Malibu
]


def _fails(func, value, code: str, field: str, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        func(value, **kwargs)
    err = caught.value
    assert err.code == code
    assert list(err.fields) == [field]
    assert err.fields[field] == [err.message]
    assert err.status == 400
    return err


# ---------------------------------------------------------------- VIN


@pytest.mark.parametrize("vin", VALID_VINS)
def test_known_vins_are_valid(vin: str) -> None:
    assert vin_check_digit(vin) == vin[8]
    assert validate_vin(vin) == vin


def test_check_digit_x_for_remainder_ten() -> None:
    assert vin_check_digit("1M8GDM9A0KP042788") == "X"


def test_check_digit_ignores_position_nine() -> None:
    assert vin_check_digit("1HGCM8260" + "3A004352") == vin_check_digit("1HGCM826X3A004352")


def test_validate_vin_normalises_case_and_spaces() -> None:
    assert validate_vin(" 1hgcm826 33a004352 ") == "1HGCM82633A004352"
    assert validate_vin("1m8gdm9axkp042788") == "1M8GDM9AXKP042788"


@pytest.mark.parametrize("vin", ["", "1HGCM82633A00435", "1HGCM82633A0043521", "ABC"])
def test_vin_wrong_length(vin: str) -> None:
    err = _fails(validate_vin, vin, "VIN_LENGTH", "vin")
    assert "17" in err.message


@pytest.mark.parametrize("letter", ["I", "O", "Q"])
def test_vin_rejects_i_o_q(letter: str) -> None:
    vin = "1HGCM82633A00435" + letter
    err = _fails(validate_vin, vin, "VIN_CHARACTERS", "vin")
    assert letter in err.message
    # not even when the check digit is not wanted
    _fails(validate_vin, vin, "VIN_CHARACTERS", "vin", check_digit=False)


@pytest.mark.parametrize("vin", ["1HGCM82633A00435-", "1HGCM82633A00435中", "1HGCM82633A00435_"])
def test_vin_rejects_other_characters(vin: str) -> None:
    _fails(validate_vin, vin, "VIN_CHARACTERS", "vin")


def test_vin_rejects_non_text() -> None:
    _fails(validate_vin, None, "VIN_CHARACTERS", "vin")


@pytest.mark.parametrize(
    ("vin", "wrong"),
    [
        ("1HGCM82643A004352", "4"),  # one digit mistyped at position 9
        ("1HGCM82633A004353", "3"),  # one digit mistyped elsewhere
        ("1M8GDM9A0KP042788", "0"),  # "X" expected
    ],
)
def test_vin_wrong_check_digit(vin: str, wrong: str) -> None:
    err = _fails(validate_vin, vin, "VIN_CHECK_DIGIT", "vin")
    assert vin_check_digit(vin) != vin[8]
    assert wrong in err.message


def test_european_vin_without_check_digit() -> None:
    vin = "WVWZZZ1JZXW000001"  # VW Golf IV: "Z" filler at position 9
    _fails(validate_vin, vin, "VIN_CHECK_DIGIT", "vin")
    assert validate_vin(vin, check_digit=False) == vin
    assert validate_vin(vin.lower(), check_digit=False) == vin


@pytest.mark.parametrize("vin", VALID_VINS)
def test_make_vin_round_trip(vin: str) -> None:
    assert make_vin(vin[:8] + vin[9:]) == vin


@pytest.mark.parametrize("prefix", ["LSVAA418E2123456", "lfvba24b1k301234", "LVGBE40KM0012345"])
def test_make_vin_produces_valid_vins(prefix: str) -> None:
    vin = make_vin(prefix)
    assert len(vin) == 17
    assert vin[:8] + vin[9:] == prefix.upper()
    assert validate_vin(vin) == vin


@pytest.mark.parametrize(
    ("prefix", "code"),
    [("LSVAA418E21234", "VIN_LENGTH"), ("LSVAA418E2123456X", "VIN_LENGTH"),
     ("LSVAA418E212345O", "VIN_CHARACTERS")],
)  # fmt: skip
def test_make_vin_rejects_bad_prefix(prefix: str, code: str) -> None:
    _fails(make_vin, prefix, code, "vin")


# ---------------------------------------------------------------- plates


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("沪A12345", "沪A·12345"),
        ("沪A·12345", "沪A·12345"),
        ("京B.3X5Y7", "京B·3X5Y7"),
        ("浙A•K8M29", "浙A·K8M29"),
        ("苏E 5T2Z8", "苏E·5T2Z8"),
        (" 粤b·a1b2c ", "粤B·A1B2C"),
        ("鲁A1234学", "鲁A·1234学"),
        ("粤Z1234港", "粤Z·1234港"),
        ("粤Z·1234澳", "粤Z·1234澳"),
        ("冀A1234挂", "冀A·1234挂"),
        ("琼A1234警", "琼A·1234警"),
    ],
)
def test_regular_plates(raw: str, normal: str) -> None:
    assert validate_plate(raw) == normal


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("粤BD12345", "粤B·D12345"),  # small NEV, battery electric
        ("沪A·F12345", "沪A·F12345"),  # small NEV, hybrid
        ("浙A·DA1234", "浙A·DA1234"),  # letter in second place
        ("苏e d12345", "苏E·D12345"),
        ("京A12345D", "京A·12345D"),  # large NEV, D last
        ("川A•12345F", "川A·12345F"),  # large NEV, F last
    ],
)
def test_new_energy_plates(raw: str, normal: str) -> None:
    assert validate_plate(raw) == normal


def test_plate_normal_form_is_idempotent() -> None:
    for raw in ("沪A12345", "粤B D12345", "京A.12345F"):
        once = validate_plate(raw)
        assert validate_plate(once) == once
        assert "\u00b7" in once


@pytest.mark.parametrize(
    "plate",
    [
        "广A12345",  # not a province abbreviation
        "AA12345",  # no province
        "A12345",
        "沪12345",  # no issuing-authority letter
        "沪1·12345",  # authority must be a letter
    ],
)
def test_plate_bad_province_or_authority(plate: str) -> None:
    _fails(validate_plate, plate, "PLATE_FORMAT", "plate")


@pytest.mark.parametrize(
    "plate",
    ["沪A1234", "沪A·1234", "沪A1234567", "粤B·D1234567", "沪A", "", "   "],
)
def test_plate_bad_length(plate: str) -> None:
    _fails(validate_plate, plate, "PLATE_FORMAT", "plate")


@pytest.mark.parametrize(
    "plate",
    ["沪I12345", "沪O12345", "沪A1I345", "沪A12O45", "粤B·DI2345", "粤B·DO2345"],
)
def test_plate_rejects_i_and_o(plate: str) -> None:
    _fails(validate_plate, plate, "PLATE_FORMAT", "plate")


@pytest.mark.parametrize(
    "plate",
    [
        "粤B·A12345",  # 6 characters but not a new-energy pattern
        "粤B·DA12B4",  # NEV: the last four must be digits
        "粤B·1234AD",  # large NEV: five digits before D/F
        "粤B·12345X",
        "沪A·学1234",  # special character only last
        "沪A-12345",  # hyphen is not an accepted separator
        "沪A··12345",  # one separator at most
        "沪A·12 345",
    ],
)
def test_plate_other_bad_shapes(plate: str) -> None:
    _fails(validate_plate, plate, "PLATE_FORMAT", "plate")


def test_plate_rejects_non_text() -> None:
    _fails(validate_plate, None, "PLATE_FORMAT", "plate")
