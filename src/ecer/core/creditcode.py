"""Unified social credit code (统一社会信用代码) of legal persons and other organisations.

Structure (GB 32100-2015, clause 4): 18 characters drawn from a 31-character set
("0123456789ABCDEFGHJKLMNPQRTUWXY"; the letters I, O, Z, S and V are never used):

====  ==========================================================================
pos.  meaning
====  ==========================================================================
1     registration authority code (登记管理部门代码)
2     organisation type code (机构类别代码)
3-8   administrative division code of the registering authority (登记管理机关行政区划码),
      six digits (GB/T 2260)
9-17  organisation code (主体标识码, the GB 11714 组织机构代码: 8 body characters and
      its own check character)
18    check character (校验码)
====  ==========================================================================

Check character (GB 32100-2015, clause 5 and 表2/表3):
``C18 = 31 - MOD(sum(Ci * Wi, i = 1..17), 31)``, with the value 31 written as ``0``;
``Ci`` is the value of the character at position i in the character set (0-9 -> 0-9,
A -> 10 ... Y -> 30) and ``Wi = MOD(3^(i-1), 31)``, i.e. 1, 3, 9, 27, 19, 26, 16, 17, 20,
29, 25, 13, 8, 24, 10, 30, 28. The standard's own worked example: the first 17
characters ``91350100M000100Y4`` sum to 1640, ``1640 mod 31 = 28``, ``31 - 28 = 3``.

The embedded organisation code has its own check character (GB 11714-1997, clause 2.1.2):
``C9 = 11 - MOD(sum(Ci * Wi, i = 1..8), 11)`` with weights 3, 7, 9, 10, 5, 8, 4, 2;
10 is written ``X`` and 11 is written ``0``. In GB 11714 a letter's value is its position
in the full Latin alphabet plus 9 (A = 10 ... Z = 35). A wrong organisation-code check
character is *reported* in :attr:`CreditCode.organization_code_valid`, not raised: the
USCC check character (position 18) is the one the registration system guarantees.

Normalisation: :func:`validate_credit_code` removes all whitespace (including the
ideographic space U+3000) and upper-cases the input before checking it, so
``" 9144 0300 1922 0382 16 "`` and ``"914403001922038216"`` are the same code. Nothing
else is corrected: a hyphen, a full-width digit or a look-alike letter (O for 0) is an
error with its position.

References
----------
GB 32100-2015《法人和其他组织统一社会信用代码编码规则》.
GB 11714-1997《全国组织机构代码编制规则》.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHARSET",
    "CODE_LENGTH",
    "ORGANIZATION_CODE_WEIGHTS",
    "WEIGHTS",
    "CreditCode",
    "CreditCodeError",
    "make_check_character",
    "normalize_credit_code",
    "organization_check_character",
    "validate_credit_code",
]

# GB 32100-2015 表3 (代码字符集): 10 digits and 21 upper-case letters, value = index.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_LENGTH = 18
# GB 32100-2015 表2: Wi = MOD(3^(i-1), 31) for positions 1..17.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997 clause 2.1.2: weights of the eight body characters of an organisation code.
ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_VALUES = {char: value for value, char in enumerate(CHARSET)}
_DIVISION = slice(2, 8)
_ORGANIZATION = slice(8, 17)


class CreditCodeError(ValueError):
    """A unified social credit code that breaks GB 32100-2015.

    Attributes:
        code: The code as checked (after normalisation).
        position: 1-based position of the offending character, or ``None`` when the
            fault is not at one position (empty input, wrong length).
        reason: What is wrong, in English, precise enough to fix the input.
    """

    def __init__(self, code: str, position: int | None, reason: str) -> None:
        self.code = code
        self.position = position
        self.reason = reason
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"invalid unified social credit code {code!r}{where}: {reason}")


@dataclass(frozen=True)
class CreditCode:
    """A unified social credit code that passed the GB 32100-2015 checks.

    Attributes:
        code: The normalised 18-character code.
        registration_authority: Position 1, registration authority code (登记管理部门代码).
        organization_type: Position 2, organisation type code (机构类别代码).
        division_code: Positions 3-8, administrative division code of the registering
            authority (six digits, e.g. ``"450500"`` for 北海市).
        organization_code: Positions 9-17, the GB 11714 organisation code.
        check_character: Position 18.
        organization_code_valid: Whether position 17 is the GB 11714 check character of
            positions 9-16.
        expected_organization_check: The GB 11714 check character computed from
            positions 9-16 (equal to ``organization_code[-1]`` when valid).
    """

    code: str
    registration_authority: str
    organization_type: str
    division_code: str
    organization_code: str
    check_character: str
    organization_code_valid: bool
    expected_organization_check: str

    @property
    def province_code(self) -> str:
        """First two digits of the division code (省级行政区划码), e.g. ``"45"`` for Guangxi."""
        return self.division_code[:2]


def normalize_credit_code(code: str) -> str:
    """Remove all whitespace and upper-case the letters; nothing else is changed."""
    return "".join(code.split()).upper()


def _check_characters(code: str, count: int) -> None:
    for index, char in enumerate(code[:count]):
        if char not in _VALUES:
            hint = " (I, O, Z, S and V are never used)" if char in "IOZSV" else ""
            raise CreditCodeError(
                code,
                index + 1,
                f"character {char!r} is not in the GB 32100 character set {CHARSET}{hint}",
            )


def make_check_character(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a code.

    Args:
        first17: Positions 1-17, already upper-case, from the 31-character set.

    Raises:
        CreditCodeError: When ``first17`` is not 17 characters of the character set.
    """
    if len(first17) != CODE_LENGTH - 1:
        raise CreditCodeError(
            first17, None, f"expected {CODE_LENGTH - 1} characters, got {len(first17)}"
        )
    _check_characters(first17, CODE_LENGTH - 1)
    # GB 32100-2015 clause 5: C18 = 31 - MOD(sum(Ci x Wi), 31); the value 31 is written 0.
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def _gb11714_value(char: str) -> int:
    # GB 11714-1997 附录A: digits are worth 0-9, letters A-Z 10-35.
    if char.isdigit():
        return int(char)
    return ord(char) - ord("A") + 10


