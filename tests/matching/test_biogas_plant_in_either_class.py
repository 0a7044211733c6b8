"""A biogas plant is one trade whichever of its two NACE classes it declares (issue 11, mcodes2 round): NACE Rev. 2
places the production of gas from agricultural by-products or waste in 35.21 and the treatment of non-hazardous waste
with production of biogas in 38.21 (``code_alternatives.csv``). A digester declared under 38.21 takes the non-feed
digestion feedstocks (manure, crop residues, sewage sludge, grease, animal by-products) at the weight a 35.21 plant
does (EU BREF WT 2018 section 4.1), so it is no longer ranked below the power station next door for straw; feed
materials keep the food use hierarchy (Commission Notice 2018/C 133/02), and a composting plant keeps its own rules.
"""

from boucle.matching.knowledge.infer import infer_needs
from boucle.matching.tests.parks import receivers_by_label

FEEDSTOCKS = ("manure", "crop_residues", "sewage_sludge", "grease_trap_waste", "animal_by_products")


def _weights(code, activity, name=None):
    return {n.class_key: n.weight for n in infer_needs(code, activity, name)}


def test_a_digester_declared_in_38_21_takes_the_feedstocks_of_a_35_21_one_at_their_weight():
    as_waste = _weights("38.21Z", "Production de biogaz par méthanisation")
    as_gas = _weights("35.21Z", "Production de biogaz par méthanisation")
    for key in FEEDSTOCKS:
        assert as_waste[key] >= 0.75 * 0.95, key
        assert abs(as_waste[key] - as_gas[key]) <= 0.1, key


def test_feed_materials_keep_the_use_hierarchy_and_a_composting_plant_keeps_its_rules():
    as_waste = _weights("38.21Z", "Production de biogaz par méthanisation")
    assert as_waste["whey"] < 0.6 and as_waste["food_industry_residues"] < 0.6
    compost = _weights("38.21Z", "Plateforme de compostage")
    assert compost["crop_residues"] <= 0.6


def test_straw_goes_to_both_digesters_of_a_park_before_a_power_station():
    got = receivers_by_label([("farm", "01.11Z", "Culture de céréales"),
                              ("power", "35.11Z", "Centrale thermique"),
                              ("digester38", "38.21Z", "Production de biogaz par méthanisation"),
                              ("digester35", "35.21Z", "Production de biogaz par méthanisation")],
                             [("farm", "Pailles de céréales")])
    shown = got["Pailles de céréales"]
    assert {"digester38", "digester35"} <= set(shown[:2]), shown
