"""Three streams whose users are few and known (issue 11, foundry round):

- foundry slag (List of Waste 10 09 03 / 10 10 03) and spent foundry sand (10 09 08) are not steelworks slag:
  the slag goes to road building as an aggregate (EU BREF SF 2005), the sand to brickworks, cement kilns and other
  foundries; neither is offered to a cement works as granulated blast-furnace slag;
- black liquor is burnt in a kraft mill's recovery boiler (EU BREF PP 2015): another kraft pulp mill takes it, no
  power station, kiln or paper machine as a fuel;
- surplus electricity goes to the electro-intensive users (electrolysis, arc furnaces, air separation, data
  centres), not to a water utility, a pharmaceutical plant or a machine shop next door.
"""

import pytest
from django.utils import translation

from boucle.materials.classify import class_for_ewc, classify_label
from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park, receivers
from boucle.matching.wording import explanation_text

FOUNDRY = ("foundry", "24.51Z", "Fonderie de fonte")
BRICKS = ("bricks", "23.32Z", "Fabrication de briques et tuiles en terre cuite")
CEMENT = ("cement", "23.51Z", "Fabrication de ciment")
ROAD = ("road", "42.11Z", "Construction de routes et autoroutes")
DAIRY = ("dairy", "10.51C", "Fabrication de fromage")


@pytest.mark.parametrize("label", ["Laitier de fonderie", "laitiers de four de fonderie", "Foundry slag", "Cupola slag",
                                   "Gießereischlacke", "Kupolofenschlacke", "laitier de cubilot"])
def test_foundry_slag_is_read_as_foundry_slag_in_french_english_and_german(label):
    assert classify_label(label)[0].key == "foundry_slag"


def test_the_furnace_slag_codes_of_foundries_are_foundry_slag_and_steel_slag_stays_steel_slag():
    assert class_for_ewc("10 09 03") == class_for_ewc("10 10 03") == "foundry_slag"
    assert class_for_ewc("10 09 08") == "foundry_sand"
    assert class_for_ewc("10 02 02") == "steel_slag"
    for label in ("laitier d'aciérie", "steel slag", "Stahlwerksschlacke"):
        assert classify_label(label)[0].key == "steel_slag"


def _cards(sites, site_id, label, **flow):
    return propose(park(sites), [FlowIn("o1", site_id, "offer", label=label, **flow)])


def test_spent_foundry_sand_goes_to_a_brickworks_whose_card_cites_the_foundry_sand_sources():
    cards = _cards([FOUNDRY, BRICKS, DAIRY], "foundry", "Sables de fonderie usagés", quantity_t=800.0)
    card = next(p for p in cards if p.need_site_id == "bricks")
    assert card.explanation["need_class"] == "foundry_sand"
    with translation.override("fr"):
        text = explanation_text(card.explanation)
        assert "Alonso-Santurde et al. (2012)" in text and "FHWA" in text
    with translation.override("en"):
        assert "Alonso-Santurde et al. (2012)" in explanation_text(card.explanation)
    assert "dairy" not in {p.need_site_id for p in cards}


@pytest.mark.parametrize("label,code", [("Laitiers de four de fonderie", "10 09 03"), ("Laitier de fonderie", ""),
                                        ("Sables de fonderie usagés", "10 09 08"), ("Gießereischlacke", "")])
def test_foundry_residues_are_never_proposed_as_blast_furnace_or_steel_slag(label, code):
    cards = _cards([FOUNDRY, CEMENT, ROAD, BRICKS], "foundry", label, ewc_code=code or None, quantity_t=500.0)
    assert cards
    for card in cards:
        assert card.explanation["need_class"] not in {"blast_furnace_slag", "steel_slag"}
        assert card.explanation["offer_class"] in {"foundry_slag", "foundry_sand"}
        with translation.override("fr"):
            text = explanation_text(card.explanation).lower()
        assert "haut fourneau" not in text and "aciérie" not in text


