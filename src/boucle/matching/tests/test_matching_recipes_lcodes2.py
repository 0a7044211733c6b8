"""Receivers read from their words that can really receive (issue 11, recipes round of session 17): each
test builds a small park and checks who receives an offer, citing the general source of the rule it relies
on (the rows themselves cite it in ``knowledge/data``)."""

from functools import partial

from boucle.matching.knowledge.infer import infer_needs, site_codes
from boucle.matching.knowledge.naf import activity_to_naf
from boucle.matching.pipeline import STATED_USES, stated_uses
from boucle.matching.tests.parks import receivers

_receivers = partial(receivers, at=(45.0, 5.0, 0.001))


def _needs(naf, activity):
    return {n.class_key: n.weight for n in infer_needs(naf, activity)}


def _use_bits(*names):
    return sum(1 << i for i, u in enumerate(STATED_USES) if u.name in names)


def test_an_alumina_refinery_takes_co2_to_neutralise_its_bauxite_residue():
    # EU BREF NFM 2017 (alumina: bauxite residue neutralised by seawater or CO2); Power et al. 2011,
    # Hydrometallurgy 108:33 (residue carbonation); an aluminium smelter of the same class does not
    assert _needs(None, "Alumina refinery").get("co2_gas", 0) >= 0.45
    assert "co2_gas" not in _needs("24.42", "Primary aluminium smelter")
    park = [("nh3", "20", "Ammonia plant"), ("alumina", None, "Alumina refinery"),
            ("gases", None, "Industrial gases (CO2 liquefaction) plant"), ("printer", "18", "Printing")]
    got = _receivers(park, "nh3", "CO2 for residue carbonation")
    assert "alumina" in got and "printer" not in got


def test_a_label_that_says_neutralisation_or_carbonation_states_that_use():
    # EU BREF FDM 2019 (carbonation of drinks), EU BREF NFM 2017 (residue neutralisation)
    bit = _use_bits("neutralisation")
    assert stated_uses("CO2 for residue carbonation") & bit
    assert stated_uses("CO2 gas for neutralisation") & bit
    assert stated_uses("CO2 pour la neutralisation des effluents") & bit
    assert not stated_uses("CO2 from fermentation") & bit


def test_an_insulation_maker_is_read_from_its_words_and_takes_textile_fibres():
    # NACE 23.99 (mineral insulating materials); Ellen MacArthur Foundation 2017 and JRC 2021 (textiles
    # cascaded into insulation)
    for words in ("Insulation manufacturer", "Fabrication d'isolants", "Dämmstoffhersteller"):
        assert site_codes(None, words)[0][0] == "23.99", words
        assert _needs(None, words).get("textiles", 0) >= 0.4, words
    # a mineral wool plant that does not say insulation keeps its own inputs
    assert "textiles" not in _needs(None, "Stone wool plant")
    park = [("weaver", None, "Textile manufacturer"), ("insul", None, "Insulation manufacturer"),
            ("bakery", "10", "Industrial bakery")]
    got = _receivers(park, "weaver", "Textile offcuts")
    assert "insul" in got and "bakery" not in got


def test_an_lng_terminal_takes_the_warm_water_of_a_power_station():
    # Mokhatab et al. 2014, Handbook of Liquefied Natural Gas: vaporisers heated by seawater or warm
    # water; the terminal is not a gas works and takes no manure
    assert activity_to_naf("LNG regasification terminal") == [("52.21", 0.9)]
    needs = _needs(None, "LNG regasification terminal")
    assert needs.get("waste_heat_low", 0) >= 0.6 and "manure" not in needs
    park = [("npp", "35", "Nuclear power station"), ("lng", None, "LNG regasification terminal"),
            ("printer", "18", "Printing")]
    got = _receivers(park, "npp", "Warm cooling water")
    assert "lng" in got and "printer" not in got


def test_a_known_word_is_not_a_misspelling_of_another():
    # « electric » is not a misspelt « electronic », « regasification » not « gasification »
    assert "26" not in dict(activity_to_naf("Electric arc furnace steel mill"))
    assert "35.21" not in dict(activity_to_naf("LNG regasification terminal"))


def test_a_particle_board_maker_takes_the_sawdust_of_a_sawmill():
    # NACE 16.21 (particle board, fibreboard, OSB); PRODCOM 16.21.13
    for words in ("Particle board producer", "Chipboard factory", "Panneaux agglomérés", "Spanplatten"):
        assert site_codes(None, words)[0][0] == "16.21", words
    park = [("saw", None, "Sawmill"), ("boards", None, "Particle board producer"), ("printer", "18", "Printing")]
    got = _receivers(park, "saw", "Sawdust")
    assert "boards" in got and "printer" not in got
