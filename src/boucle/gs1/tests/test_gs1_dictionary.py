import subprocess
import sys

import pytest

from boucle.gs1 import GS1Error
from boucle.gs1.dictionary import ai_table, dl_path_sequences, lookup, parse_dictionary


def test_importing_gs1_does_not_load_django():
    code = "import sys, boucle.gs1, boucle.gs1.digital_link; assert 'django' not in sys.modules, 'django loaded'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_dictionary_loads_every_ai_with_ranges_expanded():
    table = ai_table()
    assert len(table) == 541  # as stated for release 2026-01-27 in vectors/UPSTREAM-SOURCES-gs1-digital-link.md
    assert {"3100", "3105", "91", "99"} <= set(table)
    assert "3106" not in table


def test_gtin_entry_comes_from_the_dictionary():
    gtin = lookup("01")
    assert gtin.title == "GTIN"
    assert not gtin.fnc1_required and gtin.dl_attribute
    (component,) = gtin.components
    assert (component.cset, component.min_length, component.max_length) == ("N", 14, 14)
    assert component.linters == ("csum", "gcppos2")
    assert gtin.dl_qualifier_alternatives == (("22", "10", "21"), ("235",))
    assert gtin.ex == ("255", "37")


def test_optional_components_and_variable_lengths():
    grai = lookup("8003")
    assert [c.optional for c in grai.components] == [False, False, True]
    assert (grai.min_length, grai.max_length, grai.fixed_length) == (14, 30, None)
    assert lookup("00").fixed_length == 18


def test_dl_path_sequences_keep_the_standard_order():
    sequences = dl_path_sequences()
    assert ("01", "22", "10", "21") in sequences
    assert ("01", "10", "22") not in sequences
    assert ("01", "22", "235") not in sequences  # alternatives do not mix
    assert ("414", "254") in sequences and ("414", "7040") in sequences


def test_parser_rejects_malformed_lines():
    with pytest.raises(ValueError):
        parse_dictionary("01  *?  Q14\n")


def test_gs1_error_is_a_value_error():
    assert issubclass(GS1Error, ValueError)
