"""Sites whose words name their process inside a broad NACE class (knowledge/data/process_scopes.csv,
own_class_needs.csv): an alumina refinery is a steam and fuel user, not the electro-intensive smelter of its
class 24.42 (EU BREF NFM 2017); a cement grinding plant has no kiln, so it grinds granulated blast furnace
slag but takes no kiln fuel or raw-meal corrective (EU BREF CLM 2013, EN 197-1); no cement works takes steel
slag as the blast furnace slag constituent of its cement (EN 197-1), though a kiln takes it as an iron
corrective."""

from functools import partial

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.tests.parks import receivers_by_label

_receivers = partial(receivers_by_label, at=(-23.8, 151.2, 0.003))


def _needs(code, activity):
    return {n.class_key for n in infer_needs(code, activity)}


def test_a_power_station_s_electricity_goes_to_the_smelter_not_to_the_alumina_refinery_next_door():
    sites = [("ps", "35", "Coal-fired power station", "Power station"),
             ("smelter", "24", "Aluminium smelter", "Smelter"),
             ("refinery", "24", "Alumina refinery", "Alumina works")]
    got = _receivers(sites, [("ps", "Electricity"), ("ps", "Steam")])
    assert got["Electricity"] == ["smelter"]
    # the refinery's Bayer digestion still takes steam
    assert "refinery" in got["Steam"]


def test_an_alumina_refinery_takes_caustic_soda_and_steam_but_no_anode_coke_or_scrap():
    refinery = _needs("24.42", "Alumina refinery (Bayer process)")
    assert {"caustic_soda", "steam"} <= refinery
    assert not refinery & {"electricity", "petroleum_coke", "aluminium_scrap"}
    # a smelter keeps the inputs of electrolysis and of its casthouse
    assert {"electricity", "petroleum_coke"} <= _needs("24.42", "Aluminium smelter")


def test_a_slag_grinding_plant_grinds_blast_furnace_slag_and_takes_no_kiln_inputs():
    grinding = _needs("23.51", "Slag cement (GGBS) grinding plant")
    assert "blast_furnace_slag" in grinding
    assert not grinding & {"steel_slag", "tyres", "waste_oil", "refuse_derived_fuel", "foundry_sand", "red_mud"}
    assert {"steel_slag", "tyres"} <= _needs("23.51", "Cement works")


def test_steel_slag_goes_to_road_building_not_to_a_slag_grinding_plant():
    sites = [("steel", "24", "Integrated steelworks", "Steelworks"),
             ("ggbs", "23", "Slag grinding plant (GGBS)", "Slag cement"),
             ("road", "42", "Road construction", "Roadworks contractor")]
    got = _receivers(sites, [("steel", "Steel slag"), ("steel", "Granulated blast furnace slag")])
    assert "ggbs" not in got["Steel slag"] and "road" in got["Steel slag"]
    assert got["Granulated blast furnace slag"][0] == "ggbs"


def test_spent_foundry_sand_goes_to_the_asphalt_plant_as_well_as_the_cement_works():
    sites = [("foundry", "24", "Iron foundry", "Foundry"),
             ("cement", "23", "Cement plant", "Cement works"),
             ("asphalt", "23", "Asphalt plant", "Roadstone coating"),
             ("wool", "23", "Mineral wool insulation manufacturer", "Insulation")]
    got = _receivers(sites, [("foundry", "Spent foundry sand")])
    assert {"cement", "asphalt"} <= set(got["Spent foundry sand"])
    assert "wool" not in got["Spent foundry sand"]
    # an asphalt plant takes no mineral wool waste, which goes back to a wool melt
    assert "mineral_wool_waste" not in _needs("23.99", "Asphalt plant")
    assert "mineral_wool_waste" in _needs("23.99", "Mineral wool insulation manufacturer")
