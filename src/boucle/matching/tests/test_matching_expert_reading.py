"""Offer labels read as an expert reads them (issue 11): warm return water is heat, a label that lists
materials offers each of them, an industrial-gases plant takes electricity and air, not fuel.

Each test builds a small park, runs the default output (what the platform shows) and checks who
receives the offer and what the explanation says.
"""

from functools import partial

import pytest
from boucle.matching.pipeline import FlowIn, propose
from boucle.matching.tests.parks import park

_park = partial(park, lat=45.0, lon=5.0)


def _receivers(sites, site_id, label, **flow):
    proposals = propose(_park(sites), [FlowIn("o1", site_id, "offer", label=label, **flow)])
    return proposals, {p.need_site_id for p in proposals}


HEAVY_PARK = [
    ("power", "35.11", "Coal-fired power station"),
    ("refinery", "19.20", "Oil refinery"),
    ("steel", "24.10", "Integrated steelworks"),
    ("ccgt", "35.11", "Gas turbine combined cycle power plant"),
    ("fish", "03.22", "Fish farm"),
    ("greenhouse", "01.13", "Greenhouse tomato grower"),
    ("heating", "35.30", "District heating network"),
]
COOLS_WITH_WATER = {"refinery", "steel", "ccgt"}
USES_LOW_HEAT = {"fish", "greenhouse", "heating"}


@pytest.mark.parametrize("label", ["warm cooling water", "eau de refroidissement tiède", "Kühlwasser (warm)",
                                   "cooling water at 35 °C"])
def test_warm_cooling_water_goes_to_users_of_low_temperature_heat_not_to_sites_that_cool(label):
    proposals, receivers = _receivers(HEAVY_PARK, "power", label)
    assert receivers and receivers <= USES_LOW_HEAT
    assert "fish" in receivers
    assert {p.material_class for p in proposals} == {"waste_heat_low"}
    assert all(p.unit == "MWh" for p in proposals)


def test_plain_cooling_water_stays_water_for_a_site_that_cools():
    proposals, receivers = _receivers(HEAVY_PARK, "power", "cooling water")
    assert receivers & COOLS_WITH_WATER
    assert {p.material_class for p in proposals} == {"water_cooling"}


def test_water_declared_as_water_but_said_warm_is_heat():
    proposals, receivers = _receivers(HEAVY_PARK, "power", "eau de refroidissement tiède", kind="water")
    assert receivers and receivers <= USES_LOW_HEAT


LIST_PARK = [
    ("maker", "20.30", "Paints and varnishes producer"),
    ("papermill", "17.12", "Paper and board mill"),
    ("plastics", "22.21", "Plastic pipes and profiles manufacturer"),
    ("glassworks", "23.13", "Glass container works"),
    ("foundry", "24.51", "Iron foundry"),
    ("panels", "16.21", "Particle board producer"),
]


def _components(proposals):
    return {p.need_site_id: p.explanation.get("offer_component") for p in proposals}


def test_a_french_list_of_materials_is_proposed_to_a_user_of_each_and_says_which():
    proposals, receivers = _receivers(LIST_PARK, "maker", "papier, carton et plastiques")
    assert {"papermill", "plastics"} <= receivers
    parts = _components(proposals)
    assert parts["plastics"] == "plastiques" and parts["papermill"] in ("papier", "carton")
    text = next(p for p in proposals if p.need_site_id == "plastics")
    from boucle.matching.wording import explanation_text

    assert "« plastiques », l'une des matières que l'offre énumère" in explanation_text(text.explanation)


@pytest.mark.parametrize("label, expected", [
    ("packaging and wood wastes", {"panels"}),
    ("glass and metals", {"glassworks", "foundry"}),
    ("Glas und Metalle", {"glassworks", "foundry"}),
])
def test_an_english_or_german_list_reaches_the_user_of_each_material(label, expected):
    proposals, receivers = _receivers(LIST_PARK, "maker", label)
    assert expected <= receivers
    assert all(_components(proposals)[r] for r in expected)


def test_generic_words_of_a_list_name_no_material():
    """« déchets divers » names nothing: the list is read from the materials it names."""
    proposals, receivers = _receivers(LIST_PARK, "maker", "déchets divers, verre et métaux")
    assert {"glassworks", "foundry"} <= receivers
    assert set(_components(proposals).values()) <= {"verre", "métaux"}


def test_a_known_phrase_with_and_is_one_material():
    proposals, _ = _receivers(LIST_PARK, "maker", "construction and demolition waste")
    assert all("offer_component" not in p.explanation for p in proposals)


GASES_PARK = [
    ("steel", "24.10", "Integrated steelworks"),
    ("asu", "20.11", "Air separation unit"),
    ("gases", None, "gaz industriels"),
    ("h2", None, "Hydrogen production (steam methane reforming)"),
    ("nh3", "20.15", "Ammonia and nitrogen fertiliser plant"),
]
AIR_SEPARATION = {"asu", "gases"}


@pytest.mark.parametrize("site_id, label", [("steel", "Blast furnace gas"), ("steel", "Steam"),
                                            ("steel", "Waste heat 150 °C"), ("steel", "Wood chips")])
def test_an_industrial_gases_plant_receives_no_fuel_nor_process_heat(site_id, label):
    _, receivers = _receivers(GASES_PARK, site_id, label)
    assert not receivers & AIR_SEPARATION


def test_an_industrial_gases_plant_still_takes_co2_to_liquefy_and_a_hydrogen_plant_its_feed():
    _, co2 = _receivers(GASES_PARK, "nh3", "CO2")
    assert co2 & AIR_SEPARATION
    _, fuel = _receivers(GASES_PARK, "steel", "Blast furnace gas")
    assert "h2" in fuel
