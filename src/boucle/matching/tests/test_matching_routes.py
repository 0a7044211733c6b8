"""General routes of by-products that an industrial-ecology expert writes into a rule table (issue 11,
routes round): each test builds a small park and checks who receives an offer, citing the source of
the rule it relies on (the rows themselves cite it in ``knowledge/data``).
"""

from functools import partial

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.tests.parks import receivers, receivers_by_label

_receivers = partial(receivers, at=(45.0, 5.0, 0.001))


def _needs(naf, activity):
    return {n.class_key: n.weight for n in infer_needs(naf, activity)}


def test_biogas_goes_to_the_boilers_of_a_dairy_and_a_brewery():
    # EU BREF FDM 2019: biogas from anaerobic treatment is burnt in the boilers and CHP engines of
    # food and drink plants, which raise process steam
    park = [("ad", "35", "Biogas plant"), ("dairy", "10", "Dairy"), ("brewery", "11", "Brewery"),
            ("joinery", "16", "Joinery")]
    receivers = _receivers(park, "ad", "Biogas")
    assert {"dairy", "brewery"} <= receivers
    assert "joinery" not in receivers


def test_beet_washing_soil_goes_back_to_arable_land_and_to_earthworks():
    # EU BREF FDM 2019 (sugar): soil washed off the beet is returned to the land; List of Waste
    # 02 04 01: it is soil and stones, taken as excavated soil is (fill, topsoil)
    assert _needs("01", "Arable farm").get("sugar_beet_soil", 0) >= 0.45
    park = [("sugar", "10", "Sugar beet factory"), ("farm", "01", "Arable farm"),
            ("earth", "43", "Earthworks and site preparation"), ("printer", "18", "Printing")]
    receivers = _receivers(park, "sugar", "Soil from beet washing")
    assert {"farm", "earth"} <= receivers and "printer" not in receivers
    # a glasshouse grower does not take field soil back
    assert _needs("01", "Tomato greenhouse").get("sugar_beet_soil", 0) < 0.15


def test_a_fertiliser_plant_takes_no_spent_solvents_but_a_paint_maker_does():
    # EU BREF LVIC-AAF 2007: ammonia, acids and fertilisers are made without organic solvents;
    # NACE 20.30: paints and varnishes use (regenerated) solvents
    assert "spent_solvents" not in _needs("20", "Fertiliser plant")
    assert "spent_solvents" not in _needs("20.15", None)
    assert _needs("20", "Paint manufacturing").get("spent_solvents", 0) >= 0.5


def test_a_heating_plant_burns_ethanol_as_a_bioliquid():
    # Directive (EU) 2018/2001 art. 2(33): bioliquids are liquid fuels from biomass burnt for heat
    assert _needs("35", "Heat generation").get("ethanol", 0) >= 0.25
    assert "ethanol" not in _needs("23.32", "Brick works")


def test_a_label_that_names_a_material_is_not_read_as_another_family_sharing_a_word():
    # "wood ash" is ash (Regulation (EU) 2019/1009 CMC 13; EU BREF CER 2007), not wood for a
    # pellet plant; "hydrogen peroxide" is a bleaching chemical (EU BREF PP 2015), not hydrogen
    park = [("chp", "35", "Biomass CHP plant"), ("pellets", "16", "Wood pellet plant"),
            ("bricks", "23", "Brick works"), ("farm", "01", "Arable farm")]
    receivers = _receivers(park, "chp", "Wood ash")
    assert "pellets" not in receivers and {"bricks", "farm"} & receivers
    park = [("chem", "20", "Hydrogen peroxide production"), ("refinery", "19", "Oil refinery"),
            ("pulp", "17", "Kraft pulp mill")]
    receivers = _receivers(park, "chem", "Hydrogen peroxide")
    assert "pulp" in receivers and "refinery" not in receivers


def test_a_named_material_keeps_the_near_readings_of_its_own_family():
    # an incinerator's fly ash may be read as coal fly ash's near kin (both ashes, EWC 19 01 and
    # 10 01), and bottom ash as boiler or incinerator bottom ash
    from boucle.matching.pipeline import _classify

    assert {"incineration_fly_ash", "fly_ash"} <= {k for k, _ in _classify("Incineration fly ash", "", "material", None)}
    assert {"bottom_ash", "incineration_bottom_ash"} <= {k for k, _ in _classify("Bottom ash", "", "material", None)}


def test_a_sawmill_takes_the_electricity_of_a_neighbouring_mill():
    # NACE 16.10 sawing, planing and drying of wood; EU BREF ENE 2009: motor drives and fans
    park = [("pulp", "17", "Kraft pulp mill"), ("sawmill", "16", "Sawmill"), ("carpenter", "43", "Carpentry")]
    receivers = _receivers(park, "pulp", "Electricity")
    assert "sawmill" in receivers and "carpenter" not in receivers


