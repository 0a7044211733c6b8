"""German utility words read as what they are (issue 11, utilities round 2).

Standalone words of German energy statistics and steam practice (Regulation (EC) No 1099/2008 Annex B, German
version: Hochofengas, Klärgas, Erdgas; EU BREF ENE 2009, German version: Mitteldruckdampf, Abdampf, Abhitze;
WZ 2008 35.30: Kälte) are synonyms with their source; a one-word compound whose Grundwort is « -dampf »,
« -wärme » or « -hitze » (« Sattdampf », « Ofenabwärme ») and that reads as its class is as sure as its Grundwort.
"""
import pytest

from boucle.flows.importers import classify_many
from boucle.materials.classify import GERMAN_UTILITY_CONFIDENCE, classify_label


def _read(label):
    return classify_many([(label, None)])[0]


@pytest.mark.parametrize("label,key", [
    ("Mitteldruckdampf", "steam"), ("Abdampf", "steam"), ("Heizdampf", "steam"), ("Überschussdampf", "steam"),
    ("Prozesswärme", "waste_heat_medium"), ("Restwärme", "waste_heat_low"), ("Abhitze", "waste_heat_high"),
    ("Hochofengas", "fuel_gas"), ("Klärgas", "biogas"), ("Faulgas", "biogas"), ("Erdgas", "natural_gas"),
    ("Kesselspeisewasser", "water_demineralised"), ("Kälte", "cold"), ("Kaltwasser", "cold"),
    ("Warmwasser", "hot_water"), ("Überschussstrom", "electricity"),
])
def test_standalone_german_utility_words(label, key):
    # before: Überschussdampf and Überschussstrom read as spent yeast, Hochofengas as slag, Kälte as lime
    assert _read(label)[0] == key
    assert classify_label(label)[0].key == key


@pytest.mark.parametrize("label,key", [
    ("Sattdampf", "steam"), ("Frischdampf", "steam"), ("Entnahmedampf", "steam"), ("Brüdendampf", "steam"),
    ("Ofenabwärme", "waste_heat_low"), ("Kompressorabwärme", "waste_heat_low"),
])
def test_a_compound_ending_in_a_utility_grundwort_is_recognised(label, key):
    got, conf = _read(label)
    assert got == key and conf >= GERMAN_UTILITY_CONFIDENCE
    first = classify_label(label)[0]
    assert first.key == key and first.confidence >= GERMAN_UTILITY_CONFIDENCE


def test_the_class_never_changes_only_its_confidence():
    # a solvent vapour is no steam: the Grundwort raises a reading, it does not make one
    assert _read("Lösemitteldampf")[0] != "steam"
