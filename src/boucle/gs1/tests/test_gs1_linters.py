import pytest

from boucle.gs1.linters import LINTERS, UNCHECKED_LISTS, check_cset
from boucle.gs1.dictionary import ai_table


def test_every_linter_named_by_the_dictionary_exists():
    named = {linter for entry in ai_table().values() for comp in entry.components for linter in comp.linters}
    assert named <= set(LINTERS)
    assert UNCHECKED_LISTS <= named


@pytest.mark.parametrize(
    "linter, good, bad",
    [
        ("yymmdd", ["240229", "251231"], ["250229", "251301", "250100", "25123"]),
        ("yymmd0", ["250100", "240229"], ["251300", "250230"]),
        ("yyyymmdd", ["20240229", "19991231"], ["20230229", "20241301"]),
        ("hhmi", ["0000", "2359"], ["2400", "1260"]),
        ("pieceoftotal", ["0102", "0202"], ["0000", "0302", "0100"]),
        ("iso3166", ["250", "528"], ["000", "999"]),
        ("iso3166999", ["250", "999"], ["998"]),
        ("iso3166alpha2", ["FR", "BE"], ["ZZ", "fr"]),
        ("iso4217", ["978", "840"], ["000"]),
        ("iban", ["FR1420041010050500013M02606"], ["FR1420041010050500013M02607"]),
        ("pcenc", ["a%20b", "plain"], ["a%2", "a%zz"]),
        ("nozeroprefix", ["0", "10"], ["01"]),
        ("hasnondigit", ["12A"], ["123"]),
        ("mediatype", ["01", "10", "80"], ["00", "11", "79"]),
        ("posinseqslash", ["1/2", "2/2"], ["3/2", "0/1"]),
        ("latitude", ["0000000000", "1800000000"], ["1800000001"]),
        ("winding", ["0", "1", "9"], ["2"]),
        ("gcppos2", ["09520123456788"], ["0952A123456788"]),
    ],
)
def test_linters(linter, good, bad):
    for value in good:
        assert LINTERS[linter](value) is None, value
    for value in bad:
        assert LINTERS[linter](value), value


def test_character_sets():
    assert check_cset("X", "AZaz09!\"%&'()*+,-./:;<=>?_") is None
    assert check_cset("X", "a b")
    assert check_cset("Y", "AB#-/09") is None and check_cset("Y", "ab")
    assert check_cset("Z", "AbC-_9==") is None and check_cset("Z", "A=b")
