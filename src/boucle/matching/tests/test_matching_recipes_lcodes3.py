"""Process recipes of heavy and process industry (issue 11, coverage round of session 18): each test builds a
small park and checks who receives an offer, citing the general source of the rule it relies on (the rows
themselves cite it in ``knowledge/data``)."""

from functools import partial

from boucle.matching.knowledge.infer import infer_needs, infer_outputs
from boucle.matching.tests.parks import receivers, receivers_by_label

_receivers = partial(receivers, at=(-20.0, 60.0, 0.001))
_by_label = partial(receivers_by_label, at=(-20.0, 60.0, 0.002))


def _needs(naf, activity):
    return {n.class_key: n.weight for n in infer_needs(naf, activity)}


def test_wood_chips_go_to_a_pulp_mill_before_a_paper_mill():
    # EU BREF PP 2015, ch. 3-5 (pulping starts from chips), ch. 1 and 6-7 (a paper mill pulps chips only when
    # integrated, else buys pulp and burns wood residues)
    pulp, paper = _needs("17", "Kraft pulp mill"), _needs("17", "Paper mill")
    assert pulp["biomass_wood_chips"] >= 0.85 > paper["biomass_wood_chips"] >= 0.6
    park = [("saw", "16", "Sawmill"), ("paper", "17", "Paper mill"), ("pulp", "17", "Kraft pulp mill"),
            ("pellets", "16", "Wood pellet plant"), ("chp", "35", "Biomass CHP plant")]
    got = _by_label(park, [("saw", "Wood chips")])["Wood chips"]
    assert got[0] == "pulp"


def test_a_viscose_plant_takes_dissolving_pulp_and_a_nylon_plant_does_not():
    # EU BREF POL 2007, ch. 12 (viscose: dissolving pulp, caustic soda, sulphuric acid spin bath)
    assert _needs("20", "Viscose and modal fibre production").get("virgin_paper_pulp", 0) >= 0.8
    assert "pet" not in _needs("20", "Viscose and modal fibre production")
    assert "virgin_paper_pulp" not in _needs("20", "Nylon and synthetic fibre plant")
    park = [("pulp", "17", "Dissolving pulp mill"), ("viscose", "20", "Viscose fibre production"),
            ("nylon", "20", "Nylon fibre plant"), ("bakery", "10", "Industrial bakery")]
    got = _receivers(park, "pulp", "Bleached pulp")
    assert "viscose" in got and "nylon" not in got and "bakery" not in got


def test_a_gas_works_reforms_refinery_naphtha_and_a_biogas_plant_does_not():
    # NACE 35.21 (gas of a specified calorific value); Ullmann's, Gas Production (naphtha reforming to SNG)
    sng = _needs("35", "Synthetic natural gas plant")
    assert sng.get("naphtha", 0) >= 0.8 and "manure" not in sng
    assert "naphtha" not in _needs("35", "Biogas plant")
    park = [("ref", "19", "Oil refinery"), ("sng", "35", "Synthetic natural gas plant"),
            ("ad", "35", "Biogas plant"), ("farm", "01", "Dairy farm")]
    got = _receivers(park, "ref", "Naphtha")
    assert "sng" in got and "ad" not in got and "farm" not in got


def test_a_cold_rolling_mill_takes_nitrogen_and_hydrogen_for_annealing():
    # EU BREF FMP 2022, 2.3 (annealing of cold-rolled strip under HNX or hydrogen)
    mill = _needs("24.3", "Cold rolling of strip")
    assert mill.get("nitrogen", 0) >= 0.45 and mill.get("hydrogen", 0) >= 0.4
    park = [("asu", "20", "Air separation unit"), ("crm", "24.3", "Cold rolling of strip"),
            ("warehouse", "52", "Warehouse")]
    got = _receivers(park, "asu", "Nitrogen")
    assert "crm" in got and "warehouse" not in got
    assert {o.class_key for o in infer_outputs("24.3", "Cold rolling of strip")} >= {"spent_pickling_acid"}


def test_coal_tar_goes_to_a_coal_tar_chemicals_plant():
    # EU BREF IS 2012, ch. 5 (crude tar of the coke-oven by-product plant sold to tar distillers); NACE 20.14
    assert "tars_bitumen_residues" in {o.class_key for o in infer_outputs("24", "Integrated steelworks")}
    assert _needs("20", "Coal tar chemicals").get("tars_bitumen_residues", 0) >= 0.8
    park = [("steel", "24", "Integrated steelworks"), ("tar", "20", "Coal tar chemicals"),
            ("cement", "23", "Cement plant"), ("poly", "20", "Petrochemical plant")]
    got = _by_label(park, [("steel", "Crude coal tar")])["Crude coal tar"]
    assert got[0] == "tar"


def test_a_distillery_ferments_whey_next_to_a_dairy():
    # EU BREF FDM 2019 (whey and permeate fermented to alcohol); NACE 11.01
    assert _needs("11", "Distillery").get("whey", 0) >= 0.4
    park = [("dairy", "10", "Cheese making"), ("still", "11", "Distillery"), ("steel", "24", "Steelworks")]
    got = _receivers(park, "dairy", "Whey permeate")
    assert "still" in got and "steel" not in got