def organization_check_character(body: str) -> str:
    """Return the GB 11714-1997 check character of an 8-character organisation code body.

    Raises:
        ValueError: When ``body`` is not 8 ASCII digits or upper-case letters.
    """
    if len(body) != len(ORGANIZATION_CODE_WEIGHTS) or not all(
        char.isascii() and (char.isdigit() or char.isupper()) for char in body
    ):
        raise ValueError(f"organisation code body must be 8 digits or A-Z letters: {body!r}")
    # GB 11714-1997 clause 2.1.2: C9 = 11 - MOD(sum(Ci x Wi), 11); 10 -> X, 11 -> 0.
    total = sum(
        _gb11714_value(char) * weight
        for char, weight in zip(body, ORGANIZATION_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def validate_credit_code(code: str) -> CreditCode:
    """Check a unified social credit code against GB 32100-2015 and return its fields.

    Args:
        code: The code as typed; whitespace is removed and letters upper-cased first.

    Returns:
        The parsed code; :attr:`CreditCode.organization_code_valid` tells whether the
        embedded GB 11714 organisation code carries a correct check character.

    Raises:
        CreditCodeError: Empty input, wrong length, a character outside the set (with
            its position), a non-digit in the division code (positions 3-8) or a wrong
            check character (position 18, with the expected and the given character).
    """
    normalized = normalize_credit_code(code)
    if not normalized:
        raise CreditCodeError(normalized, None, "the code is empty")
    if len(normalized) != CODE_LENGTH:
        raise CreditCodeError(
            normalized, None, f"expected {CODE_LENGTH} characters, got {len(normalized)}"
        )
    _check_characters(normalized, CODE_LENGTH - 1)
    for index in range(_DIVISION.start, _DIVISION.stop):
        if not normalized[index].isdigit():
            raise CreditCodeError(
                normalized,
                index + 1,
                f"the administrative division code (positions 3-8) must be 6 digits, "
                f"found {normalized[index]!r}",
            )
    expected = make_check_character(normalized[: CODE_LENGTH - 1])
    given = normalized[CODE_LENGTH - 1]
    if given != expected:
        outside = "" if given in _VALUES else " (not in the GB 32100 character set)"
        raise CreditCodeError(
            normalized,
            CODE_LENGTH,
            f"wrong check character: expected {expected!r}, got {given!r}{outside}",
        )
    organization_code = normalized[_ORGANIZATION]
    expected_org_check = organization_check_character(organization_code[:8])
    return CreditCode(
        code=normalized,
        registration_authority=normalized[0],
        organization_type=normalized[1],
        division_code=normalized[_DIVISION],
        organization_code=organization_code,
        check_character=given,
        organization_code_valid=organization_code[8] == expected_org_check,
        expected_organization_check=expected_org_check,
    )