def test_spent_refractories_go_back_to_refractories_and_to_road_builders():
    # Horckmans et al. 2019 (Resources, Conservation and Recycling 140:297): spent refractories are
    # recycled mostly as road bed foundations and slag conditioners, as refractory raw material for a
    # small, higher-value share; EN 13242 road aggregates
    assert _needs("42.11", "Road construction").get("refractories_spent", 0) >= 0.5
    assert _needs("23.20", "Refractory products").get("refractories_spent", 0) > _needs(
        "42.11", "Road construction")["refractories_spent"]
    park = [("steel", "24", "Steelworks"), ("refr", "23", "Production of refractories"),
            ("road", "42", "Road construction"), ("printer", "18", "Printing")]
    receivers = _receivers(park, "steel", "Spent refractories")
    assert {"refr", "road"} <= receivers and "printer" not in receivers


def test_septic_tank_sludge_goes_to_a_sewage_works_or_a_farm_not_to_a_power_station():
    # Directive 86/278/EEC art. 2(a)(ii): residual sludge from septic tanks may be used in
    # agriculture; NACE 37.00 receives it; a liquid (List of Waste 20 03 04) is not the dewatered or
    # dried sewage sludge that boilers and kilns co-fire (EU BREF LCP 2017, CLM 2013)
    assert _needs("01", "Arable farm").get("septic_sludge", 0) >= 0.4
    assert "septic_sludge" not in _needs("35.11", "Power plant")
    park = [("town", "38", "Septic tank emptying"), ("stp", "37", "Sewage treatment plant"),
            ("power", "35", "Power plant"), ("kiln", "23", "Cement works")]
    receivers = _receivers(park, "town", "Septic tank sludge")
    assert "stp" in receivers and not {"power", "kiln"} & receivers


def test_spent_coffee_grounds_go_to_biodiesel_and_pellet_makers():
    # Kondamudi et al. 2008 (J. Agric. Food Chem. 56:11757): 10-15 % oil extracted for biodiesel;
    # Campos-Vega et al. 2015 (Trends Food Sci. Technol. 45:24): fuel pellets and logs
    assert _needs("20.59", "Biodiesel production").get("spent_coffee_grounds", 0) >= 0.35
    assert _needs("16.29", "Wood pellet plant").get("spent_coffee_grounds", 0) >= 0.3


def test_empty_drums_go_to_drum_reconditioners_and_co2_to_extinguisher_makers():
    # NACE 33.11 (repair of steel shipping drums), 25.91 (steel drums); ADR 1.2.1 reconditioned and
    # remanufactured packagings. NACE 28.29 (fire extinguishers); ISO 5923 CO2 extinguishing medium
    assert _needs("33.11", None).get("drums_ibc", 0) >= 0.4
    assert _needs("25.91", None).get("drums_ibc", 0) >= 0.35
    assert _needs("28.29", None).get("co2_gas", 0) >= 0.25


def _ranked(sites, site_id, label):
    return receivers_by_label(sites, [(site_id, label)], at=(45.0, 5.0, 0.001)).get(label, [])


def test_wood_ash_goes_to_farm_land_before_a_brick_works():
    # Lamers et al. 2018 (IEA Bioenergy Task 32 D7): ash of clean wood and straw goes back to agricultural
    # and forest land; bricks, concrete and cement take the ashes unfit for soils (Insam & Knapp 2011).
    # EN 450-1 fly ash for concrete is coal ash, so wood ash is not read as coal fly ash at full weight.
    park = [("chp", "35", "Biomass CHP plant"), ("farm", "01", "Arable farm"), ("bricks", "23", "Brick works")]
    ranked = _ranked(park, "chp", "Wood ash")
    assert ranked[0] == "farm"
    assert "bricks" not in ranked[:1]
    assert _needs("01", "Arable farm").get("biomass_ash", 0) > _needs("23.32", "Brick works").get("biomass_ash", 0)


def test_sawdust_goes_to_animal_bedding_before_a_brick_works():
    # Mantau 2012 (Wood flows in Europe): sawmill by-products go to panels, pulp, pellets and energy;
    # EU BREF CER 2007: sawdust as a pore former in bricks is a minor use; EU BREF IRPP 2017: bedding
    park = [("saw", "16", "Sawmill"), ("bricks", "23", "Brick works"), ("farm", "01", "Dairy cattle farm")]
    ranked = _ranked(park, "saw", "Sawdust")
    assert ranked and ranked[0] == "farm"
