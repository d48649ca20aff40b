"""Vehicle identifiers that must be right: VINs and Chinese licence plates.

Every service that accepts a VIN or a plate normalises it here first, so the same
car is spelt the same way in every record, event and report (domain.md "Data that
must be right").
"""

from __future__ import annotations

import re

from .errors import ValidationFailed

__all__ = [
    "PLATE_PROVINCES",
    "VIN_ALPHABET",
    "make_vin",
    "validate_plate",
    "validate_vin",
    "vin_check_digit",
]

# ---------------------------------------------------------------- VIN (ISO 3779)

# I, O and Q are never used: they are too easily read as 1 and 0.
VIN_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")

# ISO 3779 / 49 CFR 565 / GB 16735 transliteration: letters to the digits they weigh as.
_TRANSLITERATION: dict[str, int] = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip

# Position 9 (index 8) is the check digit itself and weighs nothing.
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

_VIN_LENGTH = 17
_CHECK_INDEX = 8


def _normalise_vin(vin: object, length: int) -> str:
    """Upper-case, drop whitespace, and insist on `length` characters of the VIN alphabet."""
    if not isinstance(vin, str):
        raise ValidationFailed.on("vin", "The VIN must be text.", "VIN_CHARACTERS")
    value = "".join(vin.split()).upper()
    if len(value) != length:
        raise ValidationFailed.on(
            "vin",
            f"A VIN has exactly {length} characters; this one has {len(value)}.",
            "VIN_LENGTH",
        )
    bad = sorted({c for c in value if c not in VIN_ALPHABET})
    if bad:
        raise ValidationFailed.on(
            "vin",
            "A VIN uses only digits and the letters A-Z except I, O and Q; "
            f"not allowed: {' '.join(bad)}.",
            "VIN_CHARACTERS",
        )
    return value


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) a 17-character VIN should carry.

    Weighted sum of the transliterated characters modulo 11; a remainder of 10 is
    written "X".  Whatever is at position 9 now is ignored (its weight is 0).
    """
    value = _normalise_vin(vin, _VIN_LENGTH)
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(value, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_vin(vin: str, *, check_digit: bool = True) -> str:
    """Return the normalised VIN or raise `ValidationFailed` on the field "vin".

    `check_digit=False` is for makes that do not use one (most European VINs,
    which often carry a "Z" filler at position 9).
    """
    value = _normalise_vin(vin, _VIN_LENGTH)
    if check_digit:
        expected = vin_check_digit(value)
        if value[_CHECK_INDEX] != expected:
            raise ValidationFailed.on(
                "vin",
                f"The VIN check digit (position 9) is {value[_CHECK_INDEX]} "
                f"but should be {expected}; the VIN is probably mistyped.",
                "VIN_CHECK_DIGIT",
            )
    return value


def make_vin(prefix16: str) -> str:
    """Build a valid VIN from positions 1-8 and 10-17 by inserting the check digit.

    Seed data and tests use it so that every made-up VIN is one a real OEM
    system would accept.
    """
    value = _normalise_vin(prefix16, _VIN_LENGTH - 1)
    draft = value[:_CHECK_INDEX] + "0" + value[_CHECK_INDEX:]
    return draft[:_CHECK_INDEX] + vin_check_digit(draft) + draft[_CHECK_INDEX + 1 :]


# ---------------------------------------------------------------- licence plates

# Province-level abbreviations used on civilian plates.
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Plate letters never include I or O (confused with 1 and 0).
_LETTER = "A-HJ-NP-Z"
_ALNUM = f"{_LETTER}0-9"
_SEPARATORS = "·.• "  # U+00B7, full stop, U+2022 bullet, space - or none at all

_PLATE = re.compile(
    rf"(?P<province>[{PLATE_PROVINCES}])"
    rf"(?P<authority>[{_LETTER}])"
    rf"[{re.escape(_SEPARATORS)}]?"
    r"(?P<serial>"
    # new energy, small cars: D (battery electric) or F (hybrid) first
    rf"[DF][{_ALNUM}][0-9]{{4}}"
    # new energy, large vehicles: D or F last
    r"|[0-9]{5}[DF]"
    # regular: five letters/digits, the last may be a special-use character
    rf"|[{_ALNUM}]{{4}}[{_ALNUM}挂学警港澳]"
    r")"
)


def validate_plate(plate: str) -> str:
    """Return the plate as `沪A·12345` / `粤B·D12345` or raise `ValidationFailed` on "plate".

    Staff type plates with a dot, a bullet, a space or nothing between the issuing
    authority and the serial; storing one form lets a plate be looked up however
    it was typed.
    """
    value = plate.strip().upper() if isinstance(plate, str) else ""
    match = _PLATE.fullmatch(value)
    if not match:
        raise ValidationFailed.on(
            "plate",
            "A plate is a province abbreviation (e.g. 沪), a letter (not I or O) and "
            "5 letters or digits, or 6 for new-energy plates (D/F first or last), "
            f"like 沪A·12345 or 粤B·D12345; got {plate!r}.",
            "PLATE_FORMAT",
        )
    return f"{match['province']}{match['authority']}·{match['serial']}"
