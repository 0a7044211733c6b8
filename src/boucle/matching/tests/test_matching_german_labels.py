"""Offers labelled in German or with a trade word only (labels round 4, issue 11), as a company sees them.

A held-out park imports its offers by label alone. German writes the material and its form as one word
(« Walzzunder », « Altreifen », « Messingschrott »), the AVV (German List of Waste) names them so; before
the round such a label was read as nothing or as a lookalike (« Altsand » as virgin sand, "hot trub" as hot
water) and got no or wrong receivers.
"""

import pytest

from boucle.matching.tests.parks import receivers
from boucle.materials.classify import classify_label
from boucle.materials.text import split_compound, tokens

PARK = [
    ("brewery", "11.05", "Brauerei"),
    ("feed", "10.91", "Fabrication d'aliments pour animaux de ferme"),
    ("heat", "35.30", "District heating network"),
    ("kiln", "23.51", "Cement plant"),
    ("steel", "24.10", "Steelworks"),
    ("sinter", "24.10", "Sinter plant and blast furnace"),
    ("tyres", "38.32", "Tyre recycling"),
    ("garage", "45.20", "Garage"),
    ("foundry", "24.51", "Iron foundry"),
]


def _receivers(site_id, label):
    return receivers(PARK, site_id, label)


def test_hot_trub_of_a_brewery_goes_to_a_feed_maker_not_to_a_heat_network():
    got = _receivers("brewery", "hot trub")
    assert "feed" in got and "heat" not in got


@pytest.mark.parametrize("label", ["Treber", "Heißtrub"])
def test_german_brewery_residues_go_to_a_feed_maker(label):
    assert "feed" in _receivers("brewery", label)


def test_mill_scale_in_german_finds_its_users():
    assert _receivers("steel", "Walzzunder") & {"kiln", "sinter"}


def test_end_of_life_tyres_in_german_go_to_a_kiln_or_a_tyre_recycler():
    assert _receivers("garage", "Altreifen") & {"kiln", "tyres"}


@pytest.mark.parametrize("label, key", [
    ("Messingschrott", "copper_scrap"),
    ("Kupferabfälle", "copper_scrap"),
    ("Holzabfälle", "wood_untreated"),
    ("Gießereialtsand", "foundry_sand"),
    ("Altsand", "foundry_sand"),
    ("Walzzunder", "mill_scale"),
    ("Rotschlamm", "red_mud"),
    ("Galvanikschlamm", "metal_hydroxide_sludge"),
    ("Klärschlamm", "sewage_sludge"),
    ("Kupferschlacke", "non_ferrous_slag"),
    ("GBS", "blast_furnace_slag"),
    ("UBC", "aluminium_scrap"),
    ("spent grit", "spent_blasting_grit"),
])
def test_the_label_is_read_as_the_material_it_names(label, key):
    assert classify_label(label)[0].key == key


def test_a_german_compound_is_read_as_its_two_parts_and_other_words_are_left_whole():
    assert tokens("Messingschrott") == ("messing", "schrott")
    assert tokens("Stahlwerksstaub") == ("stahlwerk", "staub")
    assert tokens("Sortierrückstände") == ("sortier", "ruckstande")
    # short words, French and English words are not cut
    for word in ("schlamm", "agreste", "manifeste", "chemist", "interest", "asche", "folien"):
        assert split_compound(word) == (word,)
