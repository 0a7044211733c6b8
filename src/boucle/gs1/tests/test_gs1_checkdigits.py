import pytest

from boucle.gs1 import GS1Error, gtin_check_digit, is_valid_gmn, is_valid_gtin
from boucle.gs1.checkdigits import check_alphanumeric_pair, check_mod10, check_pair
from gs1_vectors import load

VECTORS = load("check-digit-vectors.json")


@pytest.mark.parametrize("number", VECTORS["csum"]["pass"])
def test_mod10_accepts(number):
    check_mod10(number)
    assert gtin_check_digit(number[:-1]) == number[-1]


@pytest.mark.parametrize("case", VECTORS["csum"]["fail"], ids=lambda c: c["error"] + ":" + c["input"])
def test_mod10_rejects(case):
    with pytest.raises(GS1Error):
        check_mod10(case["input"])


@pytest.mark.parametrize("value", VECTORS["csumalpha"]["pass"])
def test_check_pair_accepts(value):
    check_alphanumeric_pair(value)
    assert check_pair(value[:-2]) == value[-2:]


@pytest.mark.parametrize("case", VECTORS["csumalpha"]["fail"], ids=lambda c: c["error"])
def test_check_pair_rejects(case):
    with pytest.raises(GS1Error):
        check_alphanumeric_pair(case["input"])
    assert not is_valid_gmn(case["input"])


def test_is_valid_gtin_lengths():
    assert is_valid_gtin("09520123456788")
    assert is_valid_gtin("9520123456788")  # GTIN-13
    assert is_valid_gtin("02345673")  # GTIN-8
    assert not is_valid_gtin("09520123456789")
    assert not is_valid_gtin("952012345678")  # 12 digits, wrong digit
    assert not is_valid_gtin("0952012345678800")  # too long
    assert not is_valid_gtin("0952O123456788")


def test_check_digit_rejects_non_digits():
    with pytest.raises(GS1Error, match="chiffres attendus"):
        gtin_check_digit("95201234567A")
