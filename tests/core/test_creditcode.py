import pytest

from ecer.core.creditcode import (
    CHARSET,
    WEIGHTS,
    CreditCodeError,
    make_check_character,
    normalize_credit_code,
    organization_check_character,
    validate_credit_code,
)

# 华为技术有限公司, as printed in many public documents.
HUAWEI = "914403001922038216"


def test_weights_are_powers_of_three_modulo_31():
    # GB 32100-2015 表2: Wi = MOD(3^(i-1), 31); 3^3 = 27, 3^4 = 81 = 2*31 + 19, ...
    assert [pow(3, i - 1, 31) for i in range(1, 18)] == list(WEIGHTS)


def test_charset_has_31_characters_without_i_o_z_s_v():
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


def test_it_reproduces_the_worked_example_of_the_standard():
    # GB 32100-2015 example: 91350100M000100Y4 -> sum 1640, 1640 mod 31 = 28, 31 - 28 = 3.
    assert make_check_character("91350100M000100Y4") == "3"


def test_it_writes_31_as_zero():
    # All zeros: sum 0, 31 - 0 = 31, which the standard writes as 0.
    assert make_check_character("0" * 17) == "0"


def test_it_computes_a_letter_check_character():
    # 小米科技有限责任公司 91110108551385082Q:
    # 9*1 + 1*3 + 1*9 + 1*27 + 0*19 + 1*26 + 0*16 + 8*17 + 5*20 + 5*29 + 1*25 + 3*13
    # + 8*8 + 5*24 + 0*10 + 8*30 + 2*28 = 999; 999 mod 31 = 7; 31 - 7 = 24 -> 'Q'.
    assert make_check_character("91110108551385082") == "Q"


def test_it_parses_a_real_code():
    # 9*1 + 1*3 + 4*9 + 4*27 + 0*19 + 3*26 + 0*16 + 0*17 + 1*20 + 9*29 + 2*25 + 2*13
    # + 0*8 + 3*24 + 8*10 + 2*30 + 1*28 = 831; 831 mod 31 = 25; 31 - 25 = 6.
    parsed = validate_credit_code(HUAWEI)
    assert parsed.code == HUAWEI
    assert parsed.registration_authority == "9"
    assert parsed.organization_type == "1"
    assert parsed.division_code == "440300"
    assert parsed.province_code == "44"
    assert parsed.organization_code == "192203821"
    assert parsed.check_character == "6"


def test_it_checks_the_embedded_organization_code():
    # GB 11714: 1*3 + 9*7 + 2*9 + 2*10 + 0*5 + 3*8 + 8*4 + 2*2 = 164;
    # 164 mod 11 = 10; 11 - 10 = 1, and position 17 of the code is 1.
    parsed = validate_credit_code(HUAWEI)
    assert parsed.organization_code_valid
    assert parsed.expected_organization_check == "1"


def test_it_reports_a_wrong_organization_check_character():
    # Body 12345678: 3 + 14 + 27 + 40 + 25 + 48 + 28 + 16 = 201; 201 mod 11 = 3; 11 - 3 = 8,
    # but position 17 is 0. USCC check: 9 + 3 + 36 + 135 + 0 + 130 + 0 + 0 + 20 + 58 + 75
    # + 52 + 40 + 144 + 70 + 240 + 0*28 = 1012; 1012 mod 31 = 20; 31 - 20 = 11 -> 'B'.
    parsed = validate_credit_code("91450500123456780B")
    assert parsed.division_code == "450500"
    assert not parsed.organization_code_valid
    assert parsed.expected_organization_check == "8"


def test_it_accepts_a_beihai_code_with_both_checks_right():
    # As above with position 17 = 8: 1012 + 8*28 = 1236; 1236 mod 31 = 27; 31 - 27 = 4.
    parsed = validate_credit_code("914505001234567884")
    assert parsed.organization_code_valid
    assert parsed.division_code == "450500"


def test_organization_check_writes_ten_as_x():
    # 00000006: 6*2 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> X.
    assert organization_check_character("00000006") == "X"


def test_organization_check_writes_eleven_as_zero():
    # 00000000: sum 0; 11 - 0 = 11 -> 0.
    assert organization_check_character("00000000") == "0"


def test_organization_check_values_letters_from_ten():
    # M000100Y (the standard's example): M=22 -> 66, 1*5 = 5, Y=34 -> 68; 139 mod 11 = 7;
    # 11 - 7 = 4, as printed at position 17 of 91350100M000100Y4...
    assert organization_check_character("M000100Y") == "4"


def test_organization_check_rejects_a_short_body():
    with pytest.raises(ValueError, match="8 digits"):
        organization_check_character("1234567")


def test_it_strips_spaces_and_upper_cases():
    assert normalize_credit_code(" 9111 0108\u3000551385082q ") == "91110108551385082Q"
    assert validate_credit_code(" 9111 0108 5513 8508 2q").code == "91110108551385082Q"


def test_it_rejects_an_empty_code():
    with pytest.raises(CreditCodeError, match="empty") as excinfo:
        validate_credit_code("   ")
    assert excinfo.value.position is None


def test_it_rejects_a_short_code():
    with pytest.raises(CreditCodeError, match="expected 18 characters, got 17") as excinfo:
        validate_credit_code(HUAWEI[:-1])
    assert excinfo.value.position is None


def test_it_rejects_a_long_code():
    with pytest.raises(CreditCodeError, match="got 19"):
        validate_credit_code(HUAWEI + "0")


def test_it_names_the_position_of_a_forbidden_letter():
    with pytest.raises(CreditCodeError, match="never used") as excinfo:
        validate_credit_code("9O4403001922038216")
    assert excinfo.value.position == 2
    assert excinfo.value.code == "9O4403001922038216"


def test_it_names_the_position_of_a_foreign_character():
    with pytest.raises(CreditCodeError, match="not in the GB 32100 character set") as excinfo:
        validate_credit_code("91440300192203821-")
    assert excinfo.value.position == 18


def test_it_rejects_a_letter_in_the_division_code():
    with pytest.raises(CreditCodeError, match="must be 6 digits") as excinfo:
        validate_credit_code("9144A3001922038216")
    assert excinfo.value.position == 5


def test_it_reports_expected_and_given_check_characters():
    # The standard's own counter-example: 91350100M000100Y4Z should end in 3.
    with pytest.raises(CreditCodeError, match="expected '3', got 'Z'") as excinfo:
        validate_credit_code("91350100M000100Y4Z")
    assert excinfo.value.position == 18


def test_it_reports_a_wrong_check_character_inside_the_set():
    # Huawei's code ends in 6 (see above); 7 is in the set but wrong.
    with pytest.raises(CreditCodeError) as excinfo:
        validate_credit_code(HUAWEI[:-1] + "7")
    assert excinfo.value.reason == "wrong check character: expected '6', got '7'"


def test_make_check_character_rejects_wrong_length():
    with pytest.raises(CreditCodeError, match="expected 17 characters"):
        make_check_character("9144030019220382")


def test_make_check_character_rejects_a_bad_character():
    with pytest.raises(CreditCodeError) as excinfo:
        make_check_character("91440300192203S21")
    assert excinfo.value.position == 15
