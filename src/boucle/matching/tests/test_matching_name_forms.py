"""A site known only by its name is read whatever form its sector word takes.

Names say the trade in the plural (« Cartiere … », "Papeleras …", « Zementwerke … »), in a definite form
(« Pappersbruket »), inside a firm's compound (« Kunststoffrecycling … », « Mosenergo »), in a transliteration
(pinyin, Korean, Russian). Every example here is invented.
"""

import pytest

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.knowledge.naf import name_to_naf, romance_plural


def _codes(name):
    return [code for code, _ in name_to_naf(name)]


@pytest.mark.parametrize("name, code", [
    # Spanish, Italian and Portuguese trade words, singular and plural
    ("Azucarera del Norte", "10.81"), ("Azucareras Reunidas", "10.81"), ("Papeleras del Cantábrico", "17.12"),
    ("Cervecería del Sur", "11.05"), ("Curtiembre Los Andes", "15.11"), ("Ingenio Azucarero San José", "10.81"),
    ("Relleno Sanitario Las Lomas", "38.21"), ("Acciaierie del Nord", "24.10"), ("Cartiere del Lago", "17.12"),
    ("Cantine dei Colli Alti", "11.02"), ("Conceria del Fiume", "15.11"), ("Pastificio Rossi", "10.73"),
    ("Usina de Açúcar Boa Vista", "10.81"), ("Usinas Siderúrgicas do Vale", "24.10"), ("Curtume Paraná", "15.11"),
    # German, Dutch and Nordic heads inflected, alone or ending a compound
    ("Zementwerke Süd", "23.51"), ("Papierfabriken Nord", "17.12"), ("Brauereien Nord", "11.05"),
    ("Suikerfabrieken Noord", "10.81"), ("Pappersbruket Nord", "17.12"),
    # German heads of compounds and standalone words
    ("Kunststoffrecycling Nord", "38.32"), ("Abfallverwertung Süd", "38.3"), ("Wärme Nordstadt", "35.30"),
    ("Aalborg Varme", "35.30"), ("Kupferschmelzwerk Nord", "24.4"),
    # Chinese pinyin (GB/T 4754), Korean (KSIC), Russian (OKVED 2)
    ("Tianjin Gangtie", "24.10"), ("Anhui Shuini", "23.51"), ("Beijing Reli", "35.30"),
    ("Hanil Siment", "23.51"), ("Daehan Jecheol", "24.10"), ("Samil Jeji", "17.12"),
    ("Tatenergo", "35"), ("Kuibyshev Azot", "20.15"), ("Volga Vodokanal", "36.00"), ("Omsk TETs", "35.11"),
    # English trade words
    ("Northside scrap merchant", "46.77"), ("Scrap Dealer Smith", "46.77"),
])
def test_a_trade_word_is_read_in_its_forms_and_languages(name, code):
    codes = _codes(name)
    assert code in codes, (name, name_to_naf(name))
    assert all(c.startswith(code[:2]) for c in codes), (name, name_to_naf(name))  # and nothing else


def test_shihua_is_refining_and_petrochemicals():
    assert _codes("Qilu Shihua") == ["19.20", "20.14"]


def test_a_compound_s_first_word_chooses_the_metal_of_a_smelter():
    assert _codes("Aluminiumschmelzwerk Süd") == ["24.42"]  # aluminium, not any non-ferrous metal
    assert _codes("Bleischmelzwerk Süd") == ["24.4"]  # lead is no phrase of the table: the group


def test_an_inflected_head_that_only_ends_compounds_is_not_read_alone():
    assert _codes("Vattenkraften Nord") == ["35.11"]  # « -kraft » ends a compound
    assert name_to_naf("Kraften") == [] and name_to_naf("Skellefteå Kraft") == []


def test_romance_plurals_follow_each_language():
    assert romance_plural("centrale termica", "it") == ("centrali termiche",)
    assert romance_plural("usina de acucar", "pt") == ("usinas de acucar",)
    assert romance_plural("central termica", "es") == ("centrales termicas",)
    assert romance_plural("cementificio", "it") == ("cementifici",)


def test_a_sugar_mill_known_by_its_spanish_name_takes_what_a_sugar_factory_takes():
    needs = {n.class_key for n in infer_needs(None, None, "Azucarera del Norte")}
    assert needs == {n.class_key for n in infer_needs(None, None, "Sucrerie du Nord")}
    assert {"lime", "limestone"} <= needs


def test_a_heat_utility_named_by_its_heat_takes_waste_heat():
    needs = {n.class_key for n in infer_needs(None, None, "Wärme Nordstadt")}
    assert {"waste_heat_medium", "hot_water"} <= needs


def test_an_energy_utility_known_by_its_division_takes_waste_heat_for_its_heat_network():
    # division 35 read from « Energie »: its heat trades (35.30 district heating, CHP in 35.11) take waste heat
    # (typical_inputs.csv), below what a named heat network takes
    utility = {n.class_key: n.weight for n in infer_needs(None, None, "Energie Nordstadt")}
    network = {n.class_key: n.weight for n in infer_needs(None, None, "Fernwärme Nordstadt")}
    assert {"waste_heat_medium", "hot_water"} <= set(utility)
    assert utility["waste_heat_medium"] < network["waste_heat_medium"]
