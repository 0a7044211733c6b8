"""An offer that gets no receiver says why (issue 11: "an unknown label or activity gives no proposal
and says why in the flow's page; it never raises"): ``why_no_receiver`` gives the first reason that
holds among the sites around, which the flow's page words (tests/web/test_web_flow_matching_notes.py)."""

import pytest

from boucle.matching.pipeline import FlowIn, SiteIn, propose, why_no_receiver


def _site(site_id, naf, activity="", name=None, north_km=0.0):
    return SiteIn(site_id, 50.0 + north_km / 111.2, 3.0, naf, activity, name)


SAWMILL = _site("mill", "16.10")
SAWDUST = FlowIn("o", "mill", "offer", label="Sawdust")


def test_a_site_without_coordinates_cannot_be_searched_around():
    assert why_no_receiver(SAWDUST, SiteIn("mill", None, None, "16.10"), [_site("heat", "35.30")]) == ["no_location"]


def test_no_other_site_within_the_radius():
    around = [SAWMILL, _site("heat", "35.30", north_km=250)]
    assert why_no_receiver(SAWDUST, SAWMILL, around, radius_km=200) == ["no_site_around"]
    assert why_no_receiver(SAWDUST, SAWMILL, around, radius_km=300) != ["no_site_around"]


def test_an_offer_the_engine_would_propose_now_waits_for_the_next_run():
    around = [_site("heat", "35.30", north_km=0.3)]
    assert propose([SAWMILL, *around], [SAWDUST])
    assert why_no_receiver(SAWDUST, SAWMILL, around) == ["not_run_yet"]


def test_sites_around_whose_activity_is_unknown_give_no_receiver_of_a_hazardous_waste():
    around = [_site("x", None, "", "Société Martin", 0.3), _site("y", "", "???", "Établissement 12", 0.5)]
    solvents = FlowIn("o", "mill", "offer", label="Spent solvents", hazardous=True)
    assert why_no_receiver(solvents, SAWMILL, around) == ["unknown_activity_around"]
    # one of them declaring a need is enough to look further
    need = FlowIn("n", "x", "need", label="Spent solvents")
    assert why_no_receiver(solvents, SAWMILL, around, [need]) != ["unknown_activity_around"]
    # sawdust, not hazardous, goes to them as receivers of last resort (test_matching_unknown_receivers)
    assert why_no_receiver(SAWDUST, SAWMILL, around) == ["not_run_yet"]


def test_a_hazardous_waste_with_no_authorised_site_around():
    solvents = FlowIn("o", "chem", "offer", label="Spent solvents", hazardous=True)
    chem = _site("chem", "20.14")
    assert why_no_receiver(solvents, chem, [_site("food", "56.10", north_km=0.3)]) == ["hazardous_no_receiver"]
    # the same waste not declared hazardous is simply taken by nobody around
    plain = FlowIn("o", "chem", "offer", label="Spent solvents")
    assert why_no_receiver(plain, chem, [_site("food", "56.10", north_km=0.3)]) == ["no_receiver"]


def test_receivers_that_would_gain_nothing_against_todays_route():
    scrap = FlowIn("o", "parts", "offer", label="Steel scrap", quantity_t=1500, unit="t")
    parts, around = _site("parts", "29.32"), [_site("steel", "24.10", north_km=0.3)]
    assert propose([parts, *around], [scrap]) == []
    assert why_no_receiver(scrap, parts, around) == ["no_gain"]


def test_a_receiver_below_the_plausibility_shown():
    heat = FlowIn("o", "metal", "offer", label="Waste heat")
    metal, around = _site("metal", "25.62"), [_site("kiln", "23.51", north_km=0.3)]
    assert propose([metal, *around], [heat]) == [] and propose([metal, *around], [heat], top=1)
    assert why_no_receiver(heat, metal, around) == ["unlikely"]


@pytest.mark.parametrize("flow, around", [
    # steam travels a few km: a dairy 50 km away is out of reach
    (FlowIn("o", "chem", "offer", label="Vapeur excédentaire", kind="energy", temperature_c=180, quantity_t=70000,
            unit="MWh"), [_site("dairy", "10.51", north_km=50)]),
    (FlowIn("o", "chem", "offer", label="Fly ash"), [_site("food", "56.10", north_km=0.3)]),
])
def test_no_site_around_takes_the_material(flow, around):
    assert why_no_receiver(flow, _site("chem", "20.14"), around) == ["no_receiver"]


def test_a_need_has_no_receiver_to_explain():
    need = FlowIn("n", "mill", "need", label="Sawdust")
    assert why_no_receiver(need, SAWMILL, [_site("heat", "35.30", north_km=0.3)]) == []


def test_heat_whose_receivers_are_beyond_its_break_even_distance_says_so():
    """The demo foundry's 4 500 MWh at 150 °C read « l'échange n'éviterait rien par rapport à ce que devient ce
    flux aujourd'hui … Précisez ce devenir » — but its heat is dissipated today: the dairy 5 km away is beyond the
    distance at which the pipe pays for itself (a dairy 1 km away is proposed)."""
    heat = FlowIn("o", "foundry", "offer", label="Chaleur fatale des fours de fusion", kind="energy",
                  temperature_c=150, quantity_t=4500, unit="MWh")
    foundry = _site("foundry", "24.51")
    assert propose([foundry, _site("dairy", "10.51", north_km=1)], [heat])
    assert why_no_receiver(heat, foundry, [_site("dairy", "10.51", north_km=5)]) == ["heat_too_far"]
    # the same heat said already used today: what stands in the way is today's route, not the distance
    used = FlowIn("o", "foundry", "offer", label="Chaleur fatale des fours de fusion", kind="energy",
                  temperature_c=150, quantity_t=4500, unit="MWh", current_route="R1")
    assert why_no_receiver(used, foundry, [_site("dairy", "10.51", north_km=5)]) == ["no_gain"]