def test_foundry_slag_goes_to_the_road_builder_not_to_the_cement_works_and_its_card_cites_the_foundry_bref():
    cards = _cards([FOUNDRY, CEMENT, ROAD], "foundry", "Laitier de fonderie", quantity_t=500.0)
    assert [p.need_site_id for p in cards] == ["road"]
    with translation.override("fr"):
        assert "BREF SF 2005 (forge et fonderie)" in explanation_text(cards[0].explanation)
    # a steelworks' slag still goes to both, as before
    steel = ("steel", "24.10Z", "Sidérurgie")
    assert {"road", "cement"} <= receivers([steel, CEMENT, ROAD], "steel", "Laitier d'aciérie")


KRAFT = ("kraft", "17.11Z", "Fabrication de pâte kraft")
NEIGHBOURS = [("kraft2", "17.11Z", "Fabrication de pâte kraft blanchie"),
              ("chp", "35.11Z", "Centrale de cogénération biomasse"), CEMENT,
              ("papermill", "17.12Z", "Fabrication de papier"),
              ("boiler", "35.30Z", "Production et distribution de vapeur")]


@pytest.mark.parametrize("label", ["Liqueur noire", "Black liquor", "Schwarzlauge"])
def test_black_liquor_goes_to_a_kraft_mills_recovery_boiler_not_as_a_fuel_to_every_neighbour(label):
    cards = _cards([KRAFT, *NEIGHBOURS], "kraft", label, quantity_t=20000.0)
    assert [p.need_site_id for p in cards] == ["kraft2"]
    with translation.override("fr"):
        assert "BREF PP 2015" in explanation_text(cards[0].explanation)


@pytest.mark.parametrize("label", ["Corn steep liquor", "Spent pickle liquor", "Mother liquor", "Red liquor"])
def test_another_liquor_is_not_read_as_black_liquor(label):
    assert "black_liquor" not in {m.key for m in classify_label(label)}


def test_black_liquor_with_no_other_kraft_mill_around_is_proposed_to_nobody():
    assert receivers([KRAFT, *NEIGHBOURS[1:]], "kraft", "Liqueur noire") == set()


CHP = ("chp", "35.30Z", "Centrale de cogénération")
INTENSIVE = [("chloralkali", "20.13B", "Électrolyse chlore-soude"), ("smelter", "24.42Z", "Électrolyse d'aluminium"),
             ("gases", "20.11Z", "Fabrication de gaz industriels")]
ORDINARY = [("water", "36.00Z", "Captage, traitement et distribution d'eau"),
            ("pharma", "21.20Z", "Fabrication de préparations pharmaceutiques"),
            ("machining", "25.62B", "Mécanique industrielle")]


def test_surplus_electricity_goes_to_electro_intensive_users_not_to_every_neighbour():
    got = receivers([CHP, *ORDINARY, *INTENSIVE], "chp", "Électricité excédentaire", unit="MWh")
    assert got and got <= {s[0] for s in INTENSIVE}
    # among ordinary neighbours alone, nobody is worth a private line: the grid already serves them
    assert receivers([CHP, *ORDINARY], "chp", "Électricité excédentaire", unit="MWh") == set()


def test_a_basic_pharmaceutical_plant_stays_an_electricity_user_a_formulation_plant_does_not():
    api = ("api", "21.10Z", "Fabrication de principes actifs pharmaceutiques")
    assert receivers([CHP, api, ORDINARY[1]], "chp", "Électricité excédentaire", unit="MWh") == {"api"}


def test_an_electricity_card_names_the_use_and_its_source():
    cards = _cards([CHP, INTENSIVE[0]], "chp", "Électricité excédentaire", unit="MWh", quantity_t=5000.0)
    with translation.override("fr"):
        text = explanation_text(cards[0].explanation)
        assert "électrolyse" in text and "BREF CAK 2014" in text


def test_a_sulphuric_acid_plant_makes_its_own_electricity_and_is_offered_none():
    acid = ("acid", "20.13B", "Production d'acide sulfurique")
    assert "acid" not in receivers([CHP, acid, INTENSIVE[0]], "chp", "Électricité excédentaire", unit="MWh")
